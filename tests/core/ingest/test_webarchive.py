"""Web archives (WARC, WARC.gz, MHTML) become articles with their pictures, offline."""

import base64
import gzip
import hashlib
import io
import quopri
import re
import socket
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsreader.core.archive import Archive
from newsreader.core.blocks import ExtractedArticle
from newsreader.core.ingest import webarchive
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.webarchive import (
    Extracted,
    count_warc_items,
    is_mhtml,
    is_warc,
    read_mhtml,
    read_warc,
)
from tests.factories import make_png

SITE = "https://news.example.com"
BUDGET_URL = f"{SITE}/world/2024/05/council-approves-budget"
OTTERS_URL = f"{SITE}/science/2024/05/otters-return-to-the-river"
PHOTO_URL = f"{SITE}/img/council.png"
PHOTO = make_png(64, 48)
OTTER_PHOTO = make_png(80, 60)
BUDGET = [
    "The city council approved a new budget on Tuesday after a debate that lasted well "
    "into the night, officials said.",
    "The plan raises spending on schools and public transport, while trimming the money "
    "set aside for new roads over the next two years.",
    "Opponents argued that the tax increase needed to pay for it would hurt small "
    "businesses that are already struggling with their costs.",
]
OTTERS = [
    "Otters have returned to the river for the first time in forty years, wildlife "
    "volunteers who have counted them every spring said on Monday.",
    "The animals were seen near the old mill, where the water has grown much cleaner "
    "since the factories upstream closed and the banks were replanted.",
    "Volunteers asked walkers to keep their dogs on a lead along that stretch of the "
    "river until the young otters are old enough to leave their dens.",
]


def news_page(title: str, paragraphs: list[str], extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} - The Daily Example</title></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<main><article><h1>{title}</h1>{extra}{body}</article></main>"
        "<footer><p>© 2024 The Daily Example. All rights reserved.</p></footer>"
        "</body></html>"
    )


BUDGET_PAGE = news_page(
    "Council approves the new budget",
    BUDGET,
    extra="<figure><img src='/img/council.png' alt='The council chamber'></figure>",
)
OTTERS_PAGE = news_page(
    "Otters return to the river",
    OTTERS,
    extra="<figure><img src='https://cdn.example.com/otter.png' alt='An otter'></figure>",
)


class Warc:
    """Writes a WARC (or WARC.gz) record by record, the way a crawler does."""

    def __init__(self, gz: bool) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gz)

    def response(
        self, uri: str, body: bytes, content_type: str, status: str = "200 OK", **headers: str
    ) -> None:
        http = StatusAndHeaders(
            status, [("Content-Type", content_type), *headers.items()], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
        )  # a length given: warcio would spool the body to a temp file it never closes
        self.writer.write_record(record)

    def request(self, uri: str) -> None:
        http = StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True
        )
        self.writer.write_record(self.writer.create_warc_record(uri, "request", http_headers=http))

    def redirect(self, uri: str, location: str) -> None:
        self.response(uri, b"", "text/html", status="301 Moved Permanently", Location=location)

    def revisit(self, uri: str, digest: str, refers_to: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            uri, digest, refers_to, "2024-05-14T10:00:00Z", http_headers=http
        )
        self.writer.write_record(record)

    def metadata(self, uri: str) -> None:
        fields = b"outlink: https://news.example.com/\r\n"
        record = self.writer.create_warc_record(
            uri,
            "metadata",
            payload=io.BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
        )
        self.writer.write_record(record)

    def save(self, path: Path) -> Path:
        path.write_bytes(self.buffer.getvalue())
        return path


def news_warc(gz: bool) -> Warc:
    """Two news pages, the first page's photo archived AFTER it, the second's behind a
    redirect; around them a request, a 404 page, a redirect page, CSS and a revisit."""
    warc = Warc(gz)
    warc.request(BUDGET_URL)
    warc.response(BUDGET_URL, BUDGET_PAGE.encode(), "text/html; charset=utf-8")
    warc.response(f"{SITE}/style.css", b"body { color: black }", "text/css")
    warc.response(
        f"{SITE}/missing",
        news_page("Page not found", BUDGET).encode(),
        "text/html",
        "404 Not Found",
    )
    warc.redirect(f"{SITE}/old-budget-link", BUDGET_URL)
    warc.response(PHOTO_URL, PHOTO, "image/png")
    warc.revisit(BUDGET_URL, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", BUDGET_URL)
    warc.metadata(BUDGET_URL)
    warc.response(OTTERS_URL, OTTERS_PAGE.encode(), "text/html")
    warc.redirect("https://cdn.example.com/otter.png", "https://cdn2.example.com/o/otter.png")
    warc.response("https://cdn2.example.com/o/otter.png", OTTER_PHOTO, "image/png")
    return warc


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading an archive never goes online: any connection attempt fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a web archive was read with a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def articles(items: list[tuple[str, Extracted]]) -> list[ExtractedArticle]:
    return [r for _, r in items if isinstance(r, ExtractedArticle)]


def errors(items: list[tuple[str, Extracted]]) -> list[tuple[str, str]]:
    return [(item, str(r)) for item, r in items if isinstance(r, ExtractionError)]


def texts(article: ExtractedArticle) -> list[str]:
    return [b.text for b in article.blocks if b.kind != "image"]


def stored_images(archive: Archive, article_id: int) -> list[bytes]:
    detail = archive.get(article_id)
    assert detail is not None
    found = []
    for block in detail.blocks:
        if block.kind == "image":
            assert block.src.startswith("asset:"), "the image was not stored in the archive"
            asset = archive.asset(block.src.removeprefix("asset:"))
            assert asset is not None
            found.append(asset[1])
    return found


# -- WARC -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_each_archived_news_page_becomes_an_article_and_nothing_else_does(
    tmp_path: Path, name: str
) -> None:
    path = news_warc(gz=name.endswith(".gz")).save(tmp_path / name)
    items = list(read_warc(path))
    assert [item for item, _ in items] == [f"{path}#{BUDGET_URL}", f"{path}#{OTTERS_URL}"]
    budget, otters = articles(items)
    assert texts(budget) == BUDGET
    assert [b.src for b in budget.blocks if b.kind == "image"] == [PHOTO_URL]
    assert texts(otters) == OTTERS
    assert budget.url == BUDGET_URL
    assert budget.images == {PHOTO_URL: PHOTO}
    assert count_warc_items(path) == 2


@pytest.mark.parametrize("gz", [False, True])
def test_images_archived_after_their_page_are_saved_as_assets_with_the_article(
    archive: Archive, tmp_path: Path, gz: bool
) -> None:
    path = news_warc(gz).save(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"))
    outcomes = archive.save_many(articles(list(read_warc(path))))
    ids = [o.article_id for o in outcomes if not isinstance(o, Exception)]
    assert [o.status for o in outcomes if not isinstance(o, Exception)] == ["saved", "saved"]
    assert stored_images(archive, ids[0]) == [PHOTO]
    assert stored_images(archive, ids[1]) == [OTTER_PHOTO]  # reached through a redirect


def test_the_page_is_kept_as_fetched_for_re_extraction(archive: Archive, tmp_path: Path) -> None:
    path = news_warc(gz=True).save(tmp_path / "crawl.warc.gz")
    budget = articles(list(read_warc(path)))[0]
    outcome = archive.save(budget)
    assert archive.original(outcome.article_id) == (
        "text/html; charset=utf-8",
        BUDGET_PAGE.encode(),
    )


def test_an_image_captured_again_as_a_revisit_comes_from_the_first_capture(
    tmp_path: Path,
) -> None:
    warc = Warc(gz=True)
    warc.response(f"{SITE}/img/first-crawl.png", PHOTO, "image/png")
    digest = f"sha1:{base64.b32encode(hashlib.sha1(PHOTO).digest()).decode()}"
    warc.revisit(PHOTO_URL, digest, f"{SITE}/img/first-crawl.png")
    warc.response(BUDGET_URL, BUDGET_PAGE.encode(), "text/html")
    (budget,) = articles(list(read_warc(warc.save(tmp_path / "revisits.warc.gz"))))
    assert budget.images == {PHOTO_URL: PHOTO}


def test_a_page_declared_in_a_charset_by_the_server_alone_is_decoded_in_it(
    tmp_path: Path,
) -> None:
    paragraphs = [
        "Совет города утвердил новый бюджет во вторник после долгих споров, которые "
        "продолжались до поздней ночи, сообщили чиновники.",
        "План увеличивает расходы на школы и общественный транспорт и сокращает деньги "
        "на новые дороги в ближайшие два года.",
    ]
    html = news_page("Совет утвердил бюджет", paragraphs).replace("<meta charset='utf-8'>", "")
    warc = Warc(gz=False)
    warc.response(BUDGET_URL, html.encode("cp1251"), "text/html; charset=windows-1251")
    (article,) = articles(list(read_warc(warc.save(tmp_path / "ru.warc"))))
    assert texts(article) == paragraphs


def test_a_resource_record_of_html_is_a_page_too(tmp_path: Path) -> None:
    warc = Warc(gz=False)
    record = warc.writer.create_warc_record(
        OTTERS_URL, "resource", payload=io.BytesIO(OTTERS_PAGE.encode()),
        length=len(OTTERS_PAGE.encode()), warc_content_type="text/html",
    )  # fmt: skip
    warc.writer.write_record(record)
    (article,) = articles(list(read_warc(warc.save(tmp_path / "resource.warc"))))
    assert texts(article) == OTTERS


def test_a_truncated_warc_gz_gives_the_pages_before_the_damage_and_one_failed_line(
    tmp_path: Path,
) -> None:
    warc = Warc(gz=True)
    warc.response(BUDGET_URL, BUDGET_PAGE.encode(), "text/html")
    warc.response(PHOTO_URL, PHOTO, "image/png")
    intact = len(warc.buffer.getvalue())
    warc.response(OTTERS_URL, OTTERS_PAGE.encode() * 20, "text/html")
    data = warc.buffer.getvalue()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: (intact + len(data)) // 2])
    items = list(read_warc(path))
    assert len(items) == 2
    (budget,) = articles(items)
    assert texts(budget)[-len(BUDGET) :] == BUDGET
    assert budget.images == {PHOTO_URL: PHOTO}
    ((item, reason),) = errors(items)
    assert item == f"{path}#offset={intact}"
    assert "damaged" in reason and "the rest cannot be read" in reason
    assert count_warc_items(path) == 2


def test_a_plain_warc_cut_inside_a_page_does_not_pass_off_half_a_page(tmp_path: Path) -> None:
    warc = news_warc(gz=False)
    data = warc.buffer.getvalue()
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: data.index(OTTERS_PAGE.encode()) + 200])
    items = list(read_warc(path))
    assert [type(r) for _, r in items] == [ExtractedArticle, ExtractionError]
    assert "damaged" in str(items[1][1])


def test_a_warc_gzipped_as_one_stream_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(news_warc(gz=False).buffer.getvalue()))
    budget, otters = articles(list(read_warc(path)))
    assert budget.images == {PHOTO_URL: PHOTO}
    assert texts(otters) == OTTERS


def test_a_warc_cut_inside_its_first_record_is_called_damaged_not_foreign(
    tmp_path: Path,
) -> None:
    data = news_warc(gz=True).buffer.getvalue()
    path = tmp_path / "stub.warc.gz"
    path.write_bytes(data[:120])
    ((item, reason),) = errors(list(read_warc(path)))
    assert item == str(path)
    assert reason.startswith("damaged WARC")


def test_a_one_stream_warc_gz_cut_short_keeps_what_came_before(tmp_path: Path) -> None:
    data = gzip.compress(news_warc(gz=False).buffer.getvalue())
    path = tmp_path / "whole-cut.warc.gz"
    path.write_bytes(data[: len(data) * 3 // 4])
    items = list(read_warc(path))
    assert [type(r) for _, r in items] == [ExtractedArticle, ExtractionError]
    assert "the rest cannot be read" in str(items[-1][1])
    assert count_warc_items(path) == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.warc", b"These are my notes, not an archive.\n" * 20, "not a WARC"),
        ("data.warc.gz", gzip.compress(b'{"title": "x"}\n' * 50), "not a WARC"),
        ("empty.warc", b"", "empty file"),
        ("noise.warc", bytes(range(256)) * 8, "not a WARC"),
    ],
)
def test_a_file_that_is_not_a_warc_gives_one_failed_line(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    items = list(read_warc(path))
    assert len(items) == 1
    assert items[0][0] == str(path)
    assert reason in str(items[0][1])
    assert count_warc_items(path) == 1


def test_a_warc_without_html_pages_says_so(tmp_path: Path) -> None:
    warc = Warc(gz=True)
    warc.response(PHOTO_URL, PHOTO, "image/png")
    path = warc.save(tmp_path / "images.warc.gz")
    ((item, reason),) = errors(list(read_warc(path)))
    assert item == str(path)
    assert "no archived HTML pages" in reason


def test_pages_over_the_size_cap_fail_alone_and_big_images_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warc = Warc(gz=True)
    warc.response(BUDGET_URL, BUDGET_PAGE.encode(), "text/html")
    warc.response(OTTERS_URL, OTTERS_PAGE.encode() + b" " * 50_000, "text/html")
    warc.response(PHOTO_URL, PHOTO, "image/png")
    monkeypatch.setattr(webarchive, "MAX_PAGE_BYTES", 40_000)
    monkeypatch.setattr(webarchive, "MAX_IMAGE_BYTES", len(PHOTO) - 1)
    items = list(read_warc(warc.save(tmp_path / "big.warc.gz")))
    (budget,) = articles(items)
    assert budget.images == {}
    assert [(i, "page too large" in r) for i, r in errors(items)] == [
        (f"{tmp_path / 'big.warc.gz'}#{OTTERS_URL}", True)
    ]


def test_a_page_that_fails_extraction_fails_with_its_reason(tmp_path: Path) -> None:
    warc = Warc(gz=False)
    warc.response(f"{SITE}/blank", b"<html><body></body></html>", "text/html")
    warc.response(BUDGET_URL, BUDGET_PAGE.encode(), "text/html")
    path = warc.save(tmp_path / "mixed.warc")
    items = list(read_warc(path))
    assert [type(r) for _, r in items] == [ExtractionError, ExtractedArticle]
    assert errors(items) == [(f"{path}#{SITE}/blank", "no article text found")]


def test_warc_files_are_recognised_by_name_and_by_their_first_bytes(tmp_path: Path) -> None:
    capture = news_warc(gz=True).save(tmp_path / "capture.bin")
    plain = news_warc(gz=False).save(tmp_path / "capture.dat")
    page = tmp_path / "page.html"
    page.write_text(BUDGET_PAGE)
    assert is_warc(capture) and is_warc(plain)
    assert is_warc(tmp_path / "named.warc") and is_warc(tmp_path / "named.WARC.GZ")
    assert not is_warc(page)
    assert not is_mhtml(capture)


# -- MHTML ------------------------------------------------------------------------------

BOUNDARY = "----MultipartBoundary--T4ZbGB0hoBAbv1IZJ0wwsG4Jq8GIXZrVvhOl6Jw8EF----"


def mhtml(html: str, *parts: tuple[dict[str, str], bytes], top: str = "") -> bytes:
    """A page saved as one file the way Chrome does: quoted-printable HTML first, then
    each resource base64-encoded, all in a multipart/related message."""
    lines = [
        "From: <Saved by Blink>",
        f"Snapshot-Content-Location: {BUDGET_URL}",
        "Subject: Council approves the new budget",
        "Date: Tue, 14 May 2024 10:00:00 -0000",
        "MIME-Version: 1.0",
        top
        or f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{BOUNDARY}"',
        "",
        "",
        f"--{BOUNDARY}",
        "Content-Type: text/html",
        "Content-ID: <frame-3A5E8F0B@mhtml.blink>",
        "Content-Transfer-Encoding: quoted-printable",
        f"Content-Location: {BUDGET_URL}",
        "",
        quopri.encodestring(html.encode("utf-8")).decode("ascii"),
    ]
    for headers, data in parts:
        lines += [f"--{BOUNDARY}", *(f"{k}: {v}" for k, v in headers.items())]
        lines += ["Content-Transfer-Encoding: base64", "", base64.encodebytes(data).decode()]
    lines.append(f"--{BOUNDARY}--")
    return "\r\n".join(lines).encode("ascii")


def test_an_mhtml_page_becomes_its_article_with_its_pictures(
    archive: Archive, tmp_path: Path
) -> None:
    page = BUDGET_PAGE.replace(BUDGET[0], BUDGET[0] + " Le café was full.")
    path = tmp_path / "budget.mhtml"
    path.write_bytes(
        mhtml(page, ({"Content-Type": "image/png", "Content-Location": PHOTO_URL}, PHOTO))
    )
    article = read_mhtml(path)
    assert isinstance(article, ExtractedArticle)
    assert article.url == BUDGET_URL
    assert "Le café was full." in article.text  # quoted-printable UTF-8, decoded
    assert texts(article)[-2:] == BUDGET[1:]
    assert article.images == {PHOTO_URL: PHOTO}
    outcome = archive.save(article)
    assert stored_images(archive, outcome.article_id) == [PHOTO]


def test_mhtml_images_referenced_by_content_id_are_found(tmp_path: Path) -> None:
    page = BUDGET_PAGE.replace("/img/council.png", "cid:council-photo@example")
    path = tmp_path / "budget.mht"
    path.write_bytes(
        mhtml(page, ({"Content-Type": "image/png", "Content-ID": "<council-photo@example>"}, PHOTO))
    )
    article = read_mhtml(path)
    assert isinstance(article, ExtractedArticle)
    assert list(article.images.values()) == [PHOTO]
    (image,) = [b for b in article.blocks if b.kind == "image"]
    assert image.src in article.images


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            mhtml(BUDGET_PAGE, top='Content-Type: multipart/related; boundary="nowhere"'),
            "damaged MHTML",
        ),
        (b"Just some text I saved.\nNothing MIME about it.\n", "not an MHTML archive"),
        (
            b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(PHOTO)
            + b"--b--\r\n",
            "holds no HTML page",
        ),
        (b"", "empty file"),
    ],
)
def test_a_broken_mhtml_fails_with_a_clear_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "broken.mhtml"
    path.write_bytes(content)
    result = read_mhtml(path)
    assert isinstance(result, ExtractionError)
    assert reason in str(result)


def test_an_mhtml_cut_short_keeps_its_page_and_says_images_may_be_missing(
    tmp_path: Path,
) -> None:
    data = mhtml(BUDGET_PAGE, ({"Content-Type": "image/png", "Content-Location": PHOTO_URL}, PHOTO))
    path = tmp_path / "cut.mhtml"
    path.write_bytes(data[: data.index(b"Content-Type: image/png")])
    article = read_mhtml(path)
    assert isinstance(article, ExtractedArticle)
    assert texts(article)[-len(BUDGET) :] == BUDGET
    assert any("cut short" in note for note in article.notes)


def test_mhtml_files_are_recognised_by_name_and_by_their_mime_headers(tmp_path: Path) -> None:
    saved = tmp_path / "saved-page.dat"
    saved.write_bytes(mhtml(BUDGET_PAGE))
    page = tmp_path / "page.html"
    page.write_text(BUDGET_PAGE)
    assert is_mhtml(saved)
    assert is_mhtml(tmp_path / "x.mhtml") and is_mhtml(tmp_path / "x.MHT")
    assert not is_mhtml(page)
    assert not is_warc(saved)


def test_a_folder_import_reads_web_archives_beside_ordinary_pages(
    archive: Archive, tmp_path: Path
) -> None:

    folder = tmp_path / "saved"
    folder.mkdir()
    news_warc(gz=True).save(folder / "crawl.warc.gz")
    page = BUDGET_PAGE.replace(BUDGET[0], "A different first paragraph, saved as one file.")
    (folder / "budget.mhtml").write_bytes(
        mhtml(page, ({"Content-Type": "image/png", "Content-Location": PHOTO_URL}, PHOTO))
    )
    (folder / "otters.html").write_text(news_page("Otters, saved by hand", OTTERS[::-1]))
    report = archive.imports.paths([folder], workers=1)
    counts = report.counts()
    assert (counts["total"], counts["saved"], counts["failed"]) == (4, 3, 0), report.dumps()
    by_item = {Path(i.item.split("#")[0]).name: i for i in report.items}
    assert set(by_item) == {"crawl.warc.gz", "budget.mhtml", "otters.html"}
    # The single-file page is a later capture of the budget story in the WARC.
    assert by_item["budget.mhtml"].status == "updated"
    mhtml_id = by_item["budget.mhtml"].article_id
    assert mhtml_id is not None and stored_images(archive, mhtml_id) == [PHOTO]


def test_a_cut_warc_gz_is_called_damaged_even_when_its_first_bytes_decompress_late(
    tmp_path: Path,
) -> None:
    # The first WARC bytes can sit far into a .warc.gz: after a stored file name (gzip
    # keeps it when it compresses a named file) or large code tables. Looking at too few
    # compressed bytes once called such a file "not a WARC" (a flaky test).
    buffer = io.BytesIO()
    name = "crawl-2024-05-14-" + "x" * 100 + ".warc"
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buffer, mtime=0) as packed:
        packed.write(news_warc(gz=False).buffer.getvalue())
    path = tmp_path / "named.warc.gz"
    path.write_bytes(buffer.getvalue()[:300])
    ((item, reason),) = errors(list(read_warc(path)))
    assert item == str(path)
    assert reason.startswith("damaged WARC"), reason


def _gzip_member(*parts: bytes, zeros: int = 0) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    out = [packer.compress(parts[0])]
    block = b"\x00" * 2**20
    for start in range(0, zeros, len(block)):
        out.append(packer.compress(block[: min(len(block), zeros - start)]))
    out += [packer.compress(part) for part in parts[1:]]
    return b"".join([*out, packer.flush()])


def test_a_warc_gz_bomb_stops_at_the_expansion_bound_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webarchive, "MIN_EXPANDED_BYTES", 64 * 2**20)
    size = 256 * 2**20  # 256 MB of zeros in a member of about 1 MB
    header = (
        b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:bomb>\r\n"
        b"WARC-Target-URI: http://example.com/blob\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Length: %d\r\n\r\n" % size
    )
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(_gzip_member(header, b"\r\n\r\n", zeros=size))
    assert path.stat().st_size < 2 * 2**20
    tracemalloc.start()
    started = time.perf_counter()
    ((_item, reason),) = errors(list(read_warc(path)))
    seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "expand to more than 64 MB" in reason
    assert seconds < 10 and peak < 500 * 2**20


def test_a_fifty_megabyte_header_line_is_passed_by_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "long-line.warc"
    path.write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nX-Filler: " + b"a" * (50 * 2**20)
        + b"\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
    )  # fmt: skip
    started = time.perf_counter()
    results = list(read_warc(path))
    assert time.perf_counter() - started < 10
    assert len(results) == 1 and isinstance(results[0][1], ExtractionError)


def test_a_record_with_a_negative_length_is_reported_at_a_real_offset_in_plain_text(
    tmp_path: Path,
) -> None:
    path = tmp_path / "negative.warc"
    path.write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/\r\n"
        b"Content-Length: -2145395959\r\n\r\n\x00\x00\x00garbage\r\n\r\n"
    )
    ((item, reason),) = errors(list(read_warc(path)))
    offsets = [int(n) for n in re.findall(r"-?\d+", item.rpartition("#")[2] + " " + reason)]
    assert all(0 <= n <= path.stat().st_size for n in offsets)
    assert reason.isprintable()


def test_a_one_stream_warc_gz_bomb_is_unpacked_only_to_the_expansion_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webarchive, "MIN_EXPANDED_BYTES", 64 * 2**20)
    records = news_warc(gz=False).buffer.getvalue()
    size = 256 * 2**20
    filler = b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: %d\r\n\r\n" % size
    path = tmp_path / "one-stream-bomb.warc.gz"
    path.write_bytes(_gzip_member(records + filler, b"\r\n\r\n", zeros=size))
    started = time.perf_counter()
    items = list(read_warc(path))
    assert time.perf_counter() - started < 10
    assert [type(r) for _, r in items][:2] == [ExtractedArticle, ExtractedArticle]
    assert "expand to more than 64 MB" in str(items[-1][1])
