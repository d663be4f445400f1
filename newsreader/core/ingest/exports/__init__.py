"""Other apps' exports: Pocket, Instapaper, Wallabag, Omnivore and browser bookmarks.

A reader moving to Newsreader brings years of saved links, tags, read and starred state,
and sometimes the articles and highlights themselves. One module per format reads its
file into `ExportEntry` values (streaming where the format allows, so a 30,000-link
export costs little memory); this module detects the format. Pure: bytes in, entries
out. Saving, queueing and the report are the import service's
(newsreader.core.importing.exports).
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

from newsreader.core.ingest.decode import looks_binary
from newsreader.core.ingest.exports.articles import entry_article, find_loosely
from newsreader.core.ingest.exports.bookmarks import netscape_bookmarks
from newsreader.core.ingest.exports.common import (
    OMNIVORE_METADATA,
    SNIFF_BYTES,
    UNKNOWN_FILE,
    ZIP_ERRORS,
    ExportEntry,
    ExportFileError,
    ExportFormat,
    Highlight,
    Problem,
    Reader,
    csv_rows,
    text_chunks,
    web_key,
)
from newsreader.core.ingest.exports.instapaper import instapaper_csv
from newsreader.core.ingest.exports.omnivore import omnivore_zip
from newsreader.core.ingest.exports.pocket import pocket_csv, pocket_html
from newsreader.core.ingest.exports.wallabag import wallabag_json

__all__ = [
    "READERS",
    "ExportEntry",
    "ExportFileError",
    "ExportFormat",
    "Highlight",
    "Problem",
    "detect_export",
    "entry_article",
    "estimate_entries",
    "find_loosely",
    "web_key",
    "why_unknown",
]


# -- detecting ------------------------------------------------------------------------

POCKET_TITLE = re.compile(r"<title>\s*pocket export\s*</title>", re.IGNORECASE)
WALLABAG_KEYS = re.compile(r'"(is_archived|is_starred|reading_time|domain_name)"\s*:')
POCKET_COLUMNS = {"title", "url", "time_added"}
INSTAPAPER_COLUMNS = {"url", "title", "folder", "timestamp"}


def header(text: str) -> set[str]:
    """The column names of a CSV text's first non-blank line."""
    for line in text.splitlines():
        if line.strip():
            try:
                return {c.strip().casefold() for c in next(csv.reader([line]))}
            except csv.Error:
                return set()
    return set()


def detect_export(path: Path) -> ExportFormat | None:
    """Which export `path` is, from its content (the suffix is not trusted), or None.

    An ordinary saved page is not an export: only the markers those apps write count
    (Pocket's title, the Netscape bookmark doctype, the exports' CSV headers, Wallabag's
    keys, Omnivore's metadata files).
    """
    try:
        with Path(path).open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as bundle:
                names = bundle.namelist()
        except ZIP_ERRORS:
            return None
        return "omnivore-zip" if any(OMNIVORE_METADATA.search(n) for n in names) else None
    if not head.strip():
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lowered = text[:4096].casefold()
    if lowered.startswith("<!doctype netscape-bookmark-file"):
        return "netscape-bookmarks"
    if POCKET_TITLE.search(text[:4096]):
        return "pocket-html"
    if text.startswith("[") and '"url"' in text and WALLABAG_KEYS.search(text):
        return "wallabag-json"
    if text.startswith("<"):
        return None
    columns = header(text)
    if columns >= POCKET_COLUMNS:
        return "pocket-csv"
    if columns >= INSTAPAPER_COLUMNS:
        return "instapaper-csv"
    return None


def why_unknown(path: Path) -> str:
    """The reason line for a file that is not an export we read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as error:
        return f"cannot read the file: {error.strerror or error}"
    if size == 0:
        return "empty file"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path):
                pass
        except ZIP_ERRORS as error:
            return f"a damaged zip file ({error}); {UNKNOWN_FILE}"
        return f"a zip file without Omnivore's metadata_*.json; {UNKNOWN_FILE}"
    if looks_binary(head):
        return f"a binary file; {UNKNOWN_FILE}"
    return UNKNOWN_FILE


def estimate_entries(path: Path, fmt: ExportFormat) -> int:
    """About how many entries a streamed file holds, for the progress bar (one quick pass)."""
    try:
        if fmt in ("pocket-csv", "instapaper-csv"):
            return max(0, sum(1 for _ in csv_rows(path)) - 1)
        if fmt in ("pocket-html", "netscape-bookmarks"):
            return sum(chunk.casefold().count("<a ") for chunk in text_chunks(path))
    except (OSError, ExportFileError):
        pass
    return 0


READERS: dict[ExportFormat, Reader] = {
    "pocket-html": pocket_html,
    "pocket-csv": pocket_csv,
    "instapaper-csv": instapaper_csv,
    "wallabag-json": wallabag_json,
    "omnivore-zip": omnivore_zip,
    "netscape-bookmarks": netscape_bookmarks,
}
