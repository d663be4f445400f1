"""A new team member's first catch-up of the search index, and the change log after it.

Goal (issue 12): a new member's index catches up at >= 5,000 articles/s (named at 1M
articles on PostgreSQL; run here at --size). Measured as the user meets it: the installed
`newsreader search WORD --archive postgresql://...` as a process with a fresh user data
folder (the member has no index yet, so this first call catches up), then the same call
again (the index is current); beside the same command on an SQLite file of the same
articles whose index folder was removed (rebuilt from the archive). Rounds alternate the
two stores, same inputs. Then another member marks --changes articles read in one
statement, and the next search of each store replays them (PostgreSQL: from the member's
cursor in the change log; SQLite: draining its queue).

The articles: bench/search.py's copies of Reuters-21578 and BBC News (varied as printed
there), saved with save_many(index=False) into a throwaway PostgreSQL 15 server
(newsreader/pgserver.py) and into an SQLite file.

Run: .venv/bin/python bench/team_catchup.py [--size 20000] [--rounds 2] [--changes 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import BATCH, VARIATION, CopyMaker, load_sources

from newsreader.core.archive import Archive
from newsreader.core.blocks import ExtractedArticle
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.core.models import Article
from newsreader.pgserver import PostgresServer

OUT = Path(__file__).resolve().parent / "out"
COMMAND = Path(sys.executable).with_name("newsreader")
WORD = "market"


def fill(archive: Archive, size: int, maker: CopyMaker) -> dict[str, Any]:
    """Save `size` articles (copies numbered from 0), without indexing; the save rate."""
    saved = i = 0
    started = time.perf_counter()
    while saved < size:
        batch: list[ExtractedArticle] = []
        while len(batch) < min(BATCH, size - saved):
            batch.append(record_to_article(maker.record(i)))
            i += 1
        outcomes = archive.save_many(batch, index=False)
        saved += sum(1 for o in outcomes if not isinstance(o, Exception) and o.status == "saved")
    seconds = time.perf_counter() - started
    return {"articles": saved, "save_s": round(seconds, 1), "save_per_s": round(saved / seconds)}


def search_process(address: str, data_home: Path) -> dict[str, Any]:
    """`newsreader search WORD --json` as a process; its wall time, hits and progress lines."""
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "NEWSREADER_ARCHIVE": address}
    started = time.perf_counter()
    done = subprocess.run([str(COMMAND), "search", WORD, "--json"], env=env, text=True,
                          capture_output=True, check=True)  # fmt: skip
    seconds = time.perf_counter() - started
    hits = json.loads(done.stdout)
    progress = [line for line in done.stderr.splitlines() if "indexing the team" in line]
    return {"s": round(seconds, 2), "total": hits.get("total"), "progress_lines": len(progress)}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--changes", type=int, default=5_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nr-team-bench-"))
    server = PostgresServer.start()
    result: dict[str, Any] = {"size": args.size, "variation": VARIATION, "load": [load()]}
    try:
        address = server.url(server.create_database())
        file = work / "archive.sqlite3"
        maker = CopyMaker(load_sources())
        os.environ["XDG_DATA_HOME"] = str(work / "builder")  # the builder's own index
        with Archive(address) as team, Archive(file) as single:
            result["fill_postgresql"] = fill(team, args.size, maker)
            result["fill_sqlite"] = fill(single, args.size, maker)
        print(f"filled: {result['fill_postgresql']} / {result['fill_sqlite']}")
        rounds = []
        for n in range(args.rounds):
            member = work / f"member-{n}"
            team_cold = search_process(address, member)
            team_warm = search_process(address, member)
            shutil.rmtree(file.with_name(file.name + ".search"), ignore_errors=True)
            file_cold = search_process(str(file), work / "single")
            file_warm = search_process(str(file), work / "single")
            row = {"postgresql_first": team_cold, "postgresql_again": team_warm,
                   "sqlite_first": file_cold, "sqlite_again": file_warm,
                   "load": load()}  # fmt: skip
            rounds.append(row)
            print(f"round {n + 1}: {json.dumps(row)}")
        result["rounds"] = rounds
        changed = {}
        for name, location in (("postgresql", address), ("sqlite", str(file))):
            with Archive(location) as other, other.writing() as session:
                session.execute(update(Article).where(Article.id <= args.changes)
                                .values(title=Article.title + "."))  # fmt: skip
            home = work / ("member-0" if name == "postgresql" else "single")
            changed[name] = search_process(location, home)
        result["replay"] = {"changes": args.changes, **changed}
        print(f"replay of {args.changes:,} changes: {json.dumps(changed)}")
        result["load"].append(load())
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "team_catchup.json").write_text(json.dumps(result, indent=2))
    firsts = [r["postgresql_first"]["s"] for r in result["rounds"]]
    agains = [r["postgresql_again"]["s"] for r in result["rounds"]]
    # The catch-up alone: the first call minus a call that had nothing to catch up.
    rate = args.size / max(1e-9, min(firsts) - min(agains))
    print(f"catch-up of {args.size:,} articles: ~{rate:,.0f} articles/s "
          f"(first call {min(firsts):.2f} s minus a current call {min(agains):.2f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
