"""kill -9 at random moments of real imports and right after annotations: nothing committed
is lost, nothing half-written stays, the archive passes SQLite's integrity check, and the
search index equals the archive once reopened.

Each trial runs the installed `newsreader` command (or a Python process for annotations)
and kills it with SIGKILL at a random point while it works. CI runs a few trials per kind;
`NEWSREADER_KILL_TRIALS=20 pytest tests/reliability` runs more (the figures in the notes).
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from newsreader.core.archive import Archive
from newsreader.core.blocks import blocks_from_json, canonical_text
from newsreader.core.models import Annotation, Article
from tests.factories import make_article, news_page

TRIALS = int(os.environ.get("NEWSREADER_KILL_TRIALS", "3"))
JSONL_ITEMS = 2_000
HTML_PAGES = 60
COMMAND = Path(sys.executable).with_name("newsreader")


def newsreader(*args: str) -> list[str]:
    if COMMAND.exists():
        return [str(COMMAND), *args]
    return [sys.executable, "-m", "newsreader", *args]


def article_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not made yet
        return 0


def kill_while_working(command: list[str], archive: Path, rng: random.Random) -> None:
    """Start `command`, wait until it has saved something, then SIGKILL it at random."""
    before = article_count(archive)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while article_count(archive) <= before and process.poll() is None:
        assert time.monotonic() < deadline, "the import never saved anything"
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.8))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def assert_whole(path: Path, committed_before: int) -> int:
    """The archive after a kill: intact, every article complete, the index equal to it."""
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    with Archive(path) as archive:
        with archive.reading() as session:
            rows = session.execute(select(Article.id, Article.text, Article.blocks)).all()
        for article_id, text, blocks in rows:
            assert text and canonical_text(blocks_from_json(blocks)) == text, article_id
        assert len(rows) >= committed_before  # nothing committed was lost
        archive.sync_search()
        assert archive.search_index.indexed_ids() == {row[0] for row in rows}
        return len(rows)


@pytest.fixture
def corpora(tmp_path: Path) -> dict[str, Path]:
    jsonl = tmp_path / "corpus.jsonl"
    with jsonl.open("w") as out:
        for n in range(JSONL_ITEMS):
            body = f"Report {n}: the council met on day {n} and agreed on item {n * 7}."
            out.write(json.dumps({"id": f"r{n}", "title": f"Story {n}", "body": body}) + "\n")
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(HTML_PAGES):
        body = f"Budget page {n} says the council voted on measure {n} late into the night."
        (pages / f"page-{n}.html").write_text(news_page(f"Budget {n}", body))
    return {"jsonl": jsonl, "html": pages}


@pytest.mark.parametrize(("kind", "expected"), [("jsonl", JSONL_ITEMS), ("html", HTML_PAGES)])
def test_imports_killed_at_random_lose_nothing_committed_and_resume_whole(
    tmp_path: Path, corpora: dict[str, Path], kind: str, expected: int
) -> None:
    archive = tmp_path / f"{kind}.sqlite3"
    rng = random.Random(f"{kind}-{TRIALS}")
    command = newsreader("--archive", str(archive), "import", str(corpora[kind]), "-q")
    committed = 0
    for _trial in range(TRIALS):
        kill_while_working(command, archive, rng)
        committed = assert_whole(archive, committed)
    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300)
    counts = json.loads(finished.stdout)["counts"]
    assert counts["failed"] == 0
    assert counts["saved"] + counts["duplicate"] + counts["updated"] == expected
    assert assert_whole(archive, committed) == expected


ANNOTATOR = """
import sys
from newsreader.core.archive import Archive
with Archive(sys.argv[1]) as archive:
    n = 0
    while True:
        made = archive.annotations.create(int(sys.argv[2]), n % 40, n % 40 + 5, note=f"n{n}")
        print(made.id, flush=True)
        n += 1
"""


def test_annotations_killed_right_after_saving_are_all_kept(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with Archive(path) as archive:
        body = "The council met late into the night to agree on the budget for next year."
        article_id = archive.save(make_article("B", (body,))).article_id
    rng = random.Random(7)
    seen: set[int] = set()
    for _trial in range(TRIALS):
        process = subprocess.Popen(
            [sys.executable, "-c", ANNOTATOR, str(path), str(article_id)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        wanted = rng.randint(1, 25)
        for _ in range(wanted):  # each line is printed after its transaction committed
            seen.add(int(process.stdout.readline()))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        assert_whole(path, 1)
        with Archive(path) as archive, archive.reading() as session:
            kept = set(session.scalars(select(Annotation.id)))
        assert seen <= kept
