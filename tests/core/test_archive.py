import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, text

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.core.blocks import Block, ExtractedArticle, RelatedItem
from newsreader.core.errors import ArchiveBusy, ArchiveError, ArchiveFull
from newsreader.core.models import Base
from newsreader.core.saving import SaveOutcome, Saver, content_hash
from newsreader.core.sections import section_key
from tests.factories import make_article


def _saved(outcome: SaveOutcome | Exception) -> SaveOutcome:
    assert isinstance(outcome, SaveOutcome), outcome
    return outcome


def test_a_saved_article_comes_back_with_its_text_section_and_related_links(
    archive: Archive,
) -> None:
    outcome = archive.save(
        make_article(
            "Iraq talks", ("One.", "Two."), section="INTERNATIONAL", byline="A. Writer",
            published="2024-01-25T10:00:00+02:00", url="https://www.example.com/a/?utm_source=x",
            related=[("Other story", "https://example.com/b")],
        )
    )  # fmt: skip
    assert outcome.status == "saved"
    article = archive.get(outcome.article_id)
    assert article is not None
    assert article.text == "One.\nTwo."
    assert article.section == "International"
    assert article.url == "https://www.example.com/a/?utm_source=x"  # as saved
    assert (
        archive.save(make_article("Iraq talks", ("Again.",), url="http://example.com/a")).status
        == "updated"
    )
    assert article.source == "example.com"
    assert article.published_at is not None and article.published_at.hour == 8  # stored in UTC
    assert [(r.title, r.url, r.target_id) for r in article.related] == [
        ("Other story", "https://example.com/b", None)
    ]


def test_the_same_url_saved_twice_is_one_article(archive: Archive) -> None:
    first = archive.save(make_article(url="http://example.com/story"))
    second = archive.save(make_article(url="https://www.example.com/story/#top"))
    assert second.status == "duplicate"
    assert second.article_id == first.article_id
    assert archive.count() == 1


def test_the_same_text_from_another_address_is_one_article(archive: Archive) -> None:
    first = archive.save(make_article(url="https://a.example/story"))
    second = archive.save(
        make_article(url=None, paragraphs=("FIRST  paragraph.", "second paragraph."))
    )
    assert second.status == "duplicate"
    assert f"#{first.article_id}" in second.reason
    assert archive.count() == 1


def test_new_text_at_a_known_url_updates_the_article_and_keeps_the_old_text(
    archive: Archive,
) -> None:
    first = archive.save(make_article(url="https://example.com/s", paragraphs=("Old text.",)))
    second = archive.save(make_article(url="https://example.com/s", paragraphs=("New text.",)))
    assert second.status == "updated"
    assert second.article_id == first.article_id
    article = archive.get(first.article_id)
    assert article is not None and article.text == "New text." and article.version == 2
    assert _rows(archive, "select version, text from article_versions") == [(1, "Old text.")]


def test_a_related_link_resolves_whichever_article_is_saved_first(archive: Archive) -> None:
    a = archive.save(
        make_article("A", ("Text A.",), url="https://ex.com/a", related=[("B", "https://ex.com/b")])
    )
    b = archive.save(
        make_article(
            "B", ("Text B.",), url="https://ex.com/b", related=[("A", "http://www.ex.com/a/")]
        )
    )
    article_a, article_b = archive.get(a.article_id), archive.get(b.article_id)
    assert article_a is not None and article_b is not None
    assert article_a.related[0].target_id == b.article_id
    assert article_b.related[0].target_id == a.article_id


def test_a_title_only_related_entry_resolves_to_the_article_with_that_title(
    archive: Archive,
) -> None:
    a = archive.save(make_article("Dump A", ("Text A.",), related=[("Dump B", None)]))
    b = archive.save(make_article("Dump B", ("Text B.",)))
    article = archive.get(a.article_id)
    assert article is not None and article.related[0].target_id == b.article_id


def test_a_page_that_links_to_itself_gets_no_self_link(archive: Archive) -> None:
    outcome = archive.save(
        make_article(url="https://ex.com/a", related=[("Me", "https://ex.com/a?utm_medium=x")])
    )
    article = archive.get(outcome.article_id)
    assert article is not None and article.related == []


def test_sections_are_listed_with_counts_and_filter_the_list(archive: Archive) -> None:
    archive.save(make_article("W1", ("w1",), section="World"))
    archive.save(make_article("W2", ("w2",), section="/world/"))
    archive.save(make_article("B1", ("b1",), section="BUSINESS"))
    archive.save(make_article("N1", ("n1",)))
    assert [(s.name, s.count) for s in archive.sections()] == [("World", 2), ("Business", 1)]
    assert {a.title for a in archive.list_articles(section="WORLD")} == {"W1", "W2"}
    assert archive.count(section="world") == 2
    assert archive.count() == 4


def test_the_list_pages_and_sorts(archive: Archive) -> None:
    for n in range(5):
        archive.save(make_article(f"T{n}", (f"text {n}",), published=f"2024-01-0{n + 1}"))
    by_date = archive.list_articles(order="published", limit=2, offset=1)
    assert [a.title for a in by_date] == ["T3", "T2"]
    by_title = archive.list_articles(order="title", descending=False)
    assert [a.title for a in by_title] == ["T0", "T1", "T2", "T3", "T4"]


def test_read_and_star_flags_are_saved(archive: Archive) -> None:
    article_id = archive.save(make_article()).article_id
    assert archive.mark_read(article_id) and archive.star(article_id)
    article = archive.get(article_id)
    assert article is not None and article.is_read and article.is_starred
    assert archive.mark_read(article_id, False)
    article = archive.get(article_id)
    assert article is not None and not article.is_read
    assert not archive.star(999)


def test_deleting_an_article_removes_its_links_and_unshared_assets(archive: Archive) -> None:
    image = ExtractedArticle(
        title="Pictured",
        blocks=[Block("paragraph", "Text."), Block("image", src="pic.png")],
        images={"pic.png": b"\x89PNG fake"},
    )
    article_id = archive.save(image).article_id
    article = archive.get(article_id)
    assert article is not None
    sha = article.blocks[1].src.removeprefix("asset:")
    assert archive.asset(sha) is not None
    other = archive.save(make_article("Linker", ("x",), related=[("Pictured", None)]))
    assert archive.delete(article_id)
    assert archive.get(article_id) is None
    assert archive.asset(sha) is None
    linker = archive.get(other.article_id)
    assert linker is not None and linker.related[0].target_id is None
    assert not archive.delete(article_id)


def _rows(archive: Archive, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Rows of a plain SQL query, read through the archive (on either store)."""
    with archive.reading() as session:
        return [tuple(row) for row in session.execute(text(sql), params)]


def _everything_about(archive: Archive, article_id: int) -> dict[str, object]:
    article = archive.get(article_id)
    assert article is not None
    versions = _rows(archive, "SELECT version, title, text FROM article_versions "
                     "WHERE article_id = :id", id=article_id)  # fmt: skip
    return {
        "article": article,
        "tags": archive.article_tags(article_id),
        "annotations": archive.annotations.list(article_id),
        "versions": versions,
        "images": [archive.asset(b.src.removeprefix("asset:")) for b in article.blocks
                   if b.kind == "image"],
    }  # fmt: skip


def test_undoing_a_delete_brings_the_article_back_under_its_id_with_everything(
    archive: Archive,
) -> None:
    url = "https://example.com/pictured"
    archive.save(ExtractedArticle(title="Pictured", blocks=[Block("paragraph", "Old text.")],
                                  url=url))  # fmt: skip
    pictured = ExtractedArticle(
        title="Pictured", url=url, related=[RelatedItem("Elsewhere", "https://example.com/e")],
        blocks=[Block("paragraph", "Words to highlight."), Block("image", src="pic.png")],
        images={"pic.png": b"\x89PNG fake"},
    )  # fmt: skip
    article_id = archive.save(pictured).article_id  # a new text: version 1 is kept
    archive.set_tags(article_id, ["keep", "later"])
    archive.annotations.create_from_quote(article_id, "Words", note="mine", tags=["t"])
    archive.star(article_id)
    linker = archive.save(make_article("Linker", ("x",), related=[("Pictured", url)]))
    archive.save(make_article("Newer", ("y",)))  # the deleted one is not the newest
    before = _everything_about(archive, article_id)
    assert before["versions"] and before["images"] == [("image/png", b"\x89PNG fake")]

    snapshot = archive.snapshot(article_id)
    assert snapshot is not None and archive.delete(article_id)
    assert archive.restore(snapshot) == article_id

    assert _everything_about(archive, article_id) == before
    back = archive.get(linker.article_id)
    assert back is not None and back.related[0].target_id == article_id
    assert [hit.id for hit in archive.search.find("highlight").hits] == [article_id]


@pytest.mark.sqlite_only("PostgreSQL never hands out an id again")
def test_a_restored_article_whose_id_was_taken_meanwhile_comes_back_under_a_new_one(
    archive: Archive,
) -> None:
    article_id = archive.save(make_article("Newest", ("gone",))).article_id
    snapshot = archive.snapshot(article_id)
    assert snapshot is not None and archive.delete(article_id)
    taker = archive.save(make_article("Taker", ("took the id",))).article_id
    assert taker == article_id  # SQLite hands out the highest id + 1 again
    restored = archive.restore(snapshot)
    assert restored != taker
    assert [(a.id, a.title) for a in archive.list_articles(order="title", descending=False)] == [
        (restored, "Newest"), (taker, "Taker"),
    ]  # fmt: skip


def test_articles_saved_after_an_undo_get_ids_of_their_own(archive: Archive) -> None:
    first = archive.save(make_article("First", ("one",))).article_id
    second = archive.save(make_article("Second", ("two",))).article_id
    snapshot = archive.snapshot(second)
    assert snapshot is not None and archive.delete(second)
    assert archive.restore(snapshot) == second
    third = archive.save(make_article("Third", ("three",))).article_id
    assert len({first, second, third}) == 3
    assert {a.title for a in archive.list_articles()} == {"First", "Second", "Third"}


def test_one_bad_item_rolls_back_alone_in_a_batch(archive: Archive) -> None:
    empty = ExtractedArticle(title="Empty", blocks=[])
    results = archive.save_many([make_article("A", ("a",)), empty, make_article("B", ("b",))])
    assert [type(r).__name__ for r in results] == ["SaveOutcome", "ValueError", "SaveOutcome"]
    assert {a.title for a in archive.list_articles()} == {"A", "B"}


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Hello  World\n") == content_hash("hello world")


@pytest.mark.sqlite_only("PRAGMAs are SQLite's")
def test_the_archive_runs_in_wal_mode_with_foreign_keys(archive: Archive) -> None:
    archive.save(make_article())
    with archive.reading() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0


def test_the_migrations_build_exactly_the_schema_of_the_models(archive: Archive) -> None:
    with archive.writer.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_reopening_an_archive_keeps_everything(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as first:
        article_id = first.save(make_article("Kept")).article_id
    with Archive(tmp_path / "a.sqlite3") as again:
        article = again.get(article_id)
        assert article is not None and article.title == "Kept"


def test_an_item_that_fails_halfway_through_saving_leaves_no_trace(archive: Archive) -> None:
    broken = make_article("Half", ("Half written.",), section="Politics")
    broken.related = [RelatedItem(title=None, url=None)]  # type: ignore[arg-type]
    results = archive.save_many([make_article("Whole", ("w",)), broken])
    assert isinstance(results[0], SaveOutcome) and isinstance(results[1], Exception)
    assert [a.title for a in archive.list_articles()] == ["Whole"]
    assert archive.sections() == []
    assert _rows(archive, "select count(*) from related_links") == [(0,)]


def test_reimporting_an_older_snapshot_of_a_page_adds_no_version(archive: Archive) -> None:
    url = "https://example.com/live"
    first = archive.save(make_article(url=url, paragraphs=("Snapshot A.",), section="World"))
    assert archive.save(make_article(url=url, paragraphs=("Snapshot B.",))).status == "updated"
    again = archive.save(make_article(url=url, paragraphs=("Snapshot A.",)))
    assert again.status == "duplicate"
    assert "earlier version" in again.reason
    article = archive.get(first.article_id)
    assert article is not None and article.version == 2 and article.text == "Snapshot B."


def test_an_update_moves_the_article_to_its_new_section(archive: Archive) -> None:
    url = "https://example.com/moved"
    first = archive.save(make_article(url=url, paragraphs=("Old.",), section="World"))
    archive.save(make_article(url=url, paragraphs=("New.",), section="Business"))
    article = archive.get(first.article_id)
    assert article is not None and article.section == "Business"


def test_saved_searches_are_kept_by_name(archive: Archive) -> None:
    first = archive.save_search("Iraq news", "iraq section:international")
    archive.save_search("Iraq news", "iraq -syria")
    archive.save_search("Cafés", "cafe")
    assert [(s.name, s.query) for s in archive.saved_searches()] == [
        ("Cafés", "cafe"), ("Iraq news", "iraq -syria"),
    ]  # fmt: skip
    assert archive.delete_saved_search(first.id)
    assert [s.name for s in archive.saved_searches()] == ["Cafés"]


def test_an_archive_made_by_the_first_version_opens_with_nothing_lost(tmp_path: Path) -> None:
    from alembic import command

    from newsreader.core import db

    path = tmp_path / "old.sqlite3"
    reader, writer = db.create_engines(path)
    config = db._alembic_config()
    with writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO articles (title, text, blocks, content_hash, saved_at, published_at,"
            " format, is_read, is_starred, version) VALUES ('Old harbour', 'Boats of old.',"
            ' \'[{"kind": "paragraph", "text": "Boats of old."}]\', \'h\', '
            "'2020-01-02 00:00:00', '2019-05-06 00:00:00', 'text', 0, 1, 1)"
        )
    reader.dispose()
    writer.dispose()
    with Archive(path) as archive:
        (article,) = archive.list_articles(order="published")
        assert (article.title, article.is_starred) == ("Old harbour", True)
        assert [h.title for h in archive.search.find("boats").hits] == ["Old harbour"]
        with archive.reading() as session:
            sort_date = (
                session.connection().exec_driver_sql("select sort_date from articles").scalar()
            )
        assert str(sort_date).startswith("2019-05-06")


def test_reader_state_from_another_app_is_kept_on_save(archive: Archive) -> None:
    article = make_article(
        "Kept state", url="https://example.org/kept", tags=["climate", " policy "],
        is_read=True, is_starred=True, saved_at="2019-03-04T05:06:07",
    )  # fmt: skip
    saved = _saved(archive.save_many([article])[0])
    detail = archive.get(saved.article_id)
    assert detail is not None and detail.is_read and detail.is_starred
    assert detail.saved_at.isoformat() == "2019-03-04T05:06:07"
    assert archive.article_tags(saved.article_id) == ["climate", "policy"]


def test_a_duplicate_from_another_app_still_brings_its_tags_and_star(archive: Archive) -> None:
    first = _saved(archive.save_many([make_article("Twice", url="https://example.org/t")])[0])
    again = make_article("Twice", url="https://example.org/t", tags=["later"], is_starred=True)
    outcome = _saved(archive.save_many([again])[0])
    assert (outcome.status, outcome.article_id) == ("duplicate", first.article_id)
    detail = archive.get(first.article_id)
    assert detail is not None and detail.is_starred and not detail.is_read
    assert archive.article_tags(first.article_id) == ["later"]


def test_the_fetched_page_is_kept_compressed_and_replaced_on_update(archive: Archive) -> None:
    page = b"<html><body><p>Original bytes</p></body></html>"
    first = make_article("Page", url="https://example.org/p", original=page)
    saved = _saved(archive.save_many([first])[0])
    assert archive.original(saved.article_id) == ("text/html", page)
    newer = make_article("Page", ("Changed text.",), url="https://example.org/p", original=b"<p>2")
    assert _saved(archive.save_many([newer])[0]).status == "updated"
    assert archive.original(saved.article_id) == ("text/html", b"<p>2")
    assert archive.original(9999) is None


def test_an_archive_opens_while_another_program_holds_its_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    Archive(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Archive(path) as archive:
            assert archive.count() == 0  # reading goes on beside the other writer
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_write_under_a_lock_held_too_long_says_the_archive_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "busy.sqlite3"
    with Archive(path) as archive:
        article_id = archive.save(make_article()).article_id
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ArchiveBusy, match="another program is writing to it"):
                archive.star(article_id)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert archive.star(article_id)  # once the lock is gone, writing works again


def test_a_full_disk_stops_a_write_with_a_message_and_keeps_what_was_saved(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "full.sqlite3") as archive:
        kept = archive.save(make_article("Kept", ("Saved before the disk filled.",)))

        @event.listens_for(archive.writer, "connect")
        def _small_disk(connection: Any, _record: Any) -> None:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages + 2}")

        archive.writer.dispose()  # new connections see a disk with two pages left
        big = make_article("Big", tuple(f"Paragraph {n} " + "word " * 400 for n in range(80)))
        with pytest.raises(ArchiveFull, match="is full"), archive.writing() as session:
            Saver(session.connection(), archive.member).save(big)
        assert [a.title for a in archive.list_articles()] == ["Kept"]
        assert archive.get(kept.article_id) is not None


def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(path) as theirs:
        theirs.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        theirs.execute("INSERT INTO users (name) VALUES ('ada')")
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match=r"database of another program .*users"):
        Archive(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite3"]


def test_another_programs_alembic_database_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(path) as theirs:
        theirs.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        theirs.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        theirs.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    with pytest.raises(ArchiveError, match=r"database of another program .*orders"):
        Archive(path)


def test_an_empty_database_file_becomes_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    with Archive(path) as archive:
        assert archive.count() == 0 and not archive.read_only


READ_ONLY_CHECK = """
import json, sys
from newsreader.core.archive import Archive, ArchiveReadOnly
with Archive(sys.argv[1]) as archive:
    try:
        archive.star(1)
        refused = ""
    except ArchiveReadOnly as error:
        refused = str(error)
    print(json.dumps({"read_only": archive.read_only, "titles": [a.title for a in
        archive.list_articles()], "found": archive.search.find("harbour").total,
        "refused": refused, "rights": [archive.rights.mark, archive.rights.annotate,
        archive.rights.edit]}))
"""


def _read_only_run(folder: Path, *command: str) -> list[str]:
    """`command` run where `folder` cannot be written: a read-only mount for root (whom
    file modes do not stop), file modes for anyone else."""
    if os.geteuid() != 0:
        for item in (*folder.iterdir(), folder):
            item.chmod(0o555 if item.is_dir() else 0o444)
        return list(command)
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to mount a folder read-only for root")
    mount_read_only = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", mount_read_only, str(folder), *command]


def test_an_archive_this_user_may_not_write_opens_read_only_and_says_so(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ro"
    path = folder / "archive.sqlite3"
    with Archive(path) as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    shutil.rmtree(folder / "archive.sqlite3.search")
    command = _read_only_run(folder, sys.executable, "-c", READ_ONLY_CHECK, str(path))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    try:
        finished = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60,
                                  check=False)  # fmt: skip
    finally:
        for item in (folder, *folder.iterdir()):
            item.chmod(0o755)
    assert finished.returncode == 0, finished.stderr
    outcome = json.loads(finished.stdout)
    assert outcome["read_only"] and outcome["titles"] == ["Harbour"]
    assert outcome["found"] == 1
    assert "read-only" in outcome["refused"]
    assert outcome["rights"] == [False, False, False]  # the window offers no writes


def test_one_source_files_spelling_and_suffix_variants_under_one_section(
    archive: Archive,
) -> None:
    for n, label in enumerate(["Business", "Business News", "BUSINESS", "Sports", "Sport"]):
        archive.save(make_article(f"Story {n}", (f"Text {n}.",), section=label,
                                  url=f"https://daily.example.com/s/{n}"))  # fmt: skip
    archive.save(make_article("Elsewhere", ("Other text.",), section="Business News",
                              url="https://other.example.org/s/1"))  # fmt: skip
    counts = {(s.name, s.count) for s in archive.sections()}
    assert counts == {("Business", 3), ("Sports", 2), ("Business News", 1)}


def test_a_section_another_member_adds_at_the_same_moment_is_shared_not_an_error(
    postgres_archive_url: str,
) -> None:
    with Archive(postgres_archive_url) as archive:
        other = psycopg.connect(postgres_archive_url)  # another member, mid-import
        other.execute("INSERT INTO sections (key, name) VALUES (%s, 'World')",
                      (section_key("World"),))  # fmt: skip
        outcomes: list[object] = []
        saving = threading.Thread(target=lambda: outcomes.extend(
            archive.save_many([make_article("Shared section", ("x",), section="World")])
        ))  # fmt: skip
        saving.start()
        time.sleep(0.5)  # the save waits for that row, then redoes its batch item by item
        other.commit()
        other.close()
        saving.join(timeout=20)
        assert [type(o).__name__ for o in outcomes] == ["SaveOutcome"], outcomes
        assert [(s.name, s.count) for s in archive.sections()] == [("World", 1)]
