"""Each member's own marks on articles — read, starred — and their archive-bound settings.

The marks live in `member_states` (one row per member and article that has a mark; no row
means unread and not starred), so on a team archive one member's reading never empties
another's Unread. Every query here is the same SQL on SQLite and PostgreSQL: both take
`INSERT … ON CONFLICT … DO UPDATE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import Connection, and_, delete, exists, select, text, update

from newsreader.core.models import Article, MemberSetting, MemberState, utcnow

Mark = Literal["is_read", "is_starred"]
CHUNK = 1_000  # ids per statement
MARKS: tuple[Mark, ...] = ("is_read", "is_starred")


def has_mark(member: str, mark: Mark) -> Any:
    """True for the articles (of the query it sits in) this member gave the mark: an
    index lookup per article on the (member, article_id) key."""
    return exists().where(
        MemberState.article_id == Article.id,
        MemberState.member == member,
        getattr(MemberState, mark).is_(True),
    )


def marked_ids(member: str, mark: Mark) -> Any:
    """The ids of the articles this member gave the mark (few: read from the member's rows)."""
    return select(MemberState.article_id).where(
        MemberState.member == member, getattr(MemberState, mark).is_(True)
    )


def only_read(query: Any, member: str) -> Any:
    """`query` over articles narrowed to those this member marked read. Unread counts are
    a total less this: both read an index, where counting "no mark" would look up every
    article's row."""
    return query.join(MemberState, and_(MemberState.article_id == Article.id,
                                        MemberState.member == member,
                                        MemberState.is_read.is_(True)))  # fmt: skip


def _upsert(mark: Mark, source: str) -> Any:
    """Insert or change one mark; `txid` takes the writing transaction's id where the
    column has it as default (PostgreSQL), and stays empty elsewhere."""
    return text(
        "INSERT INTO member_states (member, article_id, is_read, is_starred, changed_at) "
        f"{source} ON CONFLICT (member, article_id) DO UPDATE "
        f"SET {mark} = excluded.{mark}, changed_at = excluded.changed_at, txid = excluded.txid"
    )


def set_mark(
    conn: Connection, member: str, article_ids: Iterable[int], mark: Mark, on: bool
) -> int:
    """Give (or take) one mark on these articles; how many articles exist to take it."""
    ids, marked = list(article_ids), 0
    for start in range(0, len(ids), CHUNK):  # a statement's parameters are limited
        chunk = ids[start : start + CHUNK]
        found = conn.execute(select(Article.id).where(Article.id.in_(chunk))).scalars().all()
        rows = [
            {"member": member, "article_id": i, "read": mark == "is_read" and on,
             "starred": mark == "is_starred" and on, "at": utcnow()}
            for i in found
        ]  # fmt: skip
        if rows:
            conn.execute(_upsert(mark, "VALUES (:member, :article_id, :read, :starred, :at)"),
                         rows)  # fmt: skip
        marked += len(rows)
    return marked


def mark_all(conn: Connection, member: str, where: Any, mark: Mark = "is_read") -> int:
    """Give a mark to every article matching `where` (a feed's, say) that lacks it; how
    many that were."""
    unmarked = conn.execute(select(Article.id).where(where, ~has_mark(member, mark)))
    return set_mark(conn, member, unmarked.scalars().all(), mark, True)


def marks_of(conn: Connection, member: str, article_id: int) -> tuple[bool, bool]:
    """(read, starred) of one article for this member."""
    row = conn.execute(
        select(MemberState.is_read, MemberState.is_starred).where(
            and_(MemberState.member == member, MemberState.article_id == article_id)
        )
    ).first()
    return (bool(row[0]), bool(row[1])) if row is not None else (False, False)


def setting(conn: Connection, member: str, key: str) -> str | None:
    return conn.scalar(
        select(MemberSetting.value).where(MemberSetting.member == member, MemberSetting.key == key)
    )


def set_setting(conn: Connection, member: str, key: str, value: str) -> None:
    conn.execute(
        text(
            "INSERT INTO member_settings (member, key, value) VALUES (:member, :key, :value) "
            "ON CONFLICT (member, key) DO UPDATE SET value = excluded.value"
        ),
        {"member": member, "key": key, "value": value},
    )


def rename_member(conn: Connection, old: str, new: str) -> None:
    """Carry one member's marks and settings over to a new name (a personal archive's
    reader naming themself in Preferences). Where the new name has a row of its own for
    the same article or setting, that row stays; the rest of the old name's join it."""
    tables: tuple[tuple[Any, Any], ...] = (
        (MemberState, MemberState.article_id),
        (MemberSetting, MemberSetting.key),
    )
    for table, key in tables:
        taken = select(key).where(table.member == new)
        conn.execute(update(table).where(table.member == old, key.not_in(taken))
                     .values(member=new))  # fmt: skip
        conn.execute(delete(table).where(table.member == old))
