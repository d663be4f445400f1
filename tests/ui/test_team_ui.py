"""File → Open team archive…: trying an address on a real server, remembering it safely."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.ui.executor import Executor
from newsreader.ui.team import RECENT_SETTING, TeamArchiveDialog, new_window_command
from tests.factories import make_article


def tried(qtbot: QtBot, address: str) -> str:
    executor = Executor()
    dialog = TeamArchiveDialog(None, [], executor.long)
    qtbot.addWidget(dialog)
    dialog.address.setEditText(address)
    with qtbot.waitSignal(dialog.tried, timeout=20_000):
        dialog.try_button.click()
    return dialog.outcome.text()


def test_trying_a_team_archive_says_who_you_are_there_and_what_it_holds(
    qtbot: QtBot, postgres_archive_url: str
) -> None:
    with Archive(postgres_archive_url) as owner:
        owner.save(make_article("Budget vote", ("The council approved it.",)))
        owner.team.init()
    assert tried(qtbot, postgres_archive_url) == (
        "Connected as newsreader — owner (also adds and removes members) — 1 articles."
    )


def test_an_address_nobody_answers_says_so_in_a_sentence(qtbot: QtBot) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    said = tried(qtbot, f"postgresql://maria@127.0.0.1:{port}/news?connect_timeout=2")
    assert said.startswith("Could not reach the team archive on 127.0.0.1 — is the server running")


def test_a_file_path_is_not_taken_for_a_team_address(qtbot: QtBot) -> None:
    assert tried_without_server(qtbot, "/home/maria/archive.sqlite3").startswith(
        "A team archive's address starts with postgresql://"
    )


def tried_without_server(qtbot: QtBot, address: str) -> str:
    dialog = TeamArchiveDialog(None, [], Executor().long)
    qtbot.addWidget(dialog)
    dialog.address.setEditText(address)
    dialog.try_button.click()
    return dialog.outcome.text()


def test_a_password_is_neither_remembered_nor_put_on_the_command_line(
    qtbot: QtBot, main_window: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    address = "postgresql://maria:s3cret@db.example.org/news?sslmode=require"
    monkeypatch.setattr(TeamArchiveDialog, "ask", classmethod(lambda cls, *a: address))
    started: list[str] = []
    monkeypatch.setattr("newsreader.ui.team.open_in_new_window", started.append)
    main_window.findChild(type(main_window.action("quit")), "openTeamArchiveAction").trigger()
    assert started == [address]
    kept = main_window.settings.value(RECENT_SETTING)
    assert kept == ["postgresql://maria@db.example.org/news?sslmode=require"]
    arguments, environment = new_window_command(address)
    assert "s3cret" not in " ".join(arguments)
    assert environment == {"PGPASSWORD": "s3cret"}
