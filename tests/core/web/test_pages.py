from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from newsreader.core.archive import Archive
from newsreader.core.fetch_queue import PendingUrl, enqueue, pending
from newsreader.core.web.fetch import Fetcher
from tests.factories import PNG, make_png, news_page


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=2.0, deadline=5.0, host_spacing=0.0) as client:
        yield client


def serve_page(httpserver: HTTPServer, path: str, html: str, charset: str = "utf-8") -> str:
    httpserver.expect_request(path).respond_with_data(
        html.encode(charset), content_type=f"text/html; charset={charset}"
    )
    return httpserver.url_for(path)


def test_a_saved_url_reads_offline_with_its_pictures_and_keeps_the_page(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    photo = make_png()
    httpserver.expect_request("/img/photo.png").respond_with_data(photo, content_type="image/png")
    httpserver.expect_request("/img/missing.jpg").respond_with_data("", status=404)
    httpserver.expect_request("/img/pixel.gif").respond_with_data(PNG, content_type="image/png")
    figures = (
        "<figure><img src='/img/photo.png' alt='The council chamber'></figure>"
        "<img src='/img/pixel.gif' width='1' height='1'><img src='/img/missing.jpg' alt='gone'>"
    )
    url = serve_page(
        httpserver, "/news/budget", news_page("Council approves budget", extra=figures)
    )
    result = archive.web.save_url(url, fetcher)
    assert result.status == "saved", result.reason
    assert result.article_id is not None
    article = archive.get(result.article_id)
    assert article is not None and article.title == "Council approves budget"
    stored = [b.src for b in article.blocks if b.kind == "image" and b.src.startswith("asset:")]
    assert len(stored) == 1
    assert archive.asset(stored[0].removeprefix("asset:")) == ("image/png", photo)
    assert "an image was not stored" in result.reason and "404" in result.reason
    original = archive.original(result.article_id)
    assert original is not None and b"Council approves budget" in original[1]


def test_saving_an_unchanged_url_again_is_a_duplicate(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    url = serve_page(httpserver, "/story", news_page("Same story"))
    first = archive.web.save_url(url, fetcher)
    again = archive.web.save_url(url, fetcher)
    assert (first.status, again.status) == ("saved", "duplicate")
    assert again.article_id == first.article_id and archive.count() == 1


def test_a_changed_page_keeps_its_old_text_and_its_highlights_follow(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    url = serve_page(
        httpserver, "/live", news_page("Live report", extra="<p>The minister resigned today.</p>")
    )
    first = archive.web.save_url(url, fetcher)
    assert first.article_id is not None
    note = archive.annotations.create_from_quote(first.article_id, "minister resigned")
    httpserver.clear()
    late_news = "<p>Breaking: after a long night, the minister resigned today.</p>"
    changed = news_page("Live report", extra=late_news)
    serve_page(httpserver, "/live", changed)
    second = archive.web.save_url(url, fetcher)
    assert (second.status, second.article_id) == ("updated", first.article_id)
    article = archive.get(first.article_id)
    assert article is not None and article.version == 2
    moved = archive.annotations.list(article_id=first.article_id)[0]
    assert moved.id == note.id and moved.status == "anchored"
    assert moved.start is not None and moved.end is not None
    assert article.text[moved.start : moved.end] == "minister resigned"


def test_the_server_charset_decides_how_a_page_is_read(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    html = news_page("Новости дня", "Правительство одобрило новый бюджет после долгих дебатов.")
    url = serve_page(httpserver, "/ru", html.replace("<meta charset='utf-8'>", ""), "windows-1251")
    result = archive.web.save_url(url, fetcher)
    assert result.article_id is not None
    article = archive.get(result.article_id)
    assert article is not None and "Правительство одобрило" in article.text


def test_every_url_of_a_batch_gets_one_line_and_failures_say_why(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    good = serve_page(httpserver, "/good", news_page("A good page"))
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    empty = serve_page(httpserver, "/empty", "<html><body></body></html>")
    urls = [good, httpserver.url_for("/gone"), httpserver.url_for("/pdf"), empty, "ftp://x/y"]
    report = archive.web.save_urls(urls, fetcher)
    assert [i.status for i in report.items] == ["saved", "failed", "failed", "failed", "failed"]
    reasons = [i.reason for i in report.items[1:]]
    assert "404" in reasons[0] and "application/pdf" in reasons[1]
    assert reasons[2] and "not a web address" in reasons[3]
    assert report.counts()["total"] == len(urls) and archive.count() == 1


def test_queued_urls_are_fetched_with_the_state_their_export_gave_them(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    good = serve_page(httpserver, "/queued", news_page("Queued long ago"))
    httpserver.expect_request("/dead").respond_with_data("no", status=404)
    with archive.writing() as session:
        conn = session.connection()
        enqueue(conn, PendingUrl(good, "From Pocket", ["later"], "2015-06-01T10:00:00",
                                 is_read=True, is_starred=True))  # fmt: skip
        enqueue(conn, PendingUrl(httpserver.url_for("/dead"), "Dead link"))
    report = archive.web.fetch_queued(fetcher)
    assert [i.status for i in report.items] == ["saved", "failed"]
    assert "kept queued" in report.items[1].reason
    article_id = report.items[0].article_id
    assert article_id is not None
    article = archive.get(article_id)
    assert article is not None and article.is_read and article.is_starred
    assert article.saved_at.year == 2015 and archive.article_tags(article_id) == ["later"]
    with archive.reading() as session:
        left = pending(session.connection())
    assert [(p.title, p.attempts) for p in left] == [("Dead link", 1)]
    assert left[0].last_error is not None and "404" in left[0].last_error
