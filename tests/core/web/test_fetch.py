import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsreader.core.web.fetch import Fetcher, FetchError, OfflineError
from tests.factories import make_png, news_page


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=1.0, deadline=3.0, host_spacing=0.0) as client:
        yield client


def test_a_page_comes_back_with_its_final_address_type_and_charset(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/story")})
    )
    httpserver.expect_request("/story").respond_with_data(
        news_page("A story"), content_type="text/html; charset=UTF-8"
    )
    response = fetcher.get(httpserver.url_for("/old"))
    assert response.url == httpserver.url_for("/story")
    assert (response.status, response.media_type, response.charset) == (200, "text/html", "UTF-8")
    assert b"A story" in response.body


def test_a_gzipped_page_arrives_decompressed(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(news_page("Packed").encode()),
        headers={"Content-Encoding": "gzip"}, content_type="text/html",
    )  # fmt: skip
    assert b"<h1>Packed</h1>" in fetcher.get(httpserver.url_for("/gz")).body


def test_a_gzip_bomb_stops_at_the_size_cap(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    bomb = gzip.compress(b"<html>" + b" " * (16 * 1024 * 1024))
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    with pytest.raises(FetchError, match="larger than the 10 MB"):
        fetcher.get(httpserver.url_for("/bomb"))


def test_an_oversized_body_is_refused_whether_announced_or_not(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    big = b"<html><body>" + b"x" * (11 * 1024 * 1024)
    httpserver.expect_request("/announced").respond_with_data(big, content_type="text/html")
    httpserver.expect_request("/streamed").respond_with_response(
        Response((big[i : i + 65536] for i in range(0, len(big), 65536)), content_type="text/html")
    )
    for path in ("/announced", "/streamed"):
        with pytest.raises(FetchError, match="larger than"):
            fetcher.get(httpserver.url_for(path))


def test_a_redirect_loop_is_refused(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/a").respond_with_response(
        Response(status=302, headers={"Location": "/b"})
    )
    httpserver.expect_request("/b").respond_with_response(
        Response(status=302, headers={"Location": "/a"})
    )
    with pytest.raises(FetchError, match="redirects too many times"):
        fetcher.get(httpserver.url_for("/a"))


@pytest.mark.parametrize(("status", "phrase"), [(404, "404 NOT FOUND"), (500, "500 INTERNAL")])
def test_an_error_status_is_a_clear_failure(
    httpserver: HTTPServer, fetcher: Fetcher, status: int, phrase: str
) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=status)
    with pytest.raises(FetchError, match=phrase):
        fetcher.get(httpserver.url_for("/gone"))


def test_a_server_that_never_answers_hits_the_timeout(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    finished = threading.Event()

    def stall(_request: Request) -> Response:
        time.sleep(2.5)
        finished.set()
        return Response("late", content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(stall)
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer in time"):
        fetcher.get(httpserver.url_for("/slow"))
    assert time.monotonic() - started < 2.4
    finished.wait(5)  # the test server answers one request at a time


def test_a_body_that_trickles_forever_hits_the_deadline(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    def trickle() -> Iterator[bytes]:
        yield b"<html><body>"
        for _ in range(100):
            time.sleep(0.2)
            yield b"<p>more</p>"

    httpserver.expect_request("/drip").respond_with_handler(
        lambda _request: Response(trickle(), content_type="text/html", direct_passthrough=True)
    )
    with pytest.raises(FetchError, match="took longer than 3 s"):
        fetcher.get(httpserver.url_for("/drip"))


def test_the_wrong_content_type_is_refused_and_an_untyped_page_is_sniffed(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/file.zip").respond_with_data(
        b"PK\x03\x04", content_type="application/zip"
    )
    httpserver.expect_request("/untyped").respond_with_data(news_page("Untyped"), content_type="")
    with pytest.raises(FetchError, match="application/zip, not a web page"):
        fetcher.get(httpserver.url_for("/file.zip"))
    assert b"Untyped" in fetcher.get(httpserver.url_for("/untyped")).body


def test_a_conditional_get_comes_back_as_not_modified(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    response = fetcher.get(httpserver.url_for("/feed"), "feed", etag='"v1"')
    assert response.not_modified and response.body == b""


def test_only_web_addresses_are_fetched_and_nothing_at_all_offline(
    httpserver: HTTPServer,
) -> None:
    offline = Fetcher(is_offline=lambda: True)
    with pytest.raises(OfflineError, match="working offline"):
        offline.get(httpserver.url_for("/any"))
    offline.close()
    assert httpserver.log == []
    with Fetcher() as online:
        for address in ("file:///etc/passwd", "javascript:alert(1)", "not a url"):
            with pytest.raises(FetchError, match="not a web address"):
                online.get(address)


def test_requests_to_one_host_are_spaced_out(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data(news_page("P"), content_type="text/html")
    with Fetcher(host_spacing=0.3) as polite:
        started = time.monotonic()
        for _ in range(3):
            polite.get(httpserver.url_for("/p"))
        assert time.monotonic() - started >= 0.6


def test_headers_that_drip_in_forever_hit_the_deadline_too() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        with contextlib.suppress(OSError):
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for n in range(40):
                conn.sendall(b"X-Pad-%d: a\r\n" % n)
                time.sleep(0.25)
        conn.close()

    server = threading.Thread(target=drip, daemon=True)
    server.start()
    started = time.monotonic()
    client = Fetcher(timeout=1.0, deadline=2.0, host_spacing=0.0)
    with client, pytest.raises(FetchError, match="took longer than 2 s"):
        client.get(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    assert time.monotonic() - started < 4
    server.join(15)
    listener.close()


def test_a_body_compressed_twice_over_is_refused_before_it_is_inflated(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    twice = gzip.compress(gzip.compress(b"<html>" + b" " * (8 * 1024 * 1024)))
    httpserver.expect_request("/twice").respond_with_data(
        twice, headers={"Content-Encoding": "gzip, gzip"}, content_type="text/html"
    )
    with pytest.raises(FetchError, match="compressed 2 times over"):
        fetcher.get(httpserver.url_for("/twice"))


def test_an_image_served_as_octet_stream_is_known_by_its_bytes(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    photo = make_png()
    httpserver.expect_request("/photo").respond_with_data(photo, content_type="binary/octet-stream")
    httpserver.expect_request("/notes").respond_with_data(b"plain words", content_type="")
    assert fetcher.get(httpserver.url_for("/photo"), "image").body == photo
    with pytest.raises(FetchError, match="not an image"):
        fetcher.get(httpserver.url_for("/notes"), "image")


def test_a_feed_served_as_a_web_page_is_still_a_feed(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    rss = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
    httpserver.expect_request("/rss").respond_with_data(rss, content_type="text/html")
    assert fetcher.get(httpserver.url_for("/rss"), "feed").body == rss
