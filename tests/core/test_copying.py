import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from newsreader.core import copying
from newsreader.core.archive import Archive
from newsreader.core.copying import copy_archive
from newsreader.core.models import ArticleOriginal, ArticleVersion, RelatedLink
from tests.factories import make_article


@pytest.fixture(params=["sqlite→sqlite", "sqlite→postgresql", "postgresql→sqlite"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path | str, Path | str]:
    """Where the copy comes from and goes to: files, or a team archive on either side."""
    source, target = request.param.split("→")

    def place(kind: str, name: str) -> Path | str:
        return request.getfixturevalue("postgres_archive_url") if kind == "postgresql" else (
            tmp_path / name)  # fmt: skip

    return place(source, "a.sqlite3"), place(target, "b.sqlite3")


def _filled(path: Path | str) -> Archive:
    """An archive with what a researcher's holds: articles linking each other, a version,
    a kept page, tags, a coded highlight with a note, a sub-code, a saved search."""
    archive = Archive(path)
    first = archive.save(make_article(
        "Budget vote", ("The council approved the budget on Tuesday.",),
        url="https://news.example/budget", related=[("Tax plan", "https://news.example/tax")],
    ))  # fmt: skip
    archive.save(make_article("Tax plan", ("A new tax plan was announced.",),
                              url="https://news.example/tax"))  # fmt: skip
    archive.save(make_article(  # a second version
        "Budget vote", ("The council approved the budget late.",),
        url="https://news.example/budget", related=[("Tax plan", "https://news.example/tax")],
    ))  # fmt: skip
    archive.save(make_article("Notes", ("A text file without an address.",)))
    with archive.writing() as session:
        session.add(ArticleOriginal(article_id=first.article_id, media_type="text/html",
                                    data=gzip.compress(b"<p>page</p>")))  # fmt: skip
    archive.set_tags(first.article_id, ["council", "budget"])
    archive.codebook.create("Fiscal", color="#225588", parent="Yellow")
    archive.annotations.create_from_quote(
        first.article_id, "approved the budget", note="key vote", codes=["Fiscal"], coder="ana"
    )
    archive.save_search("Budgets", "budget")
    return archive


def _ids_and_titles(archive: Archive) -> list[tuple[int, str]]:
    return sorted((a.id, a.title) for a in archive.list_articles(limit=100))


def test_a_copy_into_a_new_archive_has_everything_under_the_same_ids(
    stores: tuple[Path | str, Path | str],
) -> None:
    with _filled(stores[0]) as source, Archive(stores[1]) as target:
        report = copy_archive(source, target)
        assert report.ok and report.tables["articles"].copied == 3
        assert _ids_and_titles(target) == _ids_and_titles(source)
        budget = next(a for a in target.list_articles() if a.title == "Budget vote")
        detail = target.get(budget.id)
        assert detail is not None and "approved the budget late" in detail.text
        assert target.article_tags(budget.id) == ["budget", "council"]
        assert target.original(budget.id) == ("text/html", b"<p>page</p>")
        with target.reading() as session:
            links = session.execute(select(RelatedLink.title, RelatedLink.target_id)).all()
            old_texts = session.scalars(select(ArticleVersion.text)).all()
        tax = next(a.id for a in target.list_articles() if a.title == "Tax plan")
        assert ("Tax plan", tax) in links
        assert old_texts == ["The council approved the budget on Tuesday."]
        [note] = target.annotations.list(article_id=budget.id)
        assert (note.exact, note.note, note.coder) == ("approved the budget", "key vote", "ana")
        assert "Fiscal" in note.codes
        assert [s.name for s in target.saved_searches()] == ["Budgets"]
        assert [h.id for h in target.search.find("approved").hits] == [budget.id]


def test_copying_twice_duplicates_nothing(stores: tuple[Path | str, Path | str]) -> None:
    with _filled(stores[0]) as source, Archive(stores[1]) as target:
        copy_archive(source, target)
        again = copy_archive(source, target)
        assert again.ok
        assert again.tables["articles"].copied == 0 and again.tables["articles"].matched == 3
        assert again.tables["annotations"].copied == 0
        assert target.count() == 3 and len(target.annotations.list()) == 1


def test_highlights_made_in_a_copy_come_back_and_the_later_edit_wins(
    stores: tuple[Path | str, Path | str],
) -> None:
    with _filled(stores[0]) as team, Archive(stores[1]) as mine:
        copy_archive(team, mine)
        [shared] = mine.annotations.list()
        tax = next(a.id for a in mine.list_articles() if a.title == "Tax plan")
        mine.annotations.create_from_quote(tax, "new tax plan", note="made offline")
        mine.annotations.update(shared.id, note="edited offline")
        [theirs] = team.annotations.list()
        report = copy_archive(mine, team)
        assert report.ok
        assert report.tables["annotations"].copied == 1
        assert report.tables["annotations"].updated == 1
        notes = sorted(a.note for a in team.annotations.list())
        assert notes == ["edited offline", "made offline"]
        # An edit made in the team archive after the copy's is kept.
        team.annotations.update(theirs.id, note="edited later in the team")
        assert copy_archive(mine, team).tables["annotations"].updated == 0
        assert {a.note for a in team.annotations.list()} == {
            "edited later in the team", "made offline"}  # fmt: skip


def test_articles_already_in_the_target_are_matched_and_links_follow_their_ids(
    stores: tuple[Path | str, Path | str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copying, "BATCH", 1)  # a link to an article of a later batch
    with _filled(stores[0]) as source, Archive(stores[1]) as target:
        target.save(make_article("Unrelated", ("Something else entirely.",),
                                 url="https://other.example/1"))  # fmt: skip
        target.save(make_article("Tax plan", ("A new tax plan was announced.",),
                                 url="https://news.example/tax"))  # fmt: skip
        report = copy_archive(source, target)
        assert report.ok
        assert report.tables["articles"].matched == 1  # the tax plan it had
        assert report.tables["articles"].copied == 2
        titles = sorted(a.title for a in target.list_articles())
        assert titles == ["Budget vote", "Notes", "Tax plan", "Unrelated"]
        budget = next(a for a in target.list_articles() if a.title == "Budget vote")
        tax = next(a for a in target.list_articles() if a.title == "Tax plan")
        detail = target.get(budget.id)
        assert detail is not None
        assert [(r.title, r.target_id) for r in detail.related if r.origin == "page"] == [
            ("Tax plan", tax.id)
        ]
        [note] = target.annotations.list()
        assert note.article_id == budget.id and note.exact == "approved the budget"


def test_a_copy_keeps_who_made_each_highlight_and_when(
    stores: tuple[Path | str, Path | str],
) -> None:
    with _filled(stores[0]) as source, Archive(stores[1]) as target:
        [original] = source.annotations.list()
        copy_archive(source, target)
        [copied] = target.annotations.list()
        assert (copied.uuid, copied.created_at, copied.author) == (
            original.uuid, original.created_at, original.author)  # fmt: skip


def _newsreader(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsreader", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_the_copy_command_reports_and_verifies_as_json(tmp_path: Path) -> None:
    _filled(tmp_path / "a.sqlite3").close()
    done = _newsreader("copy", "--from", str(tmp_path / "a.sqlite3"),
                       "--to", str(tmp_path / "b.sqlite3"), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["tables"]["articles"]["copied"] == 3
    assert report["verified"] == 4  # three articles and a highlight, read back and compared


def test_copying_from_an_archive_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    done = _newsreader("copy", "--from", str(tmp_path / "missing.sqlite3"),
                       "--to", str(tmp_path / "b.sqlite3"))  # fmt: skip
    assert done.returncode == 4
    assert "no archive at" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_copying_members_marks_come_along_as_theirs(
    stores: tuple[Path | str, Path | str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source_place, target_place = stores
    monkeypatch.setenv("NEWSREADER_CODER", "ana")
    with Archive(source_place) as source, Archive(target_place) as target:
        first = source.save(make_article("Budget vote", ("The council approved it.",),
                                         url="https://news.example/budget")).article_id  # fmt: skip
        assert first is not None
        source.mark_read(first)
        source.star(first)
        report = copy_archive(source, target)
        assert report.ok and report.tables["member_states"].copied == 1
        copied = target.get(first)
        assert copied is not None and (copied.is_read, copied.is_starred) == (True, True)
        assert target.view_counts()["unread"] == 0
        source.star(first, False)  # a later change wins when copying again
        again = copy_archive(source, target)
        assert again.tables["member_states"].updated == 1
        assert target.view_counts()["starred"] == 0
