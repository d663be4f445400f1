"""Noticing that another connection committed to the archive, cheaply.

SQLite's `PRAGMA data_version` changes on a connection whenever any *other* connection
(this process's engines, the CLI, another window) commits to the file. One connection
kept open for nothing else answers it in microseconds without taking a lock, so a window
can ask every second and redraw only when something changed.

A write the window made itself already says what it changed; `own` runs it so that the
watch does not report it a second time. Before such a write commits (it holds the write
lock from BEGIN IMMEDIATE, so nobody else can commit meanwhile) the watch notes whether
others committed since it last looked; when it has committed and handed its connection
back, it takes the new data_version as seen. Only a commit by another program in the
instant between our COMMIT and that read (microseconds) would go unreported until the
next change.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event

T = TypeVar("T")


class CommitWatch:
    """Says whether anyone committed to the archive file since it last asked."""

    def __init__(self, path: Path, writer: Engine | None = None) -> None:
        self._connection = sqlite3.connect(str(path), timeout=0.1, check_same_thread=False)
        self._lock = threading.Lock()
        self._seen = self._version()
        self._missed = False  # others committed before one of our own writes
        self._own = threading.local()
        self._writer = writer
        if writer is not None:
            event.listen(writer, "commit", self._before_commit)
            event.listen(writer, "checkin", self._after_commit)

    def _version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """True once for every batch of commits made since the last call (not counting
        writes run through `own`)."""
        with self._lock:
            version = self._version()
            changed = version != self._seen or self._missed
            self._seen, self._missed = version, False
            return changed

    def own(self, fn: Callable[[], T]) -> T:
        """Run `fn`, a write whose caller redraws what it changed, on this thread: its
        commits are not reported by `changed`."""
        self._own.active = True
        try:
            return fn()
        finally:
            self._after_commit()
            self._own.active = False

    def _before_commit(self, _connection: Any) -> None:
        """One of our writes is about to commit, holding the write lock: whatever changed
        since we last looked was committed by others."""
        if not getattr(self._own, "active", False):
            return
        with self._lock:
            if self._version() != self._seen:
                self._missed = True  # someone else's commit came first: still report it
            self._own.pending = True

    def _after_commit(self, *_args: Any) -> None:
        """Our write committed and gave its connection back: its change is seen."""
        if not getattr(self._own, "pending", False):
            return
        self._own.pending = False
        with self._lock:
            if not self._missed:
                self._seen = self._version()

    def close(self) -> None:
        if self._writer is not None:
            event.remove(self._writer, "commit", self._before_commit)
            event.remove(self._writer, "checkin", self._after_commit)
            self._writer = None
        with self._lock:
            self._connection.close()
