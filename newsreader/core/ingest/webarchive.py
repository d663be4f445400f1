"""Web archives → articles, read entirely offline: WARC (plain or gzipped) and MHTML.

A web archive already holds the page *and* its pictures as they were fetched, so nothing
here goes to the network: each archived HTML page goes through `extract_html` with its
original URL, and its images come from the same archive, for the Saver to store as assets.

WARC files can be large, so they are read in two passes: the first indexes record offsets
(pages, images, redirects, revisits) without keeping any body, the second reads one page at
a time and seeks to the images it references, wherever they sit in the file.
"""

from __future__ import annotations

import codecs
import mimetypes
import re
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

from warcio.archiveiterator import WARCIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.reading import read_file_bytes

Extracted = ExtractedArticle | ExtractionError

WARC_SUFFIXES = (".warc", ".warc.gz")
MHTML_SUFFIXES = (".mhtml", ".mht")
HTML_TYPES = {"text/html", "application/xhtml+xml"}
MB = 2**20
MAX_PAGE_BYTES = 20 * MB
MAX_IMAGE_BYTES = 20 * MB
MAX_PAGE_IMAGE_BYTES = 64 * MB  # all images of one page together
MAX_PAGE_IMAGES = 100
MAX_PAGES = 100_000  # pages taken from one WARC file
MAX_INDEXED = 1_000_000  # images, redirects and revisits remembered while indexing a WARC
MAX_MHTML_BYTES = 256 * MB
MAX_MHTML_PARTS = 10_000
MAX_REDIRECT_HOPS = 5
MAX_LINE_BYTES = 64 * 1024  # a WARC or HTTP header line
# All records of one file, decompressed: real archives expand a few times, a bomb
# thousands of times; a small file may still expand to the floor.
MAX_EXPANSION = 50
MIN_EXPANDED_BYTES = 1024 * MB
MAX_SCAN_SECONDS = 60  # indexing one file
_READ_ERRORS = (OSError, EOFError, zlib.error, ArchiveLoadFailed, ValueError)
# Charsets decode_bytes second-guesses on purpose (mislabelled UTF-8 and Latin-1 are
# common); any other charset a server declares is believed when the bytes fit it.
_SECOND_GUESSED = {"utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"}
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_SAFE = "/!$&'()*+,;=:@~-._%"
_MHTML_HEADER = re.compile(rb"(?im)^content-type:\s*multipart/related")
_CID = re.compile(r"""cid:([^"'\s<>()]+)""", re.IGNORECASE)


# -- detection --------------------------------------------------------------------------


def _head(path: Path, size: int) -> bytes:
    """The first bytes of a file, gunzipped when it is gzip; empty if unreadable.

    For gzip, up to 64 kB of compressed input are read: a deflate block's code tables
    come before its first byte of output and can take more than `size` bytes."""
    try:
        with path.open("rb") as stream:
            head = stream.read(max(size, 64 * 1024))
        if head.startswith(b"\x1f\x8b"):
            return zlib.decompressobj(wbits=31).decompress(head, size)
        return head[:size]
    except (OSError, zlib.error):
        return b""


def is_warc(path: Path) -> bool:
    """A WARC file by its name (.warc, .warc.gz) or by its first bytes ("WARC/1.x")."""
    if path.name.lower().endswith(WARC_SUFFIXES):
        return True
    return _head(path, 4096).startswith(b"WARC/")


def is_mhtml(path: Path) -> bool:
    """An MHTML page (.mhtml, .mht) or a file whose MIME headers say multipart/related."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(MHTML_SUFFIXES):
        return True
    head = _head(path, 8192)
    headers = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    return bool(re.match(rb"[A-Za-z-]+:", headers) and _MHTML_HEADER.search(headers))


# -- shared helpers ---------------------------------------------------------------------


def _content_type(value: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header value."""
    message = Message()
    message["Content-Type"] = value or "application/octet-stream"
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _decode_html(body: bytes, charset: str | None) -> str:
    """decode_bytes, but a charset the server or archive declared comes first.

    decode_bytes only sees what the page declares inside itself; an HTTP or MIME header
    is as good a declaration, believed when the bytes are valid in it (except for the
    UTF-8/Latin-1 labels decode_bytes rightly second-guesses).
    """
    try:
        codec = codecs.lookup(charset).name if charset else None
    except LookupError:
        codec = None
    if codec and codec not in _SECOND_GUESSED and not body.startswith(_BOMS):
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if "\x00" not in text:
                return text
    return decode_bytes(body)


def _url_key(url: str) -> str:
    """A URL in a form that matches however it was escaped or cased: the same image is
    `https://Ex.com:443/a b.png` in a page and `https://ex.com/a%20b.png` in the archive."""
    url = url.strip().strip("<>")
    try:
        parts = urlsplit(urldefrag(url)[0])
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = (parts.hostname or "") + (
        f":{port}" if port and _DEFAULT_PORTS.get(scheme) != port else ""
    )
    path = quote(unquote(parts.path), safe=_URL_SAFE) or ("/" if netloc else "")
    query = quote(unquote(parts.query), safe=_URL_SAFE + "?")
    prefix = f"{scheme}://{netloc}" if scheme or netloc else ""  # relative stays relative
    return prefix + path + (f"?{query}" if query else "")


def _other_scheme(key: str) -> str | None:
    """The same URL over the other of http/https (pages often mix them)."""
    for a, b in (("https://", "http://"), ("http://", "https://")):
        if key.startswith(a):
            return b + key[len(a) :]
    return None


def _is_image(media_type: str, url: str) -> bool:
    if media_type.startswith("image/"):
        return True
    if media_type in ("", "application/octet-stream", "binary/octet-stream"):
        guessed = mimetypes.guess_type(urlsplit(url).path)[0] or ""
        return guessed.startswith("image/")
    return False


def _extract(html: str, url: str | None) -> ExtractedArticle:
    """extract_html, with an empty page refused before it costs anything."""
    if not html.strip():
        raise ExtractionError("empty page")
    return extract_html(html, url=url)


def _safely(error: Exception) -> ExtractionError:
    """Any failure while extracting one page, as that page's report reason."""
    if isinstance(error, ExtractionError):
        return error
    if isinstance(error, RecursionError):
        return ExtractionError("the page is nested too deeply to parse")
    return ExtractionError(f"extraction failed: {type(error).__name__}: {error}")


def _pick_images(
    blocks: list[Block], fetch: Callable[[str], bytes | None], notes: list[str]
) -> dict[str, bytes]:
    """src → bytes for the article's image blocks that `fetch(src)` finds, within bounds."""
    images: dict[str, bytes] = {}
    total = 0
    too_large = 0
    for block in blocks:
        if block.kind != "image" or not block.src or block.src in images:
            continue
        if len(images) >= MAX_PAGE_IMAGES:
            notes.append(f"only the first {MAX_PAGE_IMAGES} images were kept")
            break
        data = fetch(block.src)
        if data is None:
            continue
        if len(data) > MAX_IMAGE_BYTES or total + len(data) > MAX_PAGE_IMAGE_BYTES:
            too_large += 1
            continue
        images[block.src] = data
        total += len(data)
    if too_large:
        notes.append(f"{too_large} image(s) too large to keep were left out")
    return images


# -- WARC: the index (first pass) -------------------------------------------------------


@dataclass(slots=True)
class _Page:
    offset: int
    uri: str
    content_type: str  # as declared, e.g. "text/html; charset=utf-8"
    size: int  # declared size of the record's content


@dataclass(slots=True)
class _WarcIndex:
    """Where things are in one WARC file: offsets and URLs only, never bodies."""

    pages: list[_Page] = field(default_factory=list)
    images: dict[str, int] = field(default_factory=dict)  # url key -> record offset
    digests: dict[str, int] = field(default_factory=dict)  # payload digest -> image offset
    revisits: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> digest, uri
    redirects: dict[str, str] = field(default_factory=dict)  # url key -> absolute target
    records: int = 0
    pages_left_out: int = 0
    damage: tuple[int, str] | None = None  # (byte offset, what is wrong)

    def indexed(self) -> int:
        return len(self.images) + len(self.revisits) + len(self.redirects)


class _SingleGzipStream(Exception):
    """The WARC is gzipped as one stream instead of one gzip member per record."""


def _target_uri(record: Any) -> str:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    return str(uri).strip().strip("<>")


def _index_record(record: Any, index: _WarcIndex) -> Callable[[int], object] | None:
    """What to remember about one record, decided from its headers alone: a callable
    taking the record's offset (known once the body is passed), or None to pass it by."""
    uri = _target_uri(record)
    headers = record.rec_headers
    if record.rec_type == "revisit":
        digest = str(headers.get_header("WARC-Payload-Digest") or "")
        refers = str(headers.get_header("WARC-Refers-To-Target-URI") or "").strip("<>")
        if uri and (digest or refers) and index.indexed() < MAX_INDEXED:
            return lambda _: index.revisits.setdefault(_url_key(uri), (digest, refers))
        return None
    if record.rec_type == "response":
        http = record.http_headers
        if http is None:  # dns:, whois: and other non-HTTP captures
            return None
        status = str(http.get_statuscode() or "")
        content_type = str(http.get_header("Content-Type") or "")
        if status.startswith("3"):
            location = http.get_header("Location")
            if uri and location and index.indexed() < MAX_INDEXED:
                target = urljoin(uri, str(location).strip())
                return lambda _: index.redirects.setdefault(_url_key(uri), target)
            return None
        if status != "200":
            return None
        size = record.payload_length if record.payload_length >= 0 else record.length or 0
    elif record.rec_type == "resource":
        content_type = str(record.content_type or "")
        size = record.length or 0
    else:  # request, metadata, warcinfo, conversion, continuation
        return None
    media_type, _ = _content_type(content_type)
    if media_type in HTML_TYPES:
        if len(index.pages) >= MAX_PAGES:
            index.pages_left_out += 1
            return None
        return lambda offset: index.pages.append(_Page(offset, uri, content_type, size))
    if uri and _is_image(media_type, uri) and size <= MAX_IMAGE_BYTES:
        if index.indexed() >= MAX_INDEXED:
            return None
        digest = str(headers.get_header("WARC-Payload-Digest") or "")

        def remember(offset: int) -> None:
            index.images.setdefault(_url_key(uri), offset)
            if digest:
                index.digests.setdefault(digest, offset)

        return remember
    return None


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader, bounded: header lines (its readline gathers a line of any
    length: a 50 MB "header line" took minutes and gigabytes), the bytes decompressed
    from the file, and the time spent reading it."""

    max_expanded: float = float("inf")
    deadline: float = float("inf")

    def _process_read(self, data: bytes) -> None:
        super()._process_read(data)
        if self.num_read > self.max_expanded:
            raise _Unreadable(f"its records expand to more than {self.max_expanded // MB:,.0f} MB")
        if time.monotonic() > self.deadline:
            raise _Unreadable(f"reading it took more than {MAX_SCAN_SECONDS} s")

    def readline(self, length: int | None = None) -> bytes:
        if length is None or length < 0 or length > MAX_LINE_BYTES:
            length = MAX_LINE_BYTES + 1
        line: bytes = super().readline(length)
        if len(line) > MAX_LINE_BYTES:
            raise _Unreadable(f"a header line longer than {MAX_LINE_BYTES // 1024} kB")
        return line


class _Unreadable(ValueError):
    """Reading the records must stop here, for the reason given."""


def _printable(text: str, limit: int = 120) -> str:
    """Text from a damaged file made fit for a report line (no NULs, no controls)."""
    return "".join(c for c in text if c.isprintable())[:limit]


def _records(stream: IO[bytes]) -> WARCIterator:
    """warcio's record iterator over `stream`, with bounded header lines."""
    records = WARCIterator(stream)
    records.reader.__class__ = _BoundedReader  # same state, bounded readline
    return records


def _scan(stream: IO[bytes]) -> _WarcIndex:
    """First pass: index every record; note where (and why) reading had to stop.

    Bounded: header lines, the bytes all records expand to, and the time spent."""
    index = _WarcIndex()
    size = stream.seek(0, 2)
    stream.seek(0)
    records = _records(stream)
    records.reader.max_expanded = max(MIN_EXPANDED_BYTES, MAX_EXPANSION * size)
    records.reader.deadline = time.monotonic() + MAX_SCAN_SECONDS
    end = 0
    try:
        for record in records:
            if record.length is not None and record.length < 0:
                raise _Unreadable("a record declares a negative length")
            remember = _index_record(record, index)
            offset = records.get_record_offset()  # reads past the body, keeping nothing
            if getattr(record.raw_stream, "limit", 0) > 0:
                index.damage = (offset, "the last record is cut short")
                return index
            index.records += 1
            end = offset + records.get_record_length()
            if remember is not None:
                remember(offset)
    except ArchiveLoadFailed as error:
        if "non-chunked gzip" in str(error):
            raise _SingleGzipStream from error
        line = _printable(str(error).partition("first line:")[2].strip(), 60)
        reason = f"no WARC record where one should start: {line}" if line else str(error).strip()
        index.damage = (end, _printable(reason))
        return index
    except _Unreadable as error:
        index.damage = (end, str(error))
        return index
    except Exception as error:  # unparseable headers, a broken gzip member, a short read
        index.damage = (end, _printable(f"{type(error).__name__}: {error}"))
        return index
    # Bytes after the last complete record are a record cut short (or garbage).
    stream.seek(end)
    rest = stream.read(64)
    if rest.strip(b"\r\n\t \x00"):
        index.damage = (end, "unreadable bytes after the last complete record")
    return index


def _unpack(path: Path, into: IO[bytes]) -> str | None:
    """Gunzip a one-stream WARC.gz into a temporary file, keeping every byte that can be
    decompressed (a damaged stream still gives the records before the damage); returns
    what is wrong with the stream, if anything."""
    copied = 0
    decompressor = zlib.decompressobj(wbits=31)
    started = False  # the current gzip member has had input
    limit = max(MIN_EXPANDED_BYTES, MAX_EXPANSION * path.stat().st_size)
    try:
        with path.open("rb") as source:
            while chunk := source.read(MB):
                while chunk:
                    started = True
                    out = decompressor.decompress(chunk, MB)
                    copied += len(out)
                    if copied > limit:
                        return f"its records expand to more than {limit // MB:,} MB"
                    into.write(out)
                    if decompressor.eof:  # another gzip member may follow
                        chunk = decompressor.unused_data
                        decompressor = zlib.decompressobj(wbits=31)
                        started = False
                    else:
                        chunk = decompressor.unconsumed_tail
    except (OSError, zlib.error) as error:
        return f"the gzip stream is damaged: {error}"
    finally:
        into.flush()
    return "the gzip stream is cut short" if started else None


# -- WARC: pages and their images (second pass) -----------------------------------------


def _read_body(stream: IO[bytes], offset: int, limit: int) -> bytes:
    """The payload of the record at `offset` (HTTP body, de-chunked and decompressed),
    read up to limit + 1 bytes so an oversized body shows."""
    stream.seek(offset)
    records = _records(stream)
    try:
        record = next(records)
        return bytes(record.content_stream().read(limit + 1))
    finally:
        records.close()


class _WarcImages:
    """Finds an image URL among the archive's records: directly, through redirects, or
    through a revisit pointing at an earlier capture of the same bytes."""

    def __init__(self, stream: IO[bytes], index: _WarcIndex) -> None:
        self.stream = stream
        self.index = index

    def offset_of(self, url: str) -> int | None:
        for _ in range(MAX_REDIRECT_HOPS + 1):
            key = _url_key(url)
            for candidate in (key, _other_scheme(key)):
                if candidate is None:
                    continue
                if candidate in self.index.images:
                    return self.index.images[candidate]
                if candidate in self.index.revisits:
                    digest, refers = self.index.revisits[candidate]
                    found = self.index.digests.get(digest)
                    if found is None and refers:
                        found = self.index.images.get(_url_key(refers))
                    if found is not None:
                        return found
            target = self.index.redirects.get(key)
            if target is None:
                return None
            url = target
        return None

    def fetch(self, url: str) -> bytes | None:
        offset = self.offset_of(url)
        if offset is None:
            return None
        try:
            return _read_body(self.stream, offset, MAX_IMAGE_BYTES) or None
        except _READ_ERRORS:
            return None


def _warc_page(stream: IO[bytes], page: _Page, images: _WarcImages) -> Extracted:
    """One archived page → an article with its archived images, or the reason it is not."""
    try:
        if page.size > MAX_PAGE_BYTES:
            raise ExtractionError(
                f"page too large ({page.size / MB:.0f} MB; the limit is {MAX_PAGE_BYTES // MB} MB)"
            )
        body = _read_body(stream, page.offset, MAX_PAGE_BYTES)
        if len(body) > MAX_PAGE_BYTES:
            raise ExtractionError(
                f"page too large once decompressed (over {MAX_PAGE_BYTES // MB} MB)"
            )
        _, charset = _content_type(page.content_type)
        article = _extract(_decode_html(body, charset), page.uri or None)
        article.images = _pick_images(article.blocks, images.fetch, article.notes)
        article.keep_original(body, page.content_type or "text/html")
        return article
    except Exception as error:  # one bad page must cost one line, not the archive
        return _safely(error)


def _warc_items(
    path: Path, stream: IO[bytes], index: _WarcIndex, cancelled: Callable[[], bool]
) -> Iterator[tuple[str, Extracted]]:
    if index.records == 0:
        if index.damage is None:
            reason = "empty file: no WARC records"
        elif _head(path, 64).startswith(b"WARC/"):
            reason = f"damaged WARC: its first record cannot be read ({index.damage[1]})"
        else:
            reason = "not a WARC web archive: it does not start with a WARC record"
        yield str(path), ExtractionError(reason)
        return
    images = _WarcImages(stream, index)
    for page in index.pages:
        item = f"{path}#{page.uri}" if page.uri else f"{path}#offset={page.offset}"
        if cancelled():
            yield item, ExtractionError("cancelled")
            continue
        yield item, _warc_page(stream, page, images)
    if index.pages_left_out:
        yield (
            f"{path}#more",
            ExtractionError(
                f"{index.pages_left_out} more pages left out: one archive gives at most "
                f"{MAX_PAGES:,} pages"
            ),
        )
    if index.damage is not None:
        offset, reason = index.damage
        yield (
            f"{path}#offset={offset}",
            ExtractionError(
                f"the archive is damaged at byte {offset}; the rest cannot be read ({reason})"
            ),
        )
    elif not index.pages:
        yield (
            str(path),
            ExtractionError(f"no archived HTML pages among its {index.records} records"),
        )


def _open_indexed(path: Path, stack: ExitStack) -> tuple[IO[bytes], _WarcIndex]:
    """The file opened for reading records, and its index; OSError if unreadable."""
    stream: IO[bytes] = stack.enter_context(path.open("rb"))
    try:
        return stream, _scan(stream)
    except _SingleGzipStream:
        pass
    # One gzip stream cannot be seeked into record by record: unpack it to a temp file
    # (closed, and so deleted, by the caller's ExitStack).
    stream = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
    damage = _unpack(path, stream)
    stream.seek(0)
    index = _scan(stream)
    if damage:  # unpacking stopped first: that is why the records end where they do
        index.damage = (index.damage[0] if index.damage else stream.seek(0, 2), damage)
    return stream, index


def _item_count(index: _WarcIndex) -> int:
    if index.records == 0:
        return 1
    return (
        len(index.pages)
        + bool(index.pages_left_out)
        + (index.damage is not None or not index.pages)
    )


def read_warc(
    path: Path, should_cancel: Callable[[], bool] | None = None
) -> Iterator[tuple[str, Extracted]]:
    """(report item, article or error) for every HTML page archived in a WARC file.

    Item names are "<path>#<page URL>". Requests, revisits, redirects, metadata and
    non-HTML captures are passed by; a damaged file yields the pages before the damage
    and one failed item for the rest; a file that is no WARC yields one failed item.
    Never raises for bad input. Once `should_cancel` says so, pages are named but no
    longer read or extracted (their lines come back as "cancelled").
    """
    with ExitStack() as stack:
        try:
            stream, index = _open_indexed(path, stack)
        except OSError as error:
            yield str(path), ExtractionError(f"cannot read the file: {error}")
            return
        yield from _warc_items(path, stream, index, should_cancel or (lambda: False))


def count_warc_items(path: Path) -> int:
    """How many items read_warc will yield, for a progress total: one indexing pass over
    the file, no page read or extracted."""
    with ExitStack() as stack:
        try:
            return _item_count(_open_indexed(path, stack)[1])
        except OSError:
            return 1


# -- MHTML ------------------------------------------------------------------------------


def _payload(part: Message) -> bytes:
    """A part's body with its transfer encoding (quoted-printable, base64) undone."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _stand_in_url(content_id: str, media_type: str) -> str:
    """An http URL standing for a `cid:` image, so extract_html keeps the image block
    (it drops non-http sources); `.invalid` can never be fetched."""
    extension = mimetypes.guess_extension(media_type) or ""
    return f"https://cid.invalid/{quote(content_id, safe='')}{extension}"


def _mhtml_parts(message: Message) -> list[Message]:
    parts: list[Message] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if len(parts) >= MAX_MHTML_PARTS:
            break
        parts.append(part)
    return parts


def _mhtml_article(data: bytes) -> ExtractedArticle:
    if not data.strip():
        raise ExtractionError("empty file")
    message = BytesParser(policy=compat32).parsebytes(data)
    maintype = message.get_content_maintype()
    if maintype == "multipart" and not message.is_multipart():
        raise ExtractionError(
            "damaged MHTML archive: its MIME parts cannot be found (missing or wrong boundary)"
        )
    if not message.is_multipart() and message.get_content_type() not in HTML_TYPES:
        raise ExtractionError("not an MHTML archive: no multipart/related MIME message")
    parts = _mhtml_parts(message)
    page = next((p for p in parts if p.get_content_type() in HTML_TYPES), None)
    if page is None:
        raise ExtractionError("the MHTML archive holds no HTML page")
    body = _payload(page)
    if len(body) > MAX_PAGE_BYTES:
        raise ExtractionError(f"page too large (over {MAX_PAGE_BYTES // MB} MB)")
    url = None
    for candidate in (page.get("Content-Location"), message.get("Snapshot-Content-Location")):
        if candidate and urlsplit(str(candidate).strip()).scheme in ("http", "https"):
            url = str(candidate).strip()
            break

    # Images by every name a page may use for them: their location, absolute and as
    # written, and `cid:` references (rewritten to stand-in URLs before extraction).
    by_key: dict[str, Message] = {}
    cids: dict[str, str] = {}
    for part in parts:
        if part is page:
            continue
        location = str(part.get("Content-Location") or "").strip()
        if not _is_image(part.get_content_type(), location):
            continue
        if location:
            by_key.setdefault(location, part)
            by_key.setdefault(_url_key(urljoin(url or "", location)), part)
        content_id = str(part.get("Content-ID") or "").strip().strip("<>")
        if content_id:
            absolute = urljoin(url or "", location) if location else ""
            if urlsplit(absolute).scheme not in ("http", "https"):
                absolute = _stand_in_url(content_id, part.get_content_type())
            cids[content_id.lower()] = absolute
            by_key.setdefault(_url_key(absolute), part)

    html = _decode_html(body, page.get_content_charset())
    if cids:
        html = _CID.sub(lambda m: cids.get(unquote(m.group(1)).lower(), m.group(0)), html)
    article = _extract(html, url)

    def fetch(src: str) -> bytes | None:
        key = _url_key(src)
        for candidate in (src, key, _other_scheme(key)):
            if candidate is not None and candidate in by_key:
                return _payload(by_key[candidate]) or None
        return None

    article.images = _pick_images(article.blocks, fetch, article.notes)
    if any(
        type(defect).__name__ == "CloseBoundaryNotFoundDefect"
        for part in message.walk()
        for defect in part.defects
    ):
        article.notes.append("the MHTML file is cut short; some images may be missing")
    charset = page.get_content_charset()
    article.keep_original(
        body, page.get_content_type() + (f"; charset={charset}" if charset else "")
    )
    return article


def read_mhtml(path: Path) -> Extracted:
    """An MHTML single-page archive (a browser's "save as single file") → its article with
    the images saved inside it; never raises, so it can serve as an import extractor."""
    try:
        return _mhtml_article(read_file_bytes(path, MAX_MHTML_BYTES))
    except Exception as error:  # a bad file must cost its own line only
        return _safely(error)
