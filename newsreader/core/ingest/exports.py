"""Other apps' exports: Pocket, Instapaper, Wallabag, Omnivore and browser bookmarks.

A reader moving to Newsreader brings years of saved links, tags, read and starred state,
and sometimes the articles and highlights themselves. Each format has a reader that yields
`ExportEntry` values (streaming where the format allows, so a 30,000-link export costs
little memory); one loop turns them into report lines. An entry with the article's
content becomes an article (`entry_article`), an entry with only a link a link to queue.
Pure: bytes in, entries out. Saving, queueing and the report are the import service's
(newsreader.core.importing.exports).
"""

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
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.blocks import Block, BlockKind, ExtractedArticle, clean_line, make_block
from newsreader.core.dates import parse_published
from newsreader.core.ingest.decode import looks_binary
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.plaintext import split_paragraphs
from newsreader.core.urls import normalize_url

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
MAX_FALLBACK_HTML_CHARS = 2_000_000
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
              NotImplementedError, ValueError)  # fmt: skip
# Browsers' own top folders hold bookmarks by place, not by topic: they are not tags.
ROOT_FOLDERS = {
    "bookmarks", "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
    "mobile bookmarks", "favorites", "favorites bar", "unsorted bookmarks", "imported",
}  # fmt: skip
ROOT_FOLDER_ATTRS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
# What Wallabag stores as content when it could not fetch the page: not an article.
_WALLABAG_PLACEHOLDER = re.compile(r"wallabag can(?:'|’|no)t retrieve contents", re.IGNORECASE)


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


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _flag(value: object) -> bool:
    """0/1, true/false, "1"/"true" as other apps write booleans."""
    if isinstance(value, str):
        return value.strip().casefold() in ("1", "true", "yes")
    return bool(value) if isinstance(value, (bool, int, float)) else False


def _unix_time(value: str, notes: list[str], what: str = "date") -> str | None:
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
        notes.append(f"its {what} {_short(raw, 40)} is not a date; left out")
        return None


def _iso_time(value: object, notes: list[str], what: str = "date") -> str | None:
    """An ISO (or human) date → ISO 8601; a bad value is noted and left out."""
    if value is None or value == "":
        return None
    parsed = parse_published(value) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"its {what} {_short(value, 40)} is not a date; left out")
        return None
    return parsed.isoformat()


def _tag_list(values: object) -> list[str]:
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


def _split_tags(text: str, separator: str) -> list[str]:
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
            return None, f"a {scheme}: link, not a web page ({_short(text)})"
        return None, f"not a web page address: {_short(text)}"
    return key, ""


# -- detecting ------------------------------------------------------------------------

_POCKET_TITLE = re.compile(r"<title>\s*pocket export\s*</title>", re.IGNORECASE)
_WALLABAG_KEYS = re.compile(r'"(is_archived|is_starred|reading_time|domain_name)"\s*:')
_OMNIVORE_METADATA = re.compile(r"(?:^|/)metadata_[^/]*\.json$", re.IGNORECASE)
_POCKET_COLUMNS = {"title", "url", "time_added"}
_INSTAPAPER_COLUMNS = {"url", "title", "folder", "timestamp"}


def _header(text: str) -> set[str]:
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
        return "omnivore-zip" if any(_OMNIVORE_METADATA.search(n) for n in names) else None
    if not head.strip():
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lowered = text[:4096].casefold()
    if lowered.startswith("<!doctype netscape-bookmark-file"):
        return "netscape-bookmarks"
    if _POCKET_TITLE.search(text[:4096]):
        return "pocket-html"
    if text.startswith("[") and '"url"' in text and _WALLABAG_KEYS.search(text):
        return "wallabag-json"
    if text.startswith("<"):
        return None
    columns = _header(text)
    if columns >= _POCKET_COLUMNS:
        return "pocket-csv"
    if columns >= _INSTAPAPER_COLUMNS:
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


# -- reading: CSV (Pocket, Instapaper) ----------------------------------------------------


def _text_chunks(path: Path) -> Iterator[str]:
    """The file's text in bounded chunks (UTF-8; undecodable bytes become U+FFFD)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_CHARS):
            yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _check_size(path: Path, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:
        raise ExportFileError(
            f"file too large ({size / 2**20:,.0f} MB; the limit is {limit // 2**20:,} MB)"
        )


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, fields or the CSV error) for each non-blank row, header included."""
    _check_size(path, MAX_STREAMED_BYTES)
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


def _csv_records(path: Path) -> Iterator[tuple[dict[str, str] | None, str]]:
    """Each data row as {lowercased column: value}, or None and why the row is malformed."""
    rows = _csv_rows(path)
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


def _clean_title(title: str, url: str) -> str:
    title = clean_line(title[:MAX_TEXT_CHARS])
    return "" if title == url.strip() else title


def _csv_entries(
    path: Path, fill: Callable[[dict[str, str], ExportEntry], None]
) -> Iterator[ExportEntry | Problem]:
    """An entry per CSV row (url and title read here, the rest by `fill`), or its error."""
    for record, problem in _csv_records(path):
        if record is None:
            yield ExportEntry(error=problem)
            continue
        entry = ExportEntry(url=record.get("url", "").strip())
        entry.title = _clean_title(record.get("title", ""), entry.url)
        fill(record, entry)
        yield entry


def _pocket_csv(path: Path) -> Iterator[ExportEntry | Problem]:
    """Pocket's CSV: `title,url,time_added,tags,status` (tags split by |)."""
    return _csv_entries(path, _pocket_fields)


def _pocket_fields(record: dict[str, str], entry: ExportEntry) -> None:
    entry.tags = _split_tags(record.get("tags", ""), "|")
    entry.saved_at = _unix_time(record.get("time_added", ""), entry.notes, "saving date")
    status = record.get("status", "").strip().casefold()
    entry.is_read = status == "archive"
    if status not in ("", "unread", "archive"):
        entry.notes.append(f"unknown status {_short(status, 30)}; taken as unread")
    entry.is_starred = _flag(record.get("favorite", ""))


def _instapaper_csv(path: Path) -> Iterator[ExportEntry | Problem]:
    """Instapaper's CSV: `URL,Title,Selection,Folder,Timestamp[,Tags]`.

    The folder says the state (Unread, Archive = read, Starred); any other folder is the
    reader's own filing, so it becomes a tag.
    """
    return _csv_entries(path, _instapaper_fields)


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
            entry.tags.extend(t for t in _tag_list(parsed) if t not in entry.tags)
        else:
            entry.notes.append(f"its tags {_short(raw_tags, 40)} are not a list; left out")
    entry.saved_at = _unix_time(record.get("timestamp", ""), entry.notes, "saving date")


# -- reading: link lists in HTML (Pocket, browser bookmarks) -----------------------------


class _LinkListParser(HTMLParser):
    """Links of a Pocket HTML export or a Netscape bookmark file, fed in chunks.

    Pocket files put links under an <h1> that says their state ("Unread", "Read
    Archive"); bookmark files nest <DL> lists under <H3> folder names.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict[str, str], str, str, list[str]]] = []
        self.heading = ""  # the last <h1>: Pocket's state
        self._folders: list[str | None] = []
        self._next_folder: str | None = None
        self._heading_tag: str | None = None
        self._heading_attrs: dict[str, str] = {}
        self._heading_text: list[str] = []
        self._link: dict[str, str] | None = None
        self._link_text: list[str] = []
        self._link_chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._finish_link()
            self._link = {k: v or "" for k, v in attrs}
            self._link_text, self._link_chars = [], 0
        elif tag in ("h1", "h2", "h3"):
            self._finish_link()
            self._heading_tag, self._heading_text = tag, []
            self._heading_attrs = {k: v or "" for k, v in attrs}
        elif tag == "dl":
            self._finish_link()
            self._folders.append(self._next_folder)
            self._next_folder = None
        elif tag in ("li", "dt", "ul", "dd"):
            self._finish_link()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish_link()
        elif tag == self._heading_tag:
            text = clean_line("".join(self._heading_text))[:120]
            if tag == "h1":
                self.heading = text
            elif tag == "h3":
                root = any(a in self._heading_attrs for a in ROOT_FOLDER_ATTRS)
                is_root = root or text.casefold() in ROOT_FOLDERS
                self._next_folder = None if is_root else text or None
            self._heading_tag = None
        elif tag == "dl" and self._folders:
            self._finish_link()
            self._folders.pop()
        elif tag in ("ul", "li"):
            self._finish_link()

    def handle_data(self, data: str) -> None:
        if self._link is not None and self._link_chars < MAX_TEXT_CHARS:
            self._link_text.append(data)
            self._link_chars += len(data)
        elif self._heading_tag is not None and len(self._heading_text) < 100:
            self._heading_text.append(data)

    def _finish_link(self) -> None:
        if self._link is None:
            return
        folders = [f for f in self._folders if f]
        self.found.append((self._link, "".join(self._link_text), self.heading, folders))
        self._link = None

    def close(self) -> None:
        super().close()
        self._finish_link()


MAX_UNPARSED_CHARS = 1 << 20  # markup held while waiting for a tag or comment to close


def _html_links(path: Path) -> Iterator[tuple[dict[str, str], str, str, list[str]]]:
    """(attributes, text, Pocket heading, folders) of each link, streaming the file."""
    _check_size(path, MAX_STREAMED_BYTES)
    parser = _LinkListParser()
    for chunk in _text_chunks(path):
        parser.feed(chunk)
        yield from parser.found
        parser.found.clear()
        if len(parser.rawdata) > MAX_UNPARSED_CHARS:  # re-scanned at every chunk: quadratic
            raise ExportFileError("the markup is broken here (a tag or comment never closes)")
    parser.close()
    yield from parser.found


def _pocket_html(path: Path) -> Iterator[ExportEntry | Problem]:
    """Pocket's HTML: links under "Unread" and "Read Archive" headings."""
    for attrs, text, heading, _folders in _html_links(path):
        entry = ExportEntry(url=attrs.get("href", "").strip())
        entry.title = _clean_title(text, entry.url)
        entry.tags = _split_tags(attrs.get("tags", ""), ",")
        entry.saved_at = _unix_time(attrs.get("time_added", ""), entry.notes, "saving date")
        entry.is_read = heading.casefold() in ("read archive", "archive", "read")
        yield entry


def _netscape_bookmarks(path: Path) -> Iterator[ExportEntry | Problem]:
    """Browser bookmarks: the folders around a bookmark and its TAGS become tags."""
    for attrs, text, _heading, folders in _html_links(path):
        entry = ExportEntry(url=attrs.get("href", "").strip())
        entry.title = _clean_title(text, entry.url)
        entry.tags = _split_tags(",".join([*folders, attrs.get("tags", "")]), ",")
        entry.saved_at = _unix_time(attrs.get("add_date", ""), entry.notes, "saving date")
        yield entry


# -- reading: Wallabag (JSON) -----------------------------------------------------------


def _load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as error:
        raise ExportFileError(f"{what} is not valid JSON: {error}") from error


def _wallabag_json(path: Path) -> Iterator[ExportEntry | Problem]:
    """Wallabag's JSON: entries with their content (HTML), state, tags and annotations."""
    _check_size(path, MAX_JSON_BYTES)
    entries = _load_json(path.read_bytes(), "the export")
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
    entry.title = _clean_title(str(record.get("title") or ""), entry.url)
    entry.is_read = _flag(record.get("is_archived"))
    entry.is_starred = _flag(record.get("is_starred"))
    entry.tags = _tag_list(record.get("tags"))
    entry.saved_at = _iso_time(record.get("created_at"), entry.notes, "saving date")
    entry.published = _iso_time(record.get("published_at"), entry.notes, "publication date")
    authors = record.get("published_by")
    if isinstance(authors, list):
        entry.byline = clean_line(", ".join(a for a in authors if isinstance(a, str))) or None
    language = record.get("language")
    entry.language = (clean_line(language)[:20] or None) if isinstance(language, str) else None
    content = record.get("content")
    if isinstance(content, str) and content.strip() and not _WALLABAG_PLACEHOLDER.search(content):
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
                created_at=_iso_time(note.get("created_at"), [], "annotation date"),
            )
        )
    return entry


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


def _omnivore_zip(path: Path) -> Iterator[ExportEntry | Problem]:
    """Omnivore's zip: metadata_*.json arrays, content/<slug>.html, highlights/<slug>.md."""
    _check_size(path, MAX_ZIP_BYTES)
    try:
        bundle = zipfile.ZipFile(path)
    except ZIP_ERRORS as error:
        raise ExportFileError(f"not a readable zip file: {error}") from error
    with bundle:
        infos = [i for i in bundle.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ExportFileError(f"too many files in the zip ({len(infos):,})")
        metadata = sorted(
            (i for i in infos if _OMNIVORE_METADATA.search(i.filename)),
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
                records = _load_json(reader.read(info), info.filename)
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
    entry.title = _clean_title(str(record.get("title") or ""), entry.url)
    author = record.get("author")
    entry.byline = (clean_line(author)[:300] or None) if isinstance(author, str) else None
    entry.tags = _tag_list(record.get("labels"))
    entry.is_read = str(record.get("state") or "").casefold() == "archived"
    entry.saved_at = _iso_time(record.get("savedAt"), entry.notes, "saving date")
    entry.published = _iso_time(record.get("publishedAt"), entry.notes, "publication date")
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


# -- turning entries into articles ------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "li", "ul", "ol", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "figure", "figcaption", "br",
    "dd", "dt", "aside", "main",
}  # fmt: skip


def _html_text_blocks(html: str) -> list[Block]:
    """Paragraphs of an HTML fragment's text: the fallback when extraction finds none."""
    try:
        root = lxml_html.fromstring(html[:MAX_FALLBACK_HTML_CHARS])
    except (etree.ParserError, ValueError):
        return []
    for junk in list(root.iter("script", "style", "noscript", "template")):
        junk.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.casefold() in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    text = etree.tostring(root, method="text", encoding="unicode")
    blocks = [make_block("paragraph", p) for p in split_paragraphs(text)]
    return [b for b in blocks if b is not None]


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|~~|`)(.+?)\1")
_MD_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_MD_LIST = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_MD_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_MARKS.sub(r"\2", text)
    return _MD_STAR.sub(r"\1", text)


def _markdown_blocks(markdown: str) -> list[Block]:
    """Blocks of a Markdown article: headings, paragraphs, quotes, list items, code."""
    blocks: list[Block | None] = []
    kind: BlockKind = "paragraph"
    lines: list[str] = []
    fenced = False

    def flush() -> None:
        if lines:
            blocks.append(make_block(kind, _md_inline(" ".join(lines))))
            lines.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            flush()
            fenced = not fenced
        elif fenced:
            blocks.append(make_block("preformatted", raw))
        elif not line or _MD_RULE.match(line):
            flush()
        elif heading := _MD_HEADING.match(line):
            flush()
            blocks.append(make_block("heading", _md_inline(heading.group(2)),
                                     level=len(heading.group(1))))  # fmt: skip
        elif item := _MD_LIST.match(line):
            flush()
            blocks.append(make_block("list_item", _md_inline(item.group(1)), level=1))
        elif line.startswith(">"):
            if kind != "quote":
                flush()
            kind = "quote"
            lines.append(line.lstrip("> "))
        else:
            if kind != "paragraph":
                flush()
            kind = "paragraph"
            lines.append(line)
    flush()
    return [b for b in blocks if b is not None]


_DOCUMENT = re.compile(r"<(?:html|body)\b", re.IGNORECASE)


def _as_document(html: str, title: str) -> str:
    """A fragment (Wallabag keeps only the article) wrapped as a page with its title, so
    the extractor takes the title as the title and the fragment as the body."""
    if _DOCUMENT.search(html[:4096]):
        return html
    heading = escape(title)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{heading}</title></head>"
        f"<body><article><h1>{heading}</h1>\n{html}\n</article></body></html>"
    )


def entry_article(entry: ExportEntry, url: str | None) -> ExtractedArticle:
    """The article the export kept; ExtractionError when it holds no text."""
    notes: list[str] = []
    if entry.html is not None:
        try:
            article = extract_html(_as_document(entry.html, entry.title), url)
        except Exception as error:  # an extractor bug costs this entry its structure only
            blocks = _html_text_blocks(entry.html)
            if not blocks:
                raise ExtractionError(
                    f"the export's copy holds no article text ({error})"
                ) from None
            article = ExtractedArticle(title="", blocks=blocks, format="text")
            notes.append(f"kept as plain text: the export's copy could not be extracted ({error})")
    else:
        blocks = _markdown_blocks(entry.text or "")
        if not blocks:
            raise ExtractionError("the export's copy holds no article text")
        article = ExtractedArticle(title="", blocks=blocks, format="text")
    article.title = entry.title or article.title
    if url is not None:
        article.url = url
    elif entry.url:
        article.url = None  # a javascript: or data: address never reaches the archive
        notes.append(f"its address was dropped ({web_key(entry.url)[1]})")
    article.tags = list(entry.tags)
    article.saved_at = entry.saved_at
    article.is_read, article.is_starred = entry.is_read, entry.is_starred
    article.published = entry.published or article.published
    article.byline = entry.byline or article.byline
    article.language = entry.language or article.language
    article.notes = [*article.notes, *entry.notes, *notes]
    return article


# -- highlights -----------------------------------------------------------------------------


def find_loosely(text: str, quote: str) -> tuple[int, int] | None:
    """Where the quote's characters stand in the text, whatever the whitespace between.

    Other apps join a quote across paragraphs with a space, a newline or nothing; our text
    joins paragraphs with a newline. The words must all be there, in order, unchanged.
    """
    needle = "".join(quote.split())
    if len(needle) < 4:
        return None
    positions = [i for i, char in enumerate(text) if not char.isspace()]
    at = "".join(text[i] for i in positions).find(needle)
    if at < 0:
        return None
    return positions[at], positions[at + len(needle) - 1] + 1


# -- the import service (newsreader.core.importing) reads through these --


def estimate_entries(path: Path, fmt: ExportFormat) -> int:
    """About how many entries a streamed file holds, for the progress bar (one quick pass)."""
    try:
        if fmt in ("pocket-csv", "instapaper-csv"):
            return max(0, sum(1 for _ in _csv_rows(path)) - 1)
        if fmt in ("pocket-html", "netscape-bookmarks"):
            return sum(chunk.casefold().count("<a ") for chunk in _text_chunks(path))
    except (OSError, ExportFileError):
        pass
    return 0


READERS: dict[ExportFormat, Reader] = {
    "pocket-html": _pocket_html,
    "pocket-csv": _pocket_csv,
    "instapaper-csv": _instapaper_csv,
    "wallabag-json": _wallabag_json,
    "omnivore-zip": _omnivore_zip,
    "netscape-bookmarks": _netscape_bookmarks,
}
