"""Export import: a 30,000-entry Pocket export (CSV and HTML) into a fresh archive.

Every entry is a link alone, so this measures reading the export and queueing its links
(`fetch_queue.enqueue`, one transaction per batch), not extraction. The generated exports
hold duplicate URLs (spelled differently: http, www., a trailing slash, a tracking
parameter) and malformed entries (a row with the wrong number of fields, a javascript:
link, an entry without an address); the report's counts must match exactly. The same file
is then imported a second time (everything is a duplicate), and the reader alone is run
under tracemalloc to show it streams.

Run: .venv/bin/python bench/export_import.py [--entries 30000]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from newsreader.core.archive import Archive
from newsreader.core.ingest.exports import READERS, detect_export

OUT = Path(__file__).resolve().parent / "out"
DUPLICATE_EVERY = 50  # the entry repeats an earlier one's URL, spelled differently
MALFORMED_EVERY = 97  # the entry is broken


def _url(n: int) -> str:
    return f"https://news{n % 40}.example.org/2024/{n // 40:05d}/story-about-item-{n}"


def _respelled(url: str, n: int) -> str:
    """The same page as another app would write its address."""
    variants = (
        url.replace("https://", "http://"),
        url.replace("https://", "https://www."),
        url + "/",
        url + "?utm_source=pocket_saves&utm_medium=share",
    )
    return variants[n % len(variants)]


def plan(entries: int) -> tuple[list[tuple[str, str, int, str, str, str]], Counter[str]]:
    """(kind, url, time, title, tags, status) per entry and the counts the import must give.

    kind: "new", "duplicate", or "malformed".
    """
    rows = []
    expected: Counter[str] = Counter()
    for n in range(entries):
        added = 1_500_000_000 + n * 600
        title = f"Story {n}: what the council decided, and why it matters"
        tags = "|".join(("local", f"topic{n % 7}")) if n % 3 else ""
        status = "archive" if n % 4 == 0 else "unread"
        if n % MALFORMED_EVERY == MALFORMED_EVERY - 1:
            rows.append(("malformed", "", added, title, tags, status))
            expected["failed"] += 1
        elif n % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and n > DUPLICATE_EVERY:
            earlier = n - DUPLICATE_EVERY * 3 // 2
            while rows[earlier][0] != "new":  # a page that is queued by then
                earlier -= 1
            rows.append(("duplicate", _respelled(_url(earlier), n), added, title, tags, status))
            expected["duplicate"] += 1
        else:
            rows.append(("new", _url(n), added, title, tags, status))
            expected["queued"] += 1
    expected["total"] = entries
    return rows, expected


def write_csv(path: Path, rows: list[tuple[str, str, int, str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["title", "url", "time_added", "tags", "status"])
        for n, (kind, url, added, title, tags, status) in enumerate(rows):
            if kind == "malformed":
                if n % 2:  # a field too many: an unquoted comma
                    writer.writerow([title, "Part two", _url(n), added, tags, status])
                else:  # a truncated row
                    writer.writerow([title, _url(n)])
            else:
                writer.writerow([title, url, added, tags, status])


def write_html(path: Path, rows: list[tuple[str, str, int, str, str, str]]) -> None:
    def link(n: int, kind: str, url: str, added: int, title: str, tags: str) -> str:
        if kind == "malformed":
            url = "javascript:void(0)" if n % 2 else ""
        return (
            f'<li><a href="{html.escape(url)}" time_added="{added}" '
            f'tags="{tags.replace("|", ",")}">{html.escape(title)}</a></li>\n'
        )

    unread = [link(n, k, u, a, t, g) for n, (k, u, a, t, g, s) in enumerate(rows) if s != "archive"]
    read = [link(n, k, u, a, t, g) for n, (k, u, a, t, g, s) in enumerate(rows) if s == "archive"]
    path.write_text(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv='Content-Type' "
        "content='text/html; charset=UTF-8' />\n<title>Pocket Export</title>\n</head>\n<body>\n"
        "<h1>Unread</h1>\n<ul>\n" + "".join(unread) + "</ul>\n\n"
        "<h1>Read Archive</h1>\n<ul>\n" + "".join(read) + "</ul>\n</body>\n</html>\n",
        encoding="utf-8",
    )


def _counts(report_counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in report_counts.items() if v}


def bench_file(path: Path, workdir: Path, expected: Counter[str]) -> dict[str, object]:
    fmt = detect_export(path)
    assert fmt is not None, path
    with Archive(workdir / f"{path.stem}.sqlite3") as archive:
        start = time.perf_counter()
        report = archive.imports.from_export(path)
        seconds = time.perf_counter() - start
        counts = _counts(report.counts())
        assert counts == dict(expected), (counts, dict(expected))

        start = time.perf_counter()
        again = archive.imports.from_export(path)
        again_seconds = time.perf_counter() - start
        again_counts = _counts(again.counts())
        assert again_counts == {
            "duplicate": expected["queued"] + expected["duplicate"],
            "failed": expected["failed"],
            "total": expected["total"],
        }, again_counts

    tracemalloc.start()
    read = sum(1 for _ in READERS[fmt](path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert read == expected["total"]
    total = expected["total"]
    return {
        "format": fmt,
        "file_mb": round(path.stat().st_size / 2**20, 2),
        "counts": counts,
        "seconds": round(seconds, 2),
        "entries_per_s": round(total / seconds),
        "reimport_seconds": round(again_seconds, 2),
        "reimport_entries_per_s": round(total / again_seconds),
        "reader_peak_mb": round(peak / 2**20, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=30_000)
    args = parser.parse_args()
    rows, expected = plan(args.entries)
    results: dict[str, object] = {"entries": args.entries, "expected": dict(expected)}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_csv(workdir / "pocket.csv", rows)
        write_html(workdir / "ril_export.html", rows)
        for name, path in (("csv", workdir / "pocket.csv"), ("html", workdir / "ril_export.html")):
            results[name] = bench_file(path, workdir, expected)
            print(f"Pocket {name}:", json.dumps(results[name]))
    OUT.mkdir(exist_ok=True)
    (OUT / "export_import.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
