"""Importing in the window: files or folders in the background, progress in the status
bar, cancelling that works at once, and the report of every item kept for "Show report"
(a table, exportable as CSV or JSON)."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.ingest.report import ImportReport
from newsreader.ui.dialogs import ImportDialog, SaveFileDialog
from newsreader.ui.errors import human
from newsreader.ui.host import Window
from newsreader.ui.operations import EVERYTHING
from newsreader.ui.plain_text import plain_label

REPORT_COLUMNS = ("Status", "Item", "Title", "Reason")


def report_csv(report: ImportReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["status", "item", "article_id", "title", "reason"])
    for item in report.items:
        writer.writerow(
            [item.status, item.item, item.article_id or "", item.title or "", item.reason]
        )
    return out.getvalue()


class ReportWindow(QWidget):
    """Every item of an import: saved, updated, duplicate, queued, failed or skipped, and
    why; exportable as CSV or JSON."""

    def __init__(self, report: ImportReport, summary: str, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("importReportWindow")
        self.setWindowTitle("Import report")
        self.setAccessibleName("Import report")
        self.resize(860, 520)
        self.report = report
        self.table = QTableWidget(len(report.items), len(REPORT_COLUMNS), self)
        self.table.setObjectName("importReportTable")
        self.table.setAccessibleName("Every item of the import")
        self.table.setHorizontalHeaderLabels(list(REPORT_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, item in enumerate(report.items):
            for column, value in enumerate((item.status, item.item, item.title or "", item.reason)):
                cell = QTableWidgetItem(value)  # plain text: a table cell is never rich text
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 90)
        self.table.setColumnWidth(1, 320)
        self.table.setColumnWidth(2, 220)
        buttons = QHBoxLayout()
        for fmt, text in (("csv", "Export CSV…"), ("json", "Export JSON…")):
            button = QPushButton(text, self)
            button.setObjectName(f"exportReport{fmt.capitalize()}Button")
            button.setAccessibleName(text.rstrip("…"))
            button.clicked.connect(lambda _checked=False, fmt=fmt: self.export(fmt))
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close", self)
        close.setObjectName("closeReportButton")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        QShortcut(QKeySequence("Escape"), self, self.close)
        label = plain_label(summary, self)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def export(self, fmt: str) -> Path | None:
        path = SaveFileDialog.ask(
            self,
            "Export the import report",
            f"import-report.{fmt}",
            "CSV (*.csv)" if fmt == "csv" else "JSON (*.json)",
        )
        if path is not None:
            text = report_csv(self.report) if fmt == "csv" else self.report.dumps()
            path.write_text(text, encoding="utf-8")
        return path


def summary_of(report: ImportReport, what: str) -> str:
    counts = report.counts()
    summary = (
        f"{what}: {counts['saved']:,} saved, {counts['updated']:,} updated, "
        f"{counts['duplicate']:,} duplicate, "
        + (f"{counts['queued']:,} queued for fetching, " if counts["queued"] else "")
        + f"{counts['failed']:,} failed"
        + (f", {counts['skipped']:,} skipped" if counts["skipped"] else "")
    )
    if counts["queued"]:
        summary += " — Feeds → Fetch queued pages brings the queued ones in"
    return summary


class Imports(QObject):
    """Runs imports for one window and keeps the last report."""

    progress = Signal(int, int)  # from the import thread, queued to the UI
    finished = Signal(object)  # ImportReport

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.cancels: set[threading.Event] = set()
        self.report: ImportReport | None = None
        self.summary = ""
        self.report_window: ReportWindow | None = None
        self.progress.connect(
            lambda done, total: window.status.show_progress(done, total, "Importing…")
        )
        status = window.status
        status.cancel_import_button.clicked.connect(self.cancel)
        status.report_button.clicked.connect(self.show_report)

    def choose_files(self) -> None:
        files = ImportDialog.ask_files(self.window.widget())
        if files:
            self.start(files)

    def choose_folder(self) -> None:
        folder = ImportDialog.ask_folder(self.window.widget())
        if folder is not None:
            self.start([folder])

    def start(self, paths: list[Path]) -> None:
        """Import in the background; progress in the status bar, a report at the end."""
        cancel = threading.Event()
        self.cancels.add(cancel)
        status = self.window.status
        status.show_work("Importing…")
        status.cancel_import_button.show()
        archive = self.window.archive

        def finished(report: ImportReport) -> None:
            self.cancels.discard(cancel)
            what = "Import cancelled" if cancel.is_set() else "Import finished"
            self.window.show_import_report(report, what)

        def failed(error: BaseException) -> None:
            self.cancels.discard(cancel)
            status.cancel_import_button.setVisible(bool(self.cancels))
            status.report_error("The import failed", error)
            self.window.ops.done(EVERYTHING)

        self.window.executor.long(
            lambda: archive.imports.paths(
                paths, progress=self.progress.emit, should_cancel=cancel.is_set
            ),
            finished,
            failed,
        )

    def cancel(self) -> None:
        """Stop running imports at once: the window lets go of them now (what was saved
        stays saved), and each stops at its next item, even one stuck reading a file."""
        if not self.cancels:
            return
        for cancel in self.cancels:
            cancel.set()
        self.cancels.clear()
        status = self.window.status
        status.cancel_import_button.hide()
        status.done_working()
        status.message("Import cancelled; what was saved is kept", 8000)
        self.window.ops.done(EVERYTHING)

    def report_done(self, report: ImportReport, what: str) -> None:
        """The counts in the status bar, kept behind "Show report"; a single page that
        could not be saved says why in words."""
        summary = summary_of(report, what)
        self.report, self.summary = report, summary
        status = self.window.status
        status.cancel_import_button.setVisible(bool(self.cancels))
        status.report_button.show()
        status.message(summary, 15000)
        status.done_working()
        failures = [i for i in report.items if i.status in ("failed", "skipped")]
        if len(report.items) == 1 and failures:
            item = failures[0]
            status.report_error("Could not save the page", item.reason or item.status)
            status.bar.showMessage(
                f"Could not save the page. {human(item.reason, url=item.item)}", 15000
            )
        elif failures:
            lines = [f"{i.item}: {i.reason}" for i in failures]
            status.show_problems("Import report", summary, lines)
        self.finished.emit(report)
        self.window.ops.done(EVERYTHING)

    def show_report(self) -> ReportWindow | None:
        if self.report is None:
            self.window.status.message("No import yet in this session")
            return None
        if self.report_window is not None:
            self.report_window.close()
            self.report_window.deleteLater()
        self.report_window = ReportWindow(self.report, self.summary, self.window.widget())
        self.report_window.show()
        return self.report_window
