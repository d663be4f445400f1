"""Bytes → text: the declared charset when it is right, detection when it is not."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsreader.core.ingest.errors import ExtractionError

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""",
    re.IGNORECASE,
)
_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_SINGLE_BYTE_LATIN = {"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"}
SNIFF_BYTES = 8192


def _codec_name(label: str) -> str | None:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta tag or XML prolog), if valid."""
    match = _DECLARED.search(data[:SNIFF_BYTES])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace")
    return _codec_name(label)


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters near the start mean this is not text."""
    head = data[:SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.05


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a truncated or spliced page) stays UTF-8.

    Latin-1 text almost never forms valid multi-byte UTF-8 sequences, so many valid
    sequences and few broken ones mean UTF-8; the broken bytes become U+FFFD.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for c in text if ord(c) > 127) - broken
    return text if valid > 0 and valid >= 4 * broken else None


def _plausible_western(data: bytes) -> bool:
    """Is this Windows-1252 text (the usual mis-declared charset on the web)?

    Western text decodes cleanly and has few accented letters among its letters; text in
    another single-byte charset (Cyrillic cp1251, say) read this way is mostly accents.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if ord(c) > 127)
    return bool(letters) and accented / len(letters) < 0.3


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode a page or text file; raise ExtractionError for binary data.

    `charset` is what the server declared (HTTP Content-Type); it outranks the page's own
    declaration, as in browsers. Order: a byte-order mark; the declared charset if the
    bytes really are in it (a page
    declaring Latin-1 that is valid UTF-8 is taken as UTF-8); strict UTF-8; detection;
    finally cp1252, which never fails.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if looks_binary(data):
        raise ExtractionError("binary data, not a text or HTML file")
    declared = (_codec_name(charset) if charset else None) or declared_charset(data)
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if declared and declared not in _SINGLE_BYTE_LATIN and declared != "utf-8":
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    if as_utf8 is not None:
        return as_utf8
    if (mostly_utf8 := _mostly_utf8(data)) is not None:
        return mostly_utf8
    if declared in _SINGLE_BYTE_LATIN:
        return data.decode("cp1252" if declared != "iso8859-15" else declared, errors="replace")
    if _plausible_western(data):
        return data.decode("cp1252")
    best = from_bytes(data[: 1 << 20]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace")
