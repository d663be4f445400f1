"""Unread counts per section, source and tag: what the sidebar's groups show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from newsreader.core.models import Article, ArticleTag, Section, Source, Tag

if TYPE_CHECKING:
    from newsreader.core.archive import Archive


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    sections: dict[str, int] = field(default_factory=dict)  # section key -> unread
    sources: dict[str, int] = field(default_factory=dict)  # source key -> unread
    tags: dict[str, int] = field(default_factory=dict)  # tag name -> unread


def unread_counts(archive: Archive) -> UnreadCounts:
    """Three grouped counts over the unread articles (one query each)."""
    unread = Article.is_read.is_(False)
    with archive.reading() as session:
        sections = session.execute(
            select(Section.key, func.count(Article.id))
            .join(Article, Article.section_id == Section.id)
            .where(unread)
            .group_by(Section.key)
        )
        by_section = {key: count for key, count in sections}
        sources = session.execute(
            select(Source.key, func.count(Article.id))
            .join(Article, Article.source_id == Source.id)
            .where(unread)
            .group_by(Source.key)
        )
        by_source = {key: count for key, count in sources}
        tags = session.execute(
            select(Tag.name, func.count(Article.id))
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .join(Article, Article.id == ArticleTag.article_id)
            .where(unread)
            .group_by(Tag.name)
        )
        by_tag = {name: count for name, count in tags}
    return UnreadCounts(by_section, by_source, by_tag)
