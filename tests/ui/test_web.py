"""Feeds and saved pages through the window, against real local servers."""

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.testing import isolated_settings
from newsreader.ui.article_list import Scope
from newsreader.ui.dialogs import ImportDialog
from newsreader.ui.main_window import MainWindow
from newsreader.ui.plain_text import Question
from newsreader.ui.reader import save_link
from newsreader.ui.web import (
    FolderDialog,
    IntervalDialog,
    OpmlDialog,
    SaveUrlDialog,
    SubscribeDialog,
)
from tests.factories import NEWS_PARAGRAPH, make_article, news_page
from tests.ui.window_text import sidebar_texts, titles


def serve_feed(httpserver: HTTPServer, names: list[str]) -> str:
    items = ""
    for name in names:
        path = f"/news/{name}"
        httpserver.expect_request(path).respond_with_data(
            news_page(f"Story {name}", f"From {name}. {NEWS_PARAGRAPH}"), content_type="text/html"
        )
        items += f"<item><title>Story {name}</title><link>{httpserver.url_for(path)}</link></item>"
    feed = f"<rss version='2.0'><channel><title>Local News</title>{items}</channel></rss>"
    httpserver.expect_request("/rss").respond_with_data(feed, content_type="application/rss+xml")
    return httpserver.url_for("/rss")


@pytest.fixture
def window(main_window: MainWindow) -> MainWindow:
    """The window with polite spacing between requests turned off (one local host)."""
    main_window.web.fetcher.host_spacing = 0.0
    return main_window


def test_subscribing_through_the_window_lists_the_feed_with_its_unread_count(
    qtbot: QtBot, window: MainWindow, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = serve_feed(httpserver, ["a", "b"])
    monkeypatch.setattr(SubscribeDialog, "ask", classmethod(lambda cls, parent, f: (url, "Daily")))
    with qtbot.waitSignal(window.web.subscribed, timeout=20_000):
        window.web.subscribe_action.trigger()
    qtbot.waitUntil(lambda: "Local News (2)" in sidebar_texts(window)
                    or "Local News (1)" in sidebar_texts(window), timeout=10_000)  # fmt: skip
    texts = sidebar_texts(window)
    heading = next(t for t in texts if t.startswith("Feeds · "))
    unread = int(heading.split("· ")[1].split()[0])  # 2, or 1 once the first one is read
    assert texts[texts.index(heading) + 1 :][:2] == [f"Daily ({unread})", f"Local News ({unread})"]
    feed = window.feed_views()[0]
    window.select_scope(Scope(source=feed.source_key))
    qtbot.waitUntil(lambda: sorted(titles(window)) == ["Story a", "Story b"], timeout=10_000)
    qtbot.waitUntil(lambda: window.reader.article is not None)  # the first row opens, read
    # no refresh: the counts follow by themselves
    qtbot.waitUntil(lambda: "Local News (1)" in sidebar_texts(window), timeout=10_000)
    window.web.mark_read(folder="Daily")
    qtbot.waitUntil(lambda: "Daily (0)" in sidebar_texts(window), timeout=10_000)


def test_a_refresh_brings_new_items_and_offline_nothing_is_fetched(
    qtbot: QtBot, window: MainWindow, httpserver: HTTPServer, archive: Archive
) -> None:
    serve_feed(httpserver, ["one"])
    window.archive.feeds.add(httpserver.url_for("/rss"))
    with qtbot.waitSignal(window.web.feeds_refreshed, timeout=20_000) as first:
        window.web.refresh_action.trigger()
    assert [r.new_articles for r in first.args[0]] == [1]
    httpserver.clear()
    serve_feed(httpserver, ["one", "two"])
    with qtbot.waitSignal(window.web.feeds_refreshed, timeout=20_000) as second:
        window.web.refresh_feeds(None)
    assert [r.new_articles for r in second.args[0]] == [1]
    window.web.offline_action.trigger()
    qtbot.waitUntil(lambda: archive.web.is_offline(), timeout=5_000)
    assert (
        window.status.offline_label.isVisibleTo(window)
        and not window.web.refresh_action.isEnabled()
    )
    requests_before = len(httpserver.log)
    with qtbot.waitSignal(window.web.feeds_refreshed, timeout=20_000) as third:
        window.web.refresh_feeds(None)
    assert [r.status for r in third.args[0]] == ["offline"]
    assert len(httpserver.log) == requests_before
    with qtbot.waitSignal(window.article_shown, timeout=10_000):
        window.open_article(archive.list_articles()[0].id)  # reading goes on offline
    assert "The council voted" in window.reader.body_text()


def test_a_page_saved_with_ctrl_l_opens_in_the_reader(
    qtbot: QtBot, window: MainWindow, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/page").respond_with_data(
        news_page("Saved by address"), content_type="text/html"
    )
    url = httpserver.url_for("/page")
    monkeypatch.setattr(SaveUrlDialog, "ask", classmethod(lambda cls, parent, text="": [url]))
    with qtbot.waitSignal(window.web.pages_saved, timeout=20_000):
        window.web.save_url_action.trigger()
    qtbot.waitUntil(
        lambda: (
            window.reader.article is not None and window.reader.article.title == "Saved by address"
        ),
        timeout=10_000,
    )


def test_a_related_page_not_in_the_archive_is_saved_only_when_the_reader_agrees(
    qtbot: QtBot,
    window: MainWindow,
    httpserver: HTTPServer,
    archive: Archive,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/related").respond_with_data(
        news_page("The related story"), content_type="text/html"
    )
    url = httpserver.url_for("/related")
    answers = [False, True]
    monkeypatch.setattr(Question, "ask", classmethod(lambda *a, **k: answers.pop(0)))
    archive.save(make_article("Main story", related=[("The related story", url)]))
    window.reader._open_link(QUrl(save_link(url)))
    assert httpserver.log == [] and answers == [True]
    with qtbot.waitSignal(window.web.pages_saved, timeout=20_000):
        window.reader._open_link(QUrl(save_link(url)))
    assert [a.title for a in archive.list_articles(order="title", descending=False)] == [
        "Main story", "The related story",
    ]  # fmt: skip


def test_subscriptions_come_in_from_an_opml_file_with_their_folders(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        "<opml version='2.0'><body><outline text='Science'>"
        "<outline type='rss' text='Lab Notes' xmlUrl='https://lab.example/rss'/>"
        "</outline></body></opml>"
    )
    monkeypatch.setattr(OpmlDialog, "ask_open", classmethod(lambda cls, parent: opml))
    window.web.import_opml_action.trigger()
    qtbot.waitUntil(lambda: "Lab Notes (0)" in sidebar_texts(window), timeout=10_000)
    assert "Science (0)" in sidebar_texts(window)
    exported = tmp_path / "out.opml"
    monkeypatch.setattr(OpmlDialog, "ask_save", classmethod(lambda cls, parent: exported))
    window.web.export_opml_action.trigger()
    # The export is written in the background: wait for the whole file, not its creation.
    qtbot.waitUntil(lambda: exported.exists() and "</opml>" in exported.read_text(), timeout=5_000)
    assert 'xmlUrl="https://lab.example/rss"' in exported.read_text()


def test_a_feeds_menu_moves_it_and_sets_how_often_it_refreshes(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = window.archive.feeds.add("https://lab.example/rss", title="Lab Notes")
    window.refresh()
    qtbot.waitUntil(lambda: "Lab Notes (0)" in sidebar_texts(window), timeout=10_000)
    monkeypatch.setattr(FolderDialog, "ask", classmethod(lambda cls, p, current, f: "Science"))
    monkeypatch.setattr(IntervalDialog, "ask", classmethod(lambda cls, p, current: 15))
    menu = window.web.feed_menu(window.feed_views()[0], None)
    actions = {a.text(): a for a in menu.actions()}
    assert set(actions) >= {"Refresh", "Mark all read", "Move to folder…", "Unsubscribe…"}
    actions["Move to folder…"].trigger()
    qtbot.waitUntil(lambda: "Science (0)" in sidebar_texts(window), timeout=10_000)
    actions["Refresh every 60 min…"].trigger()
    qtbot.waitUntil(lambda: window.archive.feeds.get(feed.id).interval_minutes == 15, timeout=5_000)
    menu.deleteLater()


def test_closing_the_window_cuts_a_fetch_in_flight(
    qtbot: QtBot, archive: Archive, httpserver: HTTPServer
) -> None:
    released = threading.Event()

    def stall(_request: Any) -> Any:
        released.wait(20)
        return "late"

    httpserver.expect_request("/slow").respond_with_handler(stall)
    window = MainWindow(archive, seed=False, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.show()
    window.web.save_urls([httpserver.url_for("/slow")])
    qtbot.waitUntil(lambda: len(httpserver.log) == 0 and window.executor.in_flight > 0)
    time.sleep(0.3)  # the request is out and waiting for an answer
    started = time.monotonic()
    window.close()
    took = time.monotonic() - started
    released.set()
    assert took < 3 and archive.count() == 0


def test_an_export_imported_in_the_window_queues_its_links_and_fetches_them_on_request(
    qtbot: QtBot,
    window: MainWindow,
    httpserver: HTTPServer,
    archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/kept").respond_with_data(
        news_page("Kept for later"), content_type="text/html"
    )
    export = tmp_path / "pocket.csv"
    export.write_text(
        "title,url,time_added,tags,status\n"
        f"Kept for later,{httpserver.url_for('/kept')},1500000000,reading,archive\n"
    )
    monkeypatch.setattr(ImportDialog, "ask_files", classmethod(lambda cls, parent: [export]))
    with qtbot.waitSignal(window.import_finished, timeout=20_000) as imported:
        window.action("importFiles").trigger()
    assert imported.args[0].counts()["queued"] == 1 and httpserver.log == []
    assert "Fetch queued pages" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.web.pages_saved, timeout=20_000) as fetched:
        window.web.fetch_queue_action.trigger()
    [item] = fetched.args[0].items
    assert item.status == "saved" and item.article_id is not None
    article = archive.get(item.article_id)
    assert article is not None and article.is_read and article.saved_at.year == 2017
    assert archive.article_tags(item.article_id) == ["reading"]


def test_a_page_that_cannot_be_reached_is_explained_in_words(
    qtbot: QtBot, window: MainWindow
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with qtbot.waitSignal(window.web.pages_saved, timeout=20_000):
        window.web.save_urls([f"http://127.0.0.1:{port}/story"])
    message = window.statusBar().currentMessage()
    assert message.startswith("Could not save the page. Could not connect to 127.0.0.1")
    assert "0 saved" not in message and "Errno" not in message
    assert window.status.details_button.isVisible()
