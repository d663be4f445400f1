"""Importing another app's export: entries become saved articles or queued links.

The readers (newsreader.core.ingest.exports) turn the file into entries; here they are
saved in batches (the Saver carries tags, dates and state, also onto duplicates), links
are queued for fetching, highlights go through the annotations service, and every entry
read ends in exactly one report line; a file we cannot read at all ends in one failed
line: never an exception.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from newsreader.core.annotations import AnnotationError, AnnotationView
from newsreader.core.blocks import ExtractedArticle
from newsreader.core.dates import parse_published
from newsreader.core.fetch_queue import PendingUrl
from newsreader.core.fetch_queue import add as add_to_queue
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.exports import (
    READERS,
    ExportEntry,
    ExportFileError,
    Highlight,
    Problem,
    detect_export,
    entry_article,
    estimate_entries,
    find_loosely,
    web_key,
    why_unknown,
)
from newsreader.core.ingest.report import (
    INDEX_EVERY,
    SAVE_BATCH,
    ImportReport,
    ItemResult,
    Progress,
)
from newsreader.core.models import Article, QueuedUrl
from newsreader.core.saving import SaveOutcome, Saver

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

QUEUE_BATCH = 2_000  # queued URLs per transaction
PENDING_LIMIT = 5_000  # report lines held before a flush, whatever they are


def _attach_highlights(archive: Archive, article_id: int, highlights: list[Highlight]) -> str:
    """Make the export's highlights ours; a summary for the report line.

    A quote found as is is anchored (`create_from_quote`); one whose words are all there
    but spaced otherwise (across paragraphs) is anchored on them; one not found is kept
    as an orphan with its note, never dropped (a guess could mark the wrong words). A
    highlight the article already has (the export imported again) is not added twice.
    """
    service = archive.annotations
    have = {("".join(v.exact.split()), v.note) for v in service.list(article_id)}
    article = archive.get(article_id)
    text = article.text if article is not None else ""
    counts = dict.fromkeys(("anchored", "loose", "orphaned", "already there", "no quote"), 0)
    for highlight in highlights:
        quote = " ".join(highlight.quote.split())
        note = highlight.note.strip()
        if not quote:
            counts["no quote"] += 1
            continue
        if ("".join(quote.split()), note) in have:
            counts["already there"] += 1
            continue
        have.add(("".join(quote.split()), note))
        tags = list(highlight.tags)
        created = parse_published(highlight.created_at)
        try:
            service.create_from_quote(article_id, quote, note=note, tags=tags, created_at=created)
            counts["anchored"] += 1
        except AnnotationError:
            span = find_loosely(text, quote)
            if span is None:
                service.restore(
                    AnnotationView(
                        id=0, uuid=str(uuid.uuid4()), article_id=article_id, start=None,
                        end=None, exact=quote, prefix="", suffix="", status="orphaned",
                        color="yellow", note=note, tags=tags, created_at=created,
                        updated_at=created,
                    )
                )  # fmt: skip
                counts["orphaned"] += 1
                continue
            service.create(article_id, *span, note=note, tags=tags, created_at=created)
            counts["loose"] += 1
    labels = {
        "anchored": "anchored",
        "loose": "anchored across paragraphs",
        "orphaned": "kept as orphans (the quote is not in the text)",
        "already there": "already there",
        "no quote": "skipped: a note without a quote",
    }
    parts = [f"{n} {labels[k]}" for k, n in counts.items() if n]
    return f"highlights: {', '.join(parts)}" if parts else ""


# -- the import -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """An entry waiting in a batch for its report line."""

    item: str
    title: str | None = None
    result: ItemResult | None = None
    article: ExtractedArticle | None = None
    highlights: list[Highlight] = field(default_factory=list)
    pending_url: PendingUrl | None = None
    key: str = ""  # the normalized URL of a link to queue
    notes: list[str] = field(default_factory=list)


def _reason(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


class _Importer:
    """Batches entries: articles saved together, links queued together, lines in order."""

    def __init__(self, archive: Archive, report: ImportReport, origin: str) -> None:
        self.archive = archive
        self.report = report
        self.origin = origin
        self.lines: list[_Line] = []
        self.articles = 0
        self.urls = 0
        self.unindexed = 0
        self.queued_here: dict[str, str] = {}  # normalized URL -> item that queued it

    def add(self, line: _Line) -> None:
        self.lines.append(line)
        self.articles += line.article is not None
        self.urls += line.pending_url is not None
        if (
            self.articles >= SAVE_BATCH
            or self.urls >= QUEUE_BATCH
            or len(self.lines) >= PENDING_LIMIT
        ):
            self.flush()

    def add_entry(self, item: str, entry: ExportEntry) -> None:
        """Decide what the entry becomes: an article, a queued link, or a failed line."""
        title = entry.title or None
        if entry.error:
            self.add(
                _Line(item, title, ItemResult(item, "failed", title=title, reason=entry.error))
            )
            return
        key, url_problem = web_key(entry.url)
        url = entry.url.strip() if key is not None else None
        if entry.html is not None or entry.text is not None:
            try:
                article = entry_article(entry, url)
            except ExtractionError as error:
                reason = _reason(str(error), *entry.notes)
                self.add(_Line(item, title, ItemResult(item, "failed", title=title, reason=reason)))
                return
            self.add(_Line(item, title, article=article, highlights=entry.highlights))
            return
        if url is None or key is None:
            reason = _reason(url_problem, *entry.notes)
            self.add(_Line(item, title, ItemResult(item, "failed", title=title, reason=reason)))
            return
        notes = list(entry.notes)
        if entry.highlights:
            notes.append(f"{len(entry.highlights)} highlights not imported: no text to hold them")
        pending = PendingUrl(
            url=url, title=entry.title, tags=list(entry.tags), saved_at=entry.saved_at,
            is_read=entry.is_read, is_starred=entry.is_starred, origin=self.origin,
        )  # fmt: skip
        self.add(_Line(item, title, pending_url=pending, key=key, notes=notes))

    def flush(self) -> None:
        lines, self.lines = self.lines, []
        self.articles = self.urls = 0
        articles = [line.article for line in lines if line.article is not None]
        saved = iter(self.archive.save_many(articles, index=False) if articles else [])
        self.unindexed += len(articles)
        if self.unindexed >= INDEX_EVERY:
            self.archive.sync_search()
            self.unindexed = 0
        queued = self._enqueue_all([line for line in lines if line.pending_url is not None])
        for line in lines:
            if line.result is not None:
                self.report.items.append(line.result)
            elif line.article is not None:
                self.report.items.append(self._saved_line(line, next(saved)))
            else:
                self.report.items.append(queued[id(line)])

    def _saved_line(self, line: _Line, outcome: SaveOutcome | Exception) -> ItemResult:
        article = line.article
        assert article is not None
        if isinstance(outcome, Exception):
            reason = f"could not be saved: {outcome}"
            return ItemResult(line.item, "failed", title=article.title, reason=reason)
        highlights = ""
        if line.highlights:
            try:
                highlights = _attach_highlights(self.archive, outcome.article_id, line.highlights)
            except (SQLAlchemyError, AnnotationError) as error:
                highlights = f"highlights not imported: {error}"
        reason = _reason(outcome.reason, *article.notes, highlights)
        return ItemResult(line.item, outcome.status, outcome.article_id, outcome.title, reason)

    def _enqueue_all(self, lines: list[_Line]) -> dict[int, ItemResult]:
        """Queue the batch's links in one transaction (one by one if that fails)."""
        if not lines:
            return {}
        try:
            with self.archive.writing() as session:
                batch = _QueueBatch(
                    session.connection(), self.archive.member, lines, self.queued_here
                )
                results = {id(line): batch.enqueue(line) for line in lines}
        except SQLAlchemyError:
            results = {}
            for line in lines:
                try:
                    with self.archive.writing() as session:
                        batch = _QueueBatch(
                            session.connection(), self.archive.member, [line], self.queued_here
                        )
                        result = batch.enqueue(line)
                except SQLAlchemyError as error:
                    reason = f"could not be queued: {error}"
                    result = ItemResult(line.item, "failed", title=line.title, reason=reason)
                else:
                    self.queued_here.update(batch.here)
                results[id(line)] = result
            return results
        self.queued_here.update(batch.here)
        return results


class _QueueBatch:
    """Links queued in one transaction.

    What is archived or waiting already is looked up for the whole batch at once (an
    export imported a second time costs a few queries, not three per link); the rest goes
    is added to the queue directly.
    """

    def __init__(
        self, conn: Connection, member: str, lines: list[_Line], earlier: dict[str, str]
    ) -> None:
        self.conn = conn
        self.member = member  # whose marks an export's read and starred become
        self.earlier = earlier  # normalized URL -> item, queued by earlier batches
        self.here: dict[str, str] = {}  # ... by this one
        self.saver: Saver | None = None
        keys = sorted({line.key for line in lines if line.key not in earlier})
        self.archived: dict[str, int] = {}
        self.waiting: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found = select(Article.url, Article.id).where(Article.url.in_(chunk))
            self.archived.update(
                {url: article_id for url, article_id in conn.execute(found) if url is not None}
            )
            waiting = select(QueuedUrl.url).where(QueuedUrl.url.in_(chunk))
            self.waiting.update(conn.execute(waiting).scalars())

    def enqueue(self, line: _Line) -> ItemResult:
        pending = line.pending_url
        assert pending is not None
        first = self.here.get(line.key) or self.earlier.get(line.key)
        if first is not None or line.key in self.waiting:
            where = f"the same address as {first}" if first else "the address"
            reason = _reason(f"{where} is already waiting to be fetched", *line.notes)
            return ItemResult(line.item, "duplicate", title=line.title, reason=reason)
        article_id = self.archived.get(line.key)
        if article_id is None:
            add_to_queue(self.conn, pending, line.key)  # looked up above, with the batch
            self.here[line.key] = line.item
            return ItemResult(line.item, "queued", title=line.title, reason=_reason(*line.notes))
        carried = self._carry_state(article_id, pending)
        reason = _reason(f"already archived as #{article_id}", carried, *line.notes)
        return ItemResult(line.item, "duplicate", article_id, line.title, reason)

    def _carry_state(self, article_id: int, item: PendingUrl) -> str:
        """The export's tags, read and starred state onto an article already archived.

        Goes through the Saver, the one place that decides what state carries onto a
        duplicate, so a link and a saved page behave alike.
        """
        if not (item.tags or item.is_read or item.is_starred):
            return ""
        if self.saver is None:
            self.saver = Saver(self.conn, self.member)
        state = ExtractedArticle(title="", blocks=[], tags=item.tags, is_read=item.is_read,
                                 is_starred=item.is_starred)  # fmt: skip
        self.saver.carry_state(article_id, state)
        return "its tags and read/starred state were added to it"


def import_export(
    archive: Archive,
    path: Path | str,
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import another app's export; one report line per entry (item "path#N").

    Entries with content are saved as articles, links alone are queued for fetching;
    once cancelled, the remaining entries are read and reported as skipped.
    """
    path = Path(path)
    report = ImportReport()
    fmt = detect_export(path)
    if fmt is None:
        report.items.append(ItemResult(str(path), "failed", reason=why_unknown(path)))
        return report
    importer = _Importer(archive, report, origin=f"{fmt}: {path.name}")
    total = estimate_entries(path, fmt)
    done = 0
    cancelled = False
    try:
        for entry in READERS[fmt](path):
            if isinstance(entry, Problem):
                item = f"{path}!/{entry.part}"
                importer.add(_Line(item, result=ItemResult(item, "failed", reason=entry.reason)))
                continue
            done += 1
            item = f"{path}#{done}"
            cancelled = cancelled or bool(should_cancel and should_cancel())
            if cancelled:
                skipped = ItemResult(item, "skipped", title=entry.title or None, reason="cancelled")
                importer.add(_Line(item, result=skipped))
            else:
                importer.add_entry(item, entry)
            if progress is not None and done % 100 == 0:
                progress(done, max(total, done))
    except (ExportFileError, OSError) as error:
        message = str(error) if isinstance(error, ExportFileError) else f"cannot read: {error}"
        if done:
            item, message = f"{path}#{done + 1}", f"the rest of the file cannot be read: {message}"
        else:
            item = str(path)
        importer.add(_Line(item, result=ItemResult(item, "failed", reason=message)))
    importer.flush()
    archive.sync_search()
    if progress is not None:
        progress(done, done)
    return report
