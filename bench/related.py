"""Related articles: quality of "more like this", near-duplicate detection, and speed.

Goals (issue 6): precision@5 of "same section" on BBC News >= 0.90 and >= a TF-IDF cosine
baseline (scikit-learn, measured in the same run over the same articles); precision@5 of
"shares a topic" on Reuters-21578 beside the same baseline; near-duplicates made by
copying articles and changing them lightly found with recall >= 0.95 and no false pairs
among distinct articles of the corpus; `Related.compute` <= 50 ms p95 at 100k and 1M
articles.

How it is measured:
- Each corpus is imported into a fresh archive (`save_many(index=False)` + `sync_search`).
  Texts the archive recognises as identical (same normalised text) are merged into one
  article at save; that article's labels are the union of its records' labels.
- "ours" is `compute(id)[0][:5]` (the similar list: near-duplicates are excluded from it
  and shown as other versions); precision@5 = share of the returned neighbours (up to 5)
  that share a label, averaged over articles with >= 1 neighbour. "ours incl. other
  versions" is the best 5 by score of duplicates + similar together.
- The baseline is TfidfVectorizer(sublinear_tf=True, stop_words="english") over title +
  text, exhaustive cosine, best 5 excluding the article itself: "as is", and "fair" with
  the pairs our code calls near-duplicates excluded too (is_near_duplicate(shingles(own
  text), shingles(other title + text)), exactly the test `compute` applies).
- Reuters: the main figure ranks among the articles that have topics (an archive of those
  only, for ours and the baseline alike: a neighbour is a hit when it shares any topic);
  a second figure uses an archive of every article with a body, where neighbours without
  topics count as misses (queries are still the articles with topics).
- Near-duplicates: copies of sampled articles (see `COPY_KINDS`) are saved into the
  corpus archives; a pair is found when either article's `compute` lists the other among
  its duplicates. False pairs: duplicates `compute` reports among the corpus articles that
  are neither copies nor corpus-internal near-duplicates (identical normalised text is
  merged at save; the rest are found by an exhaustive shingle test over all pairs).
- Speed: `compute` on ~200 random articles of the archives bench/search.py builds
  (/tmp/nrbench/archive-{100000,1000000}.sqlite3), after a warm-up.

Run: .venv/bin/python bench/related.py [--parts quality duplicates timing] [--tune]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import text as sql

import newsreader.core.related as related_module
from newsreader.core.archive import Archive
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.core.related import Related, shingles
from newsreader.core.saving import SaveOutcome

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
WORK = Path("/tmp/nrbench-related") / f"run-{os.getpid()}"  # runs may overlap
TIMING_ARCHIVES = Path("/tmp/nrbench")
BBC = "bbc/bbc.jsonl.gz"
REUTERS = "reuters/reuters21578.jsonl.gz"
SEED = 20261127
K = 5
BASELINE_DEPTH = 60  # baseline neighbours looked at before near-duplicates are excluded
COPY_KINDS = ("headline", "trailer", "paragraph")
TRAILERS = (
    "Share this article",
    "Share this article: Facebook, Twitter, Email",
    "Sign up for our morning newsletter and get the day's top stories in your inbox.",
    "Follow us on Twitter and Facebook for the latest news as it happens.",
    "Read more: all the latest news and analysis on our website.",
    "Subscribe today for unlimited access to our award-winning journalism.",
)
COPIES_NOTE = (
    "copies of sampled articles, a third of each kind: 'headline' = another headline "
    "(prefixed 'UPDATE 1-', an outlet suffix, or the lead's first words) and typographic "
    "quotes/dashes in the text (the kind of difference between two outlets; a text with "
    "nothing to change is identical, so the archive merges it at save: counted as found, "
    "shown apart); 'trailer' = a last paragraph such as 'Share this article' or a promo "
    "sentence; 'paragraph' = one paragraph dropped (articles with >= 3 paragraphs only). "
    "Copies keep the section, get a new id and URL."
)


# -- corpora ----------------------------------------------------------------------------


LIMIT: int | None = None  # --limit: records per corpus, for a quick trial run


def load_records(relative: str) -> list[dict[str, Any]]:
    with gzip.open(DATA / relative, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()][:LIMIT]


@dataclass(slots=True)
class Corpus:
    """One corpus imported into its own archive."""

    name: str
    archive: Archive
    ids: list[int]  # distinct articles, in corpus order
    labels: dict[int, frozenset[str]]
    titles: dict[int, str]
    texts: dict[int, str]
    records: int
    merged: int  # records merged into an earlier article at save (same text)
    label_conflicts: int  # merged records whose labels differ from the article's first
    import_s: float
    text_sh: dict[int, set[int]] = field(default_factory=dict)  # shingles of the text
    full_sh: dict[int, set[int]] = field(default_factory=dict)  # of title + text

    def shingle(self, ids: list[int] | None = None) -> None:
        for i in ids or self.ids:
            # through the module, so that a monkeypatched `shingles` applies here too
            self.text_sh[i] = related_module.shingles(self.texts[i])
            self.full_sh[i] = related_module.shingles(f"{self.titles[i]}\n{self.texts[i]}")

    def reload(self, ids: list[int]) -> None:
        with self.archive.reading() as session:
            rows = session.execute(
                sql(f"SELECT id, title, text FROM articles WHERE id IN ({','.join(map(str, ids))})")
            ).all()
        for article_id, title, text in rows:
            self.titles[article_id] = title
            self.texts[article_id] = text
        self.shingle(ids)


def fresh_archive(name: str) -> Archive:
    path = WORK / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".search"), ignore_errors=True)
    return Archive(path)


def import_corpus(
    name: str, records: list[dict[str, Any]], labels_of: Callable[[dict[str, Any]], set[str]]
) -> Corpus:
    articles = []
    kept = []
    for record in records:
        try:
            articles.append(record_to_article(record))
        except ExtractionError:
            continue  # Reuters items without a body
        kept.append(record)
    archive = fresh_archive(name)
    start = time.perf_counter()
    outcomes = archive.save_many(articles, index=False)
    archive.sync_search()
    import_s = time.perf_counter() - start
    ids: list[int] = []
    labels: dict[int, set[str]] = {}
    merged = conflicts = 0
    for record, outcome in zip(kept, outcomes, strict=True):
        if isinstance(outcome, Exception):
            raise outcome
        own = labels_of(record)
        if outcome.article_id in labels:
            merged += 1
            conflicts += labels[outcome.article_id] != own
            labels[outcome.article_id] |= own
        else:
            ids.append(outcome.article_id)
            labels[outcome.article_id] = set(own)
    corpus = Corpus(
        name=name, archive=archive, ids=ids,
        labels={i: frozenset(v) for i, v in labels.items()}, titles={}, texts={},
        records=len(kept), merged=merged, label_conflicts=conflicts, import_s=import_s,
    )  # fmt: skip
    corpus.reload(ids)
    indexed = archive.search_index.searcher().num_docs
    print(
        f"  {name}: {len(kept):,} records -> {len(ids):,} articles ({merged} merged as the same "
        f"text, {conflicts} of them with other labels); indexed {indexed:,}; {import_s:.1f} s"
    )
    return corpus


# -- ours and the baseline --------------------------------------------------------------

Lists = dict[int, tuple[list[tuple[int, float]], list[tuple[int, float]]]]


def run_ours(corpus: Corpus, ids: list[int] | None = None) -> tuple[Lists, float]:
    related = corpus.archive.related
    found: Lists = {}
    start = time.perf_counter()
    for article_id in ids if ids is not None else corpus.ids:
        found[article_id] = related.compute(article_id)
    per_ms = (time.perf_counter() - start) * 1000 / max(1, len(found))
    return found, per_ms


def near_duplicate_pair(corpus: Corpus, own: int, other: int) -> bool:
    """The test `compute` applies to a candidate: own text against the other's title+text."""
    return related_module.is_near_duplicate(corpus.text_sh[own], corpus.full_sh[other])


def baseline(corpus: Corpus, ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """TF-IDF cosine top K over `ids`: as is, and with our near-duplicates excluded."""
    docs = [f"{corpus.titles[i]}\n{corpus.texts[i]}" for i in ids]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(docs)
    transposed = matrix.T.tocsc()
    as_is: dict[int, list[int]] = {}
    fair: dict[int, list[int]] = {}
    depth = min(BASELINE_DEPTH, len(ids) - 1)
    for start in range(0, len(ids), 1_000):
        block = (matrix[start : start + 1_000] @ transposed).toarray()
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -1.0  # never itself
        top = np.argpartition(-block, depth, axis=1)[:, :depth]
        for r in rows:
            order = top[r][np.argsort(-block[r, top[r]], kind="stable")]
            own = ids[start + r]
            ranked = [ids[c] for c in order]
            as_is[own] = ranked[:K]
            fair[own] = [o for o in ranked if not near_duplicate_pair(corpus, own, o)][:K]
    return as_is, fair


def precision(
    neighbours: dict[int, list[int]], labels: dict[int, frozenset[str]], queries: list[int]
) -> dict[str, Any]:
    """Mean share of the (up to K) neighbours sharing a label, over queries with any."""
    values = []
    full = 0
    for q in queries:
        found = neighbours.get(q, [])[:K]
        if not found:
            continue
        full += len(found) == K
        values.append(sum(bool(labels[q] & labels.get(n, frozenset())) for n in found) / len(found))
    return {
        "p_at_5": round(statistics.mean(values), 4) if values else None,
        "queries": len(queries),
        "with_neighbours": len(values),
        "with_5": full,
    }


def per_query(
    neighbours: dict[int, list[int]], labels: dict[int, frozenset[str]], queries: list[int]
) -> dict[int, float]:
    return {
        q: sum(bool(labels[q] & labels.get(n, frozenset())) for n in found) / len(found)
        for q in queries
        if (found := neighbours.get(q, [])[:K])
    }


def paired(ours: dict[int, float], theirs: dict[int, float]) -> dict[str, Any]:
    """Ours minus theirs over the queries both answered: mean, 95% bootstrap interval,
    and how many queries each is better on."""
    common = sorted(ours.keys() & theirs.keys())
    diff = np.array([ours[q] - theirs[q] for q in common])
    rng = np.random.default_rng(SEED)
    means = [float(diff[rng.integers(0, len(diff), len(diff))].mean()) for _ in range(2_000)]
    low, high = np.percentile(means, [2.5, 97.5])
    return {
        "diff": round(float(diff.mean()), 4),
        "ci95": [round(float(low), 4), round(float(high), 4)],
        "ours_better": int((diff > 0).sum()),
        "baseline_better": int((diff < 0).sum()),
        "queries": len(common),
    }


def ours_views(found: Lists) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    similar = {i: [o for o, _ in s[:K]] for i, (s, _d) in found.items()}
    both = {
        i: [o for o, _ in sorted(s + d, key=lambda pair: -pair[1])[:K]]
        for i, (s, d) in found.items()
    }
    return similar, both


def quality(
    corpus: Corpus, queries: list[int], found: Lists, base: tuple[dict[int, list[int]], ...]
) -> dict[str, Any]:
    similar, both = ours_views(found)
    evaluated = [q for q in queries if similar.get(q)]
    result = {
        "ours": precision(similar, corpus.labels, queries),
        "ours_incl_other_versions": precision(both, corpus.labels, queries),
        "baseline_as_is": precision(base[0], corpus.labels, queries),
        "baseline_fair": precision(base[1], corpus.labels, queries),
        # the baseline over exactly the articles ours gave neighbours to
        "baseline_fair_same_queries": precision(base[1], corpus.labels, evaluated),
        "ours_minus_baseline_fair": paired(
            per_query(similar, corpus.labels, queries), per_query(base[1], corpus.labels, queries)
        ),
    }
    return result


# -- near-duplicates --------------------------------------------------------------------


class Groups:
    """Union-find over article ids: near-duplicate clusters."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def same(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)


def internal_near_duplicates(corpus: Corpus) -> set[tuple[int, int]]:
    """Every pair of corpus articles that passes the shingle test in either direction."""
    postings: dict[int, list[int]] = defaultdict(list)
    for article_id in corpus.ids:
        for s in corpus.text_sh[article_id]:
            postings[s].append(article_id)
    pairs: set[tuple[int, int]] = set()
    for other in corpus.ids:  # counts |text(own) & full(other)| for every own at once
        shared: Counter[int] = Counter()
        for s in corpus.full_sh[other]:
            shared.update(postings.get(s, ()))
        for own, count in shared.items():
            least = min(len(corpus.text_sh[own]), len(corpus.full_sh[other]))
            if own == other or count < related_module.DUPLICATE_CONTAINMENT * least:
                continue  # cannot pass the test: spare the set intersection
            if near_duplicate_pair(corpus, own, other):
                pairs.add((min(own, other), max(own, other)))
    return pairs


def false_pairs(
    corpus: Corpus, found: Lists, allowed: Groups, among: set[int]
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(reported pairs among `among`, those of them not allowed)."""
    reported: set[tuple[int, int]] = set()
    for own, (_s, duplicates) in found.items():
        if own not in among:
            continue
        for other, _score in duplicates:
            if other in among:
                reported.add((min(own, other), max(own, other)))
    return reported, {p for p in reported if not allowed.same(*p)}


def pair_examples(corpus: Corpus, pairs: set[tuple[int, int]], n: int = 6) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    chosen = rng.sample(sorted(pairs), min(n, len(pairs)))
    out = []
    for a, b in chosen:
        shorter = min(len(corpus.text_sh[a]), len(corpus.text_sh[b])) or 1
        out.append({
            "ids": [a, b],
            "titles": [corpus.titles[a], corpus.titles[b]],
            "labels": [sorted(corpus.labels.get(a, ())), sorted(corpus.labels.get(b, ()))],
            "words": [len(corpus.texts[a].split()), len(corpus.texts[b].split())],
            "containment": round(len(corpus.text_sh[a] & corpus.text_sh[b]) / shorter, 3),
        })  # fmt: skip
    return out


_TYPOGRAPHY = (("'", "\u2019"), ('"', "\u201d"), (" - ", " \u2013 "), ("--", "\u2014"))


def make_copy(corpus: Corpus, original: int, kind: str, rng: random.Random) -> dict[str, Any]:
    title = corpus.titles[original]
    paragraphs = corpus.texts[original].split("\n")
    if kind == "headline":
        style = rng.randrange(3)
        if style == 0:
            title = f"UPDATE 1-{title}"
        elif style == 1:
            title = f"{title} | World News Tonight"
        else:
            title = " ".join(paragraphs[0].split()[:9]).rstrip(",.;:") or f"{title} (update)"
        for plain, fancy in _TYPOGRAPHY:
            paragraphs = [p.replace(plain, fancy) for p in paragraphs]
    elif kind == "trailer":
        paragraphs.append(rng.choice(TRAILERS))
    else:
        del paragraphs[rng.randrange(len(paragraphs))]
    return {
        "id": f"copy-{corpus.name}-{original}-{kind}",
        "url": f"https://copies.bench.invalid/{corpus.name}/{original}",
        "title": title,
        "body": "\n\n".join(paragraphs),
    }


Pair = tuple[int, int, str]  # (original, copy, kind)


def make_copies(corpus: Corpus, count: int) -> tuple[list[Pair], Counter[str]]:
    """Copies of `count` articles saved into the corpus archive: the (original, copy)
    pairs saved, and per kind the copies the archive merged into the original at save."""
    rng = random.Random(f"{SEED}-{corpus.name}")
    droppable = [i for i in corpus.ids if corpus.texts[i].count("\n") >= 2]
    per_kind = count // len(COPY_KINDS)
    dropped = rng.sample(droppable, per_kind)
    rest = rng.sample(sorted(set(corpus.ids) - set(dropped)), count - per_kind)
    plan = [(o, "paragraph") for o in dropped]
    plan += [(o, COPY_KINDS[n % 2]) for n, o in enumerate(rest)]
    records = [make_copy(corpus, o, kind, rng) for o, kind in plan]
    outcomes = corpus.archive.save_many([record_to_article(r) for r in records], index=False)
    corpus.archive.sync_search()
    pairs: list[Pair] = []
    at_save: Counter[str] = Counter()
    for (original, kind), outcome in zip(plan, outcomes, strict=True):
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, SaveOutcome)
        if outcome.status == "saved":
            pairs.append((original, outcome.article_id, kind))
        elif outcome.article_id == original:
            at_save[kind] += 1  # the same text: the archive keeps one article
        else:
            raise RuntimeError(f"copy of {original} merged into {outcome.article_id}")
    corpus.reload([c for _o, c, _k in pairs])
    return pairs, at_save


def miss_reason(corpus: Corpus, original: int, copy: int, found: Lists) -> str:
    """Why `compute` did not pair them: which guard of the test fails on the two texts,
    else whether the asymmetric comparison (own text against the candidate's title + text,
    in both directions) fails, else retrieval."""
    a, b = corpus.text_sh[original], corpus.text_sh[copy]
    shorter, longer = sorted((len(a), len(b)))
    if shorter < related_module.MIN_SHINGLES:
        return "a text has fewer than MIN_SHINGLES word runs"
    if shorter < longer * related_module.MIN_LENGTH_RATIO:
        return "length ratio below MIN_LENGTH_RATIO"
    if len(a & b) / shorter < related_module.DUPLICATE_CONTAINMENT:
        return "containment below DUPLICATE_CONTAINMENT"
    if not (
        near_duplicate_pair(corpus, original, copy) or near_duplicate_pair(corpus, copy, original)
    ):
        return "passes text against text, fails against title + text"
    listed = {o for o, _ in found[original][0]} | {o for o, _ in found[copy][0]}
    if copy not in listed and original not in listed:
        return "not among the candidates"
    return "other"


def measure_copies(
    corpus: Corpus, pairs: list[Pair], at_save: Counter[str], internal: set[tuple[int, int]]
) -> dict[str, Any]:
    """Recall over the copies, and false pairs among originals, copies and the corpus."""
    originals = [o for o, _c, _k in pairs]
    copies = [c for _o, c, _k in pairs]
    after, per_ms = run_ours(corpus, sorted(set(originals + copies)))
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    missed = []
    for original, copy, kind in pairs:
        forward = any(o == copy for o, _ in after[original][1])
        backward = any(o == original for o, _ in after[copy][1])
        tally = by_kind[kind]
        tally["pairs"] += 1
        tally["either"] += forward or backward
        tally["both"] += forward and backward
        tally["from_original"] += forward
        if not (forward or backward):
            missed.append((original, copy, kind))
            reasons[f"{kind}: {miss_reason(corpus, original, copy, after)}"] += 1
    groups = Groups()
    for a, b in internal:
        groups.join(a, b)
    for original, copy, _kind in pairs:
        groups.join(original, copy)
    _reported, wrong = false_pairs(corpus, after, groups, set(copies) | set(corpus.ids))
    kinds: dict[str, Any] = {}
    for kind in COPY_KINDS:
        tally = by_kind[kind]
        made = tally["pairs"] + at_save[kind]
        kinds[kind] = {
            "copies": made, "merged_at_save": at_save[kind], "saved": tally["pairs"],
            "found_either_way": tally["either"], "found_both_ways": tally["both"],
            "found_from_original": tally["from_original"],
            "recall": round((tally["either"] + at_save[kind]) / made, 4) if made else None,
        }  # fmt: skip
    total_pairs = sum(t["pairs"] for t in by_kind.values())
    total_either = sum(t["either"] for t in by_kind.values())
    total_both = sum(t["both"] for t in by_kind.values())
    merged = sum(at_save.values())
    miss_examples = []
    for original, copy, kind in missed[:10]:
        own, other = corpus.text_sh[original], corpus.text_sh[copy]
        shorter, longer = sorted((len(own), len(other)))
        miss_examples.append({
            "original": original, "copy": copy, "kind": kind,
            "title": corpus.titles[original],
            "words": [len(corpus.texts[original].split()), len(corpus.texts[copy].split())],
            "shingles": [len(own), len(other)],
            "containment": round(len(own & other) / max(1, shorter), 3),
            "length_ratio": round(shorter / max(1, longer), 3),
            "reason": miss_reason(corpus, original, copy, after),
        })  # fmt: skip
    return {
        "copies": total_pairs + merged,
        "kinds": kinds,
        "recall_either_way": round((total_either + merged) / max(1, total_pairs + merged), 4),
        "recall_either_way_saved_only": round(total_either / max(1, total_pairs), 4),
        "recall_both_ways_saved_only": round(total_both / max(1, total_pairs), 4),
        "missed_by_reason": dict(reasons.most_common()),
        "false_pairs_after_copies": len(wrong),
        "false_pair_examples_after_copies": pair_examples(corpus, wrong),
        "missed_examples": miss_examples,
        "compute_ms_mean": round(per_ms, 1),
    }


def corpus_pairs(corpus: Corpus, found: Lists, internal: set[tuple[int, int]]) -> dict[str, Any]:
    """Duplicates `compute` reports among the corpus's own (distinct) articles."""
    groups = Groups()
    for a, b in internal:
        groups.join(a, b)
    reported, wrong = false_pairs(corpus, found, groups, set(corpus.ids))
    different_title = {
        p for p in internal if corpus.titles[p[0]].casefold() != corpus.titles[p[1]].casefold()
    }
    no_shared_label = {p for p in internal if not corpus.labels[p[0]] & corpus.labels[p[1]]}
    return {
        "internal_near_duplicate_pairs": len(internal),
        "internal_pairs_reported_by_compute": len(reported & internal),
        "internal_with_different_titles": len(different_title),
        "internal_without_shared_label": len(no_shared_label),
        "internal_examples_different_title": pair_examples(corpus, different_title),
        "internal_examples_no_shared_label": pair_examples(corpus, no_shared_label),
        "reported_pairs": len(reported),
        "false_pairs": len(wrong),
        "false_pair_examples": pair_examples(corpus, wrong),
    }


# -- timing at scale --------------------------------------------------------------------


def other_benches() -> list[str]:
    """Command lines of other benchmark processes running now."""
    ours = set()
    pid = os.getpid()
    while pid > 1:  # this process and its ancestors (shells whose command names us)
        ours.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if "python" in command and ("bench/" in command or "nrbench" in command):
            found.append(f"{entry.name}: {command[:120]}")
    return found


def wait_for_quiet(limit_s: float) -> list[str]:
    deadline = time.monotonic() + limit_s
    while (busy := other_benches()) and time.monotonic() < deadline:
        print(f"    waiting for other benchmarks to finish: {busy}")
        time.sleep(30)
    return busy


@contextmanager
def stage_timers() -> Iterator[dict[str, float]]:
    """Wraps the module's helpers to add up the time spent in each (a separate pass)."""
    totals: dict[str, float] = defaultdict(float)
    names = ("_more_like_this", "_tfidf", "shingles", "is_near_duplicate")
    saved_functions = {name: getattr(related_module, name) for name in names}
    saved_texts = Related._texts

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - start

        return timed

    for name, function in saved_functions.items():
        setattr(related_module, name, wrap(name, function))
    Related._texts = wrap("_texts", saved_texts)  # type: ignore[method-assign]
    try:
        yield totals
    finally:
        for name, function in saved_functions.items():
            setattr(related_module, name, function)
        Related._texts = saved_texts  # type: ignore[method-assign]


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.mean(ordered) * 1000, 2),
    }


def time_compute(path: Path, count: int, warmup: int, variants: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"archive": str(path)}
    start = time.perf_counter()
    archive = Archive(path)
    result["open_s"] = round(time.perf_counter() - start, 2)
    try:
        start = time.perf_counter()
        index = archive.search_index  # rebuilt here when missing or of another version
        result["index_open_or_rebuild_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        result["synced_on_open"] = archive.sync_search()
        result["sync_s"] = round(time.perf_counter() - start, 2)
        size = index.searcher().num_docs
        result["indexed"] = size
        print(f"    {path.name}: {size:,} indexed; index open/rebuild "
              f"{result['index_open_or_rebuild_s']} s, sync {result['sync_s']} s")  # fmt: skip
        with archive.reading() as session:
            top = session.execute(sql("SELECT max(id) FROM articles")).scalar_one()
            rng = random.Random(SEED)
            wanted = rng.sample(range(1, top + 1), min(top, 3 * (count + warmup)))
            exists = set(
                session.execute(
                    sql(f"SELECT id FROM articles WHERE id IN ({','.join(map(str, wanted))})")
                ).scalars()
            )
        ids = [i for i in wanted if i in exists][: count + warmup]
        related = archive.related
        busy = wait_for_quiet(1800)
        result["other_benches_while_timing"] = busy
        result["loadavg_before"] = os.getloadavg()
        for article_id in ids[:warmup]:
            related.compute(article_id)
        times = []
        duplicates = similar = 0
        for article_id in ids[warmup:]:
            start = time.perf_counter()
            found_similar, found_duplicates = related.compute(article_id)
            times.append(time.perf_counter() - start)
            similar += len(found_similar)
            duplicates += len(found_duplicates)
        result["loadavg_after"] = os.getloadavg()
        result["compute"] = {**percentiles(times), "articles": len(times),
                             "mean_similar": round(similar / len(times), 2),
                             "mean_duplicates": round(duplicates / len(times), 2)}  # fmt: skip
        print(f"    compute: {json.dumps(result['compute'])}")
        with stage_timers() as totals:
            start = time.perf_counter()
            for article_id in ids[warmup:]:
                related.compute(article_id)
            total = time.perf_counter() - start
        stages = {name: round(t * 1000 / len(times), 2) for name, t in totals.items()}
        inside = sum(totals.values())
        stages["search_and_rest"] = round((total - inside) * 1000 / len(times), 2)
        result["stages_mean_ms"] = stages
        print(f"    stages (mean ms, a separate pass): {json.dumps(stages)}")
        if variants:
            result["variants"] = {}
            for name, patch in current(TIMING_VARIANTS).items():
                with patched(patch):
                    for article_id in ids[:warmup]:
                        related.compute(article_id)
                    times = []
                    for article_id in ids[warmup:]:
                        start = time.perf_counter()
                        related.compute(article_id)
                        times.append(time.perf_counter() - start)
                result["variants"][name] = percentiles(times)
                print(f"    {name}: {json.dumps(result['variants'][name])}")
    finally:
        archive.close()
    return result


# -- tuning: the module's constants, monkeypatched --------------------------------------

# Variants are tried only where they differ from the module's current values.
TIMING_VARIANTS: dict[str, dict[str, Any]] = {
    "CANDIDATES=10": {"CANDIDATES": 10},
    "CANDIDATES=30": {"CANDIDATES": 30},
    "QUERY_TERMS=100": {"QUERY_TERMS": 100},
    "CANDIDATES=30,QUERY_TERMS=100": {"CANDIDATES": 30, "QUERY_TERMS": 100},
}
QUALITY_VARIANTS: dict[str, dict[str, Any]] = {
    "CANDIDATES=10": {"CANDIDATES": 10},
    "CANDIDATES=20": {"CANDIDATES": 20},
    "CANDIDATES=30": {"CANDIDATES": 30},
    "CANDIDATES=50": {"CANDIDATES": 50},
    "QUERY_TERMS=20": {"QUERY_TERMS": 20},
    "QUERY_TERMS=40": {"QUERY_TERMS": 40},
    "QUERY_TERMS=100": {"QUERY_TERMS": 100},
    "COMMON_SHARE=0.1": {"COMMON_SHARE": 0.1},
    "COMMON_SHARE=0.5": {"COMMON_SHARE": 0.5},
}


def current(variants: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The variants that change something in the module as it is now."""
    return {
        name: patch
        for name, patch in variants.items()
        if any(getattr(related_module, k) is not v and getattr(related_module, k) != v
               for k, v in patch.items())
    }  # fmt: skip


def paragraph_shingles(text: str) -> set[int]:
    """`shingles` per line (paragraph, or the title), never across a paragraph break: a
    dropped paragraph then leaves no new word runs at the seam."""
    found: set[int] = set()
    for line in text.split("\n"):
        found |= ORIGINAL_SHINGLES(line)
    return found


TITLES: set[str] = set()  # every article title of the corpora (see text_only_shingles)


def text_only_shingles(text: str) -> set[int]:
    """`shingles`, leaving out a first line that is an article's title: `compute` compares
    its own text with each candidate's title + text, and this emulates comparing text with
    text (a benchmark-only stand-in for passing the candidate's text alone)."""
    first, _, rest = text.partition("\n")
    return ORIGINAL_SHINGLES(rest if rest and first in TITLES else text)


ORIGINAL_SHINGLES = shingles
DUPLICATE_VARIANTS: dict[str, dict[str, Any]] = {
    "MIN_LENGTH_RATIO=0.5": {"MIN_LENGTH_RATIO": 0.5},
    "MIN_LENGTH_RATIO=0.4": {"MIN_LENGTH_RATIO": 0.4},
    "MIN_LENGTH_RATIO=0.3": {"MIN_LENGTH_RATIO": 0.3},
    "DUPLICATE_CONTAINMENT=0.7": {"DUPLICATE_CONTAINMENT": 0.7},
    "DUPLICATE_CONTAINMENT=0.9": {"DUPLICATE_CONTAINMENT": 0.9},
    "MIN_SHINGLES=4": {"MIN_SHINGLES": 4},
    "CANDIDATES=30": {"CANDIDATES": 30},
    "shingles per paragraph": {"shingles": paragraph_shingles},
    "shingles of the text only (no title)": {"shingles": text_only_shingles},
    "text only, MIN_LENGTH_RATIO=0.3": {"shingles": text_only_shingles, "MIN_LENGTH_RATIO": 0.3},
}


@contextmanager
def patched(values: dict[str, Any]) -> Iterator[None]:
    old = {name: getattr(related_module, name) for name in values}
    for name, value in values.items():
        setattr(related_module, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(related_module, name, value)


def tune_quality(
    corpora: dict[str, Corpus], queries: dict[str, list[int]], fair: dict[str, dict[int, list[int]]]
) -> dict[str, Any]:
    """Precision@5 of ours under each variant (the archives hold no copies yet), and its
    paired difference from the fair baseline."""
    out: dict[str, Any] = {}
    for name, patch in current(QUALITY_VARIANTS).items():
        entry: dict[str, Any] = {}
        with patched(patch):
            for key, corpus in corpora.items():
                found, per_ms = run_ours(corpus, queries[key])
                similar, _both = ours_views(found)
                versus = paired(
                    per_query(similar, corpus.labels, queries[key]),
                    per_query(fair[key], corpus.labels, queries[key]),
                )
                entry[key] = {**precision(similar, corpus.labels, queries[key]),
                              "minus_baseline_fair": versus,
                              "compute_ms_mean": round(per_ms, 1)}  # fmt: skip
        out[name] = entry
        shown = [
            f"{k} p@5={v['p_at_5']} (vs baseline {v['minus_baseline_fair']['diff']:+}, "
            f"{v['compute_ms_mean']} ms)"
            for k, v in entry.items()
        ]
        print(f"  {name}: " + "  ".join(shown))
    return out


def tune_duplicates(
    corpus: Corpus, pairs: list[Pair], at_save: Counter[str], internal: set[tuple[int, int]]
) -> dict[str, Any]:
    """Recall on the copies under each variant, and the corpus-internal pairs its test
    flags beside those the current constants flag (new ones are potential false pairs)."""
    out: dict[str, Any] = {}
    every = corpus.ids + [c for _o, c, _k in pairs]
    TITLES.update(corpus.titles.values())
    for name, patch in current(DUPLICATE_VARIANTS).items():
        with patched(patch):
            corpus.shingle(every)
            flagged = internal_near_duplicates(corpus)
            measured = measure_copies(corpus, pairs, at_save, flagged)
        corpus.shingle(every)
        added, lost = flagged - internal, internal - flagged
        out[name] = {
            "recall_either_way": measured["recall_either_way"],
            "recall_by_kind": {k: v["recall"] for k, v in measured["kinds"].items()},
            "missed_by_reason": measured["missed_by_reason"],
            "corpus_pairs_flagged": len(flagged),
            "corpus_pairs_added": len(added),
            "corpus_pairs_lost": len(lost),
            "added_examples": pair_examples(corpus, added, 8),
            "lost_examples": pair_examples(corpus, lost, 4),
            "false_pairs_after_copies": measured["false_pairs_after_copies"],
        }
        print(f"  {corpus.name} {name}: recall {measured['recall_either_way']} "
              f"{out[name]['recall_by_kind']}; corpus pairs {len(flagged)} "
              f"(+{len(added)} -{len(lost)})")  # fmt: skip
    return out


# -- main -------------------------------------------------------------------------------


def bbc_labels(record: dict[str, Any]) -> set[str]:
    return {str(record.get("section") or "")}


def reuters_labels(record: dict[str, Any]) -> set[str]:
    return {str(t) for t in record.get("topics") or []}


def quality_and_duplicates(args: argparse.Namespace) -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    print("importing")
    bbc = import_corpus("bbc", load_records(BBC), bbc_labels)
    reuters_records = load_records(REUTERS)
    reuters = import_corpus("reuters", reuters_records, reuters_labels)
    topical = import_corpus(
        "reuters-topics", [r for r in reuters_records if r.get("topics")], reuters_labels
    )
    corpora = {"bbc": bbc, "reuters": reuters, "reuters_topics": topical}
    for corpus in corpora.values():
        corpus.shingle()
    queries = {
        "bbc": bbc.ids,
        "reuters": [i for i in reuters.ids if reuters.labels[i]],
        "reuters_topics": topical.ids,
    }
    found_by: dict[str, Lists] = {}
    fair: dict[str, dict[int, list[int]]] = {}
    for key, corpus in corpora.items():
        print(f"quality: {key}")
        found, per_ms = run_ours(corpus)
        found_by[key] = found
        start = time.perf_counter()
        base = baseline(corpus, corpus.ids)
        base_s = time.perf_counter() - start
        fair[key] = base[1]
        entry = quality(corpus, queries[key], found, base)
        entry["articles"] = len(corpus.ids)
        entry["records"] = corpus.records
        entry["merged_at_save"] = corpus.merged
        entry["merged_with_other_labels"] = corpus.label_conflicts
        entry["compute_ms_mean"] = round(per_ms, 1)
        entry["baseline_s"] = round(base_s, 1)
        results.setdefault("quality", {})[key] = entry
        print(f"  {json.dumps({k: v for k, v in entry.items() if isinstance(v, dict)})}")
    print("corpus-internal near-duplicates")
    internal: dict[str, set[tuple[int, int]]] = {}
    for key in ("bbc", "reuters"):
        internal[key] = internal_near_duplicates(corpora[key])
        results.setdefault("corpus_pairs", {})[key] = corpus_pairs(
            corpora[key], found_by[key], internal[key]
        )
        info = results["corpus_pairs"][key]
        print(f"  {key}: {info['internal_near_duplicate_pairs']} internal pairs, "
              f"{info['reported_pairs']} reported, {info['false_pairs']} false")  # fmt: skip
    if args.tune:
        print("tuning precision (monkeypatched constants, before any copies are added)")
        chosen = {k: corpora[k] for k in ("bbc", "reuters_topics")}
        results["tuning_quality"] = tune_quality(chosen, queries, fair)
    print("near-duplicate copies")
    for key in ("bbc", "reuters"):
        pairs, at_save = make_copies(corpora[key], args.copies)
        results.setdefault("duplicates", {})[key] = d = measure_copies(
            corpora[key], pairs, at_save, internal[key]
        )
        print(f"  {key}: recall {d['recall_either_way']} "
              f"(saved copies only {d['recall_either_way_saved_only']}, "
              f"both ways {d['recall_both_ways_saved_only']}), "
              f"false pairs after copies {d['false_pairs_after_copies']}; "
              f"missed: {d['missed_by_reason']}")  # fmt: skip
        if args.tune:
            results.setdefault("tuning_duplicates", {})[key] = tune_duplicates(
                corpora[key], pairs, at_save, internal[key]
            )
    for corpus in corpora.values():
        corpus.archive.close()
    shutil.rmtree(WORK, ignore_errors=True)
    return results


def row(name: str, p: dict[str, Any]) -> str:
    value = "—" if p["p_at_5"] is None else f"{p['p_at_5']:.3f}"
    answered = f"{p['with_neighbours']:>6,} of {p['queries']:<6,}"
    return f"  {name:44} {value:>7}  {answered} {p['with_5']:>6,}"


def print_report(results: dict[str, Any]) -> None:
    titles = {
        "bbc": "BBC News: precision@5 of 'same section'",
        "reuters_topics": "Reuters-21578: precision@5 of 'shares a topic', among articles "
        "with topics",
        "reuters": "Reuters-21578, every article with a body in the archive (neighbours without "
        "topics are misses)",
    }
    for key, title in titles.items():
        entry = results.get("quality", {}).get(key)
        if not entry:
            continue
        print(f"\n=== {title} ({entry['articles']:,} articles) ===")
        print(f"  {'':44} {'p@5':>7}  {'queries with >=1':>16} {'with 5':>6}")
        print(row("ours (similar)", entry["ours"]))
        print(row("ours incl. other versions (dups + similar)", entry["ours_incl_other_versions"]))
        print(row("TF-IDF cosine baseline, as is", entry["baseline_as_is"]))
        print(row("TF-IDF baseline, our near-dups excluded", entry["baseline_fair"]))
        print(row("  same, over the queries ours answered", entry["baseline_fair_same_queries"]))
        versus = entry["ours_minus_baseline_fair"]
        print(f"  ours - fair baseline: {versus['diff']:+.4f} (95% bootstrap {versus['ci95']}); "
              f"ours better on {versus['ours_better']:,} articles, the baseline on "
              f"{versus['baseline_better']:,}")  # fmt: skip
        print(f"  compute() mean {entry['compute_ms_mean']} ms here; {entry['merged_at_save']} "
              "records merged at save (same text)")  # fmt: skip
    if results.get("tuning_quality"):
        print(
            "\n=== precision@5 of ours with other constants (monkeypatched; vs fair baseline) ==="
        )
        for name, entry in results["tuning_quality"].items():
            shown = [
                f"{k} {v['p_at_5']:.4f} ({v['minus_baseline_fair']['diff']:+.4f}, "
                f"{v['compute_ms_mean']} ms)"
                for k, v in entry.items()
            ]
            print(f"  {name:22} " + "   ".join(shown))
    for key, info in results.get("corpus_pairs", {}).items():
        print(f"\n=== {key}: duplicates reported among the corpus's distinct articles ===")
        print(
            f"  corpus-internal near-duplicate pairs (exhaustive shingle test): "
            f"{info['internal_near_duplicate_pairs']} ({info['internal_with_different_titles']}"
            f" with different titles, {info['internal_without_shared_label']} without a "
            f"shared label); compute() reported {info['internal_pairs_reported_by_compute']}"
        )
        print(f"  pairs reported by compute(): {info['reported_pairs']}, of which false: "
              f"{info['false_pairs']}")  # fmt: skip
        for example in info["internal_examples_no_shared_label"][:3]:
            print(f"    e.g. no shared label: {example['titles']} {example['labels']} "
                  f"containment {example['containment']}")  # fmt: skip
    for key, d in results.get("duplicates", {}).items():
        print(f"\n=== {key}: near-duplicate copies ({d['copies']}) ===")
        for kind, k in d["kinds"].items():
            print(f"  {kind:10} copies {k['copies']:>4}  merged at save {k['merged_at_save']:>4}"
                  f"  found {k['found_either_way']:>4} of {k['saved']:>4} saved"
                  f" (both ways {k['found_both_ways']})  recall {k['recall']}")  # fmt: skip
        print(f"  recall {d['recall_either_way']} (saved copies only: "
              f"{d['recall_either_way_saved_only']}; listed both ways: "
              f"{d['recall_both_ways_saved_only']}); false pairs after adding the copies: "
              f"{d['false_pairs_after_copies']}")  # fmt: skip
        print(f"  missed, by reason: {d['missed_by_reason']}")
        for miss in d["missed_examples"][:4]:
            print(f"    missed: {miss}")
        for name, v in results.get("tuning_duplicates", {}).get(key, {}).items():
            print(f"  {name:46} recall {v['recall_either_way']:.4f} {v['recall_by_kind']}; "
                  f"corpus pairs flagged {v['corpus_pairs_flagged']} "
                  f"(+{v['corpus_pairs_added']} -{v['corpus_pairs_lost']})")  # fmt: skip
    for size, t in results.get("timing", {}).items():
        c = t["compute"]
        print(f"\n=== compute() at {int(size):,} articles ({c['articles']} articles, after "
              f"warm-up) ===")  # fmt: skip
        print(f"  p50 {c['p50_ms']} ms  p95 {c['p95_ms']} ms  max {c['max_ms']} ms  "
              f"(index open/rebuild {t['index_open_or_rebuild_s']} s, not timed)")  # fmt: skip
        print(f"  stages, mean ms: {t['stages_mean_ms']}")
        for name, v in t.get("variants", {}).items():
            print(f"  {name:30} p50 {v['p50_ms']} ms  p95 {v['p95_ms']} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", nargs="+", default=["quality", "timing"], choices=["quality", "timing"],
        help="quality = the BBC and Reuters figures and the near-duplicate copies",
    )  # fmt: skip
    parser.add_argument("--copies", type=int, default=500, help="copies per corpus")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--timed", type=int, default=200, help="articles timed per size")
    parser.add_argument("--tune", action="store_true", help="also try other constants")
    parser.add_argument("--limit", type=int, help="records per corpus (a quick trial)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    global LIMIT
    LIMIT = args.limit
    if not DATA.exists():
        print(f"skipped: the shared data is not at {DATA}")
        return 0
    OUT.mkdir(exist_ok=True)
    out_file = OUT / "related.json"
    saved: dict[str, Any] = json.loads(out_file.read_text()) if out_file.exists() else {}
    saved["cpus"] = os.cpu_count()
    saved["copies_note"] = COPIES_NOTE
    constants = ("CANDIDATES", "QUERY_TERMS", "COMMON_SHARE", "DUPLICATE_CONTAINMENT",
                 "MIN_LENGTH_RATIO", "MIN_SHINGLES", "SHINGLE_WORDS")  # fmt: skip
    saved["constants"] = {name: getattr(related_module, name) for name in constants}
    # newsreader/core/related.py changes often: tie the figures to the code measured
    module = Path(related_module.__file__ or "")
    saved["related_py_sha256"] = hashlib.sha256(module.read_bytes()).hexdigest()[:16]
    results: dict[str, Any] = {}
    if "quality" in args.parts:
        results.update(quality_and_duplicates(args))
        saved.update(results)
        saved["when_quality"] = datetime.now(UTC).isoformat(timespec="seconds")
        out_file.write_text(json.dumps(saved, indent=2))
    if "timing" in args.parts:
        print("timing compute() at scale")
        for size in args.sizes:
            path = TIMING_ARCHIVES / f"archive-{size}.sqlite3"
            if not path.exists():
                print(f"  no archive at {path}: run bench/search.py --sizes {size} first")
                continue
            timing = time_compute(path, args.timed, warmup=20, variants=args.tune)
            results.setdefault("timing", {})[str(size)] = timing
            saved.setdefault("timing", {})[str(size)] = timing
            saved["when_timing"] = datetime.now(UTC).isoformat(timespec="seconds")
            out_file.write_text(json.dumps(saved, indent=2))
    print_report(results)
    print(f"\nwritten to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
