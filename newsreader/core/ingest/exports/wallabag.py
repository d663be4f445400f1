"""Wallabag's JSON export: articles with their content, tags and state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsreader.core.blocks import clean_line
from newsreader.core.ingest.exports.common import (
    MAX_JSON_BYTES,
    WALLABAG_PLACEHOLDER,
    ExportEntry,
    ExportFileError,
    Highlight,
    Problem,
    check_size,
    clean_title,
    flag,
    iso_time,
    load_json,
    tag_list,
)

# -- reading: Wallabag (JSON) -----------------------------------------------------------


def wallabag_json(path: Path) -> Iterator[ExportEntry | Problem]:
    """Wallabag's JSON: entries with their content (HTML), state, tags and annotations."""
    check_size(path, MAX_JSON_BYTES)
    entries = load_json(path.read_bytes(), "the export")
    if not isinstance(entries, list):
        raise ExportFileError("the export is not a JSON array of entries")
    for record in entries:
        yield _wallabag_entry(record)


def _wallabag_entry(record: object) -> ExportEntry:
    if not isinstance(record, dict):
        return ExportEntry(error=f"expected an entry (a JSON object), got {type(record).__name__}")
    keys = ("url", "given_url", "origin_url")
    url = next((v for k in keys if isinstance(v := record.get(k), str) and v.strip()), "")
    entry = ExportEntry(url=url.strip())
    entry.title = clean_title(str(record.get("title") or ""), entry.url)
    entry.is_read = flag(record.get("is_archived"))
    entry.is_starred = flag(record.get("is_starred"))
    entry.tags = tag_list(record.get("tags"))
    entry.saved_at = iso_time(record.get("created_at"), entry.notes, "saving date")
    entry.published = iso_time(record.get("published_at"), entry.notes, "publication date")
    authors = record.get("published_by")
    if isinstance(authors, list):
        entry.byline = clean_line(", ".join(a for a in authors if isinstance(a, str))) or None
    language = record.get("language")
    entry.language = (clean_line(language)[:20] or None) if isinstance(language, str) else None
    content = record.get("content")
    if isinstance(content, str) and content.strip() and not WALLABAG_PLACEHOLDER.search(content):
        entry.html = content
    for note in record.get("annotations") or []:
        if not isinstance(note, dict):
            continue
        quote = note.get("quote")
        text = note.get("text")
        entry.highlights.append(
            Highlight(
                quote=quote if isinstance(quote, str) else "",
                note=text.strip() if isinstance(text, str) else "",
                created_at=iso_time(note.get("created_at"), [], "annotation date"),
            )
        )
    return entry
