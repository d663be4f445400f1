"""Full-text search: our query language, an index beside the archive, ranked results.

The archive (SQLite) is the single source of truth; the index is derived from it and
catches up by itself from a queue that triggers fill in the same transactions as the
changes (see `index.py`).
"""
