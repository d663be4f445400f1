"""Feed refresh at size: 200 feeds × 20 items from a local server.

Goals (issue 7): refresh 200 feeds of 20 new items each and report the items saved per
second; while the app does it, the UI thread never blocks more than 100 ms (the largest
gap of a 10 ms heartbeat timer, as in bench/ui.py).

The data are real texts: BBC News stories (../shared/data/bbc/bbc.jsonl.gz, Greene &
Cunningham 2006) served locally as RSS 2.0 feeds and news pages (a header, navigation, the
story, related links, a footer; gzip when asked, ETag and Last-Modified). Stories repeat
once the corpus runs out, as follow-up pages with their own text, so every item is a
distinct article. Pages carry no pictures. Each feed is its own site on its own loopback
address (127.0.0.2, 127.0.0.3, …; Linux routes all of 127.0.0.0/8 to `lo`), one listening
socket per address and never a wildcard address, so the Fetcher's per-host politeness
works as on the real web: a feed and its pages share a host, different feeds do not.

Measurements, each in a child process (the server keeps its own process and GIL) on a
fresh temporary archive with the feeds subscribed:
1. core: `archive.feeds.refresh(Fetcher())` with the default per-host spacing
   (HOST_SPACING_S), then with host_spacing=0 (raw throughput): wall time, items saved
   per second, time spent saving and indexing (the run fails unless all items are saved);
2. the UI: a MainWindow (offscreen, seed=False, isolated QSettings) runs
   `window.web.refresh_feeds(None)` while a 10 ms heartbeat measures the UI thread's
   largest gap and 99th percentile gap until `feeds_refreshed` fires; again with the
   window's own polite fetcher, then with host spacing 0 (the heaviest load).
Each run also reports the CPU time spent (refreshing process, extraction workers, server),
the "politeness floor" (the least time the per-host spacing allows with the refresh's
threads) and the longest garbage-collector pauses with when they happened: a full
collection holds the GIL, so it shows up as a heartbeat gap at the same moment.

Run: .venv/bin/python bench/feeds.py [--feeds 200] [--items 20] [--skip-polite] [--skip-ui]
Writes bench/out/feeds.json.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import html
import json
import os
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "data" / "bbc" / "bbc.jsonl.gz"
GOAL_GAP_MS = 100.0
HEARTBEAT_MS = 10
FIRST_HOST = 2  # 127.0.0.2: the first feed's site; 250 sites per 127.0.x
EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# -- the stories -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    title: str
    section: str
    paragraphs: tuple[str, ...]


def load_stories(path: Path) -> list[Story]:
    """The corpus's stories, each text once (the corpus repeats a few)."""
    stories: list[Story] = []
    seen: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            paragraphs = tuple(
                " ".join(p.split()) for p in str(record["body"]).split("\n\n") if p.strip()
            )
            key = " ".join(paragraphs).casefold()
            if not paragraphs or key in seen:
                continue
            seen.add(key)
            title = " ".join(str(record.get("title") or "").split()) or paragraphs[0][:80]
            stories.append(Story(title, str(record.get("section") or "news"), paragraphs))
    return stories


# -- the sites -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resource:
    content_type: str
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str


def _resource(content_type: str, text: str, when: datetime) -> Resource:
    body = text.encode("utf-8")
    etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
    return Resource(content_type, body, gzip.compress(body, 6, mtime=0), etag,
                    format_datetime(when, usegmt=True))  # fmt: skip


def _page(story: Story, url: str, home: str, when: datetime, update: str | None,
          related: list[tuple[str, str]]) -> str:  # fmt: skip
    """A news page as a site serves it: chrome around one story."""
    e = html.escape
    title = f"{story.title}: latest" if update else story.title
    sections = "".join(
        f'<li><a href="{home}{s}/">{s.title()}</a></li>'
        for s in ("news", "business", "politics", "sport", "tech", "entertainment")
    )
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    if update:
        paragraphs = f'<p class="update"><strong>Update:</strong> {e(update)}</p>' + paragraphs
    links = "".join(f'<li><a href="{e(u)}">{e(t)}</a></li>' for t, u in related)
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{e(title)} - BBC News</title>"
        f'<meta name="description" content="{e(story.paragraphs[0][:160])}">'
        f'<meta property="og:title" content="{e(title)}">'
        f'<meta property="article:published_time" content="{when.isoformat()}">'
        f'<meta property="article:section" content="{e(story.section)}">'
        f'<link rel="canonical" href="{e(url)}"></head><body>'
        f'<header><a class="logo" href="{home}">BBC News</a><nav><ul>{sections}</ul></nav>'
        '<form action="/search"><input name="q" placeholder="Search"></form></header>'
        f'<main><article><h1>{e(title)}</h1><div class="meta"><time datetime="'
        f'{when.isoformat()}">{when:%d %B %Y, %H:%M} GMT</time> · '
        f'<a href="{home}{e(story.section)}/">{e(story.section.title())}</a></div>'
        f"{paragraphs}</article>"
        f'<aside><h2>Related stories</h2><ul>{links}</ul></aside></main>'
        '<footer><ul><li><a href="/terms">Terms of Use</a></li><li><a href="/privacy">'
        'Privacy Policy</a></li><li><a href="/cookies">Cookies</a></li></ul>'
        "<p>Copyright 2026 BBC. The BBC is not responsible for the content of external "
        "sites.</p></footer></body></html>"
    )  # fmt: skip


def _feed(name: str, home: str, items: list[tuple[Story, str, datetime, bool]]) -> str:
    e = html.escape
    entries = "".join(
        f"<item><title>{e(s.title + (': latest' if update else ''))}</title><link>{e(url)}</link>"
        f'<guid isPermaLink="true">{e(url)}</guid><category>{e(s.section)}</category>'
        f"<description>{e(s.paragraphs[0])}</description>"
        f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>"
        for s, url, when, update in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{e(name)}</title><link>{home}</link><description>Stories from {e(name)}"
        f"</description><language>en-gb</language>{entries}</channel></rss>"
    )


class SiteServer(ThreadingHTTPServer):
    """One site on one loopback address; each request on a thread of its own."""

    daemon_threads = True

    def __init__(self, address: str, counts: Counter[str], lock: threading.Lock) -> None:
        super().__init__((address, 0), _Handler)
        self.address = address
        self.resources: dict[str, Resource] = {}
        self.counts, self.lock = counts, lock

    @property
    def origin(self) -> str:
        return f"http://{self.address}:{self.server_port}/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    timeout = 30  # an idle kept-alive connection frees its thread
    server: SiteServer

    def do_GET(self) -> None:
        found = self.server.resources.get(self.path)
        kind = "feed" if self.path.endswith(".rss") else "page"
        if found is None:
            self._reply(404, [], b"")
            kind = "not found"
        elif self.headers.get("If-None-Match") == found.etag:
            self._reply(304, [("ETag", found.etag)], b"", body_allowed=False)
            kind = "not modified"
        else:
            gzipped = "gzip" in (self.headers.get("Accept-Encoding") or "")
            headers = [
                ("Content-Type", found.content_type), ("ETag", found.etag),
                ("Last-Modified", found.last_modified), ("Vary", "Accept-Encoding"),
            ]  # fmt: skip
            if gzipped:
                headers.append(("Content-Encoding", "gzip"))
            self._reply(200, headers, found.gzipped if gzipped else found.body)
        with self.server.lock:
            self.server.counts[kind] += 1

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes,
               body_allowed: bool = True) -> None:  # fmt: skip
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body_allowed:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Sites:
    """The feeds' sites, served from one accepting thread over all their sockets."""

    servers: list[SiteServer]
    counts: Counter[str] = field(default_factory=Counter)
    feed_urls: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="sites", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            for server in self.servers:
                selector.register(server, selectors.EVENT_READ, server)
            while not self._stop.is_set():
                for key, _ in selector.select(0.2):
                    key.data.handle_request()  # ready: accepts and hands over to a thread

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for server in self.servers:
            server.server_close()

    def requests(self) -> dict[str, int]:
        with self.servers[0].lock:
            counts = dict(self.counts)
            self.counts.clear()
        return counts


def build_sites(stories: list[Story], feeds: int, items: int) -> Sites:
    """`feeds` sites on 127.0.0.2… each with one feed of `items` stories and their pages."""
    if feeds > 250 * 250:
        raise SystemExit("too many feeds for 127.0.0.0/16 as laid out here")
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    servers: list[SiteServer] = []
    for n in range(feeds):
        address = f"127.0.{n // 250}.{n % 250 + FIRST_HOST}"
        servers.append(SiteServer(address, counts, lock))
    sites = Sites(servers, counts)
    for f, server in enumerate(servers):
        home = server.origin
        entries: list[tuple[Story, str, datetime, bool]] = []
        for i in range(items):
            k = f * items + i
            story = stories[k % len(stories)]
            round_ = k // len(stories)
            when = EPOCH - timedelta(minutes=7 * k)
            slug = "-".join(story.title.lower().split()[:6])
            slug = "".join(c for c in slug if c.isalnum() or c == "-")[:60]
            path = f"/{story.section}/{when:%Y/%m/%d}/{slug}-{k}.html"
            url = home.rstrip("/") + path
            update = None
            if round_:  # a follow-up page: its own text, with another story's lead
                other = stories[(k * 37 + round_) % len(stories)]
                update = f"(round {round_}, {when:%H:%M} GMT) {other.paragraphs[0]}"
            related = [
                (stories[(k + d) % len(stories)].title, f"{home}{story.section}/more-{k + d}")
                for d in (1, 2, 3)
            ]
            page = _page(story, url, home, when, update, related)
            server.resources[path] = _resource("text/html; charset=utf-8", page, when)
            entries.append((story, url, when, bool(update)))
        sections = Counter(s.section for s, *_ in entries).most_common(1)[0][0]
        name = f"BBC {sections.title()} desk {f + 1}"
        server.resources["/feed.rss"] = _resource(
            "application/rss+xml; charset=utf-8", _feed(name, home, entries), EPOCH
        )
        sites.feed_urls.append(home + "feed.rss")
    return sites


# -- measuring (in child processes) ------------------------------------------------------


def _archive_with_feeds(folder: Path, urls: list[str]) -> Any:
    from newsreader.core.archive import Archive

    class TimedArchive(Archive):
        """An archive that adds up the time the refresh spends saving and indexing."""

        save_seconds = 0.0
        index_seconds = 0.0

        def save_many(self, articles: Iterable[Any], *, index: bool = True) -> list[Any]:
            started = time.perf_counter()
            try:
                return super().save_many(articles, index=index)
            finally:
                self.save_seconds += time.perf_counter() - started

        def sync_search(self) -> int:
            started = time.perf_counter()
            try:
                return super().sync_search()
            finally:
                self.index_seconds += time.perf_counter() - started

    archive = TimedArchive(folder / "archive.sqlite3")
    feeds = archive.feeds
    for url in urls:
        feeds.add(url)
    return archive


class Costs:
    """CPU time of this process and its (joined) worker processes, and garbage-collector
    pauses (a collection holds the GIL: every thread, the UI's too, waits for it)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, int, float]] = []  # (ms, generation, s since start)
        self._began = 0.0
        self._started = 0.0
        self._cpu = (0.0, 0.0)

    def __enter__(self) -> Costs:
        self._began = time.perf_counter()
        self._cpu = self._times()
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._on_gc)
        now = self._times()
        self._cpu = (now[0] - self._cpu[0], now[1] - self._cpu[1])

    @staticmethod
    def _times() -> tuple[float, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        else:
            ms = (now - self._started) * 1000
            self.pauses.append((ms, info["generation"], now - self._began))

    def figures(self) -> dict[str, Any]:
        longest = sorted(self.pauses, reverse=True)[:3]
        return {
            "cpu_s_refreshing_process": round(self._cpu[0], 1),
            "cpu_s_extraction_workers": round(self._cpu[1], 1),
            "gc_collections": len(self.pauses),
            "gc_longest_pauses_ms_gen_at_s": [
                [round(ms, 1), g, round(at, 1)] for ms, g, at in longest
            ],
        }


def _summary(results: list[Any], archive: Any, wall: float, expected: int) -> dict[str, Any]:
    from newsreader.core.web.feeds import REFRESH_THREADS

    saved = sum(r.new_articles for r in results)
    statuses = Counter(r.status for r in results)
    items = Counter(i.status for r in results for i in r.items)
    problems = [f"{r.title}: {r.error}" for r in results if r.error][:5]
    problems += [f"{i.label}: {i.reason}" for r in results for i in r.items
                 if i.status != "saved"][:5]  # fmt: skip
    stored = archive.count()
    return {
        "wall_s": round(wall, 2),
        "items_saved": saved,
        "articles_in_archive": stored,
        "expected_items": expected,
        "items_per_s": round(saved / wall, 1) if wall else None,
        "feed_statuses": dict(statuses),
        "item_statuses": dict(items),
        "time_saving_s": round(archive.save_seconds, 2),
        "time_indexing_s": round(archive.index_seconds, 2),
        "problems": problems,
        "all_saved": saved == expected and stored == expected,
        "refresh_threads": REFRESH_THREADS,
    }


def child_core(urls: list[str], expected: int, spacing: float | None) -> dict[str, Any]:
    from newsreader.core.web.fetch import HOST_SPACING_S, Fetcher

    folder = Path(tempfile.mkdtemp(prefix="nrbench-feeds-"))
    try:
        archive = _archive_with_feeds(folder, urls)
        fetcher = Fetcher() if spacing is None else Fetcher(host_spacing=spacing)
        with fetcher, Costs() as costs:
            started = time.perf_counter()
            results = archive.feeds.refresh(fetcher)
            wall = time.perf_counter() - started
        figures = _summary(results, archive, wall, expected)
        figures.update(costs.figures())
        figures.update(host_spacing_s=fetcher.host_spacing, default_host_spacing_s=HOST_SPACING_S)
        archive.close()
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def child_ui(urls: list[str], expected: int, spacing: float | None) -> dict[str, Any]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from newsreader.ui.app import settle_after_start
    from newsreader.ui.main_window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="nrbench-feeds-ui-"))
    try:
        app = QApplication([])
        settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
        archive = _archive_with_feeds(folder, urls)
        window = MainWindow(archive, seed=False, settings=settings)
        window.resize(1400, 900)
        window.show()
        settle_after_start()  # as the app does once its window is up
        if spacing is not None:  # the window's own fetcher, without the politeness
            window.web.fetcher.close()
            window.web.fetcher = archive.web.fetcher(host_spacing=spacing)

        def wait(condition: Callable[[], bool], timeout: float) -> bool:
            deadline = time.monotonic() + timeout
            while not condition() and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.002)
            return condition()

        wait(lambda: False, 1.0)  # the window's first loads settle
        gaps: list[tuple[int, int]] = []  # (gap ms, when ms)
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def beat() -> None:
            now = clock.elapsed()
            gaps.append((now - last[0], now))
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(beat)
        heartbeat.start()
        wait(lambda: False, 0.5)
        done: list[Any] = []
        window.web.feeds_refreshed.connect(done.append)
        gaps.clear()
        begun = clock.elapsed()
        with Costs() as costs:
            started = time.perf_counter()
            window.web.refresh_feeds(None)
            finished = wait(lambda: bool(done), 1800.0)
            wall = time.perf_counter() - started
        during = list(gaps)
        gaps.clear()
        wait(lambda: False, 2.0)  # the list and sidebar reload after the refresh
        after = list(gaps)
        heartbeat.stop()
        if not finished:
            raise SystemExit("the refresh did not finish within 30 minutes")
        figures = _summary(done[0], archive, wall, expected)
        figures.update(_gap_figures(during, begun), host_spacing_s=window.web.fetcher.host_spacing)
        figures.update(costs.figures())
        figures["after_refresh_max_gap_ms"] = max((g for g, _ in after), default=0)
        window.close()
        archive.close()
        settings.sync()  # written now, so nothing recreates the folder at exit
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _gap_figures(gaps: list[tuple[int, int]], begun: int) -> dict[str, Any]:
    ordered = sorted(g for g, _ in gaps)
    if not ordered:
        return {"beats": 0}
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    worst = sorted(gaps, reverse=True)[:5]
    return {
        "beats": len(ordered),
        "max_gap_ms": ordered[-1],
        "p99_gap_ms": p99,
        "median_gap_ms": ordered[len(ordered) // 2],
        "gaps_over_goal": sum(1 for g in ordered if g > GOAL_GAP_MS),
        "worst_gaps_ms_at_s": [[g, round((at - begun) / 1000, 1)] for g, at in worst],
        "goal_met": ordered[-1] <= GOAL_GAP_MS,
    }


# -- the driver --------------------------------------------------------------------------


def _run_child(mode: str, manifest: Path, spacing: str, sites: Sites) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode,
               "--manifest", str(manifest), "--spacing", spacing]  # fmt: skip
    sites.requests()  # counts start afresh
    own = resource.getrusage(resource.RUSAGE_SELF)
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.stdout is not None
    figures: dict[str, Any] = {}
    for line in child.stdout:
        if line.startswith("RESULT "):
            figures = json.loads(line.removeprefix("RESULT "))
        else:
            print("  " + line.rstrip(), flush=True)
    if child.wait() != 0 or not figures:
        raise SystemExit(f"the {mode} measurement failed (exit {child.returncode})")
    figures["requests_served"] = sites.requests()
    now = resource.getrusage(resource.RUSAGE_SELF)  # the server's threads, mostly
    figures["cpu_s_server"] = round(now.ru_utime + now.ru_stime - own.ru_utime - own.ru_stime, 1)
    return figures


def _politeness_floor(figures: dict[str, Any], feeds: int, items: int) -> float:
    """The least time per-host spacing allows: each feed's thread waits the spacing between
    its host's requests (the feed, then its pages), `refresh_threads` feeds at a time."""
    rounds = -(-feeds // figures["refresh_threads"])
    return round(rounds * items * figures["host_spacing_s"], 1)


def _report(name: str, figures: dict[str, Any]) -> None:
    f = figures
    line = (
        f"{name}: {f['items_saved']}/{f['expected_items']} items in {f['wall_s']} s = "
        f"{f['items_per_s']} items/s (spacing {f['host_spacing_s']} s, floor "
        f"{f['politeness_floor_s']} s; saving {f['time_saving_s']} s, indexing "
        f"{f['time_indexing_s']} s; CPU {f['cpu_s_refreshing_process']} s + workers "
        f"{f['cpu_s_extraction_workers']} s + server {f['cpu_s_server']} s)"
    )
    if "max_gap_ms" in f:
        line += (
            f"; UI gap max {f['max_gap_ms']} ms, p99 {f['p99_gap_ms']} ms, "
            f"{f['gaps_over_goal']} over {GOAL_GAP_MS:g} ms; after the refresh "
            f"{f['after_refresh_max_gap_ms']} ms"
        )
    pauses = f["gc_longest_pauses_ms_gen_at_s"]
    if pauses:
        line += f"; longest GC pause {pauses[0][0]} ms (gen {pauses[0][1]})"
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--skip-polite", action="store_true",
                        help="only the runs without per-host spacing (quick)")  # fmt: skip
    parser.add_argument("--skip-ui", action="store_true")
    parser.add_argument("--child", choices=("core", "ui"), help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spacing", default="default", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        manifest = json.loads(args.manifest.read_text())
        spacing = None if args.spacing == "default" else float(args.spacing)
        run = child_core if args.child == "core" else child_ui
        figures = run(manifest["feeds"], manifest["expected"], spacing)
        print("RESULT " + json.dumps(figures), flush=True)
        return 0

    if not CORPUS.exists():
        print(f"skipped: the BBC corpus is not at {CORPUS} (../shared is absent)")
        return 0
    stories = load_stories(CORPUS)
    expected = args.feeds * args.items
    print(f"{len(stories)} distinct BBC stories; serving {args.feeds} feeds × {args.items} "
          f"items = {expected} pages on {args.feeds} loopback hosts", flush=True)  # fmt: skip
    sites = build_sites(stories, args.feeds, args.items)
    sites.start()
    folder = Path(tempfile.mkdtemp(prefix="nrbench-feeds-manifest-"))
    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps({"feeds": sites.feed_urls, "expected": expected}))
    results: dict[str, Any] = {
        "feeds": args.feeds, "items_per_feed": args.items, "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0], "data": str(CORPUS), "hosts": args.feeds,
        "goal_max_gap_ms": GOAL_GAP_MS,
    }  # fmt: skip
    runs = [("core_raw", "core", "0")]
    if not args.skip_polite:
        runs.insert(0, ("core_polite", "core", "default"))
    if not args.skip_ui:
        runs.append(("ui_raw", "ui", "0"))
        if not args.skip_polite:
            runs.insert(len(runs) - 1, ("ui_polite", "ui", "default"))
    try:
        for name, mode, spacing_arg in runs:
            print(f"{name}…", flush=True)
            figures = _run_child(mode, manifest_path, spacing_arg, sites)
            figures["politeness_floor_s"] = _politeness_floor(figures, args.feeds, args.items)
            results[name] = figures
            _report(name, figures)
    finally:
        sites.close()
        shutil.rmtree(folder, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "feeds.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    failed = [n for n, *_ in runs if not results[n]["all_saved"]]
    if failed:
        print(f"NOT ALL ITEMS SAVED in: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
