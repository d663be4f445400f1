"""Counts over time, split by section, source or code."""

from __future__ import annotations

from datetime import datetime

from newsreader.core.archive import Archive
from newsreader.core.stats import period_of, to_csv
from tests.factories import make_article


def test_articles_are_counted_per_month_and_section(archive: Archive) -> None:
    for day, section in ((3, "World"), (20, "World"), (21, "Sport")):
        archive.save(make_article(f"Vote {day}", (f"The vote {day} came.",), section=section,
                                  published=f"2024-03-{day:02d}"))  # fmt: skip
    archive.save(make_article("April vote", ("A vote in April.",), section="World",
                              published="2024-04-02"))  # fmt: skip
    archive.save(make_article("Other", ("Nothing here.",), published="2024-04-02"))
    counts = archive.research.counts_over_time("vote", by="month", split="section")
    assert [(c.period, c.group, c.count) for c in counts] == [
        ("2024-03", "Sport", 1), ("2024-03", "World", 2), ("2024-04", "World", 1)]  # fmt: skip
    assert to_csv(counts, "section").splitlines() == [
        "period,section,count", "2024-03,Sport,1", "2024-03,World,2", "2024-04,World,1",
    ]  # fmt: skip
    everything = archive.research.counts_over_time(None, by="week")
    assert sum(c.count for c in everything) == 5


def test_codings_are_counted_per_code(archive: Archive) -> None:
    saved = archive.save(make_article("Coded", ("One two three four.",),
                                      published="2024-05-01"))  # fmt: skip
    archive.annotations.create_from_quote(saved.article_id, "One", codes=["green", "blue"])
    archive.annotations.create_from_quote(saved.article_id, "three", codes=["green"])
    counts = archive.research.counts_over_time(None, split="code")
    assert [(c.period, c.group, c.count) for c in counts] == [
        ("2024-05", "blue", 1), ("2024-05", "green", 2)]  # fmt: skip


def test_weeks_are_iso_weeks() -> None:
    assert period_of(datetime(2005, 1, 2), "week") == "2004-W53"
    assert period_of(datetime(2005, 1, 3), "month") == "2005-01"
