"""Turning an export's entry into an article, and finding its highlights' quotes."""

from __future__ import annotations

import re
from html import escape

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.blocks import Block, BlockKind, ExtractedArticle, make_block
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.exports.common import (
    MAX_FALLBACK_HTML_CHARS,
    ExportEntry,
    web_key,
)
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.plaintext import split_paragraphs

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
