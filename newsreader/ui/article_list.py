"""The article list: a lazy table model that loads pages of rows in the background.

It lists a section (or everything), or the results of a search; rows arrive a page at a
time as the view scrolls, and the answer to an older request never lands in a newer list.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from newsreader.core.archive import Archive, ArticleSummary, SortOrder, View
from newsreader.core.search.service import (
    MAX_RESULTS_WINDOW,
    SearchHit,
    SearchResults,
    SearchSort,
    search,
)
from newsreader.ui.executor import Executor
from newsreader.ui.plain_text import literal

PAGE_SIZE = 200
MAX_PAGES = 20  # pages kept in memory: 4,000 rows whatever the archive's size
LOADING = "…"
COLUMNS = ("Title", "Section", "Source", "Date")
SORT_ORDERS: tuple[SortOrder, ...] = ("title", "section", "source", "published")
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 10
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


class ArticleListModel(QAbstractTableModel):
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

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        row = self.row_data(index.row())
        column = index.column()
        if row is None:
            return LOADING if role == Qt.ItemDataRole.DisplayRole and column == 0 else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return ("★ " if row.is_starred else "") + row.title
            if column == 1:
                return row.section or ""
            if column == 2:
                return row.source or ""
            if column == 3:
                moment = row.published_at or row.saved_at
                return moment.strftime("%Y-%m-%d")
        if role == Qt.ItemDataRole.FontRole and not row.is_read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return literal(row.title)
        if role == SNIPPET_ROLE and column == 0 and isinstance(row, SearchHit):
            return row.snippet
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._order = SORT_ORDERS[column]
        self._search_sort = "date" if column == 3 else "relevance"
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # -- our interface ------------------------------------------------------------------

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
        self._query = query.strip()
        self._scope = Scope()
        self._search_sort = "relevance"
        self.reload()

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
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def reload(self) -> None:
        """Start the current view over from its first page."""
        self._generation += 1
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._total = 0
        self.results = None
        self.endResetModel()
        self._request(0)

    # -- background work ----------------------------------------------------------------

    def _request(self, number: int) -> None:
        if number in self._pending or number in self._pages:
            return
        self._pending.add(number)
        generation = self._generation
        self._executor.read(
            self._page_fetcher(number * PAGE_SIZE),
            lambda page: self._receive(generation, number, page),
            lambda _error: self._pending.discard(number),
        )

    def _page_fetcher(self, offset: int) -> Any:
        """A function that loads one page of the current view (runs off the UI thread)."""
        archive, scope, query = self._archive, self._scope, self._query
        section = scope.section
        order, descending, search_sort = self._order, self._descending, self._search_sort
        if query:
            text = f'{query} section:"{section}"' if section else query

            def fetch_results() -> Page:
                results = search(archive, text, sort=search_sort, limit=PAGE_SIZE,
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
            rows = archive.list_articles(
                section=section, source=scope.source, view=scope.view, tag=scope.tag,
                folder=scope.folder, order=order, descending=descending, limit=PAGE_SIZE,
                offset=offset,
            )  # fmt: skip
            return Page(list(rows), total)

        return fetch_rows

    def _receive(self, generation: int, number: int, page: Page) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
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
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.loaded.emit()


class SnippetDelegate(QStyledItemDelegate):
    """Draws a search hit as its title with the matching passage, hits marked, below."""

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex) -> QTextDocument | None:
        snippet = index.data(SNIPPET_ROLE)
        if not snippet:
            return None
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        weight = "bold" if index.data(Qt.ItemDataRole.FontRole) is not None else "normal"
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(2)
        snippet_html = snippet.replace("<mark>", "<b style='background:#ffe58a;color:black'>")
        document.setHtml(
            f"<div style='font-weight:{weight}'>{_escape(title)}</div>"
            f"<div style='color:gray'>{snippet_html.replace('</mark>', '</b>')}</div>"
        )
        document.setTextWidth(max(option.rect.width(), 50))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        document = self._document(option, index)
        if document is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        if option.state & QStyle.StateFlag.State_Selected:
            palette = option.palette
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        document.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        document = self._document(option, index)
        if document is None:
            return super().sizeHint(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
