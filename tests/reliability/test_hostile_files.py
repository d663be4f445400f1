"""Hostile files given to the installed command: each ends in a report line or a message,
within 10 s and 500 MB, never a traceback or a hang.

Every case runs `newsreader import FILE` (or `feeds import-opml`) as its own process; the
peak memory is the largest resident set of that process and its workers.
"""

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SECONDS = 10
PEAK_BYTES = 500 * 1024**2
COMMAND = Path(sys.executable).with_name("newsreader")
# Runs the command and prints its peak resident set (of it and its workers) in KB last.
MEASURED = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def random_bytes(path: Path) -> Path:
    path = path / "garbage.html"
    path.write_bytes(os.urandom(5 * 1024**2))
    return path


def nested_html(path: Path) -> Path:
    path = path / "nested.html"
    path.write_text("<html><body>" + "<div>" * 200_000 + "<p>Deep text.</p>" + "</div>" * 200_000)
    return path


def one_long_line(path: Path) -> Path:
    path = path / "line.jsonl"
    path.write_text(json.dumps({"title": "Long", "body": "word " * 10_000_000}) + "\n")
    return path


def broken_jsonl(path: Path) -> Path:
    path = path / "broken.jsonl"
    lines = ['{"title": "Fine", "body": "A fine story."}', "{not json", "[" * 100_000, "\x00\xff"]
    path.write_text("\n".join(lines) + "\n", errors="surrogateescape")
    return path


def gzip_bomb_jsonl(path: Path) -> Path:
    path = path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        for _ in range(2_000):
            out.write(b"\x00" * (1024 * 1024))
    return path


def opml_laughs(path: Path) -> Path:
    path = path / "laughs.opml"
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">{entities}]>'
        '<opml><body><outline text="&l9;" xmlUrl="https://example.org/feed"/></body></opml>'
    )
    return path


def text_dump_of_nothing(path: Path) -> Path:
    path = path / "empty.txt"
    path.write_text("\n" * 1_000_000)
    return path


CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "random bytes as a page": (random_bytes, ["import"]),
    "HTML nested 200,000 deep": (nested_html, ["import"]),
    "a 50 MB JSON Lines line": (one_long_line, ["import"]),
    "broken JSON Lines": (broken_jsonl, ["import"]),
    "a gzipped JSON Lines bomb": (gzip_bomb_jsonl, ["import"]),
    "an OPML billion laughs": (opml_laughs, ["feeds", "import-opml"]),
    "a text dump of blank lines": (text_dump_of_nothing, ["import"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_file_gets_a_clear_answer_quickly_and_within_memory(
    tmp_path: Path, case: str
) -> None:
    make, command = CASES[case]
    hostile = make(tmp_path)
    program = [str(COMMAND)] if COMMAND.exists() else [sys.executable, "-m", "newsreader"]
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-c", MEASURED, *program, "--archive", str(tmp_path / "a.sqlite3"),
         *command, str(hostile)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    output, _, peak_kb = finished.stdout.rstrip().rpartition("\n")
    peak = int(peak_kb) * 1024
    answer = output + finished.stderr
    assert "Traceback" not in answer, answer[-3000:]
    assert finished.returncode in (0, 1, 4), answer[-3000:]
    said = "items:" in answer or answer.startswith("newsreader:") or "feeds added" in answer
    assert said, answer[-2000:]  # a report, or a message saying why not
    assert elapsed <= SECONDS, f"{case}: {elapsed:.1f} s"
    assert peak <= PEAK_BYTES, f"{case}: {peak / 1024**2:.0f} MB"
