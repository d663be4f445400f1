"""The watch on commits: other writers are noticed, the window's own writes are not
noticed a second time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from newsreader.core.changes import CommitWatch
from tests.factories import make_article


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """An archive file: these are about SQLite's data_version (a team archive's watch
    listens for notifications, tested in tests/ui/test_team_window.py)."""
    with Archive(tmp_path / "archive.sqlite3") as opened:
        yield opened


def _commit_elsewhere(archive: Archive) -> None:
    """A commit by another program: a plain sqlite3 connection of its own."""
    other = sqlite3.connect(archive.path)
    with other:
        other.execute("UPDATE articles SET title = title || '!'")
    other.close()


def test_a_commit_by_another_connection_is_noticed_once(archive: Archive) -> None:
    archive.save(make_article())
    watch = CommitWatch(archive.path, archive.writer)
    assert not watch.changed()
    _commit_elsewhere(archive)
    assert watch.changed()
    assert not watch.changed()
    watch.close()


def test_the_windows_own_write_is_not_noticed_again(archive: Archive) -> None:
    article_id = archive.save(make_article()).article_id
    watch = CommitWatch(archive.path, archive.writer)
    assert watch.own(lambda: archive.mark_read(article_id))
    assert not watch.changed()
    archive.star(article_id)  # a write not run as the window's own (an import's batch)
    assert watch.changed()
    watch.close()


def test_another_programs_commit_before_our_own_write_is_still_noticed(
    archive: Archive,
) -> None:
    article_id = archive.save(make_article()).article_id
    watch = CommitWatch(archive.path, archive.writer)
    _commit_elsewhere(archive)
    watch.own(lambda: archive.mark_read(article_id))
    assert watch.changed()
    assert not watch.changed()
    watch.close()


def test_an_own_write_that_fails_leaves_others_commits_to_be_noticed(archive: Archive) -> None:
    archive.save(make_article())
    watch = CommitWatch(archive.path, archive.writer)

    def failing() -> None:
        _commit_elsewhere(archive)
        raise ValueError("no such article")

    with pytest.raises(ValueError, match="no such article"):
        watch.own(failing)
    assert watch.changed()
    watch.close()
