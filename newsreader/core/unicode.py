"""Making outside text storable and indexable: lone surrogates replaced.

Python strings may hold lone surrogates (bytes decoded with surrogateescape, JSON's
"\\ud800", a fuzzer); UTF-8 cannot encode them, so SQLite refuses them and the search
index fails on the whole batch that holds one. Every service scrubs the text it is given
at its boundary; the indexer scrubs again, for archives that stored such text before.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsreader.core.blocks import ExtractedArticle


def scrub(text: str) -> str:
    """`text` as valid Unicode: surrogate pairs joined, lone surrogates made U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def scrub_optional(text: str | None) -> str | None:
    return None if text is None else scrub(text)


ARTICLE_STRINGS = ("title", "section", "byline", "published", "url", "source", "language",
                   "external_id", "saved_at", "source_key")  # fmt: skip


def scrub_article(article: ExtractedArticle) -> ExtractedArticle:
    """The article with every piece of its text scrubbed (itself when all was valid)."""
    fixed: dict[str, Any] = {}
    for name in ARTICLE_STRINGS:
        value = getattr(article, name)
        if value is not None and scrub(value) is not value:
            fixed[name] = scrub(value)
    blocks = [replace(b, text=scrub(b.text), src=scrub(b.src), alt=scrub(b.alt))
              for b in article.blocks]  # fmt: skip
    if blocks != article.blocks:
        fixed["blocks"] = blocks
    related = [replace(r, title=scrub(r.title), url=scrub_optional(r.url))
               for r in article.related]  # fmt: skip
    if related != article.related:
        fixed["related"] = related
    for name in ("tags", "notes"):
        values = [scrub(v) for v in getattr(article, name)]
        if values != getattr(article, name):
            fixed[name] = values
    return replace(article, **fixed) if fixed else article
