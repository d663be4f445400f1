"""Each member's own marks on articles — read, starred — and their archive-bound settings.

The marks live in `member_states` (one row per member and article that has a mark; no row
means unread and not starred), so on a team archive one member's reading never empties
another's Unread. Every query here is the same SQL on SQLite and PostgreSQL: both take
`INSERT … ON CONFLICT … DO UPDATE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import Connection, and_, exists, select, text, update

from newsreader.core.models import Article, MemberSetting, MemberState, utcnow

Mark = Literal["is_read", "is_starred"]
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


def _upsert(mark: Mark, source: str) -> Any:
    return text(
        "INSERT INTO member_states (member, article_id, is_read, is_starred, changed_at) "
        f"{source} ON CONFLICT (member, article_id) DO UPDATE "
        f"SET {mark} = excluded.{mark}, changed_at = excluded.changed_at"
    )


def set_mark(
    conn: Connection, member: str, article_ids: Iterable[int], mark: Mark, on: bool
) -> int:
    """Give (or take) one mark on these articles; how many articles exist to take it."""
    ids = list(article_ids)
    if not ids:
        return 0
    found = conn.execute(select(Article.id).where(Article.id.in_(ids))).scalars().all()
    rows = [
        {"member": member, "article_id": i, "read": mark == "is_read" and on,
         "starred": mark == "is_starred" and on, "at": utcnow()}
        for i in found
    ]  # fmt: skip
    if rows:
        conn.execute(_upsert(mark, "VALUES (:member, :article_id, :read, :starred, :at)"), rows)
    return len(rows)


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
    reader naming themself in Preferences), unless the new name already has its own."""
    for table in (MemberState, MemberSetting):
        taken = conn.scalar(select(exists().where(table.member == new)))
        if not taken:
            conn.execute(update(table).where(table.member == old).values(member=new))
