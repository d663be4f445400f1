"""Headless commands over the core services: the same calls the UI makes.

`newsreader` alone opens the GUI; `newsreader COMMAND ...` runs a command.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsreader.core.errors import ArchiveError
from newsreader.core.paths import ArchiveAddressError, resolve_archive_path

# Researchers call the CLI in loops: each command imports only what it uses (rich,
# SQLAlchemy, the search index, ...), so `--help` starts in a fraction of a second.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from newsreader.core.archive import Archive, ArticleSummary
    from newsreader.core.ingest.report import ImportReport
    from newsreader.core.web.feeds import FeedView

# The formats of `newsreader export` (core.exports.EXPORT_FORMATS, which --help must not
# import: a test keeps the two equal).
EXPORT_FORMATS = ("qdpx", "qdc", "csl-json", "bibtex", "ris", "jsonl", "csv")
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_BAD_ARCHIVE = 4
EXIT_INTERRUPTED = 130


def _console(**options: Any) -> Console:
    from rich.console import Console

    return Console(**options)


def escape(text: str) -> str:
    """`text` with rich's markup characters escaped."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _table(*columns: str) -> Any:
    from rich.table import Table

    return Table(*columns, box=None, pad_edge=False)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _date(summary: ArticleSummary) -> str:
    """The publication date; for an undated article, its saving date, said so."""
    if summary.published_at is not None:
        return summary.published_at.date().isoformat()
    return f"saved {summary.saved_at.date().isoformat()}"


def _progress_bar(args: argparse.Namespace) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    err = _console(stderr=True)
    show_bar = not getattr(args, "json", False) and not args.quiet and err.is_terminal
    return Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, disable=not show_bar, transient=True,
    )  # fmt: skip


def _print_report(report: ImportReport, args: argparse.Namespace) -> int:
    """The per-item report (failures always, everything with -v) and the counts."""
    if getattr(args, "report", None):
        Path(args.report).write_text(report.dumps(), encoding="utf-8")
    if getattr(args, "json", False):
        sys.stdout.write(report.dumps() + "\n")
    else:
        out = _console()
        for item in report.items:
            if item.status in ("failed", "skipped") or args.verbose:
                detail = f" — {item.reason}" if item.reason else ""
                out.print(f"{item.status:>9}  {item.item}{detail}", markup=False, highlight=False)
        counts = report.counts()
        queued = f"{counts['queued']} queued for fetching, " if counts["queued"] else ""
        out.print(
            f"{counts['total']} items: {counts['saved']} saved, {counts['updated']} updated, "
            f"{counts['duplicate']} duplicate, {queued}{counts['failed']} failed, "
            f"{counts['skipped']} skipped",
            markup=False, highlight=False,
        )  # fmt: skip
    return EXIT_SOME_FAILED if report.counts()["failed"] else EXIT_OK


def cmd_import(archive: Archive, args: argparse.Namespace) -> int:
    """Files, folders, exports and web archives; web addresses are fetched and saved."""
    from newsreader.core.importing import ImportReport
    from newsreader.core.urls import is_web_address

    if any(not p.strip() for p in args.paths):
        print("newsreader: an empty name was given; name files, folders or web addresses",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    urls = [p for p in args.paths if is_web_address(p)]
    paths = [Path(p) for p in args.paths if not is_web_address(p)]
    report = ImportReport()
    with _progress_bar(args) as bar:
        task = bar.add_task("Importing", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if paths:
            report = archive.imports.paths(paths, workers=args.workers, progress=on_progress)
        if urls:
            with archive.web.fetcher() as fetcher:
                report.items += archive.web.save_urls(urls, fetcher, progress=on_progress).items
    return _print_report(report, args)


def cmd_fetch_queue(archive: Archive, args: argparse.Namespace) -> int:
    with archive.web.fetcher() as fetcher, _progress_bar(args) as bar:
        task = bar.add_task("Fetching", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = archive.web.fetch_queued(fetcher, limit=args.limit, progress=on_progress)
    return _print_report(report, args)


def cmd_offline(archive: Archive, args: argparse.Namespace) -> int:
    if args.state in ("on", "off"):
        archive.web.set_offline(args.state == "on")
    print("working offline" if archive.web.is_offline() else "online")
    return EXIT_OK


def _feed_json(feed: FeedView) -> dict[str, Any]:
    return {"id": feed.id, "url": feed.url, "title": feed.title, "folder": feed.folder,
            "site_url": feed.site_url, "unread": feed.unread, "total": feed.total,
            "interval_minutes": feed.interval_minutes, "last_checked": feed.last_checked_at,
            "last_success": feed.last_success_at, "last_error": feed.last_error}  # fmt: skip


def cmd_feeds(archive: Archive, args: argparse.Namespace) -> int:
    """Subscriptions: list, add, refresh, read, remove, OPML in and out."""
    from sqlalchemy.exc import SQLAlchemyError

    from newsreader.core.web.feeds import FeedError
    from newsreader.core.web.fetch import FetchError
    from newsreader.core.web.opml import export_opml, import_opml

    feeds = archive.feeds
    action = args.action or "list"
    try:
        if action == "list":
            views = feeds.list_feeds()
            if args.json:
                _print_json([_feed_json(f) for f in views])
                return EXIT_OK
            table = _table("id", "folder", "feed", "unread", "state")
            for f in views:
                table.add_row(str(f.id), f.folder, escape(f.title), str(f.unread), escape(f.state))
            _console().print(table)
        elif action == "add":
            with archive.web.fetcher() as fetcher:
                feed = feeds.subscribe(fetcher, args.url, folder=args.folder or "")
                results = feeds.refresh(fetcher, [feed.id])
            print(f"subscribed to {feed.title} ({feed.url}): {results[0].new_articles} new")
        elif action == "refresh":
            known = {f.id for f in feeds.list_feeds()}
            if unknown := [i for i in args.ids if i not in known]:
                print(f"no feed with id {', '.join(map(str, unknown))}", file=sys.stderr)
                return EXIT_NOT_FOUND
            with archive.web.fetcher() as fetcher:
                results = feeds.refresh(fetcher, args.ids or None)
            failed = 0
            for r in results:
                failed += r.status == "failed"
                detail = r.error or f"{r.new_articles} new"
                print(f"{r.status:>12}  {r.title} — {detail}")
            return EXIT_SOME_FAILED if failed else EXIT_OK
        elif action == "read":
            if args.id is None and args.folder is None and not args.all:
                print("say which: a feed's id, --folder NAME, or --all", file=sys.stderr)
                return EXIT_USAGE
            changed = feeds.mark_read(feed_id=args.id, folder=args.folder)
            print(f"{changed} articles marked read")
        elif action == "remove":
            if not feeds.remove(args.id):
                print(f"no feed with id {args.id}", file=sys.stderr)
                return EXIT_NOT_FOUND
            print("unsubscribed (its articles stay in the archive)")
        elif action == "import-opml":
            report = import_opml(feeds, Path(args.file).read_bytes())
            for entry, why in report.failed:
                print(f"   failed  {entry} — {why}")
            print(report.summary())
            return EXIT_SOME_FAILED if report.failed else EXIT_OK
        elif action == "export-opml":
            text = export_opml(feeds.list_feeds())
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
    except (FeedError, FetchError, OSError, SQLAlchemyError) as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_OK


def cmd_list(archive: Archive, args: argparse.Namespace) -> int:
    rows = archive.list_articles(
        section=args.section, limit=args.limit, offset=args.offset, order=args.sort,
        descending=not args.ascending,
    )  # fmt: skip
    if args.json:
        _print_json(
            [
                {"id": r.id, "title": r.title, "section": r.section, "source": r.source,
                 "published": r.published_at, "saved": r.saved_at, "read": r.is_read,
                 "starred": r.is_starred}
                for r in rows
            ]
        )  # fmt: skip
        return EXIT_OK
    table = _table("id", "date", "section", "title")
    for r in rows:
        marks = ("★ " if r.is_starred else "") + ("" if r.is_read else "• ")
        table.add_row(str(r.id), _date(r), r.section or "", marks + r.title)
    _console().print(table)
    return EXIT_OK


def cmd_show(archive: Archive, args: argparse.Namespace) -> int:
    article = archive.get(args.id)
    if article is None:
        print(f"no article with id {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        _print_json(article.to_json())
        return EXIT_OK
    lines = [article.title, ""]
    facts = [article.section, article.byline, article.published_at and str(article.published_at)]
    lines += [" · ".join(f for f in facts if f), article.url or "", "", article.text, ""]
    if article.related:
        lines.append("Related:")
        for link in article.related:
            where = f"#{link.target_id}" if link.target_id else (link.url or "not in archive")
            lines.append(f"  - {link.title} ({where})")
    print("\n".join(line for line in lines if line is not None))
    return EXIT_OK


def cmd_search(archive: Archive, args: argparse.Namespace) -> int:
    results = archive.search.find(
        " ".join(args.query), sort=args.sort, limit=args.limit, offset=args.offset,
        facets=not args.no_facets,
    )  # fmt: skip
    if args.json:
        _print_json(results.to_json())
        return EXIT_OK
    out = _console(highlight=False)
    for hint in results.hints:
        out.print(f"[yellow]hint:[/] {escape(hint)}")
    shown = f"{args.offset + 1}–{args.offset + len(results.hits)} of " if results.hits else ""
    out.print(f"{shown}{results.total:,} results for {escape(results.query)!r}")
    for hit in results.hits:
        date = (hit.published_at or hit.saved_at).date().isoformat()
        out.print(
            f"\n[bold]{escape(hit.title)}[/]  [dim]#{hit.id} · {hit.section or ''} · {date}[/]"
        )
        out.print("  " + _marked_for_terminal(hit.snippet))
    if results.facets:
        out.print("\n" + " · ".join(f"{escape(f.name)} ({f.count})" for f in results.facets[:12]))
    return EXIT_OK


def _marked_for_terminal(snippet: str) -> str:
    """A snippet's HTML (<mark> around hits) as rich markup."""
    parts = re.split(r"(<mark>|</mark>)", snippet)
    styled = []
    for part in parts:
        if part == "<mark>":
            styled.append("[bold yellow]")
        elif part == "</mark>":
            styled.append("[/]")
        else:
            styled.append(escape(html.unescape(part)))
    return "".join(styled)


def cmd_annotate(archive: Archive, args: argparse.Namespace) -> int:
    import os

    from newsreader.core.annotations import AnnotationError

    try:
        made = archive.annotations.create_from_quote(
            args.id, args.quote, color=args.color, note=args.note or "", tags=args.tag,
            codes=args.code or None, coder=args.coder or os.environ.get("NEWSREADER_CODER", ""),
        )  # fmt: skip
    except AnnotationError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        _print_json(made.to_json())
    else:
        print(f"annotation #{made.id} on article #{made.article_id} at {made.start}–{made.end}")
    return EXIT_OK


def cmd_annotations(archive: Archive, args: argparse.Namespace) -> int:
    from newsreader.core.codebook import CodebookError

    try:
        views = archive.annotations.list(
            args.id, color=args.color, tag=args.tag, section=args.section, text=args.text,
            code=args.code, coder=args.coder,
        )  # fmt: skip
    except CodebookError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        _print_json([v.to_json() for v in views])
        return EXIT_OK
    out = _console(highlight=False)
    for v in views:
        where = f"{v.start}–{v.end}" if v.start is not None else "orphaned"
        out.print(f"[bold]#{v.id}[/] {escape(v.article_title)} [dim]({v.color}, {where})[/]")
        out.print(f"  “{escape(v.exact)}”")
        if v.note:
            out.print(f"  {escape(v.note)}")
        if v.tags:
            out.print(f"  [dim]tags: {escape(', '.join(v.tags))}[/]")
        if v.codes or v.coder:
            coder = f" · coder: {v.coder}" if v.coder else ""
            out.print(f"  [dim]codes: {escape(', '.join(v.codes) or '—')}{escape(coder)}[/]")
    if not views:
        out.print("no annotations")
    return EXIT_OK


def cmd_export_annotations(archive: Archive, args: argparse.Namespace) -> int:
    text = archive.annotations.export(args.format, args.id)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_import_annotations(archive: Archive, args: argparse.Namespace) -> int:
    from newsreader.core.annotations import AnnotationError

    try:
        summary = archive.annotations.import_jsonld(Path(args.file).read_text(encoding="utf-8"))
    except (AnnotationError, OSError, UnicodeDecodeError) as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    for reason in summary.failed:
        print(f"   failed  {reason}")
    print(
        f"{summary.imported} imported ({summary.orphaned} orphaned), "
        f"{summary.duplicate} already here, {len(summary.failed)} failed"
    )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def cmd_related(archive: Archive, args: argparse.Namespace) -> int:
    related = archive.related.for_article(args.id)
    if related is None:
        print(f"no article with id {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        _print_json([entry.to_json() for entry in related.all()])
        return EXIT_OK
    groups = [("From the page", related.page), ("Other versions of this story",
              related.duplicates), ("Similar in the archive", related.similar),
              ("Linked from", related.linked_from)]  # fmt: skip
    for heading, entries in groups:
        if not entries:
            continue
        print(heading)
        for e in entries:
            where = f"#{e.target_id}" if e.target_id else (e.url or "not in the archive")
            score = f"  ({e.score:.2f})" if e.score is not None else ""
            print(f"  - {e.title} [{where}]{score}")
    if not related.all():
        print("no related articles")
    return EXIT_OK


def cmd_sections(archive: Archive, args: argparse.Namespace) -> int:
    sections = archive.sections()
    if args.json:
        _print_json([{"key": s.key, "name": s.name, "count": s.count} for s in sections])
    else:
        for s in sections:
            print(f"{s.count:>7}  {s.name}")
    return EXIT_OK


def cmd_mark(archive: Archive, args: argparse.Namespace) -> int:
    if args.read is None and args.star is None:
        print("say what to mark: --read, --unread, --star or --unstar", file=sys.stderr)
        return EXIT_USAGE
    changed = True
    if args.read is not None:
        changed = archive.mark_read(args.id, args.read) and changed
    if args.star is not None:
        changed = archive.star(args.id, args.star) and changed
    if not changed:
        print(f"no article with id {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK


def cmd_delete(archive: Archive, args: argparse.Namespace) -> int:
    if not archive.delete(args.id):
        print(f"no article with id {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK


def cmd_codes(archive: Archive, args: argparse.Namespace) -> int:
    """The codebook: list, add, rename/recolour/describe/move, merge, delete."""
    from newsreader.core.codebook import CodebookError

    book = archive.codebook
    try:
        if args.action == "add":
            book.create(args.name, color=args.color, description=args.description or "",
                        parent=args.parent)  # fmt: skip
        elif args.action == "edit":
            book.update(args.code, name=args.name, color=args.color,
                        description=args.description, parent=args.parent,
                        no_parent=args.top)  # fmt: skip
        elif args.action == "merge":
            book.merge(args.code, args.into)
        elif args.action == "delete":
            book.delete(args.code)
        elif args.action == "code":
            names = book.set_codes(args.annotation, args.codes)
            print(f"annotation #{args.annotation}: {', '.join(names) or 'no codes'}")
            return EXIT_OK
    except CodebookError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    codes = book.list()
    if args.json:
        _print_json([c.to_json() for c in codes])
        return EXIT_OK
    depth: dict[int, int] = {}
    for code in codes:
        depth[code.id] = depth.get(code.parent_id or 0, -1) + 1 if code.parent_id else 0
    for key, code in enumerate(codes, 1):
        shortcut = str(key) if key <= 9 else " "
        print(f"{shortcut} {code.count:>6}  {'  ' * depth[code.id]}{code.name}  {code.color}")
    return EXIT_OK


def _show_index_progress(done: int, total: int) -> None:
    """A team member's first catch-up of the search index (it resumes if interrupted)."""
    print(f"newsreader: indexing the team archive for search: {done:,} of {total:,} articles",
          file=sys.stderr)  # fmt: skip


def _query_text(args: argparse.Namespace) -> str:
    return " ".join(getattr(args, "query", None) or [])


def cmd_concordance(archive: Archive, args: argparse.Namespace) -> int:
    """Every occurrence of the query's words, with N words of context each side."""
    import csv
    import itertools

    from newsreader.core.concordance import CSV_FIELDS, patterns_of, sort_lines

    query = _query_text(args)
    if not patterns_of(query):
        print('newsreader: give words or a "phrase" to find in context', file=sys.stderr)
        return EXIT_USAGE
    lines = archive.research.concordance(query, width=args.width)
    if args.sort != "article":
        lines = iter(sort_lines(lines, args.sort))
    if args.limit:
        lines = itertools.islice(lines, args.limit)
    if args.json:
        _print_json([line.to_json() for line in lines])
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for line in lines:
            writer.writerow(line.to_json())
    else:
        for line in lines:
            left = line.left[-60:].rjust(60)
            print(f"{left}  [{line.match}]  {line.right[:60]}   #{line.article_id}")
    return EXIT_OK


def cmd_stats(archive: Archive, args: argparse.Namespace) -> int:
    """Articles (or codings, with --split code) per week or month, as CSV."""
    from newsreader.core.stats import to_csv

    counts = archive.research.counts_over_time(_query_text(args), by=args.by, split=args.split)
    sys.stdout.write(to_csv(counts, args.split))
    return EXIT_OK


def cmd_export(archive: Archive, args: argparse.Namespace) -> int:
    from newsreader.core.exports import ExportError

    try:
        result = archive.research.export(
            args.format, Path(args.out), query=_query_text(args) or None, article_ids=args.article
        )
    except (ExportError, OSError) as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    notes = f" and {result.annotations} highlights" if result.annotations else ""
    print(f"{result.articles} articles{notes} written to {', '.join(map(str, result.paths))}")
    return EXIT_OK


def cmd_import_qda(archive: Archive, args: argparse.Namespace) -> int:
    """A REFI-QDA codebook (.qdc) or a project's codes and codings (.qdpx)."""
    from newsreader.core.refiqda import RefiQdaError

    path = Path(args.file)
    try:
        if path.suffix.lower() == ".qdc":
            summary = archive.research.import_qdc(path.read_bytes())
        else:
            summary = archive.research.import_qdpx(path)
    except (RefiQdaError, OSError) as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    for reason in summary.failed:
        print(f"   failed  {reason}")
    for name in summary.sources_missing:
        print(f"  missing  {name} (not in this archive)")
    print(f"{summary.codes_added} codes added, {summary.codes_matched} already here; "
          f"{summary.codings} codings imported on {summary.sources_matched} articles "
          f"({summary.orphaned} orphaned), {summary.duplicates} already here, "
          f"{len(summary.sources_missing)} sources missing")  # fmt: skip
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def cmd_agreement(archive: Archive, args: argparse.Namespace) -> int:
    results = archive.research.agreement(codes=args.codes or None, unit=args.unit)
    if args.json:
        _print_json([r.to_json() for r in results])
        return EXIT_OK
    if not results:
        print("no articles were highlighted by two or more coders")
        return EXIT_OK

    def figure(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    print(f"coders: {', '.join(results[0].coders)}; {results[0].articles} articles, "
          f"unit: {args.unit}")  # fmt: skip
    print(f"{'code':<30} {'units':>6} {'agreement':>10} {'alpha':>7}")
    for r in results:
        print(f"{r.code[:30]:<30} {r.units:>6} {figure(r.percent):>10} {figure(r.alpha):>7}")
    return EXIT_OK


def cmd_cite(archive: Archive, args: argparse.Namespace) -> int:
    from newsreader.core.citations import format_citation, quote_with_citation

    found = archive.research.cited_articles([args.id])
    if not found:
        print(f"no article with id {args.id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.quote:
        text = archive.get(args.id).text  # type: ignore[union-attr]
        needle = " ".join(args.quote.split())
        start = text.find(needle)
        if start < 0:
            print("newsreader: the quote is not in the article's text", file=sys.stderr)
            return EXIT_NOT_FOUND
        print(quote_with_citation(found[0], needle, start, start + len(needle), args.style))
    else:
        print(format_citation(found[0], args.style))
    return EXIT_OK


def cmd_reextract(archive: Archive, args: argparse.Namespace) -> int:
    service = archive.reextraction
    if args.all or args.flagged:
        ids = service.candidates(flagged_only=args.flagged and not args.all)
    elif args.ids:
        ids = list(dict.fromkeys(args.ids))
    else:
        print("newsreader reextract: give article ids, --all or --flagged", file=sys.stderr)
        return EXIT_USAGE
    results = service.run(ids)
    if args.all or args.flagged:
        service.acknowledge()
    if args.json:
        _print_json([r.to_json() for r in results])
    else:
        for r in results:
            print(f"#{r.article_id} {r.status}" + (f": {r.reason}" if r.reason else ""))
        statuses = [r.status for r in results]
        print(", ".join(f"{statuses.count(s)} {s}" for s in ("changed", "unchanged", "failed")))
    return EXIT_OK if all(r.status != "failed" for r in results) else EXIT_SOME_FAILED


def cmd_copy(archive: Archive, args: argparse.Namespace) -> int:
    """Copy (merge) this archive into another: SQLite or PostgreSQL, either way."""
    from newsreader.core.archive import Archive
    from newsreader.core.copying import copy_archive

    try:
        destination = resolve_archive_path(args.to)
    except ArchiveAddressError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_BAD_ARCHIVE
    created = isinstance(destination, Path) and not destination.exists()
    try:
        with Archive(destination) as target, _progress_bar(args) as bar:
            task = bar.add_task("Copying", total=None)
            report = copy_archive(
                archive, target, progress=lambda done, total: bar.update(
                    task, completed=done, total=total)
            )  # fmt: skip
    except BaseException:
        if created and isinstance(destination, Path):  # nothing half-copied is left
            for leftover in (destination, *destination.parent.glob(destination.name + "-*")):
                leftover.unlink(missing_ok=True)
        raise
    if args.json:
        _print_json(report.to_json())
    else:
        for name, count in report.tables.items():
            if count.copied or count.matched or count.updated:
                updated = f", {count.updated} updated" if count.updated else ""
                print(f"{name}: {count.copied} copied, {count.matched} already there{updated}")
        verdict = "all equal" if report.ok else "MISMATCHES"
        print(
            f"read back and compared {report.verified} articles and highlights "
            f"({report.seconds:.1f} s): {verdict}"
        )
        for line in report.mismatches[:20]:
            print(f"  {line}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


def cmd_team(archive: Archive, args: argparse.Namespace) -> int:
    """A team archive's members: make it one (init), add or change a member, list them."""
    from newsreader.core import team

    if args.action == "init":
        found = archive.team.init()
    elif args.action == "add-member":
        found = [archive.team.add_member(args.name, args.role)]
    else:
        found = archive.team.members()
    if args.json:
        _print_json([{"name": m.name, "role": m.role} for m in found])
    else:
        for member in found:
            print(f"{member.name}\t{member.role}\t{team.ROLE_DESCRIPTIONS[member.role]}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--archive", metavar="PATH", default=argparse.SUPPRESS,
        help="archive file (default: $NEWSREADER_ARCHIVE or the user data folder)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="newsreader", parents=[common],
        description="A desktop newsreader with an offline archive. Without a command, "
        "opens the app.",
    )  # fmt: skip
    parser.add_argument("--open", type=int, metavar="ID", help="open this article in the app")
    parser.add_argument(
        "--screenshot", metavar="PNG",
        help="render the window offscreen (with --open's article), save it as PNG, and exit",
    )  # fmt: skip
    parser.add_argument("--theme", choices=["system", "light", "dark", "sepia"],
                        help="the app's theme for this run")  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "import", aliases=["save"], parents=[common],
        help="import files, folders, other apps' exports, web archives, or web addresses",
    )  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--json", action="store_true", help="print the per-item report as JSON")
    p.add_argument("--report", metavar="FILE", help="also write the JSON report to FILE")
    p.add_argument("--workers", type=int, default=None, help="extraction processes")
    p.add_argument("-v", "--verbose", action="store_true", help="list every item")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("fetch-queue", parents=[common], help="fetch queued web addresses")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="list every item")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_fetch_queue)

    p = sub.add_parser("offline", parents=[common], help="work offline: on, off, or show")
    p.add_argument("state", nargs="?", choices=["on", "off"])
    p.set_defaults(handler=cmd_offline)

    p = sub.add_parser("feeds", parents=[common], help="feed subscriptions")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser(
        "list", parents=[common], help="subscriptions with unread counts and state"
    )
    a.add_argument("--json", action="store_true")
    a = actions.add_parser(
        "add", parents=[common], help="subscribe by a feed's or a page's address"
    )
    a.add_argument("url")
    a.add_argument("--folder")
    a = actions.add_parser(
        "refresh", parents=[common], help="fetch new items (all feeds, or these ids)"
    )
    a.add_argument("ids", nargs="*", type=int)
    a = actions.add_parser(
        "read", parents=[common], help="mark a feed's or a folder's articles read"
    )
    a.add_argument("id", type=int, nargs="?")
    a.add_argument("--folder")
    a.add_argument("--all", action="store_true", help="every feed's articles")
    a = actions.add_parser("remove", parents=[common], help="unsubscribe (articles stay)")
    a.add_argument("id", type=int)
    a = actions.add_parser(
        "import-opml", parents=[common], help="subscribe to an OPML file's feeds"
    )
    a.add_argument("file")
    a = actions.add_parser("export-opml", parents=[common], help="write the subscriptions as OPML")
    a.add_argument("--out", metavar="PATH")
    p.set_defaults(handler=cmd_feeds, json=False)

    p = sub.add_parser("list", parents=[common], help="list articles")
    p.add_argument("--section", help="only this section")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument(
        "--sort", choices=["saved", "published", "title", "section", "source"], default="saved"
    )
    p.add_argument("--ascending", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one article")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("search", parents=[common], help="search the archive")
    p.add_argument("query", nargs="+", help='words, "phrases", -exclusions, OR, prefix*, filters')
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--no-facets", action="store_true", help="skip the counts per section")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("annotate", parents=[common], help="highlight a quote of an article")
    p.add_argument("id", type=int)
    p.add_argument("--quote", required=True, help="the text to highlight, as in the article")
    p.add_argument("--note", help="a note on the highlight")
    p.add_argument("--color", default="yellow", help="yellow, green, blue, pink or purple")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    p.add_argument(
        "--code",
        action="append",
        default=[],
        help="a code of the codebook (repeatable; default: the colour's code)",
    )
    p.add_argument("--coder", help="who coded it (default: $NEWSREADER_CODER)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_annotate)

    p = sub.add_parser("annotations", parents=[common], help="list annotations")
    p.add_argument("id", type=int, nargs="?", help="only this article's")
    p.add_argument("--color")
    p.add_argument("--tag")
    p.add_argument("--section")
    p.add_argument("--text", help="only those whose quote or note contains this")
    p.add_argument("--code", help="only those with this code")
    p.add_argument("--coder", help="only this coder's")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_annotations)

    p = sub.add_parser("codes", parents=[common], help="the codebook: list, add, edit, merge")
    p.add_argument("--json", action="store_true")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("list", parents=[common], help="codes with their counts")
    a = actions.add_parser("add", parents=[common], help="a new code")
    a.add_argument("name")
    a.add_argument("--color", help="#rrggbb")
    a.add_argument("--description")
    a.add_argument("--parent", help="the code it sits under")
    a = actions.add_parser("edit", parents=[common], help="rename, recolour, describe, move")
    a.add_argument("code", help="name or id")
    a.add_argument("--name", help="the new name")
    a.add_argument("--color", help="#rrggbb")
    a.add_argument("--description")
    a.add_argument("--parent", help="move under this code")
    a.add_argument("--top", action="store_true", help="move to the top level")
    a = actions.add_parser("merge", parents=[common], help="fold a code into another")
    a.add_argument("code")
    a.add_argument("into")
    a = actions.add_parser("delete", parents=[common], help="delete a code and its codings")
    a.add_argument("code")
    a = actions.add_parser("code", parents=[common], help="set a highlight's codes")
    a.add_argument("annotation", type=int)
    a.add_argument("codes", nargs="*")
    p.set_defaults(handler=cmd_codes)

    p = sub.add_parser("concordance", parents=[common],
                       help="every occurrence of the words, in context (KWIC)")  # fmt: skip
    p.add_argument("query", nargs="+", help='our search language; "quoted" = exact forms')
    p.add_argument("--width", type=int, default=5, help="words of context each side")
    p.add_argument(
        "--sort",
        choices=["article", "left", "right", "date", "section"],
        default="article",
        help="order of the lines (default: newest article first)",
    )
    p.add_argument("--limit", type=int, default=0, help="at most this many lines")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(handler=cmd_concordance)

    p = sub.add_parser("stats", parents=[common], help="counts over time, as CSV")
    p.add_argument("query", nargs="*", help="a search (none: the whole archive)")
    p.add_argument("--by", choices=["week", "month"], default="month")
    p.add_argument(
        "--split",
        choices=["section", "source", "code"],
        help="a column per section or source; code: codings per code",
    )
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("export", parents=[common],
                       help="articles as a QDA project, references or a corpus")  # fmt: skip
    p.add_argument("query", nargs="*", help="a search selecting the articles (none: all)")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("--article", type=int, action="append", metavar="ID", help="(repeatable)")
    p.add_argument("--out", metavar="PATH", required=True)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import-qda", parents=[common],
                       help="a REFI-QDA codebook (.qdc) or project's codings (.qdpx)")  # fmt: skip
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_import_qda)

    p = sub.add_parser("agreement", parents=[common],
                       help="agreement between coders per code (Krippendorff's alpha)")  # fmt: skip
    p.add_argument("--codes", nargs="+", metavar="CODE", help="only these codes")
    p.add_argument("--unit", choices=["sentence", "paragraph"], default="sentence")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agreement)

    p = sub.add_parser("cite", parents=[common], help="an article's citation (or a quote's)")
    p.add_argument("id", type=int)
    p.add_argument("--style", choices=["apa", "chicago", "mla"], default="apa")
    p.add_argument("--quote", help="a passage of the article to quote with the citation")
    p.set_defaults(handler=cmd_cite)

    p = sub.add_parser("export-annotations", parents=[common], help="export annotations")
    p.add_argument("--format", choices=["md", "jsonld", "csv"], default="md")
    p.add_argument("--article", dest="id", type=int, help="only this article's")
    p.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")
    p.set_defaults(handler=cmd_export_annotations)

    p = sub.add_parser("import-annotations", parents=[common], help="import W3C JSON-LD")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_import_annotations)

    p = sub.add_parser("related", parents=[common], help="an article's related articles")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_related)

    p = sub.add_parser("sections", parents=[common], help="sections and their counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_sections)

    p = sub.add_parser("mark", parents=[common], help="mark read/unread, star/unstar")
    p.add_argument("id", type=int)
    p.add_argument("--read", dest="read", action="store_true", default=None)
    p.add_argument("--unread", dest="read", action="store_false")
    p.add_argument("--star", dest="star", action="store_true", default=None)
    p.add_argument("--unstar", dest="star", action="store_false")
    p.set_defaults(handler=cmd_mark)

    p = sub.add_parser(
        "reextract", parents=[common],
        help="extract articles again from their kept original pages (changed text: new version)",
    )  # fmt: skip
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all", action="store_true", help="every article with a kept original")
    p.add_argument("--flagged", action="store_true", help="those marked 'may be incomplete'")
    p.add_argument("--json", action="store_true", help="print the per-article report as JSON")
    p.set_defaults(handler=cmd_reextract)

    p = sub.add_parser(
        "copy", help="copy an archive into another (SQLite or PostgreSQL), merging by identity",
    )  # fmt: skip
    p.add_argument("--from", dest="archive", metavar="ARCHIVE", required=True,
                   help="the archive to copy (a file, or a postgresql:// address)")  # fmt: skip
    p.add_argument("--to", required=True, metavar="ARCHIVE",
                   help="where to copy it: a new or existing archive, merged into")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_copy, must_exist=True)

    p = sub.add_parser("team", parents=[common], help="a team archive's members and roles")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "init", parents=[common], help="make this PostgreSQL archive a team archive (you: owner)"
    )
    a = actions.add_parser("add-member", parents=[common], help="add a member, or change a role")
    a.add_argument("name", help="the member's PostgreSQL login (created if missing)")
    a.add_argument("--role", required=True, choices=["reader", "annotator", "editor", "owner"])
    actions.add_parser("members", parents=[common], help="list the members and their roles")
    for a in actions.choices.values():
        a.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=cmd_team)

    p = sub.add_parser("delete", parents=[common], help="delete an article")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_delete)
    return parser


def main(
    argv: Sequence[str] | None = None,
    open_gui: Callable[[Path | str, list[str]], int] | None = None,
) -> int:
    """Run a command, or without one hand the archive and the window's arguments to
    `open_gui` (the entry point's, which loads the UI; this module never does)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    links = [a for a in argv if a.startswith("newsreader://")]
    span: list[str] = []
    if links:  # the app as the handler of its own links: open the article at the passage
        from newsreader.core.citations import parse_article_link

        parsed = parse_article_link(links[-1])
        if parsed is None:
            print(f"newsreader: not a link to an article: {links[-1]}", file=sys.stderr)
            return EXIT_USAGE
        article_id, start, end = parsed
        argv = [a for a in argv if not a.startswith("newsreader://")] + ["--open", str(article_id)]
        span = [f"--newsreader-span={start},{end}"] if start is not None else []
    args, rest = build_parser().parse_known_args(argv)
    rest += span
    try:
        archive_path = resolve_archive_path(getattr(args, "archive", None))
    except ArchiveAddressError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_BAD_ARCHIVE
    if args.command is None:
        if open_gui is None:
            print("newsreader: no window here; the `newsreader` command opens it",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        if args.screenshot:
            rest = [*rest, f"--newsreader-screenshot={args.screenshot}"]
        if args.open is not None:
            rest = [*rest, f"--newsreader-open={args.open}"]
        if args.theme:
            rest = [*rest, f"--newsreader-theme={args.theme}"]
        return open_gui(archive_path, rest)
    if rest:
        build_parser().error(f"unrecognized arguments: {' '.join(rest)}")
    must_exist = getattr(args, "must_exist", False)
    if must_exist and isinstance(archive_path, Path) and not archive_path.exists():
        print(f"newsreader: there is no archive at {archive_path}", file=sys.stderr)
        return EXIT_BAD_ARCHIVE
    from newsreader.core.archive import Archive

    try:
        archive = Archive(archive_path)
    except ArchiveError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return EXIT_BAD_ARCHIVE
    archive.index_progress = _show_index_progress
    with archive:
        try:
            return int(args.handler(archive, args))
        except KeyboardInterrupt:
            print("newsreader: interrupted; what was saved stays saved", file=sys.stderr)
            return EXIT_INTERRUPTED
        except ArchiveError as error:
            print(f"newsreader: {error}", file=sys.stderr)
            return EXIT_BAD_ARCHIVE
