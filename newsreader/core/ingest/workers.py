"""Extracting pages in worker processes that may crash or hang without costing the batch.

Each worker holds at most one page at a time, so when a worker dies (a crash in a parser's
C code, memory exhaustion) or overruns its time, the page it held is the culprit for
certain: that page is reported as failed, the worker is replaced, and the batch goes on.
We manage the processes ourselves rather than through ProcessPoolExecutor, whose recovery
from a dead worker is racy on the Python versions we support (it can hang or raise in its
management thread).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from newsreader.core.ingest.errors import ExtractionError

Job = TypeVar("Job")
Result = TypeVar("Result")
PAGE_SAVE_BATCH = 64  # pages an import saves at a time while the workers go on
PAGE_TIMEOUT_S = 120.0  # an extraction still running after this is stopped and failed
STOP_GRACE_S = 5.0


def _serve(connection: Connection, work: Callable[[Any], Any]) -> None:
    """Worker loop: a page in, a result out, until told to stop (None) or the pipe closes."""
    while True:
        try:
            page = connection.recv()
        except EOFError:
            return
        if page is None:
            return
        connection.send(work(page))


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection
    index: int = -1  # position of the page being worked on; -1 when idle
    started: float = 0.0

    @property
    def busy(self) -> bool:
        return self.index >= 0


class PagePool(Generic[Job, Result]):
    """A fixed number of spawn-started worker processes applying `work` to pages in order.

    A page is anything picklable (a file path, a fetched page); `work` must be a
    module-level function.
    """

    def __init__(
        self,
        workers: int,
        work: Callable[[Job], Result | ExtractionError],
        page_timeout: float = PAGE_TIMEOUT_S,
    ) -> None:
        self._context = multiprocessing.get_context("spawn")  # safe beside Qt and threads
        self._work = work
        self.page_timeout = page_timeout
        # Results held at most ahead of the one the caller takes next: room to go on
        # extracting while the caller saves a batch, or while one page is slow.
        self.window = workers * 4 + PAGE_SAVE_BATCH
        self._workers = [self._start_worker() for _ in range(workers)]

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child_end, self._work), daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _replace(self, worker: _Worker) -> None:
        """Stop a dead or stuck worker for good and put a fresh one in its place."""
        worker.connection.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.process.close()
        self._workers[self._workers.index(worker)] = self._start_worker()

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(OSError):  # already gone
                worker.connection.send(None)
        deadline = time.monotonic() + STOP_GRACE_S
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
            worker.process.close()
        self._workers = []

    def map(self, pages: list[Job]) -> Iterator[tuple[Job, Result | ExtractionError]]:
        """(page, result) for every page, in input order; failures come back as errors."""
        waiting = deque(range(len(pages)))
        done: dict[int, Result | ExtractionError] = {}
        next_out = 0
        for worker in [w for w in self._workers if w.busy or not w.process.is_alive()]:
            self._replace(worker)  # left busy by an earlier map cut short, or died idle
        while next_out < len(pages):
            for worker in list(self._workers):
                if not worker.busy and waiting and waiting[0] < next_out + self.window:
                    index = waiting.popleft()
                    try:
                        worker.connection.send(pages[index])
                    except OSError:  # it died while idle: a fresh worker, the page again
                        waiting.appendleft(index)
                        self._replace(worker)
                        continue
                    worker.index, worker.started = index, time.monotonic()
            self._collect(done)
            while next_out in done:
                yield pages[next_out], done.pop(next_out)
                next_out += 1

    def _collect(self, done: dict[int, Result | ExtractionError]) -> None:
        """Wait for at least one busy worker to answer, die or overrun its time."""
        busy = [w for w in self._workers if w.busy]
        if not busy:  # every page handed out went back (its worker had died idle)
            return
        oldest = min(w.started for w in busy)
        timeout = max(0.0, oldest + self.page_timeout - time.monotonic())
        ready = wait(
            [w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=timeout
        )
        now = time.monotonic()
        for worker in busy:
            index = worker.index
            if worker.connection in ready or worker.connection.poll():
                try:
                    done[index] = worker.connection.recv()
                    worker.index = -1
                    continue
                except (EOFError, OSError):
                    pass  # died mid-answer: handled as a crash below
            elif worker.process.sentinel not in ready and now - worker.started < self.page_timeout:
                continue
            if worker.process.is_alive() and now - worker.started >= self.page_timeout:
                reason = f"extraction took longer than {self.page_timeout:g} s and was stopped"
            else:
                reason = "the page crashed the extractor process"
            done[index] = ExtractionError(reason)
            self._replace(worker)
