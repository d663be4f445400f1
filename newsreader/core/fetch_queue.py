"""URLs waiting to be fetched: export entries that held only a link.

An entry is queued with what the export said about it (title, tags, dates, read and
starred state), so nothing is lost between reading the export and fetching the page; a
failed fetch keeps the entry queued with its error, to be retried or reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update

from newsreader.core.dates import parse_published
from newsreader.core.models import Article, QueuedUrl, utcnow
from newsreader.core.urls import normalize_url

QueueOutcome = Literal["queued", "archived", "already queued"]
MAX_ATTEMPTS = 5


@dataclass(slots=True)
class PendingUrl:
    """One queued URL with the reader state to give its article once fetched."""

    url: str  # as found, for fetching
    title: str = ""
    tags: list[str] = field(default_factory=list)
    saved_at: str | None = None  # ISO 8601
    is_read: bool = False
    is_starred: bool = False
    origin: str = ""
    id: int | None = None
    attempts: int = 0
    last_error: str | None = None


def enqueue(conn: Connection, item: PendingUrl) -> tuple[QueueOutcome, int | None]:
    """Queue a URL unless it is archived already (then: its article id) or queued."""
    key = normalize_url(item.url)
    if not key:
        raise ValueError(f"not a web address: {item.url!r}")
    archived = conn.execute(select(Article.id).where(Article.url == key)).scalar()
    if archived is not None:
        return "archived", archived
    queued = conn.execute(select(QueuedUrl.id).where(QueuedUrl.url == key)).scalar()
    if queued is not None:
        return "already queued", None
    add(conn, item, key)
    return "queued", None


def add(conn: Connection, item: PendingUrl, key: str) -> None:
    """Queue a URL known to be neither archived nor queued (the caller looked, in bulk)."""
    saved_at: datetime | None = parse_published(item.saved_at)
    conn.execute(
        insert(QueuedUrl),
        {"url": key, "original_url": item.url.strip(), "title": item.title, "tags": item.tags,
         "saved_at": saved_at, "is_read": item.is_read, "is_starred": item.is_starred,
         "origin": item.origin, "attempts": 0, "last_error": None, "added_at": utcnow()},
    )  # fmt: skip


def pending(conn: Connection, limit: int = 100) -> list[PendingUrl]:
    """Queued URLs still worth trying, oldest first."""
    rows = conn.execute(
        select(QueuedUrl.__table__)
        .where(QueuedUrl.attempts < MAX_ATTEMPTS)
        .order_by(QueuedUrl.id)
        .limit(limit)
    )
    return [
        PendingUrl(
            url=row.original_url, title=row.title, tags=list(row.tags or []),
            saved_at=row.saved_at.isoformat() if row.saved_at else None, is_read=row.is_read,
            is_starred=row.is_starred, origin=row.origin, id=row.id, attempts=row.attempts,
            last_error=row.last_error,
        )
        for row in rows
    ]  # fmt: skip


def finished(conn: Connection, ids: Iterable[int]) -> None:
    """Drop entries whose pages are now archived."""
    conn.execute(delete(QueuedUrl).where(QueuedUrl.id.in_(list(ids))))


def failed(conn: Connection, queue_id: int, error: str) -> None:
    """Keep the entry, with one more attempt counted and the reason."""
    conn.execute(
        update(QueuedUrl)
        .where(QueuedUrl.id == queue_id)
        .values(attempts=QueuedUrl.attempts + 1, last_error=error[:500])
    )
