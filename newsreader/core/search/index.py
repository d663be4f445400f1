"""The search index: a tantivy index in a folder beside the archive file.

Why not SQLite FTS5 alone: at a million articles, ranking every match of a common word
(`said` is in a third of news articles) with FTS5's bm25 takes over a second; tantivy
ranks with block-max WAND and answers in milliseconds (bench/search.py measures both).
The archive stays the single source of truth: the index is rebuilt from it whenever it
is missing, damaged or of another version, and `sync` replays the `search_queue` that
triggers fill in the same transactions as the changes.
"""

from __future__ import annotations

import ctypes
import logging
import mmap
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

try:
    import fcntl
except ImportError:  # Windows: openers are not made to take turns
    fcntl = None  # type: ignore[assignment]
from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.orm import aliased

from newsreader.core.errors import IndexUnavailable
from newsreader.core.models import (
    Annotation,
    AnnotationCode,
    Article,
    ArticleTag,
    Code,
    MemberState,
    Meta,
    SearchQueue,
    Section,
    Source,
    Tag,
)
from newsreader.core.search.text import (
    ANALYZER_NAME,
    EXACT_ANALYZER_NAME,
    build_analyzer,
    build_exact_analyzer,
)
from newsreader.core.unicode import scrub

log = logging.getLogger(__name__)

STATE_KEY = "search_index_state"  # in the archive's meta table
STATE_FILE = "newsreader-archive-state"
VERSION_FILE = "newsreader-index-version"
STATE_CHECKS = 4
INDEX_VERSION = "4"  # bump when the schema or the analysis changes: the index is rebuilt
TEXT_FIELDS = ("title", "body", "byline", "section", "source", "annotation")
# The same texts as exact word forms (not stemmed), for quoted phrases: "interest rates".
EXACT_FIELDS = {"title": "title_exact", "body": "body_exact", "annotation": "annotation_exact"}
SYNC_BATCH = 5_000
WRITER_HEAP = 48_000_000  # the writer's arena; more buys little for batches of 5,000
# The parts of the index every search reads (term dictionaries, document frequencies and
# postings, field norms, fast fields), smallest first; positions and stored documents are
# read by some queries only. The postings (.idx) are most of it.
PRELOAD_SUFFIXES = (".fast", ".fieldnorm", ".term", ".idx")
POSTINGS = (".idx",)
PRELOAD_BYTES = 1_000_000_000


def build_schema() -> tantivy.Schema:
    schema = tantivy.SchemaBuilder()
    schema.add_integer_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        schema.add_text_field(name, tokenizer_name=ANALYZER_NAME)
    for name in EXACT_FIELDS.values():
        schema.add_text_field(name, tokenizer_name=EXACT_ANALYZER_NAME)
    for name in ("section_key", "tag", "flag", "color", "code"):
        schema.add_text_field(name, tokenizer_name="raw", fast=name == "section_key")
    schema.add_integer_field("date", indexed=True, fast=True)  # published, else saved
    return schema.build()


def member_flag(kind: str, member: str) -> str:
    """The flag saying that `member` read ("read"), starred ("starred") or highlighted
    ("annotated") an article: each member's marks are their own, so is:unread asks
    about the member searching, and annotator:NAME about the one named."""
    return f"{kind}-by:{' '.join(member.split()).casefold()}"


def epoch_seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """What the index holds of one article."""

    id: int
    title: str
    body: str
    byline: str
    section: str
    section_key: str
    source: str
    date: int
    flags: tuple[str, ...]
    tags: tuple[str, ...] = ()
    annotation: str = ""  # highlighted quotes and notes
    colors: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # code names, case-folded

    def document(self) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_integer("id", self.id)
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if value:
                doc.add_text(name, scrub(value))
                if name in EXACT_FIELDS:
                    doc.add_text(EXACT_FIELDS[name], scrub(value))
        if self.section_key:
            doc.add_text("section_key", scrub(self.section_key))
        for flag in self.flags:
            doc.add_text("flag", flag)
        for tag in self.tags:
            doc.add_text("tag", scrub(tag))
        for color in self.colors:
            doc.add_text("color", scrub(color))
        for code in self.codes:
            doc.add_text("code", scrub(code))
        doc.add_integer("date", self.date)
        return doc


def swap_in(building: Path, folder: Path) -> None:
    """Put an index built beside `folder` in its place, the old one moved aside first, so
    a crash leaves one whole index or the other, never a mix."""
    if folder.exists():
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(building, folder)


class SearchIndex:
    """The index folder of one archive: opened, rebuilt when needed, kept in sync.

    The index belongs to one state of one archive: each sync records a fresh token in the
    archive (in the transaction that drains the queue), then in the index folder. An index
    whose token is not the archive's — another archive, a restored backup, a file emptied
    or replaced, an index from before tokens — is rebuilt instead of answering for
    articles not there. A crash between the two writes costs a rebuild, never a stale index.

    Opening takes a lock file beside the folder, so processes opening at once take turns;
    a rebuild is made in a folder of its own and moved into place whole, its token written
    with the queue refilled (one transaction): index plus queue always equal the archive.
    """

    def __init__(self, folder: Path, engine: Engine, *, read_only: bool = False) -> None:
        self.folder = folder
        self.schema = build_schema()
        self.failed: set[int] = set()  # articles the last syncs could not index
        self._drained_to = 0  # the last queue entry the latest drain knew of
        self._advised = 0  # meta.json's mtime when the maps were last advised
        self.searches = 0  # searches begun (service.search): warming gives way to them
        self.index = self._open(engine, read_only)

    def _open(self, engine: Engine, read_only: bool) -> tantivy.Index:
        if self.folder.exists() and not self.folder.is_dir():
            raise IndexUnavailable(
                f"{self.folder} is a file where the search index belongs; move it away and "
                "search again (the index is rebuilt from the archive)"
            )
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            lock = self.folder.with_name(self.folder.name + ".lock").open("a+b")
        except OSError as error:
            message = f"cannot keep the search index at {self.folder}: {error}"
            raise IndexUnavailable(message) from error
        with lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if self._fits(engine):
                try:
                    return self._load(self.folder)
                except (ValueError, OSError) as error:  # damaged: rebuild from the archive
                    log.warning("search index at %s unusable (%s); rebuilding", self.folder, error)
            elif self.folder.exists():
                log.info("search index at %s is not this archive's; rebuilding", self.folder)
            return self._rebuild(engine, read_only)

    def _fits(self, engine: Engine) -> bool:
        """Whether the folder holds an index of this version for this archive's state. A
        sync elsewhere records a new state in the archive a moment before in the index,
        so a mismatch is looked at again before it counts."""
        version = self.folder / VERSION_FILE
        if not version.exists() or version.read_text().strip() != INDEX_VERSION:
            return False
        for attempt in range(STATE_CHECKS):
            recorded = self._state_file.read_text() if self._state_file.exists() else None
            if recorded == (archive_state(engine) or ""):
                return True
            time.sleep(0.05 * attempt)
        return False

    def _rebuild(self, engine: Engine, read_only: bool) -> tantivy.Index:
        """A new index moved into place whole. For an archive we may write, it starts
        empty with every article queued; for one we may only read, it is filled here."""
        building = self.folder.with_name(f"{self.folder.name}.new-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        index = self._load(building)
        if read_only:
            _index_everything(index, engine)
            token = archive_state(engine) or ""
        else:
            token = uuid.uuid4().hex
            with engine.begin() as connection:
                connection.execute(delete(SearchQueue))
                connection.execute(
                    insert(SearchQueue).from_select(["article_id"], select(Article.id))
                )
                _set_state(connection, token)
        del index
        (building / VERSION_FILE).write_text(INDEX_VERSION)
        (building / STATE_FILE).write_text(token)
        swap_in(building, self.folder)
        return self._load(self.folder)

    def _load(self, folder: Path) -> tantivy.Index:
        return self._register(tantivy.Index(self.schema, path=str(folder)))

    @property
    def _state_file(self) -> Path:
        return self.folder / STATE_FILE

    def _record_state(self, token: str) -> None:
        """Write the state atomically: a crash keeps the old one (and so a rebuild)."""
        partial = self._state_file.with_suffix(".partial")
        partial.write_text(token)
        os.replace(partial, self._state_file)

    @staticmethod
    def _register(index: tantivy.Index) -> tantivy.Index:
        index.register_tokenizer(ANALYZER_NAME, build_analyzer())
        index.register_tokenizer(EXACT_ANALYZER_NAME, build_exact_analyzer())
        return index

    def searcher(self) -> tantivy.Searcher:
        self.index.reload()
        searcher = self.index.searcher()
        self._advise()
        return searcher

    def _advise(self) -> None:
        """Mark the index's memory maps as read at random, once per set of segments (a
        commit or a merge maps new files; meta.json changes with each)."""
        try:
            stamp = (self.folder / "meta.json").stat().st_mtime_ns
        except OSError:
            return
        if stamp != self._advised:
            advise_random(self.folder)
            self._advised = stamp

    def warm(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Ready the index for a first search, in the background: ask the kernel to read
        the small parts every search reads (all but the postings, which `preload` asks
        for after), and map the fast fields searches rank, page and count sections by (a
        first search otherwise pays tens of ms for mapping them at a million articles).
        Not done on opening: a search issued at once (a command's) would wait behind it;
        and each step only while `stop()` says no search has begun, which it would slow
        down on a machine of two cores (a search ranks and counts on two)."""
        small = tuple(s for s in PRELOAD_SUFFIXES if s not in POSTINGS)
        preload(self.folder, suffixes=small, stop=stop)
        if stop():
            return
        searcher = self.searcher()
        everything = tantivy.Query.all_query()
        searcher.aggregate(everything, {"s": {"terms": {"field": "section_key", "size": 1}}})
        if stop():
            return
        found = searcher.search(everything, 1, order_by_field="date", order=tantivy.Order.Desc)
        doc_ids(searcher, found.hits)

    def indexed_ids(self) -> set[int]:
        """Every article id the index holds (for consistency checks against the archive)."""
        searcher = self.searcher()
        found = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs))
        return set(doc_ids(searcher, found.hits))

    def sync(self, engine: Engine) -> int:
        """Bring the index up to date with the archive's queue; return articles indexed.

        The index writer is held from reading the queue to draining it, so syncs (of this
        process or another) never interleave: the rows one indexes are read in the same
        snapshot as the queue entries it then deletes, and nobody else deletes meanwhile.
        A sync that finds the writer busy leaves its changes to the holder, which looks
        at the queue again after letting go. Never loses a change: the queue is drained
        only after a commit.
        """
        done = 0
        while True:
            try:
                writer = self.index.writer(heap_size=WRITER_HEAP)
            except ValueError as error:  # held by another sync, which will see our changes
                log.info("search index busy (%s); its holder catches up", error)
                return done
            try:
                done += self._drain(writer, engine)
            finally:
                writer.wait_merging_threads()  # consumes the writer: once, after every batch
                del writer
            with engine.connect() as connection:  # changes queued while we held the writer
                others = connection.execute(
                    select(SearchQueue.seq)
                    .where(
                        SearchQueue.seq > self._drained_to,
                        SearchQueue.article_id.not_in(self.failed),
                    )
                    .limit(1)
                ).first()
            if others is None:
                return done

    def _drain(self, writer: tantivy.IndexWriter, engine: Engine) -> int:
        """Index every queued article, batch by batch; articles that cannot be indexed are
        logged and queued again behind the rest, so one never blocks the others."""
        with engine.connect() as connection:
            stop = connection.execute(select(func.max(SearchQueue.seq))).scalar() or 0
        self._drained_to = stop
        done = 0
        while True:
            with engine.connect() as connection:  # one snapshot: queue and rows agree
                upto = connection.execute(
                    select(SearchQueue.seq).where(SearchQueue.seq <= stop)
                    .order_by(SearchQueue.seq).limit(1).offset(SYNC_BATCH - 1)
                ).scalar() or stop  # fmt: skip
                ids = sorted(set(connection.execute(
                    select(SearchQueue.article_id).where(SearchQueue.seq <= upto)
                ).scalars()))  # fmt: skip
                rows = list(_indexed_articles(connection, ids))
            if not ids:
                return done
            failed = []
            for article_id in ids:
                writer.delete_documents_by_term("id", article_id)
            for row in rows:
                try:
                    writer.add_document(row.document())
                except Exception as error:  # one article never blocks the rest
                    log.warning("article %d could not be indexed (%s); retried later",
                                row.id, error)  # fmt: skip
                    failed.append(row.id)
            writer.commit()
            token = uuid.uuid4().hex
            with engine.begin() as connection:
                connection.execute(delete(SearchQueue).where(SearchQueue.seq <= upto))
                _set_state(connection, token)
                if failed:
                    connection.execute(insert(SearchQueue), [{"article_id": i} for i in failed])
            self._record_state(token)
            self.failed = set(failed) | (self.failed - set(ids))
            done += len(rows) - len(failed)
            if upto >= stop:
                return done


def preload(
    folder: Path, budget: int = PRELOAD_BYTES, *, suffixes: Sequence[str] = PRELOAD_SUFFIXES,
    stop: Callable[[], bool] = lambda: False,
) -> int:  # fmt: skip
    """Ask the kernel to read what every search touches into the page cache, in the
    background, so the first searches after opening find it there; the bytes asked for.

    Without it, a first search faults the memory-mapped files in page by page, and each
    fault reads ahead as far as the disk is set to (8 MB on the benchmark machine: one
    first search of a rare word read 60 MB). The kernel may drop these pages again
    under memory pressure: this is a hint, never a cost that stays. Asked file by file,
    the files with `suffixes` in their order, until `stop()` says a search has begun.
    """
    if not hasattr(os, "posix_fadvise"):  # e.g. macOS: no such hint, no harm
        return 0
    asked = 0
    files = [f for suffix in suffixes for f in sorted(folder.glob(f"*{suffix}"))]
    for path in files:
        size = path.stat().st_size
        if asked + size > budget or stop():
            break
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(descriptor)
        asked += size
    return asked


def advise_random(folder: Path) -> int:
    """Tell the kernel that this process reads the index's memory maps at random; the
    number of maps advised (0 where there is no such advice).

    A page fault in a map otherwise reads around the page as far as the disk's read-ahead
    goes (8 MB on the benchmark machine): with nothing cached, one phrase search read
    270 MB of positions, 8 MB from each of 33 segments, for a few KB it used. What every
    search reads is asked for whole by `preload` instead. tantivy maps the files itself and
    tantivy-py offers no advice, so the maps are found in /proc/self/maps.
    """
    advice = getattr(mmap, "MADV_RANDOM", None)
    if not sys.platform.startswith("linux") or advice is None:
        return 0
    madvise = ctypes.CDLL(None, use_errno=True).madvise
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    prefix, advised = f"{folder.resolve()}/", 0
    try:
        with open("/proc/self/maps") as maps:
            lines = maps.readlines()
    except OSError:
        return 0
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith(prefix):
            start, end = (int(address, 16) for address in fields[0].split("-"))
            if madvise(start, end - start, advice) == 0:  # a map gone meanwhile: skip it
                advised += 1
    return advised


def archive_state(engine: Engine) -> str | None:
    """The state token the archive recorded at its last index sync (None before any)."""
    with engine.connect() as connection:
        return connection.execute(select(Meta.value).where(Meta.key == STATE_KEY)).scalar()


def _set_state(connection: Connection, token: str) -> None:
    connection.execute(delete(Meta).where(Meta.key == STATE_KEY))
    connection.execute(insert(Meta).values(key=STATE_KEY, value=token))


def _index_everything(index: tantivy.Index, engine: Engine) -> None:
    """Every article into a new index, without touching the archive (which may be read-only)."""
    writer = index.writer(heap_size=WRITER_HEAP)
    with engine.connect() as connection:
        ids = list(connection.execute(select(Article.id)).scalars())
        for start in range(0, len(ids), SYNC_BATCH):
            for row in _indexed_articles(connection, ids[start : start + SYNC_BATCH]):
                writer.add_document(row.document())
    writer.commit()
    writer.wait_merging_threads()


def _indexed_articles(connection: Connection, ids: Sequence[int]) -> Iterable[IndexedArticle]:
    section = aliased(Section)
    source = aliased(Source)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            select(
                Article.id, Article.title, Article.text, Article.byline, Article.published_at,
                Article.saved_at, section.name, section.key, source.name,
            )
            .outerjoin(section, Article.section_id == section.id)
            .outerjoin(source, Article.source_id == source.id)
            .where(Article.id.in_(chunk))
        )  # fmt: skip
        tags: dict[int, list[str]] = {}
        for article_id, name in connection.execute(
            select(ArticleTag.article_id, Tag.name)
            .join(Tag, Tag.id == ArticleTag.tag_id)
            .where(ArticleTag.article_id.in_(chunk))
        ):
            tags.setdefault(article_id, []).append(name.casefold())
        notes: dict[int, list[str]] = {}
        colors: dict[int, set[str]] = {}
        extra_flags: dict[int, set[str]] = {}
        for article_id, exact, note, color, tag_list, author in connection.execute(
            select(Annotation.article_id, Annotation.exact, Annotation.note, Annotation.color,
                   Annotation.tags, Annotation.author).where(Annotation.article_id.in_(chunk))
        ):  # fmt: skip
            notes.setdefault(article_id, []).extend([exact, note, *(tag_list or [])])
            colors.setdefault(article_id, set()).add(color)
            extra_flags.setdefault(article_id, {"annotated"}).update({"note"} if note else ())
            extra_flags[article_id].add(member_flag("annotated", author))
            tags.setdefault(article_id, []).extend(t.casefold() for t in tag_list or [])
        # The members' marks (on a team archive a member reads only their own rows).
        state = MemberState
        states = select(state.article_id, state.member, state.is_read,
                        state.is_starred).where(state.article_id.in_(chunk))  # fmt: skip
        for article_id, member, is_read, is_starred in connection.execute(states):
            marked = extra_flags.setdefault(article_id, set())
            marked.update(member_flag(kind, member) for kind, on in
                          (("read", is_read), ("starred", is_starred)) if on)  # fmt: skip
        codes: dict[int, set[str]] = {}
        for article_id, name in connection.execute(
            select(Annotation.article_id, Code.name)
            .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
            .join(Code, Code.id == AnnotationCode.code_id)
            .where(Annotation.article_id.in_(chunk))
        ):
            codes.setdefault(article_id, set()).add(name.casefold())
        for row in connection.execute(query):
            flags = tuple(sorted(extra_flags.get(row.id, ())))
            yield IndexedArticle(
                id=row.id, title=row.title, body=row.text, byline=row.byline or "",
                section=row[6] or "", section_key=row[7] or "", source=row[8] or "",
                date=epoch_seconds(row.published_at or row.saved_at), flags=flags,
                tags=tuple(tags.get(row.id, ())),
                annotation="\n".join(n for n in notes.get(row.id, ()) if n),
                colors=tuple(sorted(colors.get(row.id, ()))),
                codes=tuple(sorted(codes.get(row.id, ()))),
            )  # fmt: skip


def doc_ids(searcher: tantivy.Searcher, hits: list[tuple[Any, Any]]) -> list[int]:
    """Article ids of search hits, read from the id fast field."""
    if not hits:
        return []
    values = searcher.fast_field_values("id", [address for _, address in hits])
    return [int(v or 0) for v in values]
