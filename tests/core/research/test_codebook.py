"""The codebook: codes, codings, renames and merges that keep every coding."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.core.codebook import CodebookError
from tests.factories import make_article

TEXT = ("Interest rates rose again. The central bank said inflation was too high.",
        "Unions protested in the capital against the cuts.")  # fmt: skip


@pytest.fixture
def article_id(archive: Archive) -> int:
    return archive.save(make_article("Rates rise", TEXT)).article_id


def test_a_new_archive_starts_with_the_five_colours_as_codes(archive: Archive) -> None:
    codes = archive.codebook.list()
    assert [c.name for c in codes] == ["yellow", "green", "blue", "pink", "purple"]
    assert codes[0].color == "#ffe58a" and all(c.count == 0 for c in codes)


def test_a_highlight_in_a_colour_is_coded_by_that_colours_code(
    archive: Archive, article_id: int
) -> None:
    made = archive.annotations.create_from_quote(article_id, "Interest rates", color="green")
    assert made.codes == ["green"]
    assert {c.name: c.count for c in archive.codebook.list()}["green"] == 1


def test_a_highlight_carries_the_codes_it_is_given_and_its_coder(
    archive: Archive, article_id: int
) -> None:
    archive.codebook.create("economy", color="#123456", description="money matters")
    archive.codebook.create("inflation", parent="economy")
    made = archive.annotations.create_from_quote(
        article_id, "inflation was too high", codes=["economy", "Inflation"], coder="ana"
    )
    assert made.codes == ["economy", "inflation"] and made.coder == "ana"
    assert archive.annotations.list(code="inflation")[0].id == made.id
    assert archive.codebook.find("inflation").parent_id == archive.codebook.find("economy").id  # type: ignore[union-attr]


def test_coding_with_an_unknown_code_is_refused_and_saves_nothing(
    archive: Archive, article_id: int
) -> None:
    from newsreader.core.annotations import AnnotationError

    with pytest.raises(AnnotationError, match="no code"):
        archive.annotations.create_from_quote(article_id, "Interest", codes=["nonesuch"])
    assert archive.annotations.list() == []


def test_renaming_a_code_keeps_its_codings_and_search_follows(
    archive: Archive, article_id: int
) -> None:
    made = archive.annotations.create_from_quote(article_id, "Unions protested", color="pink")
    archive.codebook.update("pink", name="Labour unrest")
    assert archive.annotations.list()[0].codes == ["Labour unrest"]
    assert archive.search.find('code:"labour unrest"').total == 1
    assert archive.search.find("code:pink").total == 0
    assert archive.annotations.list(code="labour unrest")[0].id == made.id


def test_merging_codes_keeps_every_coding_once(archive: Archive, article_id: int) -> None:
    both = archive.annotations.create_from_quote(article_id, "Interest rates",
                                                 codes=["yellow", "blue"])  # fmt: skip
    only_blue = archive.annotations.create_from_quote(article_id, "central bank", color="blue")
    archive.codebook.create("money", parent="blue")
    merged = archive.codebook.merge("blue", "yellow")
    assert merged.name == "yellow" and merged.count == 2
    codes = {v.id: v.codes for v in archive.annotations.list()}
    assert codes == {both.id: ["yellow"], only_blue.id: ["yellow"]}
    assert archive.codebook.find("blue") is None
    assert archive.codebook.find("money").parent_id == merged.id  # type: ignore[union-attr]
    assert (
        archive.search.find("code:yellow").total == 1
        and archive.search.find("code:blue").total == 0
    )


def test_codebook_edits_that_make_no_sense_are_refused(archive: Archive) -> None:
    archive.codebook.create("a")
    archive.codebook.create("b", parent="a")
    with pytest.raises(CodebookError, match="already"):
        archive.codebook.update("b", name="A")
    with pytest.raises(CodebookError, match="under itself"):
        archive.codebook.update("a", parent="b")
    with pytest.raises(CodebookError, match="itself"):
        archive.codebook.merge("a", "a")
    with pytest.raises(CodebookError, match="#rrggbb"):
        archive.codebook.create("c", color="red")
    with pytest.raises(CodebookError, match="name"):
        archive.codebook.create("   ")
    assert [c.name for c in archive.codebook.list()][-2:] == ["a", "b"]


def test_toggling_a_code_adds_then_removes_it(archive: Archive, article_id: int) -> None:
    made = archive.annotations.create_from_quote(article_id, "Interest rates", codes=[])
    assert archive.codebook.toggle(made.id, "green") == ["green"]
    assert archive.codebook.toggle(made.id, "green") == []


def test_deleting_a_highlight_and_undoing_it_keeps_its_codes(
    archive: Archive, article_id: int
) -> None:
    made = archive.annotations.create_from_quote(article_id, "Interest rates",
                                                 codes=["green", "blue"], coder="ben")  # fmt: skip
    gone = archive.annotations.delete(made.id)
    back = archive.annotations.restore(gone)
    assert back.codes == ["green", "blue"] and back.coder == "ben"


def test_an_older_archive_gets_the_codebook_with_its_highlights_coded_by_colour(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
        connection.execute(text(
            "INSERT INTO articles (id, title, saved_at, sort_date, format, text, blocks, "
            "content_hash, is_read, is_starred, version) VALUES (1, 'Old', '2024-01-01', "
            "'2024-01-01', 'text', 'Some old text here.', '[]', 'h', 0, 0, 1)"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO annotations (uuid, article_id, start, end, exact, prefix, suffix, "
            "status, color, note, tags, created_at, updated_at) VALUES ('u1', 1, 0, 4, 'Some',"
            " '', '', 'anchored', 'purple', '', '[]', '2024-01-01', '2024-01-01')"
        ))  # fmt: skip
    engine.dispose()
    with Archive(path) as archive:
        (view,) = archive.annotations.list()
        assert view.codes == ["purple"] and view.coder == ""
        assert archive.search.find("code:purple").total == 1


def test_a_code_named_with_digits_is_found_by_its_name_before_any_id(archive: Archive) -> None:
    archive.codebook.create("2024")
    archive.codebook.create("Ünion")
    assert archive.codebook.find("2024").name == "2024"  # type: ignore[union-attr]
    assert archive.codebook.find("1").name == "yellow"  # type: ignore[union-attr]
    assert archive.codebook.find("ünion").name == "Ünion"  # type: ignore[union-attr]
