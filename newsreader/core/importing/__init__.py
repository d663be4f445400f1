"""The import service: walking inputs, extracting them (in worker processes), saving,
queueing links and the per-item report, above the pure readers of core/ingest/."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsreader.core.ingest.report import ImportReport

if TYPE_CHECKING:
    from newsreader.core.importing.exports import import_export
    from newsreader.core.importing.files import import_paths

# Loaded on first use, so that the window starts without the extractors (see ingest).
_LAZY = {"import_export": "exports", "import_paths": "files"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ImportReport", "import_export", "import_paths"]
