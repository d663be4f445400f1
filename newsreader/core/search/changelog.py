"""A team member's own search index, caught up from the archive's change log.

On a team archive (PostgreSQL) the database stays the one source of truth and every
member keeps a search index of their own beside their settings. Triggers append every
change of what the index holds to `search_queue` (the change log, never drained: each
member reads it from a cursor of its own, kept with the index).

Why the cursor is a transaction id and not `seq` alone: sequence numbers are handed out
when rows are inserted, not when their transactions commit, so a reader that has seen
seq 11 may later find seq 10 committed by a slower transaction. Each row records its
transaction (`txid`, migration 0012). A read takes the rows with `txid` below the xmin of
its own snapshot — every transaction below xmin has ended, so no row there can still
appear — beyond the cursor (txid, seq), in that order, and the cursor moves to the last
row read. A row of a transaction still running is read by a later sync, never skipped.

The member's own read and starred marks never enter the log, which every member reads:
who read what is private. They are read from `member_states` (row-level security shows a
member only their rows) by the same rule, from a second cursor over (txid, article_id).

A new member first indexes every article in batches (by id) and saves its place after
each, so an interrupted catch-up resumes where it stopped; the log is then replayed
from the xmin of the first batch's snapshot (replaying a change indexed already is
harmless: an article's entry is replaced whole).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import tantivy
from sqlalchemy import Connection, Engine, func, literal_column, select, text, tuple_

from newsreader.core.models import Article, MemberState, Meta, SearchQueue
from newsreader.core.search.index import (
    INDEX_VERSION,
    SYNC_BATCH,
    VERSION_FILE,
    WRITER_HEAP,
    IndexedArticle,
    SearchIndex,
    _indexed_articles,
    swap_in,
)

log = logging.getLogger(__name__)

CURSOR_FILE = "newsreader-cursor.json"
ARCHIVE_ID_KEY = "archive_id"  # in the archive's meta table (migration 0012)
Progress = Callable[[int, int], None]  # (articles indexed so far, articles in all)


@dataclass
class Cursor:
    """Where this member's index stands: the archive it belongs to, the last change-log
    row applied (txid, seq), and during a first catch-up the last article indexed."""

    archive: str
    txid: int | None = None
    seq: int = 0
    caught_up_to_id: int | None = 0  # None once every article was indexed
    caught_up_count: int = 0  # articles the catch-up indexed so far
    marks_txid: int | None = None  # the last of the member's own mark changes applied
    marks_article: int = 0


def snapshot_xmin(connection: Connection) -> int:
    """The oldest transaction still running when this transaction's snapshot was taken:
    every transaction below it has ended (committed or not)."""
    return int(connection.execute(
        text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    ).scalar_one())  # fmt: skip


def archive_identity(connection: Connection) -> str:
    """Which archive this is: its id (migration 0012) and the database's oid, so a copy of
    the database made with CREATE DATABASE ... TEMPLATE is another archive."""
    archive_id = connection.execute(select(Meta.value).where(Meta.key == ARCHIVE_ID_KEY)).scalar()
    oid = connection.execute(
        text("SELECT oid FROM pg_database WHERE datname = current_database()")
    ).scalar()
    return f"{archive_id}:{oid}"


class TeamSearchIndex(SearchIndex):
    """The index one member keeps of a team archive: it only reads the archive.

    `engine` must read in REPEATABLE READ, so the log rows and the articles a batch reads
    come from one snapshot (newsreader.core.db makes the reader engine so).
    """

    def __init__(self, folder: Path, engine: Engine, progress: Progress | None = None) -> None:
        self.progress = progress
        self.pending: set[int] = set()  # articles a sync could not index, retried next time
        super().__init__(folder, engine)

    @property
    def _cursor_file(self) -> Path:
        return self.folder / CURSOR_FILE

    def cursor(self) -> Cursor | None:
        try:
            return Cursor(**json.loads(self._cursor_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _save_cursor(self, cursor: Cursor, folder: Path | None = None) -> None:
        """Write the cursor atomically: a crash keeps the previous one (and so replays a
        little, never skips)."""
        path = (folder or self.folder) / CURSOR_FILE
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(cursor)))
        os.replace(partial, path)

    def _fits(self, engine: Engine) -> bool:
        """An index of this version, of this archive, whose cursor is not ahead of the
        server (a restored backup starts its transaction ids lower: rebuilt)."""
        version = self.folder / VERSION_FILE
        if not version.exists() or version.read_text().strip() != INDEX_VERSION:
            return False
        cursor = self.cursor()
        if cursor is None:
            return False
        with engine.connect() as connection:
            if cursor.archive != archive_identity(connection):
                return False
            now = int(connection.execute(
                text("SELECT pg_current_xact_id()::text::bigint")
            ).scalar_one())  # fmt: skip
        return cursor.txid is None or cursor.txid <= now

    def _rebuild(self, engine: Engine, read_only: bool) -> tantivy.Index:
        """An empty index, moved into place whole, whose cursor asks for a full catch-up."""
        building = self.folder.with_name(f"{self.folder.name}.new-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        self._load(building)
        with engine.connect() as connection:
            identity = archive_identity(connection)
        (building / VERSION_FILE).write_text(INDEX_VERSION)
        self._save_cursor(Cursor(archive=identity), building)
        swap_in(building, self.folder)
        return self._load(self.folder)

    def sync(self, engine: Engine) -> int:
        """Catch up with the archive: first every article (for a new index), then the
        change log from the cursor; the number of articles indexed."""
        try:
            writer = self.index.writer(heap_size=WRITER_HEAP)
        except ValueError as error:  # another sync of this index runs; it catches up
            log.info("search index busy (%s); its holder catches up", error)
            return 0
        try:
            cursor = self.cursor()
            assert cursor is not None, "an opened index has a cursor"
            done = self._catch_up(writer, engine, cursor)
            for replay in (self._replay, self._replay_marks):
                more = True
                while more:
                    indexed, more = replay(writer, engine, cursor)
                    done += indexed
            return done
        finally:
            writer.wait_merging_threads()
            del writer

    def _catch_up(self, writer: tantivy.IndexWriter, engine: Engine, cursor: Cursor) -> int:
        """Index every article, batch by batch, saving the place after each (resumable).

        The next batch is read from the server while this one is indexed: the two take
        turns on one thread otherwise, and reading is mostly waiting for the server."""
        if cursor.caught_up_to_id is None:
            return 0
        with engine.connect() as connection:
            total = int(connection.execute(select(func.count(Article.id))).scalar_one())
        done, resumed = 0, True  # a sync cut short may have indexed the first batch
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="catch-up") as reader:
            upcoming = reader.submit(self._read_batch, engine, cursor.caught_up_to_id, cursor)
            while True:
                ids, rows = upcoming.result()
                if not ids:
                    cursor.caught_up_to_id = None
                    self._save_cursor(cursor)
                    return done
                upcoming = reader.submit(self._read_batch, engine, ids[-1], cursor)
                done += self._apply(writer, ids, rows, fresh=not resumed)
                resumed = False
                cursor.caught_up_to_id = ids[-1]
                cursor.caught_up_count += len(ids)
                self._save_cursor(cursor)
                if self.progress is not None:
                    self.progress(cursor.caught_up_count, max(total, cursor.caught_up_count))

    @staticmethod
    def _read_batch(
        engine: Engine, after_id: int, cursor: Cursor
    ) -> tuple[list[int], list[IndexedArticle]]:
        """The next batch of articles by id, in one snapshot; the first batch's snapshot
        is where replaying the change log will start."""
        with engine.connect() as connection:
            if cursor.txid is None:  # changes from here on are replayed from the log
                cursor.txid, cursor.seq = snapshot_xmin(connection), 0
                cursor.marks_txid, cursor.marks_article = cursor.txid, 0
            ids = list(connection.execute(
                select(Article.id).where(Article.id > after_id)
                .order_by(Article.id).limit(SYNC_BATCH)
            ).scalars())  # fmt: skip
            return ids, list(_indexed_articles(connection, ids))

    def _replay(
        self, writer: tantivy.IndexWriter, engine: Engine, cursor: Cursor
    ) -> tuple[int, bool]:
        """Apply one batch of the log beyond the cursor; (articles indexed, more to come)."""
        assert cursor.txid is not None
        with engine.connect() as connection:  # the log rows and the articles: one snapshot
            xmin = snapshot_xmin(connection)
            entries = connection.execute(
                select(SearchQueue.txid, SearchQueue.seq, SearchQueue.article_id)
                .where(tuple_(SearchQueue.txid, SearchQueue.seq) > tuple_(cursor.txid, cursor.seq))
                .where(SearchQueue.txid < xmin)
                .order_by(SearchQueue.txid, SearchQueue.seq)
                .limit(SYNC_BATCH)
            ).all()  # fmt: skip
            ids = sorted({entry.article_id for entry in entries} | self.pending)
            rows = list(_indexed_articles(connection, ids)) if ids else []
        if not ids:
            return 0, False
        done = self._apply(writer, ids, rows)
        if entries:
            cursor.txid, cursor.seq = entries[-1].txid, entries[-1].seq
            self._save_cursor(cursor)
        return done, len(entries) == SYNC_BATCH

    def _replay_marks(
        self, writer: tantivy.IndexWriter, engine: Engine, cursor: Cursor
    ) -> tuple[int, bool]:
        """Apply one batch of the member's own mark changes beyond the marks cursor."""
        start = cursor.marks_txid if cursor.marks_txid is not None else cursor.txid or 0
        with engine.connect() as connection:  # the marks and the articles: one snapshot
            xmin = snapshot_xmin(connection)
            state = MemberState
            changed = connection.execute(
                select(state.txid, state.article_id)
                .where(state.member == literal_column("current_user"), state.txid < xmin)
                .where(tuple_(state.txid, state.article_id) > tuple_(start, cursor.marks_article))
                .order_by(state.txid, state.article_id)
                .limit(SYNC_BATCH)
            ).all()  # fmt: skip
            ids = sorted({row.article_id for row in changed})
            rows = list(_indexed_articles(connection, ids)) if ids else []
        if not ids:
            return 0, False
        done = self._apply(writer, ids, rows)
        cursor.marks_txid, cursor.marks_article = changed[-1].txid, changed[-1].article_id
        self._save_cursor(cursor)
        return done, len(changed) == SYNC_BATCH

    def _apply(
        self, writer: tantivy.IndexWriter, ids: list[int], rows: list[IndexedArticle],
        *, fresh: bool = False,
    ) -> int:  # fmt: skip
        """Replace the entries of these articles (rows: those that still exist) and commit;
        an article that cannot be indexed is retried at the next sync. `fresh`: a batch
        of a catch-up past its first one, none of whose articles the index holds yet."""
        failed: set[int] = set()
        for article_id in ids if not fresh else ():
            writer.delete_documents_by_term("id", article_id)
        for row in rows:
            try:
                writer.add_document(row.document())
            except Exception as error:  # one article never blocks the rest
                log.warning("article %d could not be indexed (%s); retried later", row.id, error)
                failed.add(row.id)
        writer.commit()
        self.pending = failed | (self.pending - set(ids))
        self.failed = set(self.pending)
        return len(rows) - len(failed)
