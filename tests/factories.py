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
    """An extracted article as ingest would produce it, for tests of what comes after
    (``original``: the page's bytes, kept as ingest keeps them)."""
    original = fields.pop("original", None)
    article = ExtractedArticle(
        title=title,
        blocks=paragraphs_to_blocks(list(paragraphs)),
        related=[RelatedItem(title=t, url=u) for t, u in (related or [])],
        **fields,
    )
    if original is not None:
        article.keep_original(original)
    return article


def make_png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG of the given size (large enough not to look like a tracking pixel)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width * 3))
                    for y in range(height))  # fmt: skip
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


NEWS_PARAGRAPH = (
    "The council voted on Tuesday to approve the new budget after a long debate that ran "
    "late into the evening, with members from both sides raising concerns about spending."
)


def news_page(title: str, body: str = NEWS_PARAGRAPH, extra: str = "", head: str = "") -> str:
    """A news page as a site serves it: an article with a headline and a few paragraphs."""
    paragraphs = "".join(f"<p>{body} ({n})</p>" for n in range(4))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}{extra}"
        "</article><footer>Copyright</footer></body></html>"
    )
