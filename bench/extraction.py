"""Article-extraction quality and speed on two sets: Zyte's benchmark and Readability's pages.

Scores ``extract_html`` (our body: ``canonical_text(blocks)`` without image placeholders),
``trafilatura.extract`` with its default settings and readability-lxml, every tool given
the same inputs (the Zyte set's URL to all, the Readability set's none), the way the
Zyte benchmark's own evaluate.py does
(scrapinghub/article-extraction-benchmark): word tokens, 4-gram shingles, per-page
TP/FP/FN normalized to sum 1, precision averaged over pages with any predicted shingle,
recall over pages with any true shingle, F1 from the two averages. Also median/p95 time
per page. Prints a table and writes bench/out/extraction.json.

Usage: .venv/bin/python bench/extraction.py [--limit N] [--set zyte|readability] [--tool NAME]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
ZYTE = DATA / "extraction-benchmark"
READABILITY = DATA / "readability-test-pages"
OUT = ROOT / "bench" / "out" / "extraction.json"

TpFpFn = tuple[float, float, float]
Page = tuple[str, str, str]  # html, url ("" when the set gives none), true body text
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def _shingles(text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _tokenize(text)
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def shingle_matching(true: str | None, pred: str | None) -> TpFpFn:
    """Per-page TP/FP/FN over 4-gram shingles, normalized so every page weighs the same."""
    true_sh, pred_sh = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(true_sh) | set(pred_sh):
        t, p = true_sh.get(key, 0), pred_sh.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s > 0 else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(scores: list[TpFpFn]) -> dict[str, float]:
    """The benchmark's averaging: empty predictions count for recall only."""
    precision = statistics.mean([_precision(*s) for s in scores if s[0] + s[1] > 0])
    recall = statistics.mean([_recall(*s) for s in scores if s[0] + s[2] > 0])
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": f1, "precision": precision, "recall": recall}


def load_zyte(limit: int | None = None) -> dict[str, Page]:
    """{id: (html, url, true articleBody)} of the Zyte set, read in place from ../shared/data."""
    truth = json.loads((ZYTE / "ground-truth.json").read_text(encoding="utf8"))
    pages = {}
    for key in sorted(truth)[:limit]:
        with gzip.open(ZYTE / "html" / f"{key}.html.gz", "rt", encoding="utf8") as f:
            html = f.read()
        pages[key] = (html, truth[key].get("url") or "", truth[key].get("articleBody") or "")
    return pages


def load_readability(limit: int | None = None) -> dict[str, Page]:
    """{name: (html, "", text of expected.html)} of Mozilla Readability's test pages.

    The pages come without their URL (Readability's tests use a fake host), so no tool
    gets one."""
    pages = {}
    folders = sorted(p for p in READABILITY.iterdir() if (p / "source.html.gz").exists())
    for folder in folders[:limit]:
        with gzip.open(folder / "source.html.gz", "rt", encoding="utf8", errors="replace") as f:
            html = f.read()
        with gzip.open(folder / "expected.html.gz", "rt", encoding="utf8") as f:
            expected = html_text(f.read())
        pages[folder.name] = (html, "", expected)
    return pages


_BLOCK_TAGS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
    "tr", "br", "figcaption", "dt", "dd", "section", "article", "table", "ul", "ol",
)  # fmt: skip


def html_text(html: str) -> str:
    """The text of an HTML fragment, block elements on lines of their own."""
    from lxml import html as lxml_html

    root = lxml_html.fromstring(html) if html.strip() else None
    if root is None:
        return ""
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return str(root.text_content())


SETS: dict[str, Callable[[int | None], dict[str, Page]]] = {
    "zyte": load_zyte,
    "readability": load_readability,
}


def ours(html: str, url: str) -> str:
    from newsreader.core.blocks import IMAGE_CHAR, canonical_text
    from newsreader.core.ingest.errors import ExtractionError
    from newsreader.core.ingest.html import extract_html

    try:
        article = extract_html(html, url or None)
    except ExtractionError:
        return ""
    return canonical_text(article.blocks).replace(IMAGE_CHAR, "")


def trafilatura_default(html: str, url: str) -> str:
    """``trafilatura.extract`` with its default settings (the full fallback cascade)."""
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trafilatura.extract(html, url=url or None) or ""


def readability_lxml(html: str, url: str) -> str:
    """readability-lxml's ``Document.summary()``, as text."""
    from readability import Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return html_text(Document(html, url=url or None).summary(html_partial=True))
        except Exception:  # the library gives up on some pages: an empty prediction
            return ""


TOOLS: dict[str, Callable[[str, str], str]] = {
    "newsreader": ours,
    "trafilatura_default": trafilatura_default,
    "readability_lxml": readability_lxml,
}


def run(tools: dict[str, Callable[[str, str], str]], pages: dict[str, Page]) -> dict[str, object]:
    """Every tool on every page, the tools taking turns page by page so that a busy
    machine slows them alike; the same inputs for all."""
    first = next(iter(pages.values()))
    for extract in tools.values():
        extract(*first[:2])  # warm-up: imports and lazy init
    scores: dict[str, dict[str, TpFpFn]] = {name: {} for name in tools}
    times: dict[str, list[float]] = {name: [] for name in tools}
    for key, (html, url, truth) in pages.items():
        for name, extract in tools.items():
            start = time.perf_counter()
            text = extract(html, url)
            times[name].append((time.perf_counter() - start) * 1000)
            scores[name][key] = shingle_matching(truth, text)
    return {name: _summary(name, scores[name], times[name]) for name in tools}


def _summary(name: str, scores: dict[str, TpFpFn], times: list[float]) -> dict[str, object]:
    times = sorted(times)
    result: dict[str, object] = dict(metrics(list(scores.values())))
    result["median_ms"] = statistics.median(times)
    result["p95_ms"] = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    result["empty_pages"] = sum(1 for s in scores.values() if s[0] + s[1] == 0)
    result["per_page_f1"] = {key: round(page_f1(s), 4) for key, s in scores.items()}
    print(
        f"{name:<22} {result['f1']:.4f}  {result['precision']:.4f}  {result['recall']:.4f}"
        f"  {result['median_ms']:8.1f}  {result['p95_ms']:8.1f}  {result['empty_pages']:5d}"
    )
    return result


def page_f1(score: TpFpFn) -> float:
    """One page's F1 from its TP/FP/FN."""
    precision, recall = _precision(*score), _recall(*score)
    return 2 * precision * recall / ((precision + recall) or 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages per set")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="default: both")
    parser.add_argument("--tool", choices=sorted(TOOLS), action="append", help="default: all")
    args = parser.parse_args()
    if not ZYTE.exists() or not READABILITY.exists():
        print(f"skipped: benchmark data not found under {DATA} (needs ../shared/data)")
        return 0
    report: dict[str, object] = {}
    for set_name in args.set or list(SETS):
        pages = SETS[set_name](args.limit)
        print(f"\n{set_name}: {len(pages)} pages")
        header = ("F1", "prec", "recall")
        print(f"{'extractor':<22} " + "  ".join(f"{h:>6}" for h in header), end="")
        print(f"  {'med ms':>8}  {'p95 ms':>8}  empty")
        results = run({name: TOOLS[name] for name in args.tool or list(TOOLS)}, pages)
        report[set_name] = {"pages": len(pages), "results": results}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
