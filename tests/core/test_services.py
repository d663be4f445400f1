"""Every service is reached one way: as an attribute of the archive, made on first use and
kept for the archive's life; the modules behind them never import the archive back."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsreader.core.archive import Archive

# The archive's service attributes and the module each one's class lives in.
SERVICES = {
    "annotations": "newsreader.core.annotations",
    "codebook": "newsreader.core.codebook",
    "reextraction": "newsreader.core.reextraction",
    "related": "newsreader.core.related",
    "research": "newsreader.core.research",
    "search": "newsreader.core.search.service",
    "team": "newsreader.core.team",
    "feeds": "newsreader.core.web.feeds",
    "web": "newsreader.core.web.pages",
    "imports": "newsreader.core.importing",
}


@pytest.mark.sqlite_only("how an attribute is made does not depend on the store")
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_service_is_made_on_first_use_and_then_kept_for_that_archive(
    name: str, archive: Archive, tmp_path: Path
) -> None:
    assert name not in vars(archive)
    service = getattr(archive, name)
    assert getattr(archive, name) is service
    assert service.archive is archive
    with Archive(tmp_path / "other.sqlite3") as other:
        assert getattr(other, name) is not service
        assert getattr(other, name).archive is other


def _loaded_after(script: str) -> set[str]:
    """Our modules a fresh interpreter has loaded after running `script`."""
    script += "\nimport sys; print(__import__('json').dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {m for m in json.loads(result.stdout.splitlines()[-1]) if m.startswith("newsreader")}


def test_opening_an_archive_and_listing_loads_no_service(tmp_path: Path) -> None:
    loaded = _loaded_after(
        "from newsreader.core.archive import Archive\n"
        f"with Archive({str(tmp_path / 'a.sqlite3')!r}) as archive: archive.list_articles()"
    )
    assert "newsreader.core.archive" in loaded
    assert not loaded & set(SERVICES.values())


# The modules that do a service's work, loaded by it on first use.
WORKERS = {"newsreader.core.saving", "newsreader.core.importing.files",
           "newsreader.core.importing.exports"}  # fmt: skip


@pytest.mark.parametrize("module", sorted(set(SERVICES.values()) | WORKERS))
def test_a_service_module_loads_without_the_archive_so_there_is_no_import_cycle(
    module: str,
) -> None:
    loaded = _loaded_after(f"import {module}")
    assert module in loaded
    assert "newsreader.core.archive" not in loaded
