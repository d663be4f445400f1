"""What every export reader shares: entries, limits, small parsers, CSV and JSON reading."""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from newsreader.core.blocks import clean_line
from newsreader.core.dates import parse_published
from newsreader.core.urls import normalize_url

ExportFormat = Literal[
    "pocket-html",
    "pocket-csv",
    "instapaper-csv",
    "wallabag-json",
    "omnivore-zip",
    "netscape-bookmarks",
]
UNKNOWN_FILE = (
    "not an export we can read (Pocket, Instapaper, Wallabag, Omnivore, or browser bookmarks)"
)

# Size caps: streamed formats (CSV, HTML) read in chunks, so only absurd files are refused;
# JSON is parsed whole; zip members are read with a bound, whatever their header claims.
MAX_STREAMED_BYTES = 2 * 1024**3
MAX_JSON_BYTES = 256 * 1024**2
MAX_ZIP_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 64 * 1024**2
MAX_ZIP_EXPANDED_BYTES = 256 * 1024**2  # all members read, together
# Text compresses 3-10 times; a member that claims to expand far more is a bomb.
MAX_COMPRESSION_RATIO = 100
MIN_BOMB_BYTES = 1024**2  # small members are read whatever their ratio
MAX_ZIP_MEMBERS = 200_000
SNIFF_BYTES = 64 * 1024
CHUNK_CHARS = 1024 * 1024
MAX_TEXT_CHARS = 4_000  # of a link's title or a folder name (hostile files are unbounded)
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
              NotImplementedError, ValueError)  # fmt: skip
# Browsers' own top folders hold bookmarks by place, not by topic: they are not tags.
ROOT_FOLDERS = {
    "bookmarks", "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
    "mobile bookmarks", "favorites", "favorites bar", "unsorted bookmarks", "imported",
}  # fmt: skip
ROOT_FOLDER_ATTRS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
# What Wallabag stores as content when it could not fetch the page: not an article.
WALLABAG_PLACEHOLDER = re.compile(r"wallabag can(?:'|’|no)t retrieve contents", re.IGNORECASE)


class ExportFileError(Exception):
    """The export file (or the rest of it) cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Highlight:
    """A passage another app highlighted, with the reader's note on it."""

    quote: str
    note: str = ""
    created_at: str | None = None  # ISO 8601
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class ExportEntry:
    """One saved item of an export, as the other app described it."""

    url: str = ""
    title: str = ""
    tags: list[str] = field(default_factory=list)
    saved_at: str | None = None  # ISO 8601
    published: str | None = None  # ISO 8601
    byline: str | None = None
    language: str | None = None
    is_read: bool = False
    is_starred: bool = False
    html: str | None = None  # the app's copy of the article, as HTML
    text: str | None = None  # ... or as Markdown / plain text
    highlights: list[Highlight] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # caveats for the report line
    error: str | None = None  # the entry cannot be imported: why


@dataclass(frozen=True, slots=True)
class Problem:
    """A part of an export that is not an entry and cannot be read (a zip member)."""

    part: str
    reason: str


Reader = Callable[[Path], Iterator["ExportEntry | Problem"]]


# -- small helpers --------------------------------------------------------------------


def short(value: object, limit: int = 60) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def flag(value: object) -> bool:
    """0/1, true/false, "1"/"true" as other apps write booleans."""
    if isinstance(value, str):
        return value.strip().casefold() in ("1", "true", "yes")
    return bool(value) if isinstance(value, (bool, int, float)) else False


def unix_time(value: str, notes: list[str], what: str = "date") -> str | None:
    """Seconds since 1970 (or ms, µs: browsers differ) → ISO 8601; a bad value is noted."""
    raw = value.strip()
    if not raw or raw == "0":
        return None
    try:
        seconds = float(raw)
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(raw)
        while seconds > 1e11:  # milliseconds or microseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        notes.append(f"its {what} {short(raw, 40)} is not a date; left out")
        return None


def iso_time(value: object, notes: list[str], what: str = "date") -> str | None:
    """An ISO (or human) date → ISO 8601; a bad value is noted and left out."""
    if value is None or value == "":
        return None
    parsed = parse_published(value) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"its {what} {short(value, 40)} is not a date; left out")
        return None
    return parsed.isoformat()


def tag_list(values: object) -> list[str]:
    """Tags as strings, from strings or from objects with a label or name."""
    if not isinstance(values, list):
        return []
    tags: list[str] = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("label") or value.get("name") or value.get("slug")
        if isinstance(value, str) and (tag := clean_line(value)[:120]) and tag not in tags:
            tags.append(tag)
    return tags


def split_tags(text: str, separator: str) -> list[str]:
    tags: list[str] = []
    for part in text.split(separator):
        tag = clean_line(part)[:120]
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def web_key(raw: str) -> tuple[str | None, str]:
    """The normalized address (our key for the page), or None and why it is not one."""
    text = raw.strip()
    if not text:
        return None, "no web address"
    key = normalize_url(text)
    if key is None:
        scheme = text.split(":", 1)[0].casefold() if ":" in text[:12] else ""
        if scheme and scheme not in ("http", "https"):
            return None, f"a {scheme}: link, not a web page ({short(text)})"
        return None, f"not a web page address: {short(text)}"
    return key, ""


# -- reading: CSV (Pocket, Instapaper) ----------------------------------------------------


def text_chunks(path: Path) -> Iterator[str]:
    """The file's text in bounded chunks (UTF-8; undecodable bytes become U+FFFD)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_CHARS):
            yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def check_size(path: Path, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:
        raise ExportFileError(
            f"file too large ({size / 2**20:,.0f} MB; the limit is {limit // 2**20:,} MB)"
        )


def csv_rows(path: Path) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, fields or the CSV error) for each non-blank row, header included."""
    check_size(path, MAX_STREAMED_BYTES)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
        reader = csv.reader(stream)
        while True:
            first = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                last = reader.line_num
                where = f"line {last}" if last <= first else f"lines {first}-{last}"
                yield last, f"malformed CSV at {where} (an unclosed quote?): {error}"
                continue
            if any(cell.strip() for cell in row):
                yield reader.line_num, row


def csv_records(path: Path) -> Iterator[tuple[dict[str, str] | None, str]]:
    """Each data row as {lowercased column: value}, or None and why the row is malformed."""
    rows = csv_rows(path)
    header: list[str] | None = None
    for line, row in rows:
        if isinstance(row, str):
            if header is None:
                raise ExportFileError(f"the header cannot be read: {row}")
            yield None, row
        elif header is None:
            header = [c.strip().casefold() for c in row]
        elif len(row) != len(header):
            yield (
                None,
                (
                    f"malformed row at line {line}: {len(row)} fields where the header has "
                    f"{len(header)}"
                ),
            )
        else:
            yield dict(zip(header, row, strict=True)), ""


def clean_title(title: str, url: str) -> str:
    title = clean_line(title[:MAX_TEXT_CHARS])
    return "" if title == url.strip() else title


def csv_entries(
    path: Path, fill: Callable[[dict[str, str], ExportEntry], None]
) -> Iterator[ExportEntry | Problem]:
    """An entry per CSV row (url and title read here, the rest by `fill`), or its error."""
    for record, problem in csv_records(path):
        if record is None:
            yield ExportEntry(error=problem)
            continue
        entry = ExportEntry(url=record.get("url", "").strip())
        entry.title = clean_title(record.get("title", ""), entry.url)
        fill(record, entry)
        yield entry


def load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as error:
        raise ExportFileError(f"{what} is not valid JSON: {error}") from error


# Omnivore's metadata files, which also tell its zip from others.
OMNIVORE_METADATA = re.compile(r"(?:^|/)metadata_[^/]*\.json$", re.IGNORECASE)
