import json

import pytest

from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.jsonl import read_jsonl, record_to_article


def test_a_corpus_record_becomes_an_article_with_its_section_and_date() -> None:
    article = record_to_article(
        {"id": "bbc-1", "title": "Ad sales boost profit", "section": "business",
         "date": "2004-12-01", "body": "Profits jumped.\n\nSales rose.", "source": "BBC"}
    )  # fmt: skip
    assert article.title == "Ad sales boost profit"
    assert article.section == "Business"
    assert [b.text for b in article.blocks] == ["Profits jumped.", "Sales rose."]
    assert article.published == "2004-12-01"
    assert article.external_id == "bbc-1"
    assert article.source == "BBC"


def test_newswire_bodies_are_unwrapped_into_indented_paragraphs() -> None:
    body = "Showers continued\nthroughout the week.\n    The dry period means\nlate crops.&#3;"
    article = record_to_article({"title": "COCOA", "body": body})
    assert [b.text for b in article.blocks] == [
        "Showers continued throughout the week.",
        "The dry period means late crops.",
    ]


@pytest.mark.parametrize("ending", [" when contacted by Reuters", "\n Reuter", " said Reuters."])
def test_no_words_are_cut_from_the_end_of_a_body(ending: str) -> None:
    body = f"The company declined to comment{ending}"
    article = record_to_article({"title": "Comment", "body": body})
    assert article.text.split() == body.split()


@pytest.mark.parametrize("record", [{"title": "No body"}, {"body": "   "}, ["a", "list"], "text"])
def test_records_without_a_body_are_refused(record: object) -> None:
    with pytest.raises(ExtractionError):
        record_to_article(record)


def test_every_line_gives_an_article_or_an_error_with_its_line_number() -> None:
    lines = [
        json.dumps({"title": "One", "body": "Text one."}),
        "{not json",
        "",
        json.dumps({"title": "Three"}),
        json.dumps({"title": "Four", "body": "Text four."}),
    ]
    results = list(read_jsonl("\n".join(lines).encode().splitlines()))
    assert [n for n, _ in results] == [1, 2, 4, 5]
    kinds = [type(r).__name__ for _, r in results]
    assert kinds == ["ExtractedArticle", "ExtractionError", "ExtractionError", "ExtractedArticle"]


def test_html_character_references_in_a_corpus_are_decoded_and_bare_ampersands_stay() -> None:
    record = {"title": "&#163;1.8m indecency fine", "body": "Caf&eacute; owners &amp; R&D staff."}
    article = record_to_article(record)
    assert article.title == "£1.8m indecency fine"
    assert article.text == "Café owners & R&D staff."
