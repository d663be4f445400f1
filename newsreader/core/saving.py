"""Saving extracted articles: dedupe, sections, sources, assets, related links.

Written with SQLAlchemy Core on one connection rather than the ORM: bulk imports save
thousands of articles a second, and the ORM's unit of work would be most of that cost.
Every statement here is portable SQL (SQLite today, PostgreSQL later).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, bindparam, delete, insert, select, update

from newsreader.core.annotations import reanchor_article
from newsreader.core.blocks import (
    MAX_TEXT_CHARS,
    Block,
    ExtractedArticle,
    blocks_to_json,
    canonical_text,
)
from newsreader.core.dates import parse_published
from newsreader.core.db import write_failure
from newsreader.core.marks import MARKS, set_mark
from newsreader.core.media import image_type
from newsreader.core.models import (
    Article,
    ArticleAsset,
    ArticleOriginal,
    ArticleTag,
    ArticleVersion,
    Asset,
    Base,
    RelatedLink,
    Section,
    Source,
    Tag,
    utcnow,
)
from newsreader.core.sections import (
    section_display_name,
    section_key,
    section_variant,
    variant_keys,
)
from newsreader.core.sorting import date_key, title_key
from newsreader.core.unicode import scrub_article
from newsreader.core.urls import host_of, normalize_url

SaveStatus = Literal["saved", "duplicate", "updated"]
_WHITESPACE = re.compile(r"\s+")


_BY_URL = select(Article.id, Article.content_hash, Article.title, Article.version)
_BY_URL = _BY_URL.where(Article.url == bindparam("url"))
_BY_HASH = (
    select(Article.id, Article.title).where(Article.content_hash == bindparam("hash")).limit(1)
)
_BY_TITLE = select(Article.id).where(Article.title == bindparam("title")).limit(1)
_ID_BY_URL = select(Article.id).where(Article.url == bindparam("url"))
_VERSION_BY_HASH = select(ArticleVersion.id).where(
    ArticleVersion.article_id == bindparam("article_id"),
    ArticleVersion.content_hash == bindparam("hash"),
)
_ASSET_BY_SHA = select(Asset.id).where(Asset.sha256 == bindparam("sha"))
_RESOLVE_BY_URL = (
    update(RelatedLink)
    .where(RelatedLink.target_id.is_(None), RelatedLink.url == bindparam("link_url"))
    .values(target_id=bindparam("new_id"))
)
_RESOLVE_BY_TITLE = (
    update(RelatedLink)
    .where(RelatedLink.target_id.is_(None), RelatedLink.url.is_(None))
    .where(RelatedLink.title == bindparam("link_title"))
    .values(target_id=bindparam("new_id"))
)


def _provenance(article: ExtractedArticle) -> dict[str, Any]:
    """The provenance columns of an article's body."""
    return {
        "extractor": article.extractor,
        "extraction_confidence": article.extraction_confidence,
        "may_be_incomplete": article.may_be_incomplete,
    }


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


class Saver:
    """Saves articles on one connection inside the caller's transaction."""

    def __init__(self, connection: Connection, member: str) -> None:
        self.conn = connection
        self.member = member  # whose read and starred marks an import brings
        self._ids: dict[tuple[str, str], int] = {}  # (table, key) -> id, for this batch
        self._known_texts: dict[str, tuple[int, str]] | None = None  # hash -> (id, title)
        # Whether any link waits for a target; when none does, saving skips the look-ups.
        self._unresolved_by_url = self._any_unresolved(RelatedLink.url.is_not(None))
        self._unresolved_by_title = self._any_unresolved(RelatedLink.url.is_(None))

    def _any_unresolved(self, condition: ColumnElement[bool]) -> bool:
        query = select(RelatedLink.id).where(RelatedLink.target_id.is_(None), condition).limit(1)
        return self.conn.execute(query).first() is not None

    def save_all(self, items: Iterable[ExtractedArticle]) -> list[SaveOutcome | Exception]:
        """Save a batch; an item that fails rolls back alone and comes back as its error.

        Optimistic: the whole batch runs in one savepoint, and only if an item fails
        while writing is the batch redone with one savepoint per item.
        """
        batch = [scrub_article(article) for article in items]
        # Each text is hashed once: for the look-up of known texts and for saving.
        digests = [content_hash(canonical_text(article.blocks)) for article in batch]
        self._prefetch_hashes(digests)
        savepoint = self.conn.begin_nested()
        try:
            results = [
                self._checked(article) or self._save(article, digest)
                for article, digest in zip(batch, digests, strict=True)
            ]
        except Exception as error:
            savepoint.rollback()
            if write_failure(error):  # no item can be written: the caller must stop
                raise
            self._ids.clear()
            self._known_texts = None
            return self._save_one_by_one(batch, digests)
        savepoint.commit()
        self._known_texts = None
        return results

    def _prefetch_hashes(self, digests: list[str]) -> None:
        """Look up the batch's texts in one query per 500, not one per article."""
        known: dict[str, tuple[int, str]] = {}
        ordered = sorted(set(digests))
        for start in range(0, len(ordered), 500):
            rows = self.conn.execute(
                select(Article.content_hash, Article.id, Article.title).where(
                    Article.content_hash.in_(ordered[start : start + 500])
                )
            )
            for digest, article_id, title in rows:
                known.setdefault(digest, (article_id, title))
        self._known_texts = known

    @staticmethod
    def _checked(article: ExtractedArticle) -> Exception | None:
        """The error an item would fail with before any write, if any."""
        text = canonical_text(article.blocks)
        if not text.strip():
            return ValueError("the article has no text")
        if len(text) > MAX_TEXT_CHARS:
            return ValueError(f"the text is too long for an article ({len(text):,} characters)")
        return None

    def _save_one_by_one(
        self, batch: list[ExtractedArticle], digests: list[str]
    ) -> list[SaveOutcome | Exception]:
        results: list[SaveOutcome | Exception] = []
        for article, digest in zip(batch, digests, strict=True):
            savepoint = self.conn.begin_nested()
            try:
                outcome = self._save(article, digest)
            except Exception as error:  # one bad item never aborts the batch
                savepoint.rollback()
                if write_failure(error):  # ...but a full disk or a held lock stops it
                    raise
                self._ids.clear()  # ids created inside the rolled-back savepoint are gone
                results.append(error)
            else:
                savepoint.commit()
                results.append(outcome)
        return results

    def save(self, article: ExtractedArticle) -> SaveOutcome:
        article = scrub_article(article)
        return self._save(article, content_hash(canonical_text(article.blocks)))

    def _save(self, article: ExtractedArticle, digest: str) -> SaveOutcome:
        """Save a scrubbed article whose text hashes to ``digest``."""
        url = normalize_url(article.url) if article.url else None
        if error := self._checked(article):
            raise error
        text = canonical_text(article.blocks)
        if url is not None:
            existing = self.conn.execute(_BY_URL, {"url": url}).first()
            if existing is not None:
                if existing.content_hash == digest:
                    self.carry_state(existing.id, article)
                    return SaveOutcome(
                        "duplicate", existing.id, existing.title, "same URL, same text"
                    )
                if self.conn.execute(
                    _VERSION_BY_HASH, {"article_id": existing.id, "hash": digest}
                ).first():
                    self.carry_state(existing.id, article)
                    reason = f"an earlier version of article #{existing.id}"
                    return SaveOutcome("duplicate", existing.id, existing.title, reason)
                if article.provisional:
                    reason = "already archived; a feed's summary never replaces its text"
                    return SaveOutcome("duplicate", existing.id, existing.title, reason)
                outcome = self._update(existing.id, existing.version, article, digest)
                self.carry_state(existing.id, article)
                self._keep_original(existing.id, article, url)
                return outcome
        if self._known_texts is not None:
            same_text = self._known_texts.get(digest)
        else:
            row = self.conn.execute(_BY_HASH, {"hash": digest}).first()
            same_text = (row.id, row.title) if row is not None else None
        if same_text is not None:
            self.carry_state(same_text[0], article)
            reason = f"same text as article #{same_text[0]}"
            return SaveOutcome("duplicate", same_text[0], same_text[1], reason)

        blocks, asset_ids = self._store_images(article)
        title = article.title.strip() or text[:80]
        published, now = parse_published(article.published), utcnow()
        saved_at = parse_published(article.saved_at) or now
        article_id = self._insert(
            Article,
            {
                "url": url,
                "original_url": article.url.strip() if article.url else None,
                "external_id": article.external_id,
                "title": title,
                "byline": article.byline,
                "published_at": published,
                "saved_at": saved_at,
                "sort_date": date_key(published, saved_at),
                "sort_title": title_key(title),
                **self._section_and_source(article, url),
                "language": article.language,
                "format": article.format,
                "text": canonical_text(blocks),
                "blocks": blocks_to_json(blocks),
                "content_hash": digest,
                "version": 1,
                **_provenance(article),
            },
        )
        self._add_tags(article_id, article.tags)
        self._mark(article_id, article)
        self._keep_original(article_id, article, url)
        if self._known_texts is not None:
            self._known_texts[digest] = (article_id, title)
        self._link_assets(article_id, asset_ids)
        self._add_related(article_id, article, url)
        self._resolve_links_to(article_id, url, title)
        return SaveOutcome("saved", article_id, title)

    def replace_body(self, article_id: int, article: ExtractedArticle) -> SaveOutcome:
        """A new extraction of an archived article: a changed text becomes a new version
        (highlights re-anchor), an unchanged one only gets its provenance refreshed."""
        article = scrub_article(article)
        if error := self._checked(article):
            raise error
        row = self.conn.execute(
            select(Article.version, Article.content_hash, Article.title)
            .where(Article.id == article_id)
        ).one()  # fmt: skip
        digest = content_hash(canonical_text(article.blocks))
        if digest == row.content_hash:
            self.conn.execute(
                update(Article).where(Article.id == article_id).values(**_provenance(article))
            )
            return SaveOutcome("duplicate", article_id, row.title, "same text")
        return self._update(article_id, row.version, article, digest)

    def _update(
        self, article_id: int, version: int, article: ExtractedArticle, digest: str
    ) -> SaveOutcome:
        """A known URL with new text: keep the old text as a version, then replace it."""
        old = self.conn.execute(
            select(Article.title, Article.text, Article.blocks,
                   Article.content_hash, Article.saved_at, Article.published_at)
            .where(Article.id == article_id)
        ).one()  # fmt: skip
        self._insert(
            ArticleVersion,
            {"article_id": article_id, "version": version, "title": old.title, "text": old.text,
             "blocks": old.blocks, "content_hash": old.content_hash, "saved_at": old.saved_at,
             "replaced_at": utcnow()},
        )  # fmt: skip
        blocks, asset_ids = self._store_images(article)
        title = article.title.strip() or old.title
        published, saved_at = parse_published(article.published) or old.published_at, utcnow()
        values = {
            "title": title,
            "sort_title": title_key(title),
            "text": canonical_text(blocks),
            "blocks": blocks_to_json(blocks),
            "content_hash": digest,
            "version": version + 1,
            "saved_at": saved_at,
            "published_at": published,
            "sort_date": date_key(published, saved_at),
            **_provenance(article),
        }
        if article.byline:
            values["byline"] = article.byline
        source_id = self.conn.execute(
            select(Article.source_id).where(Article.id == article_id)
        ).scalar()
        if section_id := self._section_id(article.section, source_id):
            values["section_id"] = section_id
        self.conn.execute(update(Article).where(Article.id == article_id).values(**values))
        reanchor_article(self.conn, article_id, str(values["text"]))
        self.conn.execute(
            delete(RelatedLink).where(
                RelatedLink.article_id == article_id, RelatedLink.origin == "page"
            )
        )
        self._link_assets(article_id, asset_ids)
        self._add_related(article_id, article, normalize_url(article.url or ""))
        reason = f"new text; version {version} kept"
        return SaveOutcome("updated", article_id, title, reason)

    # -- parts ------------------------------------------------------------------------

    def _insert(self, table: type[Base], values: dict[str, Any]) -> int:
        """Insert one row and return its new primary key."""
        key = self.conn.execute(insert(table), values).inserted_primary_key
        if key is None:  # pragma: no cover - every table here has an integer key
            raise RuntimeError(f"no id for the new row in {table.__tablename__}")
        return int(key[0])

    def _id_for(self, table_key: str, key: str, create: dict[str, str | None]) -> int:
        cached = self._ids.get((table_key, key))
        if cached is not None:
            return cached
        table = Section if table_key == "sections" else Source
        found = self.conn.execute(select(table.id).where(table.key == key)).scalar()
        if found is None:
            found = self._insert(table, {"key": key, **create})
        self._ids[(table_key, key)] = found
        return found

    def _section_and_source(self, article: ExtractedArticle, url: str | None) -> dict[str, Any]:
        source_id = self._source_id(article, url)
        return {"section_id": self._section_id(article.section, source_id), "source_id": source_id}

    def _section_id(self, label: str | None, source_id: int | None = None) -> int | None:
        """The section of a label; a spelling or suffix variant of a section the same
        source already uses ("Business News" where it files under "Business") is that
        section, so a source shows one name per section. Other sources are not merged."""
        name = section_display_name(label) if label else None
        key = section_key(name) if name else ""
        if not name or not key:
            return None
        if source_id is not None:
            cache_key = f"{source_id}:{section_variant(key)}"
            if (cached := self._ids.get(("source-sections", cache_key))) is not None:
                return cached
            section_id = self._variant_in_use(key, source_id)
            if section_id is None:
                section_id = self._id_for("sections", key, {"name": name})
            self._ids[("source-sections", cache_key)] = section_id
            return section_id
        return self._id_for("sections", key, {"name": name})

    def _variant_in_use(self, key: str, source_id: int) -> int | None:
        """A section of this source whose key is a variant of `key` (not `key` itself);
        of several, the first key in sorted order. One query, asked once per source and
        variant (the caller keeps the answer)."""
        variants = variant_keys(key)
        if not variants:
            return None
        used = (
            select(Article.id)
            .where(Article.section_id == Section.id, Article.source_id == source_id)
            .exists()
        )
        found = self.conn.execute(
            select(Section.key, Section.id).where(Section.key.in_(variants), used)
        ).all()
        return int(min(found)[1]) if found else None

    def _source_id(self, article: ExtractedArticle, url: str | None) -> int | None:
        if article.source_key:
            label = (article.source or "").strip() or article.source_key
            create: dict[str, str | None] = {"name": label, "kind": article.source_kind}
            return self._id_for("sources", article.source_key, create)
        host = host_of(url) if url else None
        name = (article.source or "").strip() or host
        if not name:
            return None
        key = host or section_key(name) or name.casefold()
        kind = "site" if host else ("corpus" if article.format == "jsonl" else "file")
        return self._id_for("sources", key, {"name": name, "kind": kind, "url": None})

    def _store_images(self, article: ExtractedArticle) -> tuple[list[Block], list[int]]:
        """Keep the article's images as content-addressed assets; point blocks at them."""
        if not article.images:
            return article.blocks, []
        blocks: list[Block] = []
        asset_ids: list[int] = []
        for block in article.blocks:
            data = article.images.get(block.src) if block.kind == "image" else None
            if not data:
                blocks.append(block)
                continue
            digest = hashlib.sha256(data).hexdigest()
            asset_id = self.conn.execute(_ASSET_BY_SHA, {"sha": digest}).scalar()
            if asset_id is None:
                media_type = image_type(data) or mimetypes.guess_type(block.src)[0]
                asset_id = self._insert(Asset,
                    {"sha256": digest, "media_type": media_type or "application/octet-stream",
                     "size": len(data), "data": data,
                     "original_url": block.src},
                )  # fmt: skip
            if asset_id not in asset_ids:
                asset_ids.append(asset_id)
            blocks.append(Block("image", src=f"asset:{digest}", alt=block.alt))
        return blocks, asset_ids

    def carry_state(self, article_id: int, article: ExtractedArticle) -> None:
        """Read, starred and tags from another app reach an article already archived."""
        self._mark(article_id, article)
        self._add_tags(article_id, article.tags)

    def _mark(self, article_id: int, article: ExtractedArticle) -> None:
        """The marks another app gave the article become the importing member's (never
        taken away: a page read here stays read)."""
        for mark in MARKS:
            if getattr(article, mark):
                set_mark(self.conn, self.member, [article_id], mark, True)

    def _add_tags(self, article_id: int, names: list[str]) -> None:
        wanted = {" ".join(t.split())[:120] for t in names if t.strip()}
        if not wanted:
            return
        have = set(
            self.conn.execute(
                select(ArticleTag.tag_id).where(ArticleTag.article_id == article_id)
            ).scalars()
        )
        for name in sorted(wanted):
            tag_id = self._ids.get(("tags", name))
            if tag_id is None:
                tag_id = self.conn.execute(select(Tag.id).where(Tag.name == name)).scalar()
                if tag_id is None:
                    tag_id = self._insert(Tag, {"name": name})
                self._ids[("tags", name)] = tag_id
            if tag_id not in have:
                row = {"article_id": article_id, "tag_id": tag_id}
                self.conn.execute(insert(ArticleTag), row)
                have.add(tag_id)

    def _keep_original(self, article_id: int, article: ExtractedArticle, url: str | None) -> None:
        """The fetched page, compressed, replacing any earlier one (versions keep texts)."""
        if article.original_gz is None:
            return
        self.conn.execute(delete(ArticleOriginal).where(ArticleOriginal.article_id == article_id))
        self.conn.execute(
            insert(ArticleOriginal),
            {"article_id": article_id, "url": article.url or url, "fetched_at": utcnow(),
             "media_type": article.original_type, "data": article.original_gz},
        )  # fmt: skip

    def _link_assets(self, article_id: int, asset_ids: list[int]) -> None:
        if not asset_ids:
            return
        known = set(
            self.conn.execute(
                select(ArticleAsset.asset_id).where(ArticleAsset.article_id == article_id)
            ).scalars()
        )
        rows = [{"article_id": article_id, "asset_id": a} for a in asset_ids if a not in known]
        if rows:
            self.conn.execute(insert(ArticleAsset), rows)

    def _add_related(self, article_id: int, article: ExtractedArticle, own_url: str | None) -> None:
        rows = []
        seen: set[tuple[str | None, str]] = set()
        for position, item in enumerate(article.related):
            url = normalize_url(item.url) if item.url else None
            if (url is not None and url == own_url) or (url, item.title) in seen:
                continue
            seen.add((url, item.title))
            if url is not None:
                target = self.conn.execute(_ID_BY_URL, {"url": url}).scalar()
            else:
                target = self.conn.execute(_BY_TITLE, {"title": item.title}).scalar()
            rows.append(
                {"article_id": article_id, "position": position, "url": url,
                 "original_url": item.url if url else None, "title": item.title,
                 "target_id": target, "origin": "page", "score": None}
            )  # fmt: skip
        if rows:
            self.conn.execute(insert(RelatedLink), rows)
            for row in rows:
                if row["target_id"] is None:
                    self._unresolved_by_url |= row["url"] is not None
                    self._unresolved_by_title |= row["url"] is None

    def _resolve_links_to(self, article_id: int, url: str | None, title: str) -> None:
        """Links saved earlier that point here now resolve to this copy: by URL, or by
        exact title for title-only entries (as text dumps give)."""
        if url is not None and self._unresolved_by_url:
            self.conn.execute(_RESOLVE_BY_URL, {"link_url": url, "new_id": article_id})
        if self._unresolved_by_title:
            self.conn.execute(_RESOLVE_BY_TITLE, {"link_title": title, "new_id": article_id})
