"""Test data builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsreader.core.blocks import ExtractedArticle, RelatedItem, paragraphs_to_blocks

SEED_FILE = (
    Path(__file__).resolve().parents[1] / "resources" / "sample" / "us-iraq-coalition-talks.txt"
)


def make_article(
    title: str = "A title",
    paragraphs: tuple[str, ...] = ("First paragraph.", "Second paragraph."),
    related: list[tuple[str, str | None]] | None = None,
    **fields: Any,
) -> ExtractedArticle:
    """An extracted article as ingest would produce it, for tests of what comes after."""
    return ExtractedArticle(
        title=title,
        blocks=paragraphs_to_blocks(list(paragraphs)),
        related=[RelatedItem(title=t, url=u) for t, u in (related or [])],
        **fields,
    )
