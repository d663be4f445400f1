"""Searching the archive: parse, compile, rank, page, snippet, count by section."""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import tantivy
from sqlalchemy import Boolean, DateTime, Integer, Text, bindparam, column, select, text

from newsreader.core.db import indexed_by
from newsreader.core.models import Article, Section
from newsreader.core.rows import ArticleSummary
from newsreader.core.search.compile import compile_query
from newsreader.core.search.index import POSTINGS, doc_ids, member_flag, preload
from newsreader.core.search.query import Words, parse_query
from newsreader.core.search.suggest import corrected_query, suggest
from newsreader.core.search.text import Span, matching_spans
from newsreader.core.unicode import scrub

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

SearchSort = Literal["relevance", "date"]
SNIPPET_CHARS = 180
MAX_RESULTS_WINDOW = 10_000  # paging deeper than this is refused with a hint

# Counting matches by section is a second pass over every match, as long as ranking them
# (15 ms for a word in 9 of 10 articles at a million); the engine runs it without the GIL,
# so it goes beside the ranking on another core instead of after it.
_section_counter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-facets")


@dataclass(frozen=True, slots=True)
class SearchHit(ArticleSummary):
    """A row of the article list that a search found, with its score and passage."""

    score: float = 0.0
    snippet: str = ""  # HTML: escaped text with the matched words in <mark>; see snippets_for

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "published": self.published_at.isoformat() if self.published_at else None,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class SectionFacet:
    key: str
    name: str
    count: int


@dataclass(slots=True)
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    facets: list[SectionFacet] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    terms: frozenset[str] = frozenset()  # index terms to mark in the reader
    prefixes: tuple[str, ...] = ()
    did_you_mean: str | None = None  # the query with unknown words replaced by close ones

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "hits": [h.to_json() for h in self.hits],
            "facets": [{"key": f.key, "name": f.name, "count": f.count} for f in self.facets],
            "hints": self.hints,
            "did_you_mean": self.did_you_mean,
        }


def search(
    archive: Archive,
    text: str,
    *,
    sort: SearchSort = "relevance",
    limit: int = 50,
    offset: int = 0,
    facets: bool = True,
    snippets: bool = True,
) -> SearchResults:
    """Run a query of our language over the archive. Never raises on odd input.

    With `snippets=False` the hits come without passages (and no article text is read):
    a list shows a few of its rows at a time and asks `snippets_for` those rows only.
    """
    results = SearchResults(query=scrub(text) if isinstance(text, str) else "")
    parsed = parse_query(results.query)
    limit, offset = max(0, min(int(limit), 1000)), max(0, int(offset))
    if offset + limit > MAX_RESULTS_WINDOW:
        results.hints.append(f"results stop at {MAX_RESULTS_WINDOW:,}; narrow the search")
        return results
    index = archive.search_index
    index.searches += 1  # a warm-up running (warm) stops reading ahead for it
    searcher = index.searcher()
    query, info = compile_query(parsed, index.schema, searcher, archive.member)
    results.hints.extend(info.hints)
    results.terms, results.prefixes = frozenset(info.terms), tuple(info.prefixes)
    if parsed.is_empty:
        if not results.hints:
            results.hints.append("type words to search for, or a filter such as section:world")
        return results
    if query is None:
        return results
    by_date = sort == "date" or not parsed.has_positive_text
    if limit == 0:
        results.total = count_matches(searcher, query)
        return results
    counting = _count_sections_aside(searcher, query) if facets else None
    try:
        if by_date:
            found = searcher.search(
                query, limit, count=True, order_by_field="date", offset=offset,
                order=tantivy.Order.Desc,
            )  # fmt: skip
            ids, scores = doc_ids(searcher, found.hits), [0.0] * len(found.hits)
        else:
            found = searcher.search(query, _first_window(offset, limit), count=True)
            ids, scores = _ranked_page(searcher, query, found, offset, limit)
        counts = counting.result() if counting is not None else {}
    finally:
        if counting is not None:  # a ranking that failed leaves no count queued behind it
            counting.cancel()
    results.total = int(getattr(found, "count", 0) or 0)
    if counts and results.total:
        results.facets = _facets(archive, counts)
    terms, prefixes = results.terms, results.prefixes
    results.hits = _hits(archive, ids, scores, terms, prefixes, with_snippets=snippets)
    if not results.total and offset == 0:
        _add_did_you_mean(results, parsed, searcher)
        _add_annotator_hint(results, parsed, searcher, index.schema)
    return results


def _add_annotator_hint(
    results: SearchResults, parsed: Any, searcher: tantivy.Searcher, schema: tantivy.Schema
) -> None:
    """`author:` is the article's byline; when it finds nothing but names someone who
    highlighted articles here (a team member, say), point to `annotator:`."""
    for clause in parsed.clauses:
        for atom in clause.alternatives:
            if not isinstance(atom, Words) or atom.field != "author":
                continue
            name = " ".join(atom.words)
            flag = member_flag("annotated", name)
            if searcher.doc_freq("flag", flag):
                quoted = f'"{name}"' if " " in name else name
                results.hints.append(
                    f"no byline names “{name}”; annotator:{quoted} finds the articles "
                    "they highlighted"
                )


def _add_did_you_mean(results: SearchResults, parsed: Any, searcher: tantivy.Searcher) -> None:
    suggestions = suggest(parsed, searcher)
    if not suggestions:
        return
    results.did_you_mean = corrected_query(results.query, suggestions)
    for s in suggestions:
        words = " or ".join(f"“{w}”" for w in s.close_words)
        results.hints.append(f"no article contains “{s.word}”; did you mean {words}?")


def _count_sections_aside(
    searcher: tantivy.Searcher, query: tantivy.Query
) -> Future[dict[str, int]]:
    """The matches counted by section on the pool's thread, while the caller ranks."""
    try:
        return _section_counter.submit(_section_counts, searcher, query)
    except RuntimeError:  # the interpreter is shutting down: no new threads, count here
        counted: Future[dict[str, int]] = Future()
        counted.set_result(_section_counts(searcher, query))
        return counted


def _first_window(offset: int, limit: int) -> int:
    """How many hits to rank at first: twice the page and one. Ties at the page's edge
    are the rule for common words (lengths are stored coarsely, so scores repeat), and
    a longer list costs next to nothing beside scoring every match again for it."""
    return min(2 * (offset + limit) + 1, MAX_RESULTS_WINDOW)


def _ranked_page(
    searcher: tantivy.Searcher, query: tantivy.Query, found: Any, offset: int, limit: int
) -> tuple[list[int], list[float]]:
    """One page by score, ties to the more recent article — also across the page's edge.

    Many articles can share the edge's score (copies of a story, a word only in titles);
    the engine returns them in index order, so those at the edge are fetched in full and
    ordered by date before the page is cut. `found` holds more hits than the page
    (_first_window): when the last scores below the page's last, no tie crosses the edge
    and nothing more is fetched.
    """
    hits = list(found.hits)
    wanted = _first_window(offset, limit)
    while len(hits) == wanted and wanted < MAX_RESULTS_WINDOW:
        edge = hits[offset + limit - 1][0]
        if hits[-1][0] < edge:  # the score has dropped past the edge: all ties are in
            break
        wanted = min(wanted * 2, MAX_RESULTS_WINDOW)
        hits = list(searcher.search(query, wanted, count=False).hits)
    dates = searcher.fast_field_values("date", [address for _, address in hits])
    order = sorted(range(len(hits)), key=lambda i: (-float(hits[i][0]), -int(dates[i] or 0)))
    page = order[offset : offset + limit]
    ids = doc_ids(searcher, [hits[i] for i in page])
    return ids, [float(hits[i][0]) for i in page]


def count_matches(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """How many articles match, without scoring them (ordering by a fast field)."""
    found = searcher.search(query, 1, count=True, order_by_field="date")
    return int(getattr(found, "count", 0) or 0)


# A page of hits, read from the index that covers a list row's columns: SQLite would
# otherwise look the ids up in the table, whose rows spill their texts over several pages
# (about three page reads per hit when nothing is cached). INDEXED BY is SQLite's own.
@functools.cache
def _hit_rows(dialect: str) -> Any:
    return (
        text(
            "SELECT a.id, a.title, s.name AS section, o.name AS source, a.published_at, "
            "a.saved_at, m.is_read, m.is_starred "
            f"FROM articles AS a {indexed_by(dialect, 'ix_articles_list_row')} "
            "LEFT JOIN sections AS s ON s.id = a.section_id "
            "LEFT JOIN sources AS o ON o.id = a.source_id "
            "LEFT JOIN member_states AS m ON m.article_id = a.id AND m.member = :member "
            "WHERE a.id IN :ids"
        )
        .bindparams(bindparam("ids", expanding=True))
        .columns(
            column("id", Integer), column("title", Text), column("section", Text),
            column("source", Text), column("published_at", DateTime),
            column("saved_at", DateTime), column("is_read", Boolean),
            column("is_starred", Boolean),
        )
    )  # fmt: skip


WARM_CHUNK = 50_000  # article ids per step of warming the hit rows' index


def warm(archive: Archive) -> None:
    """Ready an archive for its first search, in the background of opening it.

    The queries for a page of hits and passages are prepared (a few ms of compiling
    that a process's first search would pay), the index opened and its small parts read
    and mapped (SearchIndex.warm), then the index of the hit rows
    walked (its 200 scattered rows otherwise cost a first search 20-60 ms at a million
    articles), then the postings asked for (POSTINGS). Step by step, it gives way as
    soon as a search begins: a search issued at once does not wait behind the reading.
    """
    index = archive.search_index
    searches = index.searches

    def searched() -> bool:
        return index.searches != searches

    _hits(archive, [0], [0.0], frozenset(), (), with_snippets=True)  # no such article
    index.warm(stop=searched)
    if searched():
        return
    with archive.reading() as session:
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":  # every page of the index, in order
            low, high = session.execute(text("SELECT min(id), max(id) FROM articles")).one()
            walk = text(
                f"SELECT count(*) FROM articles {indexed_by(dialect, 'ix_articles_list_row')} "
                "WHERE id BETWEEN :low AND :high"
            )
            for start in range(low or 0, (high or 0) + 1, WARM_CHUNK):
                if searched():
                    return
                session.execute(walk, {"low": start, "high": start + WARM_CHUNK - 1})
    preload(index.folder, suffixes=POSTINGS, stop=searched)


def _hits(
    archive: Archive, ids: list[int], scores: list[float], terms: frozenset[str],
    prefixes: tuple[str, ...], *, with_snippets: bool,
) -> list[SearchHit]:  # fmt: skip
    if not ids:
        return []
    with archive.reading() as session:
        query = _hit_rows(session.get_bind().dialect.name)
        found = session.execute(query, {"ids": ids, "member": archive.member})
        rows = {row.id: row for row in found}
    snippets = snippets_for(archive, ids, terms, prefixes) if with_snippets else {}
    return [
        SearchHit(
            id=row.id, title=row.title, section=row.section, source=row.source,
            published_at=row.published_at, saved_at=row.saved_at, is_read=bool(row.is_read),
            is_starred=bool(row.is_starred), score=score, snippet=snippets.get(article_id, ""),
        )
        for article_id, score in zip(ids, scores, strict=True)
        if (row := rows.get(article_id)) is not None  # deleted since the index saw it
    ]  # fmt: skip


def snippets_for(
    archive: Archive, ids: Sequence[int], terms: frozenset[str], prefixes: tuple[str, ...] = ()
) -> dict[int, str]:
    """The passages of these articles (rows a list shows), marked for a search's terms.

    Pass the `terms` and `prefixes` of the search's SearchResults; ids no longer in the
    archive are left out.
    """
    if not ids:
        return {}
    with archive.reading() as session:
        rows = session.execute(select(Article.id, Article.text).where(Article.id.in_(ids)))
        return {article_id: make_snippet(text, terms, prefixes) for article_id, text in rows}


MAX_FACETS = 1_000


def _section_counts(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
    """How many matches each section key has (articles without a section are left out)."""
    terms = {"field": "section_key", "size": MAX_FACETS}
    found = searcher.aggregate(query, {"s": {"terms": terms}}).get("s", {})
    return {b["key"]: int(b["doc_count"]) for b in found.get("buckets", [])}


def _facets(archive: Archive, counts: dict[str, int]) -> list[SectionFacet]:
    if not counts:
        return []
    with archive.reading() as session:
        rows = session.execute(select(Section.key, Section.name).where(Section.key.in_(counts)))
        names = {key: name for key, name in rows}
    return sorted(
        (SectionFacet(key, names.get(key, key), count) for key, count in counts.items()),
        key=lambda f: (-f.count, f.name),
    )


def make_snippet(
    text: str, terms: frozenset[str], prefixes: tuple[str, ...] = (), width: int = SNIPPET_CHARS
) -> str:
    """The passage of `text` with the most matches, as HTML with the matches in <mark>."""
    spans = matching_spans(text, terms, prefixes) if terms or prefixes else []
    start = 0
    if spans:
        best, best_count = spans[0].start, 0
        j = 0
        for i, span in enumerate(spans):
            while j < len(spans) and spans[j].end <= span.start + width:
                j += 1
            if j - i > best_count:
                best, best_count = span.start, j - i
        start = max(0, best - width // 5)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 30:
        end += 1
    window = [
        Span(s.start - start, s.end - start) for s in spans if start <= s.start and s.end <= end
    ]
    piece = text[start:end].replace("\n", " ").replace("\ufffc", " ")  # same length
    out, cursor = [], 0
    for span in window:
        out.append(html.escape(piece[cursor : span.start]))
        out.append(f"<mark>{html.escape(piece[span.start : span.end])}</mark>")
        cursor = span.end
    out.append(html.escape(piece[cursor:]))
    return ("…" if start > 0 else "") + "".join(out).strip() + ("…" if end < len(text) else "")


def matching_ids(archive: Archive, text: str | None) -> list[int]:
    """Every article a query selects, newest first (no query: the whole archive).

    For exports, counts and concordances, which need all the matches, not a page."""
    from newsreader.core.models import Article as ArticleRow

    if not text or not text.strip():
        with archive.reading() as session:
            return list(session.scalars(
                select(ArticleRow.id).order_by(ArticleRow.sort_date.desc(), ArticleRow.id.desc())
            ))  # fmt: skip
    parsed = parse_query(scrub(text))
    searcher = archive.search_index.searcher()
    query, _info = compile_query(parsed, archive.search_index.schema, searcher, archive.member)
    if query is None or parsed.is_empty:
        return []
    found = searcher.search(query, max(1, searcher.num_docs), order_by_field="date",
                            order=tantivy.Order.Desc)  # fmt: skip
    return doc_ids(searcher, found.hits)


class Search:
    """The archive's search, reached as `archive.search`: queries of our language over
    its full-text index (the functions above do the work)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def find(
        self, text: str, *, sort: SearchSort = "relevance", limit: int = 50, offset: int = 0,
        facets: bool = True, snippets: bool = True,
    ) -> SearchResults:  # fmt: skip
        """A page of what a query finds; never raises on odd input (see `search`)."""
        return search(self.archive, text, sort=sort, limit=limit, offset=offset, facets=facets,
                      snippets=snippets)  # fmt: skip

    def snippets(
        self, ids: Sequence[int], terms: frozenset[str], prefixes: tuple[str, ...] = ()
    ) -> dict[int, str]:
        """The passages of these hits (the rows a list shows), by article id."""
        return snippets_for(self.archive, ids, terms, prefixes)

    def hits(
        self, ids: list[int], scores: list[float], terms: frozenset[str],
        prefixes: tuple[str, ...] = (), *, with_snippets: bool = True,
    ) -> list[SearchHit]:  # fmt: skip
        """The list rows of these matches (index order), with their passages."""
        return _hits(self.archive, ids, scores, terms, prefixes, with_snippets=with_snippets)

    def matching_ids(self, text: str | None) -> list[int]:
        """Every article a query finds (all of them for no query), for research tools."""
        return matching_ids(self.archive, text)

    def facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> list[SectionFacet]:
        """How many of a compiled query's matches each section holds."""
        return _facets(self.archive, _section_counts(searcher, query))

    def warm(self) -> None:
        """Ready the index and the hit rows for a first search, in the background of a
        window that has just shown its first page (see `warm`)."""
        warm(self.archive)
