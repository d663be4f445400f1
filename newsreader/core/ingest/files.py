"""Importing files and folders: detect, extract in worker processes, save in batches.

Every input item ends in exactly one report line (saved / duplicate / updated / failed /
skipped, with the reason), so the counts always add up to what was read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsreader.core.archive import Archive, SaveOutcome
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.jsonl import read_jsonl
from newsreader.core.ingest.reading import (
    DAMAGED_FILE_ERRORS,
    NOT_REGULAR,
    is_regular_file,
    open_input,
    read_file_bytes,
)
from newsreader.core.ingest.report import (
    INDEX_EVERY,
    SAVE_BATCH,
    ImportReport,
    ItemResult,
    Progress,
)
from newsreader.core.ingest.textdump import parse_text_dump
from newsreader.core.ingest.webarchive import (
    count_warc_items,
    is_mhtml,
    is_warc,
    read_mhtml,
    read_warc,
)
from newsreader.core.ingest.workers import PagePool

Extracted = ExtractedArticle | ExtractionError
Extractor = Callable[[Path], Extracted]
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
EXPORT_SUFFIXES = {".csv", ".json", ".html", ".htm", ".zip"}  # other apps' exports
# Files that belong to saved pages (their images, styles); a folder import passes them by.
PAGE_RESOURCE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp", ".ico",
    ".css", ".js", ".woff", ".woff2", ".ttf", ".otf", ".map",
}  # fmt: skip
MAX_IMAGE_BYTES = 20 * 1024 * 1024
PARALLEL_MIN_FILES = 8
SAVE_BATCH_BYTES = 64 * 1024 * 1024


# -- reading files ----------------------------------------------------------------------


def _base_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or any(
        tag in head for tag in ("<html", "<body", "<head", "<article", "<p>", "<div")
    )


def _local_images(blocks: list[Block], page: Path) -> dict[str, bytes]:
    """Images a saved page references by relative path, read from beside the page.

    Only files inside the page's own folder are read, so hostile markup cannot pull
    arbitrary local files into the archive.
    """
    folder = page.parent.resolve()
    images: dict[str, bytes] = {}
    for block in blocks:
        if (
            block.kind != "image"
            or not block.src
            or urlsplit(block.src).scheme in ("http", "https")
        ):
            continue
        candidate = (folder / unquote(urlsplit(block.src).path)).resolve()
        if not candidate.is_relative_to(folder) or not candidate.is_file():
            continue
        if candidate.stat().st_size <= MAX_IMAGE_BYTES:
            images[block.src] = candidate.read_bytes()
    return images


def extract_file(path: Path) -> ExtractedArticle:
    """One HTML page or text dump → an article; raise ExtractionError with the reason."""
    data = read_file_bytes(path)
    if not data.strip():
        raise ExtractionError("empty file")
    text = decode_bytes(data)
    suffix = _base_suffix(path)
    markup_first = text.lstrip().startswith("<")
    if suffix in HTML_SUFFIXES or (
        _looks_like_html(text) and (suffix not in TEXT_SUFFIXES or markup_first)
    ):
        article = extract_html(text)
        article.images = _local_images(article.blocks, path)
        article.original = data  # kept, compressed, for View → Original page and re-extraction
        return article
    return parse_text_dump(text)


def extract_file_safely(path: Path) -> Extracted:
    """Worker-process entry point: never raises, so one bad file never stops the pool."""
    try:
        if is_mhtml(path):
            return read_mhtml(path)
        return extract_file(path)
    except ExtractionError as error:
        return error
    except RecursionError:
        return ExtractionError("the page is nested too deeply to parse")
    except Exception as error:  # an extractor bug must cost one item, not the batch
        return ExtractionError(f"extraction failed: {type(error).__name__}: {error}")


# -- finding inputs -----------------------------------------------------------------


def _archive_files(archive_path: Path) -> set[Path]:
    base = archive_path.resolve()
    return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}


def _is_saved_page_folder(folder: Path) -> bool:
    """A browser's "Save page as" folder (`Page_files/` beside `Page.html`): resources."""
    if not folder.name.endswith("_files"):
        return False
    stem = folder.name.removesuffix("_files")
    return any((folder.parent / f"{stem}{s}").exists() for s in (".html", ".htm"))


def collect_inputs(
    paths: Iterable[Path], *, exclude: set[Path] | None = None
) -> tuple[list[Path], list[ItemResult]]:
    """Expand folders recursively (following links, each folder once) into files to import.

    Inputs that cannot be imported come back as report lines: missing paths, and the
    archive's own files when a folder holds them.
    """
    excluded = exclude or set()
    files: list[Path] = []
    problems: list[ItemResult] = []
    visited: set[tuple[int, int]] = set()

    def add_file(path: Path) -> None:
        if path.resolve() in excluded:
            problems.append(ItemResult(str(path), "skipped", reason="this is the archive itself"))
        else:
            files.append(path)

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path, followlinks=True):
                here = os.stat(root)
                if (here.st_dev, here.st_ino) in visited:  # a link loop, or seen already
                    dirs[:] = []
                    continue
                visited.add((here.st_dev, here.st_ino))
                dirs[:] = sorted(
                    d for d in dirs
                    if not d.startswith(".") and not _is_saved_page_folder(Path(root) / d)
                )  # fmt: skip
                for name in sorted(names):
                    child = Path(root) / name
                    if name.startswith(".") or _base_suffix(child) in PAGE_RESOURCE_SUFFIXES:
                        continue
                    if is_regular_file(child):
                        add_file(child)
                    else:
                        problems.append(ItemResult(str(child), "skipped", reason=NOT_REGULAR))
        elif path.is_file():
            add_file(path)
        elif path.exists():
            problems.append(ItemResult(str(path), "failed", reason=NOT_REGULAR))
        else:
            problems.append(ItemResult(str(path), "failed", reason="no such file or folder"))
    return files, problems


def _jsonl_lines(path: Path) -> Iterator[bytes]:
    with open_input(path) as stream:
        yield from stream


def _count_jsonl_items(path: Path) -> int:
    """Non-blank lines, plus one for the damage report if the file is damaged."""
    count = 0
    try:
        for line in _jsonl_lines(path):
            count += bool(line.strip())
    except DAMAGED_FILE_ERRORS:
        count += 1
    return count


def _jsonl_items(path: Path) -> Iterator[tuple[str, Extracted]]:
    """(item name, article or error) for each line; a damaged file ends with one failure."""
    last = 0
    try:
        for line, result in read_jsonl(_jsonl_lines(path)):
            last = line
            yield f"{path}:{line}", result
    except DAMAGED_FILE_ERRORS as error:
        yield (
            f"{path}:{last + 1}",
            ExtractionError(
                f"the file is damaged after line {last}; the rest cannot be read ({error})"
            ),
        )


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
        self.articles_pending = 0
        self.bytes_pending = 0  # images and originals held, so picture-heavy batches stay small
        self.unindexed = 0

    def add(self, item: str, result: Extracted) -> None:
        self.pending.append((item, result))
        if isinstance(result, ExtractedArticle):
            self.articles_pending += 1
            self.bytes_pending += sum(map(len, result.images.values()))
            self.bytes_pending += len(result.original or b"")
            if self.articles_pending >= SAVE_BATCH or self.bytes_pending >= SAVE_BATCH_BYTES:
                self.flush()

    def add_result(self, result: ItemResult) -> None:
        """A line decided without saving (skipped), kept in input order."""
        self.pending.append((result.item, result))

    def flush(self) -> None:
        articles = [r for _, r in self.pending if isinstance(r, ExtractedArticle)]
        outcomes = iter(self.archive.save_many(articles, index=False) if articles else [])
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
    from newsreader.core.ingest.exports import detect_export, import_export  # heavy, rare

    report = ImportReport()
    files, problems = collect_inputs((Path(p) for p in paths), exclude=_archive_files(archive.path))
    report.items.extend(problems)
    jsonl_files = [f for f in files if _base_suffix(f) in JSONL_SUFFIXES]
    others = [f for f in files if _base_suffix(f) not in JSONL_SUFFIXES]
    exports = [f for f in others if _base_suffix(f) in EXPORT_SUFFIXES and detect_export(f)]
    warcs = [f for f in others if f not in exports and is_warc(f)]
    special = set(exports) | set(warcs)
    pages = [f for f in others if f not in special]
    total = len(pages) + sum(_count_jsonl_items(f) for f in jsonl_files)
    total += sum(count_warc_items(f) for f in warcs)
    reporter = _BatchReporter(archive, report)
    done = 0
    stopped = False

    def stop_here() -> bool:
        nonlocal stopped
        stopped = stopped or bool(should_cancel and should_cancel())
        return stopped

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)

    for export in exports:  # each reports its own entries; their number is known once read
        report.items += import_export(archive, export, should_cancel=stop_here).items
    streams = [_jsonl_items(f) for f in jsonl_files]
    streams += [read_warc(f, should_cancel=stop_here) for f in warcs]
    for items in streams:
        for item, result in items:
            if stop_here():
                reporter.add_result(ItemResult(item, "skipped", reason="cancelled"))
                continue
            reporter.add(item, result)
            step()
    extracted = _extract_pages(pages, workers or os.cpu_count() or 1, extractor, report)
    for page in pages:
        if stop_here():
            reporter.add_result(ItemResult(str(page), "skipped", reason="cancelled"))
            continue
        _, result = next(extracted)
        reporter.add(str(page), result)
        step()
    extracted.close()
    reporter.flush()
    archive.sync_search()
    if progress is not None:
        progress(total, total)
    return report
