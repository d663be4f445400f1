"""REFI-QDA: projects valid against the XSD, and codings that round-trip exactly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from newsreader.core.archive import Archive
from newsreader.core.refiqda import (
    RefiQdaError,
    codebook_xml,
    write_qdpx,
)
from newsreader.testing import shared_data
from tests.factories import make_article

PARAGRAPHS = ("Café owners in Zürich said prices rose — again.", "Unions plan a strike.",
              "The minister said nothing 😶 about it.")  # fmt: skip


def _coded_archive(archive: Archive) -> list[int]:
    ids = [archive.save(make_article(f"Story {n}", (*PARAGRAPHS, f"Number {n}."))).article_id
           for n in range(3)]  # fmt: skip
    archive.codebook.create("economy", color="#112233", description="money")
    archive.codebook.create("prices", parent="economy")
    for article_id in ids:
        archive.annotations.create_from_quote(article_id, "prices rose", codes=["prices"],
                                              coder="ana", note="a rise")  # fmt: skip
        archive.annotations.create_from_quote(article_id, "nothing 😶 about", coder="ben",
                                              codes=["economy", "green"])  # fmt: skip
        archive.annotations.create_from_quote(article_id, "Unions plan", codes=[])
    return ids


@pytest.mark.shared_data
def test_the_project_validates_against_the_refi_qda_schema(
    archive: Archive, tmp_path: Path
) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared_data("refi-qda", "Project-mrt2019.xsd"))))
    ids = _coded_archive(archive)
    summary = write_qdpx(archive, ids, tmp_path / "p.qdpx")
    assert (summary.sources, summary.selections, summary.codings) == (3, 9, 9)
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zipped:
        project = etree.fromstring(zipped.read("project.qde"))
        texts = [n for n in zipped.namelist() if n.startswith("sources/")]
        assert len(texts) == 3
        assert zipped.read(texts[0]).decode("utf-8") == archive.get(ids[0]).text  # type: ignore[union-attr]
    schema.assertValid(project)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    assert [u.get("name") for u in project.iterfind("q:Users/q:User", ns)] == ["ana", "ben"]
    economy = project.find("q:CodeBook/q:Codes/q:Code[@name='economy']", ns)
    assert economy is not None and economy.get("color") == "#112233"
    assert economy.find("q:Code", ns).get("name") == "prices"


def test_codings_round_trip_onto_the_same_characters_in_a_fresh_archive(
    archive: Archive, tmp_path: Path
) -> None:
    ids = _coded_archive(archive)
    write_qdpx(archive, ids, tmp_path / "p.qdpx")
    before = {(v.article_id, v.start, v.end, v.exact, tuple(v.codes), v.coder, v.note)
              for v in archive.annotations.list()}  # fmt: skip
    with Archive(tmp_path / "fresh.sqlite3") as fresh:
        mapping = {}  # the same articles, saved in the other order
        for n in (2, 1, 0):
            saved = fresh.save(make_article(f"Story {n}", (*PARAGRAPHS, f"Number {n}.")))
            mapping[saved.article_id] = ids[n]
        summary = fresh.research.import_qdpx(tmp_path / "p.qdpx")
        assert (summary.sources_matched, summary.codings, summary.failed) == (3, 9, [])
        after = {(mapping[v.article_id], v.start, v.end, v.exact, tuple(v.codes), v.coder, v.note)
                 for v in fresh.annotations.list()}  # fmt: skip
        assert after == before
        assert fresh.codebook.find("prices").parent_id == fresh.codebook.find("economy").id  # type: ignore[union-attr]
        again = fresh.research.import_qdpx(tmp_path / "p.qdpx")
        assert again.duplicates == 9 and again.codings == 0


def test_a_project_whose_articles_are_not_here_imports_its_codes_only(
    archive: Archive, tmp_path: Path
) -> None:
    ids = _coded_archive(archive)
    write_qdpx(archive, ids[:1], tmp_path / "p.qdpx")
    with Archive(tmp_path / "empty.sqlite3") as empty:
        summary = empty.research.import_qdpx(tmp_path / "p.qdpx")
        assert summary.sources_missing == ["Story 0"] and summary.codings == 0
        assert {"economy", "prices"} <= {c.name for c in empty.codebook.list()}


def test_a_codebook_file_round_trips_with_its_tree_and_colours(
    archive: Archive, tmp_path: Path
) -> None:
    archive.codebook.create("politics", color="#abcdef", description="power")
    archive.codebook.create("elections", parent="politics")
    data = codebook_xml(archive)
    with Archive(tmp_path / "other.sqlite3") as other:
        summary = other.research.import_qdc(data)
        assert (summary.codes_added, summary.codes_matched) == (2, 5)
        politics = other.codebook.find("politics")
        assert politics is not None and politics.color == "#abcdef"
        assert politics.description == "power"
        assert other.codebook.find("elections").parent_id == politics.id  # type: ignore[union-attr]


def test_files_that_are_not_refi_qda_are_refused_with_a_reason(
    archive: Archive, tmp_path: Path
) -> None:
    (tmp_path / "x.qdpx").write_bytes(b"not a zip")
    with pytest.raises(RefiQdaError, match="zip"):
        archive.research.import_qdpx(tmp_path / "x.qdpx")
    with pytest.raises(RefiQdaError, match="XML"):
        archive.research.import_qdc(b"<CodeBook")
    with pytest.raises(RefiQdaError, match="codebook"):
        archive.research.import_qdc(b"<Project/>")
    assert len(archive.codebook.list()) == 5
