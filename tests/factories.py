"""Test data builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsreader.core.blocks import ExtractedArticle, RelatedItem, paragraphs_to_blocks

SEED_FILE = (
    Path(__file__).resolve().parents[1] / "resources" / "sample" / "us-iraq-coalition-talks.txt"
)

# A 1x1 transparent PNG.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
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
