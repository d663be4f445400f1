"""A team at work: member processes on one PostgreSQL archive, then a check that nothing was lost.

    python bench/team.py [--members 8] [--seconds 120] [--url postgresql://owner@host/db]

Without --url a throwaway PostgreSQL 15 server is started (newsreader/pgserver.py) and a
fresh database made on it. The archive is made a team archive (`team init`) and every
member an editor (they import). Each member is its own process with its own settings and
search index folder, as on its own machine, and for `--seconds` it saves articles (some
pages are saved by several members at once), highlights, edits its notes and reads (marking
read what it read), logging every write the archive acknowledged. A thread of each member
watches the archive as the window does (core/changes.py: LISTEN/NOTIFY) and logs when it
first sees each other member's article and highlight.

Afterwards, through the owner's connection: every acknowledged article, highlight and note
edit is present exactly once (a page saved by several members is one article), each
member's read marks are exactly the ones that member made (marks are per member), and the
delay from the start of a write to each other member seeing it is reported (p50/p95,
goal ≤ 2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

WATCH_INTERVAL_S = 1.0  # as often as the window's ArchiveWatch asks (ui/operations.py)
SHARED_PAGES = 40  # pages every member may save: each must end up one article
WORDS = [
    "council", "budget", "vote", "harbour", "bridge", "election", "minister", "rates",
    "inflation", "river", "school", "hospital", "festival", "museum", "league", "market",
]  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def member_address(url: str, member: str) -> str:
    """The archive's address as one member connects to it (trust auth on the bench server,
    a password from ~/.pgpass or PGPASSWORD elsewhere)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{member}@{rest.split('@', 1)[-1]}"


# -- one member ---------------------------------------------------------------------------


def run_member(url: str, name: str, seconds: float, log_path: Path, seed: int) -> None:
    from newsreader.core.archive import Archive
    from newsreader.core.blocks import ExtractedArticle, paragraphs_to_blocks
    from newsreader.core.changes import CommitWatch
    from newsreader.core.models import Annotation, Article

    rng = random.Random(seed)
    log = log_path.open("a", buffering=1)
    lock = threading.Lock()

    def write(entry: dict[str, Any]) -> None:
        with lock:
            log.write(json.dumps({**entry, "member": name}) + "\n")

    stop = threading.Event()
    archive = Archive(url)

    def watch() -> None:
        """See others' writes as the window does: a notification, then one query."""
        watcher = CommitWatch(url)
        seen_articles = seen_notes = 0
        while not stop.is_set():
            if watcher.changed() or seen_articles == 0:
                now = time.time()
                with archive.reading() as session:
                    for article_id, page in session.execute(
                        select(Article.id, Article.url).where(Article.id > seen_articles)
                    ):
                        write({"kind": "seen-article", "key": page, "at": now})
                        seen_articles = max(seen_articles, article_id)
                    for note_id, uuid in session.execute(
                        select(Annotation.id, Annotation.uuid).where(Annotation.id > seen_notes)
                    ):
                        write({"kind": "seen-highlight", "key": uuid, "at": now})
                        seen_notes = max(seen_notes, note_id)
            time.sleep(WATCH_INTERVAL_S)
        watcher.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    mine: list[Any] = []  # my highlights, to edit
    n = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        n += 1
        began = time.time()  # delays count from here: an upper bound, the write included
        action = rng.choices(("save", "shared", "highlight", "note", "read"), (3, 1, 3, 2, 3))[0]
        try:
            if action in ("save", "shared"):
                page = (f"https://bench.example/shared/{rng.randrange(SHARED_PAGES)}"
                        if action == "shared" else f"https://bench.example/{name}/{n}")  # fmt: skip
                words = [rng.choice(WORDS) for _ in range(60)]
                body = f"{page} " + " ".join(words) if action == "save" else f"Shared page {page}."
                outcome = archive.save(ExtractedArticle(
                    title=f"{name} {n} {words[0]}", url=page,
                    blocks=paragraphs_to_blocks([body, " ".join(words[:20])]),
                ))  # fmt: skip
                write({"kind": "article", "key": page, "at": time.time(), "began": began,
                       "status": outcome.status})  # fmt: skip
            elif action == "highlight":
                listed = archive.list_articles(limit=50)
                if not listed:
                    continue
                target = rng.choice(listed)
                detail = archive.get(target.id)
                if detail is None or len(detail.text) < 10:
                    continue
                made = archive.annotations.create(target.id, 0, 8, note=f"{name} note {n}")
                mine.append(made)
                write({"kind": "highlight", "key": made.uuid, "at": time.time(), "began": began})
            elif action == "note" and mine:
                chosen = rng.randrange(len(mine))
                note = f"{name} edit {n}"
                mine[chosen] = archive.annotations.update(
                    mine[chosen].id, note=note, revision=mine[chosen].revision
                )
                write({"kind": "note", "key": mine[chosen].uuid, "note": note, "at": time.time()})
            else:  # reading marks what was read (as the window does), and stars some
                for summary in archive.list_articles(limit=20)[:3]:
                    archive.get(summary.id)
                    archive.mark_read(summary.id)
                    write({"kind": "mark", "key": summary.id, "at": time.time()})
        except Exception as error:  # logged, never hidden: the check below counts them
            write({"kind": "error", "action": action, "error": repr(error)[:300],
                   "at": time.time()})  # fmt: skip
    time.sleep(3)  # let the watcher see the others' last writes
    stop.set()
    watcher.join(5)
    archive.close()


# -- the run ------------------------------------------------------------------------------


def check(url: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Every acknowledged write present exactly once; the delays until others saw them."""
    from newsreader.core.archive import Archive
    from newsreader.core.models import Annotation, Article, MemberState

    acked_pages = {e["key"] for e in entries if e["kind"] == "article"}
    acked_highlights = {e["key"] for e in entries if e["kind"] == "highlight"}
    last_note: dict[str, str] = {}
    for entry in sorted((e for e in entries if e["kind"] == "note"), key=lambda e: e["at"]):
        last_note[entry["key"]] = entry["note"]
    with Archive(url) as archive, archive.reading() as session:
        pages = Counter(session.scalars(select(Article.url)))
        notes = Counter(session.scalars(select(Annotation.uuid)))
        final_notes = dict(session.execute(select(Annotation.uuid, Annotation.note)).all())
        articles = session.scalar(select(func.count()).select_from(Article))
        marked = {  # the owner's connection sees every member's marks
            (member, article_id) for member, article_id in session.execute(
                select(MemberState.member, MemberState.article_id).where(MemberState.is_read))
        }  # fmt: skip
    problems = [f"page {p} missing" for p in acked_pages if pages[p] == 0]
    problems += [f"page {p} saved {c} times" for p, c in pages.items() if c > 1]
    problems += [f"highlight {u} missing" for u in acked_highlights if notes[u] == 0]
    problems += [f"highlight {u} {c} times" for u, c in notes.items() if c > 1]
    problems += [f"note of {u} is {final_notes.get(u)!r}, not the last saved {n!r}"
                 for u, n in last_note.items() if final_notes.get(u) != n]  # fmt: skip
    acked_marks = {(e["member"], e["key"]) for e in entries if e["kind"] == "mark"}
    problems += [f"{m}'s read mark on #{a} missing" for m, a in acked_marks - marked]
    problems += [f"{m} has a read mark on #{a} they never made" for m, a in marked - acked_marks]
    written = {(e["kind"], e["key"]): e for e in entries if e["kind"] in ("article", "highlight")}
    members = {e["member"] for e in entries}
    delays: list[float] = []
    unseen = 0
    first_seen: dict[tuple[str, str, str], float] = {}
    for e in entries:
        if e["kind"].startswith("seen-"):
            key = (e["kind"].removeprefix("seen-"), e["key"], e["member"])
            first_seen[key] = min(first_seen.get(key, e["at"]), e["at"])
    for (kind, key), write in written.items():
        for member in members - {write["member"]}:
            seen = first_seen.get((kind, key, member))
            if seen is None:
                unseen += 1
            else:
                delays.append(max(0.0, seen - write["began"]))
    errors = [e for e in entries if e["kind"] == "error"]
    return {
        "articles_in_archive": articles,
        "acknowledged": {
            "articles": sum(e["kind"] == "article" for e in entries),
            "distinct_pages": len(acked_pages),
            "highlights": len(acked_highlights),
            "note_edits": sum(e["kind"] == "note" for e in entries),
            "read_marks": len(acked_marks),
        },
        "problems": problems[:50],
        "problem_count": len(problems),
        "errors": Counter(e["error"].split("(")[0] for e in errors),
        "error_samples": [e["error"] for e in errors[:5]],
        "visibility": {
            "pairs": len(delays),
            "unseen": unseen,
            "p50_s": round(percentile(delays, 0.5), 3),
            "p95_s": round(percentile(delays, 0.95), 3),
            "max_s": round(max(delays, default=float("nan")), 3),
            "within_2s": round(sum(d <= 2 for d in delays) / len(delays), 4) if delays else None,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--url", help="a PostgreSQL database (default: a throwaway server)")
    parser.add_argument("--member", help=argparse.SUPPRESS)  # run as one member
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.member:
        run_member(args.url, args.member, args.seconds, args.log, args.seed)
        return 0

    from newsreader.core.archive import Archive

    server = None
    url = args.url
    if url is None:
        from newsreader.pgserver import PostgresServer

        server = PostgresServer.start()
        url = server.url(server.create_database())
    try:
        with Archive(url) as archive:  # made and migrated by its owner
            archive.team.init()
            names = [f"member{k}" for k in range(1, args.members + 1)]
            for name in names:
                archive.team.add_member(name, "editor")
        work = Path(tempfile.mkdtemp(prefix="newsreader-team-bench-"))
        log = work / "writes.jsonl"
        started = time.time()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--member",
                    name,
                    "--url",
                    member_address(url, name),
                    "--seconds",
                    str(args.seconds),
                    "--log",
                    str(log),
                    "--seed",
                    str(k),
                ],
                env={
                    **os.environ,
                    "XDG_DATA_HOME": str(work / name / "data"),
                    "XDG_CACHE_HOME": str(work / name / "cache"),
                    "XDG_CONFIG_HOME": str(work / name / "config"),
                },
            )
            for k, name in enumerate(names)
        ]
        codes = [p.wait() for p in processes]
        elapsed = time.time() - started
        entries = [json.loads(line) for line in log.read_text().splitlines()]
        result = {"members": args.members, "seconds": args.seconds,
                  "elapsed_s": round(elapsed, 1), "exit_codes": codes,
                  "load": os.getloadavg(), **check(url, entries)}  # fmt: skip
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(result, indent=2, default=str))
    out = Path(__file__).parent / "out" / "team.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    ok = not result["problem_count"] and not any(codes)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
