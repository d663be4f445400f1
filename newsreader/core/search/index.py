"""The search index: a tantivy index in a folder beside the archive file.

Why not SQLite FTS5 alone: at a million articles, ranking every match of a common word
(`said` is in a third of news articles) with FTS5's bm25 takes over a second; tantivy
ranks with block-max WAND and answers in milliseconds (bench/search.py measures both).
The archive stays the single source of truth: the index is rebuilt from it whenever it
is missing, damaged or of another version, and `sync` replays the `search_queue` that
triggers fill in the same transactions as the changes.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import tantivy
from sqlalchemy import Connection, Engine, Table, delete, func, select
from sqlalchemy.orm import aliased

from newsreader.core.models import (
    Annotation,
    AnnotationCode,
    Article,
    ArticleTag,
    Code,
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
STATE_CHECKS = 4
INDEX_VERSION = "3"  # bump when the schema or the analysis changes: the index is rebuilt
TEXT_FIELDS = ("title", "body", "byline", "section", "source", "annotation")
# The same texts as exact word forms (not stemmed), for quoted phrases: "interest rates".
EXACT_FIELDS = {"title": "title_exact", "body": "body_exact", "annotation": "annotation_exact"}
SYNC_BATCH = 5_000
WRITER_HEAP = 48_000_000  # the writer's arena; more buys little for batches of 5,000

articles = cast(Table, Article.__table__)
queue = cast(Table, SearchQueue.__table__)
meta = cast(Table, Meta.__table__)


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


class IndexUnavailable(Exception):
    """The search index cannot be kept where it belongs; the message says what to do."""


ArchiveState = Callable[[], "str | None"]


class SearchIndex:
    """The index folder of one archive: opened, rebuilt when needed, kept in sync.

    The index belongs to one state of one archive: each sync records a fresh token in the
    archive (in the transaction that drains the queue), then in the index folder. An index
    whose token is not the archive's — another archive, a restored backup, a file emptied
    or replaced — is rebuilt instead of answering for articles not there. A crash between
    the two writes costs a rebuild, never a stale index.
    """

    def __init__(self, folder: Path, archive_state: ArchiveState = lambda: None) -> None:
        self.folder = folder
        self.schema = build_schema()
        self.created = False  # made anew: every article must be indexed
        self.failed: set[int] = set()  # articles the last syncs could not index
        self._high_water = 0  # the last queue entry the latest drain knew of
        self._archive_state = archive_state
        self.index = self._open(archive_state)

    def _open(self, archive_state: ArchiveState) -> tantivy.Index:
        version_file = self.folder / "newsreader-index-version"
        if self.folder.exists() and not self.folder.is_dir():
            raise IndexUnavailable(
                f"{self.folder} is a file where the search index belongs; move it away and "
                "search again (the index is rebuilt from the archive)"
            )
        if self.folder.exists():
            fits = version_file.exists() and version_file.read_text().strip() == INDEX_VERSION
            fits = fits and self._belongs(archive_state)
            if fits:
                try:
                    return self._register(tantivy.Index(self.schema, path=str(self.folder)))
                except (ValueError, OSError) as error:  # damaged: rebuild from the archive
                    log.warning("search index at %s unusable (%s); rebuilding", self.folder, error)
            else:
                log.info("search index at %s is not this archive's; rebuilding", self.folder)
            shutil.rmtree(self.folder)
        try:
            self.folder.mkdir(parents=True)
        except OSError as error:
            message = f"cannot make the search index at {self.folder}: {error}"
            raise IndexUnavailable(message) from error
        index = self._register(tantivy.Index(self.schema, path=str(self.folder)))
        version_file.write_text(INDEX_VERSION)
        self.created = True
        return index

    @property
    def _state_file(self) -> Path:
        return self.folder / STATE_FILE

    def _belongs(self, archive_state: ArchiveState) -> bool:
        """Whether the index recorded the archive's state. A sync elsewhere records the
        archive's new state a moment before the index's, so a mismatch is looked at again."""
        for attempt in range(STATE_CHECKS):
            recorded = self._state_file.read_text() if self._state_file.exists() else None
            if recorded == archive_state():  # both None: made before states were recorded
                return True
            time.sleep(0.05 * attempt)
        return False

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
        return self.index.searcher()

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
                done, high_water = done + self._drain(writer, engine), self._high_water
            finally:
                del writer
            with engine.connect() as connection:  # changes queued while we held the writer
                if (
                    connection.execute(
                        select(queue.c.seq).where(queue.c.seq > high_water).limit(1)
                    ).first()
                    is None
                ):
                    return done

    def fill_once(self, engine: Engine) -> int:
        """Index every article of an archive we may only read (nothing is written to it).

        Such an index lives in the user's cache, named after the archive's file and state,
        so it is built once and stays right for as long as the file does not change.
        """
        if not self.created:
            return 0
        writer = self.index.writer(heap_size=WRITER_HEAP)
        try:
            with engine.connect() as connection:
                ids = list(connection.execute(select(articles.c.id)).scalars())
                for start in range(0, len(ids), SYNC_BATCH):
                    for row in _indexed_articles(connection, ids[start : start + SYNC_BATCH]):
                        writer.add_document(row.document())
            writer.commit()
            writer.wait_merging_threads()
        finally:
            del writer
        if (state := self._archive_state()) is not None:
            self._record_state(state)
        self.created = False
        return len(ids)

    def _drain(self, writer: tantivy.IndexWriter, engine: Engine) -> int:
        """Index every queued article, batch by batch; articles that cannot be indexed are
        logged and queued again behind the rest, so one never blocks the others."""
        if self.created:
            with engine.begin() as connection:
                connection.execute(delete(queue))
                connection.execute(
                    queue.insert().from_select(["article_id"], select(articles.c.id))
                )
            self.created = False
        with engine.connect() as connection:
            stop = connection.execute(select(func.max(queue.c.seq))).scalar() or 0
        self._high_water = stop
        done = 0
        while True:
            with engine.connect() as connection:  # one snapshot: queue and rows agree
                upto = connection.execute(
                    select(queue.c.seq).where(queue.c.seq <= stop)
                    .order_by(queue.c.seq).limit(1).offset(SYNC_BATCH - 1)
                ).scalar() or stop  # fmt: skip
                ids = sorted(set(connection.execute(
                    select(queue.c.article_id).where(queue.c.seq <= upto)
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
            writer.wait_merging_threads()
            token = uuid.uuid4().hex
            with engine.begin() as connection:
                connection.execute(delete(queue).where(queue.c.seq <= upto))
                connection.execute(delete(meta).where(meta.c.key == STATE_KEY))
                connection.execute(meta.insert().values(key=STATE_KEY, value=token))
                if failed:
                    connection.execute(queue.insert(), [{"article_id": i} for i in failed])
                    self._high_water = (
                        connection.execute(select(func.max(queue.c.seq))).scalar() or 0
                    )
            self._record_state(token)
            self.failed = set(failed) | (self.failed - set(ids))
            done += len(rows) - len(failed)
            if upto >= stop:
                return done


def _indexed_articles(connection: Connection, ids: Sequence[int]) -> Iterable[IndexedArticle]:
    section = aliased(Section)
    source = aliased(Source)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            select(
                Article.id, Article.title, Article.text, Article.byline, Article.published_at,
                Article.saved_at, Article.is_read, Article.is_starred, section.name, section.key,
                source.name,
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
        for article_id, exact, note, color, tag_list in connection.execute(
            select(Annotation.article_id, Annotation.exact, Annotation.note, Annotation.color,
                   Annotation.tags).where(Annotation.article_id.in_(chunk))
        ):  # fmt: skip
            notes.setdefault(article_id, []).extend([exact, note, *(tag_list or [])])
            colors.setdefault(article_id, set()).add(color)
            extra_flags.setdefault(article_id, {"annotated"}).update({"note"} if note else ())
            tags.setdefault(article_id, []).extend(t.casefold() for t in tag_list or [])
        codes: dict[int, set[str]] = {}
        for article_id, name in connection.execute(
            select(Annotation.article_id, Code.name)
            .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
            .join(Code, Code.id == AnnotationCode.code_id)
            .where(Annotation.article_id.in_(chunk))
        ):
            codes.setdefault(article_id, set()).add(name.casefold())
        for row in connection.execute(query):
            flags = ("read" if row.is_read else "unread",) + (
                ("starred",) if row.is_starred else ()
            )
            flags += tuple(sorted(extra_flags.get(row.id, ())))
            yield IndexedArticle(
                id=row.id, title=row.title, body=row.text, byline=row.byline or "",
                section=row[8] or "", section_key=row[9] or "", source=row[10] or "",
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
