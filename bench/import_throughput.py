"""Import throughput: JSON Lines corpora and HTML pages into a fresh archive.

Goals (issue 2): JSON Lines (Reuters-21578, 19.8k articles with a body) >= 2,000
articles/s into the archive, indexes included; HTML pages >= 100 pages/s on 2 cores
(extraction-bound). HTML pages are the 181 pages of the extraction benchmark, copied
to reach --pages, each copy varied (every paragraph ends with its copy number, and its
canonical URL is hidden) so that copies are saved as new articles, not duplicates.

Run: .venv/bin/python bench/import_throughput.py [--pages 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from newsreader.core.archive import Archive
from newsreader.core.importing import import_paths

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
_PARAGRAPH_END = re.compile(r"</p>", re.IGNORECASE)
_PAGE_URL = re.compile(r"""(rel=["']?canonical|property=["']og:url)""", re.IGNORECASE)


def _vary(html: str, copy: int) -> str:
    """A copy that is a new article: every paragraph marked, the page's own URL hidden."""
    html = _PARAGRAPH_END.sub(f" (copy {copy})</p>", html)
    return _PAGE_URL.sub("data-hidden-url", html)


def bench_jsonl(corpus: Path, workdir: Path) -> dict[str, object]:
    with Archive(workdir / "jsonl.sqlite3") as archive:
        start = time.perf_counter()
        report = import_paths(archive, [corpus])
        seconds = time.perf_counter() - start
        counts = report.counts()
    stored = counts["saved"] + counts["duplicate"]
    return {
        "corpus": corpus.name,
        "lines": counts["total"],
        "counts": counts,
        "seconds": round(seconds, 2),
        "articles_per_s": round(stored / seconds),
        "lines_per_s": round(counts["total"] / seconds),
    }


def write_pages(pages_dir: Path, workdir: Path, count: int) -> list[Path]:
    sources = sorted(pages_dir.glob("*.html.gz"))
    folder = workdir / "pages"
    folder.mkdir()
    written = []
    for n in range(count):
        html = gzip.decompress(sources[n % len(sources)].read_bytes()).decode("utf-8", "replace")
        copy = n // len(sources)
        if copy:
            html = _vary(html, copy)
        path = folder / f"{n:05d}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


def bench_html(pages_dir: Path, workdir: Path, count: int, workers: int) -> dict[str, object]:
    pages = write_pages(pages_dir, workdir, count)
    with Archive(workdir / "html.sqlite3") as archive:
        start = time.perf_counter()
        report = import_paths(archive, [workdir / "pages"], workers=workers)
        seconds = time.perf_counter() - start
        counts = report.counts()
    return {
        "pages": len(pages),
        "workers": workers,
        "counts": counts,
        "seconds": round(seconds, 2),
        "pages_per_s": round(len(pages) / seconds, 1),
        "note": "includes starting the worker processes",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: the shared data is not at {DATA}")
        return 0
    results: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results["jsonl_reuters"] = bench_jsonl(DATA / "reuters" / "reuters21578.jsonl.gz", workdir)
        print("JSON Lines:", json.dumps(results["jsonl_reuters"]))
        results["jsonl_bbc"] = bench_jsonl(DATA / "bbc" / "bbc.jsonl.gz", workdir)
        print("JSON Lines:", json.dumps(results["jsonl_bbc"]))
        html_dir = DATA / "extraction-benchmark" / "html"
        results["html"] = bench_html(html_dir, workdir, args.pages, args.workers)
        print("HTML pages:", json.dumps(results["html"]))
    OUT.mkdir(exist_ok=True)
    (OUT / "import_throughput.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
