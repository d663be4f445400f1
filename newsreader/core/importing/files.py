"""Importing files and folders: detect, extract in worker processes, save in batches.

Every input item ends in exactly one report line (saved / duplicate / updated / failed /
skipped, with the reason), so the counts always add up to what was read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.core.blocks import ExtractedArticle
from newsreader.core.errors import ArchiveError
from newsreader.core.importing.exports import import_export
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.exports import detect_export
from newsreader.core.ingest.files import (
    EXPORT_SUFFIXES,
    JSONL_SUFFIXES,
    PARALLEL_MIN_FILES,
    SAVE_BATCH_BYTES,
    Extracted,
    Extractor,
    base_suffix,
    collect_inputs,
    count_jsonl_items,
    extract_file_safely,
    jsonl_items,
)
from newsreader.core.ingest.report import (
    INDEX_EVERY,
    SAVE_BATCH,
    ImportReport,
    ItemResult,
    Progress,
)
from newsreader.core.ingest.webarchive import count_warc_items, is_warc, read_warc
from newsreader.core.ingest.workers import PAGE_SAVE_BATCH, PagePool
from newsreader.core.saving import SaveOutcome

if TYPE_CHECKING:
    from newsreader.core.archive import Archive


def _archive_files(archive_path: Path) -> set[Path]:
    base = archive_path.resolve()
    return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}


def _extract_pages(
    pages: list[Path], workers: int, extractor: Extractor, report: ImportReport
) -> Generator[tuple[Path, Extracted], None, None]:
    """Pages in input order, extracted in worker processes when there are enough."""
    if workers <= 1 or len(pages) < PARALLEL_MIN_FILES:
        for page in pages:
            yield page, extractor(page)
        return
    pool: PagePool[Path, ExtractedArticle] = PagePool(workers, extractor)
    report.extraction_processes = workers
    try:
        yield from pool.map(pages)
    finally:
        pool.close()


# -- saving and reporting ---------------------------------------------------------------


class _BatchReporter:
    """Buffers extracted articles, saves them in batches, and reports in input order."""

    def __init__(self, archive: Archive, report: ImportReport) -> None:
        self.archive = archive
        self.report = report
        self.pending: list[tuple[str, Extracted | ItemResult]] = []
        self.stopped_by: ArchiveError | None = None  # the write failure that stopped it
        self.articles_pending = 0
        self.bytes_pending = 0  # images and originals held, so picture-heavy batches stay small
        self.unindexed = 0

    def add(self, item: str, result: Extracted) -> None:
        self.pending.append((item, result))
        if isinstance(result, ExtractedArticle):
            self.articles_pending += 1
            self.bytes_pending += sum(map(len, result.images.values()))
            self.bytes_pending += len(result.original_gz or b"")
            if self.articles_pending >= SAVE_BATCH or self.bytes_pending >= SAVE_BATCH_BYTES:
                self.flush()

    def skip(self, item: str, cancelled: bool) -> None:
        """An item not imported because the import stopped (cancelled, or a write failed)."""
        reason = "cancelled" if cancelled else f"not imported: {self.stopped_by}"
        self.add_result(ItemResult(item, "skipped", reason=reason))

    def add_result(self, result: ItemResult) -> None:
        """A line decided without saving (skipped), kept in input order."""
        self.pending.append((result.item, result))

    def flush(self) -> None:
        articles = [r for _, r in self.pending if isinstance(r, ExtractedArticle)]
        try:
            outcomes = iter(self.archive.save_many(articles, index=False) if articles else [])
        except ArchiveError as error:  # a full disk, a lock held too long: stop and say so
            self.stopped_by = error
            outcomes = iter([error] * len(articles))
        self.unindexed += len(articles)
        if self.unindexed >= INDEX_EVERY:
            self.archive.sync_search()
            self.unindexed = 0
        for item, result in self.pending:
            if isinstance(result, ItemResult):
                self.report.items.append(result)
            elif isinstance(result, ExtractionError):
                self.report.items.append(ItemResult(item, "failed", reason=str(result)))
            else:
                self.report.items.append(_saved_line(item, result, next(outcomes)))
        self.pending.clear()
        self.articles_pending = self.bytes_pending = 0


def _saved_line(
    item: str, article: ExtractedArticle, outcome: SaveOutcome | Exception
) -> ItemResult:
    if isinstance(outcome, Exception):
        return ItemResult(
            item, "failed", title=article.title, reason=f"could not be saved: {outcome}"
        )
    reason = "; ".join(r for r in (outcome.reason, *article.notes) if r)
    return ItemResult(item, outcome.status, outcome.article_id, outcome.title, reason)


def import_paths(
    archive: Archive,
    paths: Iterable[Path | str],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    extractor: Extractor = extract_file_safely,
) -> ImportReport:
    """Import files and folders into the archive and report on every item.

    `extractor` turns one page file into an article; it runs in worker processes, so it
    must be a module-level function (tests pass their own to simulate crashes).
    """
    report = ImportReport()
    files, problems = collect_inputs((Path(p) for p in paths), exclude=_archive_files(archive.path))
    report.items.extend(problems)
    jsonl_files = [f for f in files if base_suffix(f) in JSONL_SUFFIXES]
    others = [f for f in files if base_suffix(f) not in JSONL_SUFFIXES]
    exports = [f for f in others if base_suffix(f) in EXPORT_SUFFIXES and detect_export(f)]
    warcs = [f for f in others if f not in exports and is_warc(f)]
    special = set(exports) | set(warcs)
    pages = [f for f in others if f not in special]
    total = len(pages) + sum(count_jsonl_items(f) for f in jsonl_files)
    total += sum(count_warc_items(f) for f in warcs)
    reporter = _BatchReporter(archive, report)
    done = 0
    stopped = False

    def stop_here() -> bool:
        nonlocal stopped
        stopped = stopped or bool(should_cancel and should_cancel())
        return stopped or reporter.stopped_by is not None

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)

    for export in exports:  # each reports its own entries; their number is known once read
        if stop_here():
            reporter.skip(str(export), cancelled=stopped)
            continue
        try:
            report.items += import_export(archive, export, should_cancel=stop_here).items
        except ArchiveError as error:  # a full disk, a lock held too long: stop and say so
            reporter.stopped_by = error
            report.items.append(ItemResult(str(export), "failed", reason=str(error)))
    streams = [jsonl_items(f) for f in jsonl_files]
    streams += [read_warc(f, should_cancel=stop_here) for f in warcs]
    for items in streams:
        for item, result in items:
            if stop_here():
                reporter.skip(item, cancelled=stopped)
                continue
            reporter.add(item, result)
            step()
    extracted = _extract_pages(pages, workers or os.cpu_count() or 1, extractor, report)
    for page in pages:
        if stop_here():
            reporter.skip(str(page), cancelled=stopped)
            continue
        _, result = next(extracted)
        reporter.add(str(page), result)
        if reporter.articles_pending >= PAGE_SAVE_BATCH:
            reporter.flush()  # while the workers extract the next pages, not all at the end
        step()
    extracted.close()
    reporter.flush()
    archive.sync_search()
    if progress is not None:
        progress(total, total)
    return report
