"""Import throughput: JSON Lines corpora and HTML pages into a fresh archive.

Goals (issue 2): JSON Lines (Reuters-21578, 19.8k articles with a body) >= 2,000
articles/s into the archive, indexes included; HTML pages >= 100 pages/s on 2 cores
(extraction-bound). HTML pages are the 181 pages of the extraction benchmark, copied
to reach --pages, each copy varied (every paragraph ends with its copy number, and its
canonical URL is hidden) so that copies are saved as new articles, not duplicates.

Run: .venv/bin/python bench/import_throughput.py [--pages 1000] [--workers 2]

Old against new: ``--compare-to <checkout>`` imports the same HTML pages with another
checkout's code (e.g. ``git archive <commit> | tar -x -C /tmp/base``) and with this one,
taking turns ``--rounds`` times, each run in a fresh process on the same venv (the same
library versions), and reports pages/s for both and the load average around each run.
``--extraction`` adds single-process extraction time per page (no saving, no workers).
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsreader.core.archive import Archive

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
        report = archive.imports.paths([corpus])
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
    write_pages(pages_dir, workdir, count)
    return import_folder(workdir / "pages", workdir / "html.sqlite3", workers)


def _import(archive: Archive, folder: Path, workers: int) -> Any:
    """Import as the code being measured offers it: `archive.imports` now; a checkout from
    before services were reached through the archive (--compare-to) has the function."""
    if hasattr(archive, "imports"):
        return archive.imports.paths([folder], workers=workers)
    for module in ("newsreader.core.importing", "newsreader.core.ingest.files"):  # by age
        try:
            importing = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        return importing.import_paths(archive, [folder], workers=workers)
    raise SystemExit("this checkout has no way to import a folder that this bench knows")


def import_folder(folder: Path, archive_path: Path, workers: int) -> dict[str, object]:
    pages = list(folder.iterdir())
    with Archive(archive_path) as archive:
        start = time.perf_counter()
        report = _import(archive, folder, workers)
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


def extraction_ms(folder: Path) -> dict[str, object]:
    """Single-process extraction CPU time per page over the pages in ``folder`` (best of
    2): CPU time, because other work on the machine disturbs it least."""
    from newsreader.core.ingest.files import extract_file_safely

    pages = sorted(folder.iterdir())
    extract_file_safely(pages[0])  # imports and lazy set-up
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        failed = sum(not hasattr(extract_file_safely(p), "blocks") for p in pages)
        best = min(best, (time.process_time() - start) * 1000 / len(pages))
    return {"pages": len(pages), "failed": failed, "cpu_ms_per_page": round(best, 2)}


def _child(args: argparse.Namespace) -> int:
    """One measurement in this process, with whichever code is first on the path."""
    folder = Path(args.child_folder)
    if args.child_extraction:
        result = extraction_ms(folder)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = import_folder(folder, Path(tmp) / "html.sqlite3", args.workers)
    print(json.dumps(result))
    return 0


def _run_child(code: Path, folder: Path, workers: int, extraction: bool) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, __file__, "--child-folder", str(folder), "--workers", str(workers)]
    if extraction:
        command.append("--child-extraction")
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu_seconds()
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    # CPU time of the run and its worker processes: what a busy machine disturbs least.
    cpu = _children_cpu_seconds() - cpu_before
    result.setdefault("cpu_ms_per_page", round(cpu * 1000 / int(result["pages"]), 1))  # type: ignore[call-overload]
    result["load_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compare(other: Path, args: argparse.Namespace) -> dict[str, object]:
    """The same pages imported by ``other``'s code and by this checkout's, taking turns."""
    here = Path(__file__).resolve().parents[1]
    codes = {"base": other.resolve(), "new": here}
    kinds = ["import"] + (["extraction"] if args.extraction else [])
    runs: dict[str, dict[str, list[dict[str, object]]]] = {
        kind: {name: [] for name in codes} for kind in kinds
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_pages(DATA / "extraction-benchmark" / "html", workdir, args.pages)
        for round_ in range(args.rounds):
            order = list(codes) if round_ % 2 == 0 else list(reversed(codes))
            for kind in kinds:
                for name in order:
                    result = _run_child(
                        codes[name], workdir / "pages", args.workers, kind != "import"
                    )
                    runs[kind][name].append(result)
                    print(
                        f"round {round_ + 1} {kind:<10} {name:<4}", json.dumps(result), flush=True
                    )
    summary: dict[str, object] = {"pages": args.pages, "workers": args.workers, "runs": runs}
    keys = {"import": ("pages_per_s", "cpu_ms_per_page"), "extraction": ("cpu_ms_per_page",)}
    for kind in kinds:
        for key in keys[kind]:
            medians = {n: statistics.median(float(r[key]) for r in runs[kind][n]) for n in codes}  # type: ignore[arg-type]
            summary[f"{kind}_median_{key}"] = medians
            print(f"{kind}: median {key}", json.dumps(medians))
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--compare-to", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="turns each, with --compare-to")
    parser.add_argument("--extraction", action="store_true", help="also time extraction alone")
    parser.add_argument("--child-folder", help=argparse.SUPPRESS)
    parser.add_argument("--child-extraction", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_folder:
        return _child(args)
    if not DATA.exists():
        print(f"skipped: the shared data is not at {DATA}")
        return 0
    if args.compare_to:
        OUT.mkdir(exist_ok=True)
        summary = compare(args.compare_to, args)
        (OUT / "import_compare.json").write_text(json.dumps(summary, indent=2))
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
