"""Background operations that say what they changed, and the watch on other writers.

Every change the window makes runs as an operation: a function for the writer thread and
the `Changes` it makes. The window turns `Changes` into redraws in one place
(`MainWindow.redraw`), and changes made by anyone else — the CLI on the same file, a
background import's batches, a feed refresh — arrive there too, through `ArchiveWatch`
(SQLite's data_version, polled off the UI thread). That is what keeps every count live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from newsreader.core.changes import CommitWatch
from newsreader.ui.executor import Executor

log = logging.getLogger(__name__)
WATCH_INTERVAL_MS = 1000


@dataclass(frozen=True, slots=True)
class Changes:
    """What an operation changed, so the window knows what to redraw."""

    counts: bool = False  # sidebar counts: views, sections, sources, tags, feeds
    listing: bool = False  # which articles the list holds, or their order
    articles: frozenset[int] = field(default_factory=frozenset)  # rows to redraw in place
    annotations: frozenset[int] = field(default_factory=frozenset)  # whose highlights
    saved_searches: bool = False
    elsewhere: bool = False  # made by another program (or a background batch)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            counts=self.counts or other.counts,
            listing=self.listing or other.listing,
            articles=self.articles | other.articles,
            annotations=self.annotations | other.annotations,
            saved_searches=self.saved_searches or other.saved_searches,
            elsewhere=self.elsewhere or other.elsewhere,
        )


EVERYTHING = Changes(counts=True, listing=True, saved_searches=True)
ChangesOf = Changes | Callable[[Any], Changes]


class Operations(QObject):
    """Runs writes on the executor; success says what changed, failure says why."""

    changed = Signal(object)  # Changes
    failed = Signal(str, object)  # what was tried, the error

    def __init__(
        self, executor: Executor, watch: CommitWatch, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._executor = executor
        self._watch = watch

    def write(
        self, what: str, fn: Callable[[], Any], changes: ChangesOf,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:  # fmt: skip
        """Run `fn` on the writer thread; then redraw what it changed (or undo on screen
        with `on_failed` and say why). Its commits are not noticed again by the watch on
        other writers: what it changed is redrawn once, from `changes`."""
        self._executor.write(
            lambda: self._watch.own(fn),
            self._succeeded(changes, on_done),
            self._failed(what, on_failed),
        )

    def done(self, changes: Changes) -> None:
        """Work that ran elsewhere (an import, a fetch) has finished: redraw what it changed."""
        self.changed.emit(changes)

    def _succeeded(
        self, changes: ChangesOf, on_done: Callable[[Any], None] | None
    ) -> Callable[[Any], None]:
        def succeeded(result: Any) -> None:
            if on_done is not None:
                on_done(result)
            self.changed.emit(changes(result) if callable(changes) else changes)

        return succeeded

    def _failed(
        self, what: str, on_failed: Callable[[BaseException], None] | None
    ) -> Callable[[BaseException], None]:
        def failed(error: BaseException) -> None:
            if on_failed is not None:
                on_failed(error)
            self.failed.emit(what, error)

        return failed


class ArchiveWatch(QObject):
    """Asks, once a second and off the UI thread, whether any connection committed.

    The window's own operations are not reported again (see CommitWatch.own); a
    background import's or feed refresh's batches are, which keeps counts moving while
    they run.
    """

    changed_elsewhere = Signal(object)  # Changes

    def __init__(self, executor: Executor, watch: CommitWatch, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = executor
        self._watch = watch
        self._asking = False
        self.timer = QTimer(self)
        self.timer.setInterval(WATCH_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        if self._asking:
            return
        self._asking = True
        self._executor.read(self._watch.changed, self._answered, self._unanswered)

    def _answered(self, changed: bool) -> None:
        self._asking = False
        if changed:
            self.changed_elsewhere.emit(
                Changes(counts=True, listing=True, saved_searches=True, elsewhere=True)
            )

    def _unanswered(self, error: BaseException) -> None:
        self._asking = False
        log.debug("data_version could not be read: %s", error)

    def stop(self) -> None:
        self.timer.stop()
