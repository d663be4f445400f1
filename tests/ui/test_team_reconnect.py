"""A team archive's server goes away mid-session: the window says so, keeps what was typed,
and writes it once the server is back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.pgserver import PostgresServer
from newsreader.testing import isolated_settings, start_postgres_or_skip
from newsreader.ui.annotations import NoteDialog
from newsreader.ui.main_window import MainWindow
from tests.factories import make_article


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of this test's own, since it is stopped and started again."""
    server = start_postgres_or_skip()
    try:
        yield server
    finally:
        server.stop()


def test_a_note_written_while_the_server_is_away_is_saved_once_it_is_back(
    qtbot: QtBot, own_server: PostgresServer, tmp_path: Any, monkeypatch: Any
) -> None:
    url = own_server.url(own_server.create_database())
    with Archive(url) as archive:
        article_id = archive.save(make_article("Budget vote", ("The council approved it.",)))
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.article_shown, timeout=20_000):
            window.open_article(article_id.article_id)
        own_server.pause()
        monkeypatch.setattr(NoteDialog, "ask", classmethod(
            lambda cls, *a, **k: ("written while the server was away", [])))  # fmt: skip
        failures: list[object] = []
        window.ops.failed.connect(lambda what, error: failures.append((what, repr(error))))
        window.reader.select_span(4, 11)
        window.action("note").trigger()
        status = window.statusBar()
        qtbot.waitUntil(lambda: "Team archive unreachable — retrying" in status.currentMessage()
                        or bool(failures), timeout=30_000)  # fmt: skip
        assert failures == []
        assert window.ops.waiting >= 1  # the note (and the read mark, if it came after)
        own_server.resume()
        with qtbot.waitSignal(window.annotations_changed, timeout=30_000):
            pass
        assert "reachable again" in window.statusBar().currentMessage()
        assert window.ops.waiting == 0
        window.close()
    with Archive(url) as again:
        assert [a.note for a in again.annotations.list()] == ["written while the server was away"]
