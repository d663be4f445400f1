"""HTTP fetching with the limits a hostile web needs: time, size, redirects, content type.

One `Fetcher` is shared by everything that fetches (saving a URL, refreshing feeds, the
fetch queue). It refuses quickly, with a clear reason, instead of hanging or filling
memory: a total deadline per response (a server dripping one byte a second cannot hold
us), a byte cap counted after decompression (a gzip bomb stops at the cap), a redirect
limit, and a content-type check. It is polite: requests to one host are spaced out, and
it asks for nothing when the app works offline.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from newsreader import __version__
from newsreader.core.media import image_type
from newsreader.core.urls import web_address_problem

Kind = Literal["page", "feed", "image", "any"]
USER_AGENT = f"Newsreader/{__version__} (+https://github.com/newsreader; offline archive)"
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/feed+json", "application/json", "application/x-rss+xml",
)  # fmt: skip
MAX_BYTES: dict[Kind, int] = {
    "page": 10 * 1024 * 1024,
    "feed": 10 * 1024 * 1024,
    "image": 5 * 1024 * 1024,
    "any": 10 * 1024 * 1024,
}
TIMEOUT_S = 15.0  # connecting, and each wait for bytes
DEADLINE_S = 45.0  # a whole response, however slowly it trickles
MAX_REDIRECTS = 5
HOST_SPACING_S = 0.25  # between two requests to one host


class FetchError(Exception):
    """A fetch that did not give us what we asked for; the message says why, for people."""


class OfflineError(FetchError):
    def __init__(self) -> None:
        super().__init__("working offline: nothing is fetched until you go back online")


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    media_type: str  # lower case, without parameters; "" when the server gave none
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _media_type(content_type: str) -> tuple[str, str | None]:
    kind, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return kind.strip().lower(), charset


def _sniffed_kind(body: bytes) -> Kind | None:
    """What an untyped (or generically typed) body looks like from its first bytes."""
    head = body[:1024].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head:
        return "page"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if head.startswith(b"<?xml"):
        return "feed" if b"<rss" in body[:4096] or b"<feed" in body[:4096] else None
    return None


def _looks_like_feed(body: bytes) -> bool:
    head = body[:4096].lstrip().lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")) and (
        b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head
    )


def _check_type(kind: Kind, media_type: str, body: bytes, url: str) -> None:
    if kind == "any":
        return
    if kind == "image":
        if media_type.startswith("image/") or image_type(body):  # S3 serves octet-stream
            return
        raise FetchError(f"{url} is {media_type or 'untyped'}, not an image")
    allowed = PAGE_TYPES if kind == "page" else FEED_TYPES
    if media_type in allowed:
        return
    if kind == "feed" and _looks_like_feed(body):  # feeds served as text/html, and worse
        return
    if media_type in ("", "text/plain", "application/octet-stream", "text/xml"):
        sniffed = _sniffed_kind(body)
        if sniffed == kind or (kind == "feed" and sniffed == "page" and b"<rss" in body[:4096]):
            return
    wanted = "a web page" if kind == "page" else "a feed"
    raise FetchError(f"{url} serves {media_type or 'an untyped body'}, not {wanted}")


def _shut(sock: socket.socket) -> None:
    """Wake a read blocked on this socket (closing alone may not, from another thread)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Decoder:
    """Content-Encoding undone by us, chunk by chunk, never past the byte cap: httpx would
    inflate each chunk whole first, so a small body encoded twice could fill memory."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"{url} is compressed {len(codings)} times over; refused")
        coding = codings[0] if codings else ""
        if coding not in ("", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"{url} is compressed as {coding!r}, which we did not ask for")
        self.identity = coding == ""
        self.limit = limit
        self.url = url
        self._raw_deflate = False
        self._inflater: Any = None
        if coding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._inflater = zlib.decompressobj()
        self._started = False

    def decode(self, data: bytes) -> bytes:
        if self._inflater is None:
            return data
        try:
            out = self._inflater.decompress(data, self.limit + 1)
        except zlib.error:
            if self._raw_deflate or self._started:
                raise FetchError(f"{self.url} sent a body that could not be decompressed") from None
            self._raw_deflate = True  # "deflate" sent without its zlib header, as some do
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, self.limit + 1)
        self._started = True
        if self._inflater.unconsumed_tail:  # more output waiting than the cap allows
            raise FetchError(f"{self.url} is larger than the {self.limit // (1 << 20)} MB allowed")
        return bytes(out)

    def flush(self) -> bytes:
        return bytes(self._inflater.flush()) if self._inflater is not None else b""


class Fetcher:
    """Thread-safe HTTP GETs with limits; `is_offline` is asked before every request."""

    def __init__(
        self,
        *,
        is_offline: Callable[[], bool] = lambda: False,
        timeout: float = TIMEOUT_S,
        deadline: float = DEADLINE_S,
        host_spacing: float = HOST_SPACING_S,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self.is_offline = is_offline
        self.deadline = deadline
        self.host_spacing = host_spacing
        import httpx  # here, not at the top: the app starts without it

        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            # A connection of its own for every request, so the deadline's watchdog can
            # shut exactly that request's socket (politeness spaces requests out anyway).
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=0),
            trust_env=False,  # no proxy or netrc surprises: we fetch what was asked, directly
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}  # host -> earliest time of its next request
        self._aborts: set[Callable[[], None]] = set()  # how to stop each request in flight
        self._aborted = False

    def close(self) -> None:
        self._client.close()

    def abort(self) -> None:
        """Stop every request in flight and refuse new ones (the app is closing)."""
        with self._lock:
            self._aborted = True
            aborts = list(self._aborts)
        for stop in aborts:
            stop()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _wait_for_host(self, host: str) -> None:
        """Space requests to one host; different hosts go ahead in parallel."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + self.host_spacing
        if slot > now:
            time.sleep(slot - now)

    def get(
        self,
        url: str,
        kind: Kind = "page",
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET `url` expecting `kind`; a 304 comes back as a Response with no body."""
        if self._aborted:
            raise FetchError("fetching was stopped")
        if problem := web_address_problem(url):
            raise FetchError(problem)
        if self.is_offline():
            raise OfflineError()
        parts = urlsplit(url.strip())
        assert parts.hostname is not None
        limit = max_bytes or MAX_BYTES[kind]
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._wait_for_host(parts.hostname)
        import httpx

        try:
            return self._get(url.strip(), kind, headers, limit)
        except httpx.TooManyRedirects:
            raise FetchError(f"{url} redirects too many times (a loop?)") from None
        except httpx.TimeoutException:
            raise FetchError(f"{url} did not answer in time") from None
        except httpx.DecodingError:
            raise FetchError(f"{url} sent a body that could not be decompressed") from None
        except httpx.HTTPError as error:
            raise FetchError(f"{url} could not be fetched: {error}") from None

    def _get(self, url: str, kind: Kind, headers: dict[str, str], limit: int) -> Response:
        """One GET under a watchdog: past the deadline its sockets are shut, whatever the
        server is doing (dripping headers included), and the read in progress fails."""
        sockets: list[socket.socket] = []
        expired = threading.Event()

        def trace(event: str, info: dict[str, Any]) -> None:
            if event == "connection.connect_tcp.complete":
                stream = info.get("return_value")
                sock = stream.get_extra_info("socket") if stream is not None else None
                if isinstance(sock, socket.socket):
                    sockets.append(sock)
                    if expired.is_set():
                        _shut(sock)

        def expire() -> None:
            expired.set()
            for sock in sockets:
                _shut(sock)

        watchdog = threading.Timer(self.deadline, expire)
        watchdog.daemon = True
        watchdog.start()
        with self._lock:
            self._aborts.add(expire)
        late = FetchError(f"{url} took longer than {self.deadline:g} s to arrive")
        if self._aborted:
            late = FetchError("fetching was stopped")
        try:
            response = self._exchange(url, kind, headers, limit, trace)
        except Exception:
            if expired.is_set():
                raise (FetchError("fetching was stopped") if self._aborted else late) from None
            raise
        finally:
            watchdog.cancel()
            with self._lock:
                self._aborts.discard(expire)
        if expired.is_set():  # a shut socket can look like the end of a body
            raise FetchError("fetching was stopped") if self._aborted else late
        return response

    def _exchange(
        self, url: str, kind: Kind, headers: dict[str, str], limit: int,
        trace: Callable[[str, dict[str, Any]], None],
    ) -> Response:  # fmt: skip
        extensions = {"trace": trace}
        with self._client.stream("GET", url, headers=headers, extensions=extensions) as reply:
            final = str(reply.url)
            if reply.status_code == 304:
                return Response(final, 304, "", None, b"", reply.headers.get("etag"),
                                reply.headers.get("last-modified"))  # fmt: skip
            if reply.status_code >= 400:
                phrase = reply.reason_phrase or "error"
                raise FetchError(f"{final} answered {reply.status_code} {phrase}")
            declared = reply.headers.get("content-length", "")
            too_big = f"{final} is larger than the {limit // (1 << 20)} MB allowed"
            decoder = _Decoder(reply.headers.get("content-encoding", ""), limit, final)
            if declared.isdigit() and int(declared) > limit and decoder.identity:
                raise FetchError(too_big)
            chunks: list[bytes] = []
            size = 0
            for raw in reply.iter_raw():
                chunk = decoder.decode(raw)
                size += len(chunk)
                if size > limit:
                    raise FetchError(too_big)
                chunks.append(chunk)
            chunks.append(decoder.flush())
            body = b"".join(chunks)
            if len(body) > limit:
                raise FetchError(too_big)
            media_type, charset = _media_type(reply.headers.get("content-type", ""))
            _check_type(kind, media_type, body, final)
            return Response(
                final, reply.status_code, media_type, charset, body,
                reply.headers.get("etag"), reply.headers.get("last-modified"),
            )  # fmt: skip
