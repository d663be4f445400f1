"""Re-anchoring annotations after realistic edits: correct, orphaned and MIS-anchored.

Goals (issue 5): >= 99% re-anchored where the quote survives, 0 mis-anchored, orphaned
exactly where the quote is gone; re-anchoring 100 annotations on one article <= 50 ms.

On the BBC News corpus (Greene & Cunningham 2006), N passages are annotated (word-aligned
spans of 20-200 characters inside one paragraph, cut at sentence starts half of the time),
each article version is edited in one way, and the annotation is re-anchored from its stored
selectors (`describe` on the old text, `anchor` on the new one, with the old offsets):

  paragraph_inserted   a paragraph of another article inserted at a random boundary
  paragraph_removed    a paragraph that does not hold the quote removed
  typo_fixed_inside    the annotated text had 1-3 character typos inside the quote; fixed
  typo_fixed_near      the same within 32 characters around the quote (in its context)
  sentence_reworded    the sentence right before or after the quote reworded
  paragraphs_reordered the paragraphs shuffled
  quote_deleted        the quoted words removed (their context stays): must be orphaned
  quote_replaced       the quoted words replaced by a sentence of another article: orphaned
  quote_paragraph_removed  the paragraph holding the quote removed, context and all: orphaned

A result is *correct* when it is exactly the span of the same words in the new text (for a
fixed typo: the span of the fixed words), *imprecise* when it overlaps that span with both
ends within 3 characters, *orphaned*, or *mis-anchored* (attached anywhere else, including
to an identical copy of the words elsewhere). For the three deletion kinds orphaned is correct
and anything else is mis-anchored.

Timing: 100 annotations (random spans as above) re-anchored on one article, p50/p95/max over
300 articles, and over 25 long ones (same-section articles concatenated to ~50k characters):
  refetch    a paragraph inserted at the top and another dropped: no stored position is
             right any more, so every annotation is searched for (the realistic case);
  all_typos  every quote had typos that are now fixed: all 100 take the fuzzy path;
  all_gone   every quote was deleted: all 100 are searched for fuzzily and orphaned.

Run: .venv/bin/python bench/anchoring.py [--n 2000] [--seed 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsreader.core.anchoring import Anchor, TextQuote, anchor, describe
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.jsonl import record_to_article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPUS = DATA / "bbc" / "bbc.jsonl.gz"
OUT = Path(__file__).resolve().parent / "out"
KINDS = (
    "paragraph_inserted",
    "paragraph_removed",
    "typo_fixed_inside",
    "typo_fixed_near",
    "sentence_reworded",
    "paragraphs_reordered",
    "quote_deleted",
    "quote_replaced",
    "quote_paragraph_removed",
)
GONE = {"quote_deleted", "quote_replaced", "quote_paragraph_removed"}
SENTENCE_END = re.compile(r"(?<=[.!?\"'])\s+")
WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    section: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")


@dataclass(frozen=True, slots=True)
class Case:
    """One annotation made on `old` at [start, end), and `new` with where the words went."""

    kind: str
    article: str
    old: str
    start: int
    end: int
    new: str
    expected: tuple[int, int] | None  # None: the quote is gone


def load() -> list[Article]:
    articles = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            try:
                text = record_to_article(record).text
            except ExtractionError:
                continue
            articles.append(Article(str(record["id"]), str(record.get("section", "")), text))
    return articles


# -- annotations ----------------------------------------------------------------------------


def pick_span(rng: random.Random, text: str, lo: int = 20, hi: int = 200) -> tuple[int, int] | None:
    """A word-aligned span of lo-hi characters inside one paragraph (a sentence start half of
    the time), like a reader's highlight."""
    bounds = []
    at = 0
    for paragraph in text.split("\n"):
        if len(paragraph) >= lo:
            bounds.append((at, at + len(paragraph)))
        at += len(paragraph) + 1
    if not bounds:
        return None
    for _ in range(20):
        p_start, p_end = rng.choice(bounds)
        paragraph = text[p_start:p_end]
        words = [(m.start(), m.end()) for m in WORD.finditer(paragraph)]
        if rng.random() < 0.5:
            starts = [0] + [m.end() for m in SENTENCE_END.finditer(paragraph)]
            starts = [s for s in starts if s < len(paragraph)]
        else:
            starts = [s for s, _ in words]
        start = rng.choice(starts)
        length = rng.randint(lo, hi)
        ends = [e for _, e in words if lo <= e - start <= length]
        if not ends:
            continue
        end = max(ends)
        # Trailing punctuation belongs to a highlight about half of the time.
        if rng.random() < 0.5:
            while end > start and not paragraph[end - 1].isalnum():
                end -= 1
        if end - start >= lo:
            return p_start + start, p_start + end
    return None


# -- edits ----------------------------------------------------------------------------------


def paragraph_offsets(text: str) -> list[tuple[int, int]]:
    out, at = [], 0
    for paragraph in text.split("\n"):
        out.append((at, at + len(paragraph)))
        at += len(paragraph) + 1
    return out


def holding(text: str, start: int, end: int) -> int:
    for index, (a, b) in enumerate(paragraph_offsets(text)):
        if a <= start and end <= b:
            return index
    raise ValueError("span crosses paragraphs")


def typo(rng: random.Random, segment: str, changes: int) -> str:
    """`segment` with `changes` characters mistyped (a swap of two letters counts as two)."""
    chars = list(segment)
    left = changes
    tries = 0
    while left > 0 and tries < 100:
        tries += 1
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        if not letters:
            break
        i = rng.choice(letters)
        op = rng.choice(("sub", "del", "ins", "swap") if left >= 2 else ("sub", "del", "ins"))
        if op == "sub":
            chars[i] = rng.choice([c for c in "etaoinshrdlu" if c != chars[i].lower()])
        elif op == "del":
            del chars[i]
        elif op == "ins":
            chars.insert(i, chars[i])
        else:
            if i + 1 >= len(chars) or not chars[i + 1].isalpha() or chars[i + 1] == chars[i]:
                continue
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            left -= 1
        left -= 1
    return "".join(chars)


def reword(rng: random.Random, sentence: str, vocabulary: list[str]) -> str:
    """About half the words replaced, some dropped: the same sentence, said differently."""
    words = sentence.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.4:
            out.append(rng.choice(vocabulary))
        elif roll < 0.5:
            continue
        else:
            out.append(word)
    result = " ".join(out) or rng.choice(vocabulary)
    return result if result != sentence else result + " " + rng.choice(vocabulary)


def make_case(
    rng: random.Random, kind: str, article: Article, other: Article, vocabulary: list[str]
) -> Case | None:
    text = article.text
    span = pick_span(rng, text)
    if span is None:
        return None
    a, b = span
    paragraphs = article.paragraphs
    index = holding(text, a, b)

    if kind == "paragraph_inserted":
        extra = rng.choice([p for p in other.paragraphs if p])
        at = rng.randint(0, len(paragraphs))
        new = "\n".join([*paragraphs[:at], extra, *paragraphs[at:]])
        shift = len(extra) + 1 if at <= index else 0
        return Case(kind, article.id, text, a, b, new, (a + shift, b + shift))

    if kind == "paragraph_removed":
        others = [i for i in range(len(paragraphs)) if i != index]
        if not others:
            return None
        gone = rng.choice(others)
        new = "\n".join(p for i, p in enumerate(paragraphs) if i != gone)
        shift = -(len(paragraphs[gone]) + 1) if gone < index else 0
        return Case(kind, article.id, text, a, b, new, (a + shift, b + shift))

    if kind == "typo_fixed_inside":
        wrong = typo(rng, text[a:b], rng.randint(1, 3))
        if wrong == text[a:b]:
            return None
        old = text[:a] + wrong + text[b:]
        return Case(kind, article.id, old, a, a + len(wrong), text, (a, b))

    if kind == "typo_fixed_near":
        changes = rng.randint(1, 3)
        before = rng.random() < 0.5
        lo, hi = (max(0, a - 32), a) if before else (b, min(len(text), b + 32))
        if hi - lo < 4:
            return None
        wrong = typo(rng, text[lo:hi], changes)
        if wrong == text[lo:hi]:
            return None
        old = text[:lo] + wrong + text[hi:]
        shift = len(wrong) - (hi - lo) if before else 0
        return Case(kind, article.id, old, a + shift, b + shift, text, (a, b))

    if kind == "sentence_reworded":
        sentences = []  # (start, end) of sentences, whole text
        for p_start, p_end in paragraph_offsets(text):
            at = p_start
            for match in SENTENCE_END.finditer(text[p_start:p_end]):
                sentences.append((at, p_start + match.start()))
                at = p_start + match.end()
            if at < p_end:
                sentences.append((at, p_end))
        earlier = [s for s in sentences if s[1] <= a]
        later = [s for s in sentences if s[0] >= b]
        choices = ([earlier[-1]] if earlier else []) + ([later[0]] if later else [])
        if not choices:
            return None
        s_start, s_end = rng.choice(choices)
        new_sentence = reword(rng, text[s_start:s_end], vocabulary)
        new = text[:s_start] + new_sentence + text[s_end:]
        shift = len(new_sentence) - (s_end - s_start) if s_end <= a else 0
        return Case(kind, article.id, text, a, b, new, (a + shift, b + shift))

    if kind == "paragraphs_reordered":
        if len(paragraphs) < 3:
            return None
        order = list(range(len(paragraphs)))
        while order == sorted(order):
            rng.shuffle(order)
        new = "\n".join(paragraphs[i] for i in order)
        at = sum(len(paragraphs[i]) + 1 for i in order[: order.index(index)])
        offset = a - paragraph_offsets(text)[index][0]
        return Case(kind, article.id, text, a, b, new, (at + offset, at + offset + (b - a)))

    if kind == "quote_deleted":
        cut_b = b + 1 if b < len(text) and text[b] == " " else b
        return Case(kind, article.id, text, a, b, text[:a] + text[cut_b:], None)

    if kind == "quote_replaced":
        replacement = rng.choice([p for p in other.paragraphs if len(p) >= 20])
        sentence = SENTENCE_END.split(replacement)[0]
        return Case(kind, article.id, text, a, b, text[:a] + sentence + text[b:], None)

    if kind == "quote_paragraph_removed":
        if len(paragraphs) < 2:
            return None
        new = "\n".join(p for i, p in enumerate(paragraphs) if i != index)
        return Case(kind, article.id, text, a, b, new, None)

    raise ValueError(kind)


# -- judging --------------------------------------------------------------------------------


def judge(case: Case, found: Anchor) -> str:
    if case.expected is None:
        return "orphaned" if found.status == "orphaned" else "mis-anchored"
    if found.status == "orphaned" or found.start is None or found.end is None:
        return "orphaned"
    if (found.start, found.end) == case.expected:
        return "correct"
    start, end = case.expected
    if abs(found.start - start) <= 3 and abs(found.end - end) <= 3:
        return "imprecise"
    return "mis-anchored"


def run_cases(cases: list[Case]) -> tuple[dict[str, Counter[str]], list[dict[str, object]]]:
    results: dict[str, Counter[str]] = defaultdict(Counter)
    failures: list[dict[str, object]] = []
    for case in cases:
        quote = describe(case.old, case.start, case.end)
        began = time.perf_counter()
        found = anchor(case.new, quote, case.start, case.end)
        elapsed = time.perf_counter() - began
        verdict = judge(case, found)
        results[case.kind][verdict] += 1
        results[case.kind][f"status:{found.status}"] += 1
        results[case.kind]["us_total"] += round(elapsed * 1e6)
        ok = verdict == "correct" or (case.expected is None and verdict == "orphaned")
        if not ok:
            failures.append(
                {
                    "kind": case.kind,
                    "article": case.article,
                    "verdict": verdict,
                    "exact": quote.exact,
                    "prefix": quote.prefix,
                    "suffix": quote.suffix,
                    "expected": case.expected,
                    "expected_text": (
                        None if case.expected is None else case.new[slice(*case.expected)]
                    ),
                    "found": [found.start, found.end, found.status],
                    "found_text": (
                        None
                        if found.start is None or found.end is None
                        else case.new[found.start : found.end]
                    ),
                }
            )
    return results, failures


# -- timing ---------------------------------------------------------------------------------


Job = tuple[str, TextQuote, int, int]  # (new text, stored quote, old start, old end)
JobMaker = Callable[[random.Random, str, str, int], "list[Job] | None"]


def refetch_jobs(rng: random.Random, text: str, extra: str, count: int) -> list[Job] | None:
    """A re-fetch that inserts a paragraph at the top and drops another one, so that no
    stored position is still right and every annotation is searched for."""
    spans = [pick_span(rng, text) for _ in range(count)]
    kept = [span for span in spans if span is not None]
    if len(kept) < count:
        return None
    paragraphs = text.split("\n")
    holders = {holding(text, a, b) for a, b in kept}
    droppable = [i for i in range(len(paragraphs)) if i not in holders]
    if droppable:
        paragraphs.pop(rng.choice(droppable))
    new = "\n".join([extra, *paragraphs])
    return [(new, describe(text, a, b), a, b) for a, b in kept]


def typo_jobs(rng: random.Random, text: str, extra: str, count: int) -> list[Job] | None:
    """Worst case for the fuzzy search: every one of the annotations was made on a text with
    1-3 typos inside its quote, and the new text has them fixed."""
    jobs: list[Job] = []
    while len(jobs) < count:
        span = pick_span(rng, text)
        if span is None:
            return None
        a, b = span
        wrong = typo(rng, text[a:b], rng.randint(1, 3))
        old = text[:a] + wrong + text[b:]
        jobs.append((text, describe(old, a, a + len(wrong)), a, a + len(wrong)))
    return jobs


def gone_jobs(rng: random.Random, text: str, extra: str, count: int) -> list[Job] | None:
    """Worst case for orphaning: every annotation's quote was deleted from the new text."""
    jobs: list[Job] = []
    while len(jobs) < count:
        span = pick_span(rng, text)
        if span is None:
            return None
        a, b = span
        jobs.append((text[:a] + text[b:], describe(text, a, b), a, b))
    return jobs


def time_jobs(jobs: list[Job]) -> float:
    began = time.perf_counter()
    for new, quote, a, b in jobs:
        anchor(new, quote, a, b)
    return time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timing(rng: random.Random, articles: list[Article]) -> dict[str, dict[str, float]]:
    """Milliseconds to re-anchor 100 annotations on one article, p50/p95/max over articles."""
    out: dict[str, dict[str, float]] = {}
    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_section[article.section].append(article)

    def measure(texts: list[str], make: JobMaker) -> dict[str, float]:
        times = []
        for text in texts:
            extra = rng.choice(rng.choice(articles).paragraphs) or "A new paragraph."
            jobs = make(rng, text, extra, 100)
            if jobs is not None:
                times.append(time_jobs(jobs) * 1000)
        return {
            "articles": len(times),
            "chars_mean": round(statistics.mean(len(t) for t in texts)),
            "p50_ms": round(percentile(times, 0.5), 2),
            "p95_ms": round(percentile(times, 0.95), 2),
            "max_ms": round(max(times), 2),
        }

    typical = [a.text for a in rng.sample(articles, min(300, len(articles)))]
    long_texts = []
    for section in sorted(by_section):
        pool = by_section[section][:]
        rng.shuffle(pool)
        for start in range(0, 20 * 5, 20):
            chunk = pool[start : start + 20]
            if chunk:
                long_texts.append("\n".join(a.text for a in chunk)[:50_000])
    for name, make in (
        ("refetch", refetch_jobs),
        ("all_typos", typo_jobs),
        ("all_gone", gone_jobs),
    ):
        out[f"{name}, typical"] = measure(typical, make)
        out[f"{name}, long_50k"] = measure(long_texts, make)
    return out


# -- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="annotations (spread over kinds)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"skipped: the shared corpus is absent ({CORPUS})")
        return 0

    rng = random.Random(args.seed)
    articles = load()
    vocabulary = sorted({w for a in articles[:200] for w in a.text.split() if w.isalpha()})
    cases: list[Case] = []
    per_kind = args.n // len(KINDS)
    for kind in KINDS:
        made = 0
        while made < per_kind:
            article, other = rng.sample(articles, 2)
            case = make_case(rng, kind, article, other, vocabulary)
            if case is not None:
                cases.append(case)
                made += 1
    repeated = sum(1 for c in cases if c.old.count(c.old[c.start : c.end]) > 1)

    results, failures = run_cases(cases)
    verdicts = ("correct", "imprecise", "orphaned", "mis-anchored")
    header = f"{'edit':22} {'n':>5} " + " ".join(f"{v:>12}" for v in verdicts)
    header += f" {'fuzzy':>6} {'us/call':>8}"
    print(header)
    print("-" * len(header))
    totals: Counter[str] = Counter()
    survived: Counter[str] = Counter()
    for kind in KINDS:
        row = results[kind]
        n = sum(row[v] for v in verdicts)
        totals.update({v: row[v] for v in verdicts})
        if kind not in GONE:
            survived.update({v: row[v] for v in verdicts})
        cells = " ".join(f"{row[v]:>5} {100 * row[v] / n:5.1f}%" for v in verdicts)
        print(f"{kind:22} {n:>5} {cells} {row['status:fuzzy']:>6} {row['us_total'] / n:8.0f}")
    n_survived = sum(survived.values())
    rate = survived["correct"] / n_survived
    print("-" * len(header))
    print(
        f"quote survives: {survived['correct']}/{n_survived} re-anchored exactly "
        f"({100 * rate:.2f}%), {survived['imprecise']} imprecise, "
        f"{survived['orphaned']} orphaned; mis-anchored overall: {totals['mis-anchored']}"
    )
    print(f"(quotes whose words occur more than once in their old text: {repeated})")

    timings = {} if args.no_timing else timing(rng, articles)
    for name, figures in timings.items():
        print(
            f"100 annotations on one article, {name} ({figures['articles']} articles, "
            f"~{figures['chars_mean']} chars): p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms"
        )

    OUT.mkdir(exist_ok=True)
    report = {
        "n": len(cases),
        "seed": args.seed,
        "per_kind": {kind: dict(results[kind]) for kind in KINDS},
        "survived_rate": rate,
        "mis_anchored": totals["mis-anchored"],
        "repeated_quotes": repeated,
        "timing": timings,
        "failures": failures,
    }
    (OUT / "anchoring.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"wrote {OUT / 'anchoring.json'} ({len(failures)} failures listed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
