"""Newsreader: a desktop newsreader with an offline archive."""

__version__ = "0.1.0"
