"""Sections that importing the two extraction sets produces (issue 10's closing note).

Imports the 181 Zyte pages and the 130 Readability test pages as HTML files, each set
into its own fresh archive through the import service (as File → Import does), and lists
the section names with their article counts, and how many articles have no section.
Writes bench/out/sections.json.

Run: .venv/bin/python bench/sections.py
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from newsreader.core.archive import Archive

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "sections.json"


def zyte_pages() -> dict[str, bytes]:
    folder = DATA / "extraction-benchmark" / "html"
    return {p.name.removesuffix(".gz"): gzip.decompress(p.read_bytes()) for p in folder.iterdir()}


def readability_pages() -> dict[str, bytes]:
    folder = DATA / "readability-test-pages"
    return {
        f"{d.name}.html": gzip.decompress((d / "source.html.gz").read_bytes())
        for d in folder.iterdir()
        if (d / "source.html.gz").exists()
    }


def sections_of(pages: dict[str, bytes], workdir: Path) -> dict[str, object]:
    folder = workdir / "pages"
    folder.mkdir()
    for name, data in pages.items():
        (folder / name).write_bytes(data)
    with Archive(workdir / "archive.sqlite3") as archive:
        counts = archive.imports.paths([folder]).counts()
        sections = archive.sections()
    by_name = Counter[str]()
    for section in sections:
        by_name[section.name] += section.count
    with_section = sum(by_name.values())
    articles = counts["saved"] + counts["updated"]
    return {
        "pages": len(pages),
        "import": counts,
        "distinct_sections": len(by_name),
        "articles_with_section": with_section,
        "articles_without_section": articles - with_section,
        "sections": dict(sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0].casefold()))),
    }


def main() -> int:
    if not DATA.exists():
        print(f"skipped: the shared data is not at {DATA}")
        return 0
    report = {}
    for name, pages in (("zyte", zyte_pages()), ("readability", readability_pages())):
        with tempfile.TemporaryDirectory() as tmp:
            result = sections_of(pages, Path(tmp))
        report[name] = result
        print(
            f"{name}: {result['pages']} pages, {result['distinct_sections']} sections on "
            f"{result['articles_with_section']} articles, "
            f"{result['articles_without_section']} without"
        )
        sections = result["sections"]
        assert isinstance(sections, dict)
        print("  " + ", ".join(f"{label} {count}" for label, count in sections.items()))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
