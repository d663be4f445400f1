import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsreader.cli import main
from tests.factories import SEED_FILE, news_page


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_import_then_show_gives_the_seed_article_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    code, out = run(capsys, "import", str(SEED_FILE), "--archive", archive, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["saved"] == 1
    article_id = report["items"][0]["article_id"]

    code, out = run(capsys, "show", str(article_id), "--archive", archive, "--json")
    shown = json.loads(out)
    assert code == 0
    assert set(shown) >= {"id", "url", "title", "section", "byline", "published", "text", "related"}
    assert shown["section"] == "International"
    assert shown["text"].endswith("reducing assaults on US personnel.")


def test_list_and_sections_show_what_was_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": f"Story {n}", "body": f"Body {n}.", "section": s})
            for n, s in enumerate(["sport", "sport", "tech"])
        )
    )
    archive = str(tmp_path / "a.sqlite3")
    assert run(capsys, "--archive", archive, "import", str(corpus))[0] == 0
    _code, out = run(capsys, "--archive", archive, "sections", "--json")
    assert json.loads(out) == [
        {"key": "sport", "name": "Sport", "count": 2},
        {"key": "tech", "name": "Tech", "count": 1},
    ]
    _code, out = run(capsys, "--archive", archive, "list", "--section", "Sport", "--json")
    assert sorted(row["title"] for row in json.loads(out)) == ["Story 0", "Story 1"]
    assert "Story 2" in run(capsys, "--archive", archive, "list")[1]


def test_an_import_with_failures_exits_nonzero_and_writes_its_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.html").write_bytes(b"\x00\x01" * 100)
    report_file = tmp_path / "report.json"
    code, out = run(
        capsys, "import", str(tmp_path / "bad.html"), "--archive", str(tmp_path / "a.sqlite3"),
        "--report", str(report_file),
    )  # fmt: skip
    assert code == 1
    assert "1 failed" in out
    assert json.loads(report_file.read_text())["items"][0]["status"] == "failed"


def test_mark_and_delete_change_the_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    run(capsys, "import", str(SEED_FILE), "--archive", archive)
    assert run(capsys, "mark", "1", "--read", "--star", "--archive", archive)[0] == 0
    shown = json.loads(run(capsys, "show", "1", "--json", "--archive", archive)[1])
    assert shown["read"] and shown["starred"]
    assert run(capsys, "delete", "1", "--archive", archive)[0] == 0
    assert run(capsys, "show", "1", "--archive", archive)[0] == 3


def test_the_archive_location_comes_from_the_environment_when_not_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSREADER_ARCHIVE", str(tmp_path / "env.sqlite3"))
    run(capsys, "import", str(SEED_FILE))
    assert (tmp_path / "env.sqlite3").exists()


def test_without_a_command_the_gui_opens_on_the_resolved_archive(tmp_path: Path) -> None:
    opened: list[Path | str] = []

    def open_gui(path: Path | str, _qt_args: list[str]) -> int:
        opened.append(path)
        return 0

    assert main(["--archive", str(tmp_path / "g.sqlite3")], open_gui=open_gui) == 0
    assert opened == [tmp_path / "g.sqlite3"]


def test_the_installed_entry_point_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsreader", "sections", "--archive", str(tmp_path / "m.sqlite3")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def _modules_loaded_by(*argv: str) -> set[str]:
    """Top-level packages a fresh `newsreader ARGV` process has imported when it exits."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "from newsreader.__main__ import main\n"
        f"sys.argv = ['newsreader', *{list(argv)!r}]\n"
        "main()"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"')))


def test_help_starts_without_the_database_search_or_terminal_libraries() -> None:
    loaded = _modules_loaded_by("--help")
    assert not loaded & {"sqlalchemy", "alembic", "tantivy", "rich", "PySide6", "trafilatura"}


def test_listing_loads_neither_alembic_nor_the_search_index(tmp_path: Path) -> None:
    archive = str(tmp_path / "l.sqlite3")
    assert main(["sections", "--archive", archive]) == 0  # created and migrated
    loaded = _modules_loaded_by("list", "--limit", "1", "--archive", archive)
    assert "sqlalchemy" in loaded
    assert not loaded & {"alembic", "tantivy", "PySide6", "trafilatura", "courlan"}


def test_list_sorted_by_title_ignores_case_and_accents_and_says_which_are_undated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsreader.core.archive import Archive
    from tests.factories import make_article

    path = str(tmp_path / "t.sqlite3")
    with Archive(path) as archive:
        for n, title in enumerate(["banana", "Éclair", "apple", "Cherry"]):
            archive.save(make_article(title, (f"text {n}",), published="2024-01-0" + str(n + 1)))
        archive.save(make_article("durian", ("undated",), saved_at="2026-11-02T10:00"))
    code, out = run(capsys, "list", "--sort", "title", "--ascending", "--json", "--archive", path)
    assert code == 0
    assert [row["title"] for row in json.loads(out)] == [
        "apple", "banana", "Cherry", "durian", "Éclair",
    ]  # fmt: skip
    code, out = run(capsys, "list", "--sort", "published", "--archive", path)
    assert out.rstrip().splitlines()[-1].split()[1:3] == ["saved", "2026-11-02"]


def test_a_file_that_is_not_an_archive_gives_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some notes, not a database " * 100)
    assert main(["list", "--archive", str(bogus)]) == 4
    assert "cannot be opened as a Newsreader archive" in capsys.readouterr().err
    assert bogus.read_text().startswith("just some notes")


def test_mark_without_a_flag_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mark", "1", "--archive", str(tmp_path / "a.sqlite3")]) == 2
    assert "--read" in capsys.readouterr().err


def test_annotations_go_in_out_and_back_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = str(tmp_path / "one.sqlite3"), str(tmp_path / "two.sqlite3")
    run(capsys, "import", str(SEED_FILE), "--archive", one)
    code, out = run(capsys, "annotate", "1", "--quote", "Higher Military Commission",
                    "--note", "Check the date", "--color", "green", "--tag", "iraq",
                    "--archive", one, "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["quote"] == "Higher Military Commission"
    (listed,) = json.loads(run(capsys, "annotations", "1", "--json", "--archive", one)[1])
    assert (listed["note"], listed["color"], listed["tags"]) == (
        "Check the date",
        "green",
        ["iraq"],
    )
    exported = tmp_path / "notes.jsonld"
    assert run(capsys, "export-annotations", "--format", "jsonld", "--out", str(exported),
               "--archive", one)[0] == 0  # fmt: skip
    assert (
        "Higher Military Commission"
        in run(capsys, "export-annotations", "--format", "md", "--archive", one)[1]
    )
    run(capsys, "import", str(SEED_FILE), "--archive", two)
    code, out = run(capsys, "import-annotations", str(exported), "--archive", two)
    assert code == 0 and "1 imported" in out
    (copied,) = json.loads(run(capsys, "annotations", "--json", "--archive", two)[1])
    assert (copied["quote"], copied["start"]) == (listed["quote"], listed["start"])


def test_annotating_a_quote_that_is_not_there_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    run(capsys, "import", str(SEED_FILE), "--archive", archive)
    capsys.readouterr()
    assert main(["annotate", "1", "--quote", "no such words", "--archive", archive]) == 3
    assert "not in the article" in capsys.readouterr().err


def test_web_addresses_are_saved_and_nothing_is_fetched_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    httpserver.expect_request("/story").respond_with_data(
        news_page("Saved from the web"), content_type="text/html"
    )
    code, out = run(capsys, "save", httpserver.url_for("/story"), "--archive", archive, "--json")
    assert code == 0 and json.loads(out)["counts"]["saved"] == 1
    assert run(capsys, "offline", "on", "--archive", archive) == (0, "working offline\n")
    code, out = run(capsys, "import", httpserver.url_for("/other"), "--archive", archive, "-q")
    assert code == 0 and "working offline" in out and "1 skipped" in out
    assert len(httpserver.log) == 1


def test_feeds_are_subscribed_listed_refreshed_and_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    httpserver.expect_request("/news/1").respond_with_data(
        news_page("Feed story"), content_type="text/html"
    )
    feed = (
        "<rss version='2.0'><channel><title>CLI News</title><link>http://x/</link><item>"
        f"<title>Feed story</title><link>{httpserver.url_for('/news/1')}</link></item>"
        "</channel></rss>"
    )
    httpserver.expect_request("/rss").respond_with_data(feed, content_type="application/rss+xml")
    code, out = run(capsys, "feeds", "add", httpserver.url_for("/rss"), "--folder", "Daily",
                    "--archive", archive)  # fmt: skip
    assert code == 0 and "subscribed to CLI News" in out and "1 new" in out
    code, out = run(capsys, "feeds", "list", "--json", "--archive", archive)
    [listed] = json.loads(out)
    assert (listed["title"], listed["folder"], listed["unread"]) == ("CLI News", "Daily", 1)
    code, out = run(capsys, "feeds", "refresh", "--archive", archive)
    assert code == 0 and "CLI News — 0 new" in out
    code, out = run(capsys, "feeds", "export-opml", "--archive", archive)
    assert f'xmlUrl="{httpserver.url_for("/rss")}"' in out and 'text="Daily"' in out
    assert run(capsys, "feeds", "read", "--archive", archive)[0] == 2  # which feeds?
    assert run(capsys, "feeds", "read", "--folder", "Daily", "--archive", archive)[1] == (
        "1 articles marked read\n"
    )


def test_a_search_of_several_unquoted_words_searches_them_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    run(capsys, "import", str(SEED_FILE), "--archive", archive, "--json")
    code, out = run(capsys, "search", "iraq", "talks", "--json", "--archive", archive)
    assert code == 0 and json.loads(out)["total"] == 1
    code, out = run(capsys, "search", "iraq", "penguins", "--json", "--archive", archive)
    assert code == 0 and json.loads(out)["total"] == 0


def test_refreshing_a_feed_that_does_not_exist_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["feeds", "refresh", "42", "--archive", str(tmp_path / "a.sqlite3")])
    assert code == 3 and "no feed with id 42" in capsys.readouterr().err


def test_save_with_an_empty_name_imports_nothing_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.txt").write_text("SPORT\nA story\nIt happened today in the town.\n")
    archive = str(tmp_path / "a.sqlite3")
    assert main(["save", "", "--archive", archive]) == 2
    assert "empty name" in capsys.readouterr().err
    _code, out = run(capsys, "list", "--archive", archive, "--json")
    assert json.loads(out) == []


def test_an_address_in_capitals_is_fetched_as_a_web_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/story").respond_with_data(
        news_page("Loud address"), content_type="text/html"
    )
    url = httpserver.url_for("/story").replace("http://", "HTTP://")
    code, out = run(capsys, "save", url, "--archive", str(tmp_path / "a.sqlite3"), "--json")
    assert code == 0 and json.loads(out)["counts"]["saved"] == 1


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("http://[::1", "not a web address (Invalid IPv6 URL)"),
        ("http://127.0.0.1:1/a\nb", "line break"),
        ("http://127.0.0.1:1/" + "a" * 100_000, "too long"),
        ("http://127.0.0.1:port/", "not a web address (Port could not be cast"),
    ],
)
def test_a_malformed_address_is_one_failed_item_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, reason: str
) -> None:
    code, out = run(capsys, "save", address, "--archive", str(tmp_path / "a.sqlite3"), "--json")
    (item,) = json.loads(out)["items"]
    assert code == 1 and item["status"] == "failed" and reason in item["reason"]
    assert len(item["item"]) < 300 and "\n" not in item["item"]


@pytest.mark.parametrize("address", ["sqlite:///x.db", "mysql://user@host/db"])
def test_an_archive_address_is_refused_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    address: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["--archive", address, "list"]) == 4
    assert "cannot be opened as archives" in capsys.readouterr().err
    monkeypatch.setenv("NEWSREADER_ARCHIVE", address)
    assert main(["sections"]) == 4
    assert list(tmp_path.iterdir()) == []


def test_a_team_archive_that_cannot_be_reached_is_a_clear_error_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        address = f"postgresql://reader@127.0.0.1:{closed.getsockname()[1]}/team"
        assert main(["--archive", address, "list"]) == 4
    error = capsys.readouterr().err
    assert "team archive postgresql://reader@127.0.0.1" in error and "cannot be opened" in error
    assert list(tmp_path.iterdir()) == []


def test_every_command_works_on_a_team_archive(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    postgres_archive_url: str,
) -> None:  # fmt: skip
    page = tmp_path / "story.html"
    page.write_text(news_page("Team story"), encoding="utf-8")
    code, out = run(capsys, "import", str(page), "--archive", postgres_archive_url)
    assert code == 0
    monkeypatch.setenv(
        "NEWSREADER_ARCHIVE", postgres_archive_url.replace("postgresql://", "postgresql+psycopg://")
    )
    code, out = run(capsys, "list", "--json")
    assert code == 0 and [a["title"] for a in json.loads(out)] == ["Team story"]
    code, out = run(capsys, "search", "story", "--json")
    assert code == 0 and "Team story" in out


def test_a_new_members_first_search_shows_the_catch_up_of_its_index(
    capsys: pytest.CaptureFixture[str], postgres_archive_url: str, tmp_path: Path
) -> None:
    page = tmp_path / "story.html"
    page.write_text(news_page("Shared story"), encoding="utf-8")
    assert main(["import", str(page), "--archive", postgres_archive_url]) == 0
    capsys.readouterr()
    member = postgres_archive_url.replace("@127.0.0.1:", "@localhost:")  # another index
    assert main(["search", "shared", "--archive", member]) == 0
    captured = capsys.readouterr()
    assert "indexing the team archive for search: 1 of 1 articles" in captured.err
    assert "Shared story" in captured.out


def test_the_export_formats_offered_are_those_the_exporter_writes() -> None:
    from newsreader.cli import EXPORT_FORMATS
    from newsreader.core import exports

    assert set(EXPORT_FORMATS) == set(exports.EXPORT_FORMATS)


def test_reextract_reports_each_article_as_json_and_fails_for_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(tmp_path / "a.sqlite3")
    page = tmp_path / "page.html"
    page.write_text(news_page("Harbour plans"))
    code, out = run(capsys, "import", str(page), "--archive", archive, "--json")
    article_id = json.loads(out)["items"][0]["article_id"]

    code, out = run(capsys, "reextract", "--all", "--archive", archive, "--json")
    assert code == 0
    assert json.loads(out) == [
        {"id": article_id, "status": "unchanged", "reason": "same text", "title": "Harbour plans"}
    ]
    code, out = run(capsys, "reextract", str(article_id), "4242", "--archive", archive)
    assert code == 1
    assert "#4242 failed: no such article" in out
    assert "1 unchanged, 1 failed" in out.replace("0 changed, ", "")


def test_the_theme_given_on_the_command_line_reaches_the_app(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def open_gui(_path: Path | str, qt_args: list[str]) -> int:
        seen.append(qt_args)
        return 0

    archive = str(tmp_path / "t.sqlite3")
    assert main(["--archive", archive, "--theme", "dark", "--open", "3"], open_gui=open_gui) == 0
    assert seen == [["--newsreader-open=3", "--newsreader-theme=dark"]]
