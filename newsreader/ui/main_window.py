"""The main window: it only assembles the parts and wires them.

Sidebar (ui/sidebar.py), article list (ui/article_list.py), reader (ui/reader.py), reading
the open article (ui/reading.py), searching (ui/searching.py), highlights
(ui/highlights.py), imports (ui/imports.py), navigation (ui/navigation.py), the status bar
(ui/status.py) and the web (ui/web.py) each live in their own module; the commands come
from the table in ui/actions.py. Every change runs as an operation (ui/operations.py) whose
`Changes` come back to `redraw`, the one place that decides what to draw again — for this
window's changes and for those made elsewhere alike.
"""

from __future__ import annotations

import logging
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QUndoStack
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QToolBar,
    QWidget,
)

from newsreader.core.annotations import COLORS
from newsreader.core.archive import Archive
from newsreader.core.ingest.report import ImportReport
from newsreader.core.team import ROLE_DESCRIPTIONS
from newsreader.core.web.feeds import FeedView
from newsreader.ui import icons, research, themes
from newsreader.ui.actions import (
    ACTIONS,
    RIGHT_REASONS,
    TOOLBAR,
    build_actions,
    build_menus,
    grouped,
)
from newsreader.ui.annotations import AnnotationsPanel
from newsreader.ui.article_list import ArticleListModel, ArticleListPane, Scope
from newsreader.ui.dialogs import FontChooser, ShortcutsDialog
from newsreader.ui.executor import Executor
from newsreader.ui.highlights import Highlights
from newsreader.ui.imports import Imports
from newsreader.ui.navigation import Navigation
from newsreader.ui.operations import EVERYTHING, ArchiveWatch, Changes, Operations
from newsreader.ui.original import OriginalPages
from newsreader.ui.reader import ReaderView
from newsreader.ui.reading import Reading
from newsreader.ui.searching import Searching, empty_message
from newsreader.ui.sidebar import SidebarData, SidebarView, load_sidebar
from newsreader.ui.status import StatusArea
from newsreader.ui.team import TeamArchives
from newsreader.ui.themes import THEMES
from newsreader.ui.web import WebActions

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 250
DEFAULT_FONT_SIZE = 12
SIDEBAR_DELAY_MS = 200
ICON_NAMES = {spec.name: spec.icon for spec in ACTIONS if spec.icon}


class MainWindow(QMainWindow):
    """Sidebar, list and reader over one archive; all database work off the UI thread."""

    article_shown = Signal(int)
    annotations_changed = Signal(int)
    tags_changed = Signal()
    article_deleted = Signal(int)
    import_finished = Signal(object)  # ImportReport
    sections_loaded = Signal()
    redrawn = Signal(object)  # Changes, once redrawn

    def __init__(
        self,
        archive: Archive,
        *,
        seed: bool = True,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.archive = archive
        self.settings = settings if settings is not None else QSettings()
        self.setObjectName("mainWindow")
        self.setWindowTitle(
            f"Newsreader — {archive.name if archive.is_team else archive.path.name}"
        )
        self.resize(1280, 800)
        self.executor = Executor(self)
        self.status = StatusArea(self)
        if archive.is_team and (role := archive.rights.role) is not None:
            self.status.show_member(archive.member, role, ROLE_DESCRIPTIONS[role])
        self.commit_watch = archive.watch_commits()
        self.ops = Operations(self.executor, self.commit_watch, self)
        self.ops.changed.connect(self.redraw)
        self.ops.failed.connect(lambda what, error: self.status.report_error(what, error))
        self.ops.unreachable.connect(lambda away: self.status.team_unreachable(away))
        self.undo_stack = QUndoStack(self)
        self.executor.busy_changed.connect(self.status.set_in_flight)
        self.theme = str(self.settings.value("look/theme", "system"))

        self.sidebar = SidebarView(self)
        self.sidebar.scope_chosen.connect(self._scope_chosen)
        self.sidebar.saved_search_chosen.connect(self._saved_search_chosen)
        self.sidebar.feed_menu_requested.connect(self._feed_menu)
        self.articles_model = ArticleListModel(archive, self.executor, self)
        self.list_pane = ArticleListPane(self.articles_model, self)
        self.article_list = self.list_pane.view
        self.article_list.selectionModel().selectionChanged.connect(self._article_chosen)
        self.articles_model.total_changed.connect(self._show_count)
        # A search refreshed with the same capped total still found a new number.
        self.articles_model.search_finished.connect(
            lambda _results: self._show_count(self.articles_model.total)
        )
        self.articles_model.loaded.connect(self._list_loaded)
        self.articles_model.modelAboutToBeReset.connect(self._remember_list_place)
        self.reader = ReaderView(self)
        self.annotations_panel = AnnotationsPanel(self)
        self.search = Searching(self)
        self.search_field = self.search.field
        self.reading = Reading(self)
        self.reading.shown.connect(self.article_shown)
        self.reading.deleted.connect(self.article_deleted)
        self.reading.tags_changed.connect(self.tags_changed)
        self.navigation = Navigation(self)
        self.highlights = Highlights(self)
        self.highlights.changed.connect(self.annotations_changed)
        self.imports = Imports(self)
        self.imports.finished.connect(self.import_finished)
        self.web = WebActions(self)
        self.reader.save_requested.connect(self.web.offer_to_save)
        self.watch = ArchiveWatch(self.executor, self.commit_watch, self)
        self.watch.changed_elsewhere.connect(self.redraw)

        reading = QSplitter(self)
        reading.setObjectName("readingSplitter")
        reading.addWidget(self.reader)
        reading.addWidget(self.annotations_panel)
        reading.setStretchFactor(0, 1)
        reading.setCollapsible(0, False)
        reading.setSizes([640, 200])
        splitter = QSplitter(self)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.list_pane)
        splitter.addWidget(reading)
        splitter.setStretchFactor(0, 1)  # a resize is shared by all three panes
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 3)
        splitter.setCollapsible(2, False)
        self.sidebar.setMinimumWidth(120)
        self.list_pane.setMinimumWidth(220)
        self.splitter = splitter
        self.setCentralWidget(splitter)

        self._sidebar_loading = self._sidebar_stale = False
        self._sidebar_timer = QTimer(self)
        self._sidebar_timer.setSingleShot(True)
        self._sidebar_timer.setInterval(SIDEBAR_DELAY_MS)
        self._sidebar_timer.timeout.connect(self._load_sidebar_now)
        self._list_place: tuple[int | None, int] = (None, 0)
        # Until the archive says which article the member had open last, the list does not
        # open its first row in its place (the two answers come in either order).
        self._last_open_known = False

        self.actions_by_name = build_actions(self, ACTIONS)
        self.menus = build_menus(self.menuBar(), ACTIONS, self.actions_by_name)
        self.article_list.addAction(self.action("readHere"))
        self._theme_menu()
        self.toolbar = self._toolbar()
        self.undo_stack.canUndoChanged.connect(self.action("undo").setEnabled)
        self.undo_stack.canRedoChanged.connect(self.action("redo").setEnabled)
        self.undo_stack.undoTextChanged.connect(
            lambda text: self.action("undo").setText(f"&Undo {text}".strip())
        )
        self.action("undo").setEnabled(False)
        self.action("redo").setEnabled(False)
        self.web.start()
        self._keyboard_path()
        self.originals = OriginalPages(self)  # the kept page, re-extraction, incomplete notice
        self.menus["&Article"].addAction(self.originals.reextract_action)
        self.menus["&View"].addAction(self.originals.view_action)
        self.research = research.install(self)  # codebook, concordance, charts, citations
        self.team_archives = TeamArchives(self)  # File → Open team archive…
        self.menus["&File"].insertAction(self.action("showReport"), self.team_archives.action)

        self.font_size = int(self.settings.value("reader/font_size", DEFAULT_FONT_SIZE))  # type: ignore[call-overload]
        family = self.settings.value("reader/font_family")
        if family:
            self.reader.set_font(str(family), self.font_size)
        else:
            self.reader.set_font_size(self.font_size)
        compact = self.settings.value("list/compact", False) in (True, "true")
        self.action("compactList").setChecked(compact)
        self.set_theme(self.theme)
        self._restore_settings()
        self.executor.read(archive.last_open, self._reopen)  # this member's, any computer
        self.update_actions()
        if seed and not archive.is_team:  # a team archive is filled by its members
            self.executor.write(
                lambda: archive.imports.seed_if_new(), lambda _r: self.redraw(EVERYTHING)
            )
        else:
            self.redraw(EVERYTHING)
        self.originals.offer_after_upgrade()

    # -- what parts use -----------------------------------------------------------------

    def widget(self) -> QWidget:
        return self

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    @property
    def sections_model(self) -> Any:
        return self.sidebar.model_

    def is_idle(self) -> bool:
        """Nothing running or about to run (a screenshot waits for this)."""
        timers = (self._sidebar_timer, self.search.timer)
        return self.executor.in_flight == 0 and not any(t.isActive() for t in timers)

    def feed_views(self) -> list[FeedView]:
        """The subscriptions as the sidebar last loaded them."""
        return self.sidebar.feeds()

    # -- building -----------------------------------------------------------------------

    def _toolbar(self) -> QToolBar:
        """Icons with tooltips; the search field takes the room left, so nothing
        overflows down to 900 px wide."""
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for name in TOOLBAR:
            if name == "|":
                toolbar.addSeparator()
            elif name == "SEARCH":
                toolbar.addWidget(self.search_field)
            else:
                toolbar.addAction(self.action(name))
        for action in toolbar.actions():
            button = toolbar.widgetForAction(action)
            if button is not None and action.objectName():
                button.setObjectName(action.objectName().removesuffix("Action") + "Button")
                button.setAccessibleName(action.text().replace("&", ""))
                button.setAccessibleDescription(action.toolTip())
        return toolbar

    def _keyboard_path(self) -> None:
        """Tab goes search → sidebar → list → reader → highlights, and round again."""
        path = [self.search_field, self.sidebar, self.article_list, self.reader.body,
                self.annotations_panel.list]  # fmt: skip
        for before, after in pairwise(path):
            QWidget.setTabOrder(before, after)
        self.reader.body.setTabChangesFocus(True)  # Tab leaves the reader, as in a browser

    def _theme_menu(self) -> None:
        menu = self.menus["&View"].addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions = []
        for theme in THEMES:
            action = menu.addAction(theme.capitalize())
            action.setObjectName(f"theme{theme.capitalize()}Action")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, theme=theme: self.set_theme(theme))
            group.addAction(action)
            self.theme_actions.append(action)

    def _draw_icons(self) -> None:
        color = themes.colors(self.theme).text
        for name, icon in ICON_NAMES.items():
            self.action(name).setIcon(icons.icon(icon, color))
        self._show_star_icon()

    def _show_star_icon(self) -> None:
        article = self.reader.article
        starred = article is not None and article.is_starred
        self.action("star").setIcon(
            icons.icon("star-filled" if starred else "star", themes.colors(self.theme).text)
        )

    def update_actions(self) -> None:
        article = self.reader.article
        has_article = article is not None
        for name in (
            "highlight",
            "note",
            "star",
            "toggleRead",
            "delete",
            "tag",
            "openOriginal",
            "copyLink",
            "find",
            *(f"highlight{c.capitalize()}" for c in COLORS),
        ):
            self.action(name).setEnabled(has_article)
        self.action("deleteHighlight").setEnabled(
            has_article and self.highlights.current() is not None
        )
        searching = bool(self.articles_model.query)
        self.action("saveSearch").setEnabled(searching)
        self.action("clearSearch").setEnabled(searching or bool(self.search_field.text()))
        has_hits = bool(self.reader.hits)
        self.action("nextHit").setEnabled(has_hits)
        self.action("previousHit").setEnabled(has_hits)
        if article is not None:
            star, read = self.action("star"), self.action("toggleRead")
            star.setText("Un&star" if article.is_starred else "&Star")
            star.setToolTip(("Unstar" if article.is_starred else "Star") + " the article (S)")
            read.setText("Mark &unread" if article.is_read else "Mark &read")
            read.setToolTip(("Mark unread" if article.is_read else "Mark read") + " (M)")
        self._show_star_icon()
        self._offer_only_what_the_archive_allows()

    def _offer_only_what_the_archive_allows(self) -> None:
        """Grey out the commands the archive would refuse (a team role's limits, a
        read-only file), saying why in the tooltip; the server refuses them anyway."""
        rights = self.archive.rights
        for spec in ACTIONS:
            if spec.needs is None or getattr(rights, spec.needs):
                continue
            action = self.action(spec.name)
            action.setEnabled(False)
            reason = ("the archive is read-only" if self.archive.read_only
                      else RIGHT_REASONS[spec.needs])  # fmt: skip
            action.setToolTip(f"{action.text().replace('&', '')} — {reason}")
        self.originals.reextract_action.setEnabled(rights.edit)

    # -- redrawing: the one place -------------------------------------------------------

    def redraw(self, changes: Changes) -> None:
        """Draw again what `changes` touched: counts, the list, highlights."""
        if changes.counts or changes.saved_searches:
            self.load_sidebar()
        if changes.listing:
            self.articles_model.refresh()  # keeps the rows until the new ones are in
        article = self.reader.article
        if article is not None and (article.id in changes.annotations or changes.elsewhere):
            self.highlights.reload(article.id)
        if changes.annotations or changes.elsewhere:
            self.highlights.refresh_library()
        self.update_actions()
        self.redrawn.emit(changes)

    def refresh(self) -> None:
        """Reload everything (kept for scripts and tests: `redraw(EVERYTHING)`)."""
        self.redraw(EVERYTHING)

    def load_sidebar(self) -> None:
        """Count again, soon: a burst of changes (j, j, j through the list, an import's
        batches) is counted once, a moment after it."""
        self._sidebar_timer.start()

    def _load_sidebar_now(self) -> None:
        """One count at a time, however many changes arrive: a big archive's counts take
        a while."""
        if self._sidebar_loading:
            self._sidebar_stale = True
            return
        self._sidebar_loading, self._sidebar_stale = True, False
        archive = self.archive
        self.executor.count(lambda: load_sidebar(archive), self._show_sidebar,
                            self._sidebar_failed)  # fmt: skip

    def _sidebar_failed(self, error: BaseException) -> None:
        self._sidebar_loading = False
        self.status.report_error("Could not count the articles", error)

    def _show_sidebar(self, data: SidebarData) -> None:
        self._sidebar_loading = False
        if self._sidebar_stale:
            self._load_sidebar_now()
        if data == self.sidebar.data:
            return  # the same counts: nothing to draw
        self.sidebar.data = data
        results = self.articles_model.results
        if self.articles_model.query and results is not None:
            self.search.show_facets(results)
        else:
            self.sidebar.show_data(data, self.articles_model.scope)
        self.sections_loaded.emit()

    # -- the list -----------------------------------------------------------------------

    def _scope_chosen(self, scope: Scope) -> None:
        if scope != self.articles_model.scope or self.articles_model.query:
            self.articles_model.set_scope(scope)

    def _saved_search_chosen(self, query: str) -> None:
        self.search_field.setText(query)
        self.run_search()

    def select_scope(self, scope: Scope) -> None:
        self.sidebar.select_scope(scope)

    def select_section(self, key: str | None) -> None:
        self.select_scope(Scope(section=key))

    def _feed_menu(self, feed: FeedView | None, folder: str | None, where: QPoint) -> None:
        self.web.feed_menu(feed, folder).popup(where)

    def _article_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            article_id = self.articles_model.article_id(indexes[0].row())
            if article_id is not None and article_id != self.reading.shown_id():
                self.open_article(article_id)

    def select_row(self, row: int) -> None:
        self.article_list.setCurrentIndex(self.articles_model.index(row, 0))

    def _remember_list_place(self) -> None:
        self._list_place = (self.reading.current_id, self.article_list.verticalScrollBar().value())

    def _list_loaded(self) -> None:
        """After a reload: the open article stays selected, the list keeps its place; an
        empty reader opens the first row."""
        model = self.articles_model
        current, scroll = self._list_place
        row = model.row_of(current) if current is not None else None
        if row is not None:
            selection = self.article_list.selectionModel()
            selection.blockSignals(True)
            self.article_list.setCurrentIndex(model.index(row, 0))
            selection.blockSignals(False)
            self.article_list.verticalScrollBar().setValue(scroll)
        elif self.reading.current_id is None and model.rowCount() > 0 and self._last_open_known:
            self.select_row(0)
        self._show_empty()

    def _show_empty(self) -> None:
        self.list_pane.show_empty(empty_message(self.articles_model))

    def _show_count(self, total: int) -> None:
        """How many articles the list holds; for a search, how many it found, and that
        only the first ones are listed when it found more than a list pages through."""
        results = self.articles_model.results
        if not self.articles_model.query or results is None:
            self.status.count_label.setText(f"{total:,} article{'' if total == 1 else 's'}")
            return
        found = max(results.total, total)
        text = f"{found:,} result{'' if found == 1 else 's'}"
        if found > total:
            text += f" · the first {total:,} listed"
        self.status.count_label.setText(text)

    # -- what tests and scripts call -------------------------------------------------

    def open_article(self, article_id: int) -> None:
        self.reading.open(article_id)

    def _reopen(self, last: int | None) -> None:
        """Open the article the member had open last, unless they opened one meanwhile;
        with none, the list's first row."""
        self._last_open_known = True
        if self.reading.current_id is not None:
            return
        if last is not None:
            self.open_article(last)
        elif self.articles_model.rowCount() > 0:
            self.select_row(0)

    def run_search(self) -> None:
        self.search.run()

    def clear_search(self) -> None:
        self.search.clear()

    def focus_search(self) -> None:
        self.search.focus()

    # -- importing ----------------------------------------------------------------------

    def import_paths(self, paths: list[Path]) -> None:
        self.imports.start(paths)

    def cancel_imports(self) -> None:
        self.imports.cancel()

    def show_import_report(self, report: ImportReport, what: str) -> None:
        self.imports.report_done(report, what)

    # -- reader controls ----------------------------------------------------------------

    def choose_font(self) -> None:
        chosen = FontChooser.ask(self, self.reader.body.font())
        if chosen is not None:
            self.set_reader_font(chosen.family(), chosen.pointSize())

    def set_reader_font(self, family: str, size: int) -> None:
        self.font_size = max(8, min(32, size))
        self.reader.set_font(family, self.font_size)
        self.settings.setValue("reader/font_family", family)
        self.settings.setValue("reader/font_size", self.font_size)

    def zoom(self, steps: int) -> None:
        self.set_zoom(self.font_size + steps)

    def set_zoom(self, size: int) -> None:
        self.font_size = max(8, min(32, size))
        self.reader.set_font_size(self.font_size)
        self.settings.setValue("reader/font_size", self.font_size)

    def zoom_in(self) -> None:
        self.zoom(+1)

    def zoom_out(self) -> None:
        self.zoom(-1)

    def zoom_reset(self) -> None:
        self.set_zoom(DEFAULT_FONT_SIZE)

    def set_compact(self, compact: bool) -> None:
        self.list_pane.set_compact(compact)
        self.settings.setValue("list/compact", compact)

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self, grouped(ACTIONS, self.actions_by_name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def set_theme(self, theme: str) -> None:
        self.theme = theme if theme in THEMES else "system"
        themes.apply(self.theme)
        self.settings.setValue("look/theme", self.theme)
        for action in self.theme_actions:
            action.setChecked(action.objectName() == f"theme{self.theme.capitalize()}Action")
        self.reader.set_theme(self.theme)
        self.list_pane.set_theme(self.theme)
        self.annotations_panel.set_theme(self.theme)
        self.sidebar.icon_color = themes.colors(self.theme).text
        if self.sidebar.data is not None and not self.articles_model.query:
            self.sidebar.show_data(self.sidebar.data, self.articles_model.scope)
        self._draw_icons()

    # -- settings and closing -----------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._panes_restored = False
        for splitter in self.findChildren(QSplitter):
            state = self.settings.value(f"window/{splitter.objectName()}")
            if isinstance(state, QByteArray):
                self._panes_restored = splitter.restoreState(state) or self._panes_restored

    def showEvent(self, event: Any) -> None:
        """The first time: panes in proportion to the window (a fixed list width would
        leave the reader a sliver at 900 px)."""
        if not self._panes_restored:
            width = max(self.width(), 600)
            self.splitter.setSizes([int(width * 0.17), int(width * 0.31), int(width * 0.52)])
            self._panes_restored = True
        super().showEvent(event)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for splitter in self.findChildren(QSplitter):
            self.settings.setValue(f"window/{splitter.objectName()}", splitter.saveState())

    def closeEvent(self, event: Any) -> None:
        self._save_settings()
        self.watch.stop()
        self.imports.cancel()
        self.highlights.close()
        self.web.stop()
        self.executor.shutdown()
        self.web.close_fetcher()
        self.commit_watch.close()
        super().closeEvent(event)
