"""The index folder: what is asked into the page cache when it opens."""

from pathlib import Path

from newsreader.core.archive import Archive
from newsreader.core.search.index import PRELOAD_SUFFIXES, preload
from tests.factories import make_article


def test_opening_asks_for_every_part_searches_read_within_the_budget(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
        folder = archive.search_index.folder
    parts = [f for f in folder.iterdir() if f.suffix in PRELOAD_SUFFIXES]
    assert {f.suffix for f in parts} == set(PRELOAD_SUFFIXES)
    assert preload(folder) == sum(f.stat().st_size for f in parts)
    first = sorted(folder.glob("*.fast"))[0].stat().st_size  # fast fields come first
    assert preload(folder, budget=first) == first
