"""The reader pane: headline and facts, the body document, and the related links.

The body is a QTextDocument holding exactly the article's canonical text (see
newsreader.ui.document); the headline and the related links live in their own widgets
so that document positions stay text offsets.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlencode

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel, QTextBrowser, QTextEdit, QVBoxLayout, QWidget

from newsreader.core.annotations import COLOR_CSS, AnnotationView
from newsreader.core.archive import ArticleDetail
from newsreader.core.related import RelatedArticles, RelatedEntry
from newsreader.core.search.text import Span
from newsreader.ui.document import PLACEHOLDER_URL, build_document, placeholder_image

ARTICLE_SCHEME = "newsreader"
HIT_COLOR = "#ffe58a"
MEASURE_CHARS = 80


def article_link(article_id: int) -> str:
    return f"{ARTICLE_SCHEME}://article/{article_id}"


def save_link(url: str) -> str:
    """A link that offers to fetch a page into the archive (never followed by itself)."""
    return f"{ARTICLE_SCHEME}://save?{urlencode({'url': url})}"


class OfflineTextBrowser(QTextBrowser):
    """A text browser that never loads anything it was not given: no network, no files."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return placeholder_image()
        return QByteArray()  # empty, not null: a null answer makes Qt open the file itself

    def resizeEvent(self, event: Any) -> None:
        """A readable measure: lines of about MEASURE_CHARS characters, centred."""
        measure = self.fontMetrics().averageCharWidth() * MEASURE_CHARS
        side = max(0, (self.width() - measure) // 2)
        self.setViewportMargins(side, 0, side, 0)
        super().resizeEvent(event)


class ReaderView(QWidget):
    """Shows one article; emits `article_requested` when a link to an archived one is clicked."""

    article_requested = Signal(int)
    save_requested = Signal(str)  # a related article's address, to fetch into the archive

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerView")
        self.header = QLabel(self)
        self.header.setObjectName("readerHeader")
        self.header.setAccessibleName("Article headline and details")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setOpenExternalLinks(False)
        self.header.linkActivated.connect(self._open_link)
        self.body = OfflineTextBrowser(self)
        self.body.setObjectName("readerBody")
        self.body.setAccessibleName("Article text")
        self.body.setOpenLinks(False)
        self.body.setOpenExternalLinks(False)
        self.body.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.related = QLabel(self)
        self.related.setObjectName("readerRelated")
        self.related.setAccessibleName("Related articles")
        self.related.setWordWrap(True)
        self.related.setOpenExternalLinks(False)
        self.related.linkActivated.connect(self._open_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.header)
        layout.addWidget(self.body, stretch=1)
        layout.addWidget(self.related)
        self.article: ArticleDetail | None = None
        self._assets: dict[str, bytes] = {}
        self.hits: list[Span] = []
        self.annotations: list[AnnotationView] = []
        self.current_hit = -1
        self.show_placeholder("Select an article to read it.")

    def show_placeholder(self, message: str) -> None:
        self.article = None
        self.hits = []
        self.annotations = []
        self.header.setText(f"<p style='color:gray'>{html.escape(message)}</p>")
        self.body.document().clear()
        self.related.clear()
        self.related.hide()

    def show_article(self, article: ArticleDetail, assets: dict[str, bytes]) -> None:
        self.article = article
        self._assets = assets
        self.hits, self.annotations = [], []
        self.header.setText(_header_html(article))
        build_document(article.blocks, load_asset=assets.get, document=self.body.document(),
                       font=self.body.font())  # fmt: skip
        self.body.document().addResource(
            QTextDocument.ResourceType.ImageResource, QUrl(PLACEHOLDER_URL), placeholder_image()
        )
        self.body.verticalScrollBar().setValue(0)
        self.show_related(RelatedArticles(page=[
            RelatedEntry(r.title, r.url, r.target_id, "page") for r in article.related
        ]))  # fmt: skip

    def show_related(self, related: RelatedArticles) -> None:
        self.related.setText(_related_html(related))
        self.related.setVisible(bool(related.all()))

    def set_font(self, family: str, points: int) -> None:
        font = self.body.font()
        font.setFamily(family)
        self.body.setFont(font)
        self.set_font_size(points)

    def set_font_size(self, points: int) -> None:
        """The reader's text size; the document keeps its canonical text."""
        font = self.body.font()
        font.setPointSize(points)
        self.body.setFont(font)
        self.body.document().setDefaultFont(font)
        if self.article is not None:  # rebuild the body alone; marks and position stay
            position = self.body.verticalScrollBar().value()
            build_document(self.article.blocks, load_asset=self._assets.get,
                           document=self.body.document(), font=font)  # fmt: skip
            self._draw_marks()
            self.body.verticalScrollBar().setValue(position)

    def set_hits(self, hits: list[Span]) -> None:
        """Mark where the search's words stand; positions are text offsets."""
        self.hits = hits
        self.current_hit = -1
        self._draw_marks()
        if hits:
            self.next_hit()

    def set_annotations(self, annotations: list[AnnotationView]) -> None:
        """Draw the article's highlights, each in its colour (orphans have no place)."""
        self.annotations = annotations
        self._draw_marks()

    def annotation_at(self, position: int) -> AnnotationView | None:
        """The highlight covering a text offset, if any (the innermost one)."""
        covering = [
            a for a in self.annotations
            if a.start is not None and a.end is not None and a.start <= position < a.end
        ]  # fmt: skip
        return min(covering, key=lambda a: (a.end or 0) - (a.start or 0), default=None)

    def selected_span(self) -> tuple[int, int] | None:
        """The selected text as offsets into Article.text (the canonical text invariant)."""
        cursor = self.body.textCursor()
        if not cursor.hasSelection() or self.article is None:
            return None
        return cursor.selectionStart(), cursor.selectionEnd()

    def select_span(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.body.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cursor)
        self.body.ensureCursorVisible()

    def _draw_marks(self) -> None:
        selections = []
        marks = [
            (a.start, a.end, QColor(COLOR_CSS.get(a.color, HIT_COLOR)), a.note)
            for a in self.annotations
            if a.start is not None and a.end is not None
        ]
        marks += [(s.start, s.end, QColor(HIT_COLOR), "") for s in self.hits]  # fmt: skip
        length = self.body.document().characterCount() - 1
        for start, end, color, note in marks:
            if not 0 <= start < end <= length:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.body.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(color)
            if note:
                selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            selections.append(selection)
        self.body.setExtraSelections(selections)

    def next_hit(self) -> None:
        self._go_to_hit(self.current_hit + 1)

    def previous_hit(self) -> None:
        self._go_to_hit(self.current_hit - 1)

    def _go_to_hit(self, number: int) -> None:
        if not self.hits:
            return
        self.current_hit = number % len(self.hits)
        span = self.hits[self.current_hit]
        self.select_span(span.start, span.end)

    def _open_link(self, link: str) -> None:
        url = QUrl(link)
        if url.scheme() == ARTICLE_SCHEME and url.host() == "save":
            wanted = parse_qs(url.query()).get("url", [""])[0]
            if wanted.startswith(("http://", "https://")):
                self.save_requested.emit(wanted)
        elif url.scheme() == ARTICLE_SCHEME:
            self.article_requested.emit(int(url.path().strip("/")))
        elif url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)  # only ever on the reader's explicit click


def _header_html(article: ArticleDetail) -> str:
    facts = [article.byline, _date_text(article), article.source]
    facts_html = " · ".join(html.escape(f) for f in facts if f)
    section = (
        f"<div style='text-transform:uppercase;letter-spacing:1px;color:#8a5a00;"
        f"font-size:small'>{html.escape(article.section)}</div>"
        if article.section
        else ""
    )
    link = ""
    if article.url:
        href = html.escape(article.url, quote=True)
        link = f"<div><a href='{href}'>{html.escape(article.url)}</a></div>"
    return (
        f"{section}<h1 style='margin:4px 0'>{html.escape(article.title)}</h1>"
        f"<div style='color:gray'>{facts_html}</div>{link}"
    )


def _date_text(article: ArticleDetail) -> str | None:
    if article.published_at is None:
        return None
    return article.published_at.strftime("%d %B %Y").lstrip("0")


RELATED_GROUPS = (
    ("page", "From the page"),
    ("duplicates", "Other versions of this story"),
    ("similar", "Similar in the archive"),
    ("linked_from", "Linked from"),
)


def _related_html(related: RelatedArticles) -> str:
    """The related articles in groups; archived ones open here, others only on a click."""
    parts = []
    for attribute, heading in RELATED_GROUPS:
        entries: list[RelatedEntry] = getattr(related, attribute)
        if not entries:
            continue
        items = [_related_item(entry) for entry in entries]
        parts.append(f"<b>{heading}</b><ul style='margin-top:2px'>{''.join(items)}</ul>")
    return "".join(parts)


def _related_item(entry: RelatedEntry) -> str:
    title = html.escape(entry.title or "(untitled)")
    if entry.target_id is not None:
        return f"<li><a href='{article_link(entry.target_id)}'>{title}</a></li>"
    if entry.url:
        href = html.escape(entry.url, quote=True)
        return (
            f"<li>{title} <span style='color:gray'>(not in the archive)</span> "
            f"<a href='{href}'>open in browser</a> · "
            f"<a href='{html.escape(save_link(entry.url), quote=True)}'>save to archive</a></li>"
        )
    return f"<li>{title} <span style='color:gray'>(not in the archive)</span></li>"
