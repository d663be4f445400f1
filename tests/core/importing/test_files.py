import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from newsreader.core.archive import Archive
from newsreader.core.importing import ImportReport
from newsreader.core.ingest.files import Extracted, extract_file_safely
from newsreader.core.ingest.reading import MAX_FILE_BYTES
from newsreader.testing import shared_data
from tests.factories import PNG, SEED_FILE

PARAGRAPH = (
    "The council voted on Tuesday to approve the new budget after a long debate that ran "
    "late into the evening, with members from both sides raising concerns about spending. "
)


def page(title: str, body: str = PARAGRAPH * 3, extra: str = "") -> str:
    """A saved news page; its text differs with its title."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>"
        f"<p>Our correspondent reports on {title.lower()}. {body}</p>{extra}<p>{PARAGRAPH}</p>"
        "</article>"
        "</body></html>"
    )


def statuses(report: ImportReport) -> dict[str, str]:
    return {Path(i.item.split(":")[0]).name: i.status for i in report.items}


def test_a_folder_is_imported_recursively_with_one_report_line_per_file(
    archive: Archive, tmp_path: Path
) -> None:
    (tmp_path / "in" / "deeper").mkdir(parents=True)
    (tmp_path / "in" / "one.html").write_text(page("First story about the council"))
    (tmp_path / "in" / "deeper" / "two.htm").write_text(page("Second story about a river"))
    (tmp_path / "in" / "seed.txt").write_bytes(SEED_FILE.read_bytes())
    (tmp_path / "in" / "style.css").write_text("body{}")
    report = archive.imports.paths([tmp_path / "in"], workers=1)
    assert statuses(report) == {"one.html": "saved", "two.htm": "saved", "seed.txt": "saved"}
    assert archive.count() == 3
    assert [s.name for s in archive.sections()] == ["International"]


def test_bad_files_fail_alone_with_reasons_and_the_batch_goes_on(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.html").write_bytes(b"")
    (folder / "binary.html").write_bytes(PNG * 50)
    (folder / "truncated.html").write_text(page("Truncated page that still has text")[:600])
    (folder / "nothing.html").write_text("<html><body><nav>Home</nav></body></html>")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 whatever")
    (folder / "good.html").write_text(page("A good page about the harbour"))
    report = archive.imports.paths([folder, folder / "missing.html"], workers=1)
    by_name = {Path(i.item).name: i for i in report.items}
    assert by_name["good.html"].status == "saved"
    assert by_name["truncated.html"].status == "saved"  # best effort
    for name in ("empty.html", "binary.html", "nothing.html", "notes.pdf", "missing.html"):
        assert by_name[name].status == "failed", name
        assert by_name[name].reason, name
    assert "binary" in by_name["binary.html"].reason
    assert report.counts()["total"] == 7
    assert archive.count() == 2


def test_the_same_page_imported_twice_is_reported_as_a_duplicate(
    archive: Archive, tmp_path: Path
) -> None:
    (tmp_path / "a.html").write_text(page("The same story twice over"))
    (tmp_path / "b.html").write_text(page("The same story twice over"))
    report = archive.imports.paths([tmp_path / "a.html", tmp_path / "b.html"], workers=1)
    assert sorted(i.status for i in report.items) == ["duplicate", "saved"]
    assert archive.count() == 1


def test_images_beside_a_saved_page_are_stored_but_files_outside_its_folder_are_not(
    archive: Archive, tmp_path: Path
) -> None:
    (tmp_path / "secret.png").write_bytes(PNG)
    folder = tmp_path / "page"
    (folder / "page_files").mkdir(parents=True)
    (folder / "page_files" / "photo.png").write_bytes(PNG)
    figure = (
        "<figure><img src='page_files/photo.png' alt='The harbour'></figure>"
        "<figure><img src='../secret.png' alt='Not yours'></figure>"
    )
    (folder / "page.html").write_text(page("Pictures of the harbour at dawn", extra=figure))
    report = archive.imports.paths([folder / "page.html"], workers=1)
    article_id = report.items[0].article_id
    assert article_id is not None
    article = archive.get(article_id)
    assert article is not None
    images = [b for b in article.blocks if b.kind == "image"]
    stored = [b for b in images if b.src.startswith("asset:")]
    assert len(stored) == 1 and stored[0].alt == "The harbour"
    found = archive.asset(stored[0].src.removeprefix("asset:"))
    assert found == ("image/png", PNG)


def test_json_lines_files_import_every_line_and_report_bad_lines_by_number(
    archive: Archive, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": "1", "title": "One", "body": "Body one.", "section": "tech"}),
        "not json at all",
        json.dumps({"id": "3", "title": "Three", "body": ""}),
        json.dumps({"id": "4", "title": "Four", "body": "Body four.", "date": "2005-01-02"}),
    ]
    corpus = tmp_path / "corpus.jsonl.gz"
    corpus.write_bytes(gzip.compress("\n".join(lines).encode()))
    report = archive.imports.paths([corpus], workers=1)
    assert [(i.item.rsplit(":", 1)[1], i.status) for i in report.items] == [
        ("1", "saved"), ("2", "failed"), ("3", "failed"), ("4", "saved"),
    ]  # fmt: skip
    assert "invalid JSON" in report.items[1].reason
    assert [s.name for s in archive.sections()] == ["Tech"]


def test_an_oversized_file_is_refused_without_being_read(archive: Archive, tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    report = archive.imports.paths([huge], workers=1)
    assert report.items[0].status == "failed"
    assert "too large" in report.items[0].reason


def test_a_large_page_under_the_limit_is_imported(archive: Archive, tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    filler = "<div class='comment'><p>" + "Comment text here. " * 200 + "</p></div>"
    big.write_text(page("A very long page indeed", body=PARAGRAPH * 15000, extra=filler * 200))
    assert big.stat().st_size > 2_000_000
    report = archive.imports.paths([big], workers=1)
    assert report.items[0].status == "saved", report.items[0].reason


@pytest.mark.sqlite_only("extraction in worker processes: the store plays no part")
def test_extraction_runs_in_worker_processes_for_larger_batches(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(10):
        (folder / f"p{n}.html").write_text(
            page(f"Story number {n} about the harbour", PARAGRAPH * (n + 2))
        )
    progress: list[tuple[int, int]] = []
    report = archive.imports.paths(
        [folder], workers=2, progress=lambda d, t: progress.append((d, t))
    )
    assert report.counts()["saved"] == 10
    assert report.extraction_processes == 2
    assert progress[-1] == (10, 10)


def test_a_cancelled_import_reports_the_rest_as_skipped(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(4):
        (folder / f"p{n}.html").write_text(page(f"Story {n} on cancelling", PARAGRAPH * (n + 2)))
    asked = iter([False, False, True])
    report = archive.imports.paths([folder], workers=1, should_cancel=lambda: next(asked, True))
    assert [i.status for i in report.items] == ["saved", "saved", "skipped", "skipped"]
    assert archive.count() == 2


def crash_on_doomed_pages(path: Path) -> Extracted:
    """An extractor whose process dies on some pages, as a C-level parser crash would."""
    if "doomed" in path.name:
        os._exit(13)
    return extract_file_safely(path)


@pytest.mark.sqlite_only("extraction in worker processes: the store plays no part")
def test_a_page_that_kills_its_worker_process_fails_alone(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    names = [f"p{n:02d}{'-doomed' if n in (3, 11) else ''}.html" for n in range(16)]
    for n, name in enumerate(names):
        (folder / name).write_text(page(f"Story {n} about worker crashes", PARAGRAPH * (n + 2)))
    report = archive.imports.paths([folder], workers=2, extractor=crash_on_doomed_pages)
    assert report.extraction_processes == 2
    by_name = {Path(i.item).name: i for i in report.items}
    assert [Path(i.item).name for i in report.items] == names
    assert {n for n, i in by_name.items() if i.status == "failed"} == {names[3], names[11]}
    assert "crashed" in by_name[names[3]].reason
    assert archive.count() == 14


def test_a_damaged_gzip_corpus_keeps_the_lines_before_the_damage(
    archive: Archive, tmp_path: Path
) -> None:
    lines = "\n".join(
        json.dumps({"title": f"T{n}", "body": f"Body number {n} " * 30}) for n in range(400)
    )
    data = gzip.compress(lines.encode())
    corpus = tmp_path / "corpus.jsonl.gz"
    corpus.write_bytes(data[: len(data) // 2])
    report = archive.imports.paths([corpus], workers=1)
    counts = report.counts()
    assert counts["failed"] == 1 and counts["saved"] == counts["total"] - 1 > 0
    assert "damaged" in report.items[-1].reason
    assert archive.count() == counts["saved"]


def test_linked_folders_are_followed_once_and_the_archive_itself_is_skipped(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "library"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "story.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "link").symlink_to(folder / "real", target_is_directory=True)
    (folder / "real" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "Page.html").write_text(page("A page saved with its resources folder"))
    (folder / "Page_files").mkdir()
    (folder / "Page_files" / "frame.html").write_text(page("An embedded advert frame"))
    with Archive(folder / "archive.sqlite3") as archive:
        report = archive.imports.paths([folder], workers=1)
        by_name = {Path(i.item).name: i.status for i in report.items}
        assert by_name == {
            "archive.sqlite3": "skipped", "archive.sqlite3-wal": "skipped",
            "archive.sqlite3-shm": "skipped", "story.txt": "saved", "Page.html": "saved",
        }  # fmt: skip
        assert archive.count() == 2


def test_a_page_cut_to_size_says_so_in_the_report(archive: Archive, tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    huge.write_text(page("A page too big to keep whole", body=PARAGRAPH * 6000))
    item = archive.imports.paths([huge], workers=1).items[0]
    assert item.status == "saved"
    assert "cut" in item.reason


@pytest.mark.shared_data
def test_the_bbc_corpus_imports_whole_with_its_five_sections(archive: Archive) -> None:
    corpus = shared_data("bbc", "bbc.jsonl.gz")
    report = archive.imports.paths([corpus])
    counts = report.counts()
    assert counts["total"] == 2225
    assert counts["failed"] == 0
    assert counts["saved"] + counts["duplicate"] == 2225
    assert {s.name for s in archive.sections()} == {
        "Business", "Entertainment", "Politics", "Sport", "Tech",
    }  # fmt: skip


def test_a_folder_import_reads_other_apps_exports_among_its_pages(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "pocket.csv").write_text(
        "title,url,time_added,tags,status\n"
        "First link,https://example.org/first,1500000000,climate|policy,unread\n"
        "Second link,https://example.org/second,1500000100,,archive\n"
    )
    (folder / "story.html").write_text(page("An ordinary saved page"))
    report = archive.imports.paths([folder], workers=1)
    assert sorted(i.status for i in report.items) == ["queued", "queued", "saved"]
    assert report.counts()["queued"] == 2 and archive.count() == 1


def test_a_full_disk_stops_the_import_with_a_report_of_what_was_saved(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(
        json.dumps({"title": f"Story {n}", "body": f"Report {n}: " + "the council met. " * 60})
        + "\n" for n in range(2_500)
    ))  # fmt: skip
    with Archive(tmp_path / "a.sqlite3") as archive:

        @event.listens_for(archive.writer, "connect")
        def _small_disk(connection: Any, _record: Any) -> None:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages + 1200}")

        archive.writer.dispose()
        report = archive.imports.paths([corpus])
        counts = report.counts()
        assert counts["total"] == 2_500 and 0 < counts["saved"] < 2_500
        assert counts["saved"] + counts["failed"] + counts["skipped"] == 2_500
        assert archive.count() == counts["saved"]
        assert counts["skipped"] > 0  # the import stopped instead of failing item by item
        stopped = [i.reason or "" for i in report.items if i.status != "saved"]
        assert all("the disk holding" in r and "is full" in r for r in stopped)
        assert not [r for r in stopped if "[SQL:" in r or "OperationalError" in r]
        event.remove(archive.writer, "connect", _small_disk)
        archive.writer.dispose()  # room again: the same import brings the rest
        assert archive.imports.paths([corpus]).counts()["saved"] == 2_500 - counts["saved"]
        assert archive.count() == 2_500


@pytest.mark.timeout(10)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_fifo_in_a_folder_or_given_alone_is_reported_and_never_opened(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.html").write_text(page("A good page about the harbour"))
    os.mkfifo(folder / "stuck.html")  # opening it for reading would wait for a writer
    os.mkfifo(tmp_path / "alone.html")
    report = archive.imports.paths([folder, tmp_path / "alone.html"], workers=1)
    by_name = {Path(i.item).name: i for i in report.items}
    assert by_name["good.html"].status == "saved"
    assert by_name["stuck.html"].status == "skipped"
    assert by_name["alone.html"].status == "failed"
    assert "not a regular file" in by_name["stuck.html"].reason
    assert "not a regular file" in by_name["alone.html"].reason


def test_a_damaged_page_is_one_failed_line_with_a_clear_reason(
    archive: Archive, tmp_path: Path
) -> None:
    whole = gzip.compress(page("A page that was cut in transit").encode())
    (tmp_path / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "good.html").write_text(page("A good page about the harbour"))
    report = archive.imports.paths([tmp_path], workers=1)
    by_name = {Path(i.item).name: i for i in report.items}
    assert by_name["good.html"].status == "saved"
    assert by_name["cut.html.gz"].status == "failed"
    assert by_name["cut.html.gz"].reason.startswith("cannot read the file")
