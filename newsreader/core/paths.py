"""Where things live: the archive file and the bundled resources."""

from __future__ import annotations

import os
import re
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


class ArchiveAddressError(ValueError):
    """The archive was named by an address (scheme://…) this version cannot open."""


_ADDRESS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


SERVER_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


def resolve_archive_path(explicit: str | os.PathLike[str] | None = None) -> Path | str:
    """`--archive PATH`, else $NEWSREADER_ARCHIVE, else the default; a folder holds the file.

    A team archive's address (postgresql://user@host/db) comes back as it is. Any other
    address is refused: taken for a path, it would silently make a folder tree named
    after it with a new archive inside.
    """
    chosen = explicit or os.environ.get(ARCHIVE_ENV) or default_archive_path()
    if _ADDRESS.match(str(chosen)):
        scheme = str(chosen).split(":", 1)[0]
        if scheme.lower() in SERVER_SCHEMES:
            return str(chosen)
        raise ArchiveAddressError(
            f"{scheme}:// addresses cannot be opened as archives; give the path of an "
            "archive file, or a team archive's postgresql://user@host/database"
        )
    path = Path(chosen).expanduser()
    if path.is_dir():
        path = path / ARCHIVE_FILENAME
    return path
