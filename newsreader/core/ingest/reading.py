"""Reading an input file whole: gunzipped when it ends in .gz, never past a size limit."""

from __future__ import annotations

import gzip
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from newsreader.core.ingest.errors import ExtractionError

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
MAX_EXPANSION = 100  # real text gzips 3-10x; far beyond that it is a compression bomb


class InputLimitError(Exception):
    """A file that reading would not finish with: a line too long, a compression bomb."""


DAMAGED_FILE_ERRORS = (OSError, EOFError, zlib.error, InputLimitError)


NOT_REGULAR = "not a regular file (a pipe, device or socket): never read, it could wait forever"


def is_regular_file(path: Path) -> bool:
    """Whether `path` is a regular file (links followed); a FIFO or a device is not."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def open_input(path: Path) -> BinaryIO:
    """A regular file opened for reading, decompressed on the fly when it ends in .gz.

    A FIFO or device is refused before it is opened: opening one can block for ever."""
    if not is_regular_file(path):
        raise ExtractionError(NOT_REGULAR) if path.exists() else FileNotFoundError(path)
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_lines(path: Path) -> Iterator[bytes]:
    """The lines of a (gzipped) text file, each read within MAX_LINE_BYTES; raises
    InputLimitError at a longer line or once a .gz has expanded MAX_EXPANSION times."""
    gzipped = path.suffix.lower() == ".gz"
    budget = MAX_EXPANSION * path.stat().st_size + MAX_LINE_BYTES if gzipped else None
    read = 0
    with open_input(path) as stream:
        for number, line in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(line) > MAX_LINE_BYTES:
                raise InputLimitError(f"line {number} is longer than {MAX_LINE_BYTES // 2**20} MB")
            read += len(line)
            if budget is not None and read > budget:
                raise InputLimitError(
                    f"it expands over {MAX_EXPANSION} times when decompressed (a compression bomb?)"
                )
            yield line


def read_file_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes (gunzipped), refusing files over `limit`, on disk or decompressed."""
    size = path.stat().st_size
    if size > limit:
        raise ExtractionError(
            f"file too large ({size / 2**20:.0f} MB; the limit is {limit // 2**20} MB)"
        )
    try:
        with open_input(path) as stream:
            data = stream.read(limit + 1)
    except DAMAGED_FILE_ERRORS as error:
        raise ExtractionError(f"cannot read the file: {error}") from error
    if len(data) > limit:
        raise ExtractionError("file too large once decompressed")
    return data
