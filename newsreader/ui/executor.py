"""Background work for the UI: database and network calls never run on the UI thread.

Reads run on a small thread pool (SQLite WAL lets them proceed beside a writer); short
writes run one at a time on a single writer thread; long jobs (imports) and fetching (pages,
feeds) each run on a thread of their own, committing in batches, so a star or a mark-read
never waits for an import to end. Callbacks are delivered on the UI thread through a queued signal.

A long job runs on a daemon thread and closing waits for it at most LONG_GRACE_S: an import
stuck reading a file (a FIFO, a hung network mount) never keeps the window open. Its
uncommitted batch is rolled back by SQLite, as after a crash; committed batches stay.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]
LONG_GRACE_S = 1.0
_numbers = itertools.count(1)


class Executor(QObject):
    """Runs callables off the UI thread and calls back on it."""

    finished = Signal(object)  # (future, on_done, on_error), emitted from worker threads
    busy_changed = Signal(int)  # number of jobs in flight

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nr-read")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nr-write")
        self._counts = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nr-count")
        self._long_threads: list[threading.Thread] = []
        self._network = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nr-net")
        self._in_flight = 0
        self._closed = False
        self.finished.connect(self._deliver)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def read(self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError | None = None) -> None:
        self._submit(self._readers, fn, on_done, on_error)

    def count(
        self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError | None = None
    ) -> None:
        """A read over the whole archive (the sidebar's counts): on a thread of its own, so
        opening an article or paging the list never queues behind it."""
        self._submit(self._counts, fn, on_done, on_error)

    def write(
        self, fn: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None
    ) -> None:
        self._submit(self._writer, fn, on_done or (lambda _result: None), on_error)

    def long(self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError | None = None) -> None:
        """A long job (an import) on a daemon thread of its own; it should watch a cancel
        flag, but closing never waits for it more than LONG_GRACE_S."""
        if self._closed:
            return
        future: Future[Any] = Future()
        self._in_flight += 1
        self.busy_changed.emit(self._in_flight)
        future.add_done_callback(self._emit_finished(on_done, on_error))

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn()
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

        thread = threading.Thread(target=run, name=f"nr-long-{next(_numbers)}", daemon=True)
        self._long_threads = [t for t in self._long_threads if t.is_alive()] + [thread]
        thread.start()

    def network(
        self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError | None = None
    ) -> None:
        """A fetching job (saving pages, refreshing feeds): beside imports, not behind them.
        It must watch a cancel flag too."""
        self._submit(self._network, fn, on_done, on_error)

    def _submit(
        self, pool: ThreadPoolExecutor, fn: Callable[[], Any], on_done: OnDone,
        on_error: OnError | None,
    ) -> None:  # fmt: skip
        if self._closed:
            return
        self._in_flight += 1
        self.busy_changed.emit(self._in_flight)
        future = pool.submit(fn)
        future.add_done_callback(self._emit_finished(on_done, on_error))

    def _emit_finished(
        self, on_done: OnDone, on_error: OnError | None
    ) -> Callable[[Future[Any]], None]:
        def emit(future: Future[Any]) -> None:
            # RuntimeError: the executor's Qt object is gone, the app is closing.
            with contextlib.suppress(RuntimeError):
                self.finished.emit((future, on_done, on_error))

        return emit

    def _deliver(self, payload: tuple[Future[Any], OnDone, OnError | None]) -> None:
        future, on_done, on_error = payload
        self._in_flight -= 1
        self.busy_changed.emit(self._in_flight)
        if self._closed:
            return
        error = future.exception()
        if error is None:
            on_done(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background job failed", exc_info=error)

    def shutdown(self) -> None:
        """Wait for running jobs (a write must finish, never be cut in half)."""
        self._closed = True
        self._readers.shutdown(wait=True, cancel_futures=True)
        self._counts.shutdown(wait=True, cancel_futures=True)
        deadline = time.monotonic() + LONG_GRACE_S
        for thread in self._long_threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._network.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True)
