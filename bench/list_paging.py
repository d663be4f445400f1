"""List paging at size: the first, middle and last page of the article list, for every sort
the list offers, by OFFSET (how the list paged before) and by keyset (Archive.list_page).

Each position is read as the window reads it: a jump (an offset, with the list's total
known, as after scrolling there) and the page after it (from the jump's cursor, as when
scrolling on). Old and new alternate in the same run on the same archive; every new page
is checked to hold the same rows as OFFSET's.

Run: .venv/bin/python bench/list_paging.py [--archive PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from newsreader.core.archive import Archive, ArticleSummary, SortOrder
from newsreader.core.marks import has_mark
from newsreader.core.models import Article, Section, Source

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_ARCHIVE = Path("/tmp/nrbench/archive-1000000.sqlite3")
PAGE = 200
SORTS: tuple[tuple[SortOrder, bool], ...] = (
    ("published", True),
    ("saved", True),
    ("title", False),
    ("section", False),
    ("source", False),
)


def by_offset(
    archive: Archive, order: SortOrder, descending: bool, offset: int
) -> list[ArticleSummary]:
    """The list query as it was before keyset paging (LIMIT/OFFSET over the joined rows)."""
    column = {
        "saved": Article.saved_at,
        "published": Article.sort_date,
        "title": Article.sort_title,
        "section": Section.name,
        "source": Source.name,
    }[order]
    query = (
        select(Article.id, Article.title, Section.name, Source.name, Article.published_at,
               Article.saved_at, has_mark(archive.member, "is_read"),
               has_mark(archive.member, "is_starred"))
        .outerjoin(Section, Article.section_id == Section.id)
        .outerjoin(Source, Article.source_id == Source.id)
        .order_by(column.desc() if descending else column.asc(), Article.id.desc())
        .limit(PAGE)
        .offset(offset)
    )  # fmt: skip
    with archive.reading() as session:
        return [ArticleSummary(*row) for row in session.execute(query)]


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def measure(
    archive: Archive, order: SortOrder, descending: bool, offset: int, total: int, runs: int
) -> dict[str, Any]:
    """Medians of `runs` (after one that warms the cache), old and new alternating."""
    old, jump, scroll, same = [], [], [], True
    for run in range(runs + 1):
        t_old, rows_old = timed(lambda: by_offset(archive, order, descending, offset))
        t_jump, page = timed(
            lambda: archive.list_page(
                order=order, descending=descending, limit=PAGE, offset=offset, total=total
            )
        )
        t_scroll, _ = timed(
            partial(archive.list_page, order=order, descending=descending, limit=PAGE,
                    after=page.next)
        )  # fmt: skip
        same = same and [r.id for r in page.rows] == [r.id for r in rows_old]
        if run:
            old.append(t_old)
            jump.append(t_jump)
            scroll.append(t_scroll)
    return {
        "offset_ms": round(statistics.median(old), 1),
        "keyset_jump_ms": round(statistics.median(jump), 1),
        "keyset_next_page_ms": round(statistics.median(scroll), 1),
        "same_rows": same,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (after one)")
    args = parser.parse_args()
    if not args.archive.exists():
        print(f"skipped: needs {args.archive} (built by bench/search.py)")
        return 0
    archive = Archive(args.archive)
    total = archive.count()
    positions = {
        "first": 0,
        "middle": total // 2 // PAGE * PAGE,
        "last": (total - 1) // PAGE * PAGE,
    }
    results: dict[str, Any] = {
        "archive": str(args.archive), "articles": total, "page": PAGE,
        "load_before": os.getloadavg(), "sorts": {},
    }  # fmt: skip
    for order, descending in SORTS:
        for where, offset in positions.items():
            entry = measure(archive, order, descending, offset, total, args.runs)
            results["sorts"][f"{order} {'desc' if descending else 'asc'} {where}"] = entry
            print(
                f"{order:9} {where:6} offset {entry['offset_ms']:8.1f} ms   keyset jump "
                f"{entry['keyset_jump_ms']:7.1f} ms   next page "
                f"{entry['keyset_next_page_ms']:6.1f} ms   same rows: {entry['same_rows']}",
                flush=True,
            )
    archive.close()
    results["load_after"] = os.getloadavg()
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    OUT.mkdir(exist_ok=True)
    (OUT / "list_paging.json").write_text(json.dumps(results, indent=2))
    return 0 if all(e["same_rows"] for e in results["sorts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
