import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsreader.core.archive import Archive
from newsreader.core.search import index as index_module
from newsreader.core.search.service import make_snippet
from newsreader.core.search.text import analyze_word
from tests.factories import make_article


@pytest.fixture
def news(archive: Archive) -> dict[str, int]:
    """A small archive: a few articles in three sections over three years."""
    stories = {
        "iraq": make_article(
            "US and Iraq to start talks", ("Talks on the military alliance will start soon.",
            "Officials said the coalition would stay."), section="International",
            published="2024-01-25", byline="Jane Doe", source="Example News",
        ),
        "cafe": make_article(
            "The café that became a bank", ("A small café in Paris was sold.",),
            section="Business", published="2023-05-02",
        ),
        "elections": make_article(
            "Elections in spring", ("The election campaign said little about the alliance.",),
            section="International", published="2022-03-01",
        ),
        "alliance_title": make_article(
            "Alliance", ("A word in the title only.",), section="Sport", published="2021-01-01",
        ),
        "military_body": make_article(
            "Budget news", ("The military budget and an alliance were discussed.",),
            section="Business", published="2020-01-01",
        ),
    }  # fmt: skip
    return {name: archive.save(article).article_id for name, article in stories.items()}


def ids(archive: Archive, query: str, **kwargs: object) -> list[int]:
    return [hit.id for hit in archive.search.find(query, **kwargs).hits]  # type: ignore[arg-type]


def test_all_words_must_match(archive: Archive, news: dict[str, int]) -> None:
    assert ids(archive, "talks alliance") == [news["iraq"]]


def test_a_phrase_needs_its_words_in_order(archive: Archive, news: dict[str, int]) -> None:
    assert ids(archive, '"military alliance"') == [news["iraq"]]
    assert set(ids(archive, "military alliance")) == {news["iraq"], news["military_body"]}


def test_an_excluded_word_removes_articles(archive: Archive, news: dict[str, int]) -> None:
    assert news["iraq"] not in ids(archive, "alliance -coalition")
    assert news["elections"] in ids(archive, "alliance -coalition")


def test_or_finds_either(archive: Archive, news: dict[str, int]) -> None:
    assert set(ids(archive, "café OR budget")) == {news["cafe"], news["military_body"]}


def test_a_prefix_finds_every_word_that_starts_so(archive: Archive, news: dict[str, int]) -> None:
    assert set(ids(archive, "elect*")) == {news["elections"]}
    assert set(ids(archive, "milit*")) == {news["iraq"], news["military_body"]}


def test_accents_do_not_matter(archive: Archive, news: dict[str, int]) -> None:
    assert ids(archive, "cafe") == [news["cafe"]]
    assert ids(archive, "CAFÉ") == [news["cafe"]]


def test_stemming_finds_other_forms(archive: Archive, news: dict[str, int]) -> None:
    assert ids(archive, "elections") == [news["elections"]]
    assert ids(archive, "election") == [news["elections"]]


def test_a_title_hit_outranks_a_body_hit(archive: Archive, news: dict[str, int]) -> None:
    assert ids(archive, "alliance")[0] == news["alliance_title"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("section:international", {"iraq", "elections"}),
        ('section:"INTERNATIONAL"', {"iraq", "elections"}),
        ("source:example", {"iraq"}),
        ('source:"example news"', {"iraq"}),
        ("author:doe", {"iraq"}),
        ("title:alliance", {"alliance_title"}),
        ("before:2022", {"alliance_title", "military_body"}),
        ("after:2023", {"iraq"}),
        ("after:2022-12 before:2024", {"cafe"}),
        ("alliance section:business", {"military_body"}),
    ],
)
def test_each_filter_narrows_the_results(
    archive: Archive, news: dict[str, int], query: str, expected: set[str]
) -> None:
    assert set(ids(archive, query)) == {news[name] for name in expected}


def test_read_and_starred_states_are_searchable(archive: Archive, news: dict[str, int]) -> None:
    archive.mark_read(news["cafe"])
    archive.star(news["iraq"])
    assert ids(archive, "is:read") == [news["cafe"]]
    assert ids(archive, "is:starred") == [news["iraq"]]
    assert news["cafe"] not in ids(archive, "is:unread")


def test_annotation_filters_find_nothing_until_annotations_exist(
    archive: Archive, news: dict[str, int]
) -> None:
    assert ids(archive, "is:annotated") == []
    assert ids(archive, "has:note color:yellow") == []


def test_notes_quotes_and_highlight_states_are_searchable(
    archive: Archive, news: dict[str, int]
) -> None:
    archive.annotations.create(news["cafe"], 2, 7, color="green", note="Remember Marseille")
    archive.annotations.create(news["iraq"], 0, 5, tags=["follow-up"])
    assert ids(archive, "marseille") == [news["cafe"]]
    assert set(ids(archive, "is:annotated")) == {news["cafe"], news["iraq"]}
    assert ids(archive, "has:note") == [news["cafe"]]
    assert ids(archive, "color:green") == [news["cafe"]]
    assert ids(archive, "color:yellow") == [news["iraq"]]
    assert ids(archive, "tag:follow-up") == [news["iraq"]]
    (note,) = archive.annotations.list(news["cafe"])
    archive.annotations.delete(note.id)
    assert ids(archive, "marseille") == []
    assert ids(archive, "is:annotated") == [news["iraq"]]


def test_results_sort_by_date_and_page(archive: Archive, news: dict[str, int]) -> None:
    newest_first = ids(archive, "alliance", sort="date")
    assert newest_first == [news["iraq"], news["elections"], news["alliance_title"],
                            news["military_body"]]  # fmt: skip
    assert ids(archive, "alliance", sort="date", limit=2, offset=1) == newest_first[1:3]


def test_facets_count_the_matches_per_section(archive: Archive, news: dict[str, int]) -> None:
    results = archive.search.find("alliance")
    assert results.total == 4
    assert [(f.name, f.count) for f in results.facets] == [
        ("International", 2), ("Business", 1), ("Sport", 1),
    ]  # fmt: skip


def test_the_total_counts_articles_without_a_section_that_facets_leave_out(
    archive: Archive, news: dict[str, int]
) -> None:
    archive.save(make_article("Alliance news", ("An alliance without a section.",)))
    with_facets, without = (
        archive.search.find("alliance"),
        archive.search.find("alliance", facets=False),
    )
    assert with_facets.total == without.total == 5
    assert sum(f.count for f in with_facets.facets) == 4


def test_snippets_mark_the_matched_words(archive: Archive, news: dict[str, int]) -> None:
    (hit,) = archive.search.find("cafe").hits
    assert hit.snippet == "A small <mark>café</mark> in Paris was sold."


def test_a_search_without_snippets_leaves_them_to_the_rows_shown(
    archive: Archive, news: dict[str, int]
) -> None:
    results = archive.search.find("military alliance", snippets=False)
    assert [hit.snippet for hit in results.hits] == ["", ""]
    shown = [hit.id for hit in results.hits[:1]]
    passages = archive.search.snippets(shown, results.terms, results.prefixes)
    with_snippets = {hit.id: hit.snippet for hit in archive.search.find("military alliance").hits}
    assert passages == {i: with_snippets[i] for i in shown}
    assert all("<mark>" in passage for passage in passages.values())


def test_snippets_for_articles_deleted_meanwhile_are_left_out(
    archive: Archive, news: dict[str, int]
) -> None:
    results = archive.search.find("cafe", snippets=False)
    archive.delete(news["cafe"])
    assert archive.search.snippets([news["cafe"]], results.terms) == {}


def test_a_misspelt_word_finds_nothing_and_suggests_the_close_word(
    archive: Archive, news: dict[str, int]
) -> None:
    results = archive.search.find("miltary aliance")
    assert results.total == 0
    assert results.did_you_mean == "military alliance"
    assert any("did you mean “military”" in hint for hint in results.hints)
    assert ids(archive, results.did_you_mean) == ids(archive, "military alliance") != []


def test_a_suggestion_keeps_the_ending_the_stemmer_cut_off(archive: Archive) -> None:
    archive.save(make_article("Government plans", ("The government said so.",)))
    assert archive.search.find("goverment").did_you_mean == "government"


def test_only_the_closest_words_are_suggested(archive: Archive) -> None:
    archive.save(make_article("Parliament votes", ("The parliament voted on parchment.",)))
    results = archive.search.find("parliment")
    assert results.did_you_mean == "parliament"
    assert not any("parchment" in hint for hint in results.hints)


def test_words_that_exist_but_never_meet_get_no_suggestion(
    archive: Archive, news: dict[str, int]
) -> None:
    results = archive.search.find("café election")
    assert results.total == 0 and results.did_you_mean is None


def test_a_snippet_is_escaped_html_around_the_best_passage() -> None:
    text = "<b>x</b> " + "filler " * 100 + "the alliance and the alliance again " + "tail " * 100
    snippet = make_snippet(text, frozenset(analyze_word("alliance")))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert snippet.count("<mark>alliance</mark>") == 2
    assert "<b>" not in snippet


def test_the_index_follows_saves_and_deletes(archive: Archive, news: dict[str, int]) -> None:
    archive.save(make_article("Budget news", ("Now about harbours.",), url=None))
    assert archive.delete(news["cafe"])
    assert ids(archive, "cafe") == []
    assert archive.search_index.searcher().num_docs == archive.count() == len(news)


def test_an_article_updated_in_place_is_found_by_its_new_text(archive: Archive) -> None:
    url = "https://example.com/live"
    first = archive.save(make_article("Live", ("Old words here.",), url=url)).article_id
    archive.save(make_article("Live", ("Fresh harbour news.",), url=url))
    assert ids(archive, "harbour") == [first]
    assert ids(archive, "old") == []


def test_a_deleted_index_is_rebuilt_from_the_archive(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    for file in (tmp_path / "a.sqlite3.search").iterdir():
        file.unlink()
    with Archive(tmp_path / "a.sqlite3") as archive:
        assert len(ids(archive, "boats")) == 1


def test_a_damaged_index_is_rebuilt_from_the_archive(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    for file in (tmp_path / "a.sqlite3.search").iterdir():
        if file.name.endswith("meta.json"):
            file.write_text("{not json")
    with Archive(tmp_path / "a.sqlite3") as archive:
        assert len(ids(archive, "boats")) == 1


def test_changes_made_while_the_index_was_away_are_caught_up(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("First", ("Boats.",)))
        archive.save_many([make_article("Second", ("More boats.",))], index=False)  # "crash"
    with Archive(tmp_path / "a.sqlite3") as archive:
        assert len(ids(archive, "boats")) == 2


def test_a_queue_longer_than_one_batch_is_indexed_in_full(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "SYNC_BATCH", 2)
    archive.sync_search()  # the index is open before the articles come
    archive.save_many([make_article(f"Boat {n}", (f"Boats, {n}.",)) for n in range(5)],
                      index=False)  # fmt: skip
    assert archive.sync_search() == 5
    assert archive.search.find("boats").total == 5


def test_an_empty_query_asks_for_words(archive: Archive, news: dict[str, int]) -> None:
    results = archive.search.find("   ")
    assert results.hits == [] and results.hints


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=200))
def test_any_query_runs_against_a_real_index(archive: Archive, query: str) -> None:
    if archive.count() == 0:
        archive.save(make_article("Seed", ("Some words to find, café and elections.",)))
    results = archive.search.find(query)
    assert results.total >= len(results.hits)


@pytest.mark.sqlite_only("query parsing: the store plays no part")
@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "a OR", "OR", "-", "*", "-*", "NEAR(x y)", "'; DROP TABLE articles; --",
     "x" * 10_000, "é" * 3000, "title:", 'section:"', "before:9999-99-99", "a* b* c*"],
)  # fmt: skip
def test_odd_queries_return_results_or_a_hint(
    archive: Archive, news: dict[str, int], query: str
) -> None:
    results = archive.search.find(query)
    assert results.hits or results.hints or results.total == 0


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("die", "He was dying and died.", ["dying", "died"]),
        ("happy", "Happiness? The happiest, happy days.", ["Happiness", "happy"]),
        ("resume", "Her résumé and RÉSUMÉS.", ["résumé", "RÉSUMÉS"]),
        ("ponies", "A pony and two ponies.", ["pony", "ponies"]),
    ],
)
def test_marked_words_are_exactly_those_the_index_matches(
    query: str, text: str, marked: list[str]
) -> None:
    terms = frozenset(t for word in query.split() for t in analyze_word(word))
    snippet = make_snippet(text, terms)
    assert re.findall(r"<mark>(.*?)</mark>", snippet) == marked


def test_equal_scores_go_to_the_most_recent_even_across_the_page_edge(
    archive: Archive,
) -> None:
    archive.save_many(
        make_article(f"Harbour {n}", (f"The harbour again, copy {n}.",),
                     published=f"20{10 + n // 12:02d}-{n % 12 + 1:02d}-01")
        for n in range(60)
    )  # fmt: skip
    newest_first = [f"Harbour {n}" for n in range(59, 49, -1)]
    assert [h.title for h in archive.search.find("harbour", limit=10).hits] == newest_first
    second_page = archive.search.find("harbour", limit=5, offset=5).hits
    assert [h.title for h in second_page] == newest_first[5:]


def test_a_highlight_tag_with_a_lone_surrogate_keeps_search_working(
    archive: Archive, news: dict[str, int]
) -> None:
    archive.annotations.create(news["cafe"], 2, 7, tags=["bad\ud800tag"], note="odd \udfff")
    later = archive.save(make_article("Later story", ("A later campaign story.",))).article_id
    assert archive.search_index.sync(archive.writer) == 0  # nothing left behind in the queue
    assert ids(archive, "tag:bad\ufffdtag") == [news["cafe"]]
    assert later in ids(archive, "campaign")  # what was saved after the tag is indexed


@pytest.mark.sqlite_only("query parsing: the store plays no part")
@pytest.mark.parametrize("name", ["tag", "color", "source", "section", "title", "author"])
def test_filters_with_lone_surrogates_are_answered(
    archive: Archive, news: dict[str, int], name: str
) -> None:
    results = archive.search.find(f"{name}:x\ud800y alliance")
    assert results.hits == [] or results.total >= 0


def test_an_article_the_index_refuses_is_skipped_reported_and_retried(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.core.search.index import IndexedArticle

    real_document = IndexedArticle.document

    def refuse_poison(self: IndexedArticle) -> object:
        if "poison" in self.title:
            raise ValueError("the index refused this document")
        return real_document(self)

    monkeypatch.setattr(IndexedArticle, "document", refuse_poison)
    poison = archive.save(make_article("A poison article", ("Alliance talks.",))).article_id
    fine = archive.save(make_article("A fine article", ("Alliance talks went on.",))).article_id
    assert ids(archive, "alliance") == [fine]
    assert archive.search_index.failed == {poison}
    monkeypatch.setattr(IndexedArticle, "document", real_document)
    archive.sync_search()  # retried: the article was queued again
    assert set(ids(archive, "alliance")) == {poison, fine}
    assert archive.search_index.failed == set()


def _replace_file(target: Path, source: Path) -> None:
    """Put `source`'s archive where `target`'s was, as a restore or a copy would."""
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)


def test_an_archive_replaced_by_another_is_not_answered_from_the_old_index(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "mine.sqlite3") as mine:
        for n in range(3):
            mine.save(make_article(f"Harbour {n}", (f"Boats number {n} in the harbour.",)))
        assert len(ids(mine, "boats")) == 3
    with Archive(tmp_path / "other.sqlite3") as other:
        other.save(make_article("Fields", ("Boats are rare in the fields.",)))
    _replace_file(tmp_path / "mine.sqlite3", tmp_path / "other.sqlite3")
    with Archive(tmp_path / "mine.sqlite3") as replaced:
        assert replaced.search.find("harbour").total == 0
        found = replaced.search.find("boats")
        assert (found.total, [hit.title for hit in found.hits]) == (1, ["Fields"])


def test_a_restored_backup_gets_an_index_of_its_own_state(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive(path) as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    shutil.copyfile(path, tmp_path / "backup.sqlite3")
    with Archive(path) as archive:
        archive.save(make_article("Later", ("More boats came later.",)))
        assert len(ids(archive, "boats")) == 2
    _replace_file(path, tmp_path / "backup.sqlite3")
    with Archive(path) as restored:
        found = restored.search.find("boats")
        assert (found.total, [hit.title for hit in found.hits]) == (1, ["Harbour"])


def test_an_emptied_archive_file_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive(path) as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    (tmp_path / "empty").touch()
    _replace_file(path, tmp_path / "empty")
    with Archive(path) as emptied:
        assert emptied.count() == 0
        assert emptied.search.find("boats").total == 0


def test_an_index_path_taken_by_a_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    from newsreader.core.search.index import IndexUnavailable

    (tmp_path / "a.sqlite3.search").write_text("not an index")
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))  # saving still works
        with pytest.raises(IndexUnavailable, match="is a file where the search index belongs"):
            archive.search.find("boats")


def test_readying_an_archive_for_a_first_search_changes_no_result(
    archive: Archive, news: dict[str, int]
) -> None:
    queries = ["alliance", '"military alliance"', "allian*", "said section:international",
               "alliance -iraq", "after:2022 alliance", "alliance OR café"]  # fmt: skip
    before = [archive.search.find(q, limit=200).to_json() for q in queries]
    assert all(b["total"] for b in before)
    archive.search.warm()
    assert [archive.search.find(q, limit=200).to_json() for q in queries] == before


def test_an_empty_archive_can_be_readied_for_search(tmp_path: Path) -> None:
    with Archive(tmp_path / "empty.sqlite3") as archive:
        archive.search.warm()
        assert archive.search.find("anything").total == 0
