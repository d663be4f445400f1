"""The main window: it only assembles the parts and wires them.

Sidebar (ui/sidebar.py), article list (ui/article_list.py), reader (ui/reader.py),
highlights (ui/highlights.py), imports (ui/imports.py), navigation (ui/navigation.py) and
the web (ui/web.py) each live in their own module; the commands come from the table in
ui/actions.py. Every change runs as an operation (ui/operations.py) whose `Changes` come
back to `redraw`, the one place that decides what to draw again — for this window's
changes and for those made elsewhere alike.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from newsreader.core.annotations import COLORS, AnnotationView
from newsreader.core.archive import Archive, ArticleDetail
from newsreader.core.changes import CommitWatch
from newsreader.core.ingest.report import ImportReport
from newsreader.core.related import RelatedArticles
from newsreader.core.search.service import SearchResults
from newsreader.core.search.text import Span, matching_spans
from newsreader.core.seed import seed_if_new
from newsreader.core.web.feeds import FeedView
from newsreader.ui import icons, themes
from newsreader.ui.actions import ACTIONS, TOOLBAR, build_actions, build_menus, grouped
from newsreader.ui.annotations import AnnotationsPanel
from newsreader.ui.article_list import ArticleListModel, ArticleListPane, Scope
from newsreader.ui.dialogs import FontChooser, SaveSearchDialog, ShortcutsDialog, TagDialog
from newsreader.ui.errors import human
from newsreader.ui.executor import Executor
from newsreader.ui.highlights import Highlights
from newsreader.ui.imports import Imports, summary_of
from newsreader.ui.links import open_in_browser
from newsreader.ui.navigation import Navigation
from newsreader.ui.operations import EVERYTHING, ArchiveWatch, Changes, Operations
from newsreader.ui.plain_text import message_box
from newsreader.ui.reader import ReaderView
from newsreader.ui.sidebar import SidebarData, SidebarView, load_sidebar
from newsreader.ui.status import StatusArea
from newsreader.ui.themes import THEMES
from newsreader.ui.undo import DoneCommand
from newsreader.ui.web import WebActions

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 250
DEFAULT_FONT_SIZE = 12
ICON_NAMES = {spec.name: spec.icon for spec in ACTIONS if spec.icon}
READER_MENU = ("highlight", *(f"highlight{c.capitalize()}" for c in COLORS), "note",
               "deleteHighlight", "reattach", "find")  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    article: ArticleDetail | None
    assets: dict[str, bytes]
    hits: list[Span]
    annotations: list[AnnotationView]


def load_article(
    archive: Archive, article_id: int, results: SearchResults | None = None
) -> LoadedArticle:
    """Background job: the article, its stored images, its highlights and where the
    current search's words stand. Reads only, so it never waits behind a writer."""
    article = archive.get(article_id)
    if article is None:
        return LoadedArticle(None, {}, [], [])
    assets: dict[str, bytes] = {}
    for block in article.blocks:
        if block.kind == "image" and block.src.startswith("asset:"):
            sha = block.src.removeprefix("asset:")
            found = archive.asset(sha)
            if found is not None:
                assets[sha] = found[1]
    hits = []
    if results is not None:
        hits = matching_spans(article.text, results.terms, results.prefixes)
    return LoadedArticle(article, assets, hits, archive.annotations.list(article_id))


def load_related(archive: Archive, article_id: int) -> RelatedArticles | None:
    """Background job, after the article shows: its related articles (computing them may
    wait for the write lock; the article never waits for them)."""
    try:
        return archive.related.for_article(article_id)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # also a Rust panic in the index: the article still shows
        log.exception("related articles of #%s could not be computed", article_id)
        return None


def archive_key(archive: Archive) -> str:
    """A settings key per archive file, so each remembers its own last article."""
    return hashlib.sha256(str(archive.path.resolve()).encode()).hexdigest()[:16]


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
        self.setWindowTitle(f"Newsreader — {archive.path.name}")
        self.resize(1280, 800)
        self.executor = Executor(self)
        self.status = StatusArea(self)
        self.commit_watch = CommitWatch(archive.path)
        self.ops = Operations(self.executor, self)
        self.ops.changed.connect(self.redraw)
        self.ops.failed.connect(lambda what, error: self.status.report_error(what, error))
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
        self.articles_model.loaded.connect(self._list_loaded)
        self.articles_model.modelAboutToBeReset.connect(self._remember_list_place)
        self.articles_model.search_finished.connect(self._search_finished)
        self.reader = ReaderView(self)
        self.reader.article_requested.connect(self.open_article)
        self.reader.web_link_clicked.connect(self.open_web_link)
        self.reader.link_refused.connect(self._link_refused)
        self.reader.body.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.body.customContextMenuRequested.connect(self._reader_menu)
        self.annotations_panel = AnnotationsPanel(self)
        self.navigation = Navigation(self)
        self.highlights = Highlights(self)
        self.highlights.changed.connect(self.annotations_changed)
        self.imports = Imports(self)
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

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("searchField")
        self.search_field.setAccessibleName("Search the archive")
        self.search_field.setAccessibleDescription(
            'Words, "phrases", -exclusions and filters such as section: or is:unread; '
            "Escape clears the search"
        )
        self.search_field.setPlaceholderText('Search (/)  words "phrases" -not section:…')
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(140)
        self.search_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search_field.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_field.returnPressed.connect(self.run_search)
        self._scope_before_search = Scope()
        self._sidebar_loading = self._sidebar_stale = False
        self._list_place: tuple[int | None, int] = (None, 0)

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
        last = self.settings.value(f"archives/{archive_key(archive)}/last_article")
        self._current_id: int | None = None
        if last is not None and str(last).isdigit():
            self.open_article(int(str(last)))
        self.update_actions()
        if seed:
            self.executor.write(lambda: seed_if_new(archive), lambda _r: self.redraw(EVERYTHING))
        else:
            self.redraw(EVERYTHING)

    # -- what parts use -----------------------------------------------------------------

    def widget(self) -> QWidget:
        return self

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    @property
    def sections_model(self) -> Any:
        return self.sidebar.model_

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
        """Count again; while a count runs, the next waits for it (one at a time, however
        many changes arrive: a big archive's counts take a while)."""
        if self._sidebar_loading:
            self._sidebar_stale = True
            return
        self._sidebar_loading, self._sidebar_stale = True, False
        archive, feeds = self.archive, self.web.feeds
        self.executor.count(lambda: load_sidebar(archive, feeds), self._show_sidebar,
                            self._sidebar_failed)  # fmt: skip

    def _sidebar_failed(self, error: BaseException) -> None:
        self._sidebar_loading = False
        self.status.report_error("Could not count the articles", error)

    def _show_sidebar(self, data: SidebarData) -> None:
        self._sidebar_loading = False
        if self._sidebar_stale:
            self.load_sidebar()
        self.sidebar.data = data
        results = self.articles_model.results
        if self.articles_model.query and results is not None:
            self._show_facets(results)
        else:
            self.sidebar.show_data(data, self.articles_model.scope)
        self.sections_loaded.emit()

    def _show_facets(self, results: SearchResults) -> None:
        if self.articles_model.section is None:
            self.sidebar.show_facets(results.facets, results.total, self.articles_model.scope)

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
            if article_id is not None and article_id != self._shown_id():
                self.open_article(article_id)

    def _shown_id(self) -> int | None:
        article = self.reader.article
        return article.id if article is not None else None

    def select_row(self, row: int) -> None:
        self.article_list.setCurrentIndex(self.articles_model.index(row, 0))

    def _remember_list_place(self) -> None:
        self._list_place = (self._current_id, self.article_list.verticalScrollBar().value())

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
        elif self._current_id is None and model.rowCount() > 0:
            self.select_row(0)
        self._show_empty()

    def _show_empty(self) -> None:
        model = self.articles_model
        if model.rowCount() > 0:
            self.list_pane.show_empty("")
            return
        if model.query:
            results = model.results
            hints = " ".join(results.hints) if results is not None else ""
            message = f"No articles match “{model.query}”."
            message += f"\n\n{hints}" if hints else ""
            message += (
                "\n\nCheck the spelling, try fewer or other words, or press Escape to go back."
            )
        else:
            scope = model.scope
            message = {
                "unread": "Nothing unread here: you have read it all.",
                "starred": "No starred articles yet: press S on an article to star it.",
                "annotated": "No highlights yet: select text in an article and press H.",
                "recent": "Nothing saved in the last seven days.",
            }.get(scope.view, "No articles here yet: File → Import files… or Save web page…")
        self.list_pane.show_empty(message)

    def _show_count(self, total: int) -> None:
        noun = "result" if self.articles_model.query else "article"
        noun += "" if total == 1 else "s"
        self.status.count_label.setText(f"{total:,} {noun}")

    # -- searching ----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def run_search(self) -> None:
        """List the search field's results; an empty field goes back to the view that was
        shown before the search, and the reader's search marks go."""
        self._search_timer.stop()
        query = self.search_field.text().strip()
        model = self.articles_model
        if query == model.query:
            return
        if not model.query:
            self._scope_before_search = model.scope
        self.status.search_hint.hide()
        self.list_pane.set_searching(bool(query))
        if query:
            model.set_query(query)
        else:
            model._query = ""
            model.set_scope(self._scope_before_search)
            self.reader.set_hits([])
            if self.sidebar.data is not None:
                self.sidebar.show_data(self.sidebar.data, self._scope_before_search)
        self.update_actions()

    def clear_search(self) -> None:
        self.search_field.clear()
        self.run_search()
        self.article_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def escape(self) -> None:
        """Escape: closes the find bar if it is open, else ends the search."""
        if self.reader.find_bar.isVisible():
            self.reader.find_bar.close_bar()
        elif self.articles_model.query or self.search_field.text():
            self.clear_search()

    def _search_finished(self, results: SearchResults) -> None:
        self._show_facets(results)
        self.status.search_hint.setText(" ".join(results.hints))
        self.status.search_hint.setVisible(bool(results.hints))
        self._mark_hits()
        self._show_empty()

    def _mark_hits(self) -> None:
        """The open article's search marks follow the current search."""
        article, results = self.reader.article, self.articles_model.results
        if article is None or results is None or not self.articles_model.query:
            return
        text = article.text
        self.executor.read(
            lambda: matching_spans(text, results.terms, results.prefixes),
            lambda hits: self._show_hits(article.id, hits),
        )

    def _show_hits(self, article_id: int, hits: list[Span]) -> None:
        if self._shown_id() == article_id and self.articles_model.query:
            self.reader.set_hits(hits)
            self.update_actions()

    def save_current_search(self) -> None:
        query = self.articles_model.query
        if not query:
            return
        name = SaveSearchDialog.ask(self, query)
        if name:
            self.ops.write(
                "Could not save the search",
                lambda: self.archive.save_search(name, query),
                Changes(saved_searches=True),
            )

    # -- reading ------------------------------------------------------------------------

    def open_article(self, article_id: int) -> None:
        """Show an article in the reader (loaded in the background) and mark it read."""
        self._current_id = article_id
        results = self.articles_model.results if self.articles_model.query else None
        self.executor.read(
            lambda: load_article(self.archive, article_id, results),
            lambda loaded: self._show_article(article_id, loaded),
            lambda error: self.status.report_error("Could not open the article", error),
        )

    def _show_article(self, article_id: int, loaded: LoadedArticle) -> None:
        if article_id != self._current_id:
            return  # the reader has moved on to another article meanwhile
        article = loaded.article
        if article is None:
            self.reader.show_placeholder("This article is no longer in the archive.")
            self.annotations_panel.show_annotations([])
            self.update_actions()
            return
        self.reader.show_article(article, loaded.assets)
        self.highlights.show(loaded.annotations)
        self.reader.set_hits(loaded.hits)
        if not loaded.hits:  # the search may have finished while the article loaded
            self._mark_hits()
        self.navigation.remember(article_id)
        self.update_actions()
        archive = self.archive
        self.executor.read(
            lambda: load_related(archive, article_id),
            lambda related: self._show_related(article_id, related),
        )
        if not article.is_read:
            self._set_flags(article, is_read=True)
        self.article_shown.emit(article_id)

    def _show_related(self, article_id: int, related: RelatedArticles | None) -> None:
        if related is not None and self._shown_id() == article_id:
            self.reader.show_related(related)

    def reader_menu(self, point: QPoint) -> QMenu:
        """The reader's own menu (copy, select all) and the highlight commands."""
        menu = self.reader.body.createStandardContextMenu(point)
        menu.addSeparator()
        for name in READER_MENU:
            menu.addAction(self.action(name))
        return menu

    def _reader_menu(self, point: QPoint) -> None:
        menu = self.reader_menu(point)
        menu.exec(self.reader.body.mapToGlobal(point))
        menu.deleteLater()

    def focus_reader(self) -> None:
        self.reader.body.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- changing -----------------------------------------------------------------------

    def _set_flags(self, article: ArticleDetail, **flags: bool) -> None:
        """Show a read/star change at once; if the archive does not keep it (read-only,
        another program holding the lock), it is undone on screen and the status bar says
        why."""
        before = {name: getattr(article, name) for name in flags}
        self._replace_shown(article.id, flags)
        archive = self.archive

        def write() -> None:
            if "is_read" in flags:
                archive.mark_read(article.id, flags["is_read"])
            if "is_starred" in flags:
                archive.star(article.id, flags["is_starred"])

        what = (
            "Could not star the article"
            if "is_starred" in flags
            else "Could not mark the article read"
        )
        self.ops.write(
            what,
            write,
            Changes(counts=True, articles=frozenset({article.id})),
            on_failed=lambda _error: self._replace_shown(article.id, before),
        )

    def _replace_shown(self, article_id: int, flags: dict[str, bool]) -> None:
        shown = self.reader.article
        if shown is not None and shown.id == article_id:
            self.reader.article = replace(shown, **flags)  # type: ignore[arg-type]
        self.articles_model.update_row(article_id, **flags)
        self.update_actions()

    def toggle_read(self) -> None:
        article = self.reader.article
        if article is not None:
            self._set_flags(article, is_read=not article.is_read)

    def toggle_star(self) -> None:
        article = self.reader.article
        if article is not None:
            self._set_flags(article, is_starred=not article.is_starred)

    def delete_current(self) -> None:
        """Delete the open article; Ctrl+Z brings it back with its highlights and flags."""
        article = self.reader.article
        if article is None:
            return
        archive = self.archive
        state: dict[str, Any] = {"id": article.id, "snapshot": None}

        def delete() -> None:
            state["snapshot"] = archive.snapshot(state["id"])
            archive.delete(state["id"])

        def restore() -> None:
            def restored(article_id: int) -> None:
                state["id"] = article_id
                self.status.message("Article restored")
                self.open_article(article_id)

            snapshot = state["snapshot"]
            self.ops.write(
                "Could not restore the article",
                lambda: archive.restore(snapshot),
                EVERYTHING,
                restored,
            )

        def redo() -> None:
            self.ops.write("Could not delete the article", delete, EVERYTHING)

        def deleted(_result: None) -> None:
            self.reader.show_placeholder(f"Deleted “{article.title}”. Ctrl+Z brings it back.")
            self.annotations_panel.show_annotations([])
            self.status.message(f"Deleted “{article.title}” — Ctrl+Z brings it back", 8000)
            self.undo_stack.push(DoneCommand(f"Delete “{article.title[:40]}”", restore, redo))
            self.article_deleted.emit(article.id)

        self.ops.write("Could not delete the article", delete, EVERYTHING, deleted)

    def edit_tags(self) -> None:
        article = self.reader.article
        if article is None:
            return
        article_id = article.id

        def ask(current: list[str]) -> None:
            answer = TagDialog.ask(self, current)
            if answer is not None:
                self.ops.write(
                    "Could not tag the article",
                    lambda: self.archive.set_tags(article_id, answer),
                    Changes(counts=True),
                    lambda _tags: self._tags_saved(),
                )

        self.executor.read(lambda: self.archive.article_tags(article_id), ask)

    def _tags_saved(self) -> None:
        self.status.message("Tags saved", 3000)
        self.tags_changed.emit()

    # -- links --------------------------------------------------------------------------

    def open_original(self) -> None:
        article = self.reader.article
        if article is not None and article.url:
            self.open_web_link(article.url)

    def open_web_link(self, url: str) -> None:
        """Only http(s) addresses go to the browser; anything else is shown, not opened."""
        if not open_in_browser(url):
            self._link_refused(url)

    def _link_refused(self, url: str) -> None:
        box = message_box(
            self,
            QMessageBox.Icon.Information,
            "Not opened",
            "This address is not a web page, so Newsreader does not hand it to "
            f"other programs:\n\n{url}",
        )
        box.setObjectName("linkRefusedBox")
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    def copy_link(self) -> None:
        article = self.reader.article
        if article is not None:
            QGuiApplication.clipboard().setText(article.url or f"newsreader://article/{article.id}")
            self.status.message("Link copied", 3000)

    # -- importing ----------------------------------------------------------------------

    def import_paths(self, paths: list[Path]) -> None:
        self.imports.start(paths)

    def cancel_imports(self) -> None:
        self.imports.cancel()

    def show_import_report(self, report: ImportReport, what: str) -> None:
        """The counts in the status bar, kept behind "Show report"; a single page that
        could not be saved says why in words."""
        summary = summary_of(report, what)
        self.imports.keep(report, summary)
        self.status.message(summary, 15000)
        self.status.done_working()
        failures = [i for i in report.items if i.status in ("failed", "skipped")]
        if len(report.items) == 1 and failures:
            item = failures[0]
            self.status.report_error("Could not save the page", item.reason or item.status)
            self.status.bar.showMessage(
                f"Could not save the page. {human(item.reason, url=item.item)}", 15000
            )
        elif failures:
            self.status.show_problems(
                "Import report", summary, [f"{i.item}: {i.reason}" for i in failures]
            )
        self.import_finished.emit(report)
        self.ops.done(EVERYTHING)

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
        if self.reader.article is not None:
            key = f"archives/{archive_key(self.archive)}/last_article"
            self.settings.setValue(key, self.reader.article.id)

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
