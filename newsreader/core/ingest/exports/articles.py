"""Turning an export's entry into an article, and finding its highlights' quotes."""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt

from newsreader.core.blocks import ExtractedArticle
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.exports.common import (
    ExportEntry,
    web_key,
)
from newsreader.core.ingest.html import extract_html, text_blocks

# -- turning entries into articles ------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": False})
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
    # A Markdown copy becomes HTML (markdown-it, CommonMark), so every copy goes through
    # the one HTML path.
    html = entry.html if entry.html is not None else _MARKDOWN.render(entry.text or "")
    try:
        article = extract_html(_as_document(html, entry.title), url)
    except Exception as error:  # no article found, or an extractor bug: keep the text
        blocks = text_blocks(html)
        if not blocks:
            raise ExtractionError(f"the export's copy holds no article text ({error})") from None
        article = ExtractedArticle(title="", blocks=blocks, format="text")
        notes.append(f"kept as plain text: the export's copy could not be extracted ({error})")
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
