"""The kept original page: View → Original page, Article → Re-extract, and the reader's
quiet "may be incomplete" notice.

The original is shown offline and sanitized: nh3 keeps only text markup (no scripts,
styles, event handlers, forms or frames), images come from the article's stored assets
only, and the viewer refuses every other resource, so showing a hostile page reads no
file and touches no network. Loading and re-extracting run on the window's executor.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import nh3
from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser, QVBoxLayout, QWidget

from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.reextraction import ReextractResult
from newsreader.ui.plain_text import Question

if TYPE_CHECKING:
    from newsreader.core.archive import Archive
    from newsreader.ui.main_window import MainWindow

INCOMPLETE_NOTICE = (
    "This article may be incomplete: the extractors disagreed about this page. "
    "View → Original page shows the page as it was saved; Article → Re-extract tries again."
)
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan"}, "th": {"colspan"}}
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)  # nh3 writes attributes double-quoted
_IMG_SRC = re.compile(r'\bsrc="([^"]*)"')
ASSET_SCHEME = "asset"


def sanitized_original(page: str, stored: dict[str | None, str]) -> str:
    """The page's markup with only text markup left; an image whose address is in
    ``stored`` (original URL → asset sha256) points at the asset, any other is dropped."""
    clean = nh3.clean(
        page, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
        link_rel="noopener noreferrer", strip_comments=True,
    )  # fmt: skip

    def local(match: re.Match[str]) -> str:
        src = _IMG_SRC.search(match.group(0))
        sha = stored.get(html.unescape(src.group(1))) if src else None
        return _IMG_SRC.sub(f'src="{ASSET_SCHEME}:{sha}"', match.group(0)) if sha else ""

    return _IMG.sub(local, clean)


class OfflineBrowser(QTextBrowser):
    """A text browser that loads nothing but the images handed to it, and opens no link."""

    def __init__(self, images: dict[str, bytes], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images = images
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        url = name if isinstance(name, QUrl) else QUrl(name)
        if kind == QTextDocument.ResourceType.ImageResource and url.scheme() == ASSET_SCHEME:
            return self._images.get(url.path())
        return None


class OriginalPageDialog(QDialog):
    """The original page of one article, sanitized and offline."""

    def __init__(
        self, title: str, page: str, images: dict[str, bytes], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("originalPageDialog")
        self.setWindowTitle("Original page")
        self.setAccessibleName("Original page")
        self.browser = OfflineBrowser(images, self)
        self.browser.setObjectName("originalPageView")
        self.browser.setAccessibleName(f"Original page of {title}")
        self.browser.setHtml(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        self.resize(800, 700)


def load_original(archive: Archive, article_id: int) -> tuple[str, dict[str, bytes]] | None:
    """(sanitized page, images by sha256) of an article's kept original; None if none."""
    original = archive.original(article_id)
    if original is None:
        return None
    media_type, data = original
    charset = media_type.partition("charset=")[2].strip() or None
    stored = archive.reextraction.stored_images(article_id)
    images = {sha: found[1] for sha in stored.values() if (found := archive.asset(sha))}
    return sanitized_original(decode_bytes(data, charset), stored), images


class OriginalPages(QObject):
    """The window's actions on kept originals, and the reader's incomplete notice."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view_action = QAction("Original page", window)
        self.view_action.setObjectName("viewOriginalPageAction")
        self.view_action.setShortcut("Ctrl+U")
        self.view_action.triggered.connect(self.show_original)
        self.reextract_action = QAction("Re-extract", window)
        self.reextract_action.setObjectName("reextractAction")
        self.reextract_action.triggered.connect(self.reextract_current)
        window.addActions([self.view_action, self.reextract_action])
        self.notice = QLabel(INCOMPLETE_NOTICE, window.reader)
        self.notice.setObjectName("incompleteNotice")
        self.notice.setAccessibleName("May be incomplete")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: palette(mid); font-style: italic; padding: 2px 4px;")
        self.notice.hide()
        reader_layout = window.reader.layout()
        if isinstance(reader_layout, QVBoxLayout):
            reader_layout.insertWidget(1, self.notice)
        self.dialog: OriginalPageDialog | None = None
        window.article_shown.connect(self.article_shown)

    def article_shown(self, _article_id: int) -> None:
        article = self.window.reader.article
        self.notice.setVisible(article is not None and article.may_be_incomplete)

    def show_original(self) -> None:
        article = self.window.reader.article
        if article is None:
            return
        archive = self.window.archive
        self.window.executor.read(
            lambda: load_original(archive, article.id),
            lambda loaded: self._open(article.title, loaded),
            lambda error: self.window.status.report_error("Could not show the original", error),
        )

    def _open(self, title: str, loaded: tuple[str, dict[str, bytes]] | None) -> None:
        if loaded is None:
            self.window.statusBar().showMessage("No original page was kept for this article", 4000)
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = OriginalPageDialog(title, *loaded, parent=self.window)
        self.dialog.show()

    def reextract_current(self) -> None:
        article = self.window.reader.article
        if article is not None:
            self.reextract([article.id])

    def reextract(self, article_ids: list[int], *, acknowledge: bool = False) -> None:
        service = self.window.archive.reextraction

        def work() -> list[ReextractResult]:
            results = service.run(article_ids)
            if acknowledge:
                service.acknowledge()
            return results

        self.window.executor.write(
            work,
            self._done,
            lambda error: self.window.status.report_error("Could not re-extract", error),
        )

    def _done(self, results: list[ReextractResult]) -> None:
        statuses = [r.status for r in results]
        if len(results) == 1:
            message = {
                "changed": "Re-extracted: the text changed; the earlier version is kept",
                "unchanged": "Re-extracted: the text is unchanged",
            }.get(results[0].status, f"Could not re-extract: {results[0].reason}")
        else:
            message = "Re-extracted: " + ", ".join(
                f"{statuses.count(s)} {s}" for s in ("changed", "unchanged", "failed")
            )
        self.window.statusBar().showMessage(message, 6000)
        current = self.window.reader.article
        if current is not None and any(
            r.article_id == current.id and r.status != "failed" for r in results
        ):
            self.window.open_article(current.id)

    def offer_after_upgrade(self) -> None:
        """Once per extractor upgrade: offer to re-extract the flagged articles."""
        service = self.window.archive.reextraction
        self.window.executor.read(service.offer_after_upgrade, self._offer)

    def _offer(self, flagged: list[int]) -> None:
        if not flagged:
            return
        text = (
            f"The article extractor was improved. {len(flagged)} article(s) in this archive "
            "may be incomplete. Extract them again from their kept original pages? "
            "(Changed texts become new versions; highlights follow.)"
        )
        if Question.ask(self.window, "Re-extract articles", text):
            self.reextract(flagged, acknowledge=True)
        else:
            self.window.executor.write(self.window.archive.reextraction.acknowledge, lambda _: None)
