"""Several programs importing into one archive at once: the index ends equal to the archive.

Each importer is a real process with its own Archive, saving batches and syncing the index
after each, as `newsreader import` does; they overlap on the index writer and the queue.
"""

import multiprocessing
import sqlite3
import time
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from sqlalchemy import select

from newsreader.core.archive import Archive
from newsreader.core.models import Article
from tests.factories import make_article

BATCHES = 12
BATCH = 25


def _import(path: str, corpus: str, start: Event) -> None:
    start.wait()
    with Archive(path) as archive:
        for batch in range(BATCHES):
            archive.save_many([
                make_article(f"{corpus} story {batch}-{n}",
                             (f"The {corpus} report number {batch} {n} says the council met.",),
                             url=f"https://{corpus}.example/{batch}/{n}")
                for n in range(BATCH)
            ])  # fmt: skip


def archive_and_index_ids(path: Path) -> tuple[set[int], set[int], int]:
    """What the archive and its index hold — the index as the importers left it: it must
    already belong to the archive's state (reopening would otherwise rebuild it)."""
    with sqlite3.connect(path) as connection:
        (token,) = connection.execute(
            "SELECT value FROM archive_meta WHERE key = 'search_index_state'"
        ).fetchone()
    assert (path.with_name(path.name + ".search") / "newsreader-archive-state").read_text() == token
    with Archive(path) as archive:
        archive.sync_search()
        with archive.reading() as session:
            stored = set(session.scalars(select(Article.id)))
            urls = list(session.scalars(select(Article.url)))
        return stored, archive.search_index.indexed_ids(), len(urls) - len(set(urls))


@pytest.mark.parametrize("corpora", [("a", "b", "c"), ("a", "a", "b", "b", "c", "c", "d", "e")])
def test_concurrent_importers_leave_the_index_equal_to_the_archive(
    tmp_path: Path, corpora: tuple[str, ...]
) -> None:
    path = tmp_path / "archive.sqlite3"
    Archive(path).close()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_import, args=(str(path), c, start)) for c in corpora]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    stored, indexed, duplicates = archive_and_index_ids(path)
    assert len(stored) == len(set(corpora)) * BATCHES * BATCH
    assert duplicates == 0
    assert indexed == stored


def test_importers_wait_out_a_writer_holding_the_lock_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    Archive(path).close()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_import, args=(str(path), c, start)) for c in "xyz"]
    for worker in workers:
        worker.start()
    holder = sqlite3.connect(path, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")  # another program writing for a while
    start.set()
    time.sleep(2)
    holder.execute("ROLLBACK")
    holder.close()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    stored, indexed, duplicates = archive_and_index_ids(path)
    assert len(stored) == 3 * BATCHES * BATCH and duplicates == 0
    assert indexed == stored
