"""Bringing the web in: fetching pages, feeds and their refresh, subscriptions (OPML).

Fetching happens only on an explicit action or a feed refresh, never while reading.
"""
