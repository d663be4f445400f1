"""The row of the article list, shared by the archive's list and the search's hits: its
own module so that the search service can use it without importing the archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
