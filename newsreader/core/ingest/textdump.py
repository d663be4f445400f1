"""Plain-text dumps of saved news pages (the seed format).

A dump reads: an optional section label line, the headline, optional byline/date lines,
paragraphs, then a "Related Articles" trailer whose lines are related titles, with page
chrome ("Back to top button", share lines) anywhere.
"""

from __future__ import annotations

import re

from newsreader.core.blocks import ExtractedArticle, RelatedItem, clean_line, paragraphs_to_blocks
from newsreader.core.ingest.chrome import is_chrome_line, is_related_heading
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.plaintext import split_lines
from newsreader.core.sections import section_display_name
from newsreader.core.urls import normalize_url

_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(?P<name>[^.!?]{2,80})$", re.IGNORECASE)
_DATE = re.compile(
    r"^(?:(?:published|updated|posted)(?: on)?:?\s*)?"
    r"(?P<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4})$",
    re.IGNORECASE,
)
_URL_IN_LINE = re.compile(r"(?P<url>https?://\S+)")
_SENTENCE_END = re.compile(r"[.!?:;,]$")
MAX_LABEL_WORDS = 4
MAX_LABEL_CHARS = 40


def _looks_like_section_label(line: str, next_line: str) -> bool:
    """A short, unpunctuated line above a longer headline is a section label."""
    words = line.split()
    if not words or len(words) > MAX_LABEL_WORDS or len(line) > MAX_LABEL_CHARS:
        return False
    if _SENTENCE_END.search(line) or _DATE.match(line) or _BYLINE.match(line):
        return False
    return line.isupper() or len(next_line.split()) > len(words) + 2


def _related_item(line: str) -> RelatedItem | None:
    match = _URL_IN_LINE.search(line)
    url = normalize_url(match.group("url").rstrip(").,;")) if match else None
    title = clean_line(_URL_IN_LINE.sub("", line)).strip(" -–—|:")
    if not title and url is None:
        return None
    return RelatedItem(title=title or (url or ""), url=url)


def parse_text_dump(text: str) -> ExtractedArticle:
    """Parse a plain-text page dump into an article; raise ExtractionError if it has none."""
    if "\x00" in text:
        raise ExtractionError("binary data, not a text dump")
    lines = [line for line in map(clean_line, split_lines(text)) if line]
    related_at = next((i for i, line in enumerate(lines) if is_related_heading(line)), len(lines))
    head = [line for line in lines[:related_at] if not is_chrome_line(line)]
    trailer = [line for line in lines[related_at + 1 :] if not is_chrome_line(line)]
    if not head:
        raise ExtractionError("no article text found in the text dump")

    section = None
    if len(head) >= 2 and _looks_like_section_label(head[0], head[1]):
        section = section_display_name(head.pop(0))
    title = head.pop(0)
    byline = published = None
    while head and len(head[0]) <= 100:
        if byline is None and (m := _BYLINE.match(head[0])):
            byline = m.group("name").strip()
        elif published is None and (m := _DATE.match(head[0])):
            published = m.group("date")
        else:
            break
        head.pop(0)
    if not head:
        raise ExtractionError("the text dump has a title but no article text")

    related = [item for item in map(_related_item, trailer) if item is not None]
    return ExtractedArticle(
        title=title,
        blocks=paragraphs_to_blocks(head),
        section=section,
        byline=byline,
        published=published,
        related=related,
        format="text",
    )
