"""The core services' tests run on both stores: `archive` is an SQLite file and a team
archive on the session's throwaway PostgreSQL server in turn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core.archive import Archive


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    """An empty archive, closed after the test: a file, or a new PostgreSQL database."""
    location: Path | str = tmp_path / "archive.sqlite3"
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres_archive_url")
    with Archive(location) as opened:
        yield opened
