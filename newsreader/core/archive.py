"""The archive service: every user action on articles is one call here, one transaction.

The UI and the CLI both go through this class, and it hands back plain dataclasses
(never ORM objects), so results can cross threads and processes safely.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from alembic.util.exc import CommandError
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from newsreader.core import db
from newsreader.core.blocks import Block, ExtractedArticle, RelatedItem, blocks_from_json
from newsreader.core.models import (
    Annotation,
    Article,
    ArticleAsset,
    ArticleOriginal,
    ArticleTag,
    Asset,
    Feed,
    Meta,
    SavedSearch,
    Section,
    Source,
    Tag,
    utcnow,
)
from newsreader.core.saving import SaveOutcome, Saver, content_hash
from newsreader.core.search.index import SearchIndex
from newsreader.core.unicode import scrub

if TYPE_CHECKING:
    from newsreader.core.annotations import Annotations
    from newsreader.core.reextraction import Reextraction
    from newsreader.core.related import Related
from newsreader.core.sections import section_key

__all__ = [
    "Archive",
    "ArchiveError",
    "ArticleDetail",
    "ArticleSummary",
    "SaveOutcome",
    "content_hash",
]


log = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The archive file cannot be opened; the message says why."""


SortOrder = Literal["saved", "published", "title", "section", "source"]
View = Literal["all", "unread", "starred", "annotated", "recent"]
VIEWS: tuple[View, ...] = ("all", "unread", "starred", "annotated", "recent")
RECENT_DAYS = 7


def _narrowed(
    query: Any, *, section: str | None, source: str | None, view: View, tag: str | None = None,
    folder: str | None = None,
) -> Any:  # fmt: skip
    """The query limited to a section, a source, a tag, a folder of feeds and a smart view."""
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
        query = query.where(Article.is_read.is_(False))
    elif view == "starred":
        query = query.where(Article.is_starred.is_(True))
    elif view == "annotated":
        query = query.where(exists().where(Annotation.article_id == Article.id))
    elif view == "recent":
        query = query.where(Article.saved_at >= utcnow() - timedelta(days=RECENT_DAYS))
    return query


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of the article list."""

    id: int
    title: str
    section: str | None
    source: str | None
    published_at: datetime | None
    saved_at: datetime
    is_read: bool
    is_starred: bool


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
    article: ExtractedArticle
    is_read: bool
    is_starred: bool
    tags: list[str]
    annotations: list[Any]  # AnnotationView


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
    """One archive file: open it, then save, read, list, delete, mark and star articles."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._reader, self._writer = db.create_engines(self.path)
        self._search_index: SearchIndex | None = None
        self._search_lock = threading.Lock()
        try:
            db.migrate(self._writer, self._reader)
        except (DBAPIError, CommandError) as error:
            self.close()
            if "database is locked" in str(error):
                raise ArchiveError(
                    f"{self.path} is busy: another program is writing to it and did not let "
                    "go in time; try again when it is done"
                ) from error
            raise ArchiveError(
                f"{self.path} cannot be opened as a Newsreader archive "
                f"(not an archive, damaged, or made by a newer version): {error}"
            ) from error
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)

    @property
    def search_index(self) -> SearchIndex:
        """The full-text index beside the archive file, opened (or rebuilt) on first use."""
        if self._search_index is not None:  # searches never wait for a running sync
            return self._search_index
        with self._search_lock:
            if self._search_index is None:
                self._search_index = SearchIndex(self.path.with_name(self.path.name + ".search"))
                self._search_index.sync(self._writer)
            return self._search_index

    @property
    def annotations(self) -> Annotations:
        """Highlights and notes (see newsreader.core.annotations)."""
        from newsreader.core.annotations import Annotations

        return Annotations(self)

    @property
    def reextraction(self) -> Reextraction:
        """Extracting articles again from their kept originals (core/reextraction.py)."""
        from newsreader.core.reextraction import Reextraction

        return Reextraction(self)

    @property
    def related(self) -> Related:
        """Related articles: the page's links, similar ones, backlinks (core/related.py)."""
        from newsreader.core.related import Related

        return Related(self)

    def sync_search(self) -> int:
        """Index what changed since the last sync; the number of articles indexed.

        Never fails a write: an index problem leaves the changes queued for next time.
        """
        try:
            index = self.search_index
            with self._search_lock:
                return index.sync(self._writer)
        except Exception:
            log.exception("the search index could not catch up; changes stay queued")
            return 0

    def close(self) -> None:
        self._search_index = None
        self._reader.dispose()
        self._writer.dispose()

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
        with self._write_sessions() as session, session.begin():
            yield session

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
        with self.writing() as session:
            results = Saver(session.connection()).save_all(articles)
        if index:  # bulk imports index every few batches instead (one commit each)
            self.sync_search()
        return results

    # -- reading ------------------------------------------------------------------

    def get(self, article_id: int) -> ArticleDetail | None:
        with self.reading() as session:
            row = session.get(Article, article_id)
            return _detail(row) if row is not None else None

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
        order: SortOrder = "saved",
        descending: bool = True,
    ) -> list[ArticleSummary]:
        """A window of the article list: everything, a smart view, a section or a source."""
        columns = {
            "saved": Article.saved_at,
            "published": Article.sort_date,
            "title": Article.title,
            "section": Section.name,
            "source": Source.name,
        }
        column = columns[order]
        query = (
            select(
                Article.id,
                Article.title,
                Section.name,
                Source.name,
                Article.published_at,
                Article.saved_at,
                Article.is_read,
                Article.is_starred,
            )
            .outerjoin(Section, Article.section_id == Section.id)
            .outerjoin(Source, Article.source_id == Source.id)
            .order_by(column.desc() if descending else column.asc(), Article.id.desc())
            .limit(limit)
            .offset(offset)
        )
        query = _narrowed(query, section=section, source=source, view=view, tag=tag,
                          folder=folder)  # fmt: skip
        with self.reading() as session:
            return [ArticleSummary(*row) for row in session.execute(query)]

    def count(
        self, *, section: str | None = None, source: str | None = None, view: View = "all",
        tag: str | None = None, folder: str | None = None,
    ) -> int:  # fmt: skip
        query = select(func.count(Article.id))
        if section is not None:
            query = query.join(Section, Article.section_id == Section.id)
        if source is not None:
            query = query.join(Source, Article.source_id == Source.id)
        query = _narrowed(query, section=section, source=source, view=view, tag=tag,
                          folder=folder)  # fmt: skip
        with self.reading() as session:
            return int(session.scalar(query) or 0)

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
        """Everything needed to bring a deleted article back (undo): text, images, links,
        flags, tags and highlights."""
        article = self.get(article_id)
        if article is None:
            return None
        images = {}
        for block in article.blocks:
            if block.kind == "image" and block.src.startswith("asset:"):
                found = self.asset(block.src.removeprefix("asset:"))
                if found is not None:
                    images[block.src] = found[1]
        with self.reading() as session:
            row = session.execute(
                select(Article.external_id, Article.format).where(Article.id == article_id)
            ).one()
        extracted = ExtractedArticle(
            title=article.title, blocks=article.blocks, section=article.section,
            byline=article.byline,
            published=article.published_at.isoformat() if article.published_at else None,
            related=[RelatedItem(r.title, r.url) for r in article.related if r.origin == "page"],
            url=article.url, source=article.source, language=article.language,
            format=row.format, external_id=row.external_id, images=images,
        )  # fmt: skip
        return ArticleSnapshot(
            extracted,
            article.is_read,
            article.is_starred,
            self.article_tags(article_id),
            self.annotations.list(article_id),
        )

    def restore(self, snapshot: ArticleSnapshot) -> int:
        """Save a snapshotted article again, with its flags, tags and highlights."""
        outcome = self.save(snapshot.article)
        article_id = outcome.article_id
        self.mark_read(article_id, snapshot.is_read)
        self.star(article_id, snapshot.is_starred)
        if snapshot.tags:
            self.set_tags(article_id, snapshot.tags)
        for annotation in snapshot.annotations:
            self.annotations.restore(replace(annotation, article_id=article_id))
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
        return self._set_flag(article_id, is_read=read)

    def star(self, article_id: int, starred: bool = True) -> bool:
        return self._set_flag(article_id, is_starred=starred)

    def _set_flag(self, article_id: int, **values: bool) -> bool:
        with self.writing() as session:
            result = session.execute(
                update(Article).where(Article.id == article_id).values(**values)
            )
            changed = bool(getattr(result, "rowcount", 0))
        self.sync_search()
        return changed

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


def _detail(row: Article) -> ArticleDetail:
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
        is_read=row.is_read,
        is_starred=row.is_starred,
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
