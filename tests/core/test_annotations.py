import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from newsreader.core.annotations import AnnotationConflict, AnnotationError
from newsreader.core.archive import Archive
from tests.factories import make_article

TEXT = (
    "Talks on the military alliance will start soon.",
    "Officials said the coalition would stay in Iraq for now.",
)


@pytest.fixture
def article_id(archive: Archive) -> int:
    return archive.save(
        make_article("Iraq talks", TEXT, url="https://example.com/iraq", section="World")
    ).article_id


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_a_highlight_is_stored_with_both_selectors(archive: Archive, article_id: int) -> None:
    text = "\n".join(TEXT)
    start, end = span(text, "military alliance")
    made = archive.annotations.create(article_id, start, end, color="green", note="Key point",
                                      tags=["nato", "nato", " later "])  # fmt: skip
    assert (made.start, made.end, made.exact) == (start, end, "military alliance")
    assert made.prefix.endswith("Talks on the ") and made.suffix.startswith(" will start")
    assert (made.color, made.note, made.status) == ("green", "Key point", "anchored")
    assert made.tags == ["nato", "later"]
    (listed,) = archive.annotations.list(article_id)
    assert listed.id == made.id and listed.article_title == "Iraq talks"


def test_a_highlight_is_durable_the_moment_it_is_made(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        article_id = archive.save(make_article("T", TEXT)).article_id
        archive.annotations.create(article_id, 0, 5)
        with sqlite3.connect(tmp_path / "a.sqlite3") as other_process:
            assert other_process.execute("select exact from annotations").fetchall() == [("Talks",)]


def test_notes_colours_and_tags_can_be_changed(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create(article_id, 0, 5)
    changed = archive.annotations.update(made.id, note="new note", color="PINK", tags=["a"])
    assert (changed.note, changed.color, changed.tags) == ("new note", "pink", ["a"])
    with pytest.raises(AnnotationError):
        archive.annotations.update(made.id, color="tartan")


def test_a_deleted_annotation_comes_back_with_undo(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create(article_id, 0, 5, note="keep me")
    gone = archive.annotations.delete(made.id)
    assert archive.annotations.list() == []
    back = archive.annotations.restore(gone)
    assert (back.uuid, back.note, back.start) == (made.uuid, "keep me", 0)


def test_the_cli_way_finds_the_quote_in_the_text(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create_from_quote(article_id, "the coalition  would stay")
    assert made.exact == "the coalition would stay"
    with pytest.raises(AnnotationError, match="not in the article"):
        archive.annotations.create_from_quote(article_id, "not there at all")


@pytest.mark.sqlite_only("input checks: the store plays no part")
@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (0, 10_000), (5, 6)])
def test_an_empty_or_impossible_selection_is_refused(
    archive: Archive, article_id: int, start: int, end: int
) -> None:
    with pytest.raises(AnnotationError):
        archive.annotations.create(article_id, start, end)


def test_a_new_text_reanchors_highlights_and_orphans_the_lost_ones(
    archive: Archive, article_id: int
) -> None:
    text = "\n".join(TEXT)
    kept = archive.annotations.create(article_id, *span(text, "the coalition would stay"))
    lost = archive.annotations.create(article_id, *span(text, "military alliance"), note="n")
    new_text = ("A new first paragraph was added.", "Talks will start soon.", TEXT[1])
    archive.save(make_article("Iraq talks", new_text, url="https://example.com/iraq"))
    by_id = {a.id: a for a in archive.annotations.list(article_id)}
    moved = by_id[kept.id]
    article = archive.get(article_id)
    assert article is not None and moved.status == "anchored"
    assert moved.start is not None and moved.end is not None
    assert article.text[moved.start : moved.end] == "the coalition would stay"
    assert by_id[lost.id].status == "orphaned" and by_id[lost.id].note == "n"


def test_an_orphan_can_be_reattached_to_new_text(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create(article_id, 0, 5)
    archive.save(make_article("Iraq talks", ("Entirely different words.",),
                              url="https://example.com/iraq"))  # fmt: skip
    assert archive.annotations.list(article_id)[0].status == "orphaned"
    again = archive.annotations.reattach(made.id, 0, 8)
    assert (again.status, again.exact) == ("anchored", "Entirely")


def test_jsonld_export_follows_the_w3c_model(archive: Archive, article_id: int) -> None:
    text = "\n".join(TEXT)
    archive.annotations.create(article_id, *span(text, "military alliance"), color="blue",
                               note="A note", tags=["nato"])  # fmt: skip
    (item,) = json.loads(archive.annotations.export("jsonld", article_id))
    assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert item["type"] == "Annotation" and item["id"].startswith("urn:uuid:")
    assert item["target"]["source"] == "https://example.com/iraq"
    assert item["target"]["styleClass"] == "blue"
    kinds = {s["type"]: s for s in item["target"]["selector"]}
    assert kinds["TextQuoteSelector"]["exact"] == "military alliance"
    assert kinds["TextPositionSelector"]["start"] == text.index("military alliance")
    assert {"type": "TextualBody", "value": "A note", "format": "text/plain",
            "purpose": "commenting"} in item["body"]  # fmt: skip
    assert {"type": "TextualBody", "value": "nato", "purpose": "tagging"} in item["body"]


def test_an_export_imported_into_a_fresh_archive_reproduces_every_annotation(
    tmp_path: Path,
) -> None:
    articles = [
        make_article("Iraq talks", TEXT, url="https://example.com/iraq"),
        make_article("No URL", ("A text dump without an address.", "Second line here.")),
    ]
    with Archive(tmp_path / "one.sqlite3") as one:
        ids = [one.save(a).article_id for a in articles]
        one.annotations.create(ids[0], 6, 20, color="pink", note="first", tags=["x", "y"])
        one.annotations.create(ids[1], 2, 10, note="on a dump")
        one.annotations.create(ids[1], 0, 1)
        exported = one.annotations.export("jsonld")
        before = [(a.exact, a.start, a.end, a.color, a.note, a.tags, a.uuid)
                  for a in one.annotations.list()]  # fmt: skip
    with Archive(tmp_path / "two.sqlite3") as two:
        for article in reversed(articles):  # other ids, same articles
            two.save(article)
        summary = two.annotations.import_jsonld(exported)
        assert (summary.imported, summary.failed) == (3, [])
        after = [(a.exact, a.start, a.end, a.color, a.note, a.tags, a.uuid)
                 for a in two.annotations.list()]  # fmt: skip
        assert sorted(after) == sorted(before)
        again = two.annotations.import_jsonld(exported)
        assert (again.imported, again.duplicate) == (0, 3)


def test_annotations_of_unknown_articles_are_reported_not_invented(archive: Archive) -> None:
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "id": "https://hypothes.is/a/123",
        "target": {"source": "https://elsewhere.example/page",
                   "selector": [{"type": "TextQuoteSelector", "exact": "hello"}]},
    }  # fmt: skip
    summary = archive.annotations.import_jsonld(json.dumps([foreign, "junk"]))
    assert summary.imported == 0 and len(summary.failed) == 2


@pytest.mark.sqlite_only("input checks: the store plays no part")
@pytest.mark.parametrize("data", ["not json", "42", '{"type": "Other"}'])
def test_bad_import_files_give_clear_errors(archive: Archive, data: str) -> None:
    try:
        summary = archive.annotations.import_jsonld(data)
    except AnnotationError as error:
        assert str(error)
    else:
        assert summary.imported == 0 and summary.failed


def test_markdown_and_csv_exports_carry_quote_note_colour_tags_and_link(
    archive: Archive, article_id: int
) -> None:
    archive.annotations.create(article_id, 0, 5, color="green", note="Why", tags=["t1"])
    markdown = archive.annotations.export("md")
    assert "## Iraq talks" in markdown and "> Talks" in markdown and "Why" in markdown
    assert "*green · tags: t1*" in markdown and "https://example.com/iraq" in markdown
    (row,) = csv.DictReader(io.StringIO(archive.annotations.export("csv")))
    assert (row["quote"], row["note"], row["color"], row["tags"]) == ("Talks", "Why", "green", "t1")
    assert row["article_title"] == "Iraq talks" and row["section"] == "World"


def test_the_library_view_filters_by_colour_tag_section_and_text(
    archive: Archive, article_id: int
) -> None:
    archive.annotations.create(article_id, 0, 5, color="green", tags=["a"])
    archive.annotations.create(article_id, 6, 8, color="blue", note="about iraq")
    assert [a.color for a in archive.annotations.list(color="green")] == ["green"]
    assert [a.color for a in archive.annotations.list(tag="A")] == ["green"]
    assert len(archive.annotations.list(section="world")) == 2
    assert [a.color for a in archive.annotations.list(text="IRAQ")] == ["blue"]


def test_deleting_an_article_deletes_its_annotations(archive: Archive, article_id: int) -> None:
    archive.annotations.create(article_id, 0, 5)
    archive.delete(article_id)
    assert archive.annotations.list() == []


def test_the_library_view_filters_by_date(archive: Archive, article_id: int) -> None:
    from datetime import datetime, timedelta

    archive.annotations.create(article_id, 0, 5)
    now = datetime.now().replace(tzinfo=None)
    assert len(archive.annotations.list(since=now - timedelta(days=2))) == 1
    assert archive.annotations.list(since=now + timedelta(days=2)) == []
    assert archive.annotations.list(until=now - timedelta(days=2)) == []


def test_a_highlight_records_its_author_and_can_be_listed_by_author(
    archive: Archive, article_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive.set_member_name("  Maria   Lopez ")  # a team archive's members are its roles
    made = archive.annotations.create(article_id, 0, 5)
    author = "newsreader" if archive.is_team else "Maria Lopez"  # the test server's role
    assert made.author == author
    assert [a.id for a in archive.annotations.list(author=author)] == [made.id]
    assert archive.annotations.list(author="someone else") == []


def test_without_a_name_the_author_is_the_coder_variable_or_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSREADER_CODER", "coder-7")
    with Archive(tmp_path / "a.sqlite3") as archive:
        article_id = archive.save(make_article("Iraq talks", TEXT)).article_id
        assert archive.annotations.create(article_id, 0, 5).author == "coder-7"


def test_an_edit_started_before_anothers_save_is_a_conflict_that_overwrites_nothing(
    archive: Archive, article_id: int
) -> None:
    made = archive.annotations.create(article_id, 0, 5, note="first")
    with Archive(archive.location) as elsewhere:  # another member's connection
        elsewhere.set_member_name("maria")
        theirs = elsewhere.annotations.update(made.id, note="theirs", revision=made.revision)
    assert theirs.revision == made.revision + 1
    with pytest.raises(AnnotationConflict) as raised:
        archive.annotations.update(made.id, note="mine", revision=made.revision)
    assert raised.value.current.note == "theirs"
    assert [a.note for a in archive.annotations.list(article_id)] == ["theirs"]
    # Saving again from the revision now shown goes through.
    saved = archive.annotations.update(made.id, note="mine", revision=raised.value.current.revision)
    assert saved.note == "mine"


def test_an_edit_without_a_revision_is_saved_as_before(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create(article_id, 0, 5, note="first")
    archive.annotations.update(made.id, note="second")
    assert archive.annotations.update(made.id, note="third").note == "third"
