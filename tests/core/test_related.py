import gzip
import json

import pytest

from newsreader.core.archive import Archive
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.core.related import is_near_duplicate, shingles
from newsreader.testing import shared_data
from tests.factories import make_article

FOOTBALL = [
    "The striker scored twice as the home side won the league match on Saturday.",
    "The manager praised the defence after a clean sheet in the cup tie.",
    "Fans filled the stadium for the derby, and the goalkeeper saved a late penalty.",
    "A late header from the captain sealed the league win for the visitors.",
    "The referee sent off a midfielder, and the striker missed a penalty.",
    "Injuries forced the manager to field a young goalkeeper in the cup match.",
    "The club signed a winger before the transfer window closed for the league.",
    "Supporters sang as the team climbed to second in the league table.",
]
MARKETS = [
    "Shares fell as the central bank raised interest rates to curb inflation.",
    "Bond yields rose and the currency weakened after the inflation figures.",
    "Investors sold bank shares when profits missed forecasts for the quarter.",
    "The central bank warned that inflation would stay high, and shares slipped.",
    "Oil prices lifted energy shares while bank stocks fell on rate fears.",
    "The currency hit a low as investors priced in higher interest rates.",
    "Quarterly profits at the bank beat forecasts, and its shares rose.",
    "Traders expect the central bank to pause its interest rate rises.",
]


@pytest.fixture
def topics(archive: Archive) -> dict[str, int]:
    """Four articles on football and four on markets, no sentence shared by two."""
    ids = {}
    for name, section, pool in (("football", "Sport", FOOTBALL), ("markets", "Business", MARKETS)):
        for n in range(4):
            paragraphs = tuple(pool[2 * n : 2 * n + 2])
            title = " ".join(paragraphs[0].split()[:5])
            article = make_article(title, paragraphs, section=section)
            ids[f"{name}{n}"] = archive.save(article).article_id
    return ids


def test_the_most_similar_articles_share_the_topic(
    archive: Archive, topics: dict[str, int]
) -> None:
    related = archive.related.for_article(topics["football0"])
    assert related is not None
    best = [e.target_id for e in related.similar[:3]]
    assert set(best) == {topics["football1"], topics["football2"], topics["football3"]}
    assert topics["football0"] not in [e.target_id for e in related.similar]


def test_a_lightly_changed_copy_is_another_version_not_related_reading(
    archive: Archive, topics: dict[str, int]
) -> None:
    story = " ".join(FOOTBALL * 3)
    original = archive.save(make_article("Cup final", (story, "A second paragraph here.")))
    copy = archive.save(make_article("CUP FINAL: the report", (story, "Share this story.")))
    related = archive.related.for_article(original.article_id)
    assert related is not None
    assert [e.target_id for e in related.duplicates] == [copy.article_id]
    assert copy.article_id not in [e.target_id for e in related.similar]
    other = archive.related.for_article(copy.article_id)
    assert other is not None and [e.target_id for e in other.duplicates] == [original.article_id]


def test_a_new_article_joins_the_lists_of_its_neighbours(
    archive: Archive, topics: dict[str, int]
) -> None:
    before = archive.related.for_article(topics["markets0"])
    assert before is not None
    newcomer = archive.save(make_article("Rates and shares", (
        "Shares in the bank fell as interest rates and inflation rose again.",
        "The currency and bond yields moved as the central bank met investors.",
    ), section="Business"))  # fmt: skip
    mine = archive.related.for_article(newcomer.article_id)
    assert mine is not None
    neighbours = {e.target_id for e in mine.similar + mine.duplicates}
    assert topics["markets0"] in neighbours
    after = archive.related.for_article(topics["markets0"])
    assert after is not None
    assert newcomer.article_id in {e.target_id for e in after.similar + after.duplicates}


def test_the_welcome_guide_lists_each_guide_article_once(archive: Archive) -> None:
    report = archive.imports.seed_if_new()
    assert report is not None and report.counts()["saved"] == 4
    (welcome,) = [a for a in archive.list_articles() if a.title.startswith("Welcome")]
    related = archive.related.for_article(welcome.id)
    assert related is not None
    targets = [e.target_id for e in related.all()]
    assert len(targets) == len(set(targets))
    guide = {a.id for a in archive.list_articles() if a.id != welcome.id}
    assert {e.target_id for e in related.page} <= guide and len(related.page) == 2


def test_two_versions_of_one_story_are_listed_once_among_the_similar(
    archive: Archive, topics: dict[str, int]
) -> None:
    story = " ".join(FOOTBALL[1:7])
    first = archive.save(make_article("Derby report", (story, "By our sports desk.")))
    second = archive.save(make_article("Derby report (updated)", (story, "Share this page.")))
    related = archive.related.for_article(topics["football0"])
    assert related is not None
    listed = [e.target_id for e in related.all()]
    assert (first.article_id in listed) != (second.article_id in listed)
    assert len(listed) == len(set(listed))


def test_backlinks_list_the_articles_that_link_here(archive: Archive) -> None:
    target = archive.save(make_article("Target", ("t",), url="https://ex.com/t"))
    source = archive.save(make_article("Source", ("s",), related=[("Target", "https://ex.com/t")]))
    related = archive.related.for_article(target.article_id)
    assert related is not None
    assert [(e.title, e.target_id) for e in related.linked_from] == [("Source", source.article_id)]
    page = archive.related.for_article(source.article_id)
    assert page is not None and [e.target_id for e in page.page] == [target.article_id]


@pytest.mark.parametrize(
    "paragraphs", [("x",), ("Ein kurzer deutscher Text über das Wetter in Berlin.",), ("…",)]
)
def test_odd_articles_break_nothing(archive: Archive, paragraphs: tuple[str, ...]) -> None:
    archive.save(make_article("Other", ("Something else entirely, about boats.",)))
    odd = archive.save(make_article("Odd", paragraphs, url="https://ex.com/odd",
                                    related=[("Odd", "https://ex.com/odd")]))  # fmt: skip
    related = archive.related.for_article(odd.article_id)
    assert related is not None and related.page == []


def test_an_unknown_article_has_no_related_list(archive: Archive) -> None:
    assert archive.related.for_article(12345) is None


def test_near_duplicates_need_most_of_the_shorter_text_in_common() -> None:
    text = " ".join(FOOTBALL * 2)
    assert is_near_duplicate(shingles(text), shingles(text + " Plus a trailer added."))
    assert is_near_duplicate(shingles(text), shingles(" ".join(FOOTBALL[1:] * 2)))
    assert not is_near_duplicate(shingles(text), shingles(" ".join(MARKETS * 2)))
    assert not is_near_duplicate(shingles("too short"), shingles("too short"))


@pytest.mark.shared_data
def test_similar_bbc_articles_mostly_share_their_section(archive: Archive) -> None:
    with gzip.open(shared_data("bbc", "bbc.jsonl.gz"), "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    archive.save_many(record_to_article(r) for r in records)
    sections = {a.id: a.section for a in archive.list_articles(limit=5000)}
    probes = list(sections)[::40]
    hits = total = 0
    for article_id in probes:
        related = archive.related.for_article(article_id)
        assert related is not None
        for entry in related.similar:
            hits += sections[entry.target_id or 0] == sections[article_id]
            total += 1
    assert total >= 4 * len(probes)
    assert hits / total >= 0.85


def test_related_articles_survive_an_index_full_of_replaced_entries(
    archive: Archive, topics: dict[str, int]
) -> None:
    for article_id in topics.values():  # each change replaces the article's index entry
        archive.mark_read(article_id)
        archive.star(article_id)
    related = archive.related.for_article(topics["football1"])
    assert related is not None and related.similar
