"""The README's screenshots, made again: `python bench/screenshots.py [OUT_DIR]`.

The archive holds only what ships with the app (the sample article and the guide) and a few
short stories written for this script, so no third-party text ends up in the repository.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from newsreader.core.archive import Archive
from newsreader.core.blocks import ExtractedArticle, RelatedItem, paragraphs_to_blocks
from newsreader.ui.app import screenshot
from newsreader.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
STORIES = [
    ("Harbour council approves the new sea wall", "Local", "Port Ellis Gazette", [
        "The harbour council voted on Tuesday to build a new sea wall along the east quay, "
        "after two winters of storms flooded the fish market.",
        "Work starts in spring. The council said the wall would be finished before the "
        "autumn tides, and that boats could use the harbour throughout.",
        "Fishermen welcomed the plan but asked for a say in where the new moorings go.",
    ]),
    ("Ferry timetable changes for the winter", "Local", "Port Ellis Gazette", [
        "The island ferry will sail twice a day from November, the operator said.",
        "Passengers can still book cars on the morning crossing.",
    ]),
    ("Market traders count the cost of the storm", "Business", "Coast Business Weekly", [
        "Traders at the harbour market lost a week of sales when the storm closed the quay.",
        "Several asked the council for help with repairs to their stalls.",
    ]),
    ("Lifeboat crew rescues two sailors off the point", "Local", "Port Ellis Gazette", [
        "Two sailors were brought ashore safely after their yacht lost its mast in high winds.",
        "The lifeboat crew praised the sailors for wearing their life jackets.",
    ]),
    ("Schools to teach sea safety from next term", "Education", "Coast Business Weekly", [
        "Every primary school on the coast will teach sea safety, the education board said.",
    ]),
]  # fmt: skip


def build(folder: Path) -> Path:
    path = folder / "archive.sqlite3"
    with Archive(path) as archive:
        archive.imports.seed_if_new()
        for n, (title, section, source, paragraphs) in enumerate(STORIES):
            archive.save(ExtractedArticle(
                title=title, section=section, source=source,
                url=f"https://news.example/story-{n}", published=f"2026-11-{20 + n:02d}",
                byline="Sam Writer", blocks=paragraphs_to_blocks(paragraphs),
                related=[RelatedItem(t, f"https://news.example/story-{m}")
                         for m, (t, *_rest) in enumerate(STORIES) if m != n][:3],
            ))  # fmt: skip
        sample = next(a for a in archive.list_articles() if a.title.startswith("US and Iraq"))
        text = archive.get(sample.id).text  # type: ignore[union-attr]
        for color, phrase, note in (
            ("yellow", "negotiations over the dissolution", ""),
            ("green", "bilateral ties", "The new relationship: compare with 2011."),
            ("blue", "Iraqi Foreign Minister Fuad Hussein", ""),
            ("pink", "2,500 soldiers", "How many remain after the drawdown?"),
        ):
            start = text.find(phrase)
            if start >= 0:
                archive.annotations.create(sample.id, start, start + len(phrase),
                                           color=color, note=note)  # fmt: skip
        for article in archive.list_articles()[:3]:
            archive.mark_read(article.id)
        return path


def search_for(query: str) -> Callable[[MainWindow], None]:
    def prepare(window: MainWindow) -> None:
        window.search_field.setText(query)
        window.run_search()

    return prepare


def main(out: Path = OUT) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        path = build(Path(scratch))
        with Archive(path) as archive:
            sample = next(a for a in archive.list_articles() if a.title.startswith("US and Iraq"))
            harbour = next(a for a in archive.list_articles() if a.title.startswith("Harbour"))
        shots = [
            ("reader-light.png", sample.id, "light", (1280, 800), None),
            ("reader-dark.png", sample.id, "dark", (1280, 800), None),
            ("reader-sepia.png", sample.id, "sepia", (1280, 800), None),
            ("search.png", harbour.id, "light", (1280, 800), search_for("harbour")),
            ("small-900x600.png", harbour.id, "light", (900, 600), None),
        ]
        if len(sys.argv) > 2 and sys.argv[2] == "--large":
            shots = [("large-2560x1440.png", sample.id, "dark", (2560, 1440), None)]
        for name, article_id, theme, size, prepare in shots:
            code = screenshot(path, out / name, article_id, theme, size=size, prepare=prepare)
            print(f"{out / name}: {'ok' if code == 0 else 'failed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
