"""Publication dates as found on pages and in corpora → naive UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as date_parser

EARLIEST_YEAR = 1800
# The date-looking start of a value with trailing junk ("27-MAR-1987 13:33:30.85&#5;C T").
_DATE_LIKE = re.compile(r"[\w :.,+\-/]*")


def _human_date(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return date_parser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        return None


def parse_published(value: str | None) -> datetime | None:
    """Parse an ISO 8601 or common human date; None when absent or unparseable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        prefix = _DATE_LIKE.match(text)
        human = _human_date(text) or (_human_date(prefix.group()) if prefix else None)
        if human is None:
            return None
        parsed = human
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):  # e.g. year 1 in a zone east of UTC
            return None
    if parsed.year < EARLIEST_YEAR:
        return None
    return parsed
