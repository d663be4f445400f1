"""Importing other apps' exports: Pocket, Instapaper, Wallabag, Omnivore, bookmarks."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsreader.core import fetch_queue
from newsreader.core.archive import Archive
from newsreader.core.fetch_queue import PendingUrl
from newsreader.core.ingest.exports import articles, bookmarks, detect_export, omnivore, wallabag
from newsreader.core.ingest.report import ImportReport, ItemResult
from tests.factories import PNG, make_article

PARAGRAPHS = (
    "The harbour authority said on Monday that the old sea wall would be rebuilt over the "
    "next three years, at a cost the council has yet to approve.",
    "Fishermen who work from the quay have asked for the works to pause during the winter "
    "season, when most of the catch is landed and storms close the harbour mouth.",
    "The mayor told reporters that the plan would be published in full before the vote, "
    "and that residents would be able to comment on it for six weeks.",
)


def queued(archive: Archive) -> dict[str, PendingUrl]:
    """The fetch queue by the URL as found."""
    with archive.reading() as session:
        items = fetch_queue.pending(session.connection(), limit=100_000)
    return {item.url: item for item in items}


def statuses(report: ImportReport) -> list[str]:
    return [item.status for item in report.items]


def by_item(report: ImportReport) -> dict[str, ItemResult]:
    return {item.item.rsplit("#", 1)[-1]: item for item in report.items}


def assert_one_line_per_entry(report: ImportReport, entries: int) -> None:
    counts = report.counts()
    assert counts["total"] == entries == len(report.items)
    assert len({item.item for item in report.items}) == entries
    parts = ("saved", "updated", "duplicate", "queued", "failed", "skipped")
    assert sum(counts[k] for k in parts) == entries


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def pocket_html(unread: list[str], read: list[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html>\n\t<!--So long and thanks for all the fish-->\n\t<head>\n"
        '\t\t<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        "\t\t<title>Pocket Export</title>\n\t</head>\n\t<body>\n"
        "\t\t<h1>Unread</h1>\n\t\t<ul>\n" + "\n".join(unread) + "\n\t\t</ul>\n\n"
        "\t\t<h1>Read Archive</h1>\n\t\t<ul>\n" + "\n".join(read) + "\n\t\t</ul>\n"
        "\t</body>\n</html>\n"
    )


def pocket_link(url: str, title: str, time_added: str = "1500000000", tags: str = "") -> str:
    return f'<li><a href="{url}" time_added="{time_added}" tags="{tags}">{title}</a></li>'


def article_html(title: str, paragraphs: tuple[str, ...] = PARAGRAPHS) -> str:
    """An article body as Wallabag keeps it: a fragment, no page around it."""
    return f"<h2>{title}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs)


def wallabag_entry(n: int, **fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "is_archived": 0,
        "is_starred": 0,
        "tags": [],
        "is_public": False,
        "id": n,
        "title": f"Harbour wall story {n}",
        "url": f"https://news.example.org/2023/harbour-wall-{n}",
        "given_url": f"https://news.example.org/2023/harbour-wall-{n}?utm_source=rss",
        "content": article_html(f"Story {n}", tuple(f"{p} ({n})" for p in PARAGRAPHS)),
        "created_at": "2023-03-01T09:15:00+0100",
        "updated_at": "2023-03-02T10:00:00+0100",
        "published_at": "2023-02-28T18:00:00+0000",
        "published_by": ["Ana Ruiz"],
        "annotations": [],
        "mimetype": "text/html",
        "language": "en",
        "reading_time": 3,
        "domain_name": "news.example.org",
        "preview_picture": None,
        "http_status": "200",
        "headers": {},
    }
    entry.update(fields)
    return entry


# -- one test per format --------------------------------------------------------------


def test_a_pocket_csv_export_queues_every_link_with_its_tags_and_state(
    archive: Archive, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "part_000000.csv",
        ["title", "url", "time_added", "tags", "status"],
        [
            ["Harbour wall to be rebuilt", "https://news.example.org/harbour", "1500000000",
             "local|politics", "unread"],
            ["Council budget, explained", "https://www.example.com/budget?utm_source=x",
             "1600000000", "", "archive"],
            ["https://blog.example.net/post", "https://blog.example.net/post", "1700000000",
             "reading", "unread"],
        ],
    )  # fmt: skip
    assert detect_export(path) == "pocket-csv"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued", "queued", "queued"]
    assert [item.item for item in report.items] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    queue = queued(archive)
    harbour = queue["https://news.example.org/harbour"]
    assert harbour.title == "Harbour wall to be rebuilt"
    assert harbour.tags == ["local", "politics"]
    assert not harbour.is_read
    assert harbour.saved_at == "2017-07-14T02:40:00"
    budget = queue["https://www.example.com/budget?utm_source=x"]
    assert budget.is_read and budget.tags == [] and budget.title == "Council budget, explained"
    assert queue["https://blog.example.net/post"].title == ""  # Pocket's "title" was the URL
    assert "pocket-csv" in harbour.origin
    assert archive.count() == 0


def test_a_pocket_html_export_marks_what_sits_under_read_archive_as_read(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "ril_export.html"
    path.write_text(
        pocket_html(
            [pocket_link("https://news.example.org/a", "A &amp; B agree", tags="world,trade")],
            [pocket_link("https://news.example.org/b", "Old story", "1400000000")],
        )
    )
    assert detect_export(path) == "pocket-html"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued", "queued"]
    queue = queued(archive)
    first = queue["https://news.example.org/a"]
    assert (first.title, first.tags, first.is_read) == ("A & B agree", ["world", "trade"], False)
    second = queue["https://news.example.org/b"]
    assert second.is_read and second.saved_at == "2014-05-13T16:53:20"


def test_an_instapaper_csv_turns_its_folders_into_read_starred_and_tags(
    archive: Archive, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "instapaper-export.csv",
        ["URL", "Title", "Selection", "Folder", "Timestamp", "Tags"],
        [
            ["https://news.example.org/1", "Unread one", "", "Unread", "1500000000", ""],
            ["https://news.example.org/2", "Read one", "a selection", "Archive", "1500000001",
             '["economy"]'],
            ["https://news.example.org/3", "Starred one", "", "Starred", "1500000002", "[]"],
            ["https://news.example.org/4", "Filed one", "", "Long reads", "1500000003",
             '["essays", "weekend"]'],
            ["https://news.example.org/5", "Odd tags", "", "Unread", "1500000004", "not json"],
        ],
    )  # fmt: skip
    assert detect_export(path) == "instapaper-csv"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued"] * 5
    queue = queued(archive)
    one, two, three, four, five = (queue[f"https://news.example.org/{n}"] for n in range(1, 6))
    assert (one.is_read, one.is_starred, one.tags) == (False, False, [])
    assert (two.is_read, two.is_starred, two.tags) == (True, False, ["economy"])
    assert (three.is_read, three.is_starred) == (False, True)
    assert four.tags == ["Long reads", "essays", "weekend"]
    assert five.tags == [] and "not a list" in report.items[4].reason


def test_a_wallabag_export_saves_its_articles_with_their_state_and_anchored_annotations(
    archive: Archive, tmp_path: Path
) -> None:
    quote = "the old sea wall would be rebuilt over the next three years"
    across = "has yet to approve. (1)Fishermen who work"  # the app joined two paragraphs
    entries = [
        wallabag_entry(
            1,
            is_archived=1,
            is_starred=1,
            tags=[{"id": 3, "label": "harbour", "slug": "harbour"}, "local"],
            annotations=[
                {
                    "text": "Check the cost",
                    "quote": quote,
                    "ranges": [
                        {"start": "/p[1]", "startOffset": "40", "end": "/p[1]", "endOffset": "99"}
                    ],
                    "created_at": "2023-03-05T08:00:00+0000",
                },
                {"text": "", "quote": across, "ranges": []},
                {"text": "lost", "quote": "words that appear nowhere in this article at all"},
            ],
        ),
        wallabag_entry(2, content=""),  # nothing fetched: the link is queued
        wallabag_entry(3, content="<p>wallabag can't retrieve contents for this article.</p>"),
    ]
    path = tmp_path / "All articles.json"
    path.write_text(json.dumps(entries, indent=4))
    assert detect_export(path) == "wallabag-json"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["saved", "queued", "queued"]
    first = report.items[0]
    assert first.article_id is not None
    article = archive.get(first.article_id)
    assert article is not None
    assert article.title == "Harbour wall story 1"
    assert article.url == "https://news.example.org/2023/harbour-wall-1"
    assert (article.is_read, article.is_starred) == (True, True)
    assert article.byline == "Ana Ruiz"
    assert article.published_at is not None and article.published_at.year == 2023
    assert article.saved_at.isoformat() == "2023-03-01T08:15:00"
    assert archive.article_tags(first.article_id) == ["harbour", "local"]
    notes = archive.annotations.list(first.article_id)
    by_quote = {n.exact: n for n in notes}
    anchored = by_quote[quote]
    assert anchored.status == "anchored" and anchored.note == "Check the cost"
    assert anchored.start is not None and anchored.end is not None
    assert article.text[anchored.start : anchored.end] == quote
    assert anchored.created_at is not None and anchored.created_at.isoformat().startswith(
        "2023-03-05T08:00"
    )
    spanning = next(n for n in notes if n.exact.startswith("has yet"))
    assert spanning.status == "anchored" and spanning.start is not None
    assert (
        article.text[spanning.start : spanning.end] == "has yet to approve. (1)\nFishermen who work"
    )
    orphan = next(n for n in notes if n.note == "lost")
    assert orphan.status == "orphaned" and orphan.start is None
    assert orphan.exact == "words that appear nowhere in this article at all"
    assert first.reason == (
        "highlights: 1 anchored, 1 anchored across paragraphs, 1 kept as orphans (the quote "
        "is not in the text)"
    )
    assert set(queued(archive)) == {
        "https://news.example.org/2023/harbour-wall-2",
        "https://news.example.org/2023/harbour-wall-3",
    }
    again = archive.imports.from_export(path)  # the same export twice: nothing doubles
    assert statuses(again) == ["duplicate", "duplicate", "duplicate"]
    assert "highlights: 3 already there" in again.items[0].reason
    assert len(archive.annotations.list(first.article_id)) == 3


def test_a_wallabag_entry_whose_content_defeats_extraction_is_kept_as_text_or_fails_alone(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_extractor(html: str, url: str | None = None) -> object:
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(articles, "extract_html", broken_extractor)
    entries = [
        wallabag_entry(1, content="<div><p>" + PARAGRAPHS[0] + "</p><p>" + PARAGRAPHS[1] + "</p>"),
        wallabag_entry(2, content="<img src='x.png'><script>alert(1)</script>", url=""),
        wallabag_entry(3),
    ]
    path = tmp_path / "wallabag.json"
    path.write_text(json.dumps(entries))
    report = archive.imports.from_export(path)
    assert statuses(report) == ["saved", "failed", "saved"]
    first = report.items[0]
    assert first.article_id is not None and "kept as plain text" in first.reason
    article = archive.get(first.article_id)
    assert article is not None
    assert article.text == f"{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}"
    assert "no article text" in report.items[1].reason


def omnivore_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def omnivore_item(slug: str, **fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": f"id-{slug}",
        "slug": slug,
        "title": f"Omnivore {slug}",
        "description": "",
        "author": "Sam Lee",
        "url": f"https://news.example.org/{slug}",
        "state": "Succeeded",
        "readingProgress": 0,
        "thumbnail": None,
        "labels": [],
        "savedAt": "2024-01-10T12:00:00.000Z",
        "updatedAt": "2024-01-11T12:00:00.000Z",
        "publishedAt": "2024-01-09T07:30:00.000Z",
    }
    item.update(fields)
    return item


def test_an_omnivore_zip_saves_entries_with_content_and_queues_the_others(
    archive: Archive, tmp_path: Path
) -> None:
    first_page = [
        omnivore_item("harbour-wall", state="Archived", labels=["harbour", {"name": "long"}]),
        omnivore_item("just-a-link"),
    ]
    second_page = [omnivore_item("markdown-copy", labels=["notes"])]
    page = (
        "<!DOCTYPE html><html><head><title>Harbour wall</title></head><body>"
        "<div class='page' id='readability-page-1'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div></body></html>"
    )
    highlights = (
        "> Fishermen who work from the quay have asked for the works to pause \n\n"
        "#harbour\n\nWorth following up\n\n"
        "> the plan would be published in full before the vote \n\n"
    )
    markdown = "# A Markdown copy\n\nFirst paragraph of the **copy** with a [link](https://x.y).\n"
    markdown += "\n- a point in a list of points\n\n> a quoted line in the copy\n"
    path = omnivore_zip(
        tmp_path / "omnivore-export.zip",
        {
            "metadata_0_to_2.json": json.dumps(first_page),
            "metadata_2_to_3.json": json.dumps(second_page),
            "content/harbour-wall.html": page,
            "content/markdown-copy.md": markdown,
            "highlights/harbour-wall.md": highlights,
        },
    )
    assert detect_export(path) == "omnivore-zip"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["saved", "queued", "saved"]
    saved = report.items[0]
    assert saved.article_id is not None
    article = archive.get(saved.article_id)
    assert article is not None and article.is_read and article.byline == "Sam Lee"
    assert archive.article_tags(saved.article_id) == ["harbour", "long"]
    notes = {n.exact: n for n in archive.annotations.list(saved.article_id)}
    fishermen = notes["Fishermen who work from the quay have asked for the works to pause"]
    assert fishermen.status == "anchored"
    assert (fishermen.note, fishermen.tags) == ("Worth following up", ["harbour"])
    assert notes["the plan would be published in full before the vote"].note == ""
    copy = archive.get(report.items[2].article_id or 0)
    assert copy is not None
    assert copy.text == (
        "A Markdown copy\nFirst paragraph of the copy with a link.\n"
        "a point in a list of points\na quoted line in the copy"
    )
    assert [b.kind for b in copy.blocks] == ["heading", "paragraph", "list_item", "quote"]
    assert list(queued(archive)) == ["https://news.example.org/just-a-link"]


def test_browser_bookmarks_take_their_folders_and_tags_as_tags(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.\n"
        "     It will be read and overwritten.\n     DO NOT EDIT! -->\n"
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        "<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
        '    <DT><H3 ADD_DATE="1600000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>\n'
        "    <DL><p>\n"
        '        <DT><A HREF="https://news.example.org/toolbar" ADD_DATE="1600000001">'
        "On the toolbar</A>\n"
        '        <DT><H3 ADD_DATE="1600000002">News</H3>\n        <DL><p>\n'
        "            <DT><H3>Climate</H3>\n            <DL><p>\n"
        '                <DT><A HREF="https://news.example.org/climate" ADD_DATE="1600000003" '
        'TAGS="science,long read">Climate story</A>\n'
        "                <DD>A description the browser kept\n"
        "            </DL><p>\n"
        '            <DT><A HREF="https://news.example.org/plain" ADD_DATE="1600000004">'
        "Plain news</A>\n"
        "        </DL><p>\n    </DL><p>\n"
        '    <DT><A HREF="place:sort=8&maxResults=10">Recent Tags</A>\n'
        '    <DT><A HREF="javascript:alert(document.cookie)">A bookmarklet</A>\n'
        "</DL><p>\n"
    )
    assert detect_export(path) == "netscape-bookmarks"
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued", "queued", "queued", "failed", "failed"]
    queue = queued(archive)
    assert queue["https://news.example.org/toolbar"].tags == []
    assert queue["https://news.example.org/climate"].tags == [
        "News", "Climate", "science", "long read"
    ]  # fmt: skip
    assert queue["https://news.example.org/plain"].tags == ["News"]
    assert queue["https://news.example.org/plain"].saved_at == "2020-09-13T12:26:44"
    assert "place: link" in report.items[3].reason
    assert "javascript: link" in report.items[4].reason


# -- detection --------------------------------------------------------------------------


def test_detection_reads_the_content_not_the_name(tmp_path: Path) -> None:
    pocket = write_csv(tmp_path / "export.txt", ["title", "url", "time_added", "tags", "status"],
                       [["T", "https://a.example/", "1", "", "unread"]])  # fmt: skip
    assert detect_export(pocket) == "pocket-csv"
    renamed = tmp_path / "pocket.csv"
    renamed.write_text(pocket_html([pocket_link("https://a.example/", "A")], []))
    assert detect_export(renamed) == "pocket-html"
    news = tmp_path / "saved-page.html"
    news.write_text(
        "<!doctype html><html><head><title>Harbour wall to be rebuilt</title></head><body>"
        "<article><h1>Harbour wall</h1><p>" + PARAGRAPHS[0] + "</p>"
        "<ul><li><a href='https://news.example.org/other' time_added='1'>Other</a></li></ul>"
        "<p>Read our Pocket Export guide.</p></article></body></html>"
    )
    assert detect_export(news) is None
    other_csv = write_csv(tmp_path / "people.csv", ["name", "url"], [["Ana", "https://a.example"]])
    assert detect_export(other_csv) is None
    other_json = tmp_path / "other.json"
    other_json.write_text(json.dumps([{"url": "https://a.example", "name": "x"}]))
    assert detect_export(other_json) is None
    other_zip = omnivore_zip(tmp_path / "photos.zip", {"a.png": PNG})
    assert detect_export(other_zip) is None
    assert detect_export(tmp_path / "missing.csv") is None


# -- the counts add up ------------------------------------------------------------------


def test_every_entry_ends_in_one_line_whatever_befalls_it(archive: Archive, tmp_path: Path) -> None:
    archive.save(make_article("Already here", PARAGRAPHS, url="https://news.example.org/known"))
    archive.save_many([])  # nothing to save is fine too
    header = ["title", "url", "time_added", "tags", "status"]
    rows = [
        ["New", "https://news.example.org/new", "1500000000", "a", "unread"],  # 1 queued
        ["Known", "https://news.example.org/known/", "1500000000", "b", "archive"],  # 2 dup
        ["New again", "https://NEWS.example.org/new#top", "1500000000", "", "unread"],  # 3 dup
        ["Too many", "https://news.example.org/x", "1", "", "unread", "extra"],  # 4 failed
        ["Too few", "https://news.example.org/y"],  # 5 failed
        ["Script", "javascript:void(0)", "1500000000", "", "unread"],  # 6 failed
        ["No address", "", "1500000000", "", "unread"],  # 7 failed
        ["Bad date", "https://news.example.org/dated", "yesterday", "", "unread"],  # 8 queued
        ["Data", "data:text/html,<p>hi</p>", "1", "", "unread"],  # 9 failed
    ]
    path = tmp_path / "pocket.csv"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    path.write_text(text.getvalue() + "\n\n")  # blank lines at the end are not entries
    report = archive.imports.from_export(path)
    assert_one_line_per_entry(report, len(rows))
    lines = by_item(report)
    assert [lines[str(n)].status for n in range(1, 10)] == [
        "queued", "duplicate", "duplicate", "failed", "failed", "failed", "failed", "queued",
        "failed",
    ]  # fmt: skip
    known = lines["2"]
    assert known.article_id is not None and f"#{known.article_id}" in known.reason
    assert archive.article_tags(known.article_id) == ["b"]  # the export's state carried over
    detail = archive.get(known.article_id)
    assert detail is not None and detail.is_read
    assert f"{path}#1" in lines["3"].reason  # the entry that queued it first
    assert "6 fields" in lines["4"].reason and "2 fields" in lines["5"].reason
    assert "javascript: link" in lines["6"].reason
    assert lines["7"].reason == "no web address"
    assert "'yesterday' is not a date" in lines["8"].reason
    assert "data: link" in lines["9"].reason
    assert set(queued(archive)) == {
        "https://news.example.org/new", "https://news.example.org/dated"
    }  # fmt: skip
    again = archive.imports.from_export(path)  # the same export twice adds nothing
    assert_one_line_per_entry(again, len(rows))
    assert again.counts()["queued"] == 0 and len(queued(archive)) == 2


_URLS = st.sampled_from(
    ["https://a.example/1", "https://a.example/1/", "http://www.a.example/1", "https://b.example/",
     "https://c.example/x?utm_source=feed", "https://c.example/x", "javascript:alert(1)", "",
     "ftp://files.example/x", "not a url", "https://archived.example/story"]
)  # fmt: skip
_ROW = st.one_of(
    st.tuples(st.text(max_size=30), _URLS, st.sampled_from(["1500000000", "", "x", "-5", "nan"]),
              st.sampled_from(["", "a", "a|b"]), st.sampled_from(["unread", "archive", "?"]))
    .map(list),
    st.lists(st.text(max_size=10), max_size=7),  # malformed rows of any width
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, max_size=25))
def test_the_counts_add_up_for_any_rows(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "a.sqlite3") as archive:
        archive.save(make_article("A story", PARAGRAPHS, url="https://archived.example/story"))
        path = write_csv(Path(tmp) / "p.csv", ["title", "url", "time_added", "tags", "status"],
                         rows)  # fmt: skip
        with path.open(newline="", encoding="utf-8") as stream:
            entries = sum(1 for row in list(csv.reader(stream))[1:] if any(c.strip() for c in row))
        report = archive.imports.from_export(path)
        assert_one_line_per_entry(report, entries)
        counts = report.counts()
        assert counts["queued"] == len(queued(archive))
        assert all(item.reason for item in report.items if item.status in ("failed", "duplicate"))


# -- hostile and broken files ---------------------------------------------------------------


@pytest.mark.sqlite_only("reading export files: the store plays no part")
@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("broken.json", b'[{"is_archived": 1, "url": "https://a.example", "title": "x"', "JSON"),
        ("deep.json", b'[{"is_archived": 1, "url": "https://a", "x": ' + b"[" * 100_000, "JSON"),
        ("object.json", b'{"is_archived": 1, "url": "https://a.example"}', "not an export"),
        ("notes.csv", PNG * 100, "binary"),
        ("empty.csv", b"", "empty"),
        ("export.zip", b"PK\x03\x04" + b"\x00" * 200, "damaged zip"),
        ("plain.txt", b"Just some notes I wrote.\nNothing else.\n", "not an export"),
    ],
)
def test_a_file_that_cannot_be_read_gives_one_failed_line_with_the_reason(
    archive: Archive, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    report = archive.imports.from_export(path)
    assert len(report.items) == 1
    line = report.items[0]
    assert (line.item, line.status) == (str(path), "failed")
    assert expected in line.reason
    assert archive.count() == 0 and queued(archive) == {}


def test_a_missing_file_gives_one_failed_line(archive: Archive, tmp_path: Path) -> None:
    report = archive.imports.from_export(tmp_path / "nowhere.csv")
    assert statuses(report) == ["failed"] and "cannot read" in report.items[0].reason


def test_a_zip_bomb_or_oversized_member_costs_a_failed_line_not_memory(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(omnivore, "MAX_MEMBER_BYTES", 100_000)
    bomb = b"\x00" * 5_000_000  # compresses to a few kB
    path = omnivore_zip(
        tmp_path / "omnivore.zip",
        {
            "metadata_0_to_1.json": json.dumps([omnivore_item("bomb"), omnivore_item("fine")]),
            "metadata_1_to_2.json": bomb,
            "content/bomb.html": bomb,
        },
    )
    assert path.stat().st_size < 100_000
    report = archive.imports.from_export(path)
    lines = {item.item: item for item in report.items}
    assert lines[f"{path}#1"].status == "queued"  # its content was refused, its link kept
    assert "too large" in lines[f"{path}#1"].reason
    assert lines[f"{path}#2"].status == "queued"
    member = lines[f"{path}!/metadata_1_to_2.json"]
    assert member.status == "failed" and "too large" in member.reason
    assert len(report.items) == 3


def test_a_member_that_lies_about_its_size_is_refused(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(omnivore, "MAX_MEMBER_BYTES", 100_000)
    path = omnivore_zip(
        tmp_path / "o.zip",
        {"metadata_0.json": json.dumps([omnivore_item("a")]), "content/a.html": "x" * 500_000},
    )
    with zipfile.ZipFile(path) as bundle:
        info = bundle.getinfo("content/a.html")
        original_read = omnivore._ZipReader.read

    def lying_read(self: omnivore._ZipReader, member: zipfile.ZipInfo) -> bytes:
        if member.filename == info.filename:
            member.file_size = 10  # the header claims a tiny file
        return original_read(self, member)

    monkeypatch.setattr(omnivore._ZipReader, "read", lying_read)
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued"]
    assert "content was not read" in report.items[0].reason


def test_a_json_export_over_the_size_cap_is_refused_whole(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wallabag, "MAX_JSON_BYTES", 1_000)
    path = tmp_path / "wallabag.json"
    path.write_text(json.dumps([wallabag_entry(n) for n in range(3)]))
    report = archive.imports.from_export(path)
    assert statuses(report) == ["failed"] and "too large" in report.items[0].reason


def test_odd_entries_in_a_json_export_fail_alone(archive: Archive, tmp_path: Path) -> None:
    entries: list[object] = [
        "just a string",
        wallabag_entry(1, created_at="the day before", published_at=12),
        {"url": "https://news.example.org/only-a-link", "is_archived": "1", "tags": "x"},
        wallabag_entry(2, url="javascript:alert(1)", given_url=None, content=None),
        None,
    ]
    path = tmp_path / "wallabag.json"
    path.write_text(json.dumps(entries))
    report = archive.imports.from_export(path)
    assert_one_line_per_entry(report, 5)
    assert statuses(report) == ["failed", "saved", "queued", "failed", "failed"]
    assert "got str" in report.items[0].reason
    assert "'the day before' is not a date" in report.items[1].reason
    assert "'12' is not a date" in report.items[1].reason
    assert queued(archive)["https://news.example.org/only-a-link"].is_read


def test_a_csv_with_an_unclosed_quote_reports_the_lines_it_swallowed_and_reads_on(
    archive: Archive, tmp_path: Path
) -> None:
    lines = ["title,url,time_added,tags,status", "Fine,https://a.example/1,1,,unread"]
    lines.append('"Broken,https://a.example/2,1,,unread')  # line 3: the quote never closes
    lines += [f"Row {n},https://a.example/r{n},1,,unread" for n in range(5_000)]
    path = tmp_path / "pocket.csv"
    path.write_text("\n".join(lines) + "\n")
    report = archive.imports.from_export(path)
    assert statuses(report)[:2] == ["queued", "failed"]
    damage = report.items[1].reason
    match = re.search(r"lines 3-(\d+) \(an unclosed quote\?\)", damage)
    assert match is not None, damage
    swallowed_up_to = int(match.group(1))
    assert swallowed_up_to < len(lines)  # the field limit stopped it, not the end of file
    assert report.counts()["queued"] == 1 + len(lines) - swallowed_up_to
    assert report.counts()["failed"] == 1


def test_a_huge_link_title_is_cut_short_and_markup_inside_it_is_dropped(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "pocket.html"
    title = "<b>bold</b> " + "word " * 50_000
    path.write_text(pocket_html([pocket_link("https://a.example/long", title)], []))
    report = archive.imports.from_export(path)
    assert statuses(report) == ["queued"]
    stored = queued(archive)["https://a.example/long"].title
    assert stored.startswith("bold word") and len(stored) <= bookmarks.MAX_TEXT_CHARS


# -- cancelling and progress --------------------------------------------------------------


def test_cancelling_skips_the_remaining_entries_and_the_counts_still_add_up(
    archive: Archive, tmp_path: Path
) -> None:
    rows = [[f"T{n}", f"https://a.example/{n}", "1", "", "unread"] for n in range(250)]
    path = write_csv(tmp_path / "p.csv", ["title", "url", "time_added", "tags", "status"], rows)
    seen: list[tuple[int, int]] = []
    asked = 0

    def should_cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > 120

    report = archive.imports.from_export(
        path, progress=lambda d, t: seen.append((d, t)), should_cancel=should_cancel
    )
    assert_one_line_per_entry(report, 250)
    counts = report.counts()
    assert (counts["queued"], counts["skipped"]) == (120, 130)
    assert report.items[-1].reason == "cancelled"
    assert len(queued(archive)) == 120
    assert seen[0] == (100, 250) and seen[-1] == (250, 250)


def test_a_pocket_page_whose_markup_never_closes_fails_its_tail_quickly(
    archive: Archive, tmp_path: Path
) -> None:
    export = tmp_path / "ril_export.html"
    export.write_text(
        "<!DOCTYPE html><html><head><title>Pocket Export</title></head><body><h1>Unread</h1>"
        "<ul><li><a href='https://example.org/a' time_added='1600000000'>A</a></li><!-- "
        + "x"
        * (8 << 20)
    )
    started = time.monotonic()
    report = archive.imports.from_export(export)
    assert time.monotonic() - started < 5
    assert [i.status for i in report.items] == ["queued", "failed"]
    assert "never closes" in report.items[1].reason


@pytest.mark.sqlite_only("reading export files: the store plays no part")
def test_an_omnivore_zip_bomb_gives_every_entry_its_line_quickly_and_in_little_memory(
    archive: Archive, tmp_path: Path
) -> None:
    bomb = b" " * 3_000_000  # each member expands ~1,000 times
    members: dict[str, str | bytes] = {
        "metadata_0_to_200.json": json.dumps([omnivore_item(f"b{n}") for n in range(200)])
    }
    members.update({f"content/b{n}.html": bomb for n in range(200)})
    path = omnivore_zip(tmp_path / "bomb.zip", members)
    tracemalloc.start()
    started = time.perf_counter()
    report = archive.imports.from_export(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(report.items) == 200
    assert {item.item for item in report.items} == {f"{path}#{n}" for n in range(1, 201)}
    assert all("zip bomb" in item.reason for item in report.items)
    assert seconds < 10 and peak < 500 * 2**20
