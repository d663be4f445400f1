"""The archive's data model (SQLAlchemy 2.x typed ORM). See DESIGN.md, "Data"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
        list[str]: JSON,
    }


class Source(Base):
    """A site, feed or corpus that articles come from."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)  # host or normalized name
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="site")  # site | feed | corpus | file
    url: Mapped[str | None] = mapped_column(Text)


class Section(Base):
    """A normalized section facet ("INTERNATIONAL", "/international/" → International)."""

    __tablename__ = "sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Article(Base):
    """A saved article. `text` is canonical: it equals the plain text of `blocks`."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(Text, unique=True)  # normalized: the dedupe key
    original_url: Mapped[str | None] = mapped_column(Text)  # as found, for opening
    external_id: Mapped[str | None] = mapped_column(String(255))  # not looked up: no index
    title: Mapped[str] = mapped_column(Text, index=True)
    byline: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # The list's date: published, else saved. Stored and indexed so that a window of a
    # million-article list sorted by date is an index walk, not a sort.
    sort_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # core/sorting.py
    sort_title: Mapped[str] = mapped_column(Text, default="")  # title, case and accents folded
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(16), default="html")
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Provenance of the body (HTML pages): the extractor whose candidate won, how much of
    # the other candidates' text it holds (0..1), and whether another candidate held much
    # text it lacks (the reader then says the article may be incomplete).
    extractor: Mapped[str | None] = mapped_column(String(40))
    extraction_confidence: Mapped[float | None] = mapped_column(Float)
    may_be_incomplete: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    __table_args__ = (
        Index("ix_articles_sort_date", "sort_date", "id"),
        Index("ix_articles_sort_title", "sort_title", "id"),
        # Everything a list row shows: a page of search hits (ids in any order) is read
        # from this index alone, never from rows whose text spills over several pages.
        Index(
            "ix_articles_list_row",
            "id",
            "title",
            "section_id",
            "source_id",
            "published_at",
            "saved_at",
        ),
        Index("ix_articles_section_sort_date", "section_id", "sort_date", "id"),
    )

    section: Mapped[Section | None] = relationship(lazy="joined")
    source: Mapped[Source | None] = relationship(lazy="joined")
    related_links: Mapped[list[RelatedLink]] = relationship(
        foreign_keys="RelatedLink.article_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RelatedLink.position",
    )


class RelatedLink(Base):
    """A link from an article to a related URL/title; `target_id` once it is archived."""

    __tablename__ = "related_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str | None] = mapped_column(Text, index=True)  # normalized, to resolve
    original_url: Mapped[str | None] = mapped_column(Text)  # as found, for opening
    title: Mapped[str] = mapped_column(Text, index=True)
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str] = mapped_column(String(16), default="page")  # page | similar
    score: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_related_links_article_origin", "article_id", "origin"),)


class Asset(Base):
    """An image or other resource kept in the archive, addressed by its SHA-256."""

    __tablename__ = "assets"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    original_url: Mapped[str | None] = mapped_column(Text)


class ArticleAsset(Base):
    __tablename__ = "article_assets"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ArticleVersion(Base):
    """An earlier text of an article, kept when a re-import changes it."""

    __tablename__ = "article_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("article_id", "version"),)


class Meta(Base):
    """Archive-wide key/value facts (e.g. whether the first-run sample was seeded)."""

    __tablename__ = "archive_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SearchQueue(Base):
    """Articles whose search-index entry is stale, filled by triggers (migration 0002).

    On SQLite the one index beside the file drains it up to a known `seq` after the index
    commits, so a change made meanwhile, or a crash before the commit, leaves the article
    queued: the index always catches up with the archive by itself. On a team archive
    (PostgreSQL) it is an append-only change log: each member's index reads it from a
    cursor of its own, ordered by the writing transaction `txid` (migration 0012 and
    newsreader/core/search/changelog.py).
    """

    __tablename__ = "search_queue"
    __table_args__ = (Index("ix_search_queue_txid_seq", "txid", "seq"),)
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    article_id: Mapped[int] = mapped_column(Integer)
    txid: Mapped[int | None] = mapped_column(BigInteger)  # PostgreSQL: the writer's xid8


class MemberState(Base):
    """One member's marks on one article: read, starred (migration 0014).

    Each member of a team archive has their own (row-level security keeps them theirs,
    core/team.py); a personal archive's are its reader's. No row means unread and not
    starred, so a new article needs no rows and a new member starts with everything unread.
    """

    __tablename__ = "member_states"
    member: Mapped[str] = mapped_column(String(120), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    is_starred: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_member_states_starred", "member", "is_starred"),)


class MemberSetting(Base):
    """One member's settings that belong to the archive, not the machine (the article
    open last), so they follow the member to another computer."""

    __tablename__ = "member_settings"
    member: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SavedSearch(Base):
    """A query with a name, shown in the sidebar."""

    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Annotation(Base):
    """A highlight (and optional note) on an article, in the W3C Web Annotation model.

    Both selectors are kept: the position (start/end into `Article.text`) and the quote
    (exact text with context), so the highlight re-anchors when the text changes. An
    orphaned annotation keeps its quote and note and is never deleted by re-anchoring.
    """

    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    exact: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="anchored")
    color: Mapped[str] = mapped_column(String(16), default="yellow", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Who coded it: the name set in Preferences, or a JSON-LD import's creator. Agreement
    # between coders compares their highlights (see core/agreement.py).
    coder: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Who made it here: the member (a team archive's role, or the local name). Team
    # archives let only its author change it (row-level security, see core/team.py).
    author: Mapped[str] = mapped_column(String(120), default="", server_default="", index=True)
    # Counts the edits: a save made from an older revision is a conflict (two members
    # editing one note), never a silent overwrite.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Code(Base):
    """A code of the codebook: a name, a colour, a description and an optional parent.

    The five highlight colours are the codes a new archive starts with (migration 0010);
    `uuid` names the code in REFI-QDA exchanges, so a round trip keeps it the same code.
    """

    __tablename__ = "codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    color: Mapped[str] = mapped_column(String(16))  # "#rrggbb"
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("codes.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)  # keys 1-9 follow this order
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnnotationCode(Base):
    """A coding: a highlight carries a code."""

    __tablename__ = "annotation_codes"
    annotation_id: Mapped[int] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SimilarCache(Base):
    """When an article's similar articles were last computed, and over how many articles.

    The list itself lives in `related_links` (origin "similar" or "duplicate"); it is
    recomputed when the archive has grown enough since, so old articles gain new neighbours.
    """

    __tablename__ = "similar_cache"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    archive_size: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Feed(Base):
    """A subscription: an RSS/Atom feed refreshed on its interval, in a folder.

    Its items are saved as articles whose source is the feed's `Source` (kind "feed").
    The refresh state (validators for conditional GET, last success and last error) is
    kept so the reader can see why a feed is quiet.
    """

    __tablename__ = "feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(200), default="")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedItem(Base):
    """A feed entry already seen, so a refresh saves only new items (by guid)."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class QueuedUrl(Base):
    """A URL waiting to be fetched (an export entry that held only a link).

    It keeps what the export said about it (title, tags, dates, read and starred state)
    so the article gets them once fetched; a failed fetch stays queued with its error.
    """

    __tablename__ = "fetch_queue"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)  # normalized
    original_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    is_starred: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(Text, default="")  # the import it came from
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ArticleOriginal(Base):
    """The page as fetched (gzip-compressed), so it can be re-extracted later."""

    __tablename__ = "article_originals"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(100))
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # gzip
