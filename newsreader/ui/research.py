"""The research workbench in the window: one `install(window)` adds the codebook panel,
keys 1–9 and the code picker, the concordance, the chart of counts over time, citation
copying and the coder's name, all under a Research menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from newsreader.ui import charts, citations, codebook, concordance

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow


@dataclass(slots=True)
class Research:
    codebook: codebook.Codebook
    concordance_action: QAction
    chart_action: QAction
    copy_citation_action: QAction
    copy_quote_action: QAction


def _action(window: MainWindow, name: str, text: str, slot: object, shortcut: str = "") -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: slot())  # type: ignore[operator]
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
    )
    menu = window.menuBar().addMenu("&Research")
    menu.setObjectName("researchMenu")
    menu.addActions([book.picker_action, research.concordance_action, research.chart_action])
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
