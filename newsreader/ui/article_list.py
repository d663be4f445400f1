"""The article list: a lazy model that loads pages of rows in the background, drawn as
two-line rows (title, then source · section · date; a search hit's passage below).

It lists a section (or everything), or the results of a search; rows arrive a page at a
time as the view scrolls, and the answer to an older request never lands in a newer list.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.archive import Archive, ArticleSummary, Cursor, SortOrder, View
from newsreader.core.search.service import (
    MAX_RESULTS_WINDOW,
    SearchHit,
    SearchResults,
    SearchSort,
)
from newsreader.ui import themes
from newsreader.ui.executor import Executor
from newsreader.ui.plain_text import literal, plain_label

PAGE_SIZE = 200
MAX_PAGES = 20  # pages kept in memory: 4,000 rows whatever the archive's size
LOADING = "…"
BEST_MATCH = "Best match"
TITLE_LINES = 2  # a title wraps once before it is elided
SNIPPET_LINES = 2
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 10
META_ROLE = Qt.ItemDataRole.UserRole + 11  # "source · section · date"
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 12
STARRED_ROLE = Qt.ItemDataRole.UserRole + 13
# (label, archive order, descending, search sort): what the list's "Sort" menu offers
SORTS: tuple[tuple[str, SortOrder, bool, SearchSort], ...] = (
    ("Newest first", "published", True, "date"),
    ("Oldest first", "published", False, "date"),
    ("Recently saved", "saved", True, "date"),
    ("Title", "title", False, "relevance"),
    ("Source", "source", False, "relevance"),
    ("Section", "section", False, "relevance"),
)
AnyIndex = QModelIndex | QPersistentModelIndex
Row = ArticleSummary | SearchHit


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles the list shows: a smart view, a section, a source, a tag or a folder
    of feeds."""

    view: View = "all"
    section: str | None = None
    source: str | None = None
    tag: str | None = None
    folder: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    total: int
    results: SearchResults | None = None  # for a search: facets, hints, terms
    next: Cursor | None = None  # where the page after this one starts (a list, not a search)


def wrap(text: str, metrics: QFontMetrics, width: int, lines: int) -> list[str]:
    """`text` on at most `lines` lines of `width` pixels, broken between words, the last
    line elided if it still does not fit."""
    words, result = text.split(), list[str]()
    while words and len(result) < lines - 1:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        if metrics.horizontalAdvance(line) > width:  # one word wider than the row
            words.insert(0, line)
            break
        result.append(line)
    if words:
        rest = " ".join(words)
        result.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return result


def date_text(row: ArticleSummary) -> str:
    """The published date; an undated article says so, with the day it was saved."""
    if row.published_at is not None:
        return row.published_at.strftime("%d %b %Y").lstrip("0")
    return "undated, saved " + row.saved_at.strftime("%d %b").lstrip("0")


def meta_line(row: ArticleSummary) -> str:
    return " · ".join(part for part in (row.source, row.section, date_text(row)) if part)


class ArticleListModel(QAbstractListModel):
    """A window onto the current view: every row exists, pages load when shown.

    The model knows the view's total at once (one count) and loads PAGE_SIZE rows at a
    time, in the background, for the rows the view asks about; at most MAX_PAGES pages
    are kept, so a million-article archive costs the memory of a few thousand rows, and
    jumping to the end loads only the end.
    """

    total_changed = Signal(int)
    loaded = Signal()
    search_finished = Signal(object)  # SearchResults of the first page of a search

    def __init__(self, archive: Archive, executor: Executor, parent: QObject | None = None):
        super().__init__(parent)
        self._archive = archive
        self._executor = executor
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()  # page number -> rows, LRU
        self._pending: set[int] = set()
        self._cursors: dict[int, Cursor] = {}  # page number -> where the next page starts
        self._total = 0
        self._scope = Scope()
        self._query = ""
        self._order: SortOrder = "published"
        self._search_sort: SearchSort = "relevance"
        self._descending = True
        self._generation = 0  # results of an older query never land in a newer list
        self.results: SearchResults | None = None

    # -- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        row = self.row_data(index.row())
        if row is None:
            return LOADING if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == META_ROLE:
            return meta_line(row)
        if role == UNREAD_ROLE:
            return not row.is_read
        if role == STARRED_ROLE:
            return row.is_starred
        if role == Qt.ItemDataRole.FontRole and not row.is_read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal(f"{row.title}\n{meta_line(row)}")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            flags = [
                w for w, on in (("unread", not row.is_read), ("starred", row.is_starred)) if on
            ]
            return ", ".join([row.title, meta_line(row), *flags])
        if role == SNIPPET_ROLE and isinstance(row, SearchHit):
            return row.snippet
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def set_sort(self, order: SortOrder, descending: bool, search_sort: SearchSort) -> None:
        self._order, self._descending, self._search_sort = order, descending, search_sort
        self.reload()

    # -- our interface ------------------------------------------------------------------

    @property
    def order(self) -> SortOrder:
        return self._order

    @property
    def total(self) -> int:
        return self._total

    @property
    def section(self) -> str | None:
        return self._scope.section

    @property
    def scope(self) -> Scope:
        return self._scope

    @property
    def loaded_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    def set_scope(self, scope: Scope) -> None:
        self._scope = scope
        self.reload()

    @property
    def query(self) -> str:
        return self._query

    def set_section(self, section: str | None) -> None:
        self.set_scope(Scope(section=section))

    def set_query(self, query: str) -> None:
        """List the results of a search across all sections (an empty query: everything)."""
        if not self._query:
            self._search_sort = "relevance"  # a new search: best matches first
        self._query = query.strip()
        self._scope = Scope()
        self.reload()

    def end_search(self, scope: Scope) -> None:
        """Back from a search to the view `scope`."""
        self._query = ""
        self.set_scope(scope)

    def row_data(self, row: int) -> Row | None:
        """The row if its page is loaded; otherwise None, and the page is asked for."""
        number, within = divmod(row, PAGE_SIZE)
        rows = self._pages.get(number)
        if rows is None:
            self._request(number)
            return None
        self._pages.move_to_end(number)
        return rows[within] if within < len(rows) else None

    def article_id(self, row: int) -> int | None:
        found = self.row_data(row) if 0 <= row < self._total else None
        return found.id if found is not None else None

    def row_of(self, article_id: int) -> int | None:
        for number, rows in self._pages.items():
            for within, row in enumerate(rows):
                if row.id == article_id:
                    return number * PAGE_SIZE + within
        return None

    def update_row(self, article_id: int, **changes: Any) -> None:
        """Reflect a change (read, starred) made elsewhere without reloading."""
        row = self.row_of(article_id)
        if row is None:
            return
        number, within = divmod(row, PAGE_SIZE)
        rows = self._pages[number]
        rows[within] = replace(rows[within], **changes)
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def reload(self) -> None:
        """Start the current view over from its first page."""
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._cursors.clear()
        self._total = 0
        self.results = None
        self.endResetModel()
        self._request(0)

    def refresh(self) -> None:
        """Load the current view again, keeping its rows on screen until the new first
        page arrives (a change made elsewhere: no flicker, no lost place)."""
        self._generation += 1
        self._pending.clear()
        self._cursors.clear()
        self._request(0, soft=True)

    # -- background work ----------------------------------------------------------------

    def _request(self, number: int, *, soft: bool = False) -> None:
        if number in self._pending or (number in self._pages and not soft):
            return
        self._pending.add(number)
        generation = self._generation
        self._executor.read(
            self._page_fetcher(number),
            lambda page: self._receive(generation, number, page, soft=soft),
            lambda _error: self._pending.discard(number),
        )

    def _page_fetcher(self, number: int) -> Any:
        """A function that loads one page of the current view (runs off the UI thread):
        a list page seeks from where the page before it ended when that is known (keyset
        paging), else from its offset, which the archive also turns into a seek."""
        offset = number * PAGE_SIZE
        after, known_total = self._cursors.get(number - 1), self._total or None
        archive, scope, query = self._archive, self._scope, self._query
        section = scope.section
        order, descending, search_sort = self._order, self._descending, self._search_sort
        if scope.view == "recent" and order == "published":
            order = "saved"  # "Recently saved" is by saving time unless another sort is chosen
        if query:
            text = f'{query} section:"{section}"' if section else query

            def fetch_results() -> Page:
                results = archive.search.find(text, sort=search_sort, limit=PAGE_SIZE,
                                              offset=offset, facets=offset == 0)  # fmt: skip
                return Page(list(results.hits), min(results.total, MAX_RESULTS_WINDOW), results)

            return fetch_results

        def fetch_rows() -> Page:
            total = -1
            if offset == 0:
                total = archive.count(
                    section=section, source=scope.source, view=scope.view, tag=scope.tag,
                    folder=scope.folder,
                )  # fmt: skip
            page = archive.list_page(
                section=section, source=scope.source, view=scope.view, tag=scope.tag,
                folder=scope.folder, order=order, descending=descending, limit=PAGE_SIZE,
                offset=offset, after=after, total=known_total,
            )  # fmt: skip
            return Page(page.rows, total, next=page.next)

        return fetch_rows

    def _refreshed(self, page: Page) -> None:
        """A refresh's first page: rows changed in place are redrawn alone; only a list
        that gained, lost or reordered rows is reset (and then keeps its place)."""
        total = max(page.total, len(page.rows))
        old = self._pages.get(0)
        same_rows = old is not None and [r.id for r in old] == [r.id for r in page.rows]
        if same_rows and total == self._total and old is not None:
            self._pages[0] = list(page.rows)
            self.results = page.results
            for row, (before, after) in enumerate(zip(old, page.rows, strict=True)):
                if before != after:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
            for number in [n for n in self._pages if n != 0]:  # loaded again when shown
                del self._pages[number]
                first = number * PAGE_SIZE
                last = min(self._total, first + PAGE_SIZE) - 1
                self.dataChanged.emit(self.index(first, 0), self.index(last, 0))
        else:
            self.beginResetModel()
            self._pages.clear()
            self._total = total
            self._pages[0] = list(page.rows)
            self.results = page.results
            self.endResetModel()
            self.total_changed.emit(self._total)
            self.loaded.emit()
        if page.results is not None:  # a search refreshed (or first answered) this way
            self.search_finished.emit(page.results)

    def _receive(self, generation: int, number: int, page: Page, *, soft: bool = False) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        if page.next is not None:
            self._cursors[number] = page.next
        if soft:
            self._refreshed(page)
            return
        self._pages[number] = list(page.rows)
        while len(self._pages) > MAX_PAGES:  # the least recently shown pages go
            self._pages.popitem(last=False)
        if number == 0:
            self.results = page.results
            total = max(page.total, len(page.rows))
            if total != self._total:
                self.beginResetModel()
                self._total = total
                self.endResetModel()
            self.total_changed.emit(total)
            if page.results is not None:
                self.search_finished.emit(page.results)
        elif page.rows:
            first = number * PAGE_SIZE
            last = min(self._total, first + len(page.rows)) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0))
        self.loaded.emit()


class ArticleDelegate(QStyledItemDelegate):
    """Draws a row as readers know it: the full title (bold while unread, a star when
    starred), then source · section · date in a quieter colour, and a search hit's
    passage with its words marked. In compact mode, one line: title, then the facts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.compact = False
        self.theme = themes.colors("light")

    def _lines(self, index: AnyIndex) -> int:
        if self.compact:
            return 1
        return 4 if index.data(SNIPPET_ROLE) else 2

    def row_height(self, font: QFont, snippets: bool) -> int:
        line = QFontMetrics(font).lineSpacing()
        lines = 1 if self.compact else TITLE_LINES + 1 + (SNIPPET_LINES if snippets else 0)
        return line * lines + (8 if self.compact else 12)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(200, self.row_height(option.font, bool(index.data(SNIPPET_ROLE))))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text_color if selected else QColor(self.theme.muted)
        rect = option.rect.adjusted(8, 5, -8, -5)
        title_font = QFont(option.font)
        title_font.setBold(bool(index.data(UNREAD_ROLE)))
        line = QFontMetrics(option.font).lineSpacing()
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(STARRED_ROLE):
            title = "★ " + title
        meta, date = self._meta(index)
        meta_font = QFont(option.font)
        meta_font.setBold(False)
        date_width = QFontMetrics(meta_font).horizontalAdvance(date) + 4
        painter.save()
        painter.setClipRect(option.rect)
        if self.compact:
            meta_width = min(
                QFontMetrics(meta_font).horizontalAdvance(date) + 12, rect.width() // 2
            )
            title_rect = QRect(rect.left(), rect.top(), rect.width() - meta_width, line)
            meta_rect = QRect(rect.right() - meta_width, rect.top(), meta_width, line)
            self._text(painter, title_rect, title, title_font, text_color)
            self._text(painter, meta_rect, date, meta_font, muted, Qt.AlignmentFlag.AlignRight)
            painter.restore()
            return
        painter.setFont(title_font)
        painter.setPen(text_color)
        title_lines = wrap(title, QFontMetrics(title_font), rect.width(), TITLE_LINES)
        for number, text in enumerate(title_lines):
            painter.drawText(QRect(rect.left(), rect.top() + number * line, rect.width(), line),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             text)  # fmt: skip
        second = rect.top() + len(title_lines) * line
        where_width = max(0, rect.width() - date_width - 8)
        self._text(painter, QRect(rect.left(), second, where_width, line), meta, meta_font, muted)
        self._text(
            painter, QRect(rect.right() - date_width, second, date_width, line), date,
            meta_font, muted, Qt.AlignmentFlag.AlignRight,
        )  # fmt: skip
        snippet = index.data(SNIPPET_ROLE)
        if snippet:
            document = self.snippet_document(str(snippet), option.font, rect.width(), selected,
                                             text_color)  # fmt: skip
            painter.translate(rect.left(), second + line)
            painter.setClipRect(QRectF(0, 0, rect.width(), SNIPPET_LINES * line))
            document.drawContents(painter)
        painter.restore()

    @staticmethod
    def _meta(index: AnyIndex) -> tuple[str, str]:
        """("source · section", date): the date is never elided, the names may be."""
        line = str(index.data(META_ROLE) or "")
        where, _sep, date = line.rpartition(" · ")
        return where, date

    def snippet_document(self, snippet: str, font: QFont, width: int, selected: bool,
                         color: QColor) -> QTextDocument:  # fmt: skip
        """A hit's passage: escaped text from the index, its words marked as in the
        reader (underlined, never a highlight colour)."""
        look = self.theme
        mark = (
            f"<span style='text-decoration:underline;font-weight:bold;"
            f"color:{color.name() if selected else look.search_text};"
            + ("" if selected else f"background:{look.search_fill}")
            + "'>"
        )
        document = QTextDocument()
        document.setDefaultFont(font)
        document.setDocumentMargin(0)
        document.setDefaultStyleSheet(f"body {{ color: {color.name()} }}")
        document.setHtml(
            f"<body>{snippet.replace('<mark>', mark).replace('</mark>', '</span>')}</body>"
        )
        document.setTextWidth(width)
        return document

    @staticmethod
    def _text(painter: QPainter, rect: QRect, text: str, font: QFont, color: QColor,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:  # fmt: skip
        painter.setFont(font)
        painter.setPen(color)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)


class ArticleListPane(QWidget):
    """The list with its sort choice, and a sentence in its place when it is empty."""

    def __init__(self, model: ArticleListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleListPane")
        self.model = model
        self.sort_choice = QComboBox(self)
        self.sort_choice.setObjectName("sortChoice")
        self.sort_choice.setAccessibleName("Sort the list")
        self.sort_choice.setToolTip("How the list is sorted")
        for label, *_rest in SORTS:
            self.sort_choice.addItem(label)
        self.sort_choice.currentIndexChanged.connect(self._sort_chosen)
        # A table of one column, not a QListView: a list view lays out every row on each
        # reset (O(rows)), a table with fixed row heights only the visible ones.
        self.view = QTableView(self)
        self.view.setObjectName("articleList")
        self.view.setAccessibleName("Articles")
        self.view.setAccessibleDescription(
            "Each row: the title, then source, section and date; bold while unread"
        )
        self.view.setModel(model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)  # Tab moves on to the reader
        self.view.horizontalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.delegate = ArticleDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        model.modelReset.connect(self.fit_rows)
        self.empty = plain_label("", self)
        self.empty.setObjectName("emptyListMessage")
        self.empty.setAccessibleName("Why the list is empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(16, 24, 16, 16)
        self.empty.hide()
        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 2)
        top.addStretch(1)
        top.addWidget(plain_label("Sort:", self))
        top.addWidget(self.sort_choice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.view, stretch=1)
        layout.addWidget(self.empty, stretch=1)
        self.sort_choice.setCurrentIndex(0)
        self._before_search = 0

    def _sort_chosen(self, number: int) -> None:
        if 0 <= number < len(SORTS):
            _label, order, descending, search_sort = SORTS[number]
            self.model.set_sort(order, descending, search_sort)
        elif number == len(SORTS):  # "Best match", offered while searching
            self.model.set_sort(self.model.order, True, "relevance")

    def set_searching(self, searching: bool) -> None:
        """A search lists its best matches first; "Best match" is offered only then."""
        choice = self.sort_choice
        choice.blockSignals(True)
        if searching and choice.count() == len(SORTS):
            self._before_search = choice.currentIndex()
            choice.addItem(BEST_MATCH)
            choice.setCurrentIndex(len(SORTS))
        elif not searching and choice.count() > len(SORTS):
            choice.removeItem(len(SORTS))
            choice.setCurrentIndex(self._before_search)
        choice.blockSignals(False)

    def fit_rows(self) -> None:
        """Every row one fixed height (taller while a search shows passages)."""
        height = self.delegate.row_height(self.view.font(), bool(self.model.query))
        self.view.verticalHeader().setDefaultSectionSize(height)

    def set_compact(self, compact: bool) -> None:
        self.delegate.compact = compact
        self.fit_rows()
        self.view.viewport().update()

    def set_theme(self, theme: str) -> None:
        self.delegate.theme = themes.colors(theme)
        self.view.viewport().update()

    def show_empty(self, message: str) -> None:
        """An empty list says why (and what to try) instead of showing nothing."""
        self.empty.setText(message)
        self.empty.setVisible(bool(message))
        self.view.setVisible(not message)
