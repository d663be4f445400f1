"""The codebook: codes (a tree) and the codings of highlights, for qualitative research.

A highlight carries zero or more codes. The five highlight colours are the codes every
archive starts with (migration 0010), so a highlight made in a colour is coded by the
code of that name while it exists. Renaming or merging codes never loses a coding.
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from newsreader.core.models import Annotation, AnnotationCode, Code
from newsreader.core.unicode import scrub

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

MAX_NAME_CHARS = 120
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
           "#bcf60c", "#008080", "#9a6324")  # fmt: skip
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


class CodebookError(ValueError):
    """A codebook change that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class CodeView:
    id: int
    uuid: str
    name: str
    color: str
    description: str
    parent_id: int | None
    position: int
    count: int = 0  # highlights coded with it

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "uuid": self.uuid, "name": self.name, "color": self.color,
                "description": self.description, "parent_id": self.parent_id,
                "count": self.count}  # fmt: skip


def clean_name(name: str) -> str:
    value = " ".join(scrub(str(name)).split())
    if not value:
        raise CodebookError("a code needs a name")
    if len(value) > MAX_NAME_CHARS:
        raise CodebookError(f"a code's name is at most {MAX_NAME_CHARS} characters")
    return value


def clean_color(color: str) -> str:
    value = scrub(color).strip()
    if not _HEX.match(value):
        raise CodebookError(f"a code's colour is written #rrggbb, not {color!r}")
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower()


def _view(row: Code, count: int = 0) -> CodeView:
    return CodeView(row.id, row.uuid, row.name, row.color, row.description, row.parent_id,
                    row.position, count)  # fmt: skip


class Codebook:
    """The codes of one archive and the codings of its highlights."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    # -- reading ------------------------------------------------------------------------

    def list(self) -> list[CodeView]:
        """Every code in codebook order (position, then name), with its number of codings."""
        counts = (
            select(AnnotationCode.code_id, func.count().label("n"))
            .group_by(AnnotationCode.code_id)
            .subquery()
        )
        query = (
            select(Code, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.code_id == Code.id)
            .order_by(Code.position, Code.name)
        )
        with self.archive.reading() as session:
            return [_view(code, count) for code, count in session.execute(query)]

    def find(self, name_or_id: str | int) -> CodeView | None:
        """A code by id, or by name (case-insensitive)."""
        with self.archive.reading() as session:
            row = _find(session, name_or_id)
            return _view(row) if row else None

    def codes_of(self, annotation_ids: Iterable[int]) -> dict[int, builtins.list[str]]:
        """The code names of each highlight (in codebook order)."""
        ids = list(annotation_ids)
        found: dict[int, builtins.list[str]] = {}
        with self.archive.reading() as session:
            for start in range(0, len(ids), 500):
                rows = session.execute(
                    select(AnnotationCode.annotation_id, Code.name)
                    .join(Code, Code.id == AnnotationCode.code_id)
                    .where(AnnotationCode.annotation_id.in_(ids[start : start + 500]))
                    .order_by(Code.position, Code.name)
                )
                for annotation_id, name in rows:
                    found.setdefault(annotation_id, []).append(name)
        return found

    # -- changing the codebook ----------------------------------------------------------

    def create(
        self, name: str, *, color: str | None = None, description: str = "",
        parent: str | int | None = None, code_uuid: str | None = None,
    ) -> CodeView:  # fmt: skip
        """A new code at the end of the codebook."""
        with self.archive.writing() as session:
            row = create_code(session, name, color=color, description=description,
                              parent=parent, code_uuid=code_uuid)  # fmt: skip
            return _view(row)

    def update(
        self, code: str | int, *, name: str | None = None, color: str | None = None,
        description: str | None = None, parent: str | int | None = None,
        no_parent: bool = False,
    ) -> CodeView:  # fmt: skip
        """Rename, recolour, describe or move a code; its codings stay."""
        with self.archive.writing() as session:
            row = _require(session, code)
            if name is not None:
                new_name = clean_name(name)
                other = _find(session, new_name)
                if other is not None and other.id != row.id:
                    raise CodebookError(f"there is already a code named {other.name!r}")
                row.name = new_name
            if color is not None:
                row.color = clean_color(color)
            if description is not None:
                row.description = scrub(description).strip()
            if no_parent:
                row.parent_id = None
            elif parent is not None:
                row.parent_id = _parent_id(session, parent, moving=row.id)
            session.flush()
            view = _view(row)
        self.archive.sync_search()
        return view

    def merge(self, source: str | int, into: str | int) -> CodeView:
        """Fold one code into another: its codings and children move, then it is deleted."""
        with self.archive.writing() as session:
            gone, kept = _require(session, source), _require(session, into)
            if gone.id == kept.id:
                raise CodebookError("a code cannot be merged into itself")
            already = select(AnnotationCode.annotation_id).where(AnnotationCode.code_id == kept.id)
            session.execute(
                insert(AnnotationCode).from_select(
                    ["annotation_id", "code_id"],
                    select(AnnotationCode.annotation_id, kept.id)  # type: ignore[call-overload]
                    .where(AnnotationCode.code_id == gone.id)
                    .where(AnnotationCode.annotation_id.not_in(already)),
                )
            )
            session.execute(update(Code).where(Code.parent_id == gone.id)
                            .values(parent_id=kept.id))  # fmt: skip
            if kept.parent_id == gone.id:
                kept.parent_id = gone.parent_id
            session.delete(gone)
            session.flush()
            count = session.scalar(select(func.count()).where(AnnotationCode.code_id == kept.id))
            view = _view(kept, count or 0)
        self.archive.sync_search()
        return view

    def delete(self, code: str | int) -> CodeView:
        """Delete a code and its codings (the highlights themselves stay)."""
        with self.archive.writing() as session:
            row = _require(session, code)
            view = _view(row)
            session.delete(row)
        self.archive.sync_search()
        return view

    # -- coding highlights --------------------------------------------------------------

    def set_codes(self, annotation_id: int, codes: Sequence[str | int]) -> builtins.list[str]:
        """Give a highlight exactly these codes (by name or id); unknown names are refused."""
        with self.archive.writing() as session:
            if session.get(Annotation, annotation_id) is None:
                raise CodebookError(f"no annotation with id {annotation_id}")
            ids = [_require(session, code).id for code in codes]
            session.execute(delete(AnnotationCode)
                            .where(AnnotationCode.annotation_id == annotation_id))  # fmt: skip
            for code_id in dict.fromkeys(ids):
                session.add(AnnotationCode(annotation_id=annotation_id, code_id=code_id))
        self.archive.sync_search()
        return self.codes_of([annotation_id]).get(annotation_id, [])

    def toggle(self, annotation_id: int, code: str | int) -> builtins.list[str]:
        """Add the code to the highlight, or take it off if it is there (keys 1–9)."""
        current = self.codes_of([annotation_id]).get(annotation_id, [])
        found = self.find(code)
        if found is None:
            raise CodebookError(f"no code {code!r}")
        wanted = [c for c in current if c != found.name] if found.name in current else [
            *current, found.name]  # fmt: skip
        return self.set_codes(annotation_id, wanted)


# -- helpers shared with annotation imports (one session, the caller's transaction) -------


def create_code(
    session: Session, name: str, *, color: str | None = None, description: str = "",
    parent: str | int | None = None, code_uuid: str | None = None,
) -> Code:  # fmt: skip
    clean = clean_name(name)
    if _find(session, clean) is not None:
        raise CodebookError(f"there is already a code named {clean!r}")
    position = (session.scalar(select(func.max(Code.position))) or 0) + 1
    row = Code(
        uuid=code_uuid or str(uuid.uuid4()), name=clean,
        color=clean_color(color) if color else PALETTE[position % len(PALETTE)],
        description=scrub(description).strip(),
        parent_id=_parent_id(session, parent) if parent is not None else None,
        position=position,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def code_for(session: Session, name: str, color: str | None = None) -> Code:
    """The code of that name, made (at the end of the codebook) when missing."""
    return _find(session, clean_name(name)) or create_code(session, name, color=color)


def _find(session: Session, name_or_id: str | int) -> Code | None:
    """A code by id (an int), else by name (case-insensitive), else by id written as text."""
    if isinstance(name_or_id, int):
        return session.get(Code, name_or_id)
    name = " ".join(scrub(name_or_id).split()).casefold()
    found = session.scalars(select(Code).where(func.lower(Code.name) == name)).first() or next(
        (c for c in session.scalars(select(Code)) if c.name.casefold() == name), None
    )  # SQLite's lower() folds ASCII only
    if found is None and name.isdigit():
        found = session.get(Code, int(name))
    return found


def _require(session: Session, name_or_id: str | int) -> Code:
    row = _find(session, name_or_id)
    if row is None:
        raise CodebookError(f"no code {name_or_id!r}")
    return row


def _parent_id(session: Session, parent: str | int, moving: int | None = None) -> int:
    row = _require(session, parent)
    ancestor: Code | None = row
    while ancestor is not None:  # a code may not sit under itself or its descendants
        if ancestor.id == moving:
            raise CodebookError("a code cannot be placed under itself or one of its children")
        ancestor = session.get(Code, ancestor.parent_id) if ancestor.parent_id else None
    return row.id
