"""Random queries, filters and annotation strings, lone surrogates included: every one is
answered (results, a hint or a clear error), none raises, and the index never falls behind.

CI runs a few thousand cases; `NEWSREADER_FUZZ_CASES=50000 pytest tests/reliability` runs
the figure in the notes.
"""

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsreader.core.annotations import COLORS, AnnotationError
from newsreader.core.archive import Archive
from newsreader.core.unicode import scrub
from tests.factories import make_article

CASES = int(os.environ.get("NEWSREADER_FUZZ_CASES", "3000"))
FILTERS = ("section", "source", "tag", "color", "author", "title", "before", "after", "is",
           "has", "code", "nosuch")  # fmt: skip
WORDS = ("budget", "council", "talks", "élection", "OR", "AND", "NOT", "-", "*", '"', "(", ")",
         ":", "\\", "'", "NEAR", "^2", "~1", "{", "[", "]", "}", "&&", "||", "/", "?")  # fmt: skip
ODD = ("\ud800", "\udfff", "\x00", "\u202e", "\ufeff", "\ufffd", "\u0301", "😀", "\n", "\t",
       "\u200b", "\x7f", "𝔘")  # fmt: skip
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)


def hostile_piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(WORDS)
    if roll < 0.5:
        return rng.choice(ODD)
    if roll < 0.6:
        return rng.choice(WORDS) * rng.randint(1, 300)
    length = rng.randint(0, 12)
    return "".join(chr(rng.choice((rng.randint(0, 0x2FF), rng.randint(0, 0x10FFFF))))
                   for _ in range(length))  # fmt: skip


def hostile_query(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 8)):
        piece = hostile_piece(rng)
        if rng.random() < 0.35:
            value = f'"{piece}"' if rng.random() < 0.3 else piece
            piece = f"{rng.choice(FILTERS)}:{value}"
        if rng.random() < 0.15:
            piece = "-" + piece
        parts.append(piece)
    return rng.choice((" ", "", "  ", " OR ")).join(parts)


@pytest.fixture
def small_archive(archive: Archive) -> Archive:
    for n, section in enumerate(("World", "Business", "Sport")):
        body = (f"The council met about the budget {n}.",)
        article = make_article(f"Budget talks {n}", body, section=section, source="Example News")
        archive.save(article)
    return archive


@pytest.mark.sqlite_only("query parsing: the store plays no part")
def test_random_queries_and_filters_are_all_answered(small_archive: Archive) -> None:
    rng = random.Random(1)
    for _ in range(CASES):
        query = hostile_query(rng)
        results = small_archive.search.find(query, limit=rng.choice((0, 5, 50)),
                         sort=rng.choice(("relevance", "date")))  # fmt: skip
        assert results.total >= len(results.hits)


def test_random_annotation_strings_are_saved_listed_and_searched(small_archive: Archive) -> None:
    rng = random.Random(2)
    article_ids = [a.id for a in small_archive.list_articles()]
    for n in range(max(40, CASES // 60)):
        note = hostile_piece(rng) + hostile_piece(rng)
        tags = [hostile_piece(rng) for _ in range(rng.randint(0, 3))]
        color = rng.choice((*COLORS, hostile_piece(rng)))
        try:
            made = small_archive.annotations.create(article_ids[n % 3], 0, 5, note=note,
                                                    tags=tags, color=color)  # fmt: skip
        except AnnotationError:
            assert color not in COLORS  # an unknown colour is refused with a reason
            continue
        small_archive.annotations.update(made.id, note=hostile_piece(rng), tags=tags[:1])
        small_archive.annotations.list(
            tag=hostile_piece(rng), section=hostile_piece(rng), text=hostile_piece(rng),
            color=rng.choice(COLORS),
        )  # fmt: skip
        small_archive.search.find(f"tag:{rng.choice(tags or ['x'])} {hostile_piece(rng)}")
    index = small_archive.search_index
    engine = small_archive.reader if small_archive.is_team else small_archive.writer
    assert index.sync(engine) == 0 and index.failed == set()


def test_random_names_for_tags_saved_searches_and_feeds_are_kept(
    small_archive: Archive, tmp_path: Path
) -> None:

    rng = random.Random(3)
    article_id = small_archive.list_articles()[0].id
    for n in range(max(40, CASES // 60)):
        name = hostile_piece(rng) or "x"
        small_archive.set_tags(article_id, [name, hostile_piece(rng)])
        query = hostile_query(rng)
        if scrub(name).strip():  # a query of nothing storable (only NULs) is refused
            small_archive.save_search(name + str(n), query if scrub(query).strip() else "budget")
        small_archive.feeds.add(f"https://example.org/{n}", title=name, folder=hostile_piece(rng))
    assert small_archive.search.find("budget").total == 3


@pytest.mark.sqlite_only("query parsing: the store plays no part")
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(query=ANY_TEXT)
def test_any_string_at_all_is_a_query(small_archive: Archive, query: str) -> None:
    results = small_archive.search.find(query)
    assert results.total >= len(results.hits)
