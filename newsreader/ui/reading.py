"""Reading in the window: opening an article (it never waits behind a writer), its flags
(read, starred: shown at once, undone on screen if the archive cannot keep them), deleting
it undoably, its tags, and the links that may leave the app (http(s) only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox

from newsreader.core.annotations import COLORS, AnnotationView
from newsreader.core.archive import Archive, ArticleDetail
from newsreader.core.related import RelatedArticles
from newsreader.core.search.service import SearchResults
from newsreader.core.search.text import Span, matching_spans
from newsreader.ui.dialogs import TagDialog
from newsreader.ui.host import Window
from newsreader.ui.links import open_in_browser
from newsreader.ui.operations import EVERYTHING, Changes
from newsreader.ui.plain_text import message_box
from newsreader.ui.undo import DoneCommand

log = logging.getLogger(__name__)
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


class Reading(QObject):
    """The open article and what can be done to it."""

    shown = Signal(int)  # article id, once drawn
    deleted = Signal(int)
    tags_changed = Signal()

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.current_id: int | None = None
        reader = window.reader
        reader.article_requested.connect(self.open)
        reader.web_link_clicked.connect(self.open_web_link)
        reader.link_refused.connect(self.refuse_link)
        reader.body.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        reader.body.customContextMenuRequested.connect(self._popup_menu)

    def shown_id(self) -> int | None:
        article = self.window.reader.article
        return article.id if article is not None else None

    # -- opening ------------------------------------------------------------------------

    def open(self, article_id: int) -> None:
        """Show an article in the reader (loaded in the background) and mark it read."""
        self.current_id = article_id
        window = self.window
        model = window.articles_model
        results = model.results if model.query else None
        archive = window.archive
        window.executor.read(
            lambda: load_article(archive, article_id, results),
            lambda loaded: self._show(article_id, loaded),
            lambda error: window.status.report_error("Could not open the article", error),
        )

    def _show(self, article_id: int, loaded: LoadedArticle) -> None:
        if article_id != self.current_id:
            return  # the reader has moved on to another article meanwhile
        window, article = self.window, loaded.article
        if article is None:
            window.reader.show_placeholder("This article is no longer in the archive.")
            window.annotations_panel.show_annotations([])
            window.update_actions()
            return
        window.reader.show_article(article, loaded.assets)
        window.highlights.show(loaded.annotations)
        window.reader.set_hits(loaded.hits)
        if not loaded.hits:  # the search may have finished while the article loaded
            window.search.mark_hits()
        window.navigation.remember(article_id)
        window.update_actions()
        archive = window.archive
        window.executor.read(
            lambda: load_related(archive, article_id),
            lambda related: self._show_related(article_id, related),
        )
        if not article.is_read and archive.rights.mark:  # a read-only file keeps no marks
            self.set_flags(article, is_read=True)
        # Where this member was, for the next start (here or on another computer). One of
        # the window's own writes, so the archive watch does not take it for another
        # program's change and redraw everything after every article opened.
        window.ops.write("Could not note the article open",
                         lambda: archive.remember_open(article_id), Changes())  # fmt: skip
        self.shown.emit(article_id)

    def _show_related(self, article_id: int, related: RelatedArticles | None) -> None:
        if related is not None and self.shown_id() == article_id:
            self.window.reader.show_related(related)

    def menu(self, point: QPoint) -> QMenu:
        """The reader's own menu (copy, select all) and the highlight commands."""
        menu = self.window.reader.body.createStandardContextMenu(point)
        menu.addSeparator()
        for name in READER_MENU:
            menu.addAction(self.window.action(name))
        return menu

    def _popup_menu(self, point: QPoint) -> None:
        menu = self.menu(point)
        menu.exec(self.window.reader.body.mapToGlobal(point))
        menu.deleteLater()

    def focus_reader(self) -> None:
        self.window.reader.body.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- changing -----------------------------------------------------------------------

    def set_flags(self, article: ArticleDetail, **flags: bool) -> None:
        """Show a read/star change at once; if the archive does not keep it (read-only,
        another program holding the lock), it is undone on screen and the status bar says
        why."""
        before = {name: getattr(article, name) for name in flags}
        self._replace_shown(article.id, flags)
        archive = self.window.archive

        def write() -> None:
            if "is_read" in flags:
                archive.mark_read(article.id, flags["is_read"])
            if "is_starred" in flags:
                archive.star(article.id, flags["is_starred"])

        starring = "is_starred" in flags
        what = "Could not star the article" if starring else "Could not mark the article read"
        self.window.ops.write(
            what,
            write,
            Changes(counts=True, articles=frozenset({article.id})),
            on_failed=lambda _error: self._replace_shown(article.id, before),
        )

    def _replace_shown(self, article_id: int, flags: dict[str, bool]) -> None:
        reader = self.window.reader
        shown = reader.article
        if shown is not None and shown.id == article_id:
            reader.article = replace(shown, **flags)  # type: ignore[arg-type]
        self.window.articles_model.update_row(article_id, **flags)
        self.window.update_actions()

    def toggle_read(self) -> None:
        article = self.window.reader.article
        if article is not None:
            self.set_flags(article, is_read=not article.is_read)

    def toggle_star(self) -> None:
        article = self.window.reader.article
        if article is not None:
            self.set_flags(article, is_starred=not article.is_starred)

    def delete(self) -> None:
        """Delete the open article; Ctrl+Z brings it back with its highlights and flags."""
        window = self.window
        article = window.reader.article
        if article is None:
            return
        archive = window.archive
        state: dict[str, Any] = {"id": article.id, "snapshot": None}

        def delete() -> None:
            state["snapshot"] = archive.snapshot(state["id"])
            archive.delete(state["id"])

        def restore() -> None:
            def restored(article_id: int) -> None:
                state["id"] = article_id
                window.status.message("Article restored")
                self.open(article_id)

            snapshot = state["snapshot"]
            window.ops.write("Could not restore the article", lambda: archive.restore(snapshot),
                             EVERYTHING, restored)  # fmt: skip

        def redo() -> None:
            window.ops.write("Could not delete the article", delete, EVERYTHING)

        def deleted(_result: None) -> None:
            window.reader.show_placeholder(f"Deleted “{article.title}”. Ctrl+Z brings it back.")
            window.annotations_panel.show_annotations([])
            window.status.message(f"Deleted “{article.title}” — Ctrl+Z brings it back", 8000)
            window.undo_stack.push(DoneCommand(f"Delete “{article.title[:40]}”", restore, redo))
            self.deleted.emit(article.id)

        window.ops.write("Could not delete the article", delete, EVERYTHING, deleted)

    def edit_tags(self) -> None:
        window = self.window
        article = window.reader.article
        if article is None:
            return
        article_id, archive = article.id, window.archive

        def ask(current: list[str]) -> None:
            answer = TagDialog.ask(window.widget(), current)
            if answer is not None:
                window.ops.write(
                    "Could not tag the article", lambda: archive.set_tags(article_id, answer),
                    Changes(counts=True), lambda _tags: self._tags_saved(),
                )  # fmt: skip

        window.executor.read(lambda: archive.article_tags(article_id), ask)

    def _tags_saved(self) -> None:
        self.window.status.message("Tags saved", 3000)
        self.tags_changed.emit()

    # -- links --------------------------------------------------------------------------

    def open_original(self) -> None:
        article = self.window.reader.article
        if article is not None and article.url:
            self.open_web_link(article.url)

    def open_web_link(self, url: str) -> None:
        """Only http(s) addresses go to the browser; anything else is shown, not opened."""
        if not open_in_browser(url):
            self.refuse_link(url)

    def refuse_link(self, url: str) -> None:
        box = message_box(
            self.window.widget(), QMessageBox.Icon.Information, "Not opened",
            "This address is not a web page, so Newsreader does not hand it to "
            f"other programs:\n\n{url}",
        )  # fmt: skip
        box.setObjectName("linkRefusedBox")
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    def copy_link(self) -> None:
        article = self.window.reader.article
        if article is not None:
            link = article.url or f"newsreader://article/{article.id}"
            QGuiApplication.clipboard().setText(link)
            self.window.status.message("Link copied", 3000)
