"""Running a test on both stores: `archive` is an SQLite file and a team archive on the
session's throwaway PostgreSQL server in turn. A conftest opts its folder in with

    from tests.stores import archive, pytest_generate_tests

A test marked `sqlite_only("why")` runs on the file alone: it checks something only SQLite
has, or input handling in which the store plays no part (which keeps the suite's time down).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core.archive import Archive

STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "archive" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("archive", ["sqlite"] if only else STORES, indirect=True)


@pytest.fixture
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    """An empty archive, closed after the test: a file, or a new PostgreSQL database."""
    location: Path | str = tmp_path / "archive.sqlite3"
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres_archive_url")
    with Archive(location) as opened:
        yield opened
