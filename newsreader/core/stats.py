"""Counts over time: articles per week or month, split by section, source or code."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from newsreader.core.models import Annotation, AnnotationCode, Article, Code, Section, Source

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

Period = Literal["week", "month"]
Split = Literal["section", "source", "code"]
BATCH = 900


@dataclass(frozen=True, slots=True)
class Count:
    period: str  # 2005-03 or 2005-W09 (ISO week)
    group: str  # the section, source or code; "" when not split
    count: int


def period_of(moment: datetime, by: Period) -> str:
    if by == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{moment.year}-{moment.month:02d}"


def counts_over_time(
    archive: Archive, query: str | None, *, by: Period = "month", split: Split | None = None,
    article_ids: Sequence[int] | None = None,
) -> list[Count]:  # fmt: skip
    """Articles a query selects per period (by their date: published, else saved), split
    by section or source; with split="code", the codings of each code on them instead."""
    ids = list(article_ids) if article_ids is not None else archive.search.matching_ids(query)
    counts: Counter[tuple[str, str]] = Counter()
    with archive.reading() as session:
        for begin in range(0, len(ids), BATCH):
            chunk = ids[begin : begin + BATCH]
            if split == "code":
                rows = session.execute(
                    select(Article.sort_date, Code.name)
                    .join(Annotation, Annotation.article_id == Article.id)
                    .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
                    .join(Code, Code.id == AnnotationCode.code_id)
                    .where(Article.id.in_(chunk))
                )
            else:
                group = {"section": Section.name, "source": Source.name}.get(split or "")
                rows = session.execute(
                    select(Article.sort_date, group if group is not None else Article.id)
                    .outerjoin(Section, Section.id == Article.section_id)
                    .outerjoin(Source, Source.id == Article.source_id)
                    .where(Article.id.in_(chunk))
                )
            for moment, name in rows:
                counts[(period_of(moment, by), str(name or "") if split else "")] += 1
    return [Count(period, group, n) for (period, group), n in sorted(counts.items())]


def to_csv(counts: Sequence[Count], split: Split | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", split, "count"] if split else ["period", "count"])
    for row in counts:
        writer.writerow([row.period, row.group, row.count] if split else [row.period, row.count])
    return out.getvalue()
