"""Starting the app: the archive opens off the UI thread, and an upgrade says so."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.core.errors import ArchiveError
from newsreader.ui import app
from tests.factories import make_article


def _archive_of_the_version_before(path: Path) -> None:
    """An archive as the previous release left it: one article, read and starred."""
    with Archive(path) as archive:
        article_id = archive.save(make_article("Old harbour", ("Boats of old.",))).article_id
    engine = create_engine(f"sqlite:///{path}")
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
        connection.exec_driver_sql(
            f"UPDATE articles SET is_read = 1, is_starred = 1 WHERE id = {article_id}"
        )
    engine.dispose()


def test_opening_an_archive_of_an_older_version_upgrades_it_and_says_so(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    _archive_of_the_version_before(path)
    told: list[bool] = []
    with Archive(path, upgrading=lambda: told.append(True)) as archive:
        assert told == [True]  # the window shows the upgrade text after a second
        assert archive.view_counts()["starred"] == 1  # the marks became the reader's own
    with Archive(path, upgrading=lambda: told.append(True)):
        assert told == [True]  # a current archive has nothing to upgrade
    monkeypatch.setattr(app, "OPENING_DIALOG_AFTER_MS", 0)
    opened = app.open_archive(path)  # through the window's way in, off the UI thread
    assert opened.count() == 1
    opened.close()


def test_an_archive_that_cannot_be_opened_is_said_so_by_the_app(tmp_path: Path) -> None:
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ArchiveError, match="another program"):
        app.open_archive(foreign)
