import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer

from newsreader.core.archive import Archive
from newsreader.core.web import feeds as feeds_module
from newsreader.core.web.feeds import FeedError, discover_feeds, parse_feed
from newsreader.core.web.fetch import Fetcher
from tests.factories import NEWS_PARAGRAPH, news_page

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Laughs</title><link>http://example.org/a</link></item></channel></rss>"""


def rss(title: str, items: list[tuple[str, str, str]], site: str = "http://example.org/") -> str:
    """An RSS 2.0 feed; items are (title, link, category)."""
    when = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<category>{c}</category><description>&lt;p&gt;Summary of {t}.&lt;/p&gt;</description>"
        f"<pubDate>{format_datetime(when - timedelta(hours=n))}</pubDate></item>"
        for n, (t, link, c) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{site}</link><description>News</description>{entries}</channel></rss>"
    )


def atom(title: str, entries: list[tuple[str, str, str]]) -> str:
    """An Atom feed; entries are (title, link, full HTML content)."""
    body = "".join(
        f"<entry><id>urn:uuid:{n}</id><title>{t}</title><link href='{link}'/>"
        f"<updated>2026-11-2{n}T10:00:00Z</updated>"
        f"<content type='html'>{content.replace('<', '&lt;')}</content></entry>"
        for n, (t, link, content) in enumerate(entries)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{title}</title><id>urn:feed</id><updated>2026-11-27T10:00:00Z</updated>{body}</feed>"
    )


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=2.0, deadline=5.0, host_spacing=0.0) as client:
        yield client


def serve_stories(httpserver: HTTPServer, names: list[str]) -> list[tuple[str, str, str]]:
    items = []
    for name in names:
        path = f"/news/{name}"
        httpserver.expect_request(path).respond_with_data(
            news_page(f"Story {name}", f"Reported from {name}: {NEWS_PARAGRAPH}"),
            content_type="text/html",
        )
        items.append((f"Story {name}", httpserver.url_for(path), "World"))
    return items


def test_subscribing_by_a_page_finds_its_feed_and_a_refresh_saves_full_articles(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    items = serve_stories(httpserver, ["one", "two", "three"])
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss("Example News", items), content_type="application/rss+xml"
    )
    link = "<link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
    httpserver.expect_request("/").respond_with_data(
        news_page("Front page", head=link), content_type="text/html"
    )
    feeds = archive.feeds
    feed = feeds.subscribe(fetcher, httpserver.url_for("/"), folder="Daily")
    assert (feed.url, feed.title, feed.folder) == (
        httpserver.url_for("/feed.xml"),
        "Example News",
        "Daily",
    )
    [result] = feeds.refresh(fetcher)
    assert result.status == "updated" and result.new_articles == 3
    listed = archive.list_articles(source=feed.source_key, order="published")
    assert [a.title for a in listed] == ["Story one", "Story two", "Story three"]
    assert {a.section for a in listed} == {"World"} and {a.source for a in listed} == {
        "Example News"
    }
    article = archive.get(listed[0].id)
    assert article is not None and "The council voted" in article.text
    view = feeds.get(feed.id)
    assert (view.unread, view.total, view.last_error) == (3, 3, None)
    assert view.last_success_at is not None and view.state.startswith("updated")


def test_a_feed_that_has_not_changed_answers_304_and_only_new_items_are_saved(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    items = serve_stories(httpserver, ["a", "b", "c"])
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_request("/feed").respond_with_data(
        rss("Etag News", items[:2]), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    feeds = archive.feeds
    feed = feeds.add(httpserver.url_for("/feed"))
    assert feeds.refresh(fetcher)[0].new_articles == 2
    assert feeds.get(feed.id).title == "Etag News"
    assert feeds.refresh(fetcher)[0].status == "not modified"
    httpserver.clear()
    serve_stories(httpserver, ["a", "b", "c"])
    httpserver.expect_request("/feed").respond_with_data(
        rss("Etag News", items), content_type="application/rss+xml", headers={"ETag": '"v2"'}
    )
    [third] = feeds.refresh(fetcher)
    assert [i.title for i in third.items] == ["Story c"] and third.new_articles == 1
    assert archive.count() == 3


def test_an_item_whose_page_is_gone_is_saved_from_the_feeds_own_text(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    content = "<p>The full story, as the feed carries it, in one paragraph.</p><p>And a second.</p>"
    httpserver.expect_request("/atom").respond_with_data(
        atom("Atom News", [("Carried story", httpserver.url_for("/gone"), content)]),
        content_type="application/atom+xml",
    )
    feeds = archive.feeds
    feeds.add(httpserver.url_for("/atom"))
    [result] = feeds.refresh(fetcher)
    [item] = result.items
    assert (
        item.status == "saved"
        and "saved from the feed's text" in item.reason
        and "404" in item.reason
    )
    assert item.article_id is not None
    article = archive.get(item.article_id)
    assert article is not None
    assert (
        article.text == "The full story, as the feed carries it, in one paragraph.\nAnd a second."
    )


def test_broken_and_hostile_feeds_fail_alone_with_their_reason(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    items = serve_stories(httpserver, ["fine"])
    httpserver.expect_request("/good").respond_with_data(
        rss("Good", items), content_type="text/xml"
    )
    httpserver.expect_request("/bomb").respond_with_data(BILLION_LAUGHS, content_type="text/xml")
    httpserver.expect_request("/junk").respond_with_data(
        b"\x00\x01garbage", content_type="text/xml"
    )
    httpserver.expect_request("/html").respond_with_data(
        news_page("Not a feed"), content_type="text/html"
    )
    feeds = archive.feeds
    ids = [feeds.add(httpserver.url_for(p)).id for p in ("/good", "/bomb", "/junk", "/html")]
    started = time.monotonic()
    results = {r.feed_id: r for r in feeds.refresh(fetcher)}
    good, bomb, junk, html = (results[i] for i in ids)
    assert time.monotonic() - started < 10
    assert (good.status, good.new_articles) == ("updated", 1), good.error
    assert bomb.status == "failed" and bomb.error is not None and "entities" in bomb.error
    assert (
        junk.status == "failed" and junk.error is not None and "not a readable feed" in junk.error
    )
    assert html.status == "failed" and html.error is not None and "not a feed" in html.error
    state = {f.url.rsplit("/", 1)[1]: f for f in feeds.list_feeds()}
    assert state["bomb"].error_count == 1 and state["bomb"].state.startswith("failing (1×)")
    assert state["good"].last_error is None


@pytest.mark.sqlite_only("extraction in worker processes: the store plays no part")
def test_many_new_items_are_extracted_in_worker_processes(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    items = serve_stories(httpserver, [f"n{n}" for n in range(10)])
    httpserver.expect_request("/feed").respond_with_data(
        rss("Busy", items), content_type="text/xml"
    )
    feeds = archive.feeds
    feeds.add(httpserver.url_for("/feed"))
    [result] = feeds.refresh(fetcher, workers=2)
    assert [i.status for i in result.items] == ["saved"] * 10
    assert sorted(a.title for a in archive.list_articles()) == sorted(t for t, _, _ in items)


def test_nothing_is_fetched_when_working_offline(httpserver: HTTPServer, archive: Archive) -> None:
    feeds = archive.feeds
    feeds.add(httpserver.url_for("/feed"))
    with Fetcher(is_offline=lambda: True) as offline:
        [result] = feeds.refresh(offline)
    assert result.status == "offline" and httpserver.log == []
    assert feeds.list_feeds()[0].last_error is None


def test_a_feed_or_a_whole_folder_is_marked_read(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    first = serve_stories(httpserver, ["f1", "f2"])
    second = serve_stories(httpserver, ["s1"])
    httpserver.expect_request("/one").respond_with_data(rss("One", first), content_type="text/xml")
    httpserver.expect_request("/two").respond_with_data(rss("Two", second), content_type="text/xml")
    feeds = archive.feeds
    one = feeds.add(httpserver.url_for("/one"), folder="Politics")
    two = feeds.add(httpserver.url_for("/two"), folder="Politics")
    feeds.refresh(fetcher)
    assert [feeds.get(f.id).unread for f in (one, two)] == [2, 1]
    assert feeds.mark_read(feed_id=one.id) == 2
    assert [feeds.get(f.id).unread for f in (one, two)] == [0, 1]
    assert feeds.mark_read(folder="Politics") == 1
    assert archive.count(view="unread") == 0


def test_feed_parsing_keeps_what_each_format_says() -> None:
    parsed = parse_feed(
        atom("Atom", [("First", "https://example.org/1", "<p>Body</p>")]).encode(), "https://x/"
    )
    [entry] = parsed.entries
    assert (entry.guid, entry.url, entry.title) == ("urn:uuid:0", "https://example.org/1", "First")
    assert entry.published == "2026-11-20T10:00:00" and "<p>Body</p>" in entry.content_html
    with pytest.raises(FeedError, match="entities"):
        parse_feed(BILLION_LAUGHS, "https://x/")
    with pytest.raises(FeedError, match="not a readable feed"):
        parse_feed(b"", "https://x/")


def test_autodiscovery_reads_alternate_links_only() -> None:
    page = (
        "<html><head><link rel='alternate' type='application/atom+xml' href='/atom'>"
        "<link rel='alternate' type='text/html' href='/other'>"
        "<link rel='stylesheet' href='/s.css'>"
        "<link rel='alternate' type='application/rss+xml' href='javascript:alert(1)'></head></html>"
    )
    assert discover_feeds(page, "https://example.org/news/") == ["https://example.org/atom"]
    assert discover_feeds("", "https://example.org/") == []


def test_a_feed_longer_than_one_refresh_takes_is_finished_later_not_hidden_by_304(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds_module, "MAX_NEW_ITEMS", 2)
    items = serve_stories(httpserver, ["p", "q", "r", "s", "t"])
    httpserver.expect_request("/feed", headers={"If-None-Match": '"all"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_request("/feed").respond_with_data(
        rss("Long", items), content_type="text/xml", headers={"ETag": '"all"'}
    )
    feeds = archive.feeds
    feeds.add(httpserver.url_for("/feed"))
    counts = [feeds.refresh(fetcher)[0].new_articles for _ in range(4)]
    assert counts == [2, 2, 1, 0] and archive.count() == 5


def test_a_feeds_summary_never_replaces_an_article_saved_from_its_page(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:

    httpserver.expect_ordered_request("/story").respond_with_data(
        news_page("The full story"), content_type="text/html"
    )
    httpserver.expect_request("/story").respond_with_data("busy", status=503)
    saved = archive.web.save_url(httpserver.url_for("/story"), fetcher)
    assert saved.article_id is not None
    highlight = archive.annotations.create_from_quote(saved.article_id, "The council voted")
    feed = rss("Summaries", [("The full story", httpserver.url_for("/story"), "World")])
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="text/xml")
    feeds = archive.feeds
    feeds.add(httpserver.url_for("/feed"))
    [item] = feeds.refresh(fetcher)[0].items
    assert (item.status, item.article_id) == ("duplicate", saved.article_id)
    article = archive.get(saved.article_id)
    assert article is not None and article.version == 1 and "The council voted" in article.text
    assert archive.annotations.list(saved.article_id)[0].status == highlight.status == "anchored"


def test_a_json_feed_is_read_like_the_others(
    httpserver: HTTPServer, fetcher: Fetcher, archive: Archive
) -> None:
    items = serve_stories(httpserver, ["j1"])
    feed = {
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON News",
        "home_page_url": "http://example.org/",
        "items": [
            {"id": "1", "url": items[0][1], "title": "Story j1", "tags": ["Science"],
             "date_published": "2026-11-20T09:30:00Z", "authors": [{"name": "A. Writer"}]},
            {"id": "2", "title": "Text only", "content_text": "First line.\n\nSecond line."},
            "not an item",
        ],
    }  # fmt: skip
    httpserver.expect_request("/feed.json").respond_with_json(feed)
    link = "<link rel='alternate' type='application/feed+json' href='/feed.json'>"
    httpserver.expect_request("/").respond_with_data(
        news_page("Home", head=link), content_type="text/html"
    )
    feeds = archive.feeds
    view = feeds.subscribe(fetcher, httpserver.url_for("/"))
    assert (view.title, view.site_url) == ("JSON News", "http://example.org/")
    [result] = feeds.refresh(fetcher)
    assert [i.status for i in result.items] == ["saved", "saved"]
    texts = {a.title: archive.get(a.id) for a in archive.list_articles()}
    story, note = texts["Story j1"], texts["Text only"]
    assert story is not None and story.section == "Science"
    assert note is not None and note.text == "First line.\nSecond line."
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse_feed(b'{"version": 2}', "https://x/")
