"""A team member's own search index, caught up from the change log (PostgreSQL)."""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from newsreader.core.archive import Archive
from newsreader.core.changes import CommitWatch
from newsreader.core.search.changelog import CURSOR_FILE, TeamSearchIndex
from tests.factories import make_article


def _member_address(url: str) -> str:
    """The same database under another spelling: another member's index folder."""
    return url.replace("@127.0.0.1:", "@localhost:")


def _found(archive: Archive, query: str) -> list[str]:
    return sorted(hit.title for hit in archive.search.find(query).hits)


def _log_rows(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM search_queue").fetchone()
    return int(row[0]) if row else 0


def _changed_within_two_seconds(watch: CommitWatch) -> None:
    deadline = time.monotonic() + 2.0
    while not watch.changed():
        assert time.monotonic() < deadline, "no change seen within 2 s"
        time.sleep(0.02)


def test_a_change_committed_late_under_a_lower_number_is_not_skipped(
    postgres_archive_url: str,
) -> None:
    with Archive(postgres_archive_url) as member:
        first = member.save(make_article("Harbour report", ("Boats.",))).article_id
        second = member.save(make_article("Market report", ("Prices.",))).article_id
        member.sync_search()
        last = "SELECT max(seq) FROM search_queue"
        slow = psycopg.connect(postgres_archive_url)  # takes the lower log number ...
        slow.execute("UPDATE articles SET title = 'Lighthouse report' WHERE id = %s", (first,))
        slow_seq = slow.execute(last).fetchone()
        with psycopg.connect(postgres_archive_url) as quick:  # ... but commits after this
            quick.execute("UPDATE articles SET title = 'Orchard report' WHERE id = %s", (second,))
            quick_seq = quick.execute(last).fetchone()
        assert slow_seq is not None and quick_seq is not None and slow_seq[0] < quick_seq[0]
        try:
            member.sync_search()  # held back, not skipped: the slow one may still commit
            assert _found(member, "orchard") == []
            slow.commit()
        finally:
            slow.close()
        member.sync_search()
        assert _found(member, "lighthouse") == ["Lighthouse report"]
        assert _found(member, "orchard") == ["Orchard report"]
        assert _found(member, "harbour") == []


def test_each_member_reads_the_log_from_a_cursor_of_its_own_and_nothing_is_deleted(
    postgres_archive_url: str,
) -> None:
    with (
        Archive(postgres_archive_url) as one,
        Archive(_member_address(postgres_archive_url)) as two,
    ):
        assert one.path != two.path  # each member's index lives in a folder of its own
        one.save(make_article("Tide tables", ("High water at noon.",)))
        assert _found(one, "tide") == ["Tide tables"]
        rows = _log_rows(postgres_archive_url)
        two.sync_search()
        assert _found(two, "tide") == ["Tide tables"]
        two.annotations.create_from_quote(two.list_articles()[0].id, "High water", note="ebb")
        one.sync_search()
        assert _found(one, "ebb") == ["Tide tables"]
        assert _log_rows(postgres_archive_url) > rows  # appended to, never drained


def test_a_new_members_catch_up_shows_progress_and_resumes_where_it_stopped(
    postgres_archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive(postgres_archive_url) as writer:
        writer.save_many([make_article(f"Story {n}", (f"Word{n} here.",)) for n in range(25)])
    monkeypatch.setattr("newsreader.core.search.changelog.SYNC_BATCH", 10)
    seen: list[tuple[int, int]] = []

    def interrupted(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 10:
            raise KeyboardInterrupt

    member = Archive(_member_address(postgres_archive_url))
    member.index_progress = interrupted
    with pytest.raises(KeyboardInterrupt):
        member.search_index  # noqa: B018 - opening the index starts the catch-up
    member.close()
    assert seen == [(10, 25)]

    with Archive(_member_address(postgres_archive_url)) as member:
        member.index_progress = lambda done, total: seen.append((done, total))
        index = member.search_index
        assert isinstance(index, TeamSearchIndex)
        assert seen[1:] == [(20, 25), (25, 25)]  # the first ten were not indexed again
        assert len(index.indexed_ids()) == 25
        assert _found(member, "word3") == ["Story 3"]
        cursor = index.cursor()
        assert cursor is not None and cursor.caught_up_to_id is None


def test_an_index_whose_cursor_belongs_to_another_archive_is_rebuilt(
    postgres_archive_url: str,
) -> None:
    with Archive(postgres_archive_url) as member:
        member.save(make_article("Kept here", ("Only in this one.",)))
        folder = member.search_index.folder
    cursor_file = folder / CURSOR_FILE
    cursor = json.loads(cursor_file.read_text())
    cursor_file.write_text(json.dumps({**cursor, "archive": "another:1"}))
    (folder / "marker").write_text("from before")
    with Archive(postgres_archive_url) as member:
        assert _found(member, "kept") == ["Kept here"]
    assert not (folder / "marker").exists()
    assert json.loads(cursor_file.read_text())["archive"] == cursor["archive"]


def test_a_write_by_one_member_reaches_the_others_change_watch_within_two_seconds(
    postgres_archive_url: str,
) -> None:
    with (
        Archive(postgres_archive_url) as one,
        Archive(_member_address(postgres_archive_url)) as two,
    ):
        watch = two.watch_commits()
        try:
            assert not watch.changed()
            one.save(make_article("News travels", ("Fast.",)))
            _changed_within_two_seconds(watch)
            assert not watch.changed()  # once per batch of commits
        finally:
            watch.close()


def test_a_change_watch_whose_connection_was_cut_listens_again(
    postgres_archive_url: str,
) -> None:
    with Archive(postgres_archive_url) as member:
        watch = member.watch_commits()
        try:
            with psycopg.connect(postgres_archive_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
                )
            _changed_within_two_seconds(watch)  # the cut may have hidden a change: said once
            assert not watch.changed()
            member.save(make_article("After the cut", ("Heard again.",)))
            _changed_within_two_seconds(watch)
        finally:
            watch.close()
