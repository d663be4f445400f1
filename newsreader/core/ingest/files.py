"""Files and folders as inputs: which files to read, and each file's article(s).

Pure: paths in, extracted articles (or the reason there is none) out. Saving them, in
batches and with a report line per item, is the import service's
(newsreader.core.importing.files).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.html import extract_html
from newsreader.core.ingest.jsonl import read_jsonl
from newsreader.core.ingest.reading import (
    DAMAGED_FILE_ERRORS,
    NOT_REGULAR,
    is_regular_file,
    read_file_bytes,
    read_lines,
)
from newsreader.core.ingest.report import ItemResult
from newsreader.core.ingest.textdump import parse_text_dump
from newsreader.core.ingest.webarchive import (
    is_mhtml,
    read_mhtml,
)

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


def base_suffix(path: Path) -> str:
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
    suffix = base_suffix(path)
    markup_first = text.lstrip().startswith("<")
    if suffix in HTML_SUFFIXES or (
        _looks_like_html(text) and (suffix not in TEXT_SUFFIXES or markup_first)
    ):
        article = extract_html(text)
        article.images = _local_images(article.blocks, path)
        article.keep_original(data)
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
                    if name.startswith(".") or base_suffix(child) in PAGE_RESOURCE_SUFFIXES:
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
    return read_lines(path)


def count_jsonl_items(path: Path) -> int:
    """Non-blank lines, plus one for the damage report if the file is damaged."""
    count = 0
    try:
        for line in _jsonl_lines(path):
            count += bool(line.strip())
    except DAMAGED_FILE_ERRORS:
        count += 1
    return count


def jsonl_items(path: Path) -> Iterator[tuple[str, Extracted]]:
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
