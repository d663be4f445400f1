import gzip
from pathlib import Path

import pytest

from newsreader.core.ingest import reading
from newsreader.core.ingest.reading import InputLimitError, read_lines


def test_lines_come_back_as_written_plain_or_gzipped(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"one\ntwo\n")
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b"one\ntwo\n"))
    assert list(read_lines(tmp_path / "a.jsonl")) == [b"one\n", b"two\n"]
    assert list(read_lines(tmp_path / "a.jsonl.gz")) == [b"one\n", b"two\n"]


def test_a_line_longer_than_the_limit_stops_reading_with_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 100)
    (tmp_path / "a.jsonl").write_bytes(b"short\n" + b"x" * 500 + b"\nafter\n")
    lines = read_lines(tmp_path / "a.jsonl")
    assert next(lines) == b"short\n"
    with pytest.raises(InputLimitError, match="line 2 is longer than"):
        next(lines)


def test_a_compression_bomb_is_stopped_long_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1_000)
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"{}\n" * 3_000_000, compresslevel=9))  # ~1,000x
    with pytest.raises(InputLimitError, match="compression bomb"):
        for _line in read_lines(bomb):
            pass
