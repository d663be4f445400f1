"""Team archives: roles enforced by the PostgreSQL server itself, as members connect."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core import team
from newsreader.core.archive import Archive
from newsreader.core.errors import ArchiveForbidden
from tests.factories import make_article


def as_member(url: str, name: str) -> str:
    """The archive's address as `name` connects to it (the test server trusts 127.0.0.1)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{name}@{rest.split('@', 1)[1]}"


@pytest.fixture
def team_url(postgres_archive_url: str) -> Iterator[str]:
    """A team archive with one article, and four members besides its owner."""
    with Archive(postgres_archive_url) as owner:
        owner.save(make_article("Budget vote", ("The council approved the budget.",),
                                url="https://news.example/budget"))  # fmt: skip
        owner.team.init()
        for name, role in (("alice", "annotator"), ("bob", "annotator"), ("rita", "reader"),
                           ("ed", "editor")):  # fmt: skip
            owner.team.add_member(name, role)  # type: ignore[arg-type]
    yield postgres_archive_url


def test_members_are_listed_with_their_roles(team_url: str) -> None:
    with Archive(team_url) as owner:
        found = {(m.name, m.role) for m in owner.team.members()}
    assert {("alice", "annotator"), ("bob", "annotator"), ("rita", "reader"),
            ("ed", "editor"), ("newsreader", "owner")} <= found  # fmt: skip


def test_a_highlight_is_its_authors_and_another_annotator_cannot_change_or_delete_it(
    team_url: str,
) -> None:
    with Archive(as_member(team_url, "alice")) as alice:
        article_id = alice.list_articles()[0].id
        made = alice.annotations.create(article_id, 4, 11, note="alice's")
    assert made.author == "alice"
    with Archive(as_member(team_url, "bob")) as bob:
        assert [a.note for a in bob.annotations.list()] == ["alice's"]  # everyone reads all
        with pytest.raises(ArchiveForbidden, match="only the one who made it"):
            bob.annotations.update(made.id, note="bob's now")
        with pytest.raises(ArchiveForbidden):
            bob.annotations.delete(made.id)
        own = bob.annotations.create(article_id, 0, 3, note="bob's")
        assert bob.annotations.update(own.id, note="bob's, edited").note == "bob's, edited"
    with Archive(as_member(team_url, "alice")) as alice:
        assert sorted(a.note for a in alice.annotations.list()) == ["alice's", "bob's, edited"]


def test_a_reader_reads_and_marks_but_cannot_write(team_url: str) -> None:
    with Archive(as_member(team_url, "rita")) as rita:
        article = rita.list_articles()[0]
        detail = rita.get(article.id)
        assert detail is not None and "approved" in detail.text
        assert rita.mark_read(article.id)
        with pytest.raises(ArchiveForbidden, match="does not allow it"):
            rita.annotations.create(article.id, 0, 3)
        with pytest.raises(ArchiveForbidden):
            rita.save(make_article("Mine", ("A reader's article.",), url="https://x.example/1"))
        with pytest.raises(ArchiveForbidden):
            rita.delete(article.id)
        assert rita.count() == 1


def test_an_editor_imports_deletes_and_may_remove_anyones_highlight(team_url: str) -> None:
    with Archive(as_member(team_url, "alice")) as alice:
        article_id = alice.list_articles()[0].id
        made = alice.annotations.create(article_id, 4, 11)
    with Archive(as_member(team_url, "ed")) as ed:
        saved = ed.save(make_article("Tax plan", ("A new tax plan.",), url="https://x.example/t"))
        assert saved.status == "saved"
        ed.annotations.delete(made.id)
        assert ed.delete(saved.article_id)
        assert ed.annotations.list() == []


def test_the_same_page_imported_by_two_members_at_once_is_one_article(team_url: str) -> None:
    import threading

    page = make_article("Shared", ("The same page, twice.",), url="https://x.example/shared")
    outcomes: list[str] = []

    def import_as(name: str) -> None:
        with Archive(as_member(team_url, name)) as member:
            outcomes.append(member.save(page).status)

    threads = [threading.Thread(target=import_as, args=("ed",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "saved"]
    with Archive(team_url) as owner:
        assert [a.title for a in owner.list_articles()].count("Shared") == 1


def test_the_team_commands_set_up_and_list_members(postgres_archive_url: str) -> None:
    def newsreader(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newsreader", *args, "--archive",
                               postgres_archive_url], capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    assert newsreader("team", "init").returncode == 0
    added = newsreader("team", "add-member", "maria", "--role", "editor")
    assert added.returncode == 0, added.stderr
    listed = newsreader("team", "members", "--json")
    assert {"name": "maria", "role": "editor"} in json.loads(listed.stdout)
    wrong = newsreader("team", "add-member", "maria", "--role", "boss")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_a_personal_archive_has_no_members(tmp_path: Path) -> None:
    with (
        Archive(tmp_path / "mine.sqlite3") as personal,
        pytest.raises(team.TeamError, match="team archives on a PostgreSQL server"),
    ):
        personal.team.members()


def test_only_editors_and_owners_are_offered_what_changes_articles(
    team_url: str, tmp_path: Path
) -> None:
    allowed = {}
    for name in ("rita", "alice", "ed", "newsreader"):
        with Archive(as_member(team_url, name)) as member:
            allowed[name] = member.rights.edit
            if name == "alice":  # an upgraded extractor offers her nothing she may not do
                assert member.reextraction.offer_after_upgrade() == []
    assert allowed == {"rita": False, "alice": False, "ed": True, "newsreader": True}
    with Archive(tmp_path / "mine.sqlite3") as personal:
        assert personal.rights.edit


def test_each_members_marks_are_their_own_and_the_server_keeps_them_so(team_url: str) -> None:
    from sqlalchemy import text

    def change_log_length(archive: Archive) -> int:
        with archive.reader.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM search_queue")).scalar_one())

    with Archive(as_member(team_url, "rita")) as rita:
        article_id = rita.list_articles()[0].id
        logged = change_log_length(rita)
        assert rita.mark_read(article_id) and rita.star(article_id)
        rita.remember_open(article_id)
        assert rita.view_counts()["unread"] == 0
        assert change_log_length(rita) == logged  # the log everyone reads tells nothing
        assert [h.id for h in rita.search.find("is:starred").hits] == [article_id]
    with Archive(as_member(team_url, "alice")) as alice:
        assert alice.view_counts()["all"] == 1
        assert (alice.view_counts()["unread"], alice.view_counts()["starred"]) == (1, 0)
        assert alice.last_open() is None
        with alice.reader.connect() as connection:  # not even psql shows rita's marks
            assert connection.execute(text("SELECT count(*) FROM member_states")).scalar() == 0
        with pytest.raises(ArchiveForbidden), alice.writing() as session:  # nor lets her set them
            session.execute(text(
                "INSERT INTO member_states (member, article_id, is_read, is_starred, changed_at)"
                " VALUES ('rita', :id, false, false, now())"
            ), {"id": article_id})  # fmt: skip
    with Archive(as_member(team_url, "rita")) as rita:
        assert rita.view_counts()["starred"] == 1 and rita.last_open() == article_id


def test_another_members_marks_wake_no_window_but_their_highlights_do(team_url: str) -> None:
    with Archive(as_member(team_url, "alice")) as alice:
        watch = alice.watch_commits()
        article_id = alice.list_articles()[0].id
        try:
            with Archive(as_member(team_url, "bob")) as bob:
                bob.mark_read(article_id)
                bob.remember_open(article_id)
                assert not _noticed(watch)
                bob.annotations.create(article_id, 4, 11)
                assert _noticed(watch)
        finally:
            watch.close()


def _noticed(watch: object, seconds: float = 1.0) -> bool:
    """Whether the watch reports a change within `seconds` (notifications take a moment)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if watch.changed():  # type: ignore[attr-defined]
            return True
        time.sleep(0.05)
    return False


def test_annotator_finds_the_articles_a_member_highlighted(team_url: str) -> None:

    with Archive(as_member(team_url, "ed")) as ed:
        ed.save(make_article("Harbour storm", ("Boats were lost.",), url="https://x.example/2"))
    with Archive(as_member(team_url, "alice")) as alice:
        budget = next(a.id for a in alice.list_articles() if a.title == "Budget vote")
        alice.annotations.create(budget, 4, 11)
        assert [h.title for h in alice.search.find("annotator:alice").hits] == ["Budget vote"]
        assert [h.title for h in alice.search.find("highlighter:ALICE").hits] == ["Budget vote"]
        assert alice.search.find("annotator:bob").hits == []


def test_author_is_the_byline_and_points_to_annotator_when_it_names_a_member(
    team_url: str,
) -> None:

    with Archive(as_member(team_url, "alice")) as alice:
        budget = alice.list_articles()[0].id
        alice.annotations.create(budget, 4, 11)
        found = alice.search.find("author:alice")
        assert found.hits == []
        assert any("annotator:alice finds the articles they highlighted" in h for h in found.hints)
        assert not any("annotator" in h for h in alice.search.find("author:zoe").hints)


def test_a_team_set_up_before_members_had_their_own_marks_gets_them_on_upgrade(
    team_url: str,
) -> None:
    from alembic import command

    from newsreader.core import db

    with Archive(team_url) as owner:  # back to the revision before member_states
        article_id = owner.list_articles()[0].id
        owner.mark_read(article_id)
        config = db._alembic_config()
        with owner.writer.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0013")
    with Archive(team_url) as owner:  # opening upgrades, and gives the roles their rights
        assert owner.get(article_id).is_read  # type: ignore[union-attr]
    with Archive(as_member(team_url, "rita")) as rita:
        assert not rita.get(article_id).is_read  # type: ignore[union-attr]
        assert rita.mark_read(article_id) and rita.view_counts()["unread"] == 0


def test_an_editor_undoes_a_delete_and_the_article_comes_back_under_its_id(
    team_url: str,
) -> None:
    with Archive(as_member(team_url, "alice")) as alice:
        article_id = alice.list_articles()[0].id
        alice.annotations.create(article_id, 4, 11, note="alice's")
    with Archive(as_member(team_url, "ed")) as ed:
        snapshot = ed.snapshot(article_id)
        assert snapshot is not None and ed.delete(article_id)
        assert ed.restore(snapshot) == article_id
    with Archive(as_member(team_url, "alice")) as alice:
        assert [a.note for a in alice.annotations.list()] == ["alice's"]
