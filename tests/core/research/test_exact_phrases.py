"""Quoted phrases match exact word forms; unquoted words stay stemmed (BBC corpus)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from newsreader.core.archive import Archive
from newsreader.core.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.shared_data


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in re.findall(r"[^\W_]+", text)]


def _contains(text: str, phrase: tuple[str, ...]) -> bool:
    tokens = _tokens(text)
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def test_interest_rates_in_quotes_finds_exactly_the_articles_with_that_phrase(
    bbc_archive: Archive,
) -> None:
    with bbc_archive.reading() as session:
        texts = session.execute(select(Article.id, Article.title, Article.text)).all()
    phrase = ("interest", "rates")
    expected = {
        i for i, title, body in texts if _contains(title, phrase) or _contains(body, phrase)
    }
    found = bbc_archive.search.find('"interest rates"', limit=1000, facets=False)
    assert found.total == len(expected) > 40  # 51: the corpus's copies are saved once
    assert {h.id for h in found.hits} == expected
    stemmed = bbc_archive.search.find("interest rates", limit=0).total
    assert stemmed > len(expected)  # unquoted words match any form: "rate", "interested"


def test_a_quoted_word_is_not_stemmed_but_folds_case_and_accents(archive: Archive) -> None:
    archive.save(make_article("Café society", ("The CAFE was full.",)))
    archive.save(make_article("Cafes", ("Two cafes closed.",)))
    assert archive.search.find('"café"').total == 1
    assert archive.search.find("cafe").total == 2
    assert archive.search.find('"cafes"').total == 1
