"""Re-extracting articles from the original pages the archive kept.

When the extractor improves, an article saved with an older one can be extracted again
from its kept original, offline. A changed text becomes a new version (the old one is
kept) and its highlights re-anchor through the same path as a re-fetch; an unchanged
text only gets its provenance refreshed. Each article gets its own outcome, and one
that fails never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from newsreader.core.blocks import Block
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.models import Article, ArticleAsset, ArticleOriginal, Asset
from newsreader.core.saving import Saver

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

# Bumped whenever extraction changes what it keeps: the first run after an upgrade
# offers to re-extract the articles flagged "may be incomplete".
EXTRACTOR_VERSION = "2"
_VERSION_KEY = "extractor_version"
_HTML_TYPES = ("text/html", "application/xhtml+xml")

Status = Literal["changed", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class ReextractResult:
    article_id: int
    status: Status
    reason: str = ""
    title: str = ""

    def to_json(self) -> dict[str, object]:
        return {"id": self.article_id, "status": self.status, "reason": self.reason,
                "title": self.title}  # fmt: skip


class Reextraction:
    """Re-extraction over one archive (``archive.reextraction``)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def candidates(self, *, flagged_only: bool = False) -> list[int]:
        """Ids of the articles that have a kept original (only flagged ones if asked)."""
        query = select(ArticleOriginal.article_id).join(
            Article, Article.id == ArticleOriginal.article_id
        )
        if flagged_only:
            query = query.where(Article.may_be_incomplete.is_(True))
        with self.archive.reading() as session:
            return list(session.execute(query.order_by(ArticleOriginal.article_id)).scalars())

    def run(self, article_ids: list[int]) -> list[ReextractResult]:
        """Re-extract each article; one transaction each, so one failure loses nothing."""
        results = [self._one(article_id) for article_id in article_ids]
        if any(r.status == "changed" for r in results):
            self.archive.sync_search()
        return results

    def _one(self, article_id: int) -> ReextractResult:
        original = self.archive.original(article_id)
        if original is None:
            known = self.archive.get(article_id) is not None
            reason = "no original page was kept" if known else "no such article"
            return ReextractResult(article_id, "failed", reason)
        media_type, data = original
        kind, _, params = media_type.partition(";")
        if kind.strip().lower() not in _HTML_TYPES:
            return ReextractResult(article_id, "failed", f"the original is {kind}, not a page")
        charset = params.partition("charset=")[2].strip() or None
        from newsreader.core.ingest.html import extract_html  # the extractors, when needed

        try:
            with self.archive.reading() as session:
                url = session.execute(
                    select(ArticleOriginal.url).where(ArticleOriginal.article_id == article_id)
                ).scalar()
            assets = self.stored_images(article_id)
            article = extract_html(decode_bytes(data, charset), url)
        except ExtractionError as error:
            return ReextractResult(article_id, "failed", str(error))
        except RecursionError:
            return ReextractResult(article_id, "failed", "the page is nested too deeply to parse")
        article.blocks = [_stored_image(b, assets) for b in article.blocks]
        with self.archive.writing() as session:
            outcome = Saver(session.connection(), self.archive.member).replace_body(
                article_id, article
            )
        if outcome.status == "updated":
            return ReextractResult(article_id, "changed", outcome.reason, outcome.title)
        return ReextractResult(article_id, "unchanged", outcome.reason, outcome.title)

    def stored_images(self, article_id: int) -> dict[str | None, str]:
        """The article's stored images: their address in the page → asset sha256."""
        with self.archive.reading() as session:
            rows = session.execute(
                select(Asset.original_url, Asset.sha256)
                .join(ArticleAsset, ArticleAsset.asset_id == Asset.id)
                .where(ArticleAsset.article_id == article_id)
            )
            return {src: sha for src, sha in rows}

    # -- after an upgrade -----------------------------------------------------------

    def offer_after_upgrade(self) -> list[int]:
        """Flagged articles to offer for re-extraction when the extractor changed since
        the archive last recorded it (empty otherwise); recording is ``acknowledge``."""
        if self.archive.get_meta(_VERSION_KEY) == EXTRACTOR_VERSION:
            return []
        if not self.archive.rights.edit:  # a team member who may not re-extract
            return []
        flagged = self.candidates(flagged_only=True)
        if not flagged:
            self.acknowledge()
        return flagged

    def acknowledge(self) -> None:
        """Remember that the archive has seen this extractor version."""
        self.archive.set_meta(_VERSION_KEY, EXTRACTOR_VERSION)


def _stored_image(block: Block, assets: dict[str | None, str]) -> Block:
    """An image the article already has as an asset points at it again."""
    if block.kind != "image" or block.src not in assets:
        return block
    return Block("image", src=f"asset:{assets[block.src]}", alt=block.alt)
