"""The research workbench at scale: corpus export, .qdpx export, concordance first screen.

Goals (issue 13): export of articles with their annotations as JSON Lines >= 5,000
articles/s; a .qdpx of 10k coded articles <= 30 s; a concordance's first screen (50 lines)
<= 2 s. The archive is built by bench/search.py's builder from the real corpora (Reuters-
21578 and BBC News, copies varied as printed there) and kept in --workdir; the first
--coded articles each get three coded highlights from two coders.

Run: .venv/bin/python bench/research.py [--size 100000] [--coded 10000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import archive_for

from newsreader.core.anchoring import describe
from newsreader.core.archive import Archive
from newsreader.core.models import Annotation, AnnotationCode, Article, Code
from newsreader.core.search import index as search_index

FIRST_SCREEN = 50
# This branch's sync reuses an index writer that its first commit consumed (fixed on
# another branch); one batch as large as the archive sidesteps that here.
search_index.SYNC_BATCH = 10**9


def code_articles(archive: Archive, count: int) -> int:
    """Three highlights on each of the first `count` articles (two coders, two codes each)."""
    with archive.reading() as session:
        if session.query(Annotation).count() >= 3 * count:
            return 0
        rows = session.execute(
            select(Article.id, Article.text).order_by(Article.id).limit(count)
        ).all()
    with archive.writing() as session:
        codes = [c.id for c in session.scalars(select(Code).order_by(Code.position))]
        for n, row in enumerate(rows):
            for k, coder in enumerate(("ana", "ben", "ana")):
                start = (len(row.text) // 4) * k
                end = min(len(row.text), start + 40)
                if end <= start:
                    continue
                quote = describe(row.text, start, end)
                note = Annotation(
                    uuid=str(uuid.uuid4()),
                    article_id=row.id,
                    start=start,
                    end=end,
                    exact=quote.exact,
                    prefix=quote.prefix,
                    suffix=quote.suffix,
                    coder=coder,
                    note="a note" if k == 1 else "",
                    tags=[],
                )
                session.add(note)
                session.flush()
                for code_id in (codes[(n + k) % len(codes)], codes[(n + k + 1) % len(codes)]):
                    session.add(AnnotationCode(annotation_id=note.id, code_id=code_id))
    archive.sync_search()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--coded", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nrbench-research"))
    parser.add_argument("--term", default="said", help="the concordance's word")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"archive-{args.size}.sqlite3"
    built: dict[str, object] = {"articles": args.size, "note": "built by bench/search.py"}
    if not path.exists():
        try:
            path, built = archive_for(args.size, args.workdir, rebuild=False)
        except RuntimeError as error:  # its one sync may index a first batch only
            print(f"  {error}; indexing the rest below")
    results: dict[str, object] = {"archive": built}
    with Archive(path) as archive:
        start = time.perf_counter()
        while archive.sync_search():
            pass
        results["open_and_sync_s"] = round(time.perf_counter() - start, 1)
        results["indexed"] = archive.search_index.searcher().num_docs
        results["coded_now"] = code_articles(archive, args.coded)
        total = archive.count()

        start = time.perf_counter()
        out = archive.research.export("jsonl", args.workdir / "corpus.jsonl")
        seconds = time.perf_counter() - start
        results["jsonl"] = {
            "articles": out.articles,
            "annotations": out.annotations,
            "seconds": round(seconds, 2),
            "articles_per_s": round(out.articles / seconds),
        }

        with archive.reading() as session:
            coded = list(
                session.scalars(
                    select(Annotation.article_id)
                    .distinct()
                    .order_by(Annotation.article_id)
                    .limit(args.coded)
                )
            )
        start = time.perf_counter()
        out = archive.research.export("qdpx", args.workdir / "project.qdpx", article_ids=coded)
        seconds = time.perf_counter() - start
        results["qdpx"] = {
            "articles": out.articles,
            "selections": out.annotations,
            "seconds": round(seconds, 2),
            "bytes": (args.workdir / "project.qdpx").stat().st_size,
        }

        for query in (args.term, f'"{args.term}"'):
            start = time.perf_counter()
            lines = archive.research.concordance(query)
            first = list(itertools.islice(lines, FIRST_SCREEN))
            first_s = time.perf_counter() - start
            results[f"concordance {query}"] = {
                "first_screen_lines": len(first),
                "first_screen_s": round(first_s, 3),
            }
        start = time.perf_counter()
        every = sum(1 for _ in archive.research.concordance(f'"{args.term}"'))
        results[f'concordance "{args.term}" all'] = {
            "lines": every,
            "seconds": round(time.perf_counter() - start, 1),
        }
        results["articles_in_archive"] = total
    print(json.dumps(results, indent=2))
    (Path(__file__).resolve().parent / "out").mkdir(exist_ok=True)
    (Path(__file__).resolve().parent / "out" / "research.json").write_text(
        json.dumps(results, indent=2)
    )


if __name__ == "__main__":
    main()
