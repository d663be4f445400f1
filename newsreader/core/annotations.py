"""Annotations: highlights and notes that are stored at once, re-anchor, and move.

Every call is one transaction on the archive. Annotations re-anchor whenever their
article's text changes (see `reanchor_article`, called by the saver), and orphans are
kept with their quote and note until the reader re-attaches or deletes them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from newsreader.core.anchoring import TextQuote, anchor, describe
from newsreader.core.models import (
    Annotation,
    AnnotationCode,
    Article,
    ArticleVersion,
    Code,
    Section,
    utcnow,
)
from newsreader.core.unicode import scrub, scrub_optional
from newsreader.core.urls import normalize_url

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

COLORS = ("yellow", "green", "blue", "pink", "purple")
COLOR_CSS = {
    "yellow": "#ffe58a", "green": "#b8f0b0", "blue": "#b5dcff", "pink": "#ffc2dc",
    "purple": "#dcc8ff",
}  # fmt: skip
ExportFormat = Literal["md", "jsonld", "csv"]
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


class AnnotationError(ValueError):
    """A request about annotations that cannot be met; the message says why."""


class AnnotationConflict(AnnotationError):
    """The highlight was changed by someone else since the edit began: nothing was saved.

    `current` is the highlight as it now is, so both texts can be offered side by side."""

    def __init__(self, current: AnnotationView) -> None:
        who = f" by {current.author}" if current.author else ""
        super().__init__(f"this note was changed{who} while you were editing it")
        self.current = current


@dataclass(frozen=True, slots=True)
class AnnotationView:
    id: int
    uuid: str
    article_id: int
    start: int | None
    end: int | None
    exact: str
    prefix: str
    suffix: str
    status: str
    color: str
    note: str
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    article_title: str = ""
    article_url: str | None = None
    section: str | None = None
    coder: str = ""
    codes: list[str] = field(default_factory=list)
    author: str = ""  # the member who made it (see Archive.member)
    revision: int = 1  # pass it back to `update` to be told of another's edit meanwhile

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "uuid": self.uuid, "article_id": self.article_id,
            "article_title": self.article_title, "start": self.start, "end": self.end,
            "quote": self.exact, "status": self.status, "color": self.color,
            "note": self.note, "tags": self.tags, "codes": self.codes, "coder": self.coder,
            "author": self.author, "revision": self.revision,
            "created": self.created_at.isoformat() if self.created_at else None,
            "updated": self.updated_at.isoformat() if self.updated_at else None,
        }  # fmt: skip


def _color(color: str | None) -> str:
    value = scrub(color or "yellow").strip().casefold()
    if value not in COLORS:
        raise AnnotationError(f"unknown colour {color!r}; use one of {', '.join(COLORS)}")
    return value


def _tags(tags: Iterable[str] | None) -> list[str]:
    seen: list[str] = []
    for tag in tags or []:
        clean = " ".join(scrub(str(tag)).split())[:80]
        if clean and clean not in seen:
            seen.append(clean)
    return seen


def _view(row: Any, codes: list[str] | None = None) -> AnnotationView:
    return AnnotationView(
        id=row.id, uuid=row.uuid, article_id=row.article_id, start=row.start, end=row.end,
        exact=row.exact, prefix=row.prefix, suffix=row.suffix, status=row.status,
        color=row.color, note=row.note, tags=list(row.tags or []), created_at=row.created_at,
        updated_at=row.updated_at, article_title=getattr(row, "title", "") or "",
        article_url=getattr(row, "url", None), section=getattr(row, "section_name", None),
        coder=row.coder or "", codes=list(codes or []), author=row.author or "",
        revision=row.revision or 1,
    )  # fmt: skip


_LISTING = (
    select(
        Annotation.id, Annotation.uuid, Annotation.article_id, Annotation.start,
        Annotation.end, Annotation.exact, Annotation.prefix, Annotation.suffix,
        Annotation.status, Annotation.color, Annotation.note, Annotation.tags,
        Annotation.created_at, Annotation.updated_at, Annotation.coder, Annotation.author,
        Annotation.revision, Article.title,
        Article.original_url.label("url"), Section.name.label("section_name"),
    )
    .join(Article, Article.id == Annotation.article_id)
    .outerjoin(Section, Section.id == Article.section_id)
)  # fmt: skip


class Annotations:
    """The annotation services of one archive."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    # -- making and changing ----------------------------------------------------------

    def create(
        self, article_id: int, start: int, end: int, *, color: str | None = None,
        note: str = "", tags: Iterable[str] | None = None, codes: Sequence[str] | None = None,
        coder: str = "", created_at: datetime | None = None,
    ) -> AnnotationView:  # fmt: skip
        """Highlight text[start:end] of an article (a selection in the reader); an
        imported highlight keeps the date it was made (`created_at`).

        Without `codes`, the highlight is coded by the code named after its colour (the
        default codes), when the codebook still has one."""
        with self.archive.writing() as session:
            text = session.scalar(select(Article.text).where(Article.id == article_id))
            if text is None:
                raise AnnotationError(f"no article with id {article_id}")
            if not 0 <= start < end <= len(text) or not text[start:end].strip():
                raise AnnotationError("select some text of the article to highlight")
            quote = describe(text, start, end)
            row = Annotation(
                uuid=str(uuid.uuid4()), article_id=article_id, start=start, end=end,
                exact=quote.exact, prefix=quote.prefix, suffix=quote.suffix,
                status="anchored", color=_color(color), note=scrub(note).strip(), tags=_tags(tags),
                coder=_coder(coder), author=self.archive.member,
            )  # fmt: skip
            if created_at is not None:
                row.created_at = row.updated_at = created_at
            session.add(row)
            session.flush()
            names = _code_rows(session, row, row.color if codes is None else codes,
                               strict=codes is not None)  # fmt: skip
            view = _view(row, names)
        self.archive.sync_search()
        return view

    def create_from_quote(
        self, article_id: int, quote: str, *, color: str | None = None, note: str = "",
        tags: Iterable[str] | None = None, codes: Sequence[str] | None = None, coder: str = "",
        created_at: datetime | None = None,
    ) -> AnnotationView:  # fmt: skip
        """Highlight the first place where `quote` appears in the article (the CLI's way)."""
        article = self.archive.get(article_id)
        if article is None:
            raise AnnotationError(f"no article with id {article_id}")
        needle = " ".join(quote.split())
        start = article.text.find(needle) if needle else -1
        if start < 0:
            raise AnnotationError("the quote is not in the article's text")
        return self.create(article_id, start, start + len(needle), color=color, note=note,
                           tags=tags, codes=codes, coder=coder, created_at=created_at)  # fmt: skip

    def update(
        self, annotation_id: int, *, note: str | None = None, color: str | None = None,
        tags: Iterable[str] | None = None, revision: int | None = None,
    ) -> AnnotationView:  # fmt: skip
        """Change a highlight's note, colour or tags. Given the `revision` the edit started
        from, a change made meanwhile by someone else raises AnnotationConflict instead."""
        with self.archive.writing() as session:
            row = session.get(Annotation, annotation_id, with_for_update=revision is not None)
            if row is None:
                raise AnnotationError(f"no annotation with id {annotation_id}")
            if revision is not None and row.revision != revision:
                raise AnnotationConflict(_view(row, _codes_of(session, row.id)))
            row.revision = (row.revision or 1) + 1
            if note is not None:
                row.note = scrub(note).strip()
            if color is not None:
                row.color = _color(color)
            if tags is not None:
                row.tags = _tags(tags)
            row.updated_at = utcnow()
            session.flush()
            view = _view(row, _codes_of(session, row.id))
        self.archive.sync_search()
        return view

    def reattach(self, annotation_id: int, start: int, end: int) -> AnnotationView:
        """Attach an (orphaned) annotation to new text: the repair of an orphan."""
        with self.archive.writing() as session:
            row = session.get(Annotation, annotation_id)
            if row is None:
                raise AnnotationError(f"no annotation with id {annotation_id}")
            text = session.scalar(select(Article.text).where(Article.id == row.article_id)) or ""
            if not 0 <= start < end <= len(text):
                raise AnnotationError("select some text of the article to attach to")
            quote = describe(text, start, end)
            row.start, row.end, row.status = start, end, "anchored"
            row.exact, row.prefix, row.suffix = quote.exact, quote.prefix, quote.suffix
            row.updated_at = utcnow()
            session.flush()
            view = _view(row, _codes_of(session, row.id))
        self.archive.sync_search()
        return view

    def delete(self, annotation_id: int) -> AnnotationView:
        """Delete an annotation; what comes back can be given to `restore` (undo)."""
        with self.archive.writing() as session:
            row = session.get(Annotation, annotation_id)
            if row is None:
                raise AnnotationError(f"no annotation with id {annotation_id}")
            view = _view(row, _codes_of(session, row.id))
            removed = session.execute(delete(Annotation).where(Annotation.id == annotation_id))
            if not getattr(removed, "rowcount", 1):  # a team archive's rules hid it from us
                raise StaleDataError("the highlight could not be deleted")
        self.archive.sync_search()
        return view

    def restore(self, view: AnnotationView) -> AnnotationView:
        """Bring back a deleted annotation exactly as it was (same uuid, same times)."""
        with self.archive.writing() as session:
            row = Annotation(
                uuid=view.uuid, article_id=view.article_id, start=view.start, end=view.end,
                exact=view.exact, prefix=view.prefix, suffix=view.suffix, status=view.status,
                color=view.color, note=view.note, tags=list(view.tags), coder=view.coder,
                created_at=view.created_at or utcnow(), updated_at=view.updated_at or utcnow(),
                author=view.author or self.archive.member, revision=view.revision,
            )  # fmt: skip
            session.add(row)
            session.flush()
            restored = _view(row, _code_rows(session, row, view.codes, strict=False))
        self.archive.sync_search()
        return restored

    # -- reading ------------------------------------------------------------------------

    def list(
        self, article_id: int | None = None, *, color: str | None = None,
        tag: str | None = None, section: str | None = None, text: str | None = None,
        status: str | None = None, since: datetime | None = None,
        until: datetime | None = None, code: str | None = None, coder: str | None = None,
        author: str | None = None,
    ) -> list[AnnotationView]:  # fmt: skip
        """Annotations in text order (of one article, or the whole archive by article)."""
        query = _LISTING
        color, tag, section, text, status, code, coder, author = (
            scrub_optional(value)
            for value in (color, tag, section, text, status, code, coder, author)
        )
        if article_id is not None:
            query = query.where(Annotation.article_id == article_id)
        if color:
            query = query.where(Annotation.color == color.casefold())
        if status:
            query = query.where(Annotation.status == status)
        if coder is not None:
            query = query.where(Annotation.coder == coder)
        if author is not None:
            query = query.where(Annotation.author == author)
        if code:
            from newsreader.core.codebook import CodebookError, _find

            with self.archive.reading() as session:
                found = _find(session, code)
            if found is None:
                raise CodebookError(f"no code {code!r}")
            query = query.where(Annotation.id.in_(
                select(AnnotationCode.annotation_id).where(AnnotationCode.code_id == found.id)
            ))  # fmt: skip
        if since is not None:
            query = query.where(Annotation.created_at >= since)
        if until is not None:
            query = query.where(Annotation.created_at < until)
        if section:
            from newsreader.core.sections import section_key

            query = query.where(Section.key == section_key(section))
        query = query.order_by(Annotation.article_id, Annotation.start.is_(None),
                               Annotation.start, Annotation.id)  # fmt: skip
        with self.archive.reading() as session:
            rows = list(session.execute(query))
        codes = self.archive.codebook.codes_of(row.id for row in rows)
        views = [_view(row, codes.get(row.id)) for row in rows]
        if tag:
            views = [v for v in views if tag.casefold() in (t.casefold() for t in v.tags)]
        if text:
            needle = text.casefold()
            views = [
                v for v in views if needle in v.exact.casefold() or needle in v.note.casefold()
            ]
        return views

    # -- moving in and out --------------------------------------------------------------

    def export(self, fmt: ExportFormat, article_id: int | None = None) -> str:
        views = self.list(article_id)
        hashes = self._content_hashes({v.article_id for v in views})
        if fmt == "jsonld":
            items = [to_web_annotation(v, hashes.get(v.article_id)) for v in views]
            if article_id is None:
                return json.dumps(
                    {"@context": W3C_CONTEXT, "type": "AnnotationCollection",
                     "total": len(items), "items": items}, ensure_ascii=False, indent=2,
                )  # fmt: skip
            return json.dumps(items, ensure_ascii=False, indent=2)
        if fmt == "csv":
            return to_csv(views)
        return to_markdown(views)

    def _content_hashes(self, article_ids: set[int]) -> dict[int, str]:
        if not article_ids:
            return {}
        with self.archive.reading() as session:
            rows = session.execute(
                select(Article.id, Article.content_hash).where(Article.id.in_(article_ids))
            )
            return {article_id: digest for article_id, digest in rows}

    def import_jsonld(self, data: str) -> ImportSummary:
        """Import W3C Web Annotations (ours or other tools'); each re-anchors on arrival."""
        summary = ImportSummary()
        try:
            parsed = json.loads(data)
        except ValueError as error:
            raise AnnotationError(f"not JSON: {error}") from error
        items = _annotation_items(parsed)
        for item in items:
            try:
                self._import_one(item, summary)
            except AnnotationError as error:
                summary.failed.append(str(error))
        self.archive.sync_search()
        return summary

    def _import_one(self, item: Any, summary: ImportSummary) -> None:
        if not isinstance(item, dict):
            raise AnnotationError("an item is not an annotation object")
        target = item.get("target")
        target = target[0] if isinstance(target, list) and target else target
        if not isinstance(target, dict):
            raise AnnotationError("an annotation has no target")
        source = target.get("source") or target.get("id") or ""
        selectors = target.get("selector") or []
        selectors = selectors if isinstance(selectors, list) else [selectors]
        quote_sel = next((s for s in selectors if isinstance(s, dict)
                          and s.get("type") == "TextQuoteSelector"), None)  # fmt: skip
        position = next((s for s in selectors if isinstance(s, dict)
                         and s.get("type") == "TextPositionSelector"), None)  # fmt: skip
        if not quote_sel or not str(quote_sel.get("exact", "")).strip():
            raise AnnotationError("an annotation has no TextQuoteSelector to anchor with")
        quote = TextQuote(str(quote_sel.get("exact", "")), str(quote_sel.get("prefix", "")),
                          str(quote_sel.get("suffix", "")))  # fmt: skip
        identifier = str(item.get("id", ""))
        annotation_uuid = identifier.removeprefix("urn:uuid:") if identifier.startswith(
            "urn:uuid:") else str(uuid.uuid5(uuid.NAMESPACE_URL, identifier or json.dumps(
                item, sort_keys=True)))  # fmt: skip
        note, tags, color, code_names = _bodies(item)
        coder = _creator(item.get("creator"))
        with self.archive.writing() as session:
            if session.scalar(select(Annotation.id).where(Annotation.uuid == annotation_uuid)):
                summary.duplicate += 1
                return
            connection = session.connection()
            article_id, text = _match_article(connection, str(source))
            if article_id is None:
                raise AnnotationError(f"no archived article matches {source!r}")
            start = _int_or_none(position.get("start")) if position else None
            end = _int_or_none(position.get("end")) if position else None
            found = anchor(text, quote, start, end)
            row = Annotation(
                uuid=annotation_uuid, article_id=article_id, start=found.start, end=found.end,
                exact=quote.exact, prefix=quote.prefix, suffix=quote.suffix,
                status=found.status, color=color, note=note, tags=tags, coder=coder,
                created_at=_time(item.get("created")) or utcnow(),
                updated_at=_time(item.get("modified")) or utcnow(),
            )  # fmt: skip
            session.add(row)
            session.flush()
            _code_rows(session, row, code_names or color, strict=False, create=True)
        summary.imported += 1
        if found.status == "orphaned":
            summary.orphaned += 1


@dataclass(slots=True)
class ImportSummary:
    imported: int = 0
    duplicate: int = 0
    orphaned: int = 0
    failed: list[str] = field(default_factory=list)


def reanchor_article(connection: Connection, article_id: int, text: str) -> None:
    """Re-anchor every annotation of an article to its new text (inside the caller's
    transaction): exact, moved, fuzzy, or orphaned — never deleted."""
    rows = connection.execute(
        select(Annotation.id, Annotation.start, Annotation.end,
               Annotation.exact, Annotation.prefix,
               Annotation.suffix)
        .where(Annotation.article_id == article_id)
    ).all()  # fmt: skip
    for row in rows:
        found = anchor(text, TextQuote(row.exact, row.prefix, row.suffix), row.start, row.end)
        connection.execute(
            update(Annotation)
            .where(Annotation.id == row.id)
            .values(start=found.start, end=found.end, status=found.status)
        )


def _annotation_items(parsed: Any) -> Sequence[Any]:
    if isinstance(parsed, list):
        return parsed
    if isinstance(parsed, dict):
        if parsed.get("type") == "AnnotationCollection" or "items" in parsed:
            items = parsed.get("items") or (parsed.get("first") or {}).get("items") or []
            return items if isinstance(items, list) else []
        return [parsed]
    raise AnnotationError("expected an annotation, a list of them, or a collection")


def _bodies(item: dict[str, Any]) -> tuple[str, list[str], str, list[str]]:
    """(note, tags, colour, codes) from an annotation's bodies and styling."""
    bodies = item.get("body") or []
    bodies = bodies if isinstance(bodies, list) else [bodies]
    notes, tags, codes = [], [], []
    for body in bodies:
        if isinstance(body, str):
            notes.append(body)
        elif isinstance(body, dict):
            value = str(body.get("value", "")).strip()
            if body.get("purpose") == "tagging":
                tags.append(value)
            elif body.get("purpose") == "classifying" and value:
                codes.append(value)
            elif value:
                notes.append(value)
    color = "yellow"
    target = item.get("target")
    style = target.get("styleClass") if isinstance(target, dict) else None
    if isinstance(style, str) and style.casefold() in COLORS:
        color = style.casefold()
    return "\n\n".join(notes), _tags(tags), color, codes


def _creator(creator: Any) -> str:
    """The coder a JSON-LD annotation names as its creator (a name, or a Person)."""
    if isinstance(creator, list) and creator:
        creator = creator[0]
    if isinstance(creator, dict):
        creator = creator.get("name") or creator.get("nickname") or creator.get("id") or ""
    return _coder(creator if isinstance(creator, str) else "")


def _coder(name: str) -> str:
    return " ".join(scrub(name or "").split())[:120]


def _codes_of(session: Session, annotation_id: int) -> list[str]:
    return list(session.scalars(
        select(Code.name).join(AnnotationCode, AnnotationCode.code_id == Code.id)
        .where(AnnotationCode.annotation_id == annotation_id).order_by(Code.position, Code.name)
    ))  # fmt: skip


def _code_rows(
    session: Session, row: Annotation, codes: str | Sequence[str], *, strict: bool,
    create: bool = False,
) -> list[str]:  # fmt: skip
    """Code a highlight just flushed, and return its code names.

    A colour name (a str) codes it by the default code of that name, if there is one;
    with `strict`, an unknown code name is an error; with `create`, it is added."""
    from newsreader.core.codebook import CodebookError, _find, code_for

    names = [codes] if isinstance(codes, str) else list(codes)
    found: list[Code] = []
    for name in names:
        try:
            code = code_for(session, name) if create else _find(session, name)
        except CodebookError as error:  # an empty or over-long name from elsewhere
            raise AnnotationError(str(error)) from error
        if code is None:
            if strict:
                raise AnnotationError(f"no code {name!r} in the codebook")
            continue
        if code not in found:
            found.append(code)
    for code in found:
        session.add(AnnotationCode(annotation_id=row.id, code_id=code.id))
    session.flush()
    return [c.name for c in sorted(found, key=lambda c: (c.position, c.name))]


def _match_article(connection: Connection, source: str) -> tuple[int | None, str]:
    """The archived article an annotation's target names: by URL or by our text urn."""
    if source.startswith("urn:newsreader:text:"):
        digest = source.removeprefix("urn:newsreader:text:")
        row = connection.execute(
            select(Article.id, Article.text).where(Article.content_hash == digest)
        ).first()
        if row is None:  # annotated on an earlier version of a since-updated article
            row = connection.execute(
                select(Article.id, Article.text)
                .join(ArticleVersion, ArticleVersion.article_id == Article.id)
                .where(ArticleVersion.content_hash == digest)
            ).first()
        return (row.id, row.text) if row else (None, "")
    url = normalize_url(source)
    if url is None:
        return None, ""
    row = connection.execute(select(Article.id, Article.text).where(Article.url == url)).first()
    return (row.id, row.text) if row else (None, "")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    from newsreader.core.dates import parse_published

    return parse_published(value)


def to_web_annotation(view: AnnotationView, content_hash: str | None) -> dict[str, Any]:
    """One annotation in the W3C Web Annotation model (JSON-LD)."""
    source = view.article_url or f"urn:newsreader:text:{content_hash}"
    bodies: list[dict[str, Any]] = []
    if view.note:
        bodies.append({"type": "TextualBody", "value": view.note, "format": "text/plain",
                       "purpose": "commenting"})  # fmt: skip
    bodies += [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in view.tags]
    bodies += [{"type": "TextualBody", "value": c, "purpose": "classifying"} for c in view.codes]
    selectors: list[dict[str, Any]] = []
    if view.start is not None and view.end is not None:
        selectors.append({"type": "TextPositionSelector", "start": view.start, "end": view.end})
    selectors.append({"type": "TextQuoteSelector", "exact": view.exact, "prefix": view.prefix,
                      "suffix": view.suffix})  # fmt: skip
    annotation: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{view.uuid}",
        "type": "Annotation",
        "motivation": "commenting" if view.note else "highlighting",
        "created": _iso(view.created_at),
        "modified": _iso(view.updated_at),
        "stylesheet": {"type": "CssStylesheet",
                       "value": f".{view.color} {{ background-color: {COLOR_CSS[view.color]} }}"},
        "target": {"source": source, "styleClass": view.color, "selector": selectors},
    }  # fmt: skip
    if view.coder:
        annotation["creator"] = {"type": "Person", "name": view.coder}
    if bodies:
        annotation["body"] = bodies if len(bodies) > 1 else bodies[0]
    return annotation


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


CSV_FIELDS = ["article_id", "article_title", "article_url", "section", "quote", "note",
              "color", "codes", "coder", "tags", "status", "start", "end", "created",
              "updated"]  # fmt: skip


def to_csv(views: Iterable[AnnotationView]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for v in views:
        writer.writerow({
            "article_id": v.article_id, "article_title": v.article_title,
            "article_url": v.article_url or "", "section": v.section or "", "quote": v.exact,
            "note": v.note, "color": v.color, "codes": "; ".join(v.codes), "coder": v.coder,
            "tags": "; ".join(v.tags), "status": v.status,
            "start": "" if v.start is None else v.start, "end": "" if v.end is None else v.end,
            "created": _iso(v.created_at) or "", "updated": _iso(v.updated_at) or "",
        })  # fmt: skip
    return out.getvalue()


def to_markdown(views: Iterable[AnnotationView]) -> str:
    """Annotations grouped by article: the quote, its note, colour and tags, and a link."""
    lines: list[str] = []
    current: int | None = None
    for v in views:
        if v.article_id != current:
            current = v.article_id
            lines += ["", f"## {v.article_title}", ""]
            link = v.article_url or f"newsreader://article/{v.article_id}"
            lines += [f"[{link}]({link})", ""]
        quote = v.exact.replace("\n", "\n> ")
        lines += [f"> {quote}", ""]
        if v.note:
            lines += [v.note, ""]
        facts = [v.color] + ([f"tags: {', '.join(v.tags)}"] if v.tags else [])
        if v.status != "anchored":
            facts.append(v.status)
        lines += [f"*{' · '.join(facts)}*", ""]
    return "\n".join(lines).strip() + "\n" if lines else ""
