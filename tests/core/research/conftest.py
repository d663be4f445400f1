"""Shared fixtures of the research workbench tests: a BBC archive built once per run."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.testing import shared_data


def bbc_records(limit: int | None = None) -> list[dict[str, str]]:
    with gzip.open(shared_data("bbc", "bbc.jsonl.gz"), "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return records[:limit] if limit else records


@pytest.fixture(scope="session")
def bbc_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The whole BBC corpus (2,225 articles), indexed; tests must not change it."""
    records = bbc_records()
    folder: Path = tmp_path_factory.mktemp("bbc")
    with Archive(folder / "bbc.sqlite3") as archive:
        archive.save_many(record_to_article(r) for r in records)
        archive.sync_search()
        yield archive
