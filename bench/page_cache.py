"""Cold runs for benchmarks: evict chosen files from the operating system's page cache.

posix_fadvise(DONTNEED) drops the clean cached pages of the files named, leaving other
programs' cached files alone (unlike writing to /proc/sys/vm/drop_caches). Pages a
process still has mapped stay, so close what maps the files (a search index) first.
"""

from __future__ import annotations

import os
from pathlib import Path


def evict(paths: list[Path]) -> int:
    """Drop these files (folders walked) from the page cache; how many files were touched."""
    touched = 0
    for root in paths:
        files = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
        for path in files:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                touched += 1
            finally:
                os.close(fd)
    return touched


def archive_files(archive: Path) -> list[Path]:
    """An archive's files: the database, its write-ahead log and its search index."""
    candidates = (archive, Path(f"{archive}-wal"), archive.with_name(archive.name + ".search"))
    return [p for p in candidates if p.exists()]


def drop_all() -> bool:
    """Empty the whole page cache (`sync; echo 3 > /proc/sys/vm/drop_caches`): a cold start
    as after a reboot, every file read from disk. Needs root; False when not allowed."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True
