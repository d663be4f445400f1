"""The index folder: what is asked into the page cache, and how its maps are read."""

import sys
from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from newsreader.core.search.index import PRELOAD_SUFFIXES, advise_random, preload
from tests.factories import make_article

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux maps only")


def test_preloading_asks_for_every_part_searches_read_within_the_budget(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
        folder = archive.search_index.folder
    parts = [f for f in folder.iterdir() if f.suffix in PRELOAD_SUFFIXES]
    assert {f.suffix for f in parts} == set(PRELOAD_SUFFIXES)
    assert preload(folder) == sum(f.stat().st_size for f in parts)
    first = sorted(folder.glob("*.fast"))[0].stat().st_size  # fast fields come first
    assert preload(folder, budget=first) == first


def advised_maps(folder: Path) -> dict[str, bool]:
    """Each map of a file in `folder`: whether it is marked as read at random ("rr")."""
    maps: dict[str, bool] = {}
    current = None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a map's header
            current = fields[5] if len(fields) == 6 and fields[5].startswith(f"{folder}/") else None
        elif current is not None and line.startswith("VmFlags:"):
            maps[current] = maps.get(current, True) and "rr" in line.split()[1:]
    return maps


@linux_only
def test_searching_reads_the_index_maps_at_random_new_segments_too(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
        folder = archive.search_index.folder.resolve()
        searcher = archive.search_index.searcher()
        first = advised_maps(folder)
        assert first and all(first.values()), first
        archive.save(make_article("Bridge", ("Cars on the bridge.",)))  # a new segment
        searcher = archive.search_index.searcher()
        assert searcher.num_segments == 2
        maps = advised_maps(folder)
        assert set(maps) > set(first) and all(maps.values()), maps


@linux_only
def test_advising_a_folder_nobody_maps_advises_nothing(tmp_path: Path) -> None:
    assert advise_random(tmp_path) == 0


def test_preloading_stops_when_a_search_begins(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Harbour", ("Boats in the harbour.",)))
        folder = archive.search_index.folder
    asked: list[int] = []

    def begun() -> bool:  # a search begins after the first file was asked for
        asked.append(1)
        return len(asked) > 1

    first = sorted(folder.glob("*.fast"))[0].stat().st_size
    assert preload(folder, stop=begun) == first
    assert preload(folder, stop=lambda: True) == 0
