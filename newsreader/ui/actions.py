"""Every command of the window in one declarative table: name, text, slot, shortcuts, icon,
menu. The window builds its QActions, menus and toolbar from it; adding a command is adding
a row (the slot names a method of the window, or of one of its parts: "web.refresh_all").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from newsreader.core.annotations import COLORS

Right = Literal["mark", "annotate", "edit"]
RIGHT_REASONS: dict[Right, str] = {
    "mark": "this archive cannot be written",
    "annotate": "your role in this team archive may not highlight",
    "edit": "your role in this team archive may not change articles or feeds",
}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str  # objectName is f"{name}Action"
    text: str
    slot: str  # a method path from the window: "reading.toggle_star", "web.refresh_all"
    shortcuts: tuple[str, ...] = ()
    menu: str = ""  # the menu's title, "" for none
    icon: str = ""  # a name in resources/icons
    tip: str = ""  # tooltip and accessible description
    checkable: bool = False
    separator: bool = False  # a separator before it in its menu
    widget_only: bool = False  # the shortcut works only in the widget it is added to
    # What the archive must let the member do for the command to be offered (Archive.rights:
    # "mark", "annotate" or "edit"); greyed out otherwise, e.g. for a team's reader.
    needs: Right | None = None


MENUS = ("&File", "&Article", "&Highlights", "&Search", "&View", "Fee&ds", "&Help")
ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("importFiles", "&Import files…", "imports.choose_files", ("Ctrl+O",), "&File",
               "import", "Import articles, exports or web archives", needs="edit"),
    ActionSpec("importFolder", "Import &folder…", "imports.choose_folder", ("Ctrl+Shift+O",),
               "&File", needs="edit"),
    ActionSpec("saveUrl", "Save &web page…", "web.ask_for_urls", ("Ctrl+L",), "&File",
               needs="edit"),
    ActionSpec("showReport", "Last import &report…", "imports.show_report", (), "&File",
               "report", "Every item of the last import, exportable as CSV or JSON",
               separator=True),
    ActionSpec("quit", "&Quit", "close", ("Ctrl+Q",), "&File", separator=True),
    # Article
    ActionSpec("star", "&Star", "reading.toggle_star", ("S",), "&Article", "star",
               "Star or unstar the article (S)", needs="mark"),
    ActionSpec("toggleRead", "Mark &unread", "reading.toggle_read", ("M",), "&Article", "read",
               "Mark the article read or unread (M)", needs="mark"),
    ActionSpec("tag", "&Tags…", "reading.edit_tags", ("T",), "&Article", "tag", needs="edit"),
    ActionSpec("delete", "&Delete", "reading.delete", ("Del",), "&Article", "delete",
               "Delete the article (Ctrl+Z brings it back)", needs="edit"),
    ActionSpec("openOriginal", "Open &original", "reading.open_original", ("Ctrl+Shift+B",),
               "&Article", tip="Open the article's web address in the browser",
               separator=True),
    ActionSpec("copyLink", "Copy &link", "reading.copy_link", ("Ctrl+Shift+C",), "&Article"),
    ActionSpec("undo", "&Undo", "undo_stack.undo", ("Ctrl+Z",), "&Article", separator=True),
    ActionSpec("redo", "&Redo", "undo_stack.redo", ("Ctrl+Shift+Z",), "&Article"),
    # Highlights
    ActionSpec("highlight", "&Highlight", "highlights.highlight_selection", ("H",),
               "&Highlights", "highlight", "Highlight the selection (H; 1–5 pick a colour)",
               needs="annotate"),
    *(
        ActionSpec(f"highlight{color.capitalize()}", f"Highlight {color}",
                   f"highlights.highlight_{color}", (str(n),), "&Highlights", needs="annotate")
        for n, color in enumerate(COLORS, start=1)
    ),
    ActionSpec("note", "&Note…", "highlights.edit_note", ("N",), "&Highlights", "note",
               "Write a note on the selection or the highlight (N)", needs="annotate"),
    ActionSpec("deleteHighlight", "Delete highlight", "highlights.delete", ("Shift+Del",),
               "&Highlights", needs="annotate"),
    ActionSpec("reattach", "Re-attach highlight to selection", "highlights.reattach", (),
               "&Highlights", needs="annotate"),
    ActionSpec("libraryAnnotations", "All &highlights", "highlights.show_library",
               ("Ctrl+Shift+A",), "&Highlights", separator=True),
    ActionSpec("exportMarkdown", "Export highlights as &Markdown…",
               "highlights.export_markdown", (), "&Highlights"),
    ActionSpec("exportJsonld", "Export highlights as &JSON-LD…", "highlights.export_jsonld",
               (), "&Highlights"),
    ActionSpec("exportCsv", "Export highlights as &CSV…", "highlights.export_csv", (),
               "&Highlights"),
    # Search
    ActionSpec("focusSearch", "&Search", "search.focus", ("/", "Ctrl+K"), "&Search", "search"),
    ActionSpec("clearSearch", "&Clear search", "search.clear", (), "&Search",
               tip="Clear the search and go back to the view before it (Escape)"),
    ActionSpec("previousHit", "Previous hit", "reader.previous_hit", ("Shift+F3",),
               "&Search", "up", "Previous place the search found in this article"),
    ActionSpec("nextHit", "Next hit", "reader.next_hit", ("F3",), "&Search", "down",
               "Next place the search found in this article"),
    ActionSpec("saveSearch", "Save search…", "search.save_current", ("Ctrl+Shift+S",),
               "&Search", "saved-search"),
    # View
    ActionSpec("nextArticle", "Next article", "navigation.next_article", ("J",), "&View",
               "down"),
    ActionSpec("previousArticle", "Previous article", "navigation.previous_article", ("K",),
               "&View", "up"),
    ActionSpec("pageDown", "Page down, then next unread", "navigation.page_down_or_next_unread",
               ("Space",), "&View"),
    ActionSpec("back", "Back", "navigation.go_back", ("Alt+Left",), "&View", "back",
               "Back to the article read before (Alt+Left)"),
    ActionSpec("forward", "Forward", "navigation.go_forward", ("Alt+Right",), "&View",
               "forward", "Forward again (Alt+Right)"),
    ActionSpec("find", "&Find in article", "reader.find_bar.open", ("Ctrl+F",), "&View",
               "find", separator=True),
    ActionSpec("zoomIn", "Larger text", "zoom_in", ("Ctrl+=", "Ctrl++"), "&View"),
    ActionSpec("zoomOut", "Smaller text", "zoom_out", ("Ctrl+-",), "&View"),
    ActionSpec("zoomReset", "Actual size", "zoom_reset", ("Ctrl+0",), "&View"),
    ActionSpec("readerFont", "Reader &font…", "choose_font", (), "&View"),
    ActionSpec("compactList", "&Compact list", "set_compact", (), "&View",
               tip="One line a row in the article list", checkable=True, separator=True),
    ActionSpec("readHere", "Read the article", "reading.focus_reader", ("Return",),
               widget_only=True),
    ActionSpec("escape", "Clear search or close find", "search.escape", ("Escape",)),
    # Feeds
    ActionSpec("subscribe", "&Subscribe to a feed…", "web.ask_to_subscribe",
               ("Ctrl+Shift+F",), "Fee&ds", needs="edit"),
    ActionSpec("refreshFeeds", "&Refresh all feeds", "web.refresh_all", ("F5",), "Fee&ds",
               needs="edit"),
    ActionSpec("fetchQueue", "Fetch &queued pages", "web.fetch_queue", (), "Fee&ds", needs="edit"),
    ActionSpec("importOpml", "&Import subscriptions (OPML)…", "web.ask_import_opml", (),
               "Fee&ds", separator=True, needs="edit"),
    ActionSpec("exportOpml", "&Export subscriptions (OPML)…", "web.ask_export_opml", (),
               "Fee&ds"),
    ActionSpec("workOffline", "Work &offline", "web.toggle_offline", (), "Fee&ds",
               checkable=True, separator=True),
    # Help
    ActionSpec("shortcuts", "&Keyboard shortcuts", "show_shortcuts", ("F1",), "&Help"),
)  # fmt: skip
TOOLBAR = ("back", "forward", "|", "importFiles", "|", "star", "toggleRead", "delete", "|",
           "highlight", "note", "|", "SEARCH", "previousHit", "nextHit")  # fmt: skip


def resolve(root: object, path: str) -> Callable[..., Any]:
    """The callable a spec's slot names, from the window."""
    target: Any = root
    for part in path.split("."):
        target = getattr(target, part)
    return target


def build_actions(owner: QObject, specs: Iterable[ActionSpec]) -> dict[str, QAction]:
    """One QAction per spec, its slot connected, owned by (and added to) `owner`."""
    actions = {}
    for spec in specs:
        action = QAction(spec.text, owner)
        action.setObjectName(f"{spec.name}Action")
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setCheckable(spec.checkable)
        if spec.tip:
            action.setToolTip(spec.tip)
            action.setStatusTip(spec.tip)
        slot = resolve(owner, spec.slot)
        if spec.checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        if spec.widget_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        elif hasattr(owner, "addAction"):
            owner.addAction(action)
        actions[spec.name] = action
    return actions


def build_menus(bar: QMenuBar, specs: Iterable[ActionSpec],
                actions: dict[str, QAction]) -> dict[str, QMenu]:  # fmt: skip
    menus = {title: bar.addMenu(title) for title in MENUS}
    for title, menu in menus.items():
        menu.setObjectName(title.replace("&", "").lower() + "Menu")
    for spec in specs:
        if spec.menu:
            menu = menus[spec.menu]
            if spec.separator and not menu.isEmpty():
                menu.addSeparator()
            menu.addAction(actions[spec.name])
    return menus


def grouped(specs: Iterable[ActionSpec],
            actions: dict[str, QAction]) -> list[tuple[str, list[QAction]]]:  # fmt: skip
    """The actions by menu, for the shortcuts dialog (the rest under "General")."""
    groups: dict[str, list[QAction]] = {title: [] for title in (*MENUS, "General")}
    for spec in specs:
        groups[spec.menu or "General"].append(actions[spec.name])
    return [(title, found) for title, found in groups.items() if found]
