"""JSON Lines corpora: one article per line (`id, title, body, section, date, url, source`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from newsreader.core.blocks import (
    MAX_TEXT_CHARS,
    ExtractedArticle,
    clean_line,
    decode_entities,
    paragraphs_to_blocks,
)
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.plaintext import split_paragraphs
from newsreader.core.sections import section_display_name


def _text_field(record: dict[str, Any], *names: str) -> str:
    """The first non-empty text field, its HTML character references decoded (corpora
    such as BBC News keep "&#163;" for "£"; a decoded control character, such as
    Reuters' trailing "&#3;", is dropped with the other controls). No corpus's own
    sign-off is removed: a rule for one corpus would cut words from another's."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return decode_entities(value)
    return ""


def record_to_article(record: Any) -> ExtractedArticle:
    """One JSON object → an article; raise ExtractionError with the reason if unusable."""
    if not isinstance(record, dict):
        raise ExtractionError(f"expected a JSON object, got {type(record).__name__}")
    body = _text_field(record, "body", "text", "content")
    if len(body) > MAX_TEXT_CHARS:
        raise ExtractionError(f"the body is too long for an article ({len(body):,} characters)")
    blocks = paragraphs_to_blocks(split_paragraphs(body))
    if not blocks:
        raise ExtractionError("no body text")
    title = clean_line(_text_field(record, "title", "headline")) or blocks[0].text[:80]
    section = _text_field(record, "section", "category")
    url = _text_field(record, "url", "link")
    byline = clean_line(_text_field(record, "author", "byline")) or None
    identifier = record.get("id")
    return ExtractedArticle(
        title=title,
        blocks=blocks,
        section=section_display_name(section) if section else None,
        byline=byline,
        published=_text_field(record, "date", "published") or None,
        url=url.strip() or None,
        source=clean_line(_text_field(record, "source")) or None,
        format="jsonl",
        external_id=str(identifier) if identifier not in (None, "") else None,
    )


def read_jsonl(lines: Iterable[bytes]) -> Iterator[tuple[int, ExtractedArticle | ExtractionError]]:
    """Each line as (line number, article or the error that line gives).

    Never raises for a bad line; errors reading `lines` itself (a damaged file) propagate.
    """
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as error:
            yield number, ExtractionError(f"invalid JSON: {error}")
            continue
        except RecursionError:
            yield number, ExtractionError("invalid JSON: nested too deeply to read")
            continue
        try:
            yield number, record_to_article(record)
        except ExtractionError as error:
            yield number, error
