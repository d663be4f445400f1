"""First run is never empty: a new archive gets the sample article and the guide."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.core.archive import Archive
from newsreader.core.paths import RESOURCES_DIR

if TYPE_CHECKING:
    from newsreader.core.ingest.report import ImportReport

SEEDED_KEY = "seeded"


def first_run_inputs(resources: Path = RESOURCES_DIR) -> list[Path]:
    """The sample first and the guide last, in reverse, so "Welcome" is the newest."""
    guide = sorted((resources / "guide").glob("*.txt"), reverse=True)
    return [*sorted((resources / "sample").glob("*.txt")), *guide]


def seed_if_new(archive: Archive, resources: Path = RESOURCES_DIR) -> ImportReport | None:
    """Seed an archive that has never been seeded and holds nothing; once only."""
    if archive.get_meta(SEEDED_KEY) is not None:
        return None
    if archive.count() > 0:
        archive.set_meta(SEEDED_KEY, "skipped: archive not empty")
        return None
    report = archive.imports.paths(first_run_inputs(resources), workers=1)
    if report.counts()["saved"]:  # without resources, try again next time
        archive.set_meta(SEEDED_KEY, "yes")
    return report
