"""The list's sort keys, stored beside each article so that ordering a million articles is
an index walk, not a sort.

- Date: the publication date; an undated article sorts by its saving time, after every
  dated one (newest first) — not above them as if published the day it was saved.
- Title: case- and accent-insensitive ("éclair" between "Eagle" and "Ezra").
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

# Undated articles keep their saving time moved this far back: below any publication date
# (parse_published refuses years before 1800), in saving order among themselves.
UNDATED_SHIFT = timedelta(days=365_243)  # about 1,000 years


def date_key(published_at: datetime | None, saved_at: datetime) -> datetime:
    return published_at if published_at is not None else saved_at - UNDATED_SHIFT


def title_key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()
