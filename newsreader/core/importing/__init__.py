"""The import service: walking inputs, extracting them (in worker processes), saving,
queueing links and the per-item report, above the pure readers of core/ingest/."""

from newsreader.core.importing.exports import import_export
from newsreader.core.importing.files import import_paths
from newsreader.core.ingest.report import ImportReport

__all__ = ["ImportReport", "import_export", "import_paths"]
