"""The import report: one line per item read, so the counts always add up to the input."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

ItemStatus = Literal["saved", "duplicate", "updated", "queued", "failed", "skipped"]
Progress = Callable[[int, int], None]
SAVE_BATCH = 500
INDEX_EVERY = 10_000  # articles saved between search-index commits during an import


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: str  # a file path, or "path:line" for a line of a JSON Lines file
    status: ItemStatus
    article_id: int | None = None
    title: str | None = None
    reason: str = ""


@dataclass(slots=True)
class ImportReport:
    items: list[ItemResult] = field(default_factory=list)
    extraction_processes: int = 0  # worker processes used (0: extracted in this process)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(("saved", "updated", "duplicate", "queued", "failed", "skipped"), 0)
        for item in self.items:
            totals[item.status] += 1
        totals["total"] = len(self.items)
        return totals

    def to_json(self) -> dict[str, object]:
        return {"counts": self.counts(), "items": [asdict(item) for item in self.items]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)
