"""URL normalization: one key per article URL, for dedupe and for resolving related links.

Two URLs that a reader would call "the same article" (http vs https, ``www.`` or not, a
tracking parameter, a fragment, a trailing slash, query parameters in another order) get
the same normalized form. courlan does the heavy lifting (case, default ports, percent
encoding, its list of tracking parameters, sorted query); we add what it leaves open.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Trackers courlan's list does not catch (it already drops utm_*, fbclid, gclid, mc_*...).
_EXTRA_TRACKERS = {
    "_hsenc",
    "_hsmi",
    "__twitter_impression",
    "cmpid",
    "icid",
    "igshid",
    "ncid",
    "ocid",
    "smid",
    "sr_share",
    "wt.mc_id",
}
_TAB_NEWLINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # browsers drop these from URLs
_HOST = re.compile(r"[\w.-]+", re.UNICODE)  # a hostname after IDNA decoding, no port


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The normalized absolute form of ``url`` (resolved against ``base``), or None.

    None means "not a web page address": javascript:, mailto:, data:, a relative URL
    without a base, or anything unparseable.
    """
    if not isinstance(url, str):
        return None
    url = _TAB_NEWLINE_CONTROL.sub("", url.strip()).replace(" ", "%20")
    if not url or len(url) > 4096:
        return None
    try:
        if base:
            url = urljoin(base, url)
        if url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        from courlan.clean import normalize_url  # courlan loads in ~40 ms: when first needed

        parts = urlsplit(normalize_url(url, strict=False, trailing_slash=False))
        host = _host_without_www(parts.hostname or "")
        if not host or not _HOST.fullmatch(host):
            return None
        port = parts.port
    except ValueError:  # bad IPv6 literal, bad port, ...
        return None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path or "/"
    if "/." in path:  # dot segments left in an absolute URL: /a/../b -> /b
        path = posixpath.normpath(path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _EXTRA_TRACKERS
    ]
    query = urlencode(sorted(params))
    return urlunsplit(("https", netloc, path, query, ""))


def host_of(url: str | None) -> str | None:
    """The lowercase host of ``url`` without a leading ``www.``, or None if it has none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return _host_without_www(host) or None


def _host_without_www(host: str) -> str:
    from courlan.clean import decode_punycode  # see normalize_url

    host = decode_punycode(host.lower().rstrip("."))
    return host[4:] if host.startswith("www.") else host


MAX_WEB_ADDRESS_CHARS = 8_192  # what servers and browsers commonly accept
SHOWN_ADDRESS_CHARS = 200


def is_web_address(value: str) -> bool:
    """Whether `value` names a page on the web (http or https, in any letter case)."""
    return value.strip().lower().startswith(("http://", "https://"))


def web_address_problem(url: str) -> str | None:
    """Why `url` cannot be fetched, said for a person; None when it can be."""
    if len(url) > MAX_WEB_ADDRESS_CHARS:
        limit = MAX_WEB_ADDRESS_CHARS
        return f"not a web address: too long ({len(url):,} characters; at most {limit:,})"
    if _TAB_NEWLINE_CONTROL.search(url.strip()) or " " in url.strip():
        return "not a web address: it holds a space, a line break or another control character"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        return f"not a web address ({error})"
    if parts.scheme not in ("http", "https"):
        return f"not a web address: {shown_address(url)!r} (only http and https are fetched)"
    if not parts.hostname:
        return f"not a web address: {shown_address(url)!r} names no site"
    return None


def shown_address(url: str) -> str:
    """`url` as a report line shows it: control characters visible, very long ones cut."""
    shown = _TAB_NEWLINE_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), url)
    if len(shown) > SHOWN_ADDRESS_CHARS:
        return shown[: SHOWN_ADDRESS_CHARS - 1] + f"… ({len(url):,} characters)"
    return shown
