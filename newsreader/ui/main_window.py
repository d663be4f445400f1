"""The main window: sections sidebar, article list, reader pane."""

from __future__ import annotations

import html
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFontDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from newsreader.core.annotations import COLORS, AnnotationView
from newsreader.core.archive import Archive, ArticleDetail, SavedSearchView, SectionCount, View
from newsreader.core.importing import ImportReport, import_paths
from newsreader.core.related import RelatedArticles
from newsreader.core.search.service import SearchResults, SectionFacet
from newsreader.core.search.text import Span, matching_spans
from newsreader.core.seed import seed_if_new
from newsreader.core.web.feeds import FEED_SOURCE_PREFIX, FeedView, walk_feeds
from newsreader.ui import themes
from newsreader.ui.annotations import AnnotationsPanel, LibraryAnnotationsDialog, NoteDialog
from newsreader.ui.article_list import ArticleListModel, Scope, SnippetDelegate
from newsreader.ui.executor import Executor
from newsreader.ui.original import OriginalPages
from newsreader.ui.plain_text import literal, message_box, plain_label
from newsreader.ui.reader import ReaderView
from newsreader.ui.themes import THEMES
from newsreader.ui.web import WebActions

log = logging.getLogger(__name__)
SCOPE_ROLE = Qt.ItemDataRole.UserRole + 1
SAVED_QUERY_ROLE = Qt.ItemDataRole.UserRole + 2
SAVED_ID_ROLE = Qt.ItemDataRole.UserRole + 3
FEED_ROLE = Qt.ItemDataRole.UserRole + 4
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 5
VIEW_LABELS: tuple[tuple[View, str], ...] = (
    ("all", "All articles"), ("unread", "Unread"), ("starred", "Starred"),
    ("annotated", "Annotated"), ("recent", "Recently saved"),
)  # fmt: skip
SEARCH_DELAY_MS = 250
UI_SWITCH_INTERVAL_S = 0.001
SNIPPET_ROW_LINES = 5  # a search hit's row: its title and four lines of its passage


class ImportProgress(QObject):
    """Carries progress from the import thread to the UI thread (a queued signal)."""

    changed = Signal(int, int)


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    article: ArticleDetail | None
    assets: dict[str, bytes]
    hits: list[Span]
    annotations: list[AnnotationView]
    related: RelatedArticles | None


def load_article(
    archive: Archive, article_id: int, results: SearchResults | None = None
) -> LoadedArticle:
    """Background job: the article, the bytes of its stored images, and where the current
    search's words stand in its text."""
    article = archive.get(article_id)
    assets: dict[str, bytes] = {}
    if article is not None:
        for block in article.blocks:
            if block.kind == "image" and block.src.startswith("asset:"):
                sha = block.src.removeprefix("asset:")
                found = archive.asset(sha)
                if found is not None:
                    assets[sha] = found[1]
    hits = []
    if article is not None and results is not None:
        hits = matching_spans(article.text, results.terms, results.prefixes)
    annotations = archive.annotations.list(article_id) if article is not None else []
    related = None
    if article is not None:
        try:
            related = archive.related.for_article(article_id)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # also a Rust panic in the index: the article still shows
            log.exception("related articles of #%s could not be computed", article_id)
    return LoadedArticle(article, assets, hits, annotations, related)


@dataclass(frozen=True, slots=True)
class Sidebar:
    """What the sidebar lists, loaded in the background."""

    views: dict[str, int]
    sections: list[SectionCount]
    sources: list[SectionCount]
    saved: list[SavedSearchView]
    tags: list[SectionCount]
    feeds: list[FeedView]


class ImportDialog:
    """Asks what to import (classmethods, so tests can answer in the user's place)."""

    @classmethod
    def ask_files(cls, parent: QWidget) -> list[Path]:
        files, _filter = QFileDialog.getOpenFileNames(
            parent, "Import articles", str(Path.home()),
            "Articles, exports and web archives (*.html *.htm *.mhtml *.mht *.txt *.jsonl "
            "*.gz *.warc *.csv *.json *.zip);;All files (*)",
        )  # fmt: skip
        return [Path(f) for f in files]

    @classmethod
    def ask_folder(cls, parent: QWidget) -> Path | None:
        folder = QFileDialog.getExistingDirectory(parent, "Import a folder", str(Path.home()))
        return Path(folder) if folder else None


class FontDialog:
    """Asks for the reader's font (a classmethod, so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget, current: QFont) -> QFont | None:
        accepted, font = QFontDialog.getFont(current, parent, "Reader font")
        return font if accepted else None


class TagDialog:
    """Asks for an article's tags, comma-separated (a classmethod, so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget, current: list[str]) -> list[str] | None:
        text, accepted = QInputDialog.getText(
            parent, "Tags", "Tags, separated by commas:", text=", ".join(current)
        )
        return [t.strip() for t in text.split(",") if t.strip()] if accepted else None


class SaveSearchDialog:
    """Asks for a saved search's name (a classmethod, so tests can replace it)."""

    @classmethod
    def ask(cls, parent: QWidget, query: str) -> str | None:
        name, accepted = QInputDialog.getText(
            parent, "Save search", literal(f"A name for the search “{query}”:"), text=query
        )
        return name.strip() if accepted and name.strip() else None


class MainWindow(QMainWindow):
    """Three panes over one archive; all database work goes through the executor."""

    article_shown = Signal(int)
    annotations_changed = Signal(int)
    tags_changed = Signal()
    article_deleted = Signal(int)  # article id, after its highlights were redrawn
    import_finished = Signal(object)  # ImportReport
    sections_loaded = Signal()

    def __init__(
        self, archive: Archive, *, seed: bool = True, settings: QSettings | None = None,
        parent: QWidget | None = None,
    ):  # fmt: skip
        super().__init__(parent)
        # Background jobs are Python too: hand the interpreter to the UI thread within a
        # millisecond, not the default five, so a busy import never stalls the window.
        sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
        self.archive = archive
        self.executor = Executor(self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"Newsreader — {archive.path.name}")
        self.resize(1280, 800)

        self.sections_model = QStandardItemModel(self)
        self.sidebar = QListView(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setModel(self.sections_model)
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.selectionModel().selectionChanged.connect(self._section_chosen)

        self.articles_model = ArticleListModel(archive, self.executor, self)
        self.article_list = QTableView(self)
        self.article_list.setObjectName("articleList")
        self.article_list.setAccessibleName("Articles")
        self.article_list.setModel(self.articles_model)
        self.article_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.article_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.article_list.setSortingEnabled(True)
        self.article_list.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.article_list.verticalHeader().hide()
        self.article_list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.article_list.setShowGrid(False)
        self.article_list.setWordWrap(False)
        header = self.article_list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths: sizing a column to its contents would read every row of the list.
        for column, width in ((1, 100), (2, 100), (3, 92)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.article_list.selectionModel().selectionChanged.connect(self._article_chosen)
        self.article_list.setItemDelegateForColumn(0, SnippetDelegate(self.article_list))
        self.articles_model.modelReset.connect(self._fit_row_height)
        self.articles_model.total_changed.connect(self._show_count)
        self.articles_model.loaded.connect(self._open_first_if_none)

        self.reader = ReaderView(self)
        self.reader.article_requested.connect(self.open_article)
        self.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)

        self.annotations_panel = AnnotationsPanel(self)
        self.annotations_panel.annotation_clicked.connect(self._go_to_annotation)
        self.reader.body.cursorPositionChanged.connect(self._cursor_moved)
        self.reader.body.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.body.customContextMenuRequested.connect(self._reader_menu)
        self._undo: list[tuple[str, Callable[[], Any]]] = []  # (what, how to undo it)
        self._library: LibraryAnnotationsDialog | None = None
        reading = QSplitter(self)
        reading.setObjectName("readingSplitter")
        reading.addWidget(self.reader)
        reading.addWidget(self.annotations_panel)
        reading.setSizes([600, 200])
        splitter = QSplitter(self)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.article_list)
        splitter.addWidget(reading)
        splitter.setSizes([180, 520, 740])
        self.setCentralWidget(splitter)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("articleCount")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busyIndicator")
        self.busy.setMaximumWidth(180)
        self.busy.hide()
        self.cancel_import_button = QPushButton("Cancel import", self)
        self.cancel_import_button.setObjectName("cancelImportButton")
        self.cancel_import_button.setAccessibleName("Cancel import")
        self.cancel_import_button.clicked.connect(self.cancel_imports)
        self.cancel_import_button.hide()
        self._import_cancels: set[threading.Event] = set()
        self.work_label = QLabel(self)
        self.work_label.setObjectName("workLabel")
        self.offline_label = QLabel("Offline", self)
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.setToolTip("Working offline: nothing is fetched (Feeds menu)")
        self.offline_label.hide()
        self.statusBar().addPermanentWidget(self.offline_label)
        self.statusBar().addPermanentWidget(self.work_label)
        self.statusBar().addPermanentWidget(self.cancel_import_button)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.count_label)
        self.executor.busy_changed.connect(self._show_busy)

        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("searchField")
        self.search_field.setAccessibleName("Search the archive")
        self.search_field.setPlaceholderText('Search (/)  words "phrases" -not section:…')
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(320)
        self.search_field.textChanged.connect(self._search_typed)
        self.search_field.returnPressed.connect(self.run_search)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search_hint = plain_label("", self)
        self.search_hint.setObjectName("searchHint")
        self.search_hint.hide()
        self.statusBar().addWidget(self.search_hint)
        self._sidebar: Sidebar | None = None
        self.settings = settings if settings is not None else QSettings()
        self.theme = str(self.settings.value("look/theme", "system"))
        self.font_size = int(self.settings.value("reader/font_size", 12))  # type: ignore[call-overload]
        family = self.settings.value("reader/font_family")
        if family:
            self.reader.set_font(str(family), self.font_size)
        else:
            self.reader.set_font_size(self.font_size)
        self._back: list[int] = []
        self._forward: list[int] = []
        self._navigating = False
        self._last_find = ""
        last = self.settings.value("reader/last_article")
        self._current_id = None
        if last is not None:
            self._current_id = int(last)
            self.open_article(self._current_id)
        self._last_color = COLORS[0]
        self.articles_model.search_finished.connect(self._show_search_facets)
        self.web = WebActions(self)
        self.reader.save_requested.connect(self.web.offer_to_save)
        self.originals = OriginalPages(self)
        self._make_actions()
        themes.apply(self.theme)
        self._restore_settings()
        if seed:
            self.executor.write(lambda: seed_if_new(archive), lambda _report: self.refresh())
        else:
            self.refresh()
        self.originals.offer_after_upgrade()

    # -- actions ------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Callable[[], Any], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.import_files_action = self._action(
            "importFilesAction", "&Import files…", self.choose_files_to_import, "Ctrl+O"
        )
        self.import_folder_action = self._action(
            "importFolderAction", "Import &folder…", self.choose_folder_to_import, "Ctrl+Shift+O"
        )
        quit_action = self._action("quitAction", "&Quit", self.close, "Ctrl+Q")
        self.star_action = self._action("starAction", "&Star", self.toggle_star, "S")
        self.read_action = self._action("toggleReadAction", "&Mark unread", self.toggle_read, "M")
        self.delete_action = self._action("deleteAction", "&Delete", self.delete_current, "Del")
        self.next_action = self._action("nextArticleAction", "Next article", self.next_article, "J")
        self.previous_action = self._action(
            "previousArticleAction", "Previous article", self.previous_article, "K"
        )
        self.page_action = self._action(
            "pageDownAction", "Page down, then next unread", self.page_down_or_next_unread, "Space"
        )
        self.back_action = self._action("backAction", "Back", self.go_back, "Alt+Left")
        self.forward_action = self._action("forwardAction", "Forward", self.go_forward,
                                           "Alt+Right")  # fmt: skip
        self.find_action = self._action("findAction", "&Find in article…", self.find_in_article,
                                        "Ctrl+F")  # fmt: skip
        self.font_action = self._action("readerFontAction", "Reader &font…", self.choose_font)
        self.zoom_in_action = self._action("zoomInAction", "Larger text",
                                           lambda: self.zoom(+1), "Ctrl++")  # fmt: skip
        self.zoom_out_action = self._action("zoomOutAction", "Smaller text",
                                            lambda: self.zoom(-1), "Ctrl+-")  # fmt: skip
        self.tag_action = self._action("tagAction", "&Tags…", self.edit_tags, "T")
        self.read_here_action = self._action(
            "readHereAction", "Read the article", self.reader.body.setFocus, "Return"
        )
        self.removeAction(self.read_here_action)  # Enter in the list only, not in fields
        self.read_here_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.article_list.addAction(self.read_here_action)
        self.open_original_action = self._action("openOriginalAction", "Open original",
                                                 self.open_original, "Ctrl+Shift+B")  # fmt: skip
        self.copy_link_action = self._action("copyLinkAction", "Copy link", self.copy_link,
                                             "Ctrl+Shift+C")  # fmt: skip
        self.shortcuts_action = self._action("shortcutsAction", "&Keyboard shortcuts",
                                             self.show_shortcuts, "F1")  # fmt: skip
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.import_files_action, self.import_folder_action,
                              self.web.save_url_action])  # fmt: skip
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        article_menu = self.menuBar().addMenu("&Article")
        article_menu.addActions([self.star_action, self.read_action, self.tag_action,
                                 self.delete_action,
                                 self.open_original_action, self.copy_link_action,
                                 self.originals.reextract_action])  # fmt: skip
        self.next_hit_action = self._action("nextHitAction", "Next hit", self.reader.next_hit, "F3")
        self.previous_hit_action = self._action(
            "previousHitAction", "Previous hit", self.reader.previous_hit, "Shift+F3"
        )
        self.save_search_action = self._action(
            "saveSearchAction", "Save search…", self.save_current_search, "Ctrl+Shift+S"
        )
        self.highlight_action = self._action(
            "highlightAction", "&Highlight", lambda: self.highlight(None), "H"
        )
        self.color_actions = [
            self._action(f"highlight{c.capitalize()}Action", f"Highlight {c}",
                         self._highlighter(c), str(n))
            for n, c in enumerate(COLORS, start=1)
        ]  # fmt: skip
        self.note_action = self._action("noteAction", "&Note…", self.edit_note, "N")
        self.delete_highlight_action = self._action(
            "deleteHighlightAction", "Delete highlight", self.delete_highlight, "Shift+Del"
        )
        self.undo_action = self._action("undoAction", "&Undo", self.undo, "Ctrl+Z")
        self.reattach_action = self._action(
            "reattachAction", "Re-attach highlight to selection", self.reattach_highlight
        )
        self.library_action = self._action(
            "libraryAnnotationsAction", "All &highlights…", self.show_library, "Ctrl+Shift+A"
        )
        annotate_menu = self.menuBar().addMenu("&Highlights")
        annotate_menu.addActions([self.highlight_action, *self.color_actions, self.note_action,
                                  self.delete_highlight_action, self.reattach_action,
                                  self.undo_action, self.library_action])  # fmt: skip
        focus_search = self._action("focusSearchAction", "Search", self.focus_search, "/")
        search_menu = self.menuBar().addMenu("&Search")
        search_menu.addActions([focus_search, self.next_hit_action, self.previous_hit_action,
                                self.save_search_action])  # fmt: skip
        self.theme_actions = []
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addActions([self.next_action, self.previous_action, self.page_action,
                              self.back_action, self.forward_action, self.find_action,
                              self.zoom_in_action, self.zoom_out_action,
                              self.font_action, self.originals.view_action])  # fmt: skip
        theme_menu = view_menu.addMenu("&Theme")
        theme_group = QActionGroup(self)
        for theme in THEMES:
            action = theme_menu.addAction(theme.capitalize())
            action.setObjectName(f"theme{theme.capitalize()}Action")
            action.setCheckable(True)
            action.setChecked(theme == self.theme)
            action.triggered.connect(self._theme_setter(theme))
            theme_group.addAction(action)
            self.theme_actions.append(action)
        self.menuBar().addMenu(self.web.menu(self))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addActions([self.back_action, self.forward_action, self.import_files_action,
                            self.star_action, self.read_action, self.delete_action])  # fmt: skip
        toolbar.addSeparator()
        toolbar.addActions([self.highlight_action, self.note_action])
        toolbar.addSeparator()
        toolbar.addWidget(self.search_field)
        toolbar.addActions([self.previous_hit_action, self.next_hit_action])
        self._update_actions()

    def _update_actions(self) -> None:
        has_article = self.reader.article is not None
        for action in (self.highlight_action, self.note_action, *self.color_actions):
            action.setEnabled(has_article)
        on_highlight = has_article and self.current_annotation() is not None
        self.delete_highlight_action.setEnabled(on_highlight)
        self.undo_action.setEnabled(bool(self._undo))
        searching = bool(self.articles_model.query)
        self.save_search_action.setEnabled(searching)
        has_hits = bool(self.reader.hits)
        self.next_hit_action.setEnabled(has_hits)
        self.previous_hit_action.setEnabled(has_hits)
        article = self.reader.article
        for action in (self.star_action, self.read_action, self.delete_action):
            action.setEnabled(article is not None)
        if article is not None:
            self.star_action.setText("Un&star" if article.is_starred else "&Star")
            self.read_action.setText("&Mark unread" if article.is_read else "&Mark read")

    # -- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the sidebar (views, sections, sources, feeds, saved searches) and the list."""
        archive, feeds = self.archive, self.web.feeds
        self.executor.read(
            lambda: Sidebar(archive.view_counts(), archive.sections(), archive.sources(),
                            archive.saved_searches(), archive.tags(), feeds.list_feeds()),
            self._fill_sidebar,
        )  # fmt: skip
        self.articles_model.reload()

    def _fill_sidebar(self, sidebar: Sidebar) -> None:
        self._sidebar = sidebar
        if not self.articles_model.query:
            self._fill_scopes()

    def _show_search_facets(self, results: SearchResults) -> None:
        """While searching, the sidebar counts the results per section."""
        if self.articles_model.section is None:
            self._fill_scopes(results.facets, results.total)
        self.search_hint.setText(" ".join(results.hints))
        self.search_hint.setVisible(bool(results.hints))

    def _add_heading(self, text: str) -> None:
        heading = QStandardItem(text)
        heading.setFlags(Qt.ItemFlag.NoItemFlags)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.sections_model.appendRow(heading)

    def _add_scope(self, text: str, scope: Scope | None, tooltip: str = "") -> QStandardItem:
        item = QStandardItem(text)
        item.setData(scope, SCOPE_ROLE)
        item.setToolTip(literal(tooltip or text))
        self.sections_model.appendRow(item)
        return item

    def _fill_scopes(
        self, facets: Sequence[SectionFacet] | None = None, total: int | None = None
    ) -> None:
        """The sidebar: smart views, sections, sources, saved searches — or, while
        searching, the results per section."""
        chosen = self.articles_model.scope
        sidebar = self._sidebar
        self.sidebar.selectionModel().blockSignals(True)
        self.sections_model.clear()
        if facets is not None:
            self._add_scope(f"All results ({total or 0})", Scope())
            for facet in facets:
                self._add_scope(f"{facet.name} ({facet.count})", Scope(section=facet.key),
                                f"{facet.count} results in {facet.name}")  # fmt: skip
        elif sidebar is not None:
            for view, label in VIEW_LABELS:
                count = sidebar.views.get(view, 0)
                self._add_scope(f"{label} ({count:,})", Scope(view=view))
            if sidebar.sections:
                self._add_heading("Sections")
                for section in sidebar.sections:
                    self._add_scope(f"{section.name} ({section.count:,})",
                                    Scope(section=section.key))  # fmt: skip
            sites = [s for s in sidebar.sources if not s.key.startswith(FEED_SOURCE_PREFIX)]
            if len(sites) > 1:
                self._add_heading("Sources")
                for source in sites:
                    self._add_scope(f"{source.name} ({source.count:,})",
                                    Scope(source=source.key))  # fmt: skip
            if sidebar.feeds:
                self._fill_feeds(sidebar.feeds)
            if sidebar.tags:
                self._add_heading("Tags")
                for tag in sidebar.tags:
                    self._add_scope(f"🏷 {tag.name} ({tag.count:,})", Scope(tag=tag.name))
        saved = sidebar.saved if sidebar is not None else []
        if saved:
            self._add_heading("Saved searches")
            for search in saved:
                item = self._add_scope(f"🔍 {search.name}", None, search.query)
                item.setData(search.query, SAVED_QUERY_ROLE)
                item.setData(search.id, SAVED_ID_ROLE)
        row = next(
            (r for r in range(self.sections_model.rowCount())
             if self.sections_model.item(r).data(SCOPE_ROLE) == chosen),
            0,
        )  # fmt: skip
        self.sidebar.setCurrentIndex(self.sections_model.index(row, 0))
        self.sidebar.selectionModel().blockSignals(False)
        self.sections_loaded.emit()

    def _fill_feeds(self, feeds: list[FeedView]) -> None:
        """Feeds under their folders, each with its unread count and its state."""
        self._add_heading("Feeds")
        for folder, members in walk_feeds(feeds):
            indent = ""
            if folder:
                unread = sum(f.unread for f in members)
                item = self._add_scope(f"📁 {folder} ({unread:,})", Scope(folder=folder),
                                       f"{len(members)} feeds, {unread} unread")  # fmt: skip
                item.setData(folder, FOLDER_ROLE)
                indent = "    "
            for feed in members:
                mark = "⚠ " if feed.last_error else ""
                item = self._add_scope(f"{indent}{mark}{feed.title} ({feed.unread:,})",
                                       Scope(source=feed.source_key),
                                       f"{feed.title}\n{feed.url}\n{feed.state}")  # fmt: skip
                item.setData(feed, FEED_ROLE)

    def feed_views(self) -> list[FeedView]:
        """The subscriptions as the sidebar last loaded them."""
        return list(self._sidebar.feeds) if self._sidebar is not None else []

    def _sidebar_menu(self, point: Any) -> None:
        index = self.sidebar.indexAt(point)
        feed, folder = index.data(FEED_ROLE), index.data(FOLDER_ROLE)
        if isinstance(feed, FeedView) or folder:
            menu = self.web.feed_menu(feed if isinstance(feed, FeedView) else None, folder)
            menu.popup(self.sidebar.viewport().mapToGlobal(point))

    def _section_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        saved_query = indexes[0].data(SAVED_QUERY_ROLE)
        if saved_query:
            self.search_field.setText(saved_query)
            self.run_search()
            return
        scope = indexes[0].data(SCOPE_ROLE)
        if isinstance(scope, Scope):
            self.articles_model.set_scope(scope)

    def select_section(self, key: str | None) -> None:
        self.select_scope(Scope(section=key))

    def select_scope(self, scope: Scope) -> None:
        for row in range(self.sections_model.rowCount()):
            if self.sections_model.item(row).data(SCOPE_ROLE) == scope:
                self.sidebar.setCurrentIndex(self.sections_model.index(row, 0))
                return

    def _article_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            article_id = self.articles_model.article_id(indexes[0].row())
            if article_id is not None:
                self.open_article(article_id)

    def _fit_row_height(self) -> None:
        """One line a row; a search's rows also show a few lines of the matching passage.
        Fixed heights keep a million-row list from measuring every row."""
        line = self.article_list.fontMetrics().lineSpacing()
        searching = bool(self.articles_model.query)
        self.article_list.verticalHeader().setDefaultSectionSize(
            line * SNIPPET_ROW_LINES + 10 if searching else line + 8
        )

    # -- navigating ---------------------------------------------------------------------

    def _current_row(self) -> int:
        index = self.article_list.currentIndex()
        return index.row() if index.isValid() else -1

    def next_article(self) -> None:
        row = self._current_row() + 1
        if row < self.articles_model.rowCount():
            self.select_row(row)

    def previous_article(self) -> None:
        if self._current_row() > 0:
            self.select_row(self._current_row() - 1)

    def page_down_or_next_unread(self) -> None:
        """Space: page down the article; at its end, the next unread article."""
        bar = self.reader.body.verticalScrollBar()
        if bar.value() < bar.maximum():
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
            return
        model = self.articles_model
        for row in range(self._current_row() + 1, model.rowCount()):
            if model.data(model.index(row, 0), Qt.ItemDataRole.FontRole) is not None:  # unread
                self.select_row(row)
                return

    def go_back(self) -> None:
        if len(self._back) > 1:
            self._forward.append(self._back.pop())
            self._open_from_history(self._back[-1])

    def go_forward(self) -> None:
        if self._forward:
            article_id = self._forward.pop()
            self._back.append(article_id)
            self._open_from_history(article_id)

    def _open_from_history(self, article_id: int) -> None:
        self._navigating = True
        self.open_article(article_id)

    def _remember(self, article_id: int) -> None:
        """Back/forward history across articles and the links between them."""
        if self._navigating:
            self._navigating = False
        elif not self._back or self._back[-1] != article_id:
            self._back.append(article_id)
            self._forward.clear()
        self.back_action.setEnabled(len(self._back) > 1)
        self.forward_action.setEnabled(bool(self._forward))

    def find_in_article(self) -> None:
        text, accepted = QInputDialog.getText(self, "Find in article", "Find:",
                                              text=self._last_find)  # fmt: skip
        if accepted and text:
            self._last_find = text
            if not self.reader.body.find(text):  # from the top again
                self.reader.body.moveCursor(QTextCursor.MoveOperation.Start)
                if not self.reader.body.find(text):
                    self.statusBar().showMessage(f"“{text}” is not in this article", 4000)

    def choose_font(self) -> None:
        chosen = FontDialog.ask(self, self.reader.body.font())
        if chosen is not None:
            self.set_reader_font(chosen.family(), chosen.pointSize())

    def set_reader_font(self, family: str, size: int) -> None:
        self.font_size = max(8, min(32, size))
        self.reader.set_font(family, self.font_size)
        self.settings.setValue("reader/font_family", family)
        self.settings.setValue("reader/font_size", self.font_size)

    def zoom(self, steps: int) -> None:
        self.font_size = max(8, min(32, self.font_size + steps))
        self.reader.set_font_size(self.font_size)
        self.settings.setValue("reader/font_size", self.font_size)

    def open_original(self) -> None:
        article = self.reader.article
        if article is not None and article.url:
            QDesktopServices.openUrl(QUrl(article.url))  # the reader asked for it

    def edit_tags(self) -> None:
        article = self.reader.article
        if article is None:
            return
        article_id = article.id

        def ask(current: list[str]) -> None:
            answer = TagDialog.ask(self, current)
            if answer is not None:
                self.executor.write(
                    lambda: self.archive.set_tags(article_id, answer),
                    lambda _tags: self._tags_changed(),
                    lambda error: self._report_error("Could not tag the article", error),
                )

        self.executor.read(lambda: self.archive.article_tags(article_id), ask)

    def _tags_changed(self) -> None:
        self.statusBar().showMessage("Tags saved", 3000)
        self.executor.read(self.archive.tags, self._show_tags)

    def _show_tags(self, tags: list[SectionCount]) -> None:
        if self._sidebar is not None:
            self._sidebar = replace(self._sidebar, tags=tags)
            if not self.articles_model.query:
                self._fill_scopes()
        self.tags_changed.emit()

    def copy_link(self) -> None:
        article = self.reader.article
        if article is not None:
            link = article.url or f"newsreader://article/{article.id}"
            QGuiApplication.clipboard().setText(link)
            self.statusBar().showMessage("Link copied", 3000)

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{html.escape(action.shortcut().toString())}</b></td>"
            f"<td>{html.escape(action.text().replace('&', ''))}</td></tr>"
            for action in self.actions()
            if not action.shortcut().isEmpty()
        )
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                          f"<table cellspacing=6>{rows}</table>", parent=self)  # fmt: skip
        box.setObjectName("shortcutsDialog")
        box.setModal(False)
        box.show()

    def _theme_setter(self, theme: str) -> Callable[[], None]:
        return lambda: self.set_theme(theme)

    def set_theme(self, theme: str) -> None:
        self.theme = theme if theme in THEMES else "system"
        themes.apply(self.theme)
        self.settings.setValue("look/theme", self.theme)
        for action in self.theme_actions:
            action.setChecked(action.objectName() == f"theme{self.theme.capitalize()}Action")

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for splitter in self.findChildren(QSplitter):
            state = self.settings.value(f"window/{splitter.objectName()}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for splitter in self.findChildren(QSplitter):
            self.settings.setValue(f"window/{splitter.objectName()}", splitter.saveState())
        if self.reader.article is not None:
            self.settings.setValue("reader/last_article", self.reader.article.id)

    # -- highlights ---------------------------------------------------------------------

    def _show_annotations(self, annotations: list[AnnotationView]) -> None:
        self.reader.set_annotations(annotations)
        self.annotations_panel.show_annotations(annotations)
        self._cursor_moved()

    def _reload_annotations(self, then: Callable[[], None] | None = None) -> None:
        article = self.reader.article
        if article is None:
            return
        article_id = article.id

        def show(annotations: list[AnnotationView]) -> None:
            if self.reader.article is not None and self.reader.article.id == article_id:
                self._show_annotations(annotations)
                self.annotations_changed.emit(article_id)
                if then is not None:
                    then()

        self.executor.read(lambda: self.archive.annotations.list(article_id), show)
        if self._library is not None and self._library.isVisible():
            self._refresh_library(self._library.filters())

    def current_annotation(self) -> AnnotationView | None:
        """The highlight under the reader's cursor, else the one chosen in the panel."""
        if self.reader.article is None:
            return None
        found = self.reader.annotation_at(self.reader.body.textCursor().position())
        return found or self.annotations_panel.current()

    def _cursor_moved(self) -> None:
        found = self.reader.annotation_at(self.reader.body.textCursor().position())
        if found is not None:
            self.annotations_panel.select(found.id)
        self._update_actions()

    def _go_to_annotation(self, annotation: AnnotationView) -> None:
        if annotation.start is not None and annotation.end is not None:
            self.reader.select_span(annotation.start, annotation.end)
        self._update_actions()

    def _annotation_write(self, fn: Callable[[], Any], done: str = "") -> None:
        """Run an annotation change on the writer thread, then redraw the highlights."""

        def finished(_result: Any) -> None:
            if done:
                self.statusBar().showMessage(done, 4000)
            self._reload_annotations()

        self.executor.write(fn, finished, lambda error: self._report_error("Highlight", error))

    def _highlighter(self, color: str) -> Callable[[], None]:
        return lambda: self.highlight(color)

    def highlight(self, color: str | None) -> None:
        """Highlight the selection, or recolour the highlight under the cursor."""
        article = self.reader.article
        span = self.reader.selected_span()
        if article is not None and span is not None:
            start, end = span
            chosen = color or self._last_color
            self._last_color = chosen
            self._annotation_write(
                lambda: self.archive.annotations.create(article.id, start, end, color=chosen)
            )
            return
        current = self.current_annotation()
        if current is not None and color is not None:
            self._annotation_write(lambda: self.archive.annotations.update(current.id, color=color))

    def edit_note(self) -> None:
        """Write a note: on the selection (making a highlight) or on the current highlight."""
        article = self.reader.article
        span = self.reader.selected_span()
        if article is not None and span is not None:
            start, end = span
            answer = NoteDialog.ask(self, article.text[start:end])
            if answer is None:
                return
            note, tags = answer
            color = self._last_color
            self._annotation_write(lambda: self.archive.annotations.create(
                article.id, start, end, color=color, note=note, tags=tags))  # fmt: skip
            return
        current = self.current_annotation()
        if current is None:
            return
        answer = NoteDialog.ask(self, current.exact, current.note, current.tags)
        if answer is not None:
            note, tags = answer
            self._annotation_write(
                lambda: self.archive.annotations.update(current.id, note=note, tags=tags)
            )

    def delete_highlight(self) -> None:
        current = self.current_annotation()
        if current is None:
            return

        def delete() -> AnnotationView:
            gone = self.archive.annotations.delete(current.id)
            self._undo.append(("highlight", lambda: self.archive.annotations.restore(gone)))
            return gone

        self._annotation_write(delete, "Highlight deleted — Ctrl+Z brings it back")

    def undo(self) -> None:
        """Undo the last deletion (of a highlight or of an article)."""
        if not self._undo:
            return
        what, restore = self._undo.pop()
        if what == "highlight":
            self._annotation_write(restore, "Highlight restored")
        else:
            self.executor.write(
                restore, self._after_article_restored,
                lambda error: self._report_error("Could not restore the article", error),
            )  # fmt: skip

    def _after_article_restored(self, article_id: int) -> None:
        self.statusBar().showMessage("Article restored", 4000)
        self.refresh()
        self.open_article(article_id)
        self._update_actions()

    def reattach_highlight(self) -> None:
        current = self.annotations_panel.current()
        span = self.reader.selected_span()
        if current is None or span is None:
            self.statusBar().showMessage("Choose a highlight in the panel and select text", 4000)
            return
        start, end = span
        self._annotation_write(lambda: self.archive.annotations.reattach(current.id, start, end))

    def _reader_menu(self, point: Any) -> None:
        menu = self.reader.body.createStandardContextMenu(point)
        menu.addSeparator()
        menu.addActions([self.highlight_action, *self.color_actions, self.note_action,
                         self.delete_highlight_action, self.reattach_action])  # fmt: skip
        menu.exec(self.reader.body.mapToGlobal(point))
        menu.deleteLater()

    def show_library(self) -> None:
        if self._library is None:
            self._library = LibraryAnnotationsDialog(self)
            self._library.filters_changed.connect(self._refresh_library)
            self._library.open_requested.connect(self._open_annotation)
        self._library.show()
        self._library.raise_()
        self._refresh_library(self._library.filters())

    def _refresh_library(self, filters: dict[str, Any]) -> None:
        library = self._library
        if library is not None:
            self.executor.read(
                lambda: self.archive.annotations.list(**filters), library.show_annotations
            )

    def _open_annotation(self, annotation: AnnotationView) -> None:
        """Open an annotation's article with the highlight selected."""

        def select(article_id: int) -> None:
            if article_id == annotation.article_id:
                self.article_shown.disconnect(select)
                self._go_to_annotation(annotation)

        self.article_shown.connect(select)
        self.open_article(annotation.article_id)

    # -- searching ----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def _search_typed(self, _text: str) -> None:
        self._search_timer.start()  # searches once typing pauses

    def run_search(self) -> None:
        """List the results of the search field's query (or the section, when empty)."""
        self._search_timer.stop()
        query = self.search_field.text().strip()
        if query == self.articles_model.query:
            return
        was_searching = bool(self.articles_model.query)
        self.articles_model.set_query(query)
        self.search_hint.hide()
        if was_searching and not query:
            self.refresh()
        self._update_actions()

    def save_current_search(self) -> None:
        query = self.articles_model.query
        if not query:
            return
        name = SaveSearchDialog.ask(self, query)
        if not name:
            return
        self.executor.write(
            lambda: self.archive.save_search(name, query),
            lambda _saved: self.executor.read(
                self.archive.saved_searches, self._show_saved_searches
            ),
            lambda error: self._report_error("Could not save the search", error),
        )

    def _show_saved_searches(self, saved: list[SavedSearchView]) -> None:
        if self._sidebar is not None:
            self._sidebar = replace(self._sidebar, saved=saved)
        if self.articles_model.results is not None:
            self._show_search_facets(self.articles_model.results)
        else:
            self._fill_scopes()

    def _open_first_if_none(self) -> None:
        """The reader is never empty when there is something to read."""
        if self._current_id is None and self.articles_model.rowCount() > 0:
            self.select_row(0)

    def select_row(self, row: int) -> None:
        self.article_list.selectRow(row)

    def open_article(self, article_id: int) -> None:
        """Show an article in the reader (loaded in the background) and mark it read."""
        self._current_id = article_id
        results = self.articles_model.results
        self.executor.read(
            lambda: load_article(self.archive, article_id, results),
            lambda loaded: self._show_article(article_id, loaded),
            lambda error: self._report_error("Could not open the article", error),
        )

    def _show_article(self, article_id: int, loaded: LoadedArticle) -> None:
        if article_id != self._current_id:
            return  # the reader has moved on to another article meanwhile
        article = loaded.article
        if article is None:
            self.reader.show_placeholder("This article is no longer in the archive.")
            self._update_actions()
            return
        self.reader.show_article(article, loaded.assets)
        if loaded.related is not None:
            self.reader.show_related(loaded.related)
        self._show_annotations(loaded.annotations)
        self.reader.set_hits(loaded.hits)
        self._remember(article_id)
        self._update_actions()
        if not article.is_read:
            self._set_read(article, True)
        self.article_shown.emit(article_id)

    # -- changing -----------------------------------------------------------------------

    def _set_read(self, article: ArticleDetail, read: bool) -> None:
        self.executor.write(lambda: self.archive.mark_read(article.id, read))
        self._replace_shown(article, is_read=read)

    def toggle_read(self) -> None:
        if self.reader.article is not None:
            self._set_read(self.reader.article, not self.reader.article.is_read)

    def toggle_star(self) -> None:
        article = self.reader.article
        if article is None:
            return
        starred = not article.is_starred
        self.executor.write(lambda: self.archive.star(article.id, starred))
        self._replace_shown(article, is_starred=starred)

    def _replace_shown(
        self, article: ArticleDetail, *, is_read: bool | None = None,
        is_starred: bool | None = None,
    ) -> None:  # fmt: skip
        """Show a flag change at once; the write itself runs in the background."""
        changes = {"is_read": is_read, "is_starred": is_starred}
        changes = {k: v for k, v in changes.items() if v is not None}
        self.reader.article = replace(article, **changes)  # type: ignore[arg-type]
        self.articles_model.update_row(article.id, **changes)
        self._update_actions()

    def delete_current(self) -> None:
        article = self.reader.article
        if article is None:
            return

        def delete() -> None:
            snapshot = self.archive.snapshot(article.id)
            if self.archive.delete(article.id) and snapshot is not None:
                self._undo.append(("article", lambda: self.archive.restore(snapshot)))

        self.executor.write(
            delete,
            lambda _done: self._after_delete(article),
            lambda error: self._report_error("Could not delete the article", error),
        )

    def _after_delete(self, article: ArticleDetail) -> None:
        self.reader.show_placeholder(f"Deleted “{article.title}”. Ctrl+Z brings it back.")
        self.statusBar().showMessage(f"Deleted “{article.title}” — Ctrl+Z brings it back", 8000)
        self.article_deleted.emit(article.id)
        self._update_actions()
        self.refresh()

    # -- importing ----------------------------------------------------------------------

    def choose_files_to_import(self) -> None:
        files = ImportDialog.ask_files(self)
        if files:
            self.import_paths(files)

    def choose_folder_to_import(self) -> None:
        folder = ImportDialog.ask_folder(self)
        if folder is not None:
            self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        """Import in the background; progress in the status bar, a report at the end."""
        progress = ImportProgress(self)
        progress.changed.connect(self._show_import_progress)
        cancel = threading.Event()
        self._import_cancels.add(cancel)
        self.show_work("Importing…")
        self.cancel_import_button.show()

        def finished(report: ImportReport) -> None:
            self._import_cancels.discard(cancel)
            self._import_done(report)

        def failed(error: BaseException) -> None:
            self._import_cancels.discard(cancel)
            self.cancel_import_button.setVisible(bool(self._import_cancels))
            self._report_error("The import failed", error)

        self.executor.long(
            lambda: import_paths(
                self.archive, paths, progress=progress.changed.emit, should_cancel=cancel.is_set
            ),
            finished,
            failed,
        )

    def cancel_imports(self) -> None:
        """Stop running imports after the item at hand; what was saved stays saved."""
        for cancel in self._import_cancels:
            cancel.set()
        self.statusBar().showMessage("Cancelling the import…")

    def _show_import_progress(self, done: int, total: int) -> None:
        self.show_progress(done, total, "Importing…")

    def _import_done(self, report: ImportReport) -> None:
        self.cancel_import_button.setVisible(bool(self._import_cancels))
        self.show_import_report(report, "Import finished")
        self.import_finished.emit(report)

    def show_import_report(self, report: ImportReport, what: str) -> None:
        """The counts in the status bar; failures, if any, in a non-modal report."""
        counts = report.counts()
        summary = (
            f"{what}: {counts['saved']} saved, {counts['updated']} updated, "
            f"{counts['duplicate']} duplicate, "
            + (f"{counts['queued']} queued for fetching, " if counts["queued"] else "")
            + f"{counts['failed']} failed"
            + (f", {counts['skipped']} skipped" if counts["skipped"] else "")
        )
        if counts["queued"]:
            summary += " — Feeds → Fetch queued pages brings the queued ones in"
        self.statusBar().showMessage(summary, 15000)
        self.done_working()
        failures = [i for i in report.items if i.status in ("failed", "skipped")]
        if failures:
            self.show_problems("Import report", summary,
                               [f"{i.item}: {i.reason}" for i in failures])  # fmt: skip
        self.refresh()

    def show_problems(self, title: str, summary: str, lines: list[str]) -> None:
        box = message_box(self, QMessageBox.Icon.Warning, title, summary)
        box.setObjectName("importReport")
        box.setDetailedText("\n".join(lines))
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    def show_work(self, message: str) -> None:
        """Background work has started: a busy bar and a message in the status bar."""
        self.busy.setRange(0, 0)
        self.busy.show()
        self.statusBar().showMessage(message)

    def show_progress(self, done: int, total: int, what: str = "Working…") -> None:
        self.busy.setRange(0, max(total, 1))
        self.busy.setValue(done)
        self.busy.show()
        self.statusBar().showMessage(f"{what} {done} of {total}")

    def done_working(self) -> None:
        self.busy.hide()

    def set_offline_label(self, offline: bool) -> None:
        self.offline_label.setVisible(offline)

    # -- status -------------------------------------------------------------------------

    def _show_count(self, total: int) -> None:
        noun = "result" if self.articles_model.query else "article"
        noun += "" if total == 1 else "s"
        self.count_label.setText(f"{total:,} {noun}")

    def _show_busy(self, in_flight: int) -> None:
        """Background work shows in the status bar while it runs."""
        self.work_label.setText("Working…" if in_flight else "")
        if in_flight == 0 and self.busy.maximum() == 0:
            self.busy.hide()

    def _report_error(self, what: str, error: BaseException) -> None:
        log.error("%s", what, exc_info=error)
        self.statusBar().showMessage(f"{what}: {error}", 15000)
        self.busy.hide()

    def closeEvent(self, event: Any) -> None:
        self._save_settings()
        self.cancel_imports()
        self.web.stop()
        self.executor.shutdown()
        self.web.close_fetcher()
        super().closeEvent(event)
