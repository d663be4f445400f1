"""Saving web pages by URL: fetch, extract as for HTML files, bring the pictures along.

The article's images are downloaded into the archive (bounded in count and size, tracking
pixels skipped) so it reads offline with them; the page as fetched is kept compressed, so
it can be re-extracted when extraction improves.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from newsreader.core import fetch_queue
from newsreader.core.blocks import ExtractedArticle
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.report import ImportReport, ItemResult
from newsreader.core.urls import host_of, shown_address
from newsreader.core.web.fetch import Fetcher, FetchError, OfflineError, Response

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

MAX_IMAGES = 24
MAX_IMAGE_TOTAL = 40 * 1024 * 1024
MIN_IMAGE_BYTES = 200  # below this, a spacer or a beacon
TRACKER_HOSTS = (
    "doubleclick.net", "google-analytics.com", "googletagmanager.com", "facebook.com",
    "scorecardresearch.com", "quantserve.com", "chartbeat.net", "pixel.wp.com",
    "bat.bing.com", "analytics.twitter.com", "sb.scorecardresearch.com",
)  # fmt: skip
_TRACKER_PATH = re.compile(r"(?:^|[/_.-])(?:pixel|beacon|tracking|tracker|spacer|1x1)(?:[/_.-]|$)")


def _is_tracker(url: str) -> bool:
    host = host_of(url) or ""
    if any(host == t or host.endswith("." + t) for t in TRACKER_HOSTS):
        return True
    path = url.split("?", 1)[0].lower()
    return bool(_TRACKER_PATH.search(path.rsplit("/", 1)[-1] or path))


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG or GIF header (enough to spot 1x1 pixels)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None


def _is_pixel(data: bytes) -> bool:
    size = image_size(data)
    return len(data) < MIN_IMAGE_BYTES or (size is not None and size[0] * size[1] <= 4)


def fetch_images(
    fetcher: Fetcher, article: ExtractedArticle, should_cancel: Callable[[], bool] | None = None
) -> list[str]:
    """Download the article's images into `article.images`; notes on what was left out."""
    notes: list[str] = []
    total = 0
    wanted = [b.src for b in article.blocks if b.kind == "image" and b.src]
    for src in dict.fromkeys(wanted):
        if src in article.images or not src.startswith(("http://", "https://")):
            continue
        if _is_tracker(src):
            continue
        if should_cancel is not None and should_cancel():
            notes.append("cancelled before all its images were stored")
            break
        if len(article.images) >= MAX_IMAGES:
            notes.append(f"only the first {MAX_IMAGES} images were kept")
            break
        try:
            data = fetcher.get(src, "image").body
        except OfflineError:
            raise
        except FetchError as error:
            notes.append(f"an image was not stored: {error}")
            continue
        if _is_pixel(data):
            continue
        if total + len(data) > MAX_IMAGE_TOTAL:
            notes.append("images beyond 40 MB in all were not stored")
            break
        total += len(data)
        article.images[src] = data
    return notes


def extract_page(response: Response) -> ExtractedArticle:
    """The article in a fetched page, which it keeps (as fetched) for re-extraction."""
    from newsreader.core.ingest.html import extract_html  # the extractors, when first needed

    article = extract_html(decode_bytes(response.body, response.charset), url=response.url)
    article.keep_original(response.body, response.media_type or "text/html")
    article.url = article.url or response.url
    return article


def fetch_article(fetcher: Fetcher, url: str, *, with_images: bool = True) -> ExtractedArticle:
    """The article at `url`, with its images and the page as fetched.

    Raises FetchError (the page could not be had) or ExtractionError (no article in it).
    """
    article = extract_page(fetcher.get(url, "page"))
    if with_images:
        article.notes.extend(fetch_images(fetcher, article))
    return article


OFFLINE_KEY = "work_offline"


class Web:
    """Pages saved by address, the addresses exports left queued, and the "work offline"
    switch — kept in the archive so the app and the CLI both obey it (`archive.web`)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def is_offline(self) -> bool:
        return self.archive.get_meta(OFFLINE_KEY) == "1"

    def set_offline(self, offline: bool) -> None:
        self.archive.set_meta(OFFLINE_KEY, "1" if offline else "0")

    def fetcher(self, **limits: Any) -> Fetcher:
        """A Fetcher that asks the archive's switch before every request."""
        return Fetcher(is_offline=self.is_offline, **limits)

    def save_urls(
        self,
        urls: Iterable[str],
        fetcher: Fetcher,
        *,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> ImportReport:
        """Fetch and save each URL; every URL ends in one report line, whatever happens."""
        report = ImportReport()
        todo = [u.strip() for u in urls if u.strip()]
        for done, url in enumerate(todo, start=1):
            if should_cancel is not None and should_cancel():
                report.items.append(ItemResult(shown_address(url), "skipped", reason="cancelled"))
                continue
            report.items.append(self.save_url(url, fetcher))
            if progress is not None:
                progress(done, len(todo))
        return report

    def save_url(
        self, url: str, fetcher: Fetcher, state: fetch_queue.PendingUrl | None = None
    ) -> ItemResult:
        """Fetch and save one URL as one report line (a fetch or extraction failure included).

        `state` is what an export said of the page (title, tags, dates, read, starred).
        """
        shown = shown_address(url)
        try:
            article = fetch_article(fetcher, url)
        except OfflineError as error:
            return ItemResult(shown, "skipped", reason=str(error))
        except (FetchError, ExtractionError) as error:
            return ItemResult(shown, "failed", reason=str(error))
        if state is not None:
            article.title = article.title or state.title
            article.tags = [*article.tags, *state.tags]
            article.saved_at, article.is_read, article.is_starred = (
                state.saved_at, state.is_read, state.is_starred)  # fmt: skip
        outcome = self.archive.save_many([article])[0]
        if isinstance(outcome, Exception):
            return ItemResult(shown, "failed", reason=f"could not be saved: {outcome}")
        reason = "; ".join(filter(None, [outcome.reason, *article.notes]))
        return ItemResult(shown, outcome.status, outcome.article_id, outcome.title, reason)

    def fetch_queued(
        self,
        fetcher: Fetcher,
        *,
        limit: int = 1000,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> ImportReport:
        """Fetch URLs waiting in the queue (from exports), giving each the state it came with.

        A fetched page leaves the queue; one that fails stays, with its error and one more
        attempt counted, so nothing an export listed is ever dropped.
        """
        report = ImportReport()
        with self.archive.reading() as session:
            waiting = fetch_queue.pending(session.connection(), limit)
        for done, entry in enumerate(waiting):
            if progress is not None:
                progress(done, len(waiting))
            if should_cancel is not None and should_cancel():
                report.items.append(ItemResult(entry.url, "skipped", reason="cancelled"))
                continue
            assert entry.id is not None
            result = self.save_url(entry.url, fetcher, entry)
            if result.status != "skipped":  # offline: it simply stays queued
                with self.archive.writing() as session:
                    if result.status == "failed":
                        fetch_queue.failed(session.connection(), entry.id, result.reason)
                        result = replace(result, reason=f"{result.reason} (kept queued)")
                    else:
                        fetch_queue.finished(session.connection(), [entry.id])
            report.items.append(result)
        if progress is not None:
            progress(len(waiting), len(waiting))
        return report
