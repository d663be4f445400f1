"""Pocket's exports: the CSV of 2024 and the older HTML link list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsreader.core.ingest.exports.bookmarks import html_links
from newsreader.core.ingest.exports.common import (
    ExportEntry,
    Problem,
    clean_title,
    csv_entries,
    flag,
    short,
    split_tags,
    unix_time,
)


def pocket_csv(path: Path) -> Iterator[ExportEntry | Problem]:
    """Pocket's CSV: `title,url,time_added,tags,status` (tags split by |)."""
    return csv_entries(path, _pocket_fields)


def _pocket_fields(record: dict[str, str], entry: ExportEntry) -> None:
    entry.tags = split_tags(record.get("tags", ""), "|")
    entry.saved_at = unix_time(record.get("time_added", ""), entry.notes, "saving date")
    status = record.get("status", "").strip().casefold()
    entry.is_read = status == "archive"
    if status not in ("", "unread", "archive"):
        entry.notes.append(f"unknown status {short(status, 30)}; taken as unread")
    entry.is_starred = flag(record.get("favorite", ""))


def pocket_html(path: Path) -> Iterator[ExportEntry | Problem]:
    """Pocket's HTML: links under "Unread" and "Read Archive" headings."""
    for attrs, text, heading, _folders in html_links(path):
        entry = ExportEntry(url=attrs.get("href", "").strip())
        entry.title = clean_title(text, entry.url)
        entry.tags = split_tags(attrs.get("tags", ""), ",")
        entry.saved_at = unix_time(attrs.get("time_added", ""), entry.notes, "saving date")
        entry.is_read = heading.casefold() in ("read archive", "archive", "read")
        yield entry
