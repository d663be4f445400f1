"""Importing files and folders: detect, extract in worker processes, save in batches.

Every input item ends in exactly one report line (saved / duplicate / updated / failed /
skipped, with the reason), so the counts always add up to what was read.
"""

from __future__ import annotations

import gzip
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from newsreader.core.archive import Archive, SaveOutcome
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.jsonl import read_jsonl
from newsreader.core.ingest.textdump import parse_text_dump

ItemStatus = Literal["saved", "duplicate", "updated", "failed", "skipped"]
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# Files that belong to saved pages (their images, styles); a folder import passes them by.
PAGE_RESOURCE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp", ".ico",
    ".css", ".js", ".woff", ".woff2", ".ttf", ".otf", ".map",
}  # fmt: skip
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024
PARALLEL_MIN_FILES = 8
SAVE_BATCH = 500
Progress = Callable[[int, int], None]


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

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(("saved", "updated", "duplicate", "failed", "skipped"), 0)
        for item in self.items:
            totals[item.status] += 1
        totals["total"] = len(self.items)
        return totals

    def to_json(self) -> dict[str, object]:
        return {"counts": self.counts(), "items": [asdict(item) for item in self.items]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def _base_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def read_file_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when it ends in .gz; refuses oversized files."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ExtractionError(
            f"file too large ({size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)"
        )
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except (OSError, EOFError) as error:
            raise ExtractionError(f"not a valid gzip file: {error}") from error
        if len(data) > MAX_FILE_BYTES:
            raise ExtractionError("file too large once decompressed")
    return data


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
    try:
        data = read_file_bytes(path)
    except OSError as error:
        raise ExtractionError(f"cannot read the file: {error.strerror or error}") from error
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
        return article
    return parse_text_dump(text)


def _extract_file_safely(path: Path) -> ExtractedArticle | ExtractionError:
    """Worker-process entry point: never raises, so one bad file never stops the pool."""
    try:
        return extract_file(path)
    except ExtractionError as error:
        return error
    except RecursionError:
        return ExtractionError("the page is nested too deeply to parse")
    except Exception as error:  # an extractor bug must cost one item, not the batch
        return ExtractionError(f"extraction failed: {type(error).__name__}: {error}")


def collect_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[ItemResult]]:
    """Expand folders recursively into importable files; unusable inputs become results."""
    files: list[Path] = []
    problems: list[ItemResult] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    child = Path(root) / name
                    if name.startswith(".") or _base_suffix(child) in PAGE_RESOURCE_SUFFIXES:
                        continue
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(ItemResult(str(path), "failed", reason="no such file or folder"))
    return files, problems


class _Saver:
    """Buffers extracted articles, saves them in batches, and reports in input order."""

    def __init__(self, archive: Archive, report: ImportReport) -> None:
        self.archive = archive
        self.report = report
        self.pending: list[tuple[str, ExtractedArticle | ExtractionError]] = []
        self.articles_pending = 0

    def add(self, item: str, result: ExtractedArticle | ExtractionError) -> None:
        self.pending.append((item, result))
        if isinstance(result, ExtractedArticle):
            self.articles_pending += 1
            if self.articles_pending >= SAVE_BATCH:
                self.flush()

    def flush(self) -> None:
        articles = [r for _, r in self.pending if isinstance(r, ExtractedArticle)]
        outcomes = iter(self.archive.save_many(articles) if articles else [])
        for item, result in self.pending:
            if isinstance(result, ExtractionError):
                self.report.items.append(ItemResult(item, "failed", reason=str(result)))
                continue
            outcome = next(outcomes)
            if isinstance(outcome, SaveOutcome):
                self.report.items.append(
                    ItemResult(item, outcome.status, outcome.article_id, outcome.title,
                               outcome.reason)
                )  # fmt: skip
            else:
                reason = f"could not be saved: {outcome}"
                self.report.items.append(ItemResult(item, "failed", title=result.title,
                                                    reason=reason))  # fmt: skip
        self.pending.clear()
        self.articles_pending = 0


def _iter_extracted(
    pages: list[Path], workers: int
) -> Generator[tuple[Path, ExtractedArticle | ExtractionError], None, None]:
    if workers <= 1 or len(pages) < PARALLEL_MIN_FILES:
        for page in pages:
            yield page, _extract_file_safely(page)
        return
    context = multiprocessing.get_context("spawn")  # safe beside Qt and threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: list[Future[ExtractedArticle | ExtractionError]] = [
            pool.submit(_extract_file_safely, page) for page in pages
        ]
        try:
            for page, future in zip(pages, futures, strict=True):
                yield page, future.result()
        finally:
            for future in futures:
                future.cancel()


def import_paths(
    archive: Archive,
    paths: Iterable[Path | str],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import files and folders into the archive and report on every item."""
    report = ImportReport()
    files, problems = collect_inputs(Path(p) for p in paths)
    report.items.extend(problems)
    jsonl_files = [f for f in files if _base_suffix(f) in JSONL_SUFFIXES]
    pages = [f for f in files if _base_suffix(f) not in JSONL_SUFFIXES]
    jsonl_data: list[tuple[Path, bytes | ExtractionError]] = []
    for path in jsonl_files:
        try:
            jsonl_data.append((path, read_jsonl_bytes(path)))
        except (ExtractionError, OSError) as error:
            jsonl_data.append((path, ExtractionError(str(error))))
    total = len(pages) + sum(
        1 if isinstance(d, ExtractionError) else _count_lines(d) for _, d in jsonl_data
    )
    saver = _Saver(archive, report)
    done = 0
    cancelled = False

    def step() -> bool:
        nonlocal done, cancelled
        done += 1
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)
        cancelled = cancelled or bool(should_cancel and should_cancel())
        return cancelled

    for path, data in jsonl_data:
        if isinstance(data, ExtractionError):
            saver.add(str(path), data)
            step()
            continue
        for line, result in read_jsonl(data):
            if cancelled:
                saver.flush()  # the report keeps input order
                report.items.append(ItemResult(f"{path}:{line}", "skipped", reason="cancelled"))
                continue
            saver.add(f"{path}:{line}", result)
            step()

    extracted = _iter_extracted(pages, workers or os.cpu_count() or 1)
    for index, page in enumerate(pages):
        if cancelled:
            saver.flush()
            report.items.extend(ItemResult(str(p), "skipped", reason="cancelled")
                                for p in pages[index:])  # fmt: skip
            extracted.close()
            break
        _, result = next(extracted)
        saver.add(str(page), result)
        step()
    saver.flush()
    if progress is not None:
        progress(total, total)
    return report


def read_jsonl_bytes(path: Path) -> bytes:
    """A JSON Lines file's bytes (gunzipped); no size cap, corpora are large by nature."""
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as stream:
            return stream.read()
    return path.read_bytes()


def _count_lines(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip())
