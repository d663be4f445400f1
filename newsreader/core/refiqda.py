"""REFI-QDA: the exchange standard of qualitative analysis tools (ATLAS.ti, MAXQDA, NVivo,
QualCoder). A `.qdpx` project is a zip of `project.qde` (QDA-XML, Project schema of
March 2019) and `sources/` (each article's text as UTF-8); a `.qdc` is a codebook alone.

Articles become text sources, our codes the codebook (colours and tree kept), highlights
plain-text selections with their character positions into `Article.text` (code points,
end exclusive) and their codings, notes become notes, coders become users. GUIDs are
stable: a source is named by its text's content hash, so a project imports onto the same
articles in another archive, every selection on the same characters.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from sqlalchemy import select

from newsreader.core.anchoring import TextQuote, anchor, describe
from newsreader.core.annotations import COLORS
from newsreader.core.models import Annotation, AnnotationCode, Article, Code, utcnow
from newsreader.core.saving import content_hash

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsreader.core.archive import Archive

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NAMESPACE = uuid.UUID("6f1d3a52-2a7e-4c55-9a43-2f6c1a8e0b13")  # our GUIDs derive from it
BATCH = 500


class RefiQdaError(ValueError):
    """A file that is not a REFI-QDA project or codebook we can read; the message says why."""


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def source_guid(text: str) -> str:
    return _guid("source", content_hash(text))


def user_guid(name: str) -> str:
    return _guid("user", name)


def _when(moment: datetime | None) -> str:
    return (moment or utcnow()).replace(microsecond=0).isoformat() + "Z"


def _parse_when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


# -- writing -----------------------------------------------------------------------------


def _codes_element(parent: etree._Element, ns: str, codes: Sequence[Code]) -> None:
    """Codes as nested <Code> elements (the tree), under <Codes>."""
    children: dict[int | None, list[Code]] = {}
    known = {c.id for c in codes}
    for code in codes:
        key = code.parent_id if code.parent_id in known else None
        children.setdefault(key, []).append(code)

    def add(into: etree._Element, code: Code) -> None:
        element = etree.SubElement(into, f"{{{ns}}}Code", guid=code.uuid, name=code.name,
                                   isCodable="true", color=code.color)  # fmt: skip
        if code.description:
            etree.SubElement(element, f"{{{ns}}}Description").text = code.description
        for child in children.get(code.id, []):
            add(element, child)

    holder = etree.SubElement(parent, f"{{{ns}}}Codes")
    for code in children.get(None, []):
        add(holder, code)


def _all_codes(session: Session) -> list[Code]:
    return list(session.scalars(select(Code).order_by(Code.position, Code.name)))


def codebook_xml(archive: Archive) -> bytes:
    """The codebook as a `.qdc` file (QDA-XML Codebook)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS},
                         origin="Newsreader")  # fmt: skip
    with archive.reading() as session:
        _codes_element(root, CODEBOOK_NS, _all_codes(session))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


@dataclass(slots=True)
class QdpxExport:
    sources: int = 0
    selections: int = 0
    codings: int = 0
    skipped_orphans: int = 0  # highlights with no position (orphaned) are not exported


def write_qdpx(
    archive: Archive, ids: Sequence[int], path: Path, name: str = "Newsreader"
) -> QdpxExport:
    """A `.qdpx` project of these articles, their highlights, codes, notes and coders."""
    q = f"{{{PROJECT_NS}}}"
    summary = QdpxExport()
    root = etree.Element(f"{q}Project", nsmap={None: PROJECT_NS}, name=name,
                         origin="Newsreader", creationDateTime=_when(None))  # fmt: skip
    users_element = etree.SubElement(root, f"{q}Users")
    with archive.reading() as session:
        codes = _all_codes(session)
    if codes:
        _codes_element(etree.SubElement(root, f"{q}CodeBook"), PROJECT_NS, codes)
    code_guids = {c.id: c.uuid for c in codes}
    sources_element = etree.SubElement(root, f"{q}Sources")
    notes_element = etree.Element(f"{q}Notes")
    coders: set[str] = set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zipped:
        for begin in range(0, len(ids), BATCH):
            chunk = list(ids[begin : begin + BATCH])
            with archive.reading() as session:
                articles = {a.id: a for a in session.execute(
                    select(Article.id, Article.title, Article.text, Article.original_url,
                           Article.url, Article.saved_at).where(Article.id.in_(chunk))
                )}  # fmt: skip
                highlights: dict[int, list[Annotation]] = {}
                for row in session.scalars(
                    select(Annotation).where(Annotation.article_id.in_(chunk))
                    .order_by(Annotation.start, Annotation.id)
                ):  # fmt: skip
                    highlights.setdefault(row.article_id, []).append(row)
                codings: dict[int, list[int]] = {}
                for annotation_id, code_id in session.execute(
                    select(AnnotationCode.annotation_id, AnnotationCode.code_id)
                    .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
                    .where(Annotation.article_id.in_(chunk))
                ):  # fmt: skip
                    codings.setdefault(annotation_id, []).append(code_id)
            for article_id in chunk:
                article = articles.get(article_id)
                if article is None:
                    continue
                guid = source_guid(article.text)
                zipped.writestr(f"sources/{guid}.txt", article.text.encode("utf-8"))
                source = etree.SubElement(
                    sources_element, f"{q}TextSource", guid=guid, name=article.title,
                    plainTextPath=f"internal://{guid}.txt",
                    creationDateTime=_when(article.saved_at),
                )  # fmt: skip
                if link := article.original_url or article.url:
                    etree.SubElement(source, f"{q}Description").text = link
                summary.sources += 1
                for row in highlights.get(article_id, []):
                    if row.start is None or row.end is None:
                        summary.skipped_orphans += 1
                        continue
                    attributes = {"guid": row.uuid, "name": row.exact[:200],
                                  "startPosition": str(row.start), "endPosition": str(row.end),
                                  "creationDateTime": _when(row.created_at)}  # fmt: skip
                    if row.coder:
                        coders.add(row.coder)
                        attributes["creatingUser"] = user_guid(row.coder)
                    selection = etree.SubElement(source, f"{q}PlainTextSelection", attributes)
                    for code_id in codings.get(row.id, []):
                        coding_guid = _guid("coding", row.uuid, code_id)
                        coding = etree.SubElement(selection, f"{q}Coding", guid=coding_guid)
                        if row.coder:
                            coding.set("creatingUser", user_guid(row.coder))
                        etree.SubElement(coding, f"{q}CodeRef", targetGUID=code_guids[code_id])
                        summary.codings += 1
                    if row.note:
                        note_guid = _guid("note", row.uuid)
                        etree.SubElement(selection, f"{q}NoteRef", targetGUID=note_guid)
                        note = etree.SubElement(notes_element, f"{q}Note", guid=note_guid,
                                                name=row.note[:60])  # fmt: skip
                        if row.coder:
                            note.set("creatingUser", user_guid(row.coder))
                        etree.SubElement(note, f"{q}PlainTextContent").text = row.note
                    summary.selections += 1
        for coder in sorted(coders):
            etree.SubElement(users_element, f"{q}User", guid=user_guid(coder), name=coder)
        if not coders:
            root.remove(users_element)
        if not len(sources_element):
            root.remove(sources_element)
        if len(notes_element):
            root.append(notes_element)
        zipped.writestr("project.qde", etree.tostring(
            root, xml_declaration=True, encoding="utf-8", pretty_print=True))  # fmt: skip
    return summary


# -- reading -----------------------------------------------------------------------------


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise RefiQdaError(f"not well-formed XML: {error}") from error


@dataclass(slots=True)
class RefiQdaImport:
    codes_added: int = 0
    codes_matched: int = 0
    sources_matched: int = 0
    sources_missing: list[str] = field(default_factory=list)  # names of sources not here
    codings: int = 0  # selections imported as highlights
    duplicates: int = 0
    orphaned: int = 0
    failed: list[str] = field(default_factory=list)


def _import_codes(session: Session, codes: etree._Element | None, summary: RefiQdaImport,
                  ns: str) -> dict[str, int]:  # fmt: skip
    """Codes of a <Codes> element into the codebook (matched by GUID, then by name):
    their GUIDs mapped to our code ids."""
    from newsreader.core.codebook import create_code

    mapping: dict[str, int] = {}

    def walk(element: etree._Element, parent: int | None) -> None:
        for item in element.findall(f"{{{ns}}}Code"):
            guid, name = item.get("guid", ""), " ".join((item.get("name") or "").split())
            if not name:
                summary.failed.append(f"a code without a name ({guid}) was skipped")
                continue
            found = session.scalar(select(Code).where(Code.uuid == guid)) or session.scalar(
                select(Code).where(Code.name == name)
            )
            if found is None:
                description = item.findtext(f"{{{ns}}}Description") or ""
                color = item.get("color")
                try:
                    found = create_code(session, name, color=color, description=description,
                                        parent=parent, code_uuid=guid or None)  # fmt: skip
                except ValueError:  # an odd colour: keep the code, in a colour of ours
                    found = create_code(session, name, description=description, parent=parent,
                                        code_uuid=guid or None)  # fmt: skip
                summary.codes_added += 1
            else:
                summary.codes_matched += 1
            mapping[guid] = found.id
            walk(item, found.id)

    if codes is not None:
        walk(codes, None)
    return mapping


def import_qdc(archive: Archive, data: bytes) -> RefiQdaImport:
    """Add a `.qdc` codebook's codes (a code already here by GUID or name is kept)."""
    root = _parse(data)
    ns = etree.QName(root).namespace or CODEBOOK_NS
    if etree.QName(root).localname != "CodeBook":
        raise RefiQdaError("not a REFI-QDA codebook (its root is not <CodeBook>)")
    summary = RefiQdaImport()
    with archive.writing() as session:
        _import_codes(session, root.find(f"{{{ns}}}Codes"), summary, ns)
    return summary


def import_qdpx(archive: Archive, path: Path) -> RefiQdaImport:
    """A `.qdpx` project's codes, and its codings on the articles of this archive that it
    holds (found by their text); sources not in the archive are listed, not imported."""
    try:
        with zipfile.ZipFile(path) as zipped:
            names = set(zipped.namelist())
            if "project.qde" not in names:
                raise RefiQdaError(f"{path} holds no project.qde: not a REFI-QDA project")
            root = _parse(zipped.read("project.qde"))
            texts = {n.removeprefix("sources/"): zipped.read(n) for n in names
                     if n.startswith("sources/") and n.endswith(".txt")}  # fmt: skip
    except (zipfile.BadZipFile, OSError) as error:
        raise RefiQdaError(f"{path} cannot be read as a .qdpx (zip) file: {error}") from error
    ns = etree.QName(root).namespace or PROJECT_NS
    q = f"{{{ns}}}"
    if etree.QName(root).localname != "Project":
        raise RefiQdaError("not a REFI-QDA project (its root is not <Project>)")
    summary = RefiQdaImport()
    users = {u.get("guid"): u.get("name") or "" for u in root.iter(f"{q}User")}
    notes = {n.get("guid"): n.findtext(f"{q}PlainTextContent") or ""
             for n in root.iterfind(f"{q}Notes/{q}Note")}  # fmt: skip
    with archive.writing() as session:
        codes = _import_codes(session, root.find(f"{q}CodeBook/{q}Codes"), summary, ns)
        colors = {c.id: c.name for c in session.scalars(select(Code)) if c.name in COLORS}
        for source in root.iterfind(f"{q}Sources/{q}TextSource"):
            text = _source_text(source, texts, q)
            article = _matching_article(session, text) if text is not None else None
            if article is None:
                summary.sources_missing.append(source.get("name") or source.get("guid", ""))
                continue
            summary.sources_matched += 1
            for selection in source.iterfind(f"{q}PlainTextSelection"):
                _import_selection(session, selection, article, text or "", codes, colors,
                                  users, notes, summary, q)  # fmt: skip
    archive.sync_search()
    return summary


def _source_text(source: etree._Element, texts: dict[str, bytes], q: str) -> str | None:
    inline = source.findtext(f"{q}PlainTextContent")
    if inline is not None:
        return inline
    where = (source.get("plainTextPath") or "").removeprefix("internal://")
    data = texts.get(where)
    if data is None:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _matching_article(session: Session, text: str) -> Any:
    rows = session.execute(
        select(Article.id, Article.text).where(Article.content_hash == content_hash(text))
    ).all()
    return next((r for r in rows if r.text == text), rows[0] if rows else None)


def _import_selection(
    session: Session, selection: etree._Element, article: Any, source_text: str,
    codes: dict[str, int], colors: dict[int, str], users: dict[str | None, str],
    notes: dict[str | None, str], summary: RefiQdaImport, q: str,
) -> None:  # fmt: skip
    guid = selection.get("guid") or _guid("selection", article.id, selection.get("startPosition"))
    try:
        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    except ValueError:
        summary.failed.append(f"selection {guid} has no whole-number positions")
        return
    if not 0 <= start < end <= len(source_text):
        summary.failed.append(f"selection {guid} lies outside its source's text")
        return
    if session.scalar(select(Annotation.id).where(Annotation.uuid == guid)):
        summary.duplicates += 1
        return
    quote: TextQuote = describe(source_text, start, end)
    position: tuple[int | None, int | None] = (start, end)
    status = "anchored"
    if source_text != article.text:  # the same story in other spacing: find the passage
        found = anchor(article.text, quote, start, end)
        position, status = (found.start, found.end), found.status
        summary.orphaned += status == "orphaned"
    code_ids = [codes[ref.get("targetGUID")] for ref in selection.iterfind(f"{q}Coding/{q}CodeRef")
                if ref.get("targetGUID") in codes]  # fmt: skip
    note = "\n\n".join(notes[ref.get("targetGUID")] for ref in selection.iterfind(f"{q}NoteRef")
                       if ref.get("targetGUID") in notes)  # fmt: skip
    color = next((colors[c] for c in code_ids if c in colors), "yellow")
    created = _parse_when(selection.get("creationDateTime")) or utcnow()
    row = Annotation(
        uuid=guid, article_id=article.id, start=position[0], end=position[1],
        exact=quote.exact, prefix=quote.prefix,
        suffix=quote.suffix, status=status, color=color, note=note.strip(), tags=[],
        coder=users.get(selection.get("creatingUser"), "")[:120], created_at=created,
        updated_at=created,
    )  # fmt: skip
    session.add(row)
    session.flush()
    for code_id in dict.fromkeys(code_ids):
        session.add(AnnotationCode(annotation_id=row.id, code_id=code_id))
    summary.codings += 1
