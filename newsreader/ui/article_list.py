"""The article list: a lazy table model that loads pages of rows in the background."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from newsreader.core.archive import Archive, ArticleSummary, SortOrder
from newsreader.ui.executor import Executor

PAGE_SIZE = 200
COLUMNS = ("Title", "Section", "Source", "Date")
SORT_ORDERS: tuple[SortOrder, ...] = ("title", "section", "source", "published")
AnyIndex = QModelIndex | QPersistentModelIndex


class ArticleListModel(QAbstractTableModel):
    """Rows of the current view, fetched PAGE_SIZE at a time as the view scrolls."""

    total_changed = Signal(int)
    loaded = Signal()

    def __init__(self, archive: Archive, executor: Executor, parent: QObject | None = None):
        super().__init__(parent)
        self._archive = archive
        self._executor = executor
        self._rows: list[ArticleSummary] = []
        self._total = 0
        self._section: str | None = None
        self._order: SortOrder = "published"
        self._descending = True
        self._generation = 0  # results of an older query never land in a newer list
        self._fetching = False

    # -- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
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
            return row.title
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, offset = self._generation, len(self._rows)
        section, order, descending = self._section, self._order, self._descending
        self._executor.read(
            lambda: self._archive.list_articles(
                section=section, order=order, descending=descending, limit=PAGE_SIZE,
                offset=offset,
            ),
            lambda rows: self._append(generation, rows),
            lambda _error: self._stop_fetching(generation),
        )  # fmt: skip

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._order = SORT_ORDERS[column]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # -- our interface ------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def section(self) -> str | None:
        return self._section

    def set_section(self, section: str | None) -> None:
        self._section = section
        self.reload()

    def article_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_of(self, article_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == article_id), None)

    def update_row(self, article_id: int, **changes: Any) -> None:
        """Reflect a change (read, starred) made elsewhere without reloading."""
        row = self.row_of(article_id)
        if row is None:
            return
        self._rows[row] = replace(self._rows[row], **changes)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def reload(self) -> None:
        """Start the current view over: count it, then fetch its first page."""
        self._generation += 1
        generation, section = self._generation, self._section
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._fetching = False
        self.endResetModel()
        self._executor.read(
            lambda: self._archive.count(section=section),
            lambda total: self._set_total(generation, total),
        )

    # -- results from the background ----------------------------------------------------

    def _set_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._total = total
        self.total_changed.emit(total)
        if total:
            self.fetchMore()
        else:
            self.loaded.emit()

    def _append(self, generation: int, rows: list[ArticleSummary]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if not rows:
            self._total = len(self._rows)
            self.loaded.emit()
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        self.loaded.emit()

    def _stop_fetching(self, generation: int) -> None:
        if generation == self._generation:
            self._fetching = False
