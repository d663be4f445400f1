"""Searching in the window: the search field, results as you type, marks in the open
article, Escape back to the view before the search, and saved searches."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QSizePolicy

from newsreader.core.search.service import SearchResults
from newsreader.core.search.text import Span, matching_spans
from newsreader.ui.article_list import ArticleListModel, Scope
from newsreader.ui.dialogs import SaveSearchDialog
from newsreader.ui.host import Window
from newsreader.ui.operations import Changes

SEARCH_DELAY_MS = 250
log = logging.getLogger(__name__)


def empty_message(model: ArticleListModel) -> str:
    """Why the list is empty, and what to try ("" when it is not)."""
    if model.rowCount() > 0:
        return ""
    if model.query:
        results = model.results
        hints = " ".join(results.hints) if results is not None else ""
        message = f"No articles match “{model.query}”."
        message += f"\n\n{hints}" if hints else ""
        return message + (
            "\n\nCheck the spelling, try fewer or other words, or press Escape to go back."
        )
    return {
        "unread": "Nothing unread here: you have read it all.",
        "starred": "No starred articles yet: press S on an article to star it.",
        "annotated": "No highlights yet: select text in an article and press H.",
        "recent": "Nothing saved in the last seven days.",
    }.get(model.scope.view, "No articles here yet: File → Import files… or Save web page…")


class Searching(QObject):
    """The search field and what follows from it."""

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.scope_before = Scope()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run)
        self.field = QLineEdit(window.widget())
        self.field.setObjectName("searchField")
        self.field.setAccessibleName("Search the archive")
        self.field.setAccessibleDescription(
            'Words, "phrases", -exclusions and filters such as section: or is:unread; '
            "Escape clears the search"
        )
        self.field.setPlaceholderText('Search (/)  words "phrases" -not section:…')
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(140)
        self.field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.field.textChanged.connect(lambda _text: self.timer.start())
        self.field.returnPressed.connect(self.run)
        window.articles_model.search_finished.connect(self._finished)
        window.articles_model.loaded.connect(self._warm)

    def _warm(self) -> None:
        """Once the list's first page is up, ready the archive for a first search in the
        background, so the reader's first search, typed a moment later, finds little to
        read from disk (archive.search.warm)."""
        self.window.articles_model.loaded.disconnect(self._warm)
        archive = self.window.archive
        self.window.executor.read(
            archive.search.warm,
            lambda _result: None,
            lambda error: log.warning("the archive could not be readied for search: %s", error),
        )

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def run(self) -> None:
        """List the field's results; an empty field goes back to the view shown before
        the search, and the reader's search marks go."""
        self.timer.stop()
        window = self.window
        query = self.field.text().strip()
        model = window.articles_model
        if query == model.query:
            return
        if not model.query:
            self.scope_before = model.scope
        window.status.search_hint.hide()
        window.list_pane.set_searching(bool(query))
        if query:
            model.set_query(query)
        else:
            model.end_search(self.scope_before)
            window.reader.set_hits([])
            if window.sidebar.data is not None:
                window.sidebar.show_data(window.sidebar.data, self.scope_before)
        window.update_actions()

    def clear(self) -> None:
        self.field.clear()
        self.run()
        self.window.article_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def escape(self) -> None:
        """Escape: closes the find bar if it is open, else ends the search."""
        find_bar = self.window.reader.find_bar
        if find_bar.isVisible():
            find_bar.close_bar()
        elif self.window.articles_model.query or self.field.text():
            self.clear()

    def show_facets(self, results: SearchResults) -> None:
        """While searching, the sidebar counts the results per section."""
        model = self.window.articles_model
        if model.section is None:
            self.window.sidebar.show_facets(results.facets, results.total, model.scope)

    def _finished(self, results: SearchResults) -> None:
        status = self.window.status
        self.show_facets(results)
        status.search_hint.setText(" ".join(results.hints))
        status.search_hint.setVisible(bool(results.hints))
        self.mark_hits()
        self.window.list_pane.show_empty(empty_message(self.window.articles_model))

    def mark_hits(self) -> None:
        """The open article's search marks follow the current search."""
        window = self.window
        article, results = window.reader.article, window.articles_model.results
        if article is None or results is None or not window.articles_model.query:
            return
        text = article.text
        window.executor.read(
            lambda: matching_spans(text, results.terms, results.prefixes),
            lambda hits: self._show_hits(article.id, hits),
        )

    def _show_hits(self, article_id: int, hits: list[Span]) -> None:
        window = self.window
        shown = window.reader.article
        if shown is not None and shown.id == article_id and window.articles_model.query:
            window.reader.set_hits(hits)
            window.update_actions()

    def save_current(self) -> None:
        window = self.window
        query = window.articles_model.query
        if not query:
            return
        name = SaveSearchDialog.ask(window.widget(), query)
        if name:
            archive = window.archive
            window.ops.write("Could not save the search", lambda: archive.save_search(name, query),
                             Changes(saved_searches=True))  # fmt: skip
