"""Moving through the list (j/k, Space) and back and forth through the articles read."""

from __future__ import annotations

from PySide6.QtCore import QObject

from newsreader.ui.article_list import UNREAD_ROLE
from newsreader.ui.host import Window


class Navigation(QObject):
    """History across articles and the links between them, and the list's keys."""

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.back: list[int] = []
        self.forward: list[int] = []
        self._from_history = False

    def _row(self) -> int:
        index = self.window.article_list.currentIndex()
        return index.row() if index.isValid() else -1

    def next_article(self) -> None:
        row = self._row() + 1
        if row < self.window.articles_model.rowCount():
            self.window.select_row(row)

    def previous_article(self) -> None:
        if self._row() > 0:
            self.window.select_row(self._row() - 1)

    def page_down_or_next_unread(self) -> None:
        """Space: page down the article; at its end, the next unread article."""
        bar = self.window.reader.body.verticalScrollBar()
        if bar.value() < bar.maximum():
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
            return
        model = self.window.articles_model
        for row in range(self._row() + 1, model.rowCount()):
            if model.data(model.index(row, 0), UNREAD_ROLE):
                self.window.select_row(row)
                return

    def go_back(self) -> None:
        if len(self.back) > 1:
            self.forward.append(self.back.pop())
            self._open(self.back[-1])

    def go_forward(self) -> None:
        if self.forward:
            article_id = self.forward.pop()
            self.back.append(article_id)
            self._open(article_id)

    def _open(self, article_id: int) -> None:
        self._from_history = True
        self.window.open_article(article_id)

    def remember(self, article_id: int) -> None:
        """An article is shown: history grows unless we came from history."""
        if self._from_history:
            self._from_history = False
        elif not self.back or self.back[-1] != article_id:
            self.back.append(article_id)
            self.forward.clear()
        self.window.action("back").setEnabled(len(self.back) > 1)
        self.window.action("forward").setEnabled(bool(self.forward))
