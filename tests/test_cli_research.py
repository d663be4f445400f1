"""The research commands: codes, concordance, stats, export, import-qda, agreement, cite."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from newsreader.cli import main
from newsreader.core.archive import Archive
from tests.factories import make_article


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def path(tmp_path: Path) -> str:
    with Archive(tmp_path / "a.sqlite3") as archive:
        for n, section in enumerate(("World", "World", "Sport")):
            archive.save(make_article(f"Rates {n}", (f"Interest rates rose {n} times. Rate cut.",),
                                      section=section, published=f"2024-0{n + 1}-10"))  # fmt: skip
    return str(tmp_path / "a.sqlite3")


def test_coding_through_the_cli_and_listing_the_codebook(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--archive", path, "codes", "add", "economy", "--color", "#102030")[0] == 0
    code, out = run(capsys, "--archive", path, "annotate", "1", "--quote", "Interest rates",
                    "--code", "economy", "--coder", "ana", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["codes"] == ["economy"]
    assert run(capsys, "--archive", path, "codes", "edit", "economy", "--name", "money")[0] == 0
    code, out = run(capsys, "--archive", path, "codes", "--json")
    assert {c["name"]: c["count"] for c in json.loads(out)}["money"] == 1
    code, _out = run(capsys, "--archive", path, "codes", "merge", "money", "nonesuch")
    assert (code == 1 and "no code" in capsys.readouterr().err + _out) or code == 1


def test_concordance_prints_csv_lines_for_a_quoted_phrase(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--archive", path, "concordance", '"interest rates"', "--csv",
                    "--width", "2", "--sort", "right")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 3
    assert [r["right"] for r in rows] == ["rose 0", "rose 1", "rose 2"]
    code, out = run(capsys, "--archive", path, "concordance", "rate", "--json")
    assert len(json.loads(out)) == 6  # "rates" and "Rate" in each article


def test_stats_writes_counts_per_month_and_section(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--archive", path, "stats", "rates", "--by", "month",
                    "--split", "section")  # fmt: skip
    assert code == 0
    assert out.splitlines() == ["period,section,count", "2024-01,World,1", "2024-02,World,1",
                                "2024-03,Sport,1"]  # fmt: skip


def test_export_then_import_a_qdpx_and_a_bad_export_fails_cleanly(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--archive", path, "annotate", "2", "--quote", "rose", "--coder", "ben")
    out_file = tmp_path / "p.qdpx"
    code, out = run(capsys, "--archive", path, "export", "--format", "qdpx", "--out",
                    str(out_file))  # fmt: skip
    assert code == 0 and out.startswith("3 articles and 1 highlights")
    code, out = run(capsys, "--archive", path, "import-qda", str(out_file))
    assert code == 0 and "1 already here" in out
    code, _ = run(capsys, "--archive", path, "export", "--format", "ris", "--article", "99",
                  "--out", str(tmp_path / "x.ris"))  # fmt: skip
    assert code == 1 and not (tmp_path / "x.ris").exists()


def test_agreement_and_citations_from_the_cli(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for coder in ("ana", "ben"):
        run(capsys, "--archive", path, "annotate", "1", "--quote", "Interest rates",
            "--code", "green", "--coder", coder)  # fmt: skip
    code, out = run(capsys, "--archive", path, "agreement", "--json", "--unit", "paragraph")
    (result,) = json.loads(out)
    assert code == 0 and result["coders"] == ["ana", "ben"] and result["percent_agreement"] == 1.0
    code, out = run(capsys, "--archive", path, "cite", "1", "--style", "mla", "--quote", "Rate cut")
    quote, reference, link = out.splitlines()
    assert code == 0 and quote == "“Rate cut”" and "Rates 0" in reference
    assert link == "newsreader://article/1#char=29,37"


def test_a_newsreader_link_opens_the_app_at_the_passage(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def open_gui(_path: Path | str, qt_args: list[str]) -> int:
        seen.append(qt_args)
        return 0

    archive = str(tmp_path / "g.sqlite3")
    assert main(["--archive", archive, "newsreader://article/7#char=3,9"], open_gui=open_gui) == 0
    assert main(["--archive", archive, "newsreader://article/8"], open_gui=open_gui) == 0
    assert seen == [["--newsreader-span=3,9", "--newsreader-open=7"], ["--newsreader-open=8"]]
    assert main(["--archive", archive, "newsreader://elsewhere"], open_gui=open_gui) == 2
