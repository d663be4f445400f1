"""Ingest: bytes → decoded text → extracted article (see DESIGN.md, "Ingest").

The public API used by everything else: `extract_html` for web pages, `parse_text_dump`
for plain-text page dumps; both return an `ExtractedArticle` or raise `ExtractionError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsreader.core.blocks import Block, ExtractedArticle, RelatedItem
from newsreader.core.ingest.errors import ExtractionError

if TYPE_CHECKING:
    from newsreader.core.ingest.html import extract_html
    from newsreader.core.ingest.textdump import parse_text_dump

# Loaded on first use: importing any module of this package (the import report, the
# decoder) must not load the HTML extractors (trafilatura and friends, ~0.2 s), which the
# window and most commands never call at start.
_LAZY = {"extract_html": "html", "parse_text_dump": "textdump"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Block",
    "ExtractedArticle",
    "ExtractionError",
    "RelatedItem",
    "extract_html",
    "parse_text_dump",
]
