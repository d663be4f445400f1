"""The archive service: every user action on articles is one call here, one transaction.

The UI and the CLI both go through this class, and it hands back plain dataclasses
(never ORM objects), so results can cross threads and processes safely.
"""

from __future__ import annotations

import getpass
import gzip
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from platformdirs import user_cache_path, user_data_path
from sqlalchemy import Connection, Engine, and_, delete, exists, func, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from newsreader.core import db, marks
from newsreader.core.blocks import Block, ExtractedArticle, blocks_from_json
from newsreader.core.errors import (
    ArchiveBusy,
    ArchiveError,
    ArchiveForbidden,
    ArchiveFull,
    ArchiveReadOnly,
    ArchiveUnreachable,
)
from newsreader.core.models import (
    Annotation,
    Article,
    ArticleAsset,
    ArticleOriginal,
    ArticleTag,
    Asset,
    Base,
    Feed,
    Meta,
    SavedSearch,
    Section,
    Source,
    Tag,
    utcnow,
)
from newsreader.core.rows import ArticleSummary
from newsreader.core.unicode import scrub

if TYPE_CHECKING:  # imported where used: listing articles needs neither saving nor search
    from newsreader.core.annotations import Annotations
    from newsreader.core.changes import CommitWatch
    from newsreader.core.codebook import Codebook
    from newsreader.core.counts import UnreadCounts
    from newsreader.core.importing import Imports
    from newsreader.core.reextraction import Reextraction
    from newsreader.core.related import Related
    from newsreader.core.research import Research
    from newsreader.core.saving import SaveOutcome
    from newsreader.core.search.index import SearchIndex
    from newsreader.core.search.service import Search
    from newsreader.core.team import Team
    from newsreader.core.web.feeds import Feeds
    from newsreader.core.web.pages import Web
from newsreader.core.sections import section_key

__all__ = [
    "Archive",
    "ArchiveError",
    "ArticleDetail",
    "ArticleSummary",
    "Cursor",
    "ListPage",
]


log = logging.getLogger(__name__)


def _write_failure(path: Path | str, error: Exception) -> Exception:
    """The ArchiveError a failed write means, or the error itself if it means none."""
    if isinstance(error, StaleDataError):  # a row-level security policy hid the row
        return ArchiveForbidden(
            f"{path} refused the change: only the one who made it (or an editor) may "
            "change or delete it; nothing was changed"
        )
    kind = db.write_failure(error)
    if kind == "unreachable":
        return ArchiveUnreachable(
            f"the team archive {path} cannot be reached: the server stopped or the network "
            "is gone; nothing was changed"
        )
    if kind == "forbidden":
        return ArchiveForbidden(
            f"{path} refused the change: your role in this team archive does not allow it "
            f"({db.reason(error)}); nothing was changed — an owner can change roles "
            "(newsreader team members)"
        )
    if kind == "busy":
        return ArchiveBusy(
            f"{path} is busy: another program is writing to it and did not let go in time; "
            "nothing was changed — try again when it is done"
        )
    if kind == "full":
        return ArchiveFull(f"the disk holding {path} is full; nothing more was saved")
    if kind == "read-only":
        return ArchiveReadOnly(f"{path} cannot be written: nothing was changed")
    return error


def read_only_index_folder(path: Path) -> Path:
    """Where the search index of an archive we may not write lives: the user's cache,
    under a name that changes whenever the file does."""
    facts = path.resolve().stat()
    name = hashlib.sha256(f"{path.resolve()}|{facts.st_size}|{facts.st_mtime_ns}".encode())
    return user_cache_path("newsreader", appauthor=False) / "read-only" / name.hexdigest()[:24]


def team_folder(address: str, member: str) -> Path:
    """Where this client keeps its own files for the team archive at `address` (given
    without a password) as `member`: the user's data folder, under a hash of both (an
    index holds its member's own marks, so two roles used from one login keep two)."""
    name = hashlib.sha256(f"{address}\n{member}".encode()).hexdigest()[:24]
    return user_data_path("newsreader", appauthor=False) / "team" / name


def _open_failure(path: Path | str, error: Exception, *, team: bool = False) -> ArchiveError:
    if team:
        return ArchiveError(f"the team archive {path} cannot be opened: {error}")
    if "database is locked" in str(error):
        return ArchiveBusy(
            f"{path} is busy: another program is writing to it and did not let go in time; "
            "try again when it is done"
        )
    if isinstance(error, OSError):
        return ArchiveError(f"{path} cannot be opened: {error.strerror or error}")
    return ArchiveError(
        f"{path} cannot be opened as a Newsreader archive "
        f"(not an archive, damaged, or made by a newer version): {error}"
    )


SortOrder = Literal["saved", "published", "title", "section", "source"]
View = Literal["all", "unread", "starred", "annotated", "recent"]
VIEWS: tuple[View, ...] = ("all", "unread", "starred", "annotated", "recent")
RECENT_DAYS = 7
LAST_OPEN_KEY = "last_open_article"  # member_settings: the article open last
# archive_meta, per login (or coder): the name that person gave in a personal archive
MEMBER_KEY = "member_name"


def default_order(view: View) -> SortOrder:
    """How a view lists when the reader has not chosen: "Recently saved" by saving time,
    the others by date (published; undated ones by saving time, after the dated)."""
    return "saved" if view == "recent" else "published"


def _narrowed(
    query: Any, *, member: str, section: str | None, source: str | None, view: View,
    tag: str | None = None, folder: str | None = None,
) -> Any:  # fmt: skip
    """The query limited to a section, a source, a tag, a folder of feeds and a smart view
    (Unread and Starred by this member's own marks)."""
    if folder is not None:
        query = query.where(
            Article.source_id.in_(select(Feed.source_id).where(Feed.folder == folder))
        )
    if tag is not None:
        query = query.where(
            exists().where(
                ArticleTag.article_id == Article.id, ArticleTag.tag_id == Tag.id, Tag.name == tag
            )
        )
    if section is not None:
        query = query.where(Section.key == section_key(section))
    if source is not None:
        query = query.where(Source.key == source)
    if view == "unread":
        query = query.where(~marks.has_mark(member, "is_read"))
    elif view == "starred":  # driven from the member's starred (few), not every article
        query = query.where(Article.id.in_(marks.marked_ids(member, "is_starred")))
    elif view == "annotated":  # driven from the annotations (few), not every article
        query = query.where(Article.id.in_(select(Annotation.article_id)))
    elif view == "recent":
        query = query.where(Article.saved_at >= utcnow() - timedelta(days=RECENT_DAYS))
    return query


# Where a page of the list starts: the sort key and id of the last row before it.
Cursor = tuple[Any, int]


def _sort_key(order: SortOrder) -> Any:
    """The column a list order sorts by (ties broken by id, newest first). An article
    without a section or source sorts as an empty name, the same on every database."""
    return {
        "saved": Article.saved_at,
        "published": Article.sort_date,
        "title": Article.sort_title,
        "section": func.coalesce(Section.name, ""),
        "source": func.coalesce(Source.name, ""),
    }[order]


def _ordering(key: Any, descending: bool, *, reverse_ids: bool = False) -> tuple[Any, Any]:
    """ORDER BY for the list: the key either way, then id newest first (oldest first when
    the whole order is read backwards)."""
    return (key.desc() if descending else key.asc(),
            Article.id.asc() if reverse_ids else Article.id.desc())  # fmt: skip


def _beyond(key: Any, cursor: Cursor, descending: bool) -> Any:
    """Rows after `cursor` in the list's order. The plain range on the key comes first so
    that the index on it is entered at the cursor; ties on the key go on by id."""
    value, article_id = cursor
    if descending:
        return and_(key <= value, or_(key < value, Article.id < article_id))
    return and_(key >= value, or_(key > value, Article.id < article_id))


_AFTER_ALL_IDS = 1 << 62  # a cursor id above every article's: a group from its start


def _name_groups(
    session: Session, order: SortOrder, descending: bool
) -> list[tuple[str, list[int | None]]]:
    """The sections' (or sources') names in the list's order, each with the ids that bear
    it; None stands for the articles that have none, which sort as the empty name."""
    table = Section if order == "section" else Source
    named = session.execute(
        select(func.coalesce(table.name, ""), table.id).order_by(func.coalesce(table.name, ""))
    ).all()  # fmt: skip
    groups: dict[str, list[int | None]] = {"": [None]}
    for name, row_id in named:  # in the database's order of names
        groups.setdefault(name, []).append(row_id)
    ordered = sorted(groups.items(), key=lambda item: item[0] != "")  # "" first, stable
    return ordered[::-1] if descending else ordered


def _in_group(column: Any, ids: list[int | None]) -> Any:
    known = [i for i in ids if i is not None]
    if None not in ids:
        return column.in_(known)
    return or_(column.in_(known), column.is_(None)) if known else column.is_(None)


def _broad(scope: dict[str, Any]) -> bool:
    """Whether a scope holds much of the archive (every article, the unread, the recent):
    then a list by section or source name is read name by name; a narrow one (starred,
    annotated, a tag, a folder) is small enough to sort, and reading it name by name
    would walk every name's articles to find few."""
    return scope["view"] in ("all", "unread", "recent") and not (scope["tag"] or scope["folder"])


def _scope_joins(query: Any, scope: dict[str, Any], order: SortOrder | None = None) -> Any:
    """A query over articles that reads no names, with the joins its scope (a section or
    source named by key) or its order needs — and no others, so that an index on the
    articles alone can answer it."""
    if order == "section" or scope["section"] is not None:
        query = query.outerjoin(Section, Article.section_id == Section.id)
    if order == "source" or scope["source"] is not None:
        query = query.outerjoin(Source, Article.source_id == Source.id)
    return _narrowed(query, **scope)


@dataclass(frozen=True, slots=True)
class ListPage:
    """A page of the list and the cursor that continues it (None: nothing more)."""

    rows: list[ArticleSummary]
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class RelatedView:
    title: str
    url: str | None
    target_id: int | None
    origin: str
    score: float | None


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """Everything the reader view needs to show one article."""

    id: int
    url: str | None
    title: str
    byline: str | None
    published_at: datetime | None
    saved_at: datetime
    section: str | None
    source: str | None
    language: str | None
    text: str
    blocks: list[Block]
    is_read: bool
    is_starred: bool
    version: int
    related: list[RelatedView] = field(default_factory=list)
    # Provenance of the body (see Article): None for articles saved before it was kept.
    extractor: str | None = None
    extraction_confidence: float | None = None
    may_be_incomplete: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "section": self.section,
            "byline": self.byline,
            "published": self.published_at.isoformat() if self.published_at else None,
            "saved": self.saved_at.isoformat(),
            "source": self.source,
            "language": self.language,
            "read": self.is_read,
            "starred": self.is_starred,
            "version": self.version,
            "extractor": self.extractor,
            "extraction_confidence": self.extraction_confidence,
            "may_be_incomplete": self.may_be_incomplete,
            "text": self.text,
            "related": [
                {"url": r.url, "title": r.title, "target_id": r.target_id, "origin": r.origin}
                for r in self.related
            ],
        }


@dataclass(frozen=True, slots=True)
class ArticleSnapshot:
    """An article's rows as they were, to put back under the same id (undo of a delete).

    `rows`: the article's own row ("articles") and every row the delete removes with it
    (annotations, tags, related links, versions, the original page, image links), by
    table; `assets`: the images it uses, which the delete removes when nothing else
    does; `pointers`: rows elsewhere that point at it (another article's related link, a
    feed item) as (table, primary key, column), which the delete sets to NULL.
    """

    article_id: int
    rows: dict[str, list[dict[str, Any]]]
    assets: list[dict[str, Any]]
    tag_names: dict[int, str]
    pointers: list[tuple[str, dict[str, Any], str]]


# Rows the delete removes that a restore leaves out: recomputed when needed.
NOT_RESTORED = frozenset({"similar_cache"})


def _references_to_articles(ondelete: str, parent: str = "articles") -> list[tuple[Any, Any]]:
    """(table, column) of every foreign key to `parent`.id with this ON DELETE action."""
    found = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == parent and (key.ondelete or "").upper() == ondelete:
                found.append((table, key.parent))
    return found


@dataclass(frozen=True, slots=True)
class Rights:
    """What the member may do in this archive (a team archive's server enforces it; the
    window only greys out what would be refused)."""

    mark: bool  # keep read and starred marks (every member of a team; not a read-only file)
    annotate: bool  # highlight and write notes (annotators and up)
    edit: bool  # import, tag, delete and re-extract articles, edit feeds (editors and up)

    @property
    def role(self) -> Literal["reader", "annotator", "editor"] | None:
        """The team role these rights are (an owner's are an editor's), None for none."""
        return ("editor" if self.edit else "annotator" if self.annotate
                else "reader" if self.mark else None)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SavedSearchView:
    id: int
    name: str
    query: str


@dataclass(frozen=True, slots=True)
class SectionCount:
    key: str
    name: str
    count: int


class Archive:
    """One archive — a file, or a team archive on a PostgreSQL server (postgresql://...):
    open it, then save, read, list, delete, mark and star articles.

    `name` is what to show (the file, or the address without a password); `path` is the
    file, or for a team archive the folder where this client keeps its own files (its
    search index) beside its settings.
    """

    def __init__(
        self, location: Path | str, *, upgrading: Callable[[], None] | None = None
    ) -> None:
        self.is_team = db.is_server_address(location)
        self.location = location  # as given: a file, or a server address
        if self.is_team:
            # This client's own files for a team archive (its search index) live beside
            # its settings, under a name made from the address without a password.
            self.name = db.public_address(str(location))
            self.path = Path()  # this member's folder, once the server says who we are
            self.read_only = False
        else:
            self.path = Path(location)
            self.name = str(self.path)
            self.read_only = self.path.exists() and not db.is_writable(self.path)
        self._search_index: SearchIndex | None = None
        # Told (articles indexed, articles in all) while a team member's index catches up.
        self.index_progress: Callable[[int, int], None] | None = None
        self._search_lock = threading.Lock()
        self._reader: Engine | None = None
        self._writer: Engine | None = None
        self._upgrading = upgrading  # told when opening must first upgrade the schema
        self._member: str | None = None  # a team archive's: its role, learnt on opening
        self._rights: Rights | None = None  # ... and what that role may do
        try:
            if self.is_team:
                self._open_server(str(location))
            else:
                self._open_engines()
        except (DBAPIError, sqlite3.Error, db.MigrationError, OSError) as error:
            self.close()
            raise _open_failure(self.name, error, team=self.is_team) from error
        except ArchiveError:
            self.close()
            raise
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)

    def _open_server(self, address: str) -> None:
        """Connect to a team archive, refuse a database another program made, migrate."""
        self._reader, self._writer = db.create_server_engines(address)
        if tables := db.foreign_server_tables(self._reader):
            raise ArchiveError(
                f"{self.name} holds the tables of another program ({', '.join(tables[:6])}"
                f"{'…' if len(tables) > 6 else ''}); Newsreader leaves it untouched — "
                "choose an empty database or a Newsreader archive"
            )
        db.migrate(self._writer, self._reader, self._upgrading)
        with self._reader.connect() as connection:  # asked once here, never by the window
            member, *rights = connection.execute(text(
                "SELECT current_user, has_table_privilege('member_states', 'INSERT'), "
                "has_table_privilege('annotations', 'INSERT'), "
                "has_table_privilege('articles', 'DELETE')"
            )).one()  # fmt: skip
            self._member, self._rights = str(member), Rights(*map(bool, rights))
        self.path = team_folder(self.name, self._member)

    def _open_engines(self) -> None:
        """Open the file (read-only when this user may not write it), refuse a database
        another program made, and bring ours to the current schema."""
        if tables := db.foreign_tables(self.path):
            raise ArchiveError(
                f"{self.path} is a database of another program (tables: "
                f"{', '.join(tables[:6])}{'…' if len(tables) > 6 else ''}); Newsreader leaves "
                "it untouched — choose a new file or a Newsreader archive"
            )
        if self.read_only:
            self._reader = self._writer = db.create_read_only_engine(self.path)
        else:
            self._reader, self._writer = db.create_engines(self.path)
        if not self.read_only:
            db.migrate(self._writer, self._reader, self._upgrading)
        elif db.current_revision(self._reader) != db.HEAD_REVISION:
            raise ArchiveError(
                f"{self.path} is read-only and was made by another version of Newsreader; "
                "it can be opened once it may be written (to upgrade it)"
            )

    @property
    def reader(self) -> Engine:
        assert self._reader is not None, "the archive is closed"
        return self._reader

    @property
    def writer(self) -> Engine:
        assert self._writer is not None, "the archive is closed"
        return self._writer

    @property
    def search_index(self) -> SearchIndex:
        """The full-text index beside the archive file, opened (or rebuilt) on first use."""
        if self._search_index is not None:  # searches never wait for a running sync
            return self._search_index
        from newsreader.core.search.index import SearchIndex

        with self._search_lock:
            if self._search_index is None:
                if self.read_only:
                    folder = read_only_index_folder(self.path)
                    self._search_index = SearchIndex(folder, self.reader, read_only=True)
                elif self.is_team:  # this member's own index, caught up from the change log
                    from newsreader.core.search.changelog import TeamSearchIndex

                    self._search_index = TeamSearchIndex(self.path / "search", self.reader,
                                                         progress=self.index_progress)  # fmt: skip
                    self._search_index.sync(self.reader)
                else:
                    folder = self.path.with_name(self.path.name + ".search")
                    self._search_index = SearchIndex(folder, self.writer)
                    self._search_index.sync(self.writer)
            return self._search_index

    @property
    def member(self) -> str:
        """Who works in this archive, recorded as the author of what they make and the
        owner of their read and starred marks: on a team archive the PostgreSQL role it
        was opened as (the server checks it); on a personal one the name this person gave
        with `set_member_name` (kept in the archive under who they are here — the login,
        or $NEWSREADER_CODER for coders sharing a file — so the command line and the
        window agree), else that login or coder name itself."""
        if self._member is None:
            here = local_member_name()
            self._member = self.get_meta(f"{MEMBER_KEY}:{here}") or here
        return self._member

    @property
    def rights(self) -> Rights:
        """What this archive lets us do: everything in a file we may write, nothing in one
        we may not; on a team archive what our role may (learnt once, on opening)."""
        if self._rights is None:
            self._rights = Rights(*(not self.read_only,) * 3)
        return self._rights

    def set_member_name(self, name: str) -> None:
        """The name a personal archive records as author (Preferences); a team archive's
        members are its roles, so there it changes nothing. The reader naming themself
        keeps their read and starred marks (merged into any that name has already)."""
        name = " ".join(scrub(name).split())[:120]
        if self.is_team or not name or name == self.member:
            return
        if not self.read_only:
            with self.writing() as session:
                marks.rename_member(session.connection(), self.member, name)
                session.merge(Meta(key=f"{MEMBER_KEY}:{local_member_name()}", value=name))
        self._member = name

    @cached_property
    def annotations(self) -> Annotations:
        """Highlights and notes (see newsreader.core.annotations)."""
        from newsreader.core.annotations import Annotations

        return Annotations(self)

    @cached_property
    def codebook(self) -> Codebook:
        """Codes and the codings of highlights (see newsreader.core.codebook)."""
        from newsreader.core.codebook import Codebook

        return Codebook(self)

    @cached_property
    def reextraction(self) -> Reextraction:
        """Extracting articles again from their kept originals (core/reextraction.py)."""
        from newsreader.core.reextraction import Reextraction

        return Reextraction(self)

    @cached_property
    def related(self) -> Related:
        """Related articles: the page's links, similar ones, backlinks (core/related.py)."""
        from newsreader.core.related import Related

        return Related(self)

    @cached_property
    def research(self) -> Research:
        """Concordance, counts, agreement, exports, REFI-QDA, citations (core/research.py)."""
        from newsreader.core.research import Research

        return Research(self)

    @cached_property
    def search(self) -> Search:
        """Queries over the full-text index (see newsreader.core.search.service)."""
        from newsreader.core.search.service import Search

        return Search(self)

    @cached_property
    def team(self) -> Team:
        """A team archive's members and roles (see newsreader.core.team)."""
        from newsreader.core.team import Team

        return Team(self)

    @cached_property
    def imports(self) -> Imports:
        """Importing files, folders and other apps' exports (core/importing/)."""
        from newsreader.core.importing import Imports

        return Imports(self)

    @cached_property
    def feeds(self) -> Feeds:
        """Subscriptions: adding, refreshing, their items (see newsreader.core.web.feeds)."""
        from newsreader.core.web.feeds import Feeds

        return Feeds(self)

    @cached_property
    def web(self) -> Web:
        """Saving pages by address and the "work offline" switch (core/web/pages.py)."""
        from newsreader.core.web.pages import Web

        return Web(self)

    def watch_commits(self) -> CommitWatch:
        """A watch saying when anyone committed to this archive (core/changes.py)."""
        from newsreader.core.changes import CommitWatch

        return CommitWatch(self.location, self.writer)

    def sync_search(self) -> int:
        """Index what changed since the last sync; the number of articles indexed.

        Never fails a write: an index problem leaves the changes queued for next time.
        """
        if self.read_only:
            return 0
        try:
            index = self.search_index
            with self._search_lock:  # a team member's index only reads the archive
                return index.sync(self.reader if self.is_team else self.writer)
        except Exception:
            log.exception("the search index could not catch up; changes stay queued")
            return 0

    def close(self) -> None:
        self._search_index = None
        for engine in {self._reader, self._writer} - {None}:
            assert engine is not None
            engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction; a lock held too long, a full disk or a read-only file
        comes out as an ArchiveError saying so (nothing of the transaction is kept)."""
        if self.read_only:
            raise ArchiveReadOnly(f"{self.name} is read-only: nothing can be changed in it")
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except Exception as error:  # a database's refusal, said for a person; others as is
            failure = _write_failure(self.name, error)
            if failure is error:
                raise
            raise failure from error

    # -- saving -------------------------------------------------------------------

    def save(self, article: ExtractedArticle) -> SaveOutcome:
        """Save one extracted article (or recognise it as a duplicate), in one transaction."""
        outcome = self.save_many([article])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def save_many(
        self, articles: Iterable[ExtractedArticle], *, index: bool = True
    ) -> list[SaveOutcome | Exception]:
        """Save a batch in one transaction, each item in its own savepoint.

        An item that fails to save rolls back alone and comes back as its exception;
        the rest of the batch is kept.
        """
        from newsreader.core.saving import Saver

        articles = list(articles)
        with self.writing() as session:
            results = Saver(session.connection(), self.member).save_all(articles)
        # Another writer saved the same page meanwhile (two members of a team archive at
        # once): its row is committed now, so saving again finds it — one article.
        clashed = [i for i, result in enumerate(results) if isinstance(result, IntegrityError)]
        if clashed:
            with self.writing() as session:
                saver = Saver(session.connection(), self.member)
                again = saver.save_all([articles[i] for i in clashed])
            for i, result in zip(clashed, again, strict=True):
                results[i] = result
        if index:  # bulk imports index every few batches instead (one commit each)
            self.sync_search()
        return results

    # -- reading ------------------------------------------------------------------

    def get(self, article_id: int) -> ArticleDetail | None:
        with self.reading() as session:
            row = session.get(Article, article_id)
            if row is None:
                return None
            is_read, is_starred = marks.marks_of(session.connection(), self.member, article_id)
            return _detail(row, is_read, is_starred)

    def list_articles(
        self,
        *,
        section: str | None = None,
        source: str | None = None,
        tag: str | None = None,
        folder: str | None = None,
        view: View = "all",
        limit: int = 100,
        offset: int = 0,
        order: SortOrder | None = None,
        descending: bool = True,
    ) -> list[ArticleSummary]:
        """A window of the article list: everything, a smart view, a section or a source,
        in `order` (None: the view's default_order). Dates and titles sort by the keys of
        core/sorting.py."""
        return self.list_page(
            section=section, source=source, tag=tag, folder=folder, view=view, limit=limit,
            offset=offset, order=order, descending=descending,
        ).rows  # fmt: skip

    def list_page(
        self,
        *,
        section: str | None = None,
        source: str | None = None,
        tag: str | None = None,
        folder: str | None = None,
        view: View = "all",
        limit: int = 100,
        offset: int = 0,
        after: Cursor | None = None,
        total: int | None = None,
        order: SortOrder | None = None,
        descending: bool = True,
    ) -> ListPage:
        """A page of the list by keyset: the `limit` rows after `after` (the cursor of the
        page before), or else after the first `offset` rows.

        SQLite's OFFSET reads every row it skips (seconds near the end of a million); here
        the row before the page is found from the sort key and id alone — an index walk,
        backwards from the end when `total` (the list's length) says that is shorter —
        and the page is a seek from it. Rows come in the same order OFFSET gives.
        """
        order = order or default_order(view)
        scope: dict[str, Any] = {"section": section, "source": source, "view": view, "tag": tag,
                 "folder": folder, "member": self.member}  # fmt: skip
        key = _sort_key(order)
        with self.reading() as session:
            if order in ("section", "source") and _broad(scope):
                return self._page_by_group(session, order, descending, limit, offset, after,
                                           scope)  # fmt: skip
            if after is None and offset > 0:
                after = self._cursor_at(session, offset, total, order, descending, scope)
                if after is None:
                    return ListPage([], None)
            query = (
                select(
                    Article.id,
                    Article.title,
                    Section.name,
                    Source.name,
                    Article.published_at,
                    Article.saved_at,
                    *self._marks(),
                    key,
                )
                .outerjoin(Section, Article.section_id == Section.id)
                .outerjoin(Source, Article.source_id == Source.id)
                .order_by(*_ordering(key, descending))
                .limit(limit)
            )
            query = _narrowed(query, **scope)
            if after is not None:
                query = query.where(_beyond(key, after, descending))
            found = session.execute(query).all()
        rows = [ArticleSummary(*row[:-1]) for row in found]
        cursor = (found[-1][-1], found[-1][0]) if found else None
        return ListPage(rows, cursor)

    def _page_by_group(
        self, session: Session, order: SortOrder, descending: bool, limit: int, offset: int,
        after: Cursor | None, scope: dict[str, Any],
    ) -> ListPage:  # fmt: skip
        """A page of the list by section or by source name. No index orders a million
        articles by a joined name, so the names (a small table) are ordered here and each
        name's articles are read newest first from the index on section_id or source_id —
        the same order as ORDER BY name, id DESC, without sorting the archive."""
        groups = _name_groups(session, order, descending)
        column = Article.section_id if order == "section" else Article.source_id
        if after is None and offset > 0:
            counts = dict(session.execute(
                _scope_joins(select(column, func.count()).group_by(column), scope)
            ).all())  # fmt: skip
            for name, ids in groups:
                size = sum(counts.get(i, 0) for i in ids)
                if offset < size:
                    if offset > 0:
                        first = _scope_joins(select(Article.id), scope).where(
                            _in_group(column, ids)).order_by(Article.id.desc())  # fmt: skip
                        after = (name, session.scalar(first.offset(offset - 1).limit(1)) or 0)
                    else:
                        after = (name, _AFTER_ALL_IDS)
                    break
                offset -= size
            else:
                return ListPage([], None)
        start = 0
        if after is not None:
            beyond = [name <= after[0] if descending else name >= after[0] for name, _ in groups]
            start = beyond.index(True) if True in beyond else len(groups)
        rows: list[ArticleSummary] = []
        cursor: Cursor | None = None
        for name, ids in groups[start:]:
            wanted = limit - len(rows)
            found: list[ArticleSummary] = []
            for group_id in ids:  # one seek per id: no sort, even when names repeat
                query = (
                    select(Article.id, Article.title, Section.name, Source.name,
                           Article.published_at, Article.saved_at, *self._marks())
                    .outerjoin(Section, Article.section_id == Section.id)
                    .outerjoin(Source, Article.source_id == Source.id)
                    .where(column.is_(None) if group_id is None else column == group_id)
                    .order_by(Article.id.desc())
                    .limit(wanted)
                )  # fmt: skip
                if after is not None and name == after[0]:
                    query = query.where(Article.id < after[1])
                found += [ArticleSummary(*r) for r in session.execute(_narrowed(query, **scope))]
            found = sorted(found, key=lambda row: row.id, reverse=True)[:wanted]
            rows += found
            if found:
                cursor = (name, found[-1].id)
            if len(rows) >= limit:
                break
        return ListPage(rows, cursor)

    def _cursor_at(
        self, session: Session, offset: int, total: int | None, order: SortOrder,
        descending: bool, scope: dict[str, Any],
    ) -> Cursor | None:  # fmt: skip
        """The cursor of the row just before `offset`: read from the sort key and id only
        (joining sections or sources only when the sort or the scope needs them), so the
        rows skipped are index entries, not articles."""
        key = _sort_key(order)
        backwards = total is not None and offset > total // 2
        query = select(key, Article.id)
        if backwards:  # the same row, counted from the end
            assert total is not None
            query = query.order_by(*_ordering(key, not descending, reverse_ids=True))
            query = query.offset(max(total - offset, 0))
        else:
            query = query.order_by(*_ordering(key, descending)).offset(offset - 1)
        row = session.execute(_scope_joins(query.limit(1), scope, order)).first()
        return (row[0], row[1]) if row is not None else None

    def count(
        self, *, section: str | None = None, source: str | None = None, view: View = "all",
        tag: str | None = None, folder: str | None = None,
    ) -> int:  # fmt: skip
        query = select(func.count(Article.id))
        if section is not None:
            query = query.join(Section, Article.section_id == Section.id)
        if source is not None:
            query = query.join(Source, Article.source_id == Source.id)
        scope: dict[str, Any] = {"section": section, "source": source, "tag": tag,
                                 "folder": folder, "member": self.member}  # fmt: skip
        with self.reading() as session:
            if view != "unread":
                return int(session.scalar(_narrowed(query, view=view, **scope)) or 0)
            # The unread are all but the read: counting the member's read marks reads
            # their rows, where counting "no mark" would probe every article's.
            read = marks.only_read(query, self.member)
            everything = session.scalar(_narrowed(query, view="all", **scope)) or 0
            return int(everything) - int(session.scalar(_narrowed(read, view="all", **scope)) or 0)

    def unread_counts(self) -> UnreadCounts:
        """Unread articles per section, source and tag (see core/counts.py)."""
        from newsreader.core.counts import unread_counts

        return unread_counts(self)

    def view_counts(self) -> dict[str, int]:
        """How many articles each smart view holds (All, Unread, Starred, ...)."""
        return {view: self.count(view=view) for view in VIEWS}

    def sources(self) -> list[SectionCount]:
        """Every source with its article count, largest first."""
        query = (
            select(Source.key, Source.name, func.count(Article.id))
            .join(Article, Article.source_id == Source.id)
            .group_by(Source.id)
            .order_by(func.count(Article.id).desc(), Source.name)
        )
        with self.reading() as session:
            return [SectionCount(key, name, count) for key, name, count in session.execute(query)]

    def tags(self) -> list[SectionCount]:
        """Every tag in use with its article count, by name."""
        query = (
            select(Tag.name, func.count(ArticleTag.article_id))
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .group_by(Tag.id)
            .order_by(Tag.name)
        )
        with self.reading() as session:
            return [SectionCount(name, name, count) for name, count in session.execute(query)]

    def article_tags(self, article_id: int) -> list[str]:
        with self.reading() as session:
            return list(session.scalars(
                select(Tag.name).join(ArticleTag, ArticleTag.tag_id == Tag.id)
                .where(ArticleTag.article_id == article_id).order_by(Tag.name)
            ))  # fmt: skip

    def set_tags(self, article_id: int, tags: Iterable[str]) -> list[str]:
        """Give an article exactly these tags (trimmed, without repeats)."""
        names = sorted({" ".join(scrub(t).split())[:120] for t in tags if t.strip()})
        with self.writing() as session:
            if session.get(Article, article_id) is None:
                raise ValueError(f"no article with id {article_id}")
            session.execute(delete(ArticleTag).where(ArticleTag.article_id == article_id))
            for name in names:
                tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
                if tag_id is None:
                    tag = Tag(name=name)
                    session.add(tag)
                    session.flush()
                    tag_id = tag.id
                session.add(ArticleTag(article_id=article_id, tag_id=tag_id))
        self.sync_search()
        return names

    def sections(self) -> list[SectionCount]:
        """Every section with its article count, largest first."""
        query = (
            select(Section.key, Section.name, func.count(Article.id))
            .join(Article, Article.section_id == Section.id)
            .group_by(Section.id)
            .order_by(func.count(Article.id).desc(), Section.name)
        )
        with self.reading() as session:
            return [SectionCount(key, name, count) for key, name, count in session.execute(query)]

    def asset(self, sha256: str) -> tuple[str, bytes] | None:
        """(media type, bytes) of a stored asset, for offline rendering."""
        with self.reading() as session:
            row = session.execute(
                select(Asset.media_type, Asset.data).where(Asset.sha256 == sha256)
            ).first()
            return (row[0], row[1]) if row else None

    # -- changing -----------------------------------------------------------------

    def original(self, article_id: int) -> tuple[str, bytes] | None:
        """The page as it was fetched (media type, bytes), when it was kept."""
        with self.reading() as session:
            row = session.get(ArticleOriginal, article_id)
            return (row.media_type, gzip.decompress(row.data)) if row is not None else None

    def snapshot(self, article_id: int) -> ArticleSnapshot | None:
        """Everything needed to bring a deleted article back under its id (undo)."""
        with self.reading() as session:
            conn = session.connection()
            own = _rows(conn, select(Article.__table__).where(Article.id == article_id))
            if not own:
                return None
            rows = {"articles": own}
            for table, column in _references_to_articles("CASCADE"):
                if table.name not in NOT_RESTORED:
                    rows[table.name] = _rows(conn, select(table).where(column == article_id))
            for parent in list(rows):  # rows deleted with those (a highlight's codings)
                ids = [row["id"] for row in rows[parent] if "id" in row]
                for table, column in _references_to_articles("CASCADE", parent):
                    if parent != "articles" and ids:
                        rows[table.name] = _rows(conn, select(table).where(column.in_(ids)))
            asset_ids = [row["asset_id"] for row in rows.get("article_assets", [])]
            assets = _rows(conn, select(Asset.__table__).where(Asset.id.in_(asset_ids)))
            tag_ids = [row["tag_id"] for row in rows.get("article_tags", [])]
            tag_names = {row["id"]: row["name"] for row in _rows(
                conn, select(Tag.id, Tag.name).where(Tag.id.in_(tag_ids)))}  # fmt: skip
            pointers = [
                (table.name, key, column.name)
                for table, column in _references_to_articles("SET NULL")
                for key in _rows(conn, select(*table.primary_key.columns).where(
                    column == article_id))
            ]  # fmt: skip
        return ArticleSnapshot(article_id, rows, assets, tag_names, pointers)

    def restore(self, snapshot: ArticleSnapshot) -> int:
        """Put a deleted article back from its snapshot, under the same id, with everything
        it had; only if another article has taken the id meanwhile does it get a new one."""
        with self.writing() as session:
            conn = session.connection()
            own = dict(snapshot.rows["articles"][0])
            if _exists(conn, "articles", own["id"]):
                del own["id"]
            article_id = _insert(conn, "articles", own)
            new_ids = {
                "article_id": {snapshot.article_id: article_id},
                "asset_id": {a["id"]: _restored_asset(conn, a) for a in snapshot.assets},
                "tag_id": {old: _tag_id(conn, name) for old, name in snapshot.tag_names.items()},
            }
            for name, rows in snapshot.rows.items():
                for row in rows if name != "articles" else ():
                    values = {k: new_ids[k].get(v, v) if k in new_ids else v
                              for k, v in row.items()}  # fmt: skip
                    if "id" in values and _exists(conn, name, values["id"]):
                        del values["id"]  # a version's or highlight's id, taken meanwhile
                    new_id = _insert(conn, name, values)
                    if "id" in row:  # rows restored after it point at its id as it is now
                        new_ids.setdefault(_key_column(name), {})[row["id"]] = new_id
            for name, key, column in snapshot.pointers:
                table = Base.metadata.tables[name]
                where = [table.c[k] == v for k, v in key.items()]
                conn.execute(update(table).where(*where, table.c[column].is_(None))
                             .values({column: article_id}))  # fmt: skip
            for name in {*snapshot.rows, "assets"}:  # rows put back under their own ids
                if "id" in Base.metadata.tables[name].c:
                    db.set_sequence_past(conn, name)
        self.sync_search()
        return article_id

    def delete(self, article_id: int) -> bool:
        """Delete an article with its links and versions, and assets nothing else uses."""
        with self.writing() as session:
            row = session.get(Article, article_id)
            if row is None:
                return False
            asset_ids = list(
                session.scalars(
                    select(ArticleAsset.asset_id).where(ArticleAsset.article_id == article_id)
                )
            )
            session.delete(row)
            session.flush()
            if asset_ids:
                still_used = select(ArticleAsset.asset_id)
                session.execute(
                    delete(Asset).where(Asset.id.in_(asset_ids), Asset.id.not_in(still_used))
                )
        self.sync_search()
        return True

    def mark_read(self, article_id: int, read: bool = True) -> bool:
        """Mark an article read (or unread) for this member; False if there is no such article."""
        return self._set_mark(article_id, "is_read", read)

    def star(self, article_id: int, starred: bool = True) -> bool:
        return self._set_mark(article_id, "is_starred", starred)

    def _set_mark(self, article_id: int, mark: marks.Mark, on: bool) -> bool:
        with self.writing() as session:
            db.announce_private(session.connection())
            changed = marks.set_mark(session.connection(), self.member, [article_id], mark, on)
        self.sync_search()
        return bool(changed)

    def _marks(self) -> tuple[Any, Any]:
        """The list's columns saying whether this member read and starred each row."""
        return (marks.has_mark(self.member, "is_read").label("is_read"),
                marks.has_mark(self.member, "is_starred").label("is_starred"))  # fmt: skip

    def last_open(self) -> int | None:
        """The article this member had open last in this archive (on any computer)."""
        with self.reader.connect() as conn:
            value = marks.setting(conn, self.member, LAST_OPEN_KEY)
        return int(value) if value and value.isdigit() else None

    def remember_open(self, article_id: int) -> None:
        """Note the article open now, for `last_open`; a read-only archive keeps nothing."""
        if self.read_only:
            return
        with self.writing() as session:
            db.announce_private(session.connection())
            marks.set_setting(session.connection(), self.member, LAST_OPEN_KEY, str(article_id))

    # -- saved searches -------------------------------------------------------------

    def saved_searches(self) -> list[SavedSearchView]:
        with self.reading() as session:
            rows = session.execute(
                select(SavedSearch.id, SavedSearch.name, SavedSearch.query).order_by(
                    SavedSearch.name
                )
            )
            return [SavedSearchView(*row) for row in rows]

    def save_search(self, name: str, query: str) -> SavedSearchView:
        """Save (or, for a known name, replace) a named query."""
        name, query = " ".join(scrub(name).split())[:200], scrub(query)
        if not name or not query.strip():
            raise ValueError("a saved search needs a name and a query")
        with self.writing() as session:
            row = session.scalar(select(SavedSearch).where(SavedSearch.name == name))
            if row is None:
                row = SavedSearch(name=name, query=query)
                session.add(row)
            row.query = query
            session.flush()
            return SavedSearchView(row.id, row.name, row.query)

    def delete_saved_search(self, search_id: int) -> bool:
        with self.writing() as session:
            result = session.execute(delete(SavedSearch).where(SavedSearch.id == search_id))
            return bool(getattr(result, "rowcount", 0))

    # -- archive facts ------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.reading() as session:
            row = session.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.writing() as session:
            session.merge(Meta(key=key, value=value))


def local_member_name() -> str:
    """Who works in a personal archive before Preferences name them: $NEWSREADER_CODER,
    else the login (empty for a uid without a name, as in some containers)."""
    if coder := os.environ.get("NEWSREADER_CODER"):
        return " ".join(coder.split())[:120]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _key_column(table_name: str) -> str:
    """The column name other tables use for this table's id ("annotations" → "annotation_id")."""
    return table_name.removesuffix("s") + "_id"


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(query)]


def _exists(conn: Connection, table_name: str, row_id: int) -> bool:
    table = Base.metadata.tables[table_name]
    return conn.execute(select(table.c.id).where(table.c.id == row_id)).first() is not None


def _insert(conn: Connection, table_name: str, values: dict[str, Any]) -> int:
    """Insert one row; its id (0 for a table keyed by other columns)."""
    key = conn.execute(
        Base.metadata.tables[table_name].insert().values(values)
    ).inserted_primary_key
    return key[0] if key and isinstance(key[0], int) else 0


def _restored_asset(conn: Connection, asset: dict[str, Any]) -> int:
    """The id of this asset in the archive: the same bytes if kept, else put back."""
    found = conn.execute(select(Asset.id).where(Asset.sha256 == asset["sha256"])).scalar()
    if found is not None:
        return int(found)
    values = {k: v for k, v in asset.items() if k != "id" or not _exists(conn, "assets", v)}
    return _insert(conn, "assets", values)


def _tag_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(Tag.id).where(Tag.name == name)).scalar()
    return int(found) if found is not None else _insert(conn, "tags", {"name": name})


def _detail(row: Article, is_read: bool, is_starred: bool) -> ArticleDetail:
    return ArticleDetail(
        id=row.id,
        url=row.original_url or row.url,
        title=row.title,
        byline=row.byline,
        published_at=row.published_at,
        saved_at=row.saved_at,
        section=row.section.name if row.section else None,
        source=row.source.name if row.source else None,
        language=row.language,
        text=row.text,
        blocks=blocks_from_json(row.blocks),
        is_read=is_read,
        is_starred=is_starred,
        version=row.version,
        related=[
            RelatedView(
                link.title, link.original_url or link.url, link.target_id, link.origin, link.score
            )
            for link in row.related_links
        ],
        extractor=row.extractor,
        extraction_confidence=row.extraction_confidence,
        may_be_incomplete=row.may_be_incomplete,
    )
