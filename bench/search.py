"""Search at scale: latency per query class, ranking quality, index size and build speed.

Goal (issue 11), at 1M articles: the window's first search page — `archive.search.find(limit=200,
facets=True, snippets=False)` and the passages of the rows on screen (`archive.search.snippets`,
VISIBLE_ROWS of them) — p95 <= 50 ms for every query class, warm and as the first
search of a new process that has opened the archive as the window does (its first list
page loaded, then its warm-up started in the background): "cold", the archive and its
index evicted from the page cache, searched at once; "typed", the same, searched
TYPING_S after opening, as a reader types; "fresh", with the page cache kept, searched
at once. Each beside the code
before that warm-up ("previous"), alternating query by query; the call the window made
before (a passage for each of the 200 rows) warm; and a class of misspelt words, which
find nothing and get "did you mean" suggestions.
`--window-only` runs just that.

Goals (issue 3), at 1M articles on a 2-core machine: p95 <= 50 ms for every query class
(top 50 with snippets); >= 100x faster than `LIKE '%term%'` on rare terms; top-10 overlap
with an exhaustive bm25 ranking >= 0.9; index build as part of import >= 2,000 articles/s;
index <= 1.5x the text it indexes. Baselines in the same run over the same archive: a naive
SQLite FTS5 table (`ORDER BY rank`) and `LIKE '%term%'`.

The archives are built from the real corpora (Reuters-21578, Distribution 1.0; BBC News,
Greene & Cunningham 2006), copied to reach each size; how copies are varied is printed
with the figures (see `VARIATION`). Built archives are kept in --workdir and reused.

Run: .venv/bin/python bench/search.py [--sizes 100000 1000000] [--workdir /tmp/nrbench]
     [--window-only]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import itertools
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from page_cache import archive_files, evict
from sqlalchemy import text as sql

from newsreader.core.archive import Archive
from newsreader.core.blocks import ExtractedArticle
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.core.search import index as index_module
from newsreader.core.search.compile import compile_query
from newsreader.core.search.index import doc_ids
from newsreader.core.search.query import parse_query
from newsreader.core.search.service import count_matches, make_snippet
from newsreader.core.search.text import analyze_word

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
CORPORA = (("reuters", "reuters/reuters21578.jsonl.gz"), ("bbc", "bbc/bbc.jsonl.gz"))
BATCH = 2_000
SEED = 20261127
DATE_FROM = datetime(2015, 1, 1)
DATE_YEARS = 10  # published dates spread uniformly over 2015-01-01 .. 2024-12-31
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
CLASSES = ("rare", "medium", "common", "and", "phrase", "prefix", "filter")
VARIATION = (
    "copy 0 of each source article (Reuters-21578 items with a body and BBC News articles, "
    "cycled in corpus order) is the article as published; copy k >= 1 takes the article's "
    "paragraphs in an order shuffled by a seeded RNG, and inserts at random positions a "
    "random half (rounded up) of the paragraphs of another article of the same section "
    "(same corpus; articles without a section mix with other unsectioned ones). Nothing "
    "synthetic is added. Every copy keeps the source's title, section and source, gets a "
    "new id and URL, and a published time drawn uniformly from 2015-01-01 to 2024-12-31 "
    "(seeded). A copy whose text equals an earlier one is recognised as a duplicate by "
    "the archive and skipped; generation continues until N distinct articles are saved."
)


# -- building the archive ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceArticle:
    corpus: str
    id: str
    title: str
    section: str
    source: str
    paragraphs: tuple[str, ...]


def load_sources() -> list[SourceArticle]:
    """Every usable article of the corpora, as cleaned paragraphs (sign-offs removed)."""
    found: list[SourceArticle] = []
    for corpus, relative in CORPORA:
        with gzip.open(DATA / relative, "rt", encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                try:
                    article = record_to_article(record)
                except ExtractionError:
                    continue  # Reuters items without a body
                found.append(
                    SourceArticle(
                        corpus=corpus, id=str(record["id"]), title=article.title,
                        section=record.get("section") or "", source=article.source or corpus,
                        paragraphs=tuple(b.text for b in article.blocks),
                    )
                )  # fmt: skip
    return found


class CopyMaker:
    """The i-th article of a bench archive, varied as `VARIATION` says."""

    def __init__(self, sources: list[SourceArticle]) -> None:
        self.sources = sources
        self.peers: dict[tuple[str, str], list[int]] = {}
        for n, article in enumerate(sources):
            self.peers.setdefault((article.corpus, article.section), []).append(n)

    def record(self, i: int) -> dict[str, Any]:
        n, k = i % len(self.sources), i // len(self.sources)
        article = self.sources[n]
        rng = random.Random(SEED * 1_000_003 + i)
        paragraphs = list(article.paragraphs)
        if k:
            rng.shuffle(paragraphs)
            peers = self.peers[(article.corpus, article.section)]
            if len(peers) > 1:
                partner = n
                while partner == n:
                    partner = rng.choice(peers)
                theirs = self.sources[partner].paragraphs
                for paragraph in rng.sample(theirs, math.ceil(len(theirs) / 2)):
                    paragraphs.insert(rng.randint(0, len(paragraphs)), paragraph)
        published = DATE_FROM + timedelta(seconds=rng.randrange(DATE_YEARS * 365 * 86_400))
        return {
            "id": f"{article.id}~{k}",
            "url": f"https://{article.corpus}.bench.invalid/{article.id}/{k}",
            "source": article.source,
            "title": article.title,
            "section": article.section,
            "date": published.isoformat(),
            "body": "\n\n".join(paragraphs),
        }


class QueueWatcher:
    """Prints how many articles still wait for the index, while `sync_search` runs."""

    def __init__(self, path: Path, total: int, every: float = 30.0) -> None:
        self.path, self.total, self.every = path, total, every
        self.started = time.perf_counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1)
        try:
            while not self.stop.wait(self.every):
                try:
                    waiting = connection.execute("SELECT count(*) FROM search_queue").fetchone()[0]
                except sqlite3.Error:
                    continue
                done = max(0, self.total - waiting)
                seconds = time.perf_counter() - self.started
                print(f"    indexing: ~{done:,} of {self.total:,} ({done / seconds:,.0f}/s)")
        finally:
            connection.close()

    def __enter__(self) -> QueueWatcher:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()


def remove_archive(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".built.json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".search"), ignore_errors=True)


def build_archive(path: Path, size: int, sources: list[SourceArticle]) -> dict[str, Any]:
    remove_archive(path)
    maker = CopyMaker(sources)
    prepare = save = 0.0
    saved = duplicates = failed = 0
    i = 0
    with Archive(path) as archive:
        while saved < size:
            start = time.perf_counter()
            batch: list[ExtractedArticle] = []
            while len(batch) < min(BATCH, size - saved):
                batch.append(record_to_article(maker.record(i)))
                i += 1
            middle = time.perf_counter()
            outcomes = archive.save_many(batch, index=False)
            save += time.perf_counter() - middle
            prepare += middle - start
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    failed += 1
                elif outcome.status == "saved":
                    saved += 1
                else:
                    duplicates += 1
            if saved // 50_000 != (saved - len(batch)) // 50_000 or saved >= size:
                print(f"    saved {saved:,} ({saved / save:,.0f}/s in save_many)")
        with QueueWatcher(path, saved):
            start = time.perf_counter()
            archive.sync_search()  # the first use of the index builds it from the archive
            index = time.perf_counter() - start
        indexed = archive.search_index.searcher().num_docs
    if indexed != saved:
        raise RuntimeError(f"indexed {indexed:,} of {saved:,} articles; see the log")
    built = {
        "articles": saved,
        "generated": i,
        "duplicates_skipped": duplicates,
        "failed": failed,
        "prepare_s": round(prepare, 1),
        "save_s": round(save, 1),
        "index_s": round(index, 1),
        "save_per_s": round(saved / save),
        "index_per_s": round(saved / index),
        "save_and_index_per_s": round(saved / (save + index)),
        "import_per_s": round(saved / (prepare + save + index)),
        "note": "prepare = generating the copies + record_to_article; save = save_many "
        "(index=False); index = one sync_search() over the whole archive",
    }
    Path(f"{path}.built.json").write_text(json.dumps(built, indent=2))
    return built


def archive_for(size: int, workdir: Path, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    path = workdir / f"archive-{size}.sqlite3"
    marker = Path(f"{path}.built.json")
    if not rebuild and marker.exists() and path.exists():
        built = json.loads(marker.read_text())
        built["reused"] = True
        print(f"  reusing {path} (built earlier: {built['articles']:,} articles)")
        return path, built
    print(f"  building {path}: {size:,} articles")
    sources = load_sources()
    print(f"    {len(sources):,} source articles with a body")
    built = build_archive(path, size, sources)
    built["reused"] = False
    return path, built


# -- picking the queries from the data --------------------------------------------------


@dataclass(slots=True)
class BenchQuery:
    kind: str
    text: str  # our query language
    fts: str  # an FTS5 MATCH expression for the same thing
    section: str | None = None  # filter class: section key
    after: str | None = None  # ISO day strings, both exclusive as in our language
    before: str | None = None
    like: str | None = None  # the word for LIKE '%word%'
    hits: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


_ASCII_WORD = re.compile(r"[a-z]+")


def pick_queries(archive: Archive, db: sqlite3.Connection, per_class: int) -> list[BenchQuery]:
    """Queries of every class, chosen by document frequency in this archive's index."""
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    max_id = db.execute("SELECT max(id) FROM articles").fetchone()[0]
    rng = random.Random(SEED)
    sample_ids = sorted(rng.sample(range(1, max_id + 1), min(4_000, max_id)))
    texts = [
        f"{title}\n{text}".lower()
        for title, text in db.execute(
            f"SELECT title, text FROM articles WHERE id IN ({','.join(map(str, sample_ids))})"
        )
    ]
    searcher = archive.search_index.searcher()
    surface: dict[str, Counter[str]] = {}
    bigrams: Counter[tuple[str, str]] = Counter()
    per_text: list[list[str]] = []
    for text in texts:
        words = _ASCII_WORD.findall(text)
        per_text.append(words)
        for word in words:
            terms = analyze_word(word)
            if len(terms) == 1:
                surface.setdefault(terms[0], Counter())[word] += 1
        bigrams.update(itertools.pairwise(words))
    share: dict[str, float] = {}
    word_of: dict[str, str] = {}
    for term, forms in surface.items():
        share[term] = searcher.doc_freq("body", term) / total
        word_of[term] = forms.most_common(1)[0][0]
    share_of_word = {word: share[analyze_word(word)[0]] for word in word_of.values()}

    def choose(pool: Sequence[str], count: int) -> list[str]:
        pool = sorted(pool)
        return rng.sample(pool, min(count, len(pool)))

    rare_range = (10 / total, 100 / total)
    rare = choose(
        [w for t, w in word_of.items() if rare_range[0] <= share[t] <= rare_range[1]
         and len(w) >= 7], per_class,
    )  # fmt: skip
    medium = choose(
        [w for t, w in word_of.items() if 0.008 <= share[t] <= 0.012 and len(w) >= 4], per_class
    )
    common = [
        w for t, w in sorted(word_of.items(), key=lambda tw: -share[tw[0]])
        if share[t] > 0.2 and len(w) >= 3
    ][:per_class]  # fmt: skip
    queries = [BenchQuery("rare", w, f'"{w}"', like=w) for w in rare]
    queries += [BenchQuery("medium", w, f'"{w}"', like=w) for w in medium]
    queries += [BenchQuery("common", w, f'"{w}"', like=w) for w in common]

    def content(word: str, low: float, high: float) -> bool:
        return len(word) >= 4 and low <= share_of_word.get(word, 0.0) <= high

    pairs: set[tuple[str, str]] = set()
    for _ in range(10_000):
        if len(pairs) >= per_class:
            break
        words = [w for w in rng.choice(per_text) if content(w, 0.005, 0.1)]
        if len(set(words)) >= 2:
            a, b = rng.sample(sorted(set(words)), 2)
            if analyze_word(a) != analyze_word(b):
                pairs.add((a, b))
    queries += [BenchQuery("and", f"{a} {b}", f'"{a}" "{b}"') for a, b in sorted(pairs)]
    phrases = [
        f"{a} {b}" for (a, b), seen in bigrams.most_common(2_000)
        if seen >= 5 and content(a, 0.003, 0.2) and content(b, 0.003, 0.2)
    ][:100]  # fmt: skip
    queries += [BenchQuery("phrase", f'"{p}"', f'"{p}"') for p in choose(phrases, per_class)]
    stems: Counter[str] = Counter(w[:4] for w in share_of_word if content(w, 0.005, 1.0))
    prefixes = choose([p for p, n in stems.items() if n >= 3], per_class)
    queries += [BenchQuery("prefix", f"{p}*", f'"{p}"*') for p in prefixes]
    sections = [
        key for key, seen in db.execute(
            "SELECT s.key, count(*) FROM articles a JOIN sections s ON s.id = a.section_id "
            "GROUP BY s.key ORDER BY 2 DESC LIMIT 6"
        )
    ]  # fmt: skip
    words = common or ["said"]
    for n in range(per_class):
        section = sections[n % len(sections)]
        year = DATE_FROM.year + (n * 3) % (DATE_YEARS - 1)
        after, before = f"{year - 1}-12-31", f"{year + 2}-01-01"  # two whole years
        for word in words[n % len(words) :] + words[: n % len(words)]:
            text = f"{word} section:{section} after:{after} before:{before}"
            if archive.search.find(text, limit=0).total:  # a common word of that section
                queries.append(
                    BenchQuery(
                        "filter", text, f'"{word}"', section=section, after=after, before=before
                    )
                )
                break
    return queries


# -- timing -----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def summary(samples: list[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(ms, 0.5), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "max_ms": round(max(ms), 2),
        "runs": len(ms),
    }


def measure(
    run: Callable[[BenchQuery], object], queries: list[BenchQuery], reps: int, budget: float
) -> dict[str, Any]:
    """Warm up (each query once), then up to `reps` rounds, stopping after `budget` seconds
    (but always at least one timed round)."""
    for query in queries:
        run(query)
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(reps):
        for query in queries:
            start = time.perf_counter()
            run(query)
            samples.append(time.perf_counter() - start)
        if time.perf_counter() - started > budget:
            break
    return summary(samples)


# -- baselines --------------------------------------------------------------------------


def fts_build(db: sqlite3.Connection) -> dict[str, Any]:
    """The naive FTS5 table, built once per archive and kept."""
    db.execute("CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT)")
    row = db.execute("SELECT value FROM bench_meta WHERE key = 'fts'").fetchone()
    if row:
        return dict(json.loads(row[0]), reused=True)
    print("  building the naive FTS5 table (bench_fts)")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.execute("DROP TABLE IF EXISTS bench_fts")
    db.execute(
        "CREATE VIRTUAL TABLE bench_fts USING fts5(title, text, content='articles', "
        f"content_rowid='id', tokenize='{FTS_TOKENIZER}')"
    )
    db.execute("INSERT INTO bench_fts(bench_fts) VALUES('rebuild')")
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    size = db.execute(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'bench_fts%'"
    ).fetchone()[0]  # fmt: skip
    info = {"build_s": round(seconds, 1), "per_s": round(total / seconds), "bytes": size}
    db.execute("INSERT INTO bench_meta VALUES ('fts', ?)", (json.dumps(info),))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return dict(info, reused=False)


FTS_PLAIN = (
    "SELECT rowid, snippet(bench_fts, 1, '<mark>', '</mark>', '…', 24) FROM bench_fts "
    "WHERE bench_fts MATCH ? ORDER BY rank LIMIT 50"
)
FTS_FILTERED = (
    "SELECT f.rowid, snippet(bench_fts, 1, '<mark>', '</mark>', '…', 24) FROM bench_fts f "
    "JOIN articles a ON a.id = f.rowid JOIN sections s ON s.id = a.section_id "
    "WHERE bench_fts MATCH ? AND s.key = ? AND a.published_at >= ? AND a.published_at < ? "
    "ORDER BY rank LIMIT 50"
)


def fts_run(db: sqlite3.Connection, query: BenchQuery) -> list[Any]:
    if query.kind != "filter":
        return db.execute(FTS_PLAIN, (query.fts,)).fetchall()
    assert query.after and query.before
    after = (datetime.fromisoformat(query.after) + timedelta(days=1)).date().isoformat()
    return db.execute(FTS_FILTERED, (query.fts, query.section, after, query.before)).fetchall()


LIKE_SQL = "SELECT id, title, substr(text, 1, 220) FROM articles WHERE text LIKE ? LIMIT 50"
# A page of a list that shows how many results there are needs the total too: every row.
LIKE_COUNT_SQL = "SELECT count(*) FROM articles WHERE text LIKE ?"


def like_run(db: sqlite3.Connection, query: BenchQuery) -> list[Any]:
    return db.execute(LIKE_SQL, (f"%{query.like}%",)).fetchall()


def like_count_run(db: sqlite3.Connection, query: BenchQuery) -> list[Any]:
    return db.execute(LIKE_COUNT_SQL, (f"%{query.like}%",)).fetchall()


# -- ranking quality --------------------------------------------------------------------


def top10_overlap(archive: Archive, query: BenchQuery) -> float | None:
    """Share of our top 10 that is in the top 10 of an exhaustive bm25 ranking.

    Exhaustive: the same compiled tantivy query with limit = every match, so the
    collector's heap never fills and no document is skipped by block-max WAND; every
    match is scored, then sorted by (score desc, date desc) as `search` breaks ties.
    A document tied (same score and date) with the exhaustive 10th also counts.
    """
    ours = [hit.id for hit in archive.search.find(query.text, limit=50, facets=False).hits[:10]]
    searcher = archive.search_index.searcher()
    compiled, _ = compile_query(
        parse_query(query.text), archive.search_index.schema, searcher, archive.member
    )
    if compiled is None:
        return None
    matches = count_matches(searcher, compiled)
    if not matches:
        return None
    found = searcher.search(compiled, matches, count=False)
    addresses = [address for _, address in found.hits]
    dates = searcher.fast_field_values("date", addresses)
    ids = doc_ids(searcher, found.hits)
    ranked = sorted(
        ((float(score), int(date or 0), i) for (score, _), date, i in zip(
            found.hits, dates, ids, strict=True)),
        key=lambda t: (-t[0], -t[1]),
    )  # fmt: skip
    best = ranked[:10]
    edge = (best[-1][0], best[-1][1])
    key_of = {i: (s, d) for s, d, i in ranked}
    best_ids = {i for _, _, i in best}
    agree = sum(1 for i in ours if i in best_ids or key_of.get(i) == edge)
    query.extra["exhaustive_matches"] = matches
    return agree / len(best)


# -- where our time goes ----------------------------------------------------------------


def stages(archive: Archive, query: BenchQuery) -> dict[str, float]:
    """One run of `search` (relevance, limit 50, with facets) split into its steps."""
    times: dict[str, float] = {}

    def step(name: str, start: float) -> float:
        now = time.perf_counter()
        times[name] = now - start
        return now

    t = time.perf_counter()
    parsed = parse_query(query.text)
    index = archive.search_index
    searcher = index.searcher()
    t = step("searcher", t)
    compiled, info = compile_query(parsed, index.schema, searcher, archive.member)
    t = step("compile", t)
    assert compiled is not None
    found = searcher.search(compiled, 50, count=False)
    t = step("top50", t)
    ids = doc_ids(searcher, found.hits)
    scores = [float(score) for score, _ in found.hits]
    t = step("ids", t)
    count_matches(searcher, compiled)
    t = step("count", t)
    searcher.search(compiled, 50, count=True)  # the alternative: top 50 and count at once
    t = step("top50_with_count", t)
    hits = archive.search.hits(ids, scores, frozenset(info.terms), tuple(info.prefixes))
    t = step("hits_sql_and_snippets", t)
    archive.search.facets(searcher, compiled)
    step("facets", t)
    with archive.reading() as session:
        texts = [
            row[0] for row in session.execute(
                sql(f"SELECT text FROM articles WHERE id IN ({','.join(map(str, ids))})")
            )
        ] if ids else []  # fmt: skip
    t = time.perf_counter()
    for body in texts:
        make_snippet(body, frozenset(info.terms), tuple(info.prefixes))
    times["snippets_only"] = time.perf_counter() - t
    times["hits"] = len(hits)
    return times


def profile(archive: Archive, queries: list[BenchQuery], reps: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind in CLASSES:
        chosen = [q for q in queries if q.kind == kind]
        runs: dict[str, list[float]] = {}
        for query in chosen:
            stages(archive, query)  # warm
        for _ in range(reps):
            for query in chosen:
                for name, value in stages(archive, query).items():
                    runs.setdefault(name, []).append(value)
        out[kind] = {
            name: round(statistics.median(values) * 1000, 2)
            for name, values in runs.items()
            if name != "hits"
        }
    return out


def ours(archive: Archive, facets: bool) -> Callable[[BenchQuery], object]:
    def run(query: BenchQuery) -> object:
        return archive.search.find(query.text, limit=50, facets=facets)

    return run


# -- the window's call (issue 11) -------------------------------------------------------

WINDOW_LIMIT = 200  # the list's first page of a search (newsreader/ui/article_list.py)
VISIBLE_ROWS = 30  # rows on screen whose passages the list asks for (two-line rows, 1080p)
WINDOW_CLASSES = (*CLASSES, "typo")


def window_call(archive: Archive, query: BenchQuery) -> object:
    """The window's first search page: rows, total and facets, then the visible passages."""
    results = archive.search.find(query.text, limit=WINDOW_LIMIT, facets=True, snippets=False)
    shown = [hit.id for hit in results.hits[:VISIBLE_ROWS]]
    return archive.search.snippets(shown, results.terms, results.prefixes)


def window_call_before(archive: Archive, query: BenchQuery) -> object:
    """The call the window made before issue 11: a passage for each of its 200 rows."""
    return archive.search.find(query.text, limit=WINDOW_LIMIT, facets=True)


def typo_queries(archive: Archive, queries: list[BenchQuery]) -> list[BenchQuery]:
    """Rare and medium words with one inner letter dropped (or two swapped) that match
    nothing, as a reader mistypes them: the window's call then suggests close words."""
    typos = []
    for query in queries:
        if query.kind not in ("rare", "medium") or len(query.text) < 5:
            continue
        word, middle = query.text, len(query.text) // 2
        for typo in (
            word[:middle] + word[middle + 1 :],
            word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :],
        ):
            found = archive.search.find(typo, limit=1, facets=False, snippets=False)
            if not found.total and found.did_you_mean:
                typos.append(
                    BenchQuery(
                        "typo",
                        typo,
                        f'"{typo}"',
                        hits=0,
                        extra={"did_you_mean": found.did_you_mean},
                    )
                )
                break
    return typos  # fmt: skip


TYPING_S = 1.0  # "typed": the first search comes this long after opening
FIRST_PAGE_ROWS = 200  # the list's first page, loaded before the window starts its warm-up
# How the first search after opening is timed (see cold_samples): page cache emptied of
# the archive and its index ("cold", "typed"), or kept ("fresh": a new process's open).
COLD_KINDS = {"cold": (True, 0.0), "typed": (True, TYPING_S), "fresh": (False, 0.0)}


@contextlib.contextmanager
def previous_code() -> Iterator[None]:
    """The code before the window readied its archive for search: no advice on the index's
    maps (cold_samples preloads on opening instead of warming; the baseline, same run)."""
    saved = index_module.advise_random
    index_module.advise_random = lambda folder: 0
    try:
        yield
    finally:
        index_module.advise_random = saved


def first_search(path: Path, text: str, pause: float, previous: bool) -> float:
    """Seconds of the window's call as the first search of a process that has opened the
    archive as the window does (not timed): the index opened, the list's first page
    loaded, then the window's warm-up started in the background (`previous`: the index
    preloaded on opening, as before), and `pause` seconds (a reader typing the query)."""
    from newsreader.ui.app import UI_SWITCH_INTERVAL_S

    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)  # threads take turns as in the window
    with previous_code() if previous else contextlib.nullcontext(), Archive(path) as archive:
        folder = archive.search_index.folder  # opened as the window has it open
        warmer = None
        if previous:
            index_module.preload(folder)
        archive.count()
        archive.list_page(limit=FIRST_PAGE_ROWS)
        if not previous:
            warmer = threading.Thread(target=archive.search.warm)
            warmer.start()
        time.sleep(pause)
        start = time.perf_counter()
        window_call(archive, BenchQuery("first", text, ""))
        seconds = time.perf_counter() - start
        if warmer is not None:
            warmer.join()
    return seconds


FIRST_SEARCH = "--first-search"  # argv of the process cold_samples starts for one timing


def cold_samples(
    path: Path, queries: list[BenchQuery], *, evicted: bool, pause: float, previous: bool
) -> list[float]:
    """One timing per query of the first search of a new process (first_search), as a
    reader meets it on starting the app. With `evicted` the archive and its index are
    dropped from the page cache first."""
    samples = []
    for query in queries:
        if evicted:
            evict(archive_files(path))
        argv = [sys.executable, __file__, FIRST_SEARCH, str(path), query.text, str(pause),
                "previous" if previous else "current"]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"a first search failed ({query.text!r}):\n{done.stderr[-2000:]}")
        samples.append(float(done.stdout.split()[-1]))
    return samples


def bench_window(path: Path, queries: list[BenchQuery], args: argparse.Namespace) -> dict[str, Any]:
    """The window's call warm (and the one it made before), then its first call after
    opening (cold, typed, fresh), with this code and with the code before it readied the
    archive for search, the two alternating query by query."""
    out: dict[str, Any] = {"limit": WINDOW_LIMIT, "visible_rows": VISIBLE_ROWS}
    calls = {"window": window_call, "before": window_call_before}
    with Archive(path) as archive:
        queries = queries + typo_queries(archive, queries)
        for kind in WINDOW_CLASSES:
            chosen = [q for q in queries if q.kind == kind]
            if not chosen:
                continue
            out[kind] = {"queries": len(chosen), "examples": [q.text for q in chosen[:3]]}
            if kind == "typo":
                out[kind]["did_you_mean"] = [q.extra["did_you_mean"] for q in chosen[:3]]
            for name, call in calls.items():
                out[kind][f"{name}_warm"] = measure(
                    partial(call, archive), chosen, args.reps, budget=60
                )
    for kind in WINDOW_CLASSES:
        chosen = [q for q in queries if q.kind == kind]
        if not chosen:
            continue
        samples: dict[str, list[float]] = {}
        for query in chosen:
            for cold, (evicted, pause) in COLD_KINDS.items():
                for who in ("window", "previous"):
                    samples.setdefault(f"{who}_{cold}", []).extend(cold_samples(
                        path, [query], evicted=evicted, pause=pause, previous=who == "previous"
                    ))  # fmt: skip
        out[kind].update({name: summary(values) for name, values in samples.items()})
        w = out[kind]
        cells = [fmt(w[f"{who}_{c}"]) for who in ("window", "previous") for c in COLD_KINDS]
        print(f"    {kind:7} window warm {fmt(w['window_warm'])}; cold/typed/fresh: "
              + " ".join(cells) + " (this code, then the previous)")  # fmt: skip
    return out


def print_window_report(size: int, window: dict[str, Any]) -> None:
    print(
        f"\n=== {size:,} articles: the window's first search page, ms p50 p95 "
        f"(limit {window['limit']}, facets, passages for {window['visible_rows']} rows) ==="
    )
    print(
        "cold: a new process opens the archive as the window does (first page, then its "
        "warm-up) with the archive and its index dropped from the page cache, and searches "
        f"at once; typed: the same, searched {TYPING_S:g} s after opening; fresh: the page "
        "cache kept, searched at once. previous: the code before readying."
    )
    columns = ["warm", *COLD_KINDS]
    print(f"{'':8}{'class':8}{'queries':>8}  " + "".join(f"{c:18}" for c in columns))
    for who in ("window", "previous", "before"):
        print(f"{who}:")
        for kind in WINDOW_CLASSES:
            if w := window.get(kind):
                cells = [fmt(w.get(f"{who}_{c}")) for c in columns]
                print(f"{'':8}{kind:8}{w['queries']:>8}  " + "  ".join(cells))


def pick_for_window(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """--window-only: the archive, its queries and the window's call; nothing else."""
    print(f"\n== {size:,} articles (window only) ==")
    path, built = archive_for(size, args.workdir, args.rebuild)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        with Archive(path) as archive:
            queries = pick_queries(archive, db, args.queries)
    finally:
        db.close()
    print(f"  {len(queries)} queries picked; timing the window's call")
    return {"size": size, "build": built, "variation": VARIATION,
            "window": bench_window(path, queries, args)}  # fmt: skip


# -- one size ---------------------------------------------------------------------------


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def indexed_text_bytes(db: sqlite3.Connection) -> int:
    row = db.execute(
        "SELECT sum(length(CAST(a.title AS BLOB)) + length(CAST(a.text AS BLOB)) "
        "+ coalesce(length(CAST(a.byline AS BLOB)), 0) + coalesce(length(CAST(s.name AS BLOB)), 0)"
        " + coalesce(length(CAST(o.name AS BLOB)), 0)) FROM articles a "
        "LEFT JOIN sections s ON s.id = a.section_id LEFT JOIN sources o ON o.id = a.source_id"
    ).fetchone()
    return int(row[0] or 0)


def bench_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {size:,} articles ==")
    path, built = archive_for(size, args.workdir, args.rebuild)
    result: dict[str, Any] = {"size": size, "build": built, "variation": VARIATION}
    db = sqlite3.connect(path, isolation_level=None)  # autocommit; the build says BEGIN
    try:
        result["fts5_build"] = fts_build(db)
        print(f"  FTS5 table: {json.dumps(result['fts5_build'])}")
        with Archive(path) as archive:
            start = time.perf_counter()
            index = archive.search_index
            result["index_open_s"] = round(time.perf_counter() - start, 2)
            folder = index.folder
            text_bytes = indexed_text_bytes(db)
            result["index_size"] = {
                "index_bytes": folder_bytes(folder),
                "text_bytes": text_bytes,
                "ratio": round(folder_bytes(folder) / text_bytes, 3),
                "segments": index.searcher().num_segments,
                "archive_bytes": path.stat().st_size,
            }
            print(f"  index size: {json.dumps(result['index_size'])}")
            queries = pick_queries(archive, db, args.queries)
            for query in queries:
                found = archive.search.find(query.text, limit=50, facets=False)
                query.hits = found.total
                if found.hints:
                    query.extra["hints"] = found.hints
            print(f"  {len(queries)} queries picked; timing ours")
            gc.collect()
            classes: dict[str, Any] = {}
            for kind in CLASSES:
                chosen = [q for q in queries if q.kind == kind]
                entry: dict[str, Any] = {
                    "queries": [{"q": q.text, "hits": q.hits, **q.extra} for q in chosen],
                    "hits_median": statistics.median([q.hits for q in chosen]) if chosen else 0,
                }
                if not chosen:
                    classes[kind] = entry
                    continue
                for facets in (False, True):
                    entry["ours_facets" if facets else "ours"] = measure(
                        ours(archive, facets), chosen, args.reps, budget=60
                    )
                classes[kind] = entry
                print(f"    {kind:7} ours {json.dumps(entry['ours'])}")
            print("  ranking quality (exhaustive bm25)")
            for kind in CLASSES:
                chosen = [q for q in queries if q.kind == kind]
                overlaps = [o for q in chosen if (o := top10_overlap(archive, q)) is not None]
                for q, entry in zip(chosen, classes[kind]["queries"], strict=True):
                    entry.update(q.extra)
                classes[kind]["overlap"] = round(statistics.mean(overlaps), 3) if overlaps else None
            print("  profiling our stages")
            result["stages_ms_p50"] = profile(archive, queries, reps=3)
        print("  timing the window's call")
        result["window"] = bench_window(path, queries, args)
        print("  timing FTS5 naive")
        for kind in CLASSES:
            chosen = [q for q in queries if q.kind == kind]
            if chosen:
                classes[kind]["fts5"] = measure(
                    lambda q: fts_run(db, q), chosen, args.reps, args.baseline_budget
                )
                print(f"    {kind:7} fts5 {json.dumps(classes[kind]['fts5'])}")
        print("  timing LIKE")
        for kind in ("rare", "medium", "common"):
            chosen = [q for q in queries if q.kind == kind]
            if chosen:
                classes[kind]["like"] = measure(
                    lambda q: like_run(db, q), chosen, args.reps, args.baseline_budget
                )
                scanned_all = sum(1 for q in chosen if len(like_run(db, q)) < 50)
                classes[kind]["like"]["queries_scanning_everything"] = scanned_all
                print(f"    {kind:7} like {json.dumps(classes[kind]['like'])}")
        rare_queries = [q for q in queries if q.kind == "rare"]
        if rare_queries:
            classes["rare"]["like_count"] = measure(
                lambda q: like_count_run(db, q), rare_queries, args.reps, args.baseline_budget
            )
            print(f"    rare    like count(*) {json.dumps(classes['rare']['like_count'])}")
    finally:
        db.close()
    result["classes"] = classes
    rare = classes["rare"]
    if "like" in rare and "ours" in rare:
        result["like_over_ours_rare"] = {
            p: round(rare["like"][f"{p}_ms"] / max(rare["ours"][f"{p}_ms"], 1e-3), 1)
            for p in ("p50", "p95")
        }
        result["like_count_over_ours_rare"] = {
            p: round(rare["like_count"][f"{p}_ms"] / max(rare["ours"][f"{p}_ms"], 1e-3), 1)
            for p in ("p50", "p95")
        }
    overlaps = [c["overlap"] for c in classes.values() if c.get("overlap") is not None]
    result["overlap_mean"] = round(statistics.mean(overlaps), 3) if overlaps else None
    return result


# -- reporting --------------------------------------------------------------------------


def fmt(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "—"
    return f"{entry['p50_ms']:>8.1f} {entry['p95_ms']:>8.1f}"


def print_report(result: dict[str, Any]) -> None:
    size = result["size"]
    print(f"\n=== {size:,} articles: latency in ms, p50 p95 (top 50 with snippets) ===")
    head = "   ours (p50 p95)  +facets (p50 p95)     FTS5 (p50 p95)     LIKE (p50 p95)"
    print(f"{'class':8}{'hits(med)':>11} {head}  overlap")
    for kind in CLASSES:
        c = result["classes"].get(kind)
        if not c or "ours" not in c:
            continue
        overlap = "—" if c.get("overlap") is None else f"{c['overlap']:.2f}"
        print(
            f"{kind:8}{c['hits_median']:>11,.0f}  {fmt(c.get('ours'))}  {fmt(c.get('ours_facets'))}"
            f"  {fmt(c.get('fts5'))}  {fmt(c.get('like'))}  {overlap:>7}"
        )
    build = result["build"]
    size_info = result["index_size"]
    reused = " (reused: built in an earlier run)" if build.get("reused") else ""
    print(
        f"build: save {build['save_per_s']:,}/s, index {build['index_per_s']:,}/s, "
        f"save+index {build['save_and_index_per_s']:,}/s, with preparing the copies "
        f"{build['import_per_s']:,}/s{reused}"
    )
    fts = result["fts5_build"]
    print(f"FTS5 naive build: {fts['build_s']} s ({fts['per_s']:,}/s), {fts['bytes']:,} bytes")
    print(
        f"index size: {size_info['index_bytes']:,} bytes for {size_info['text_bytes']:,} bytes "
        f"of text = {size_info['ratio']:.2f}x ({size_info['segments']} segments)"
    )
    if "like_over_ours_rare" in result:
        r = result["like_over_ours_rare"]
        full = result["classes"]["rare"]["like"]["queries_scanning_everything"]
        print(
            f"LIKE / ours on rare terms: {r['p50']}x at p50, {r['p95']}x at p95 "
            f"({full} of {len(result['classes']['rare']['queries'])} LIKE ... LIMIT 50 queries "
            "found fewer than 50 rows, so scanned every row)"
        )
        r, c = result["like_count_over_ours_rare"], result["classes"]["rare"]["like_count"]
        print(
            f"LIKE with a total (count(*), always every row): p50 {c['p50_ms']:.1f} ms, "
            f"p95 {c['p95_ms']:.1f} ms = {r['p50']}x ours at p50, {r['p95']}x at p95"
        )
    print(f"mean top-10 overlap with exhaustive bm25: {result['overlap_mean']}")
    print(f"load average (1, 5, 15 min) before/after: {result['loadavg_1_5_15']}")
    print("our stages, p50 ms (top50_with_count: one call instead of top50 + count):")
    for kind, st in result["stages_ms_p50"].items():
        print(f"  {kind:7} " + "  ".join(f"{k}={v}" for k, v in st.items()))


def main() -> int:
    if sys.argv[1:2] == [FIRST_SEARCH]:  # one timing of cold_samples, in its own process
        path, text, pause, who = sys.argv[2:]
        print(first_search(Path(path), text, float(pause), who == "previous"))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nrbench"))
    parser.add_argument("--rebuild", action="store_true", help="build archives anew")
    parser.add_argument("--queries", type=int, default=12, help="queries per class")
    parser.add_argument("--reps", type=int, default=5, help="timed rounds per class")
    parser.add_argument(
        "--window-only", action="store_true",
        help="time only the window's call (issue 11), without the issue-3 baselines",
    )  # fmt: skip
    parser.add_argument(
        "--baseline-budget", type=float, default=30.0,
        help="seconds of timed rounds per class for FTS5 and LIKE (at least one round)",
    )  # fmt: skip
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: the shared data is not at {DATA}")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"copies: {VARIATION}")
    OUT.mkdir(exist_ok=True)
    out_file = OUT / "search.json"
    saved: dict[str, Any] = json.loads(out_file.read_text()) if out_file.exists() else {}
    saved.setdefault("sizes", {})
    saved["cpus"] = os.cpu_count()
    saved["sqlite"] = sqlite3.sqlite_version
    saved["variation"] = VARIATION
    results = []
    for size in args.sizes:
        started = time.perf_counter()
        load = os.getloadavg()
        result = pick_for_window(size, args) if args.window_only else bench_size(size, args)
        result["bench_s"] = round(time.perf_counter() - started, 1)
        # Other processes on the machine skew latencies: keep the load beside the figures.
        result["loadavg_1_5_15"] = {"before": load, "after": os.getloadavg()}
        result["when"] = datetime.now(UTC).isoformat(timespec="seconds")
        results.append(result)
        saved["sizes"][str(size)] = result
        out_file.write_text(json.dumps(saved, indent=2))
        if not args.window_only:
            print_report(result)
        print_window_report(size, result["window"])
    print(f"\nwritten to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
