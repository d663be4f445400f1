"""The sidebar: smart views, then collapsible groups (sections, sources, feeds in their
folders, tags, saved searches), each with its counts; while searching, results per section.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from newsreader.core.archive import Archive, SavedSearchView, SectionCount, View
from newsreader.core.counts import UnreadCounts
from newsreader.core.search.service import SectionFacet
from newsreader.core.web.feeds import FEED_SOURCE_PREFIX, FeedView, walk_feeds
from newsreader.ui import icons, themes
from newsreader.ui.article_list import Scope
from newsreader.ui.plain_text import literal

SCOPE_ROLE = Qt.ItemDataRole.UserRole + 1
SAVED_QUERY_ROLE = Qt.ItemDataRole.UserRole + 2
SAVED_ID_ROLE = Qt.ItemDataRole.UserRole + 3
FEED_ROLE = Qt.ItemDataRole.UserRole + 4
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 5
GROUP_ROLE = Qt.ItemDataRole.UserRole + 6
VIEWS: tuple[tuple[View, str, str], ...] = (
    ("all", "All articles", "all"),
    ("unread", "Unread", "unread"),
    ("starred", "Starred", "star"),
    ("annotated", "Annotated", "annotated"),
    ("recent", "Recently saved", "recent"),
)


@dataclass(frozen=True, slots=True)
class SidebarData:
    """What the sidebar lists, loaded in the background."""

    views: dict[str, int]
    sections: list[SectionCount]
    sources: list[SectionCount]
    saved: list[SavedSearchView]
    tags: list[SectionCount]
    feeds: list[FeedView]
    unread: UnreadCounts = field(default_factory=UnreadCounts)


def load_sidebar(archive: Archive) -> SidebarData:
    """Background job: every count the sidebar shows."""
    return SidebarData(
        archive.view_counts(),
        archive.sections(),
        archive.sources(),
        archive.saved_searches(),
        archive.tags(),
        archive.feeds.list_feeds(),
        archive.unread_counts(),
    )


class SidebarView(QTreeView):
    """The sidebar's tree; emits what the reader chose."""

    scope_chosen = Signal(object)  # Scope
    saved_search_chosen = Signal(str)  # its query
    feed_menu_requested = Signal(object, object, QPoint)  # FeedView | None, folder, where

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAccessibleName("Sections")
        self.setAccessibleDescription(
            "Smart views, sections, sources, feeds, tags and saved searches with their counts"
        )
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.selectionModel().selectionChanged.connect(self._chosen)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.collapsed.connect(lambda index: self._folded(index, True))
        self.expanded.connect(lambda index: self._folded(index, False))
        self.data: SidebarData | None = None
        self.folded: set[str] = set()  # groups the reader collapsed
        self.icon_color = themes.colors("light").text
        self._filling = False

    # -- filling ------------------------------------------------------------------------

    def show_data(self, data: SidebarData, chosen: Scope) -> None:
        self.data = data
        self._fill(chosen)

    def show_facets(self, facets: Sequence[SectionFacet], total: int, chosen: Scope) -> None:
        """While searching: the results per section."""
        self._fill(chosen, facets=facets, total=total)

    def _icon_item(self, text: str, icon: str, tooltip: str = "") -> QStandardItem:
        item = QStandardItem(text)
        item.setIcon(icons.icon(icon, self.icon_color))
        item.setToolTip(literal(tooltip or text))
        return item

    def _scope_item(
        self, text: str, scope: Scope | None, icon: str, tooltip: str = "", unread: int = 0
    ) -> QStandardItem:
        item = self._icon_item(text, icon, tooltip)
        item.setData(scope, SCOPE_ROLE)
        if unread:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        return item

    def _counted_group(
        self, name: str, icon: str, rows: list[tuple[SectionCount, int, Scope]]
    ) -> None:
        """A group of scopes, each with its count and unread count, the group's unread in
        its heading."""
        group = self._group(name, sum(n for _, n, _ in rows))
        for counted, n, scope in rows:
            tip = f"{counted.name}: {n:,} unread of {counted.count:,}"
            group.appendRow(self._scope_item(f"{counted.name} ({counted.count:,})", scope,
                                             icon, tip, n))  # fmt: skip

    def _group(self, name: str, unread: int) -> QStandardItem:
        text = f"{name} · {unread:,} unread" if unread else name
        group = QStandardItem(text)
        group.setData(name, GROUP_ROLE)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font()
        font.setBold(True)
        group.setFont(font)
        group.setAccessibleText(f"{text}, group")
        self.model_.appendRow(group)
        return group

    def _fill(
        self,
        chosen: Scope,
        *,
        facets: Sequence[SectionFacet] | None = None,
        total: int | None = None,
    ) -> None:
        self._filling = True
        self.selectionModel().blockSignals(True)
        self.model_.clear()
        root = self.model_.invisibleRootItem()
        data = self.data
        if facets is not None:
            root.appendRow(self._scope_item(f"All results ({total or 0:,})", Scope(), "search"))
            for facet in facets:
                root.appendRow(
                    self._scope_item(
                        f"{facet.name} ({facet.count:,})",
                        Scope(section=facet.key),
                        "section",
                        f"{facet.count} results in {facet.name}",
                    )
                )
        elif data is not None:
            self._fill_library(data)
        if data is not None and data.saved:
            group = self._group("Saved searches", 0)
            for search in data.saved:
                item = self._scope_item(search.name, None, "saved-search", search.query)
                item.setData(search.query, SAVED_QUERY_ROLE)
                item.setData(search.id, SAVED_ID_ROLE)
                group.appendRow(item)
        for row in range(self.model_.rowCount()):
            index = self.model_.index(row, 0)
            self.setExpanded(index, index.data(GROUP_ROLE) not in self.folded)
            for child in range(self.model_.rowCount(index)):
                inner = self.model_.index(child, 0, index)
                self.setExpanded(inner, inner.data(GROUP_ROLE) not in self.folded)
        found = self.index_of(chosen)
        self.setCurrentIndex(found if found is not None else self.model_.index(0, 0))
        self.selectionModel().blockSignals(False)
        self._filling = False

    def _fill_library(self, data: SidebarData) -> None:
        root = self.model_.invisibleRootItem()
        unread = data.unread
        for view, label, icon in VIEWS:
            count = data.views.get(view, 0)
            root.appendRow(
                self._scope_item(
                    f"{label} ({count:,})",
                    Scope(view=view),
                    icon,
                    unread=count if view == "unread" else 0,
                )
            )
        if data.sections:
            self._counted_group("Sections", "section", [
                (c, unread.sections.get(c.key, 0), Scope(section=c.key)) for c in data.sections
            ])  # fmt: skip
        sites = [s for s in data.sources if not s.key.startswith(FEED_SOURCE_PREFIX)]
        if len(sites) > 1:
            self._counted_group("Sources", "source", [
                (c, unread.sources.get(c.key, 0), Scope(source=c.key)) for c in sites
            ])  # fmt: skip
        if data.feeds:
            self._fill_feeds(data.feeds)
        if data.tags:
            self._counted_group("Tags", "tag", [
                (c, unread.tags.get(c.name, 0), Scope(tag=c.name)) for c in data.tags
            ])  # fmt: skip

    def _fill_feeds(self, feeds: list[FeedView]) -> None:
        """Feeds under their folders, each with its unread count and its state."""
        group = self._group("Feeds", sum(f.unread for f in feeds))
        for folder, members in walk_feeds(feeds):
            parent = group
            if folder:
                unread = sum(f.unread for f in members)
                parent = self._scope_item(
                    f"{folder} ({unread:,})",
                    Scope(folder=folder),
                    "folder",
                    f"{len(members)} feeds, {unread} unread",
                    unread,
                )
                parent.setData(folder, FOLDER_ROLE)
                parent.setData(f"folder:{folder}", GROUP_ROLE)
                group.appendRow(parent)
            for feed in members:
                icon = "feed-error" if feed.last_error else "feed"
                item = self._scope_item(
                    f"{feed.title} ({feed.unread:,})",
                    Scope(source=feed.source_key),
                    icon,
                    f"{feed.title}\n{feed.url}\n{feed.state}",
                    feed.unread,
                )
                item.setData(feed, FEED_ROLE)
                parent.appendRow(item)

    # -- reading it back ----------------------------------------------------------------

    def items(self) -> Iterator[QStandardItem]:
        """Every row, depth first, in the order shown."""

        def walk(parent: QStandardItem) -> Iterator[QStandardItem]:
            for row in range(parent.rowCount()):
                child = parent.child(row)
                yield child
                yield from walk(child)

        yield from walk(self.model_.invisibleRootItem())

    def texts(self) -> list[str]:
        return [item.text() for item in self.items()]

    def index_of(self, scope: Scope) -> QModelIndex | None:
        for item in self.items():
            if item.data(SCOPE_ROLE) == scope:
                return item.index()
        return None

    def select_scope(self, scope: Scope) -> bool:
        found = self.index_of(scope)
        if found is not None:
            self.setCurrentIndex(found)
        return found is not None

    def group_index(self, name: str) -> QModelIndex | None:
        for item in self.items():
            if item.data(GROUP_ROLE) == name:
                return item.index()
        return None

    # -- choosing -----------------------------------------------------------------------

    def _folded(self, index: QModelIndex, folded: bool) -> None:
        name = index.data(GROUP_ROLE)
        if name and not self._filling:
            (self.folded.add if folded else self.folded.discard)(name)

    def _chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        saved_query = indexes[0].data(SAVED_QUERY_ROLE)
        if saved_query:
            self.saved_search_chosen.emit(saved_query)
            return
        scope = indexes[0].data(SCOPE_ROLE)
        if isinstance(scope, Scope):
            self.scope_chosen.emit(scope)

    def _menu(self, point: QPoint) -> None:
        index = self.indexAt(point)
        feed, folder = index.data(FEED_ROLE), index.data(FOLDER_ROLE)
        if isinstance(feed, FeedView) or folder:
            self.feed_menu_requested.emit(
                feed if isinstance(feed, FeedView) else None,
                folder,
                self.viewport().mapToGlobal(point),
            )

    def feeds(self) -> list[FeedView]:
        return list(self.data.feeds) if self.data is not None else []
