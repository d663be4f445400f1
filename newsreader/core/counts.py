"""Unread counts per section, source and tag: what the sidebar's groups show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from newsreader.core.models import Article, ArticleTag, MemberState, Section, Source, Tag

if TYPE_CHECKING:
    from newsreader.core.archive import Archive


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    sections: dict[str, int] = field(default_factory=dict)  # section key -> unread
    sources: dict[str, int] = field(default_factory=dict)  # source key -> unread
    tags: dict[str, int] = field(default_factory=dict)  # tag name -> unread


def unread_counts(archive: Archive) -> UnreadCounts:
    """Three grouped counts over the member's unread articles: all articles less those the
    member read, per group (two queries each, each reading an index, not the articles)."""
    member = archive.member
    with archive.reading() as session:

        def unread_by(key: Any, *joins: tuple[Any, Any]) -> dict[str, int]:
            query = select(key, func.count(Article.id))
            for table, on in joins:
                query = query.join(table, on)
            everything: dict[str, int] = dict(session.execute(query.group_by(key)).all())
            read: dict[str, int] = dict(session.execute(query.join(MemberState, and_(
                MemberState.article_id == Article.id, MemberState.member == member,
                MemberState.is_read.is_(True))).group_by(key)).all())  # fmt: skip
            return {name: count - read.get(name, 0) for name, count in everything.items()}

        return UnreadCounts(
            unread_by(Section.key, (Article, Article.section_id == Section.id)),
            unread_by(Source.key, (Article, Article.source_id == Source.id)),
            unread_by(
                Tag.name,
                (ArticleTag, ArticleTag.tag_id == Tag.id),
                (Article, Article.id == ArticleTag.article_id),
            ),
        )
