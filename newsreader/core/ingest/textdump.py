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
_PARAGRAPH_END = re.compile(r"[.!?…][\"'”’)]?$")
MAX_LABEL_WORDS = 4
MAX_LABEL_CHARS = 40
MAX_HEADLINE_CHARS = 200
MAX_TRAILER_LINES = 40


def _looks_like_section_label(line: str, next_line: str) -> bool:
    """A short, unpunctuated line above a headline is a section label.

    The line after a label is a headline (no full stop, longer than the label); the line
    after a headline is a paragraph (ends like a sentence), so a short headline followed
    by its first paragraph is not mistaken for a label.
    """
    words = line.split()
    if not words or len(words) > MAX_LABEL_WORDS or len(line) > MAX_LABEL_CHARS:
        return False
    if _SENTENCE_END.search(line) or _DATE.match(line) or _BYLINE.match(line):
        return False
    if _PARAGRAPH_END.search(next_line) or len(next_line) > MAX_HEADLINE_CHARS:
        return False
    return line.isupper() or len(next_line.split()) > len(words) + 2


def _related_trailer_start(lines: list[str]) -> int:
    """Where the related-articles trailer begins, or len(lines) when there is none.

    A "Related Articles" heading counts only when what follows it looks like a list of
    titles; a "Read more" line in the middle of an article does not end the article.
    """
    for index in range(len(lines) - 1, -1, -1):
        if not is_related_heading(lines[index]):
            continue
        after = [rest for rest in lines[index + 1 :] if not is_chrome_line(rest)]
        sentences = sum(1 for t in after if _PARAGRAPH_END.search(t))
        if (
            len(after) <= MAX_TRAILER_LINES
            and all(len(t) <= MAX_HEADLINE_CHARS for t in after)
            and sentences <= len(after) // 2
        ):
            return index
        break  # text that reads like an article follows: this is no trailer
    return len(lines)


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
    related_at = _related_trailer_start(lines)
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
