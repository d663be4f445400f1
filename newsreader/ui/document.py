"""Article body → QTextDocument, keeping the canonical text invariant.

One document block per body block, in order, so `document.toPlainText()` equals
`Article.text` character for character and a document position is a text offset.
Images are inline objects (one U+FFFC each), loaded only from the archive's assets:
building a document never touches the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
    QTextListFormat,
)

from newsreader.core.blocks import Block
from newsreader.ui.plain_text import literal

HEADING_SCALE = {1: 1.6, 2: 1.4, 3: 1.2, 4: 1.1, 5: 1.0, 6: 1.0}
PLACEHOLDER_URL = "newsreader:image-placeholder"
MAX_IMAGE_WIDTH = 640
LoadAsset = Callable[[str], bytes | None]


@dataclass(frozen=True, slots=True)
class Lead:
    """A line above the body (kicker, headline, facts): pieces of text, each with its
    format (a piece may be a link)."""

    pieces: Sequence[tuple[str, QTextCharFormat]]
    block_format: QTextBlockFormat

    @property
    def text(self) -> str:
        return "".join(text for text, _fmt in self.pieces)


def body_start(lead: Sequence[Lead]) -> int:
    """Where the body begins in a document built with `lead` above it: each lead line
    and its block separator take their length plus one position."""
    return sum(len(line.text) + 1 for line in lead)


def placeholder_image() -> QImage:
    """A grey box standing in for a picture that was not saved with the page."""
    image = QImage(320, 120, QImage.Format.Format_ARGB32)
    image.fill(QColor("#e4e4e4"))
    painter = QPainter(image)
    painter.setPen(QColor("#707070"))
    painter.drawText(image.rect(), 0x0084, "Image not saved in the archive")  # AlignCenter
    painter.end()
    return image


def _block_format(block: Block, line_height: float) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setLineHeight(line_height * 100, 1)  # ProportionalHeight
    fmt.setBottomMargin(10)
    if block.kind == "heading":
        fmt.setTopMargin(14)
        fmt.setHeadingLevel(max(1, min(6, block.level or 2)))
    elif block.kind == "quote":
        fmt.setLeftMargin(24)
        fmt.setRightMargin(24)
    elif block.kind == "preformatted":
        fmt.setNonBreakableLines(True)
    return fmt


def _char_format(block: Block, base: QFont) -> QTextCharFormat:
    fmt = QTextCharFormat()
    font = QFont(base)
    if block.kind == "heading":
        font.setPointSizeF(base.pointSizeF() * HEADING_SCALE.get(block.level or 2, 1.2))
        font.setBold(True)
    elif block.kind == "quote":
        font.setItalic(True)
    elif block.kind == "preformatted":
        font.setFamily("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
    fmt.setFont(font)
    return fmt


def build_document(
    blocks: list[Block],
    *,
    load_asset: LoadAsset | None = None,
    font: QFont | None = None,
    line_height: float = 1.45,
    document: QTextDocument | None = None,
    lead: Sequence[Lead] = (),
) -> QTextDocument:
    """Fill a QTextDocument with the body blocks, after the `lead` lines if any; images
    come from `load_asset` only. The body's plain text starts at `body_start(lead)`."""
    doc = document or QTextDocument()
    doc.clear()
    base = QFont(font) if font is not None else QFont(doc.defaultFont())
    if base.pointSizeF() <= 0:
        base.setPointSizeF(11)
    doc.setDefaultFont(base)
    doc.setDocumentMargin(16)
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(PLACEHOLDER_URL),
                    placeholder_image())  # fmt: skip
    cursor = QTextCursor(doc)
    for number, line in enumerate(lead):
        if number == 0:
            cursor.setBlockFormat(line.block_format)
        else:
            cursor.insertBlock(line.block_format)
        for text, fmt in line.pieces:
            cursor.insertText(text, fmt)
    current_list = None
    for index, block in enumerate(blocks):
        block_format = _block_format(block, line_height)
        char_format = _char_format(block, base)
        if index == 0 and not lead:
            cursor.setBlockFormat(block_format)
            cursor.setBlockCharFormat(char_format)
        else:
            cursor.insertBlock(block_format, char_format)
        if block.kind == "list_item":
            if current_list is None:
                list_format = QTextListFormat()
                list_format.setStyle(QTextListFormat.Style.ListDisc)
                list_format.setIndent(1 + max(0, block.level))
                current_list = cursor.createList(list_format)
            else:
                current_list.add(cursor.block())
        else:
            current_list = None
        if block.kind == "image":
            cursor.insertImage(_image_format(doc, block, load_asset))
        else:
            cursor.insertText(block.text, char_format)
    doc.setModified(False)
    return doc


def _image_format(
    doc: QTextDocument, block: Block, load_asset: LoadAsset | None
) -> QTextImageFormat:
    fmt = QTextImageFormat()
    image = QImage()
    if block.src.startswith("asset:") and load_asset is not None:
        data = load_asset(block.src.removeprefix("asset:"))
        if data:
            image.loadFromData(data)
    if image.isNull():
        fmt.setName(PLACEHOLDER_URL)
        fmt.setWidth(320)
        fmt.setHeight(120)
    else:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(block.src), image)
        fmt.setName(block.src)
        if image.width() > MAX_IMAGE_WIDTH:
            fmt.setWidth(MAX_IMAGE_WIDTH)
            fmt.setHeight(image.height() * MAX_IMAGE_WIDTH / image.width())
    if block.alt:
        fmt.setToolTip(literal(block.alt))
    return fmt
