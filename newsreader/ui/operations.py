"""Background operations that say what they changed, and the watch on other writers.

Every change the window makes runs as an operation: a function for the writer thread and
the `Changes` it makes. The window turns `Changes` into redraws in one place
(`MainWindow.redraw`), and changes made by anyone else — the CLI on the same file, a
background import's batches, a feed refresh — arrive there too, through `ArchiveWatch`
(SQLite's data_version, polled off the UI thread). That is what keeps every count live.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from newsreader.core.changes import CommitWatch
from newsreader.core.errors import ArchiveUnreachable
from newsreader.ui.executor import Executor

log = logging.getLogger(__name__)
WATCH_INTERVAL_MS = 1000
RETRY_MS = 2000  # how often writes waiting for a team archive's server are tried again


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


@dataclass(slots=True)
class _Write:
    seq: int
    what: str
    fn: Callable[[], Any]
    changes: ChangesOf
    on_done: Callable[[Any], None] | None
    on_failed: Callable[[BaseException], None] | None


class Operations(QObject):
    """Runs writes on the executor; success says what changed, failure says why.

    A team archive whose server cannot be reached loses nothing: the write that met it,
    and every write after it, wait in order (what was typed with them), `unreachable`
    says so, and they are tried again every few seconds until the server is back.
    """

    changed = Signal(object)  # Changes
    failed = Signal(str, object)  # what was tried, the error
    unreachable = Signal(bool)  # True while writes wait for a team archive's server

    def __init__(
        self, executor: Executor, watch: CommitWatch, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._executor = executor
        self._watch = watch
        self._seq = 0
        self._waiting: list[_Write] = []  # in the order they were asked for
        self._trying = False  # the first waiting write is being tried again
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._try_first_waiting)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def write(
        self, what: str, fn: Callable[[], Any], changes: ChangesOf,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:  # fmt: skip
        """Run `fn` on the writer thread; then redraw what it changed (or undo on screen
        with `on_failed` and say why). Its commits are not noticed again by the watch on
        other writers: what it changed is redrawn once, from `changes`."""
        self._seq += 1
        job = _Write(self._seq, what, fn, changes, on_done, on_failed)
        if self._waiting:  # the server is away: after the ones already waiting
            self._waiting.append(job)
        else:
            self._submit(job)

    def _submit(self, job: _Write) -> None:
        succeeded = self._succeeded(job.changes, job.on_done)

        def done(result: Any) -> None:
            self._trying = False
            if job in self._waiting:
                self._waiting.remove(job)
                if not self._waiting:
                    self._retry.stop()
                    self.unreachable.emit(False)
                else:
                    self._try_first_waiting()  # the next one at once: the server is back
            succeeded(result)

        def failed(error: BaseException) -> None:
            self._trying = False
            if isinstance(error, ArchiveUnreachable):
                if job not in self._waiting:
                    bisect.insort(self._waiting, job, key=lambda j: j.seq)
                if not self._retry.isActive():
                    self._retry.start()
                    self.unreachable.emit(True)
                return
            if job in self._waiting:
                self._waiting.remove(job)
            self._failed(job.what, job.on_failed)(error)

        self._executor.write(lambda: self._watch.own(job.fn), done, failed)

    def _try_first_waiting(self) -> None:
        if self._waiting and not self._trying:
            self._trying = True
            self._submit(self._waiting[0])

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
