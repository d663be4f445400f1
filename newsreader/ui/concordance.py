"""The concordance view: a search's words in context, one line each; a click opens the
article at that occurrence. The first screen comes first, the rest follows, both read on
the background executor, so the window never waits for a large archive."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.concordance import ConcordanceLine, SortKey, sort_lines, to_csv
from newsreader.ui.plain_text import plain_label

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow

FIRST_SCREEN = 100
COLUMNS = ("Left", "Match", "Right", "Date", "Section", "Title")
AnyIndex = QModelIndex | QPersistentModelIndex


class ConcordanceModel(QAbstractTableModel):
    """Concordance lines as a table: left context, match, right context, date, section."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[ConcordanceLine] = []

    def set_lines(self, lines: list[ConcordanceLine]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.left, line.match, line.right, line.date.date().isoformat(),
                    line.section or "", line.title)[index.column()]  # fmt: skip
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None


class SaveCsvDialog:
    @classmethod
    def ask(cls, parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Export concordance", "concordance.csv", "CSV (*.csv)"
        )
        return Path(name) if name else None


class ConcordanceDialog(QDialog):
    """Every occurrence of a search's words; sortable; double-click opens the article."""

    line_chosen = Signal(object)  # ConcordanceLine

    def __init__(self, window: MainWindow, query: str) -> None:
        super().__init__(window)
        self.main, self.query = window, query
        self.setObjectName("concordanceDialog")
        self.setWindowTitle("Concordance")
        self.resize(1200, 500)
        self.complete = False
        self.all_lines: list[ConcordanceLine] = []
        self.status = plain_label("", self)
        self.status.setObjectName("concordanceStatus")
        self.sort = QComboBox(self)
        self.sort.setObjectName("concordanceSort")
        self.sort.setAccessibleName("Sort lines by")
        for key, text in (
            ("article", "Newest first"),
            ("left", "Left context"),
            ("right", "Right context"),
            ("date", "Date"),
            ("section", "Section"),
        ):
            self.sort.addItem(text, key)
        self.sort.currentIndexChanged.connect(lambda _i: self._show())
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName("concordanceExportButton")
        self.export_button.clicked.connect(self.export_csv)
        self.model = ConcordanceModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("concordanceTable")
        self.table.setAccessibleName("Concordance lines")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        for column, width in enumerate((330, 130, 330, 90, 110)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._chosen)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.sort)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.line_chosen.connect(
            lambda line: open_at(window, line.article_id, line.start, line.end)
        )
        self.status.setText(f"Looking for {query}…")
        archive = window.archive
        window.executor.read(
            lambda: list(itertools.islice(archive.research.concordance(query), FIRST_SCREEN)),
            self._first_screen,
            lambda error: window.status.report_error("Concordance", error),
        )

    def _first_screen(self, lines: list[ConcordanceLine]) -> None:
        if not self.complete:
            self.all_lines = lines
            self._show()
        archive, query = self.main.archive, self.query
        self.main.executor.read(lambda: list(archive.research.concordance(query)), self._everything)

    def _everything(self, lines: list[ConcordanceLine]) -> None:
        self.complete = True
        self.all_lines = lines
        self._show()

    def _show(self) -> None:
        key: SortKey = self.sort.currentData() or "article"
        lines = self.all_lines if key == "article" else sort_lines(self.all_lines, key)
        self.model.set_lines(lines)
        more = "" if self.complete else " so far…"
        self.status.setText(f"{len(lines):,} occurrences{more} of {self.query}")

    def _chosen(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.model.lines):
            self.line_chosen.emit(self.model.lines[index.row()])

    def export_csv(self) -> None:
        path = SaveCsvDialog.ask(self)
        if path is not None:
            path.write_text(to_csv(self.model.lines), encoding="utf-8")


def open_at(window: MainWindow, article_id: int, start: int, end: int) -> None:
    """Open an article with the characters start..end selected (an occurrence, a quote)."""

    def select(shown_id: int) -> None:
        if shown_id == article_id:
            window.article_shown.disconnect(select)
            window.reader.select_span(start, end)

    window.article_shown.connect(select)
    window.open_article(article_id)


def open_concordance(window: MainWindow) -> ConcordanceDialog | None:
    query = window.search_field.text().strip()
    if not query:
        window.statusBar().showMessage("search for words first, then open their concordance")
        return None
    dialog = ConcordanceDialog(window, query)
    dialog.show()
    return dialog
