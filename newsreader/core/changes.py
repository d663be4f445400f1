"""Noticing that another connection committed to the archive, cheaply.

SQLite's `PRAGMA data_version` changes on a connection whenever any *other* connection
(this process's engines, the CLI, another window) commits to the file. One connection
kept open for nothing else answers it in microseconds without taking a lock, so a window
can ask every second and redraw only when something changed.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class CommitWatch:
    """Says whether anyone committed to the archive file since it last asked."""

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(str(path), timeout=0.1, check_same_thread=False)
        self._lock = threading.Lock()
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """True once for every batch of commits made since the last call."""
        with self._lock:
            version = self._version()
            changed, self._seen = version != self._seen, version
            return changed

    def close(self) -> None:
        with self._lock:
            self._connection.close()
