"""The concordance: every occurrence, one line each, equal to a regex scan of the texts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from newsreader.core.archive import Archive
from newsreader.core.concordance import sort_lines, to_csv
from newsreader.core.models import Article
from tests.factories import make_article


@pytest.mark.shared_data
def test_interest_rates_lines_equal_a_regex_scan_of_the_bbc_texts(bbc_archive: Archive) -> None:
    pattern = re.compile(r"(?<![^\W_])interest[\W_]+rates(?![^\W_])", re.IGNORECASE)
    with bbc_archive.reading() as session:
        texts = session.execute(select(Article.id, Article.text)).all()
    expected = {(i, m.start(), m.end()) for i, text in texts for m in pattern.finditer(text)}
    lines = list(bbc_archive.research.concordance('"interest rates"', width=4))
    assert {(line.article_id, line.start, line.end) for line in lines} == expected
    assert len(lines) == len(expected) > 60
    assert all(re.findall(r"[^\W_]+", line.match.casefold()) == ["interest", "rates"]
               for line in lines)  # fmt: skip
    words = re.compile(r"[^\W_]+")
    assert all(len(words.findall(line.left)) <= 4 >= len(words.findall(line.right))
               for line in lines)  # fmt: skip


@pytest.fixture
def small(archive: Archive) -> Archive:
    archive.save(make_article("Old", ("Banks cut rates. Rates fell.",), section="Business",
                              published="2004-01-05"))  # fmt: skip
    archive.save(make_article("New", ("Zebra rate rose again.",), section="Arts",
                              published="2005-06-01"))  # fmt: skip
    return archive


def test_unquoted_words_find_every_form_and_lines_keep_their_context(small: Archive) -> None:
    lines = list(small.research.concordance("rates", width=2))
    assert [(line.left, line.match, line.right) for line in lines] == [
        ("Zebra", "rate", "rose again"),  # newest article first
        ("Banks cut", "rates", ". Rates fell"),
        ("cut rates.", "Rates", "fell"),
    ]


def test_lines_sort_by_left_or_right_context_date_and_section(small: Archive) -> None:
    lines = list(small.research.concordance("rates", width=2))
    assert [line.right for line in sort_lines(lines, "right")] == [
        "fell", ". Rates fell", "rose again"]  # fmt: skip
    assert [line.left for line in sort_lines(lines, "left")] == [
        "Banks cut", "cut rates.", "Zebra"]  # fmt: skip
    assert [line.section for line in sort_lines(lines, "section")] == [
        "Arts", "Business", "Business"]  # fmt: skip
    assert sort_lines(lines, "date")[0].date.year == 2005
    assert to_csv(lines).splitlines()[0].startswith("article_id,title,section")


def test_a_query_without_words_has_no_lines(small: Archive) -> None:
    assert list(small.research.concordance("section:business")) == []
