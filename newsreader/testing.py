"""A pytest plugin with fixtures for writing tests against Newsreader (pytest-qt too).

Loaded automatically once newsreader is installed (entry point `pytest11`):
`archive` is a fresh temporary archive, `main_window` a main window over it;
`postgres_server` a throwaway PostgreSQL server for the session (newsreader/pgserver.py)
and `postgres_url` a fresh database on it for one test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsreader.core.archive import Archive
from newsreader.pgserver import PostgresServer, ServerUnavailable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared test data at {path} (absent in a user's fresh clone)")
    return path


def isolated_settings(folder: Path) -> Any:
    """QSettings in a file of their own, so tests never read or write the user's."""
    from PySide6.QtCore import QSettings

    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def start_postgres_or_skip() -> PostgresServer:
    """A new throwaway server; without the binaries the test skips, except in CI (CI=true),
    where it fails: CI must run the PostgreSQL tests."""
    try:
        return PostgresServer.start()
    except ServerUnavailable as error:
        if in_ci():
            pytest.fail(f"CI needs the PostgreSQL tests to run: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server for these tests: {error}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session, stopped at its end. Without
    the binaries the tests that need it skip, except in CI (CI=true), where they fail."""
    server = start_postgres_or_skip()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The address of a new, empty database on the session's server, dropped after."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database on the session's server holding an empty archive at the newest schema,
    which `postgres_archive_url` copies (much faster than migrating for every test)."""
    from sqlalchemy import create_engine

    from newsreader.core import db

    name = postgres_server.create_database()
    engine = create_engine(db.server_url(postgres_server.url(name)))
    try:
        db.migrate(engine)
    finally:
        engine.dispose()
    return name


@pytest.fixture
def postgres_archive_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """The address of a new empty team archive (a copy of the template), dropped after."""
    name = postgres_server.create_database(template=postgres_template)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """An empty archive in a temporary folder, closed after the test."""
    with Archive(tmp_path / "archive.sqlite3") as opened:
        yield opened


@pytest.fixture
def main_window(qtbot: Any, archive: Archive) -> Iterator[Any]:
    """A shown main window over `archive` (not seeded), with its first load finished."""
    from newsreader.ui.main_window import MainWindow

    window = MainWindow(archive, seed=False, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.executor.in_flight == 0)
    yield window
    window.close()
