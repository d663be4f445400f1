"""The "work offline" switch, kept in the archive so the app and the CLI both obey it."""

from __future__ import annotations

from typing import Any

from newsreader.core.archive import Archive
from newsreader.core.web.fetch import Fetcher

OFFLINE_KEY = "work_offline"


def is_offline(archive: Archive) -> bool:
    return archive.get_meta(OFFLINE_KEY) == "1"


def set_offline(archive: Archive, offline: bool) -> None:
    archive.set_meta(OFFLINE_KEY, "1" if offline else "0")


def archive_fetcher(archive: Archive, **limits: Any) -> Fetcher:
    """A Fetcher that asks the archive's switch before every request."""
    return Fetcher(is_offline=lambda: is_offline(archive), **limits)
