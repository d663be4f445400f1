"""The window over a team archive (PostgreSQL): what another member does shows up."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.testing import isolated_settings
from newsreader.ui.main_window import MainWindow
from tests.factories import make_article
from tests.ui.window_text import titles


@pytest.fixture
def team_window(qtbot: QtBot, tmp_path: Path, postgres_archive_url: str) -> Iterator[MainWindow]:
    with Archive(postgres_archive_url) as archive:
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        yield window
        window.close()


def test_the_window_names_the_team_archive_without_a_password(team_window: MainWindow) -> None:
    assert team_window.windowTitle().startswith("Newsreader — postgresql://newsreader@127.0.0.1:")


def test_an_article_another_member_saves_is_listed_within_two_seconds(
    qtbot: QtBot, team_window: MainWindow, postgres_archive_url: str
) -> None:
    colleague = postgres_archive_url.replace("@127.0.0.1:", "@localhost:")
    with Archive(colleague) as theirs:
        theirs.save(make_article("From a colleague", ("Shared with the lab.",)))
        saved = time.monotonic()
    qtbot.waitUntil(lambda: titles(team_window) == ["From a colleague"], timeout=2000)
    assert time.monotonic() - saved < 2.0
