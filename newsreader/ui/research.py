"""The research workbench in the window: one `install(window)` adds the codebook panel,
keys 1–9 and the code picker, the concordance, the chart of counts over time, citation
copying and the coder's name, all under a Research menu."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.agreement import CodeAgreement
from newsreader.core.exports import EXPORT_FORMATS, ExportResult
from newsreader.ui import charts, citations, codebook, concordance
from newsreader.ui.plain_text import plain_label

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow


SUFFIXES = {
    "qdpx": "qdpx",
    "qdc": "qdc",
    "csl-json": "json",
    "bibtex": "bib",
    "ris": "ris",
    "jsonl": "jsonl",
    "csv": "csv",
}


class ExportDialog:
    """The format and the file of an export (a classmethod, so tests can answer it)."""

    @classmethod
    def ask(cls, parent: QWidget) -> tuple[str, Path] | None:
        dialog = QDialog(parent)
        dialog.setObjectName("exportDialog")
        dialog.setWindowTitle("Export")
        formats = QComboBox(dialog)
        formats.setObjectName("exportFormat")
        formats.setAccessibleName("Format")
        formats.addItems(list(EXPORT_FORMATS))
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
        )
        box.accepted.connect(dialog.accept)
        box.rejected.connect(dialog.reject)
        form = QFormLayout(dialog)
        form.addRow("Format:", formats)
        form.addRow(box)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        fmt = formats.currentText()
        name, _ = QFileDialog.getSaveFileName(parent, "Export to", f"export.{SUFFIXES[fmt]}")
        return (fmt, Path(name)) if name else None


def view_query(window: MainWindow) -> str | None:
    """The search that selects what the list shows: the typed search, else the view, the
    section or the tag chosen in the sidebar (None: every article). Raises ValueError for
    a view no search can say (a source, a feed folder, "Recently saved")."""
    if typed := window.search_field.text().strip():
        return typed
    scope = window.articles_model.scope
    if scope.source or scope.folder or scope.view == "recent":
        raise ValueError("export works on a search, a section, a tag or a smart view")
    parts = [f"is:{scope.view}"] if scope.view in ("unread", "starred", "annotated") else []
    if scope.section:
        parts.append(f'section:"{scope.section}"')
    if scope.tag:
        parts.append(f'tag:"{scope.tag}"')
    return " ".join(parts) or None


def export_view(window: MainWindow) -> None:
    """Export the articles the list shows (a search or a view) in a chosen format."""
    try:
        query = view_query(window)
    except ValueError as error:
        window.statusBar().showMessage(f"Cannot export this view: {error}", 6000)
        return
    answer = ExportDialog.ask(window)
    if answer is None:
        return
    fmt, path = answer
    archive = window.archive

    def done(result: ExportResult) -> None:
        notes = f" and {result.annotations} highlights" if result.annotations else ""
        window.statusBar().showMessage(f"{result.articles} articles{notes} exported to {path}")

    window.executor.long(
        lambda: archive.research.export(fmt, path, query=query),
        done,
        lambda error: window.status.report_error("Export", error),
    )


class AgreementDialog(QDialog):
    """Agreement between coders per code, by sentence or paragraph."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.setObjectName("agreementDialog")
        self.setWindowTitle("Agreement between coders")
        self.unit = QComboBox(self)
        self.unit.setObjectName("agreementUnit")
        self.unit.setAccessibleName("Unit")
        self.unit.addItem("By sentence", "sentence")
        self.unit.addItem("By paragraph", "paragraph")
        self.summary = plain_label("", self)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("agreementTable")
        self.table.setAccessibleName("Agreement per code")
        self.table.setHorizontalHeaderLabels(["Code", "Units", "Agreement", "Alpha"])
        layout = QVBoxLayout(self)
        layout.addWidget(self.unit)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.results: list[CodeAgreement] | None = None
        self.unit.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        archive, unit = self.main.archive, self.unit.currentData()
        self.main.executor.read(
            lambda: archive.research.agreement(unit=unit),
            self._show,
            lambda error: self.main.status.report_error("Agreement", error),
        )

    def _show(self, results: list[CodeAgreement]) -> None:
        self.results = results
        self.table.setRowCount(len(results))

        def figure(value: float | None) -> str:
            return "—" if value is None else f"{value:.3f}"

        for row, r in enumerate(results):
            for column, text in enumerate(
                (r.code, str(r.units), figure(r.percent), figure(r.alpha))
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.summary.setText(
            f"Coders: {', '.join(results[0].coders)} on {results[0].articles} articles"
            if results
            else "No article was highlighted by two or more coders yet."
        )


def open_agreement(window: MainWindow) -> AgreementDialog:
    dialog = AgreementDialog(window)
    dialog.show()
    return dialog


@dataclass(slots=True)
class Research:
    codebook: codebook.Codebook
    concordance_action: QAction
    chart_action: QAction
    copy_citation_action: QAction
    copy_quote_action: QAction
    export_action: QAction
    agreement_action: QAction


def _action(window: MainWindow, name: str, text: str, slot: Any, shortcut: str = "") -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: slot())
    window.addAction(action)
    return action


def install(window: MainWindow) -> Research:
    book = codebook.install(window)
    research = Research(
        codebook=book,
        concordance_action=_action(
            window,
            "concordanceAction",
            "&Concordance of the search…",
            lambda: concordance.open_concordance(window),
            "Ctrl+Shift+K",
        ),
        chart_action=_action(
            window,
            "chartAction",
            "Counts over &time…",
            lambda: charts.open_chart(window),
            "Ctrl+Shift+T",
        ),
        copy_citation_action=_action(
            window,
            "copyCitationAction",
            "Copy c&itation",
            lambda: citations.copy_citation(window, False),
        ),
        copy_quote_action=_action(
            window,
            "copyQuoteAction",
            "Copy &quote with citation",
            lambda: citations.copy_citation(window, True),
        ),
        export_action=_action(
            window, "researchExportAction", "&Export…", lambda: export_view(window)
        ),
        agreement_action=_action(
            window, "agreementAction", "&Agreement between coders…", lambda: open_agreement(window)
        ),
    )
    # File → Export… (as in Research), with the other commands, before Quit
    window.menus["&File"].insertAction(window.action("showReport"), research.export_action)
    window.menus["&Highlights"].addAction(research.agreement_action)
    menu = window.menuBar().addMenu("&Research")
    menu.setObjectName("researchMenu")
    menu.addActions(
        [
            book.dock_action,
            book.picker_action,
            research.concordance_action,
            research.chart_action,
            research.agreement_action,
            research.export_action,
        ]
    )
    menu.addSeparator()
    menu.addActions([research.copy_citation_action, research.copy_quote_action])
    styles = menu.addMenu("Citation &style")
    group = QActionGroup(styles)
    for key, name in citations.STYLE_NAMES.items():
        action = styles.addAction(name)
        action.setObjectName(f"citationStyle{name}Action")
        action.setCheckable(True)
        action.setChecked(citations.citation_style(window) == key)
        action.triggered.connect(
            lambda _=False, key=key: window.settings.setValue(citations.STYLE_SETTING, key)
        )
        group.addAction(action)
    menu.addSeparator()
    menu.addAction(book.coder_action)
    menu.addAction(book.dock.toggleViewAction())
    return research
