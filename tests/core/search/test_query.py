from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.search.query import MAX_TERMS, Filter, Words, parse_query


def atoms(text: str) -> list[tuple[bool, tuple[object, ...]]]:
    return [(c.negated, c.alternatives) for c in parse_query(text).clauses]


def test_words_are_each_required() -> None:
    assert atoms("iraq talks") == [
        (False, (Words(("iraq",)),)), (False, (Words(("talks",)),)),
    ]  # fmt: skip


def test_a_quoted_phrase_keeps_its_words_together() -> None:
    assert atoms('"military alliance"') == [
        (False, (Words(("military", "alliance"), phrase=True, exact=True),))
    ]


def test_a_minus_excludes() -> None:
    assert atoms("iraq -syria")[1] == (True, (Words(("syria",)),))


def test_or_joins_its_neighbours_only() -> None:
    assert atoms("iraq OR syria talks") == [
        (False, (Words(("iraq",)), Words(("syria",)))), (False, (Words(("talks",)),)),
    ]  # fmt: skip


def test_a_trailing_star_makes_a_prefix() -> None:
    assert atoms("elect*") == [(False, (Words(("elect",), prefix=True),))]


def test_filters_take_quoted_values() -> None:
    assert atoms('section:"world news" source:bbc tag:Later') == [
        (False, (Filter("section", "world news"),)),
        (False, (Filter("source", "bbc"),)),
        (False, (Filter("tag", "Later"),)),
    ]


def test_title_and_author_search_their_own_fields() -> None:
    assert atoms('title:talks author:"jane doe"') == [
        (False, (Words(("talks",), field="title"),)),
        (False, (Words(("jane", "doe"), phrase=True, field="author"),)),
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("before:2024", date(2024, 1, 1)),
        ("before:2024-02", date(2024, 2, 1)),
        ("after:2023", date(2023, 12, 31)),
        ("after:2024-02", date(2024, 2, 29)),
        ("after:2024-02-10", date(2024, 2, 10)),
    ],
)
def test_dates_may_be_years_months_or_days(text: str, day: date) -> None:
    ((_negated, (atom,)),) = atoms(text)
    assert isinstance(atom, Filter) and atom.day == day


@pytest.mark.parametrize("text", ["is:bogus", "before:yesterday", "has:picture", "section:"])
def test_filters_that_make_no_sense_are_dropped_with_a_hint(text: str) -> None:
    parsed = parse_query(text)
    assert parsed.is_empty
    assert parsed.hints


def test_fts_syntax_and_sql_are_just_words() -> None:
    assert [a for _, (a,) in atoms("NEAR(a b) col:x '; DROP TABLE articles; --")] == [
        Words((w,)) for w in ("NEAR", "a", "b", "col", "x", "DROP", "TABLE", "articles")
    ]


def test_lone_operators_and_emoji_give_an_empty_query() -> None:
    assert parse_query('AND OR NOT - "" * ❤️😀').is_empty


def test_a_huge_query_is_cut_with_a_hint() -> None:
    parsed = parse_query("word " * 5000)
    assert len(parsed.clauses) == MAX_TERMS
    assert parsed.hints


@given(st.text())
def test_any_text_parses(text: str) -> None:
    parse_query(text)
