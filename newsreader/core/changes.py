"""Noticing that another connection committed to the archive, cheaply.

SQLite's `PRAGMA data_version` changes on a connection whenever any *other* connection
(this process's engines, the CLI, another window) commits to the file. One connection
kept open for nothing else answers it in microseconds without taking a lock, so a window
can ask every second and redraw only when something changed.

On a team archive (PostgreSQL) every write transaction of the app sends a notification
on CHANNEL as it commits (newsreader/core/db.py); a connection that only LISTENs
collects them without asking the server anything.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from newsreader.core import db

CHANNEL = db.CHANGES_CHANNEL


class CommitWatch:
    """Says whether anyone committed to the archive since it last asked."""

    def __init__(self, location: Path | str) -> None:
        self._lock = threading.Lock()
        self._listener: Any = None
        if db.is_server_address(location):
            self._address = db.libpq_address(str(location))
            self._listener = self._listen()
        else:
            self._connection = sqlite3.connect(str(location), timeout=0.1,
                                               check_same_thread=False)  # fmt: skip
            self._seen = self._version()

    def _listen(self) -> Any:
        import psycopg

        listener = psycopg.connect(self._address, autocommit=True)
        listener.execute(f"LISTEN {CHANNEL}".encode())
        return listener

    def _version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """True once for every batch of commits made since the last call."""
        with self._lock:
            if self._listener is not None:
                import psycopg

                try:
                    return any(True for _ in self._listener.notifies(timeout=0))
                except psycopg.OperationalError:  # the server went away: listen anew
                    self._listener.close()
                    self._listener = self._listen()  # (raises while it is still away)
                    return True  # what changed meanwhile went unheard
            version = self._version()
            changed, self._seen = version != self._seen, version
            return changed

    def close(self) -> None:
        with self._lock:
            (self._listener or self._connection).close()
