"""Copying an archive: `newsreader copy` as a process, there and back, in articles per second.

    python bench/archive_copy.py [--size 100000] [--postgres URL]

Copies the bench archive of `--size` articles (bench/search.py builds it once, in
--workdir) into a new archive and back into another new one, each leg through the installed
`newsreader copy --json` command, and checks that both copies hold as many articles and
highlights as the original with equal content hashes. With `--postgres URL` (an empty
database) the middle archive is on that PostgreSQL server: SQLite → PostgreSQL → SQLite.
Goal (issue 12): ≥ 2,000 articles/s each way at 1M articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as search_bench  # bench/search.py: the shared bench archives

HIGHLIGHTS = 2_000


def newsreader() -> str:
    """The installed command beside this interpreter (what a user runs)."""
    return str(Path(sys.executable).with_name("newsreader"))


def add_highlights(path: Path, count: int) -> int:
    """Give the bench archive highlights to copy (once): `count` of them, spread out."""
    from newsreader.core.archive import Archive

    with Archive(path) as archive:
        have = len(archive.annotations.list())
        if have >= count:
            return have
        with sqlite3.connect(path) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
        chosen = random.Random(7).sample(ids, count - have)
        for n, article_id in enumerate(chosen):
            detail = archive.get(article_id)
            assert detail is not None
            end = min(len(detail.text), 60)
            archive.annotations.create(article_id, 0, end, note=f"bench note {n}", coder="bench")
        return len(archive.annotations.list())


def fingerprint(path: Path) -> dict[str, Any]:
    """Counts and one hash over every article's content hash (in id order) and every
    highlight (by uuid): equal fingerprints, equal archives for what a reader sees."""
    with sqlite3.connect(path) as db:
        digest = hashlib.sha256()
        for row in db.execute("SELECT id, content_hash FROM articles ORDER BY id"):
            digest.update(f"{row[0]}:{row[1]}\n".encode())
        notes = hashlib.sha256()
        for row in db.execute("SELECT uuid, exact, note FROM annotations ORDER BY uuid"):
            notes.update(repr(row).encode())
        return {
            "articles": db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "annotations": db.execute("SELECT count(*) FROM annotations").fetchone()[0],
            "articles_sha256": digest.hexdigest(),
            "annotations_sha256": notes.hexdigest(),
        }


def copy_leg(source: str, target: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [newsreader(), "copy", "--from", source, "--to", target, "--json", "--quiet"],
        capture_output=True, text=True, env={**os.environ, "NEWSREADER_ARCHIVE": ""},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"copy {source} → {target} failed:\n{done.stderr}")
    report = json.loads(done.stdout)
    articles = report["tables"]["articles"]["copied"] + report["tables"]["articles"]["matched"]
    return {
        "from": source.split("@")[-1],
        "to": target.split("@")[-1],
        "ok": report["ok"],
        "articles": articles,
        "process_s": round(seconds, 1),
        "articles_per_s": round(articles / seconds),
        "verified": report["verified"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nrbench"))
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    source, _built = search_bench.archive_for(args.size, args.workdir, rebuild=False)
    highlights = add_highlights(source, HIGHLIGHTS)
    middle = args.postgres or str(args.workdir / f"copy-{args.size}-middle.sqlite3")
    back = args.workdir / f"copy-{args.size}-back.sqlite3"
    for leftover in (Path(middle), back) if not args.postgres else (back,):
        search_bench.remove_archive(leftover)
    print(f"copying {args.size:,} articles with {highlights:,} highlights: there and back")
    legs = [copy_leg(str(source), middle), copy_leg(middle, str(back))]
    original, returned = fingerprint(source), fingerprint(back)
    result = {"size": args.size, "legs": legs, "equal": original == returned,
              "original": original, "returned": returned,
              "load": os.getloadavg()}  # fmt: skip
    for leg in legs:
        rate = f"{leg['articles_per_s']:,}/s (verified {leg['verified']:,})"
        print(f"  {leg['from']} → {leg['to']}: {leg['articles']:,} articles in "
              f"{leg['process_s']} s = {rate}")  # fmt: skip
    print(f"  back equal to the original (counts and hashes): {result['equal']}")
    out = Path(__file__).parent / "out" / f"copy-{args.size}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0 if result["equal"] and all(leg["ok"] for leg in legs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
