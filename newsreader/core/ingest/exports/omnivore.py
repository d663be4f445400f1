"""Omnivore's zip export: metadata JSON, content files and highlight files."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from newsreader.core.blocks import clean_line
from newsreader.core.ingest.exports.common import (
    MAX_COMPRESSION_RATIO,
    MAX_MEMBER_BYTES,
    MAX_ZIP_BYTES,
    MAX_ZIP_EXPANDED_BYTES,
    MAX_ZIP_MEMBERS,
    MIN_BOMB_BYTES,
    OMNIVORE_METADATA,
    ZIP_ERRORS,
    ExportEntry,
    ExportFileError,
    Highlight,
    Problem,
    check_size,
    clean_title,
    iso_time,
    load_json,
    tag_list,
)

# -- reading: Omnivore (zip) --------------------------------------------------------------

_CONTENT_MEMBER = re.compile(r"(?:^|/)content/([^/]+)\.(html?|md)$", re.IGNORECASE)
_HIGHLIGHT_MEMBER = re.compile(r"(?:^|/)highlights/([^/]+)\.md$", re.IGNORECASE)
_METADATA_ORDER = re.compile(r"metadata_(\d+)")


class _ZipReader:
    """Members of a zip read with bounds, so a zip bomb costs a failed line, not memory."""

    def __init__(self, bundle: zipfile.ZipFile) -> None:
        self.bundle = bundle
        self.expanded = 0

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The member's bytes; ExportFileError when too large, a bomb, past the zip's
        budget or unreadable. Checked from the headers before anything is decompressed,
        and again while reading (headers can lie)."""
        if info.file_size > MAX_MEMBER_BYTES:
            raise ExportFileError(
                f"{info.filename} is too large ({info.file_size / 2**20:,.0f} MB; "
                f"the limit is {MAX_MEMBER_BYTES // 2**20} MB)"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIN_BOMB_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ExportFileError(
                f"{info.filename} was not read: it expands {ratio:,.0f} times (a zip bomb?)"
            )
        budget = MAX_ZIP_EXPANDED_BYTES - self.expanded
        if info.file_size > budget:
            raise ExportFileError(
                f"{info.filename} was not read: the zip's members already expand to "
                f"{MAX_ZIP_EXPANDED_BYTES // 2**20:,} MB, its limit"
            )
        limit = min(MAX_MEMBER_BYTES, budget)
        try:
            with self.bundle.open(info) as stream:
                data = stream.read(limit + 1)
        except ZIP_ERRORS as error:
            raise ExportFileError(f"{info.filename} cannot be read: {error}") from error
        self.expanded += len(data)
        if len(data) > limit:
            raise ExportFileError(f"{info.filename} expands beyond {limit // 2**20} MB")
        return data


def omnivore_zip(path: Path) -> Iterator[ExportEntry | Problem]:
    """Omnivore's zip: metadata_*.json arrays, content/<slug>.html, highlights/<slug>.md."""
    check_size(path, MAX_ZIP_BYTES)
    try:
        bundle = zipfile.ZipFile(path)
    except ZIP_ERRORS as error:
        raise ExportFileError(f"not a readable zip file: {error}") from error
    with bundle:
        infos = [i for i in bundle.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ExportFileError(f"too many files in the zip ({len(infos):,})")
        metadata = sorted(
            (i for i in infos if OMNIVORE_METADATA.search(i.filename)),
            key=lambda i: (int(m.group(1)) if (m := _METADATA_ORDER.search(i.filename)) else 0,
                           i.filename),
        )  # fmt: skip
        contents: dict[str, zipfile.ZipInfo] = {}
        highlights: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if match := _CONTENT_MEMBER.search(info.filename):
                # HTML wins over Markdown when both are there.
                if match.group(2).casefold() != "md" or match.group(1) not in contents:
                    contents[match.group(1)] = info
            elif match := _HIGHLIGHT_MEMBER.search(info.filename):
                highlights[match.group(1)] = info
        reader = _ZipReader(bundle)
        for info in metadata:
            try:
                records = load_json(reader.read(info), info.filename)
            except ExportFileError as error:
                yield Problem(info.filename, str(error))
                continue
            if not isinstance(records, list):
                yield Problem(info.filename, "not a JSON array of entries")
                continue
            for record in records:  # each its own line, even once the budget is spent
                yield _omnivore_entry(record, reader, contents, highlights)


def _omnivore_entry(
    record: object,
    reader: _ZipReader,
    contents: dict[str, zipfile.ZipInfo],
    highlights: dict[str, zipfile.ZipInfo],
) -> ExportEntry:
    if not isinstance(record, dict):
        return ExportEntry(error=f"expected an entry (a JSON object), got {type(record).__name__}")
    url = record.get("url") if isinstance(record.get("url"), str) else ""
    entry = ExportEntry(url=str(url).strip())
    entry.title = clean_title(str(record.get("title") or ""), entry.url)
    author = record.get("author")
    entry.byline = (clean_line(author)[:300] or None) if isinstance(author, str) else None
    entry.tags = tag_list(record.get("labels"))
    entry.is_read = str(record.get("state") or "").casefold() == "archived"
    entry.saved_at = iso_time(record.get("savedAt"), entry.notes, "saving date")
    entry.published = iso_time(record.get("publishedAt"), entry.notes, "publication date")
    slug = record.get("slug")
    if not isinstance(slug, str) or not slug:
        return entry
    if (info := contents.get(slug)) is not None:
        try:
            text = reader.read(info).decode("utf-8", errors="replace")
        except ExportFileError as error:
            entry.notes.append(f"its content was not read ({error})")
        else:
            if text.strip():
                if info.filename.casefold().endswith(".md"):
                    entry.text = text
                else:
                    entry.html = text
    if (info := highlights.get(slug)) is not None:
        try:
            entry.highlights = _omnivore_highlights(
                reader.read(info).decode("utf-8", errors="replace")
            )
        except ExportFileError as error:
            entry.notes.append(f"its highlights were not read ({error})")
    return entry


_BACKLINK = re.compile(r"\s*\[⤴️?\]\([^)]*\)\s*$")


def _omnivore_highlights(markdown: str) -> list[Highlight]:
    """Omnivore's highlight files: `> quote` lines, then `#label` lines and the note."""
    found: list[Highlight] = []
    quote: list[str] = []
    labels: list[str] = []
    note: list[str] = []
    quote_closed = False

    def finish() -> None:
        if quote:
            text = _BACKLINK.sub("", " ".join(quote))
            found.append(Highlight(text, "\n".join(note).strip(), tags=tuple(labels)))
        quote.clear()
        labels.clear()
        note.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith(">"):
            if quote_closed or note or labels:
                finish()
            quote_closed = False
            quote.append(line[1:].strip())
        elif not line:
            quote_closed = bool(quote)
        elif quote and not quote_closed:
            quote.append(line)  # a lazy continuation of the quote
        elif quote and not note and all(w.startswith("#") for w in line.split()):
            labels.extend(w.lstrip("#") for w in line.split() if w.lstrip("#"))
        elif quote:
            note.append(line)
    finish()
    return found
