"""Publication dates as found on pages and in corpora → naive UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil import parser as date_parser

EARLIEST_YEAR = 1800


def parse_published(value: str | None) -> datetime | None:
    """Parse an ISO 8601 or common human date; None when absent or unparseable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = date_parser.parse(text, fuzzy=False)
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):  # e.g. year 1 in a zone east of UTC
            return None
    if parsed.year < EARLIEST_YEAR:
        return None
    return parsed
