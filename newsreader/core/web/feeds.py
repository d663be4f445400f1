"""Feeds: subscribe (by a feed's address or a page's, through autodiscovery), refresh, read.

A refresh fetches each due feed with a conditional GET, and saves every item not seen
before as a full article: the item's page is fetched and extracted like any saved page,
with the feed's own content as the fallback. Feeds are fetched in parallel threads (I/O);
extraction of many items runs in worker processes, so a refresh neither stalls the UI
nor lets one crashing page end it. Every feed ends with its state recorded: last success,
last error and why.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha1
from html import escape
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

import lxml.html
from sqlalchemy import func, select, update

from newsreader.core import db
from newsreader.core.blocks import ExtractedArticle, paragraphs_to_blocks
from newsreader.core.dates import parse_published
from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.plaintext import split_paragraphs
from newsreader.core.ingest.report import ItemResult
from newsreader.core.ingest.workers import PagePool
from newsreader.core.marks import mark_all, only_read
from newsreader.core.models import Article, Feed, FeedItem, Source, utcnow
from newsreader.core.unicode import scrub
from newsreader.core.urls import is_web_address
from newsreader.core.web.fetch import Fetcher, FetchError, OfflineError, Response
from newsreader.core.web.pages import extract_page, fetch_images

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

log = logging.getLogger(__name__)
MAX_NEW_ITEMS = 100  # per feed and refresh; the rest come next time
ITEM_CHUNK = 10  # items fetched, extracted and saved together: bounded memory per feed
SAVE_BATCH_BYTES = 32 * 1024 * 1024  # pictures and pages held before a feed saves them
REFRESH_THREADS = 32  # mostly waiting: on polite spacing per host, on the network
PARALLEL_MIN_ITEMS = 8  # below this, extracting in a thread beats starting processes
DEFAULT_INTERVAL_MINUTES = 60
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/rdf+xml", "application/x-rss+xml")  # fmt: skip
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
RefreshStatus = Literal["updated", "not modified", "failed", "offline"]


class FeedError(Exception):
    """A feed that cannot be subscribed to or read; the message says why, for people."""


# -- reading a feed -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str
    url: str | None
    title: str
    content_html: str  # the feed's own text of the item (full content, else the summary)
    published: str | None  # ISO 8601
    author: str | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    site_url: str | None
    entries: list[FeedEntry]


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC struct_time as an ISO date."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """RSS 0.9x/1.0/2.0, Atom or JSON Feed bytes → entries; FeedError when unreadable.

    XML that declares entities is refused before parsing: entity expansion is how
    "billion laughs" bombs fill memory, and real feeds do not need it.
    """
    if body.lstrip()[:1] == b"{":
        return _parse_json_feed(body, url)
    root = _ROOT.search(body[:65536])
    if _ENTITY_DECLARATION.search(body[: root.start() if root else 65536]):
        raise FeedError("the feed declares XML entities, which are refused (a known attack)")
    import feedparser  # on first use: the app starts without it

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    entries = [e for e in (_entry(raw, url) for raw in parsed.entries) if e is not None]
    title = str(parsed.feed.get("title") or "").strip()
    if not entries and not title:
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a readable feed{f' ({problem})' if problem else ''}")
    site = parsed.feed.get("link")
    return ParsedFeed(title, str(site) if site else None, entries)


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser does not read."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FeedError(f"not a readable feed ({error})") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FeedError("not a readable feed (JSON, but not a JSON Feed)")
    entries = []
    for raw in data.get("items") or []:
        if not isinstance(raw, dict):
            continue
        link = raw.get("url") or raw.get("external_url")
        html = raw.get("content_html") or ""
        if not html and raw.get("content_text"):
            html = "".join(
                f"<p>{escape(p)}</p>" for p in split_paragraphs(str(raw["content_text"]))
            )
        authors = raw.get("authors") or ([raw["author"]] if raw.get("author") else [])
        author = next(
            (str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")), None
        )
        entry = FeedEntry(
            guid=str(raw.get("id") or link or "")[:2000] or "sha1:" + sha1(
                json.dumps(raw, sort_keys=True).encode(), usedforsecurity=False).hexdigest(),
            url=urljoin(url, str(link)) if link else None,
            title=" ".join(str(raw.get("title") or "").split()),
            content_html=str(html or raw.get("summary") or ""),
            published=_iso_text(raw.get("date_published") or raw.get("date_modified")),
            author=author,
            categories=tuple(str(t) for t in raw.get("tags") or [] if str(t).strip()),
        )  # fmt: skip
        if entry.url or entry.title or entry.content_html:
            entries.append(entry)
    title = " ".join(str(data.get("title") or "").split())
    if not entries and not title:
        raise FeedError("not a readable feed (a JSON Feed with no title and no items)")
    site = data.get("home_page_url")
    return ParsedFeed(title, str(site) if site else None, entries)


def _iso_text(value: object) -> str | None:
    parsed = parse_published(str(value)) if value else None
    return parsed.isoformat() if parsed else None


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = raw.get("link")
    url = urljoin(feed_url, str(link)) if link else None
    title = " ".join(str(raw.get("title") or "").split())
    contents = raw.get("content") or []
    html = str(contents[0].get("value") or "") if contents else ""
    html = html or str(raw.get("summary") or raw.get("description") or "")
    if not (url or title or html):
        return None
    guid = str(raw.get("id") or url or "")
    if not guid:
        guid = "sha1:" + sha1(f"{title}\n{html}".encode(), usedforsecurity=False).hexdigest()
    categories = tuple(
        str(t.get("term") or t.get("label") or "").strip() for t in raw.get("tags") or []
    )
    return FeedEntry(
        guid=guid[:2000], url=url, title=title, content_html=html,
        published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=str(raw.get("author") or "").strip() or None,
        categories=tuple(c for c in categories if c),
    )  # fmt: skip


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Feed addresses a page announces with <link rel="alternate" type="…rss+xml">."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: list[str] = []
    for link in tree.iterfind(".//link"):
        rel = str(link.get("rel") or "").lower().split()
        kind = str(link.get("type") or "").lower().split(";")[0].strip()
        href = str(link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            address = urljoin(base_url, href)
            if address.startswith(("http://", "https://")) and address not in found:
                found.append(address)
    return found


# -- turning items into articles -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemJob:
    """One new item with its page as fetched (or why not): picklable, for worker processes."""

    entry: FeedEntry
    page: Response | None
    fetch_error: str | None = None


def _blocks_from_feed_html(html: str) -> list[str]:
    """Paragraphs of a feed's HTML snippet (too short for an extractor to accept)."""
    try:
        tree = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return split_paragraphs(html)
    blocks = [
        el.text_content()
        for el in tree.iter("p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre")
    ]
    return [b for b in blocks if b.strip()] or split_paragraphs(tree.text_content())


def extract_item(job: ItemJob) -> ExtractedArticle | ExtractionError:
    """The item as an article: its page extracted, else the feed's own text (never raises)."""
    entry = job.entry
    article: ExtractedArticle | None = None
    problem = job.fetch_error
    page_url = job.page.url if job.page is not None else entry.url
    if job.page is not None:
        try:
            article = extract_page(job.page)
        except ExtractionError as error:
            problem = str(error)
        except Exception as error:  # an extractor bug costs this item its page, no more
            problem = f"extraction failed: {type(error).__name__}: {error}"
    if article is None:
        blocks = paragraphs_to_blocks(_blocks_from_feed_html(entry.content_html))
        if not blocks:
            return ExtractionError(problem or "the item has no text and no page to fetch")
        article = ExtractedArticle(title=entry.title, blocks=blocks, url=page_url,
                                   format="feed", provisional=True)  # fmt: skip
        if problem:
            article.notes.append(f"saved from the feed's text ({problem})")
    article.title = article.title or entry.title
    article.url = article.url or page_url
    article.published = article.published or entry.published
    article.byline = article.byline or entry.author
    if not article.section and entry.categories:
        article.section = entry.categories[0]
    return article


# -- subscriptions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedView:
    id: int
    url: str
    title: str
    site_url: str | None
    folder: str
    source_key: str
    interval_minutes: int
    unread: int
    total: int
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    error_count: int
    etag: str | None = None
    last_modified: str | None = None

    def due(self, now: datetime) -> bool:
        if self.last_checked_at is None:
            return True
        return now - self.last_checked_at >= timedelta(minutes=self.interval_minutes)

    @property
    def state(self) -> str:
        """One line for people: when it last worked, or why it did not."""
        if self.last_error:
            return f"failing ({self.error_count}×): {self.last_error}"
        if self.last_success_at:
            return f"updated {self.last_success_at:%Y-%m-%d %H:%M} UTC"
        return "not fetched yet"


@dataclass(slots=True)
class RefreshResult:
    feed_id: int
    title: str
    status: RefreshStatus
    items: list[ItemResult] = field(default_factory=list)
    error: str | None = None

    @property
    def new_articles(self) -> int:
        return sum(1 for i in self.items if i.status == "saved")


FEED_SOURCE_PREFIX = "feed:"


def source_key(feed_url: str) -> str:
    """A feed's articles belong to this source, whatever site their pages are on."""
    return f"{FEED_SOURCE_PREFIX}{feed_url}"


class Feeds:
    """The archive's subscriptions (reached as `archive.feeds`)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._pool_lock = threading.Lock()

    # -- the list ------------------------------------------------------------------

    def add(
        self, url: str, *, title: str | None = None, folder: str = "",
        site_url: str | None = None, interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
    ) -> FeedView:  # fmt: skip
        """Subscribe without fetching (OPML import); an existing subscription is kept."""
        url, folder = scrub(url).strip(), scrub(folder)
        if not is_web_address(url):
            raise FeedError(f"not a web address: {url!r}")
        name = " ".join(scrub(title or "").split()) or url
        with self.archive.writing() as session:
            feed = session.scalar(select(Feed).where(Feed.url == url))
            if feed is None:
                key = source_key(url)
                source = session.scalar(select(Source).where(Source.key == key))
                if source is None:
                    source = Source(key=key, name=name, kind="feed", url=site_url)
                    session.add(source)
                    session.flush()
                feed = Feed(url=url, title=name, site_url=site_url, folder=folder.strip(),
                            source_id=source.id, interval_minutes=max(5, interval_minutes),
                            error_count=0)  # fmt: skip
                session.add(feed)
                session.flush()
            feed_id = feed.id
        return self.get(feed_id)

    def subscribe(self, fetcher: Fetcher, url: str, folder: str = "") -> FeedView:
        """Subscribe to a feed by its address, or by a page that announces one."""
        response = fetcher.get(url, "any")
        try:
            parsed = parse_feed(response.body, response.url)
            feed_url = response.url
        except FeedError as not_a_feed:
            candidates = discover_feeds(decode_bytes(response.body, response.charset),
                                        response.url) if _is_html(response) else []  # fmt: skip
            if not candidates:
                raise FeedError(f"no feed found at {url}: {not_a_feed}") from None
            feed_url, parsed = self._first_readable(fetcher, candidates)
        return self.add(feed_url, title=parsed.title or None, folder=folder,
                        site_url=parsed.site_url)  # fmt: skip

    @staticmethod
    def _first_readable(fetcher: Fetcher, candidates: list[str]) -> tuple[str, ParsedFeed]:
        """The first of a page's announced feeds that reads as one."""
        problems = []
        for candidate in candidates:
            try:
                return candidate, parse_feed(fetcher.get(candidate, "feed").body, candidate)
            except OfflineError:
                raise
            except (FetchError, FeedError) as error:
                problems.append(str(error))
        raise FeedError("none of the page's feeds could be read: " + "; ".join(problems))

    def get(self, feed_id: int) -> FeedView:
        views = self._views(Feed.id == feed_id)
        if not views:
            raise FeedError(f"no feed with id {feed_id}")
        return views[0]

    def list_feeds(self) -> list[FeedView]:
        """Every subscription, by folder then title, with unread and total counts."""
        return self._views(None)

    def _views(self, condition: Any) -> list[FeedView]:
        """The feeds meeting `condition` (all when None), counting only their articles."""
        chosen = select(Feed.source_id)
        if condition is not None:
            chosen = chosen.where(condition)
        # Unread: all of a feed's articles less those the member read (two index reads).
        per_feed = select(Article.source_id, func.count()).where(
            Article.source_id.in_(chosen)).group_by(Article.source_id)  # fmt: skip
        query = select(Feed).order_by(Feed.folder, func.lower(Feed.title), Feed.id)
        if condition is not None:
            query = query.where(condition)
        with self.archive.reading() as session:
            totals: dict[int, int] = dict(session.execute(per_feed).all())  # type: ignore[arg-type]
            read: dict[int, int] = dict(
                session.execute(only_read(per_feed, self.archive.member)).all()
            )
            return [
                FeedView(
                    feed.id, feed.url, feed.title, feed.site_url, feed.folder,
                    source_key(feed.url), feed.interval_minutes,
                    totals.get(feed.source_id, 0) - read.get(feed.source_id, 0),
                    totals.get(feed.source_id, 0), feed.last_checked_at, feed.last_success_at,
                    feed.last_error, feed.error_count, feed.etag, feed.last_modified,
                )
                for feed in session.scalars(query)
            ]  # fmt: skip

    def update(
        self, feed_id: int, *, title: str | None = None, folder: str | None = None,
        interval_minutes: int | None = None,
    ) -> FeedView:  # fmt: skip
        values: dict[str, object] = {}
        if title is not None and title.strip():
            values["title"] = " ".join(title.split())
        if folder is not None:
            values["folder"] = folder.strip()
        if interval_minutes is not None:
            values["interval_minutes"] = max(5, interval_minutes)
        if values:
            with self.archive.writing() as session:
                session.execute(update(Feed).where(Feed.id == feed_id).values(**values))
        return self.get(feed_id)

    def remove(self, feed_id: int) -> bool:
        """Unsubscribe; the articles already saved stay in the archive."""
        with self.archive.writing() as session:
            feed = session.get(Feed, feed_id)
            if feed is None:
                return False
            session.delete(feed)
        return True

    def mark_read(self, *, feed_id: int | None = None, folder: str | None = None) -> int:
        """Mark a feed's (or a folder's) articles read; how many changed."""
        sources = select(Feed.source_id)
        if feed_id is not None:
            sources = sources.where(Feed.id == feed_id)
        if folder is not None:
            sources = sources.where(Feed.folder == folder)
        with self.archive.writing() as session:
            db.announce_private(session.connection())
            return mark_all(session.connection(), self.archive.member,
                            Article.source_id.in_(sources))  # fmt: skip

    def due(self, now: datetime | None = None) -> list[FeedView]:
        moment = now or utcnow()
        return [f for f in self.list_feeds() if f.due(moment)]

    # -- refreshing ---------------------------------------------------------------

    def refresh(
        self,
        fetcher: Fetcher,
        feed_ids: Iterable[int] | None = None,
        *,
        threads: int = REFRESH_THREADS,
        workers: int = 2,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> list[RefreshResult]:
        """Refresh these feeds (all when None) and save their new items."""
        wanted = set(feed_ids) if feed_ids is not None else None
        feeds = [f for f in self.list_feeds() if wanted is None or f.id in wanted]
        stop = threading.Event()  # set on an interrupt: the feed threads end early

        def cancelled() -> bool:
            return stop.is_set() or bool(should_cancel and should_cancel())

        results: list[RefreshResult] = []
        pool: PagePool[ItemJob, ExtractedArticle] | None = None

        def extract_all(jobs: list[ItemJob]) -> list[ExtractedArticle | ExtractionError]:
            nonlocal pool
            if len(jobs) < PARALLEL_MIN_ITEMS or workers <= 1:
                return [extract_item(job) for job in jobs]
            with self._pool_lock:  # one feed's items at a time, over all the processes
                if pool is None:
                    pool = PagePool(workers, extract_item)
                return [result for _, result in pool.map(jobs)]

        try:
            with ThreadPoolExecutor(max(1, threads), thread_name_prefix="feed") as executor:
                futures = [
                    executor.submit(self._refresh_one, fetcher, feed, extract_all, cancelled)
                    for feed in feeds
                ]
                try:
                    for done, future in enumerate(as_completed(futures), start=1):
                        results.append(future.result())
                        if progress is not None:
                            progress(done, len(feeds))
                except BaseException:  # Ctrl+C, or the app closing: stop, do not drain
                    stop.set()
                    executor.shutdown(wait=False, cancel_futures=True)
                    raise
        finally:
            if pool is not None:
                pool.close()
        self.archive.sync_search()
        order = {f.id: n for n, f in enumerate(feeds)}
        return sorted(results, key=lambda r: order[r.feed_id])

    def _refresh_one(
        self,
        fetcher: Fetcher,
        feed: FeedView,
        extract_all: Callable[[list[ItemJob]], list[ExtractedArticle | ExtractionError]],
        cancelled: Callable[[], bool],
    ) -> RefreshResult:
        """Never raises: whatever goes wrong is the feed's recorded state."""
        result = RefreshResult(feed.id, feed.title, "updated")
        if cancelled():
            result.status, result.error = "failed", "cancelled"
            return result
        try:
            response = fetcher.get(
                feed.url, "feed", etag=feed.etag, last_modified=feed.last_modified
            )
            if response.not_modified:
                result.status = "not modified"
                self._record(feed.id, response, None)
                return result
            parsed = parse_feed(response.body, feed.url)
            unseen = self._unseen(feed.id, parsed.entries)
            new = unseen[:MAX_NEW_ITEMS]
            for start in range(0, len(new), ITEM_CHUNK):
                if cancelled():
                    break
                jobs = [self._job(fetcher, entry) for entry in new[start : start + ITEM_CHUNK]]
                result.items += self._save(fetcher, feed, jobs, extract_all(jobs), cancelled)
            complete = len(unseen) == len(result.items) and not any(
                item.status == "failed" for item in result.items
            )
            # The validators are kept only once every item is in: a 304 next time must
            # not hide items left for later, cancelled or failed.
            self._record(feed.id, response if complete else None, None, parsed)
        except OfflineError as error:
            result.status, result.error = "offline", str(error)
        except (FetchError, FeedError) as error:
            result.status, result.error = "failed", str(error)
            self._record_failure(feed.id, str(error))
        except Exception as error:  # a bug must cost one feed, and say so
            result.status, result.error = "failed", f"{type(error).__name__}: {error}"
            self._record_failure(feed.id, result.error)
        return result

    def _record_failure(self, feed_id: int, error: str) -> None:
        """The feed's error, kept if the archive lets us; the refresh goes on regardless."""
        try:
            self._record(feed_id, None, error)
        except Exception:
            log.exception("the state of feed #%s could not be recorded", feed_id)

    def _unseen(self, feed_id: int, entries: list[FeedEntry]) -> list[FeedEntry]:
        guids = list(dict.fromkeys(e.guid for e in entries))
        seen: set[str] = set()
        with self.archive.reading() as session:
            for start in range(0, len(guids), 500):
                seen.update(session.scalars(
                    select(FeedItem.guid).where(FeedItem.feed_id == feed_id,
                                                FeedItem.guid.in_(guids[start : start + 500]))
                ))  # fmt: skip
        fresh: dict[str, FeedEntry] = {}
        for entry in entries:
            if entry.guid not in seen:
                fresh.setdefault(entry.guid, entry)
        return list(fresh.values())

    @staticmethod
    def _job(fetcher: Fetcher, entry: FeedEntry) -> ItemJob:
        if not entry.url:
            return ItemJob(entry, None, fetch_error="the item links to no page")
        try:
            page = fetcher.get(entry.url, "page")
        except OfflineError:
            raise
        except FetchError as error:
            return ItemJob(entry, None, fetch_error=str(error))
        return ItemJob(entry, page)

    def _save(
        self, fetcher: Fetcher, feed: FeedView, jobs: list[ItemJob],
        articles: list[ExtractedArticle | ExtractionError], cancelled: Callable[[], bool],
    ) -> list[ItemResult]:  # fmt: skip
        """Save the items' articles, a few megabytes at a time; record which are done."""
        items: list[ItemResult] = []
        ready: list[tuple[ItemJob, ExtractedArticle]] = []
        held = 0
        for job, article in zip(jobs, articles, strict=True):
            label = job.entry.url or job.entry.title or job.entry.guid
            if isinstance(article, ExtractionError):
                items.append(ItemResult(label, "failed", reason=str(article)))
                continue
            article.source_key, article.source, article.source_kind = (
                source_key(feed.url), feed.title, "feed")  # fmt: skip
            if article.original_gz is not None:  # a page we fetched: bring its pictures
                article.notes.extend(fetch_images(fetcher, article, should_cancel=cancelled))
            ready.append((job, article))
            held += len(article.original_gz or b"") + sum(map(len, article.images.values()))
            if held >= SAVE_BATCH_BYTES:
                items += self._save_ready(feed, ready)
                ready, held = [], 0
        return items + self._save_ready(feed, ready)

    def _save_ready(
        self, feed: FeedView, ready: list[tuple[ItemJob, ExtractedArticle]]
    ) -> list[ItemResult]:
        if not ready:
            return []
        items: list[ItemResult] = []
        outcomes = self.archive.save_many([a for _, a in ready], index=False)
        seen_rows = []
        for (job, article), outcome in zip(ready, outcomes, strict=True):
            label = job.entry.url or job.entry.title
            if isinstance(outcome, Exception):
                items.append(ItemResult(label, "failed", reason=f"could not be saved: {outcome}"))
                continue
            reason = "; ".join(filter(None, [outcome.reason, *article.notes]))
            items.append(ItemResult(label, outcome.status, outcome.article_id, outcome.title,
                                    reason))  # fmt: skip
            seen_rows.append(FeedItem(feed_id=feed.id, guid=job.entry.guid,
                                      article_id=outcome.article_id))  # fmt: skip
        if seen_rows:
            with self.archive.writing() as session:
                session.add_all(seen_rows)
        return items

    def _record(
        self, feed_id: int, response: Response | None, error: str | None,
        parsed: ParsedFeed | None = None,
    ) -> None:  # fmt: skip
        now = utcnow()
        values: dict[str, object] = {"last_checked_at": now}
        if error is None:
            values.update(last_success_at=now, last_error=None, error_count=0)
            if response is not None and not response.not_modified:
                values.update(etag=response.etag, last_modified=response.last_modified)
        else:
            values.update(last_error=error[:500], error_count=Feed.error_count + 1)
        with self.archive.writing() as session:
            feed = session.get(Feed, feed_id)
            if feed is None:  # unsubscribed meanwhile
                return
            if parsed is not None and parsed.title and feed.title == feed.url:
                values["title"] = parsed.title
            if parsed is not None and parsed.site_url and not feed.site_url:
                values["site_url"] = parsed.site_url
            session.execute(update(Feed).where(Feed.id == feed_id).values(**values))


def _is_html(response: Response) -> bool:
    return response.media_type in ("text/html", "application/xhtml+xml") or (
        b"<html" in response.body[:2048].lower()
    )


def walk_feeds(views: Iterable[FeedView]) -> Iterator[tuple[str, list[FeedView]]]:
    """(folder, feeds) in folder order; feeds outside any folder come first, under ""."""
    grouped: dict[str, list[FeedView]] = {}
    for view in views:
        grouped.setdefault(view.folder, []).append(view)
    for folder in sorted(grouped, key=lambda f: (f != "", f.casefold())):
        yield folder, grouped[folder]
