from datetime import datetime

import pytest

from newsreader.core.dates import parse_published


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-25T10:00:00+02:00", datetime(2024, 1, 25, 8, 0)),
        ("2024-01-25", datetime(2024, 1, 25)),
        ("Jan 5, 2024", datetime(2024, 1, 5)),
        ("1987-02-26T15:01:01.790000", datetime(1987, 2, 26, 15, 1, 1, 790000)),
        ("27-MAR-1987 13:33:30.85&#5;&#5;&#5;C T", datetime(1987, 3, 27, 13, 33, 30, 850000)),
    ],
)
def test_dates_are_read_as_naive_utc(value: str, expected: datetime) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "  ", "not a date", "0001-01-01T00:00:00+14:00", "1500-01-01", "99999-1-1"]
)
def test_unusable_dates_give_none_rather_than_an_error(value: str | None) -> None:
    assert parse_published(value) is None
