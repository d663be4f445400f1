"""Plain text → paragraphs, for page dumps and corpus bodies alike."""

from __future__ import annotations

import re

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_INDENTED_LINE = re.compile(r"\n(?=[ \t]{2,}\S)")


def split_lines(text: str) -> list[str]:
    """Split a page dump into its lines, joining a line that continues a sentence.

    Page dumps hold one paragraph (or title, label, chrome line) per line; a line that
    starts in lower case continues the line before it (a hard wrap).
    """
    units: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            units.append("")
        elif units and units[-1] and line[0].islower():
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(line)
    return [unit for unit in units if unit]


def split_paragraphs(body: str) -> list[str]:
    """Split a corpus body into paragraphs.

    Blank lines separate paragraphs; inside a chunk, an indented line starts a new
    paragraph (newswire style) and other line breaks are hard wraps to be joined. A text
    with neither blank lines nor indentation has one paragraph per line.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    chunks = _BLANK_LINE.split(body) if _BLANK_LINE.search(body) else None
    if chunks is None:
        if not _INDENTED_LINE.search(body):
            return [line.strip() for line in body.split("\n") if line.strip()]
        chunks = [body]
    paragraphs: list[str] = []
    for chunk in chunks:
        for part in _INDENTED_LINE.split(chunk):
            joined = " ".join(line.strip() for line in part.split("\n") if line.strip())
            if joined:
                paragraphs.append(joined)
    return paragraphs
