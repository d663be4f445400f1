"""Reading an input file whole: gunzipped when it ends in .gz, never past a size limit."""

from __future__ import annotations

import gzip
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from newsreader.core.ingest.errors import ExtractionError

MAX_FILE_BYTES = 64 * 1024 * 1024
DAMAGED_FILE_ERRORS = (OSError, EOFError, zlib.error)


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
