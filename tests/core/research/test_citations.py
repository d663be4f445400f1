"""Citations: CSL-JSON valid against the CSL schema, styles, BibTeX and RIS read back."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from newsreader.core.citations import (
    CitedArticle,
    author_names,
    format_citation,
    parse_article_link,
    quote_with_citation,
    to_bibtex,
    to_csl_json,
    to_ris,
)

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "csl-data.json"
NEWS = CitedArticle(7, "Rates rise & markets fall", "By Jane Doe and John Roe", "BBC News",
                    "Business", "https://www.bbc.co.uk/news/1", datetime(2005, 3, 1),
                    datetime(2024, 1, 2))  # fmt: skip
PAGE = CitedArticle(8, "A blog post", None, None, None, "https://example.org/p",
                    None, datetime(2024, 2, 3))  # fmt: skip


def test_csl_json_is_valid_against_the_csl_data_schema() -> None:
    items = json.loads(to_csl_json([NEWS, PAGE]))
    jsonschema.validate(items, json.loads(SCHEMA.read_text()))
    assert items[0]["type"] == "article-newspaper" and items[1]["type"] == "webpage"
    assert items[0]["author"] == [{"family": "Doe", "given": "Jane"},
                                  {"family": "Roe", "given": "John"}]  # fmt: skip
    assert items[0]["issued"] == {"date-parts": [[2005, 3, 1]]}
    assert items[0]["accessed"] == {"date-parts": [[2024, 1, 2]]}


@pytest.mark.parametrize(("style", "expected"), [
    ("apa", "Doe, J., & Roe, J. (2005, March 1). Rates rise & markets fall. BBC News. "
            "https://www.bbc.co.uk/news/1"),
    ("chicago", "Doe, J., and J. Roe. 2005."),
    ("mla", "Doe, J., and J. Roe. “Rates Rise & Markets Fall”. BBC News, 1 Mar. 2005"),
])  # fmt: skip
def test_citations_are_formatted_in_each_style(style: str, expected: str) -> None:
    assert format_citation(NEWS, style).startswith(expected)  # type: ignore[arg-type]


def test_a_quote_carries_its_citation_and_a_link_to_the_passage() -> None:
    text = quote_with_citation(NEWS, "markets  fell\nsharply", 120, 141, "apa")
    assert text.startswith("“markets fell sharply”\n— Doe, J.")
    assert text.endswith("newsreader://article/7#char=120,141")
    assert parse_article_link("newsreader://article/7#char=120,141") == (7, 120, 141)
    assert parse_article_link("https://example.org") is None


def test_bibtex_reads_back_with_bibtexparser() -> None:
    library = bibtexparser.parse_string(to_bibtex([NEWS, PAGE]))
    assert not library.failed_blocks
    news, page = library.entries
    assert news.entry_type == "article" and page.entry_type == "online"
    assert news["entrysubtype"] == "newspaper" and news["journaltitle"] == "BBC News"
    assert news["title"] == r"Rates rise \& markets fall"
    assert news["author"] == "Doe, Jane and Roe, John"
    assert news["date"] == "2005-03-01" and news["urldate"] == "2024-01-02"
    assert page["url"] == "https://example.org/p" and "journaltitle" not in page.fields_dict


def test_ris_reads_back_with_rispy() -> None:
    news, page = rispy.loads(to_ris([NEWS, PAGE]))
    assert news["type_of_reference"] == "NEWS" and page["type_of_reference"] == "ELEC"
    assert news["title"] == "Rates rise & markets fall"
    assert news["authors"] == ["Doe, Jane", "Roe, John"]
    assert news["secondary_title"] == "BBC News"
    assert news["date"] == "2005/03/01" and news["urls"] == ["https://www.bbc.co.uk/news/1"]
    assert news["access_date"] == "2024/01/02"


def test_bylines_become_names_and_agencies_stay_whole() -> None:
    assert author_names("By REUTERS") == [{"literal": "REUTERS"}]
    assert author_names("Reuters") == [{"literal": "Reuters"}]
    assert author_names("") == []


@pytest.mark.parametrize("style", ["apa", "mla", "chicago"])
def test_a_reference_without_an_author_names_its_title_once(style: str) -> None:
    no_author = CitedArticle(9, "Yukos files for bankruptcy", None, "BBC News", None,
                             "https://example.org/y", None, datetime(2026, 11, 30))  # fmt: skip
    reference = format_citation(no_author, style)  # type: ignore[arg-type]
    assert reference.casefold().count("yukos files for bankruptcy") == 1, reference
