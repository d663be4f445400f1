"""The import service: walking inputs, extracting them (in worker processes), saving,
queueing links and the per-item report, above the pure readers of core/ingest/.

Reached as `archive.imports`; the modules that do the work (files.py, exports.py) load
on the first import, so that the window starts without the extractors (see ingest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.core.ingest.report import ImportReport, Progress
from newsreader.core.paths import RESOURCES_DIR

if TYPE_CHECKING:
    from newsreader.core.archive import Archive
    from newsreader.core.ingest.files import Extractor

__all__ = ["ImportReport", "Imports"]

SEEDED_KEY = "seeded"  # the archive's meta: set once the first run's articles came in


def first_run_inputs(resources: Path = RESOURCES_DIR) -> list[Path]:
    """The sample first and the guide last, in reverse, so "Welcome" is the newest."""
    guide = sorted((resources / "guide").glob("*.txt"), reverse=True)
    return [*sorted((resources / "sample").glob("*.txt")), *guide]


class Imports:
    """Importing into one archive: files and folders, other apps' exports."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def paths(
        self, paths: Iterable[Path | str], *, workers: int | None = None,
        progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None,
        extractor: Extractor | None = None,
    ) -> ImportReport:  # fmt: skip
        """Files, folders, exports and web archives, one report line per item
        (`extractor`: how a page file becomes an article; tests pass their own)."""
        from newsreader.core.importing.files import import_paths
        from newsreader.core.ingest.files import extract_file_safely

        return import_paths(self.archive, paths, workers=workers, progress=progress,
                            should_cancel=should_cancel,
                            extractor=extractor or extract_file_safely)  # fmt: skip

    def from_export(
        self, path: Path | str, *, progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> ImportReport:  # fmt: skip
        """Another app's export; entries with content saved, links alone queued."""
        from newsreader.core.importing.exports import import_export

        return import_export(self.archive, path, progress=progress, should_cancel=should_cancel)

    def seed_if_new(self, resources: Path = RESOURCES_DIR) -> ImportReport | None:
        """First run is never empty: an archive that has never been seeded and holds
        nothing gets the sample article and the guide; once only."""
        archive = self.archive
        if archive.get_meta(SEEDED_KEY) is not None:
            return None
        if archive.count() > 0:
            archive.set_meta(SEEDED_KEY, "skipped: archive not empty")
            return None
        report = self.paths(first_run_inputs(resources), workers=1)
        if report.counts()["saved"]:  # without resources, try again next time
            archive.set_meta(SEEDED_KEY, "yes")
        return report
