"""Ingest: bytes → decoded text → extracted article (see DESIGN.md, "Ingest").

The public API used by everything else: `extract_html` for web pages, `parse_text_dump`
for plain-text page dumps; both return an `ExtractedArticle` or raise `ExtractionError`.
"""

from newsreader.core.blocks import Block, ExtractedArticle, RelatedItem
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.textdump import parse_text_dump

__all__ = [
    "Block",
    "ExtractedArticle",
    "ExtractionError",
    "RelatedItem",
    "extract_html",
    "parse_text_dump",
]
