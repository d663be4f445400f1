"""Copying one archive into another — SQLite or PostgreSQL, either way — and merging.

Rows keep their ids wherever the target has those ids free (in a new target, all of them),
so `newsreader://article/ID` links in exported notes survive a move. Everything is matched
in the target by what identifies it first — articles by URL (by content hash when they have
none), highlights and codes by uuid, tags by name, assets by their bytes' hash — so copying
back and forth never duplicates: a researcher's offline copy of a team archive brings its
new highlights home, and a highlight edited on both sides keeps the later edit.
Read and starred marks travel with their member: the copying member's own become theirs
under their name in the target (a login on a team server, a name in Preferences at home);
other members' are copied as they are, except into a team archive, where each member
keeps their own marks only (the server's rule) — those are counted as left out.

Each batch of articles is written in one transaction with everything that belongs to them,
then read back and compared with the source, so an interrupted copy leaves whole articles
only, and running it again finishes it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select, tuple_, update

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.core.models import (
    Annotation,
    AnnotationCode,
    Article,
    ArticleAsset,
    ArticleOriginal,
    ArticleTag,
    ArticleVersion,
    Asset,
    Base,
    Code,
    Feed,
    FeedItem,
    MemberState,
    QueuedUrl,
    RelatedLink,
    SavedSearch,
    Section,
    Source,
    Tag,
)

BATCH = 500

# What identifies a row of each table that is matched rather than copied blindly (the
# unique columns, tried in turn), in the order tables are copied: a table comes after
# every table it points to.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    Source.__tablename__: ("key",),
    Section.__tablename__: ("key",),
    Tag.__tablename__: ("name",),
    Code.__tablename__: ("uuid", "name"),  # a code made on both sides under one name is one
    Feed.__tablename__: ("url",),
    SavedSearch.__tablename__: ("name",),
    QueuedUrl.__tablename__: ("url",),
    Asset.__tablename__: ("sha256",),
}
# Rows an article owns: copied with an article the target did not have, never merged
# into one it had (its own versions, page, images and links stay as they are).
OWNED_BY_ARTICLE = (ArticleVersion, ArticleOriginal, ArticleAsset, RelatedLink)
# Not copied: the search queue (the target's triggers fill it), the similar-articles cache
# (recomputed), archive-wide facts such as the search index's state, and the members'
# settings (the article open last: a place in that archive, not a fact of the articles).
NOT_COPIED = frozenset({"search_queue", "similar_cache", "archive_meta", "member_settings"})


@dataclass
class TableCount:
    copied: int = 0  # new in the target
    matched: int = 0  # already there
    updated: int = 0  # already there, older than the source's: replaced (highlights, marks)
    left_out: int = 0  # not the target's to hold (another member's marks on a team archive)

    def to_json(self) -> dict[str, int]:
        return {"copied": self.copied, "matched": self.matched, "updated": self.updated,
                "left_out": self.left_out}  # fmt: skip


@dataclass
class CopyReport:
    tables: dict[str, TableCount] = field(default_factory=dict)
    verified: int = 0  # articles and highlights read back from the target and compared
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def count(self, table: str) -> TableCount:
        return self.tables.setdefault(table, TableCount())

    def to_json(self) -> dict[str, Any]:
        articles = self.tables.get("articles", TableCount())
        return {
            "ok": self.ok,
            "tables": {name: c.to_json() for name, c in self.tables.items()},
            "verified": self.verified,
            "mismatches": self.mismatches,
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(
                (articles.copied + articles.matched) / self.seconds if self.seconds else 0.0, 1
            ),
        }


Progress = Callable[[int, int], None]  # (articles done, articles in all)


def copy_archive(source: Archive, target: Archive, progress: Progress | None = None) -> CopyReport:
    """Copy (merge) everything of `source` into `target`; the report says what and how."""
    started = time.perf_counter()
    report = CopyReport()
    ids: dict[str, dict[int, int]] = {}  # table → source id → target id
    with source.reading() as reading:
        src = reading.connection()
        with target.writing() as writing:
            dst = writing.connection()
            for name in NATURAL_KEYS:
                _copy_keyed(src, dst, Base.metadata.tables[name], ids, report)
            _relink_codes(src, dst, ids)
        total = src.execute(select(func.count()).select_from(Article)).scalar_one()
        pending_links: list[tuple[int, int]] = []  # (target link id, source target article)
        done = 0
        for batch in _batches(src, _table(Article)):
            with target.writing() as writing:
                dst = writing.connection()
                new = _copy_articles(src, dst, batch, ids, report)
                _copy_owned(src, dst, new, ids, report, pending_links)
                _merge_article_tags(src, dst, [row["id"] for row in batch], ids, report)
                _merge_marks(src, dst, [row["id"] for row in batch], ids, report,
                             (source.member, target.member), others=not target.is_team)  # fmt: skip
            _verify_articles(target, batch, new, ids, report)
            done += len(batch)
            if progress:
                progress(done, total)
        with target.writing() as writing:
            dst = writing.connection()
            _resolve_links(dst, pending_links, ids)
            for batch in _batches(src, _table(Annotation)):
                _merge_annotations(src, dst, batch, ids, report)
            _copy_feed_items(src, dst, ids, report)
            db.sync_id_sequences(dst)
        _verify_annotations(source, target, report)
    report.seconds = time.perf_counter() - started
    return report


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


# -- reading ----------------------------------------------------------------------------


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(query)]


def _batches(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """Every row of `table` by id, a batch at a time (seeking, so the last is as fast)."""
    last = None
    while True:
        query = select(table).order_by(table.c.id).limit(BATCH)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = _rows(conn, query)
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def _in_chunks(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- writing ----------------------------------------------------------------------------


def _remapped(table: Table, row: dict[str, Any], ids: dict[str, dict[int, int]]) -> dict[str, Any]:
    """The row with every reference to another table turned into the target's id (None
    where the referenced row is not in the target: a link to an article not copied yet)."""
    values = dict(row)
    for key in table.foreign_keys:
        column = key.parent.name
        if values.get(column) is not None:
            values[column] = ids.get(key.column.table.name, {}).get(values[column])
    return values


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows, keeping each one's id where the target has it free; the ids they got."""
    if not rows:
        return []
    wanted = [row["id"] for row in rows]
    taken: set[int] = set()
    for chunk in _in_chunks(wanted):
        taken.update(conn.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    keep = [row for row in rows if row["id"] not in taken]
    db.bulk_insert(conn, table, keep)
    got = {row["id"]: row["id"] for row in keep}
    moved = [row for row in rows if row["id"] in taken]
    if moved:
        db.sync_id_sequences(conn, [table.name])
        fresh = conn.execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True),
            [{k: v for k, v in row.items() if k != "id"} for row in moved],
        ).scalars()
        got.update(zip((row["id"] for row in moved), fresh, strict=True))
    return [got[i] for i in wanted]


def _copy_keyed(
    src: Connection, dst: Connection, table: Table, ids: dict[str, dict[int, int]],
    report: CopyReport,
) -> None:  # fmt: skip
    """Copy the rows of a table whose rows are matched by a natural key."""
    mapping = ids.setdefault(table.name, {})
    count = report.count(table.name)
    for batch in _batches(src, table):
        rows = [_remapped(table, row, ids) for row in batch]
        if table.name == Code.__tablename__:
            for row in rows:
                row["parent_id"] = None  # set once every code is in (_relink_codes)
        for key in NATURAL_KEYS[table.name]:
            found = _existing(dst, table, [table.c[key]], [(row[key],) for row in rows])
            for row in rows:
                if (row[key],) in found:
                    mapping.setdefault(row["id"], found[(row[key],)])
        new = [row for row in rows if row["id"] not in mapping]
        mapping.update(zip((row["id"] for row in new), _insert(dst, table, new), strict=True))
        count.copied += len(new)
        count.matched += len(rows) - len(new)


def _existing(
    conn: Connection, table: Table, columns: list[Any], keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], int]:
    """Natural key → id of the rows the target already has among `keys`."""
    found: dict[tuple[Any, ...], int] = {}
    for chunk in _in_chunks(keys):
        where = tuple_(*columns).in_(chunk) if len(columns) > 1 else columns[0].in_(
            [k[0] for k in chunk])  # fmt: skip
        for row in conn.execute(select(table.c.id, *columns).where(where)):
            found[tuple(row[1:])] = row[0]
    return found


def _relink_codes(src: Connection, dst: Connection, ids: dict[str, dict[int, int]]) -> None:
    """Give copied codes their parents, now that every code has its target id."""
    codes = ids.get(Code.__tablename__, {})
    for code_id, parent_id in src.execute(
        select(Code.id, Code.parent_id).where(Code.parent_id.is_not(None))
    ):
        if parent_id in codes:
            dst.execute(
                update(Code)
                .where(Code.id == codes[code_id], Code.parent_id.is_(None))
                .values(parent_id=codes[parent_id])
            )


def _copy_articles(
    src: Connection, dst: Connection, batch: list[dict[str, Any]],
    ids: dict[str, dict[int, int]], report: CopyReport,
) -> list[int]:  # fmt: skip
    """Copy a batch of articles the target lacks; the source ids of those copied."""
    table = _table(Article)
    mapping = ids.setdefault("articles", {})
    by_url = _existing(dst, table, [table.c.url], [(r["url"],) for r in batch if r["url"]])
    hashes = [(r["content_hash"],) for r in batch if not r["url"]]
    by_hash = _existing(dst, table, [table.c.content_hash], hashes) if hashes else {}
    new = []
    for row in batch:
        match = by_url.get((row["url"],)) if row["url"] else by_hash.get((row["content_hash"],))
        if match is not None:
            mapping[row["id"]] = match
        else:
            new.append(_remapped(table, row, ids))
    mapping.update(zip((row["id"] for row in new), _insert(dst, table, new), strict=True))
    count = report.count("articles")
    count.copied += len(new)
    count.matched += len(batch) - len(new)
    return [row["id"] for row in new]


def _copy_owned(
    src: Connection, dst: Connection, article_ids: list[int], ids: dict[str, dict[int, int]],
    report: CopyReport, pending_links: list[tuple[int, int]],
) -> None:  # fmt: skip
    """Copy the versions, original page, images and links of newly copied articles."""
    if not article_ids:
        return
    for model in OWNED_BY_ARTICLE:
        table = _table(model)
        got: list[int] = []
        rows = _rows(src, select(table).where(table.c.article_id.in_(article_ids)))
        values = [_remapped(table, row, ids) for row in rows]
        if "id" in table.c:
            got = _insert(dst, table, values)
        else:
            db.bulk_insert(dst, table, values)
        if model is RelatedLink:  # `got` holds their ids in the target
            articles = ids.get("articles", {})
            pending_links.extend(
                (link_id, row["target_id"])
                for link_id, row in zip(got, rows, strict=True)
                if row["target_id"] is not None and row["target_id"] not in articles
            )
        report.count(table.name).copied += len(rows)


def _merge_article_tags(
    src: Connection, dst: Connection, article_ids: list[int], ids: dict[str, dict[int, int]],
    report: CopyReport,
) -> None:  # fmt: skip
    """Give the target's articles every tag the source's have (a union, never a removal)."""
    table = _table(ArticleTag)
    rows = [_remapped(table, row, ids) for row in _rows(
        src, select(table).where(table.c.article_id.in_(article_ids)))]  # fmt: skip
    if not rows:
        return
    have = {
        (a, t)
        for a, t in dst.execute(
            select(table.c.article_id, table.c.tag_id).where(
                table.c.article_id.in_({row["article_id"] for row in rows})
            )
        )
    }
    new = [row for row in rows if (row["article_id"], row["tag_id"]) not in have]
    db.bulk_insert(dst, table, new)
    count = report.count(table.name)
    count.copied += len(new)
    count.matched += len(rows) - len(new)


def _merge_marks(
    src: Connection, dst: Connection, article_ids: list[int], ids: dict[str, dict[int, int]],
    report: CopyReport, members: tuple[str, str], *, others: bool,
) -> None:  # fmt: skip
    """The members' read and starred marks on these articles; where the target has the
    member's marks on an article already, the later change wins (as for highlights)."""
    table = _table(MemberState)
    count = report.count(table.name)
    rows = []
    for row in _rows(src, select(table).where(table.c.article_id.in_(article_ids))):
        if row["member"] == members[0]:
            row["member"] = members[1]
        elif not others:
            count.left_out += 1
            continue
        rows.append(_remapped(table, row, ids))
    rows = [row for row in rows if row["article_id"] is not None]
    if not rows:
        return
    have = {
        (member, article): changed
        for member, article, changed in dst.execute(
            select(table.c.member, table.c.article_id, table.c.changed_at).where(
                table.c.article_id.in_({row["article_id"] for row in rows})
            )
        )
    }
    new = [row for row in rows if (row["member"], row["article_id"]) not in have]
    db.bulk_insert(dst, table, new)
    count.copied += len(new)
    for row in rows:
        changed = have.get((row["member"], row["article_id"]))
        if changed is None:
            continue
        if changed >= row["changed_at"]:
            count.matched += 1
            continue
        dst.execute(
            update(table)
            .where(table.c.member == row["member"], table.c.article_id == row["article_id"])
            .values(is_read=row["is_read"], is_starred=row["is_starred"],
                    changed_at=row["changed_at"])
        )  # fmt: skip
        count.updated += 1


def _resolve_links(
    dst: Connection, pending: list[tuple[int, int]], ids: dict[str, dict[int, int]]
) -> None:
    """Point related links at articles that were copied after the article linking them."""
    articles = ids.get("articles", {})
    for link_id, target in pending:
        if target in articles:
            dst.execute(
                update(RelatedLink).where(RelatedLink.id == link_id)
                .values(target_id=articles[target])
            )  # fmt: skip


def _merge_annotations(
    src: Connection, dst: Connection, batch: list[dict[str, Any]],
    ids: dict[str, dict[int, int]], report: CopyReport,
) -> None:  # fmt: skip
    """Highlights by uuid: new ones are copied, the later edit of one on both sides wins."""
    table = _table(Annotation)
    found = {
        uuid: (annotation_id, updated_at)
        for annotation_id, uuid, updated_at in dst.execute(
            select(table.c.id, table.c.uuid, table.c.updated_at).where(
                table.c.uuid.in_([row["uuid"] for row in batch])
            )
        )
    }
    mapping = ids.setdefault(table.name, {})
    count = report.count(table.name)
    new, changed = [], []
    for row in batch:
        values = _remapped(table, row, ids)
        if row["uuid"] not in found:
            new.append(values)
            continue
        target_id, updated_at = found[row["uuid"]]
        mapping[row["id"]] = target_id
        if row["updated_at"] > updated_at:
            values.pop("id")
            dst.execute(update(table).where(table.c.id == target_id).values(values))
            changed.append(row["id"])
            count.updated += 1
        else:
            count.matched += 1
    mapping.update(zip((row["id"] for row in new), _insert(dst, table, new), strict=True))
    count.copied += len(new)
    _merge_codings(src, dst, [row["id"] for row in new] + changed, ids, report)


def _merge_codings(
    src: Connection, dst: Connection, annotation_ids: list[int],
    ids: dict[str, dict[int, int]], report: CopyReport,
) -> None:  # fmt: skip
    table = _table(AnnotationCode)
    if not annotation_ids:
        return
    rows = [_remapped(table, row, ids) for row in _rows(
        src, select(table).where(table.c.annotation_id.in_(annotation_ids)))]  # fmt: skip
    have = set(dst.execute(select(table.c.annotation_id, table.c.code_id).where(
        table.c.annotation_id.in_({row["annotation_id"] for row in rows}))))  # fmt: skip
    new = [row for row in rows if (row["annotation_id"], row["code_id"]) not in have]
    db.bulk_insert(dst, table, new)
    report.count(table.name).copied += len(new)


def _copy_feed_items(
    src: Connection, dst: Connection, ids: dict[str, dict[int, int]], report: CopyReport
) -> None:
    """Which feed entries were seen, so a refresh in the target saves no item twice."""
    table = _table(FeedItem)
    count = report.count(table.name)
    for batch in _batches(src, table):
        rows = [_remapped(table, row, ids) for row in batch]
        found = _existing(
            dst, table, [table.c.feed_id, table.c.guid],
            [(row["feed_id"], row["guid"]) for row in rows],
        )  # fmt: skip
        new = [row for row in rows if (row["feed_id"], row["guid"]) not in found]
        _insert(dst, table, new)
        count.copied += len(new)
        count.matched += len(rows) - len(new)


# -- verifying --------------------------------------------------------------------------


def _digest(*parts: Any) -> bytes:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()


def _verify_articles(
    target: Archive, batch: list[dict[str, Any]], new: list[int],
    ids: dict[str, dict[int, int]], report: CopyReport,
) -> None:  # fmt: skip
    """Read the copied articles back from the target and compare them with the source."""
    mapping = ids["articles"]
    copied = set(new)
    expected = {
        mapping[row["id"]]: _digest(row["title"], row["text"], row["content_hash"])
        for row in batch
        if row["id"] in copied
    }
    with target.reading() as session:
        rows = session.execute(
            select(Article.id, Article.title, Article.text, Article.content_hash).where(
                Article.id.in_(list(expected))
            )
        )
        actual = {row[0]: _digest(*row[1:]) for row in rows}
    for row in batch:
        target_id = mapping.get(row["id"])
        if target_id is None:
            report.mismatches.append(f"article #{row['id']} is missing from the target")
        elif target_id in expected and actual.get(target_id) != expected[target_id]:
            report.mismatches.append(f"article #{row['id']} differs in the target")
    report.verified += len(expected)


def _verify_annotations(source: Archive, target: Archive, report: CopyReport) -> None:
    """Every highlight of the source is in the target, by uuid, with its quote and note
    (unless the target's copy is the later edit)."""
    columns = (Annotation.uuid, Annotation.exact, Annotation.note, Annotation.updated_at)
    with source.reading() as session:
        theirs = {row[0]: row[1:] for row in session.execute(select(*columns))}
    ours: dict[str, Any] = {}
    with target.reading() as session:
        for chunk in _in_chunks(list(theirs)):
            query = select(*columns).where(Annotation.uuid.in_(chunk))
            ours.update({row[0]: row[1:] for row in session.execute(query)})
    for uuid, (exact, note, updated_at) in theirs.items():
        mine = ours.get(uuid)
        if mine is None:
            report.mismatches.append(f"highlight {uuid} is missing from the target")
        elif mine[2] <= updated_at and mine[:2] != (exact, note):
            report.mismatches.append(f"highlight {uuid} differs in the target")
    report.verified += len(theirs)
