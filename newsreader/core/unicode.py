"""Making outside text storable and indexable: lone surrogates replaced, NULs dropped.

Python strings may hold lone surrogates (bytes decoded with surrogateescape, JSON's
"\\ud800", a fuzzer); UTF-8 cannot encode them, so SQLite refuses them and the search
index fails on the whole batch that holds one. Every service scrubs the text it is given
at its boundary; the indexer scrubs again, for archives that stored such text before.
PostgreSQL's text cannot hold U+0000 at all, so it goes too (on either store, so both keep
the same text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from newsreader.core.blocks import ExtractedArticle


def scrub(text: str) -> str:
    """`text` as valid Unicode every store keeps: surrogate pairs joined, lone surrogates
    made U+FFFD, NUL characters dropped."""
    if "\x00" in text:
        text = text.replace("\x00", "")
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
    """The article with every piece of its text scrubbed (itself when all was valid, so
    a valid article — nearly every one — costs a check, no copy)."""
    fixed: dict[str, Any] = {
        name: _each(getattr(article, name), scrub) for name in ("tags", "notes")
    }
    fixed["blocks"] = _each(article.blocks, lambda b: _scrubbed(b, ("text", "src", "alt")))
    fixed["related"] = _each(article.related, lambda r: _scrubbed(r, ("title", "url")))
    changed = {name: value for name, value in fixed.items() if value is not getattr(article, name)}
    return _scrubbed(replace(article, **changed) if changed else article, ARTICLE_STRINGS)


T = TypeVar("T")


def _scrubbed(item: T, names: Iterable[str]) -> T:
    """A dataclass with the named strings scrubbed; itself when all were valid."""
    changed = {
        name: scrub(value) for name in names
        if isinstance(value := getattr(item, name), str) and scrub(value) is not value
    }  # fmt: skip
    return replace(item, **changed) if changed else item  # type: ignore[type-var]


def _each(items: list[T], fix: Callable[[T], T]) -> list[T]:
    """`items` with `fix` applied; the same list when it changed none of them."""
    fixed = [fix(item) for item in items]
    return fixed if any(new is not old for new, old in zip(fixed, items, strict=True)) else items
