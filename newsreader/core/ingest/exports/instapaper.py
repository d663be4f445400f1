"""Instapaper's CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from newsreader.core.blocks import clean_line
from newsreader.core.ingest.exports.common import (
    ExportEntry,
    Problem,
    csv_entries,
    short,
    tag_list,
    unix_time,
)


def instapaper_csv(path: Path) -> Iterator[ExportEntry | Problem]:
    """Instapaper's CSV: `URL,Title,Selection,Folder,Timestamp[,Tags]`.

    The folder says the state (Unread, Archive = read, Starred); any other folder is the
    reader's own filing, so it becomes a tag.
    """
    return csv_entries(path, _instapaper_fields)


def _instapaper_fields(record: dict[str, str], entry: ExportEntry) -> None:
    folder = clean_line(record.get("folder", ""))[:120]
    kind = folder.casefold()
    if kind == "archive":
        entry.is_read = True
    elif kind == "starred":
        entry.is_starred = True
    elif folder and kind != "unread":
        entry.tags.append(folder)
    raw_tags = record.get("tags", "").strip()
    if raw_tags:
        try:
            parsed = json.loads(raw_tags)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            entry.tags.extend(t for t in tag_list(parsed) if t not in entry.tags)
        else:
            entry.notes.append(f"its tags {short(raw_tags, 40)} are not a list; left out")
    entry.saved_at = unix_time(record.get("timestamp", ""), entry.notes, "saving date")
