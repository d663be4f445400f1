"""Structured article bodies and the canonical text built from them.

The canonical text invariant: ``Article.text == canonical_text(blocks)``, and the
reader view builds one document block per body block, so the rendered document's
plain text equals ``Article.text`` character for character. An image block
contributes exactly one U+FFFC (OBJECT REPLACEMENT CHARACTER), which is what a
QTextDocument holds for an inline image.
"""

from __future__ import annotations

import gzip
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list_item", "quote", "image", "preformatted"]
BLOCK_KINDS: tuple[str, ...] = (
    "heading",
    "paragraph",
    "list_item",
    "quote",
    "image",
    "preformatted",
)
IMAGE_CHAR = "\ufffc"
# Longer than any article (a long-read is ~200,000 characters): a dump of something else,
# which would take the reader and the index seconds per view.
MAX_TEXT_CHARS = 10_000_000

# Characters a QTextDocument would turn into something else in toPlainText(), or that
# break a block in two; canonical text never contains them.
_SPACE_LIKE = re.compile(r"[\u00a0\u2007\u202f\t\u000b\u000c\r\n\u2028\u2029\u0085]")
# Controls, byte-order marks, object/replacement characters, lone surrogates and the
# noncharacters (U+FDD0-FDEF and the last two code points of every plane).
_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_CONTROL = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f\ufeff\ufffc\ufffd\ud800-\udfff\ufdd0-\ufdef"
    + re.escape(_NONCHARACTERS)
    + "]"
)
_RUNS_OF_SPACE = re.compile(r" {2,}")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # the ASCII part of _CONTROL


_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def decode_entities(text: str) -> str:
    """Text with HTML character references ("&#163;", "&eacute;", "&amp;") decoded, as a
    reader expects; only complete references (ending in ";") are touched, so "AT&T"
    or "R&D" stay as written. For text that came through markup or a corpus that kept
    it escaped (a title in a meta tag, a JSON Lines body)."""
    if "&" not in text:
        return text
    return _CHARACTER_REFERENCE.sub(lambda m: html.unescape(m.group(0)), text)


def clean_line(text: str) -> str:
    """Normalize a block's text to one canonical line (NFC, single spaces, no controls)."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        # Most lines (four in five on news pages): already NFC, and their only space-like
        # characters are ASCII white space, so splitting on white space does it all.
        return " ".join(text.split())
    return _clean_any_line(text)


def _clean_any_line(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _SPACE_LIKE.sub(" ", text)
    return _RUNS_OF_SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body: a heading, paragraph, list item, quote or image."""

    kind: BlockKind
    text: str = ""
    level: int = 0  # heading level (1-6); list nesting depth
    src: str = ""  # image: "asset:<sha256>" when stored in the archive, else the original URL
    alt: str = ""

    @property
    def display_text(self) -> str:
        """The block's contribution to the canonical text."""
        return IMAGE_CHAR if self.kind == "image" else self.text

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.text:
            data["text"] = self.text
        if self.level:
            data["level"] = self.level
        if self.src:
            data["src"] = self.src
        if self.alt:
            data["alt"] = self.alt
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        kind = data.get("kind", "paragraph")
        if kind not in BLOCK_KINDS:
            kind = "paragraph"
        return cls(
            kind=kind,
            text=str(data.get("text", "")),
            level=int(data.get("level", 0)),
            src=str(data.get("src", "")),
            alt=str(data.get("alt", "")),
        )


def make_block(kind: BlockKind, text: str = "", **extra: Any) -> Block | None:
    """A cleaned block, or None when a text block would be empty."""
    if kind == "image":
        return Block("image", src=extra.get("src", ""), alt=clean_line(extra.get("alt", "")))
    line = clean_line(text)
    if not line:
        return None
    return Block(kind, line, level=int(extra.get("level", 0)))


def paragraphs_to_blocks(paragraphs: list[str]) -> list[Block]:
    """Blocks from plain paragraphs, dropping empty ones."""
    blocks = [make_block("paragraph", p) for p in paragraphs]
    return [b for b in blocks if b is not None]


def canonical_text(blocks: list[Block]) -> str:
    """The article's canonical plain text: block texts joined by one newline."""
    return "\n".join(b.display_text for b in blocks)


def blocks_to_json(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_json() for b in blocks]


def blocks_from_json(data: list[dict[str, Any]] | None) -> list[Block]:
    return [Block.from_json(d) for d in (data or [])]


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """An entry of a page's own related-articles block: a title and, when known, a URL."""

    title: str
    url: str | None = None


@dataclass(slots=True)
class ExtractedArticle:
    """What ingest produces from one input, before it is saved: picklable, Qt-free."""

    title: str
    blocks: list[Block]
    section: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as found
    related: list[RelatedItem] = field(default_factory=list)
    url: str | None = None
    source: str | None = None  # a site or corpus name
    language: str | None = None
    format: str = "html"  # html | text | jsonl | feed
    external_id: str | None = None
    images: dict[str, bytes] = field(default_factory=dict)  # src in blocks -> bytes to store
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # best-effort caveats for the report
    # Reader state another app kept (exports); saving carries it over, also onto a duplicate.
    saved_at: str | None = None  # ISO 8601, when the reader first saved it
    is_read: bool = False
    is_starred: bool = False
    # A source given by key (a feed: "feed:<url>") instead of the page's host.
    source_key: str | None = None
    source_kind: str = "site"
    original_gz: bytes | None = None  # the page as fetched, gzipped (keep_original)
    original_type: str = "text/html"
    # Provenance of the body: which extractor's candidate won, how much the others agreed
    # (0..1), and whether another candidate held much text the winner lacks.
    extractor: str | None = None
    extraction_confidence: float | None = None
    may_be_incomplete: bool = False
    # Text that stands in for a page we could not have (a feed's summary): saved when the
    # page is new to the archive, never replacing the text of one already there.
    provisional: bool = False

    @property
    def text(self) -> str:
        return canonical_text(self.blocks)

    def keep_original(self, data: bytes, media_type: str = "text/html") -> None:
        """Keep the page as fetched or imported, for View → Original page and re-extraction.

        It is compressed here, where it was extracted: in the worker processes of an
        import, not in the one process that saves (where it stalled the workers). Level 1:
        the fastest, and news pages still shrink to a quarter of their size."""
        self.original_gz = gzip.compress(data, 1)
        self.original_type = media_type
