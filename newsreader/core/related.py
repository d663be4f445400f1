"""Related articles, three kinds: the page's own links, similar articles, and backlinks.

"Similar" is computed from the search index: the article's most distinctive words
(tf-idf against the whole archive) make a query, and the best matches are its neighbours.
Near-copies among them (the same wire story from two outlets, a re-save) are told apart by
their shared word sequences and shown as other versions, not as further reading. Results
are cached and recomputed on view once the archive has grown, so saving stays fast at any
size, and a new article is offered to its neighbours' lists when its own are computed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

import tantivy
from sqlalchemy import delete, insert, select

from newsreader.core.models import Article, RelatedLink, SimilarCache, utcnow
from newsreader.core.search.compile import term_query
from newsreader.core.search.index import doc_ids
from newsreader.core.search.text import analyze_word

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

Origin = Literal["page", "duplicate", "similar", "backlink"]
SIMILAR_COUNT = 5
CANDIDATES = 20  # found by the index, then ranked by tf-idf cosine
QUERY_TERMS = 40
COMMON_SHARE = 0.3
REFRESH_GROWTH = 0.02  # recompute once the archive has grown by 2%
SHINGLE_WORDS = 5
DUPLICATE_CONTAINMENT = 0.8  # share of the shorter text's 5-word runs found in the other
MIN_SHINGLES = 8
MIN_LENGTH_RATIO = 0.4
_WORD = re.compile(r"\w+", re.UNICODE)
# Function words carry no topic; in a small archive their frequency cannot show it yet.
STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a list of 130 quoted words would read worse
        "a about above after again against all also am an and any are as at be because "
        "been before being below between both but by can could did do does doing down "
        "during each few for from further had has have having he her here hers herself "
        "him himself his how i if in into is it its itself just me more most my myself no "
        "nor not now of off on once only or other our ours ourselves out over own same "
        "she should so some such than that the their theirs them themselves then there "
        "these they this those through to too under until up very was we were what when "
        "where which while who whom why will with would you your yours yourself "
        "yourselves said says say mr mrs ms "
    ).split()
)


@dataclass(frozen=True, slots=True)
class RelatedEntry:
    title: str
    url: str | None
    target_id: int | None
    origin: Origin
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "title": self.title, "url": self.url,
                "target_id": self.target_id, "score": self.score}  # fmt: skip


@dataclass(slots=True)
class RelatedArticles:
    page: list[RelatedEntry] = field(default_factory=list)
    duplicates: list[RelatedEntry] = field(default_factory=list)
    similar: list[RelatedEntry] = field(default_factory=list)
    linked_from: list[RelatedEntry] = field(default_factory=list)

    def all(self) -> list[RelatedEntry]:
        return [*self.page, *self.duplicates, *self.similar, *self.linked_from]


def shingles(text: str) -> set[int]:
    """Hashes of the text's runs of SHINGLE_WORDS words (case-insensitive)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    return {
        hash(tuple(words[i : i + SHINGLE_WORDS]))
        for i in range(max(0, len(words) - SHINGLE_WORDS + 1))
    }


def is_near_duplicate(a: set[int], b: set[int]) -> bool:
    """Most of the shorter text's word runs appear in the other, and neither is much
    longer: another version of the same story (a brief quoted in a long piece is not)."""
    shorter, longer = sorted((len(a), len(b)))
    if shorter < MIN_SHINGLES or shorter < longer * MIN_LENGTH_RATIO:
        return False
    return len(a & b) / shorter >= DUPLICATE_CONTAINMENT


class Related:
    """The related-article services of one archive."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def for_article(self, article_id: int) -> RelatedArticles | None:
        """All three kinds for one article, recomputing the similar ones when stale."""
        with self.archive.reading() as session:
            if session.get(Article, article_id) is None:
                return None
            cached = session.get(SimilarCache, article_id)
        index = self.archive.search_index
        size = index.searcher().num_docs
        if cached is None or size > cached.archive_size * (1 + REFRESH_GROWTH):
            self.refresh(article_id)
        return self._stored(article_id)

    def _stored(self, article_id: int) -> RelatedArticles:
        related = RelatedArticles()
        with self.archive.reading() as session:
            rows = session.execute(
                select(RelatedLink.title, RelatedLink.original_url, RelatedLink.url,
                       RelatedLink.target_id, RelatedLink.origin, RelatedLink.score)
                .where(RelatedLink.article_id == article_id)
                .order_by(RelatedLink.origin, RelatedLink.score.desc(), RelatedLink.position)
            ).all()  # fmt: skip
            backlinks = session.execute(
                select(Article.id, Article.title, Article.original_url)
                .join(RelatedLink, RelatedLink.article_id == Article.id)
                .where(RelatedLink.target_id == article_id, RelatedLink.origin == "page")
                .order_by(Article.id)
            ).all()  # fmt: skip
        for title, original, url, target, origin, score in rows:
            entry = RelatedEntry(title, original or url, target, cast(Origin, origin), score)
            {"page": related.page, "duplicate": related.duplicates,
             "similar": related.similar}[origin].append(entry)  # fmt: skip
        related.linked_from = [
            RelatedEntry(title, url, source_id, "backlink") for source_id, title, url in backlinks
        ]
        similar_ids = [e.target_id for e in related.similar if e.target_id is not None]
        return _once_each(related, self._texts(similar_ids))

    def compute(self, article_id: int) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """(similar, duplicates) as (article id, score), best first; reads only."""
        with self.archive.reading() as session:
            row = session.execute(
                select(Article.title, Article.text).where(Article.id == article_id)
            ).first()
        if row is None:
            return [], []
        index = self.archive.search_index
        searcher = index.searcher()
        own_vector = _tfidf(searcher, f"{row.title}\n{row.text}")
        query = _more_like_this(index.schema, own_vector, article_id)
        if query is None:
            return [], []
        found = searcher.search(query, CANDIDATES)
        texts = self._texts(doc_ids(searcher, found.hits))
        texts.pop(article_id, None)
        own = shingles(row.text)
        scored = sorted(
            ((_cosine(own_vector, _tfidf(searcher, text)), other) for other, text in texts.items()),
            reverse=True,
        )
        similar: list[tuple[int, float]] = []
        duplicates: list[tuple[int, float]] = []
        for score, other_id in scored:
            if is_near_duplicate(own, shingles(texts[other_id])):
                duplicates.append((other_id, score))
            elif len(similar) < SIMILAR_COUNT and score > 0:
                similar.append((other_id, score))
        return similar, duplicates

    def _texts(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        with self.archive.reading() as session:
            rows = session.execute(
                select(Article.id, Article.title, Article.text).where(Article.id.in_(ids))
            )
            return {article_id: f"{title}\n{text}" for article_id, title, text in rows}

    def refresh(self, article_id: int) -> None:
        """Recompute and store an article's similar articles and other versions, and offer
        it to its neighbours' lists (bounded: at most SIMILAR_COUNT of them)."""
        similar, duplicates = self.compute(article_id)
        size = self.archive.search_index.searcher().num_docs
        with self.archive.writing() as session:
            connection = session.connection()
            titles = {
                other: title for other, title in connection.execute(
                    select(Article.id, Article.title)
                    .where(Article.id.in_([i for i, _ in similar + duplicates]))
                )
            }  # fmt: skip
            own_title = connection.execute(
                select(Article.title).where(Article.id == article_id)
            ).scalar_one()
            connection.execute(
                delete(RelatedLink).where(RelatedLink.article_id == article_id,
                                    RelatedLink.origin.in_(("similar", "duplicate")))
            )  # fmt: skip
            rows = [
                {"article_id": article_id, "position": n, "url": None, "original_url": None,
                 "title": titles.get(other, ""), "target_id": other, "origin": origin,
                 "score": round(score, 4)}
                for origin, found in (("similar", similar), ("duplicate", duplicates))
                for n, (other, score) in enumerate(found)
            ]  # fmt: skip
            if rows:
                connection.execute(insert(RelatedLink), rows)
            session.merge(SimilarCache(article_id=article_id, archive_size=size,
                                       computed_at=utcnow()))  # fmt: skip
            for other, score in similar:
                _offer(connection, other, article_id, own_title, score, "similar")
            for other, score in duplicates:
                _offer(connection, other, article_id, own_title, score, "duplicate")


# An article found by several routes is listed once, in the most specific group: another
# version of this story, then a link the page itself gives, then a page linking here, and
# only then a computed "similar".
GROUPS_MOST_SPECIFIC_FIRST = ("duplicates", "page", "linked_from", "similar")


def _once_each(related: RelatedArticles, similar_texts: dict[int, str]) -> RelatedArticles:
    """Each article once, in its most specific group; among the similar ones, one version
    of each story (the best ranked), as near-duplicates of each other are the same read."""
    seen: set[object] = set()
    for group in GROUPS_MOST_SPECIFIC_FIRST:
        kept = []
        for entry in getattr(related, group):
            key = entry.target_id if entry.target_id is not None else (entry.url or entry.title)
            if key not in seen:
                seen.add(key)
                kept.append(entry)
        setattr(related, group, kept)
    stories: list[set[int]] = []
    similar = []
    for entry in related.similar:
        words = shingles(similar_texts.get(entry.target_id or 0, ""))
        if not any(is_near_duplicate(words, story) for story in stories):
            stories.append(words)
            similar.append(entry)
    related.similar = similar
    return related


def _offer(connection: Any, neighbour: int, article_id: int, title: str, score: float,
           origin: str) -> None:  # fmt: skip
    """Put an article into a neighbour's cached list if it ranks there (bounded work)."""
    if not connection.execute(
        select(SimilarCache.article_id).where(SimilarCache.article_id == neighbour)
    ).first():
        return  # the neighbour computes its own list when it is first viewed
    current = connection.execute(
        select(RelatedLink.id, RelatedLink.target_id, RelatedLink.score)
        .where(RelatedLink.article_id == neighbour, RelatedLink.origin == origin)
        .order_by(RelatedLink.score)
    ).all()  # fmt: skip
    if any(row.target_id == article_id for row in current):
        return
    limit = SIMILAR_COUNT if origin == "similar" else CANDIDATES
    if len(current) >= limit:
        weakest = current[0]
        if (weakest.score or 0) >= score:
            return
        connection.execute(delete(RelatedLink).where(RelatedLink.id == weakest.id))
    connection.execute(insert(RelatedLink), {
        "article_id": neighbour, "position": len(current), "url": None, "original_url": None,
        "title": title, "target_id": article_id, "origin": origin, "score": round(score, 4),
    })  # fmt: skip


def _tfidf(searcher: tantivy.Searcher, text: str) -> dict[str, float]:
    """The text's index terms weighted by (1 + log tf) * idf, L2-normalised."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text):
        if word.casefold() in STOP_WORDS:
            continue
        for term in analyze_word(word):
            counts[term] = counts.get(term, 0) + 1
    size = max(1, searcher.num_docs)
    vector = {}
    for term, tf in counts.items():
        freq = _doc_freq(searcher, term)
        share = freq / size
        if share <= COMMON_SHARE or freq < 20:  # words in most articles ("said") say little
            idf = math.log((1 + size) / (1 + share * size)) + 1
            vector[term] = (1 + math.log(tf)) * idf
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {term: w / norm for term, w in vector.items()}


def _doc_freq(searcher: tantivy.Searcher, term: str) -> int:
    return int(searcher.doc_freq("body", term))


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())


def _more_like_this(
    schema: tantivy.Schema, vector: dict[str, float], article_id: int
) -> tantivy.Query | None:
    """The article's most distinctive terms, weighted, as one query (itself excluded)."""
    terms = sorted(vector, key=vector.__getitem__, reverse=True)[:QUERY_TERMS]
    if not terms:
        return None
    clauses = [
        (tantivy.Occur.Should,
         tantivy.Query.boost_query(term_query(schema, "body", term), vector[term]))
        for term in terms
    ]  # fmt: skip
    clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "id", article_id)))
    return tantivy.Query.boolean_query(clauses)
