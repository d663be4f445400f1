"""The archive service: every user action on articles is one call here, one transaction.

The UI and the CLI both go through this class, and it hands back plain dataclasses
(never ORM objects), so results can cross threads and processes safely.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from newsreader.core import db
from newsreader.core.blocks import (
    Block,
    ExtractedArticle,
    blocks_from_json,
    blocks_to_json,
    canonical_text,
)
from newsreader.core.dates import parse_published
from newsreader.core.models import (
    Article,
    ArticleAsset,
    ArticleVersion,
    Asset,
    Meta,
    RelatedLink,
    Section,
    Source,
    utcnow,
)
from newsreader.core.sections import section_display_name, section_key
from newsreader.core.urls import host_of, normalize_url

SaveStatus = Literal["saved", "duplicate", "updated"]
SortOrder = Literal["saved", "published", "title", "section"]
_WHITESPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """Identity of an article's text, insensitive to case and whitespace."""
    normalized = _WHITESPACE.sub(" ", text).strip().casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    status: SaveStatus
    article_id: int
    title: str
    reason: str = ""


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
            "text": self.text,
            "related": [
                {"url": r.url, "title": r.title, "target_id": r.target_id, "origin": r.origin}
                for r in self.related
            ],
        }


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
        db.migrate(self._writer)
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)

    def close(self) -> None:
        self._reader.dispose()
        self._writer.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._write_sessions() as session, session.begin():
            yield session

    # -- saving -------------------------------------------------------------------

    def save(self, article: ExtractedArticle) -> SaveOutcome:
        """Save one extracted article (or recognise it as a duplicate), in one transaction."""
        outcome = self.save_many([article])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def save_many(self, articles: Iterable[ExtractedArticle]) -> list[SaveOutcome | Exception]:
        """Save a batch in one transaction, each item in its own savepoint.

        An item that fails to save rolls back alone and comes back as its exception;
        the rest of the batch is kept.
        """
        results: list[SaveOutcome | Exception] = []
        with self._writing() as session:
            cache: dict[tuple[str, str], int] = {}
            for article in articles:
                try:
                    with session.begin_nested():
                        results.append(_save_one(session, article, cache))
                except Exception as error:  # one bad item never aborts the batch
                    cache.clear()
                    results.append(error)
        return results

    # -- reading ------------------------------------------------------------------

    def get(self, article_id: int) -> ArticleDetail | None:
        with self._reading() as session:
            row = session.get(Article, article_id)
            return _detail(row) if row is not None else None

    def list_articles(
        self,
        *,
        section: str | None = None,
        limit: int = 100,
        offset: int = 0,
        order: SortOrder = "saved",
        descending: bool = True,
    ) -> list[ArticleSummary]:
        """A window of the article list, optionally of one section (by key or name)."""
        columns = {
            "saved": Article.saved_at,
            "published": func.coalesce(Article.published_at, Article.saved_at),
            "title": Article.title,
            "section": Section.name,
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
        if section is not None:
            query = query.where(Section.key == section_key(section))
        with self._reading() as session:
            return [ArticleSummary(*row) for row in session.execute(query)]

    def count(self, *, section: str | None = None) -> int:
        query = select(func.count(Article.id))
        if section is not None:
            query = query.join(Section, Article.section_id == Section.id).where(
                Section.key == section_key(section)
            )
        with self._reading() as session:
            return int(session.scalar(query) or 0)

    def sections(self) -> list[SectionCount]:
        """Every section with its article count, largest first."""
        query = (
            select(Section.key, Section.name, func.count(Article.id))
            .join(Article, Article.section_id == Section.id)
            .group_by(Section.id)
            .order_by(func.count(Article.id).desc(), Section.name)
        )
        with self._reading() as session:
            return [SectionCount(key, name, count) for key, name, count in session.execute(query)]

    def asset(self, sha256: str) -> tuple[str, bytes] | None:
        """(media type, bytes) of a stored asset, for offline rendering."""
        with self._reading() as session:
            row = session.execute(
                select(Asset.media_type, Asset.data).where(Asset.sha256 == sha256)
            ).first()
            return (row[0], row[1]) if row else None

    # -- changing -----------------------------------------------------------------

    def delete(self, article_id: int) -> bool:
        """Delete an article with its links and versions, and assets nothing else uses."""
        with self._writing() as session:
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
            return True

    def mark_read(self, article_id: int, read: bool = True) -> bool:
        return self._set_flag(article_id, is_read=read)

    def star(self, article_id: int, starred: bool = True) -> bool:
        return self._set_flag(article_id, is_starred=starred)

    def _set_flag(self, article_id: int, **values: bool) -> bool:
        with self._writing() as session:
            result = session.execute(
                update(Article).where(Article.id == article_id).values(**values)
            )
            return bool(getattr(result, "rowcount", 0))

    # -- archive facts ------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._reading() as session:
            row = session.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as session:
            session.merge(Meta(key=key, value=value))


def _detail(row: Article) -> ArticleDetail:
    return ArticleDetail(
        id=row.id,
        url=row.url,
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
            RelatedView(link.title, link.url, link.target_id, link.origin, link.score)
            for link in row.related_links
        ],
    )


def _get_or_create_id(
    session: Session,
    cache: dict[tuple[str, str], int],
    model: type[Section] | type[Source],
    key: str,
    **values: str,
) -> int:
    cached = cache.get((model.__tablename__, key))
    if cached is not None:
        return cached
    found = session.scalar(select(model.id).where(model.key == key))
    if found is None:
        row = model(key=key, **values)
        session.add(row)
        session.flush()
        found = row.id
    cache[(model.__tablename__, key)] = found
    return found


def _section_id(
    session: Session, cache: dict[tuple[str, str], int], label: str | None
) -> int | None:
    name = section_display_name(label) if label else None
    key = section_key(name) if name else ""
    if not name or not key:
        return None
    return _get_or_create_id(session, cache, Section, key, name=name)


def _source_id(
    session: Session, cache: dict[tuple[str, str], int], article: ExtractedArticle, url: str | None
) -> int | None:
    host = host_of(url) if url else None
    name = (article.source or "").strip() or host
    if not name:
        return None
    key = host or section_key(name) or name.casefold()
    kind = "site" if host else ("corpus" if article.format == "jsonl" else "file")
    return _get_or_create_id(session, cache, Source, key, name=name, kind=kind)


def _store_images(session: Session, article: ExtractedArticle) -> tuple[list[Block], list[int]]:
    """Keep the article's images as content-addressed assets; point blocks at them."""
    blocks: list[Block] = []
    asset_ids: list[int] = []
    for block in article.blocks:
        data = article.images.get(block.src) if block.kind == "image" else None
        if not data:
            blocks.append(block)
            continue
        digest = hashlib.sha256(data).hexdigest()
        asset_id = session.scalar(select(Asset.id).where(Asset.sha256 == digest))
        if asset_id is None:
            media_type = mimetypes.guess_type(block.src)[0] or "application/octet-stream"
            asset = Asset(
                sha256=digest, media_type=media_type, size=len(data), data=data,
                original_url=block.src,
            )  # fmt: skip
            session.add(asset)
            session.flush()
            asset_id = asset.id
        if asset_id not in asset_ids:
            asset_ids.append(asset_id)
        blocks.append(Block("image", src=f"asset:{digest}", alt=block.alt))
    return blocks, asset_ids


def _related_links(session: Session, article_id: int, article: ExtractedArticle) -> None:
    own_url = normalize_url(article.url) if article.url else None
    seen: set[tuple[str | None, str]] = set()
    for position, item in enumerate(article.related):
        url = normalize_url(item.url) if item.url else None
        if (url is not None and url == own_url) or (url, item.title) in seen:
            continue
        seen.add((url, item.title))
        target = session.scalar(
            select(Article.id).where(Article.url == url)
            if url
            else select(Article.id).where(Article.title == item.title).limit(1)
        )
        session.add(
            RelatedLink(
                article_id=article_id, position=position, url=url, title=item.title,
                target_id=target, origin="page",
            )
        )  # fmt: skip


def _resolve_links_to(session: Session, row: Article, url: str | None) -> None:
    """Links saved earlier that point at this article now resolve to the archived copy:
    by URL, or by exact title for title-only entries (as text dumps give)."""
    unresolved = update(RelatedLink).where(RelatedLink.target_id.is_(None))
    if url is not None:
        session.execute(unresolved.where(RelatedLink.url == url).values(target_id=row.id))
    session.execute(
        unresolved.where(RelatedLink.url.is_(None), RelatedLink.title == row.title).values(
            target_id=row.id
        )
    )


def _save_one(
    session: Session, article: ExtractedArticle, cache: dict[tuple[str, str], int]
) -> SaveOutcome:
    url = normalize_url(article.url) if article.url else None
    text = canonical_text(article.blocks)
    if not text.strip():
        raise ValueError("the article has no text")
    digest = content_hash(text)

    existing = session.scalar(select(Article).where(Article.url == url)) if url else None
    if existing is not None:
        if existing.content_hash == digest:
            return SaveOutcome("duplicate", existing.id, existing.title, "same URL, same text")
        return _update(session, existing, article, text, digest)
    same_text = session.execute(
        select(Article.id, Article.title).where(Article.content_hash == digest).limit(1)
    ).first()
    if same_text is not None:
        return SaveOutcome(
            "duplicate", same_text[0], same_text[1], f"same text as article #{same_text[0]}"
        )

    blocks, asset_ids = _store_images(session, article)
    row = Article(
        url=url,
        external_id=article.external_id,
        title=article.title.strip() or text[:80],
        byline=article.byline,
        published_at=parse_published(article.published),
        section_id=_section_id(session, cache, article.section),
        source_id=_source_id(session, cache, article, url),
        language=article.language,
        format=article.format,
        text=canonical_text(blocks),
        blocks=blocks_to_json(blocks),
        content_hash=digest,
    )
    session.add(row)
    session.flush()
    session.add_all(ArticleAsset(article_id=row.id, asset_id=a) for a in asset_ids)
    _related_links(session, row.id, article)
    _resolve_links_to(session, row, url)
    return SaveOutcome("saved", row.id, row.title)


def _update(
    session: Session, row: Article, article: ExtractedArticle, text: str, digest: str
) -> SaveOutcome:
    """A re-import of a known URL with new text: keep the old text as a version."""
    session.add(
        ArticleVersion(
            article_id=row.id, version=row.version, title=row.title, text=row.text,
            blocks=row.blocks, content_hash=row.content_hash, saved_at=row.saved_at,
        )
    )  # fmt: skip
    blocks, asset_ids = _store_images(session, article)
    row.title = article.title.strip() or row.title
    row.byline = article.byline or row.byline
    row.published_at = parse_published(article.published) or row.published_at
    row.text = canonical_text(blocks)
    row.blocks = blocks_to_json(blocks)
    row.content_hash = digest
    row.version += 1
    row.saved_at = utcnow()
    session.execute(
        delete(RelatedLink).where(RelatedLink.article_id == row.id, RelatedLink.origin == "page")
    )
    known = set(
        session.scalars(select(ArticleAsset.asset_id).where(ArticleAsset.article_id == row.id))
    )
    session.add_all(
        ArticleAsset(article_id=row.id, asset_id=a) for a in asset_ids if a not in known
    )
    session.flush()
    _related_links(session, row.id, article)
    return SaveOutcome("updated", row.id, row.title, f"new text; version {row.version - 1} kept")
