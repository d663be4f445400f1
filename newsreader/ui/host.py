"""What the window's parts may use of the window (a Protocol, so no part imports
main_window and no import cycle comes back)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction, QUndoStack
    from PySide6.QtWidgets import QTableView, QWidget

    from newsreader.core.archive import Archive
    from newsreader.core.ingest.report import ImportReport
    from newsreader.core.web.feeds import FeedView
    from newsreader.ui.annotations import AnnotationsPanel
    from newsreader.ui.article_list import ArticleListModel, ArticleListPane
    from newsreader.ui.executor import Executor
    from newsreader.ui.highlights import Highlights
    from newsreader.ui.navigation import Navigation
    from newsreader.ui.operations import Operations
    from newsreader.ui.reader import ReaderView
    from newsreader.ui.searching import Searching
    from newsreader.ui.sidebar import SidebarView
    from newsreader.ui.status import StatusArea


class Window(Protocol):
    archive: Archive
    executor: Executor
    ops: Operations
    status: StatusArea
    settings: QSettings
    reader: ReaderView
    articles_model: ArticleListModel
    article_list: QTableView
    annotations_panel: AnnotationsPanel
    undo_stack: QUndoStack
    list_pane: ArticleListPane
    sidebar: SidebarView
    highlights: Highlights
    navigation: Navigation
    search: Searching

    def widget(self) -> QWidget: ...
    def action(self, name: str) -> QAction: ...
    def open_article(self, article_id: int) -> None: ...
    def select_row(self, row: int) -> None: ...
    def feed_views(self) -> list[FeedView]: ...
    def show_import_report(self, report: ImportReport, what: str) -> None: ...
    def update_actions(self) -> None: ...
