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


def test_a_member_is_offered_only_the_commands_their_role_may_use(
    qtbot: QtBot, tmp_path: Path, postgres_archive_url: str
) -> None:
    from tests.core.test_team import as_member

    with Archive(postgres_archive_url) as owner:
        article_id = owner.save(make_article("Budget vote", ("The council voted.",))).article_id
        owner.team.init()
        owner.team.add_member("rita", "reader")
        owner.team.add_member("alice", "annotator")
    commands = ("star", "toggleRead", "highlight", "note", "importFiles", "delete", "tag",
                "subscribe")  # fmt: skip
    offered, reasons, roles = {}, {}, {}
    for name in ("rita", "alice"):
        with Archive(as_member(postgres_archive_url, name)) as archive:
            window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path / name))
            qtbot.addWidget(window)
            with qtbot.waitSignal(window.article_shown):
                window.open_article(article_id)
            offered[name] = {command: window.action(command).isEnabled() for command in commands}
            reasons[name] = window.action("highlight").toolTip()
            roles[name] = window.status.member_label.text()
            qtbot.waitUntil(lambda: window.executor.in_flight == 0)  # noqa: B023
            window.close()
    assert offered["rita"] == {"star": True, "toggleRead": True, "highlight": False,
                               "note": False, "importFiles": False, "delete": False,
                               "tag": False, "subscribe": False}  # fmt: skip
    assert "may not highlight" in reasons["rita"] and "may not" not in reasons["alice"]
    assert offered["alice"] == offered["rita"] | {"highlight": True, "note": True}
    assert roles == {"rita": "rita · reader", "alice": "alice · annotator"}
