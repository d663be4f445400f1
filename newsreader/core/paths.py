"""Where things live: the archive file and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path

ARCHIVE_ENV = "NEWSREADER_ARCHIVE"
ARCHIVE_FILENAME = "archive.sqlite3"


def _resources_dir() -> Path:
    """The bundled resources: the checkout's folder, else the installed copy."""
    checkout = Path(__file__).resolve().parents[2] / "resources"
    installed = Path(sys.prefix) / "share" / "newsreader"
    return checkout if checkout.is_dir() else installed


RESOURCES_DIR = _resources_dir()


def default_archive_path() -> Path:
    """The archive in the platform's user data folder (e.g. ~/.local/share/newsreader)."""
    return user_data_path("newsreader", appauthor=False) / ARCHIVE_FILENAME


def resolve_archive_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--archive PATH`, else $NEWSREADER_ARCHIVE, else the default; a folder holds the file."""
    chosen = explicit or os.environ.get(ARCHIVE_ENV) or default_archive_path()
    path = Path(chosen).expanduser()
    if path.is_dir():
        path = path / ARCHIVE_FILENAME
    return path
