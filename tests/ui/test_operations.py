"""No write is lost in silence and no read waits behind a writer (issue 14, item 6)."""

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.testing import isolated_settings
from newsreader.ui.main_window import MainWindow
from newsreader.ui.operations import Changes
from tests.factories import make_article

BUSY_MS = 2500  # the archive's patience with a held lock, shortened for the test


@pytest.fixture
def locked_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MainWindow, Archive, list[int]]]:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", BUSY_MS)
    with Archive(tmp_path / "archive.sqlite3") as archive:
        ids = [archive.save(make_article(f"Story {n}", (f"Text {n}.",))).article_id
               for n in range(2)]  # fmt: skip
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.reader.article is not None)
        qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        yield window, archive, ids
        window.close()


def flag(window: MainWindow, name: str) -> bool:
    """A flag of the article the reader shows, as the window shows it."""
    return bool(getattr(window.reader.article, name))


def hold_the_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_star_the_archive_cannot_keep_is_undone_on_screen_with_a_message(
    qtbot: QtBot, locked_window: tuple[MainWindow, Archive, list[int]]
) -> None:
    window, archive, _ids = locked_window
    shown = window.reader.article
    assert shown is not None and not shown.is_starred
    other = hold_the_write_lock(archive.path)
    try:
        window.action("star").trigger()
        assert window.reader.article is not None and window.reader.article.is_starred
        qtbot.waitUntil(lambda: not flag(window, "is_starred"), timeout=BUSY_MS * 3)
        message = window.statusBar().currentMessage()
        assert "Could not star the article" in message and "another program" in message
        assert window.status.details_button.isVisible()
        box = window.status.show_last_error()
        assert box is not None and "locked" in box.detailedText()
        box.close()
    finally:
        other.rollback()
        other.close()
    again = archive.get(shown.id)
    assert again is not None and not again.is_starred


def test_opening_an_article_under_a_held_lock_does_not_wait_for_it(
    qtbot: QtBot, locked_window: tuple[MainWindow, Archive, list[int]]
) -> None:
    window, archive, ids = locked_window
    unread = next(i for i in ids if i != window.reader.article.id)  # type: ignore[union-attr]
    other = hold_the_write_lock(archive.path)
    try:
        started = time.monotonic()
        with qtbot.waitSignal(window.article_shown, timeout=BUSY_MS):
            window.open_article(unread)
        assert time.monotonic() - started < BUSY_MS / 1000 / 2
        assert window.reader.body_text() == f"Text {ids.index(unread)}."
        # marking it read could not be kept: the row and the reader say unread again
        qtbot.waitUntil(lambda: not flag(window, "is_read"), timeout=BUSY_MS * 3)
        assert "Could not mark the article read" in window.statusBar().currentMessage()
    finally:
        other.rollback()
        other.close()
    qtbot.waitUntil(lambda: window.executor.in_flight == 0, timeout=BUSY_MS * 3)


def test_changes_combine_into_one_redraw() -> None:
    merged = Changes(counts=True, articles=frozenset({1})) | Changes(annotations=frozenset({2}))
    assert merged == Changes(counts=True, articles=frozenset({1}), annotations=frozenset({2}))
