"""Read and starred marks, and the article open last, are each member's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from tests.factories import make_article


def _two_articles(archive: Archive) -> tuple[int, int]:
    first = archive.save(make_article("Harbour storm", ("Boats were lost in the harbour.",),
                                      section="World")).article_id  # fmt: skip
    second = archive.save(make_article("Budget vote", ("The council approved the budget.",),
                                       section="World")).article_id  # fmt: skip
    assert first is not None and second is not None
    return first, second


def _as(monkeypatch: pytest.MonkeyPatch, path: Path, member: str) -> Archive:
    monkeypatch.setenv("NEWSREADER_CODER", member)
    return Archive(path)


def test_one_members_reading_leaves_anothers_unread_and_starred_as_they_were(
    archive: Archive,
) -> None:
    first, second = _two_articles(archive)
    assert archive.mark_read(first) and archive.star(second)
    mine = {a.id: (a.is_read, a.is_starred) for a in archive.list_articles()}
    assert mine == {first: (True, False), second: (False, True)}
    assert archive.view_counts()["unread"] == 1
    assert [a.id for a in archive.list_articles(view="starred")] == [second]
    assert [h.id for h in archive.search.find("is:unread").hits] == [second]
    assert archive.unread_counts().sections == {"world": 1}
    archive._member = "another member"  # the same archive as someone else sees it
    assert archive.view_counts()["unread"] == 2
    assert archive.list_articles(view="starred") == []
    assert {h.id for h in archive.search.find("is:unread").hits} == {first, second}
    assert archive.search.find("is:starred").hits == []
    assert archive.unread_counts().sections == {"world": 2}
    detail = archive.get(first)
    assert detail is not None and not detail.is_read


def test_marking_unread_and_unstarring_take_the_marks_back(archive: Archive) -> None:
    first, _second = _two_articles(archive)
    archive.mark_read(first)
    archive.star(first)
    archive.mark_read(first, False)
    detail = archive.get(first)
    assert detail is not None and (detail.is_read, detail.is_starred) == (False, True)
    archive.star(first, False)
    assert archive.view_counts()["starred"] == 0
    assert not archive.mark_read(10_000)  # no such article: nothing marked


@pytest.mark.sqlite_only("members of a file are named by the environment")
def test_two_readers_of_one_file_each_keep_their_own_marks(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _second = _two_articles(archive)
    with _as(monkeypatch, archive.path, "ana") as ana:
        ana.mark_read(first)
    with _as(monkeypatch, archive.path, "ben") as ben:
        assert ben.member == "ben" and ben.view_counts()["unread"] == 2
    with _as(monkeypatch, archive.path, "ana") as ana:
        assert ana.view_counts()["unread"] == 1


@pytest.mark.sqlite_only("a personal archive's reader names themself in Preferences")
def test_naming_oneself_in_preferences_keeps_ones_marks(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _two_articles(archive)
    with _as(monkeypatch, archive.path, "login-name") as before:
        before.mark_read(first)
        before.remember_open(first)
    with _as(monkeypatch, archive.path, "login-name") as after:
        after.set_member_name("Ana Lopez")
        assert after.member == "Ana Lopez"
        assert after.view_counts()["unread"] == 1
        assert after.last_open() == first
        after.mark_read(second)
    with _as(monkeypatch, archive.path, "login-name") as again:  # the command line, say
        assert again.member == "Ana Lopez" and again.view_counts()["unread"] == 0
    with _as(monkeypatch, archive.path, "someone-else") as other:  # another login: not Ana
        assert other.member == "someone-else" and other.view_counts()["unread"] == 2


@pytest.mark.sqlite_only("a personal archive's reader names themself in Preferences")
def test_a_new_name_that_has_marks_already_keeps_them_and_gains_the_old_ones(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _two_articles(archive)
    with _as(monkeypatch, archive.path, "Ana") as ana:  # marks under the name, by a copy say
        ana.star(first)
    with _as(monkeypatch, archive.path, "login-name") as before:
        before.mark_read(first)
        before.mark_read(second)
        before.set_member_name("Ana")
        assert before.view_counts()["unread"] == 1  # the first: Ana's own row won
        assert before.view_counts()["starred"] == 1


def test_the_article_open_last_is_each_members_own(archive: Archive) -> None:
    first, second = _two_articles(archive)
    assert archive.last_open() is None
    archive.remember_open(first)
    archive.remember_open(second)
    assert archive.last_open() == second
    archive._member = "another member"
    assert archive.last_open() is None


def test_a_feeds_articles_marked_read_are_read_for_that_member_only(archive: Archive) -> None:
    first, second = _two_articles(archive)
    archive.mark_read(first)
    with archive.writing() as session:  # both articles came from one source
        from newsreader.core.models import Article, Feed, Source

        source = Source(key="news.example", name="News")
        session.add(source)
        session.flush()
        session.query(Article).update({Article.source_id: source.id})
        session.add(Feed(url="https://news.example/feed", title="News", source_id=source.id))
    feeds = archive.feeds
    assert feeds.list_feeds()[0].unread == 1
    assert feeds.mark_read(feed_id=feeds.list_feeds()[0].id) == 1  # only the one unread
    assert archive.view_counts()["unread"] == 0
    archive._member = "another member"
    assert feeds.list_feeds()[0].unread == 2
    assert second in {a.id for a in archive.list_articles(view="unread")}


def test_an_undone_delete_brings_back_the_members_marks(archive: Archive) -> None:
    first, _second = _two_articles(archive)
    archive.star(first)
    snapshot = archive.snapshot(first)
    assert snapshot is not None and archive.delete(first)
    assert archive.restore(snapshot) == first
    detail = archive.get(first)
    assert detail is not None and detail.is_starred
