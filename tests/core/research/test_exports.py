"""One export: a corpus for R and pandas, references, and refusals that write nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from newsreader.core.exports import ExportError
from tests.factories import make_article


@pytest.fixture
def ids(archive: Archive) -> list[int]:
    first = archive.save(make_article("Budget vote", ("The council voted on the budget.",),
                                      section="Politics", byline="Ann Lee",
                                      url="https://example.org/budget",
                                      published="2024-03-01")).article_id  # fmt: skip
    second = archive.save(make_article("Match report", ("The home side won.",),
                                       section="Sport")).article_id  # fmt: skip
    archive.set_tags(first, ["council"])
    archive.annotations.create_from_quote(first, "voted on", codes=["green"], coder="ana",
                                          note="key verb")  # fmt: skip
    return [first, second]


def test_a_json_lines_corpus_has_every_field_and_its_annotations_beside_it(
    archive: Archive, ids: list[int], tmp_path: Path
) -> None:
    result = archive.research.export("jsonl", tmp_path / "corpus.jsonl")
    assert (result.articles, result.annotations) == (2, 1)
    rows = [json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text().splitlines()]
    budget = next(r for r in rows if r["id"] == ids[0])
    assert list(budget) == ["id", "url", "title", "section", "source", "author", "published",
                            "saved", "text", "tags", "codes"]  # fmt: skip
    assert budget["tags"] == ["council"] and budget["codes"] == ["green"]
    assert budget["published"].startswith("2024-03-01") and budget["author"] == "Ann Lee"
    (note,) = [json.loads(x) for x in (tmp_path / "corpus.annotations.jsonl").read_text()
               .splitlines()]  # fmt: skip
    assert budget["text"][note["start"] : note["end"]] == note["quote"] == "voted on"
    assert (note["article_id"], note["codes"], note["coder"]) == (ids[0], ["green"], "ana")


def test_a_csv_corpus_of_a_search_holds_only_its_matches(
    archive: Archive, ids: list[int], tmp_path: Path
) -> None:
    result = archive.research.export("csv", tmp_path / "c.csv", query="council")
    assert result.articles == 1
    (row,) = csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8")))
    assert row["title"] == "Budget vote" and row["codes"] == "green"
    (note,) = csv.DictReader(
        io.StringIO((tmp_path / "c.annotations.csv").read_text(encoding="utf-8"))
    )
    assert note["quote"] == "voted on" and note["start"] == "12"


def test_references_of_chosen_articles_are_written_in_each_format(
    archive: Archive, ids: list[int], tmp_path: Path
) -> None:
    for fmt, marker in (("csl-json", '"type": "webpage"'), ("bibtex", "@online{"),
                        ("ris", "TY  - ELEC")):  # fmt: skip
        out = tmp_path / f"refs.{fmt}"
        assert archive.research.export(fmt, out, article_ids=[ids[1]]).articles == 1
        assert marker in out.read_text()


def test_an_export_that_cannot_be_made_says_why_and_leaves_the_file_alone(
    archive: Archive, ids: list[int], tmp_path: Path
) -> None:
    out = tmp_path / "keep.ris"
    out.write_text("mine")
    with pytest.raises(ExportError, match="no article with id 999"):
        archive.research.export("ris", out, article_ids=[999])
    with pytest.raises(ExportError, match="unknown format"):
        archive.research.export("docx", out)
    with pytest.raises(ExportError, match="does not exist"):
        archive.research.export("ris", tmp_path / "nowhere" / "x.ris")
    assert out.read_text() == "mine"
