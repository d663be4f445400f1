"""A team archive at scale: copy in and out, a new member's catch-up, first page and search.

    python bench/team_scale.py [--size 1000000] [--runs 3]

Issue 12's goals at 1M articles on PostgreSQL, each measured as the user meets it:
- `newsreader copy` (the installed command, a process) of bench/search.py's archive of
  --size articles into a throwaway PostgreSQL 15 server (newsreader/pgserver.py) and back
  into a new file, ≥ 2,000 articles/s each way, counts and hashes equal (bench/archive_copy.py
  does the legs and the comparison);
- a new member's catch-up: `newsreader search WORD` on the team archive with an empty user
  data folder — the first call builds the member's own index — ≥ 5,000 articles/s;
- the window's first list page through the real `newsreader --archive postgresql://…`
  (bench/ui.py's first_page), ≤ 1.5 s, warm, p50 of --runs;
- the window's search call (bench/search.py's window_call: limit 200, facets, the passages
  of the rows on screen) on the member's caught-up local index, p95 ≤ 50 ms per query
  class, with the queries bench/search.py picks from the same articles on the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import archive_copy  # the legs there and back, and the fingerprint
import search as search_bench  # the bench archives, the queries, the window's call
import ui as ui_bench  # the first page through the real command

from newsreader.core.archive import Archive
from newsreader.pgserver import PostgresServer


def member_env(scratch: Path) -> dict[str, str]:
    """A member who has never opened the archive: empty settings and data folders."""
    return {**os.environ, "HOME": str(scratch), "XDG_DATA_HOME": str(scratch / "data"),
            "XDG_CONFIG_HOME": str(scratch / "config"), "XDG_CACHE_HOME": str(scratch / "cache"),
            "NEWSREADER_ARCHIVE": ""}  # fmt: skip


def catch_up(url: str, articles: int, scratch: Path) -> dict[str, Any]:
    command = [archive_copy.newsreader(), "search", "council", "--limit", "1", "--archive", url]
    started = time.perf_counter()
    done = subprocess.run(command, env=member_env(scratch), capture_output=True, text=True)
    first = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the first search failed:\n{done.stderr[-2000:]}")
    started = time.perf_counter()
    subprocess.run(command, env=member_env(scratch), capture_output=True, text=True, check=True)
    again = time.perf_counter() - started
    return {"first_call_s": round(first, 1), "articles_per_s": round(articles / first),
            "current_call_s": round(again, 2)}  # fmt: skip


def first_pages(url: str, runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        seconds, _peak = ui_bench.first_page(url, {**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        times.append(seconds)
    return {"runs": runs, "p50_s": round(statistics.median(times), 2),
            "all_s": [round(t, 2) for t in times]}  # fmt: skip


def searches(url: str, source: Path, scratch: Path, per_class: int) -> dict[str, Any]:
    """The window's call per query class on the member's local index (caught up above)."""
    os.environ.update({k: v for k, v in member_env(scratch).items() if k.startswith("XDG")})
    db = sqlite3.connect(source, isolation_level=None)
    try:
        with Archive(source) as archive:
            queries = search_bench.pick_queries(archive, db, per_class)
    finally:
        db.close()
    classes: dict[str, Any] = {}
    with Archive(url) as team:
        for kind in sorted({q.kind for q in queries}):
            chosen = [q for q in queries if q.kind == kind]
            classes[kind] = search_bench.measure(
                lambda q: search_bench.window_call(team, q), chosen, reps=5, budget=20
            )
    return classes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=8, help="queries per class")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nrbench"))
    args = parser.parse_args()
    source, _built = search_bench.archive_for(args.size, args.workdir, rebuild=False)
    ui_bench.compile_bytecode(Path(__file__).resolve().parents[1])
    back = args.workdir / f"team-scale-{args.size}-back.sqlite3"
    search_bench.remove_archive(back)
    server = PostgresServer.start()
    scratch = Path(tempfile.mkdtemp(prefix="nr-team-scale-"))
    try:
        url = server.url(server.create_database())
        result: dict[str, Any] = {"size": args.size}
        print(f"copying {args.size:,} articles into PostgreSQL …", flush=True)
        result["copy_in"] = archive_copy.copy_leg(str(source), url)
        print(f"  {result['copy_in']}", flush=True)
        articles = result["copy_in"]["articles"]
        print("a new member's first search (catch-up) …", flush=True)
        result["catch_up"] = catch_up(url, articles, scratch / "member")
        print(f"  {result['catch_up']}", flush=True)
        print("first list page through the real command …", flush=True)
        result["first_page"] = first_pages(url, args.runs)
        print(f"  {result['first_page']}", flush=True)
        print("the window's search call on the local index …", flush=True)
        result["search"] = searches(url, source, scratch / "member", args.queries)
        for kind, figures in result["search"].items():
            print(f"  {kind}: {figures}", flush=True)
        print("copying back into a new file …", flush=True)
        result["copy_out"] = archive_copy.copy_leg(url, str(back))
        print(f"  {result['copy_out']}", flush=True)
        result["equal"] = archive_copy.fingerprint(source) == archive_copy.fingerprint(back)
        print(f"  back equal to the original (counts and hashes): {result['equal']}")
        result["load"] = os.getloadavg()
    finally:
        server.stop()
    out = Path(__file__).parent / "out" / f"team-scale-{args.size}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    return 0 if result.get("equal") else 1


if __name__ == "__main__":
    raise SystemExit(main())
