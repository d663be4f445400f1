"""The reader: one scrolling page — kicker, headline, facts, body, related articles.

Everything is one QTextDocument so the page scrolls as one and the headline lines up with
the centred text column. The body is built by newsreader.ui.document and starts at
`body_start`: from there, the document's plain text is exactly `Article.text` (the
canonical text invariant), so a text offset is a document position minus `body_start`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode

from PySide6.QtCore import QByteArray, QEvent, QObject, QSignalBlocker, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.annotations import AnnotationView
from newsreader.core.archive import ArticleDetail
from newsreader.core.related import RelatedArticles, RelatedEntry
from newsreader.core.search.text import Span
from newsreader.ui import themes
from newsreader.ui.document import (
    Lead,
    body_start,
    build_document,
    placeholder_image,
)
from newsreader.ui.plain_text import plain_label

ARTICLE_SCHEME = "newsreader"
MEASURE_CHARS = 80
RELATED_SHOWN = 5  # entries per related group until "show all"
FLASH_MS = 700
RELATED_GROUPS = (
    ("page", "From the page"),
    ("duplicates", "Other versions of this story"),
    ("similar", "Similar in the archive"),
    ("linked_from", "Linked from"),
)
_WORD = re.compile(r"[\w’'-]")


def article_link(article_id: int) -> str:
    return f"{ARTICLE_SCHEME}://article/{article_id}"


def save_link(url: str) -> str:
    """A link that offers to fetch a page into the archive (never followed by itself)."""
    return f"{ARTICLE_SCHEME}://save?{urlencode({'url': url})}"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen a selection to whole words and drop the spaces at its ends
    ("Tony Blair a|nd" becomes "Tony Blair and")."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    while start > 0 and _WORD.match(text[start - 1]) and _WORD.match(text[start]):
        start -= 1
    while end < len(text) and _WORD.match(text[end]) and _WORD.match(text[end - 1]):
        end += 1
    return start, end


def date_text(article: ArticleDetail) -> str:
    """The published date, or says the article has none (and when it was saved)."""
    if article.published_at is not None:
        return article.published_at.strftime("%d %B %Y").lstrip("0")
    return "Undated (saved " + article.saved_at.strftime("%d %B %Y").lstrip("0") + ")"


def dedupe_related(related: RelatedArticles) -> list[tuple[str, list[RelatedEntry]]]:
    """The groups in order, each entry listed once across all of them."""
    seen: set[object] = set()
    groups = []
    for attribute, heading in RELATED_GROUPS:
        entries = []
        for entry in getattr(related, attribute):
            key = ("id", entry.target_id) if entry.target_id is not None else ("url", entry.url)
            if entry.target_id is None and not entry.url:
                key = ("title", entry.title)
            if key not in seen:
                seen.add(key)
                entries.append(entry)
        if entries:
            groups.append((heading, entries))
    return groups


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


class FindBar(QWidget):
    """Find in the article, as browsers do it: Enter next, Shift+Enter previous, Escape
    closes."""

    closed = Signal()

    def __init__(self, browser: QTextBrowser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.setAccessibleName("Find in article")
        self._browser = browser
        self.field = QLineEdit(self)
        self.field.setObjectName("findField")
        self.field.setAccessibleName("Find in article")
        self.field.setAccessibleDescription(
            "Enter finds the next match, Shift+Enter the one before, Escape closes"
        )
        self.field.setPlaceholderText("Find in article")
        self.field.setClearButtonEnabled(True)
        self.field.installEventFilter(self)
        self.field.textChanged.connect(lambda _text: self.find_text(forward=True, again=False))
        self.status = plain_label("", self)
        self.status.setObjectName("findStatus")
        buttons = []
        for name, text, slot in (
            ("findPreviousButton", "Previous", lambda: self.find_text(forward=False)),
            ("findNextButton", "Next", lambda: self.find_text(forward=True)),
            ("findCloseButton", "Close", self.close_bar),
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setText(text)
            button.setAccessibleName(f"{text} (find in article)")
            button.clicked.connect(slot)
            buttons.append(button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.field, stretch=1)
        layout.addWidget(self.status)
        for button in buttons:
            layout.addWidget(button)
        self.hide()

    def open(self) -> None:
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.status.clear()
        self._browser.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        pressed = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if watched is self.field and pressed:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.find_text(forward=not backwards)
                return True
        return super().eventFilter(watched, event)

    def find_text(self, *, forward: bool, again: bool = True) -> bool:
        """Select the next (or previous) match, wrapping round; say when there is none."""
        text = self.field.text()
        if not text:
            self.status.clear()
            return False
        flags = QTextDocument.FindFlag(0) if forward else QTextDocument.FindFlag.FindBackward
        if not again:  # typing: search again from where the current match starts
            cursor = self._browser.textCursor()
            cursor.setPosition(cursor.selectionStart())
            self._browser.setTextCursor(cursor)
        found = self._browser.find(text, flags)
        if not found:
            self._browser.moveCursor(
                QTextCursor.MoveOperation.Start if forward else QTextCursor.MoveOperation.End
            )
            found = self._browser.find(text, flags)
        self.status.setText("" if found else "Not found")
        return found


class ReaderView(QWidget):
    """Shows one article; emits `article_requested` when a link to an archived one is
    clicked, `save_requested` for "save to archive", `link_refused` for an address that
    may not leave the app."""

    article_requested = Signal(int)
    save_requested = Signal(str)
    web_link_clicked = Signal(str)  # an http(s) address the reader clicked
    link_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerView")
        self.body = OfflineTextBrowser(self)
        self.body.setObjectName("readerBody")
        self.body.setAccessibleName("Article")
        self.body.setAccessibleDescription(
            "The article: headline, details, text, then related articles"
        )
        self.body.setOpenLinks(False)
        self.body.setOpenExternalLinks(False)
        self.body.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.body.document().setUndoRedoEnabled(False)
        self.body.setWordWrapMode(QTextOption.WrapMode.WordWrap)  # never inside a word
        self.body.anchorClicked.connect(self._open_link)
        self.find_bar = FindBar(self.body, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.body, stretch=1)
        layout.addWidget(self.find_bar)
        self.colors = themes.colors("light")
        self.article: ArticleDetail | None = None
        self._assets: dict[str, bytes] = {}
        self.body_start = 0
        self.hits: list[Span] = []
        self.annotations: list[AnnotationView] = []
        self.member = ""  # who reads: highlights by others are drawn lighter
        self.related = RelatedArticles()
        self.expanded: set[str] = set()  # related groups showing all their entries
        self.visited: set[str] = set()
        self.current_hit = -1
        self._flash: tuple[int, int] | None = None
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._end_flash)
        self.show_placeholder("Select an article to read it.")

    # -- showing ------------------------------------------------------------------------

    def show_placeholder(self, message: str) -> None:
        self.article = None
        self.hits, self.annotations, self.body_start = [], [], 0
        self.related = RelatedArticles()
        document = self.body.document()
        document.clear()
        cursor = QTextCursor(document)
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(self.colors.muted))
        cursor.insertText(message, fmt)
        self.body.setExtraSelections([])

    def show_article(self, article: ArticleDetail, assets: dict[str, bytes]) -> None:
        if self.article is None or self.article.id != article.id:
            self.expanded = set()
        self.article = article
        self._assets = assets
        self.hits, self.annotations = [], []
        self.related = RelatedArticles(
            page=[RelatedEntry(r.title, r.url, r.target_id, "page") for r in article.related]
        )
        self._render()
        self.body.verticalScrollBar().setValue(0)

    def show_related(self, related: RelatedArticles) -> None:
        self.related = related
        if self.article is not None:
            position = self.body.verticalScrollBar().value()
            self._render_related()
            self.body.verticalScrollBar().setValue(position)

    def set_theme(self, theme: str) -> None:
        self.colors = themes.colors(theme)
        palette = self.body.palette()  # the margins beside the text column: the page's colour
        palette.setColor(QPalette.ColorRole.Window, QColor(self.colors.base))
        palette.setColor(QPalette.ColorRole.Base, QColor(self.colors.base))
        self.body.setPalette(palette)
        self.body.setAutoFillBackground(True)
        self._rerender()

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
        self._rerender()

    def _rerender(self) -> None:
        if self.article is None:
            return
        position = self.body.verticalScrollBar().value()
        self._render()
        self.body.verticalScrollBar().setValue(position)

    def _render(self) -> None:
        """Build the page; the body's cursor signals stay quiet meanwhile (one per
        inserted piece of text otherwise)."""
        assert self.article is not None
        with QSignalBlocker(self.body):
            self._build()
        self.body.cursorPositionChanged.emit()

    def _build(self) -> None:
        assert self.article is not None
        lead = self._lead(self.article)
        self.body_start = body_start(lead)
        document = self.body.document()
        build_document(
            self.article.blocks,
            load_asset=self._assets.get,
            document=document,
            font=self.body.font(),
            lead=lead,
        )
        self._colour_body()
        self._build_related()

    def _colour_body(self) -> None:
        """The body in the theme's text colour (the document's own default is black)."""
        cursor = QTextCursor(self.body.document())
        cursor.setPosition(self.body_start)
        cursor.setPosition(self.body_end(), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(self.colors.text))
        cursor.mergeCharFormat(fmt)

    def body_end(self) -> int:
        assert self.article is not None
        return self.body_start + len(self.article.text)

    def body_text(self) -> str:
        """The body's plain text as shown: equals Article.text."""
        if self.article is None:
            return ""
        return self.body.toPlainText()[self.body_start : self.body_end()]

    def _format(
        self,
        *,
        color: str,
        scale: float = 1.0,
        bold: bool = False,
        caps: bool = False,
        href: str = "",
    ) -> QTextCharFormat:
        fmt = QTextCharFormat()
        font = QFont(self.body.font())
        if scale != 1.0:
            font.setPointSizeF(max(1.0, font.pointSizeF()) * scale)
        font.setBold(bold)
        if caps:
            font.setCapitalization(QFont.Capitalization.AllUppercase)
            font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
        fmt.setFont(font)
        fmt.setForeground(QColor(color))
        if href:
            fmt.setAnchor(True)
            fmt.setAnchorHref(href)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setForeground(
                QColor(self.colors.visited if href in self.visited else self.colors.link)
            )
        return fmt

    def _lead(self, article: ArticleDetail) -> list[Lead]:
        lines = []
        if article.section:
            lines.append(
                Lead(
                    [
                        (
                            article.section,
                            self._format(color=self.colors.accent, scale=0.85, caps=True),
                        )
                    ],
                    _spacing(16, 2),
                )
            )
        lines.append(
            Lead(
                [(article.title, self._format(color=self.colors.text, scale=1.7, bold=True))],
                _spacing(4 if article.section else 16, 6),
            )
        )
        facts = [f for f in (article.byline, date_text(article), article.source) if f]
        muted = self._format(color=self.colors.muted, scale=0.92)
        pieces: list[tuple[str, QTextCharFormat]] = [(" · ".join(facts), muted)]
        if article.url:
            pieces += [
                (" · ", muted),
                (
                    "Original page",
                    self._format(color=self.colors.link, scale=0.92, href=article.url),
                ),
            ]
        lines.append(Lead(pieces, _spacing(0, 14)))
        return lines

    def _render_related(self) -> None:
        """The related groups after the body (each shows RELATED_SHOWN until "show all")."""
        if self.article is None:
            return
        with QSignalBlocker(self.body):
            self._build_related()

    def _build_related(self) -> None:
        assert self.article is not None
        document = self.body.document()
        cursor = QTextCursor(document)
        cursor.setPosition(self.body_end())
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        muted = self._format(color=self.colors.muted)
        for heading, entries in dedupe_related(self.related):
            cursor.insertBlock(_spacing(22, 4))
            cursor.insertText(heading, self._format(color=self.colors.text, scale=1.1, bold=True))
            shown = entries if heading in self.expanded else entries[:RELATED_SHOWN]
            for entry in shown:
                cursor.insertBlock(_spacing(2, 2, indent=1))
                title = entry.title or "(untitled)"
                if entry.target_id is not None:
                    cursor.insertText(
                        title,
                        self._format(color=self.colors.link, href=article_link(entry.target_id)),
                    )
                    continue
                cursor.insertText(title + " ", self._format(color=self.colors.text))
                cursor.insertText("(not in the archive)", muted)
                if entry.url:
                    cursor.insertText(" ", muted)
                    cursor.insertText(
                        "open in browser", self._format(color=self.colors.link, href=entry.url)
                    )
                    cursor.insertText(" · ", muted)
                    cursor.insertText(
                        "save to archive",
                        self._format(color=self.colors.link, href=save_link(entry.url)),
                    )
            if len(entries) > len(shown):
                cursor.insertBlock(_spacing(2, 2, indent=1))
                cursor.insertText(
                    f"Show all {len(entries)}",
                    self._format(
                        color=self.colors.link,
                        href=f"{ARTICLE_SCHEME}://related?{urlencode({'group': heading})}",
                    ),
                )
        self._draw_marks()

    # -- marks --------------------------------------------------------------------------

    def set_hits(self, hits: list[Span]) -> None:
        """Mark where the search's words stand (offsets into the text); [] clears them."""
        self.hits = hits
        self.current_hit = -1
        self._draw_marks()
        if hits:
            self.next_hit()

    def set_annotations(self, annotations: list[AnnotationView], member: str = "") -> None:
        """Draw the article's highlights, each in its colour (orphans have no place);
        those another member made (a team archive) in a lighter fill."""
        self.annotations = annotations
        self.member = member
        self._draw_marks()

    def annotation_at(self, offset: int) -> AnnotationView | None:
        """The highlight covering a text offset, if any (the innermost one)."""
        covering = [
            a
            for a in self.annotations
            if a.start is not None and a.end is not None and a.start <= offset < a.end
        ]
        return min(covering, key=lambda a: (a.end or 0) - (a.start or 0), default=None)

    def cursor_offset(self) -> int:
        """Where the reader's cursor stands, as an offset into the text."""
        return self.body.textCursor().position() - self.body_start

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as offsets into Article.text, snapped to whole words."""
        cursor = self.body.textCursor()
        if not cursor.hasSelection() or self.article is None:
            return None
        start = max(cursor.selectionStart() - self.body_start, 0)
        end = min(cursor.selectionEnd() - self.body_start, len(self.article.text))
        if start >= end:
            return None
        return snap_to_words(self.article.text, start, end)

    def clear_selection(self) -> None:
        cursor = self.body.textCursor()
        cursor.clearSelection()
        self.body.setTextCursor(cursor)

    def select_span(self, start: int, end: int) -> None:
        """Select text offsets `start`…`end` and bring them into view."""
        cursor = QTextCursor(self.body.document())
        cursor.setPosition(self.body_start + start)
        cursor.setPosition(self.body_start + end, QTextCursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cursor)
        self.body.ensureCursorVisible()

    def show_span(self, start: int, end: int) -> None:
        """Centre offsets `start`…`end` in the view and flash them (a highlight clicked in
        the panel); the cursor goes there without selecting, so its colour shows."""
        cursor = QTextCursor(self.body.document())
        cursor.setPosition(self.body_start + end)
        self.body.setTextCursor(cursor)  # scrolls it into view; centred below
        bottom = self.body.cursorRect(cursor).bottom()
        cursor.setPosition(self.body_start + start)
        self.body.setTextCursor(cursor)
        top = self.body.cursorRect(cursor).top()
        bar = self.body.verticalScrollBar()
        middle = (top + bottom) // 2
        bar.setValue(bar.value() + middle - self.body.viewport().height() // 2)
        self._flash = (start, end)
        self._draw_marks()
        self._flash_timer.start()

    def _end_flash(self) -> None:
        self._flash = None
        self._draw_marks()

    @property
    def flashing(self) -> tuple[int, int] | None:
        return self._flash

    def _draw_marks(self) -> None:
        colors = self.colors
        selections = []
        length = self.body.document().characterCount() - 1
        marks: list[tuple[int, int, QTextCharFormat]] = []
        for a in self.annotations:
            if a.start is None or a.end is None:
                continue
            fmt = QTextCharFormat()
            theirs = bool(a.author and self.member and a.author != self.member)
            fill = themes.others_fill(colors, a.color) if theirs else colors.marks.get(
                a.color, colors.marks["yellow"])  # fmt: skip
            fmt.setBackground(QColor(fill))
            fmt.setForeground(QColor(colors.mark_text))
            if a.note:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            marks.append((a.start, a.end, fmt))
        for span in self.hits:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(colors.search_fill))
            fmt.setForeground(QColor(colors.search_text))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(colors.search_line))
            fmt.setProperty(QTextCharFormat.Property.UserProperty, "search")
            marks.append((span.start, span.end, fmt))
        if self._flash is not None:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(colors.selection))
            fmt.setForeground(QColor(colors.selection_text))
            marks.append((*self._flash, fmt))
        for start, end, fmt in marks:
            first, last = self.body_start + start, self.body_start + end
            if not 0 <= first < last <= length:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.body.document())
            cursor.setPosition(first)
            cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
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

    # -- links --------------------------------------------------------------------------

    def _open_link(self, url: QUrl) -> None:
        link = url.toString()
        if url.scheme() == ARTICLE_SCHEME and url.host() == "save":
            wanted = parse_qs(url.query()).get("url", [""])[0]
            if wanted.startswith(("http://", "https://")):
                self.save_requested.emit(wanted)
            else:
                self.link_refused.emit(wanted)
        elif url.scheme() == ARTICLE_SCHEME and url.host() == "related":
            self.expanded.add(parse_qs(url.query()).get("group", [""])[0])
            self.show_related(self.related)
        elif url.scheme() == ARTICLE_SCHEME and url.host() == "article":
            path = url.path().strip("/")
            if path.isdigit():
                self.visited.add(link)
                self.article_requested.emit(int(path))
        elif url.scheme().lower() in ("http", "https"):
            self.visited.add(link)
            self.web_link_clicked.emit(link)  # only ever on the reader's explicit click
            self.show_related(self.related)
        else:
            self.link_refused.emit(link)


def _spacing(top: int, bottom: int, indent: int = 0) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setTopMargin(top)
    fmt.setBottomMargin(bottom)
    fmt.setIndent(indent)
    return fmt
