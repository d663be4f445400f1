"""Noticing that another connection committed to the archive, cheaply.

SQLite's `PRAGMA data_version` changes on a connection whenever any *other* connection
(this process's engines, the CLI, another window) commits to the file. One connection
kept open for nothing else answers it in microseconds without taking a lock, so a window
can ask every second and redraw only when something changed.

On a team archive (PostgreSQL) every write transaction of the app sends a notification
on CHANNEL as it commits (newsreader/core/db.py); a connection that only LISTENs
collects them without asking the server anything. A commit that changed only one
member's own marks says so, and the other members' watches pass over it.

A write the window made itself already says what it changed; `own` runs it so that the
watch does not report it a second time (on SQLite; a team archive's own notifications
come back like anyone's, and cost one more redraw). Before such a write commits (it
holds the write lock from BEGIN IMMEDIATE, so nobody else can commit meanwhile) the
watch notes whether others committed since it last looked; when it has committed and
handed its connection back, it takes the new data_version as seen. Only a commit by
another program in the instant between our COMMIT and that read (microseconds) would go
unreported until the next change.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event

from newsreader.core import db

CHANNEL = db.CHANGES_CHANNEL
T = TypeVar("T")


class CommitWatch:
    """Says whether anyone committed to the archive since it last asked."""

    def __init__(
        self, location: Path | str, writer: Engine | None = None, member: str = ""
    ) -> None:
        self._lock = threading.Lock()
        self._listener: Any = None
        self._writer: Engine | None = None
        self._missed = False  # others committed before one of our own writes
        self._own = threading.local()
        # Another member's commits of only their own marks change nothing we show.
        self._private_to_us = db.private_payload(member)
        if db.is_server_address(location):
            self._address = db.libpq_address(str(location))
            self._listener = self._listen()
            return
        self._connection = sqlite3.connect(str(location), timeout=0.1,
                                           check_same_thread=False)  # fmt: skip
        self._seen = self._version()
        if writer is not None:
            self._writer = writer
            event.listen(writer, "commit", self._before_commit)
            event.listen(writer, "checkin", self._after_commit)

    def _listen(self) -> Any:
        import psycopg

        listener = psycopg.connect(self._address, autocommit=True)
        listener.execute(f"LISTEN {CHANNEL}".encode())
        return listener

    def _version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """True once for every batch of commits made since the last call (on SQLite not
        counting writes run through `own`)."""
        with self._lock:
            if self._listener is not None:
                import psycopg

                try:
                    return any(
                        not notice.payload.startswith("private:")
                        or notice.payload == self._private_to_us
                        for notice in list(self._listener.notifies(timeout=0))
                    )
                except psycopg.OperationalError:  # the server went away: listen anew
                    self._listener.close()
                    self._listener = self._listen()  # (raises while it is still away)
                    return True  # what changed meanwhile went unheard
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
            (self._listener or self._connection).close()
