"""The web in the app: save a page by URL, subscribe to feeds, refresh them, work offline.

A thin layer over newsreader.core.web. Fetching runs on the executor's network thread
(never the UI thread) and only on the reader's command, a feed's schedule, or a click on
"save to archive"; the "Work offline" switch stops all of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.ingest.report import ImportReport
from newsreader.core.web.feeds import FeedView, RefreshResult
from newsreader.core.web.fetch import Fetcher
from newsreader.core.web.opml import OpmlReport, export_opml, import_opml
from newsreader.ui.host import Window
from newsreader.ui.operations import EVERYTHING, Changes
from newsreader.ui.plain_text import Question

DUE_CHECK_MS = 60_000  # how often due feeds are looked for


class SaveUrlDialog:
    """Asks for web addresses to save, one a line (a classmethod, so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget, text: str = "") -> list[str]:
        dialog = QDialog(parent)
        dialog.setWindowTitle("Save web pages")
        field = QPlainTextEdit(text, dialog)
        field.setObjectName("saveUrlField")
        field.setPlaceholderText("https://… (one address a line)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(field)
        layout.addWidget(buttons)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        lines = field.toPlainText().split() if accepted else []
        dialog.deleteLater()
        return [line for line in lines if line.strip()]


class SubscribeDialog:
    """Asks for a feed's (or a page's) address and a folder (a classmethod, for tests)."""

    @classmethod
    def ask(cls, parent: QWidget, folders: list[str]) -> tuple[str, str] | None:
        dialog = QDialog(parent)
        dialog.setWindowTitle("Subscribe to a feed")
        address = QLineEdit(dialog)
        address.setObjectName("subscribeAddressField")
        address.setAccessibleName("Feed or site address")
        address.setMinimumWidth(420)
        address.setPlaceholderText("A feed's address, or a site's: its feed is found")
        folder = QComboBox(dialog)
        folder.setEditable(True)
        folder.addItems(["", *folders])
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form = QFormLayout(dialog)
        form.addRow("Address", address)
        form.addRow("Folder", folder)
        form.addRow(buttons)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        answer = (address.text().strip(), folder.currentText().strip())
        dialog.deleteLater()
        return answer if accepted and answer[0] else None


class FolderDialog:
    """Asks which folder a feed goes in (a classmethod, so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget, current: str, folders: list[str]) -> str | None:
        choices = list(dict.fromkeys([current, "", *folders]))
        text, accepted = QInputDialog.getItem(
            parent, "Move feed", "Folder (empty: none):", choices, 0, True
        )
        return text.strip() if accepted else None


class IntervalDialog:
    """Asks how often a feed is refreshed, in minutes (a classmethod, so tests can answer)."""

    @classmethod
    def ask(cls, parent: QWidget, current: int) -> int | None:
        minutes, accepted = QInputDialog.getInt(
            parent, "Refresh interval", "Refresh this feed every (minutes):", current, 5, 10080
        )
        return minutes if accepted else None


class OpmlDialog:
    """Asks for an OPML file to read or write (classmethods, so tests can answer)."""

    @classmethod
    def ask_open(cls, parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import subscriptions", str(Path.home()), "OPML (*.opml *.xml);;All (*)"
        )
        return Path(name) if name else None

    @classmethod
    def ask_save(cls, parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Export subscriptions", str(Path.home() / "subscriptions.opml"), "OPML (*.opml)"
        )
        return Path(name) if name else None


class WebActions(QObject):
    """Saving pages and following feeds for one window; every fetch runs off the UI thread."""

    pages_saved = Signal(object)  # ImportReport
    feeds_refreshed = Signal(object)  # list[RefreshResult]
    subscribed = Signal(object)  # FeedView
    offline_changed = Signal(bool)
    progress = Signal(int, int)  # from the network thread, queued to the UI

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.archive = window.archive
        self._fetcher: Fetcher | None = None
        self._fetcher_lock = threading.Lock()
        self.offline = False
        self.refreshing = False
        self._cancel = threading.Event()
        self.progress.connect(self._show_progress)
        self.due_timer = QTimer(self)
        self.due_timer.setInterval(DUE_CHECK_MS)
        self.due_timer.timeout.connect(self.refresh_due)
        self.due_timer.start()

    def start(self) -> None:
        """Once the window's actions exist: read the offline switch."""
        self.window.executor.read(self.archive.web.is_offline, self._show_offline)

    @property
    def save_url_action(self) -> QAction:
        return self.window.action("saveUrl")

    @property
    def subscribe_action(self) -> QAction:
        return self.window.action("subscribe")

    @property
    def refresh_action(self) -> QAction:
        return self.window.action("refreshFeeds")

    @property
    def fetch_queue_action(self) -> QAction:
        return self.window.action("fetchQueue")

    @property
    def import_opml_action(self) -> QAction:
        return self.window.action("importOpml")

    @property
    def export_opml_action(self) -> QAction:
        return self.window.action("exportOpml")

    @property
    def offline_action(self) -> QAction:
        return self.window.action("workOffline")

    def toggle_offline(self, offline: bool) -> None:
        if offline != self.offline:
            self.set_offline(offline)

    @property
    def fetcher(self) -> Fetcher:
        """Made on first use, on the network thread (the HTTP library loads then, and not
        on the UI thread)."""
        with self._fetcher_lock:
            if self._fetcher is None:
                self._fetcher = self.archive.web.fetcher()
                if self._cancel.is_set():  # the window closed meanwhile
                    self._fetcher.abort()
            return self._fetcher

    @fetcher.setter
    def fetcher(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    def close_fetcher(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    def stop(self) -> None:
        """No new fetching, and requests in flight are cut: the window closes at once."""
        self.due_timer.stop()
        self._cancel.set()
        with self._fetcher_lock:
            if self._fetcher is not None:
                self._fetcher.abort()

    # -- offline ------------------------------------------------------------------------

    def _show_offline(self, offline: bool) -> None:
        self.offline = offline
        self.offline_action.blockSignals(True)
        self.offline_action.setChecked(offline)
        self.offline_action.blockSignals(False)
        for action in (self.save_url_action, self.subscribe_action, self.refresh_action,
                       self.fetch_queue_action):  # fmt: skip
            action.setEnabled(not offline)
        self.window.status.set_offline(offline)
        self.offline_changed.emit(offline)

    def set_offline(self, offline: bool) -> None:
        """Stop (or allow) all fetching at once; the switch is kept in the archive."""
        web = self.archive.web
        self._show_offline(offline)
        self.window.ops.write("Could not keep the offline switch",
                              lambda: web.set_offline(offline), Changes())  # fmt: skip

    # -- saving pages -------------------------------------------------------------------

    def ask_for_urls(self, text: str = "") -> None:
        urls = SaveUrlDialog.ask(self.window.widget(), text)
        if urls:
            self.save_urls(urls)

    def offer_to_save(self, url: str) -> None:
        """A related article that is not archived: fetch it only if the reader says so."""
        if Question.ask(
            self.window.widget(),
            "Save to the archive",
            f"Fetch this page and keep it in the archive?\n\n{url}",
        ):
            self.save_urls([url])

    def save_urls(self, urls: list[str]) -> None:
        web, cancel = self.archive.web, self._cancel
        self.window.status.show_work(f"Saving {len(urls)} page{'s' if len(urls) != 1 else ''}…")
        self._network(
            lambda: web.save_urls(
                urls,
                self.fetcher,
                progress=self.progress.emit,
                should_cancel=cancel.is_set,
            ),
            self._pages_saved,
            "Saving the page failed",
        )

    def fetch_queue(self) -> None:
        web, cancel = self.archive.web, self._cancel
        self.window.status.show_work("Fetching queued pages…")
        self._network(
            lambda: web.fetch_queued(
                self.fetcher, progress=self.progress.emit, should_cancel=cancel.is_set
            ),
            self._pages_saved,
            "Fetching the queue failed",
        )

    def _pages_saved(self, report: ImportReport) -> None:
        self.window.show_import_report(report, "Saved")
        self.pages_saved.emit(report)
        saved = [i.article_id for i in report.items if i.article_id is not None]
        if len(report.items) == 1 and saved:
            self.window.open_article(saved[0])

    # -- feeds --------------------------------------------------------------------------

    def ask_to_subscribe(self) -> None:
        answer = SubscribeDialog.ask(self.window.widget(), self._folders())
        if answer is not None:
            self.subscribe(*answer)

    def subscribe(self, url: str, folder: str = "") -> None:
        feeds = self.archive.feeds
        self.window.status.show_work("Subscribing…")

        def subscribe_and_fetch() -> tuple[FeedView, list[RefreshResult]]:
            feed = feeds.subscribe(self.fetcher, url, folder)
            return feed, feeds.refresh(self.fetcher, [feed.id])

        def done(result: tuple[FeedView, list[RefreshResult]]) -> None:
            feed, refreshed = result
            self.window.status.message(
                f"Subscribed to {feed.title}: {sum(r.new_articles for r in refreshed)} new", 10000
            )
            self.window.status.done_working()
            self.window.ops.done(EVERYTHING)
            self.subscribed.emit(feed)

        self._network(subscribe_and_fetch, done, "Subscribing failed")

    def refresh_all(self) -> None:
        self.refresh_feeds(None)

    def refresh_due(self) -> None:
        """The timer's round: refresh the feeds whose interval has passed, if online."""
        if self.offline or self.refreshing:
            return
        feeds = self.archive.feeds
        self.window.executor.read(
            lambda: [f.id for f in feeds.due()],
            lambda ids: self.refresh_feeds(ids) if ids else None,
        )

    def refresh_feeds(self, feed_ids: Iterable[int] | None) -> None:
        if self.refreshing:
            return
        self.refreshing = True
        ids = list(feed_ids) if feed_ids is not None else None
        feeds, cancel = self.archive.feeds, self._cancel
        self.window.status.show_work("Refreshing feeds…")
        self._network(
            lambda: feeds.refresh(
                self.fetcher, ids, progress=self.progress.emit, should_cancel=cancel.is_set
            ),
            self._refreshed,
            "Refreshing feeds failed",
        )

    def _refreshed(self, results: list[RefreshResult]) -> None:
        self.refreshing = False
        new = sum(r.new_articles for r in results)
        failed = [r for r in results if r.status == "failed"]
        message = f"Feeds refreshed: {new} new article{'s' if new != 1 else ''}"
        if failed:
            message += f"; {len(failed)} feed{'s' if len(failed) != 1 else ''} failed"
        if any(r.status == "offline" for r in results):
            message = "Working offline: feeds were not refreshed"
        self.window.status.message(message, 15000)
        self.window.status.done_working()
        self.window.ops.done(EVERYTHING)
        self.feeds_refreshed.emit(results)

    def mark_read(self, *, feed_id: int | None = None, folder: str | None = None) -> None:
        feeds = self.archive.feeds
        self.window.ops.write("Could not mark the feed read",
                              lambda: feeds.mark_read(feed_id=feed_id, folder=folder),
                              Changes(counts=True, listing=True))  # fmt: skip

    def unsubscribe(self, feed: FeedView) -> None:
        question = f"Unsubscribe from “{feed.title}”? Its {feed.total} saved articles stay."
        if Question.ask(self.window.widget(), "Unsubscribe", question):
            feeds = self.archive.feeds
            self.window.ops.write("Could not unsubscribe", lambda: feeds.remove(feed.id),
                                  EVERYTHING)  # fmt: skip

    def move(self, feed: FeedView) -> None:
        folder = FolderDialog.ask(self.window.widget(), feed.folder, self._folders())
        if folder is not None:
            feeds = self.archive.feeds
            self.window.ops.write("Could not move the feed",
                                  lambda: feeds.update(feed.id, folder=folder),
                                  Changes(counts=True))  # fmt: skip

    def set_interval(self, feed: FeedView) -> None:
        minutes = IntervalDialog.ask(self.window.widget(), feed.interval_minutes)
        if minutes is not None:
            feeds = self.archive.feeds
            self.window.ops.write("Could not change the interval",
                                  lambda: feeds.update(feed.id, interval_minutes=minutes),
                                  Changes(counts=True))  # fmt: skip

    def _folders(self) -> list[str]:
        return sorted({f.folder for f in self.window.feed_views() if f.folder}, key=str.casefold)

    def feed_menu(self, feed: FeedView | None, folder: str | None) -> QMenu:
        """The sidebar's context menu for a feed or a folder of feeds."""
        menu = QMenu(self.window.widget())
        if feed is not None:
            refresh = menu.addAction("Refresh", lambda: self.refresh_feeds([feed.id]))
            menu.addAction("Mark all read", lambda: self.mark_read(feed_id=feed.id))
            menu.addAction("Move to folder…", lambda: self.move(feed))
            menu.addAction(f"Refresh every {feed.interval_minutes} min…",
                           lambda: self.set_interval(feed))  # fmt: skip
            menu.addAction("Unsubscribe…", lambda: self.unsubscribe(feed))
            refresh.setEnabled(not self.offline)
        elif folder is not None:
            ids = [f.id for f in self.window.feed_views() if f.folder == folder]
            refresh = menu.addAction("Refresh folder", lambda: self.refresh_feeds(ids))
            menu.addAction("Mark all read", lambda: self.mark_read(folder=folder))
            refresh.setEnabled(not self.offline)
        return menu

    # -- OPML ---------------------------------------------------------------------------

    def ask_import_opml(self) -> None:
        path = OpmlDialog.ask_open(self.window.widget())
        if path is not None:
            self.import_opml(path)

    def import_opml(self, path: Path) -> None:
        feeds = self.archive.feeds

        def done(report: OpmlReport) -> None:
            self.window.status.message(f"Subscriptions imported: {report.summary()}", 15000)
            self.window.ops.done(EVERYTHING)
            if report.failed:
                self.window.status.show_problems("Subscriptions import", report.summary(),
                                          [f"{e}: {why}" for e, why in report.failed])  # fmt: skip

        self.window.ops.write("Importing subscriptions failed",
                              lambda: import_opml(feeds, path.read_bytes()), EVERYTHING, done,
                              lambda _error: self.window.status.done_working())  # fmt: skip

    def ask_export_opml(self) -> None:
        path = OpmlDialog.ask_save(self.window.widget())
        if path is not None:
            self.export_opml(path)

    def export_opml(self, path: Path) -> None:
        feeds = self.archive.feeds

        def write() -> int:
            views = feeds.list_feeds()
            path.write_text(export_opml(views), encoding="utf-8")
            return len(views)

        self.window.executor.read(
            write,
            lambda n: self.window.status.message(f"{n} subscriptions exported", 10000),
            self._failed("Exporting subscriptions failed"),
        )

    # -- plumbing -----------------------------------------------------------------------

    def _network(self, job: Callable[[], Any], done: Callable[[Any], None], what: str) -> None:
        def failed(error: BaseException) -> None:
            self.refreshing = False
            self._failed(what)(error)

        self.window.executor.network(job, done, failed)

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def report(error: BaseException) -> None:
            self.window.status.done_working()
            self.window.status.report_error(what, error)

        return report

    def _show_progress(self, done: int, total: int) -> None:
        self.window.status.show_progress(done, total)
