"""A corpus out: the articles as JSON Lines or CSV, and their highlights in a second file
keyed by article id and character offsets into `text` — what R or pandas read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from newsreader.core.models import (
    Annotation,
    AnnotationCode,
    Article,
    ArticleTag,
    Code,
    Section,
    Source,
    Tag,
)

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

CorpusFormat = Literal["jsonl", "csv"]
ARTICLE_FIELDS = ["id", "url", "title", "section", "source", "author", "published", "saved",
                  "text", "tags", "codes"]  # fmt: skip
ANNOTATION_FIELDS = ["article_id", "annotation_id", "uuid", "start", "end", "quote", "note",
                     "codes", "coder", "color", "tags", "status", "created"]  # fmt: skip
BATCH = 900


@dataclass(frozen=True, slots=True)
class CorpusExport:
    articles: int
    annotations: int
    articles_path: Path
    annotations_path: Path


def annotations_path_for(path: Path) -> Path:
    """articles.jsonl -> articles.annotations.jsonl (beside it)."""
    return path.with_name(f"{path.stem}.annotations{path.suffix}")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def corpus_batches(
    archive: Archive, ids: Sequence[int]
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """(articles, annotations) as plain records, a batch at a time, in the order of `ids`."""
    for begin in range(0, len(ids), BATCH):
        chunk = list(ids[begin : begin + BATCH])
        with archive.reading() as session:
            rows = {row.id: row for row in session.execute(
                select(Article.id, Article.original_url, Article.url, Article.title,
                       Section.name.label("section"), Source.name.label("source"),
                       Article.byline, Article.published_at, Article.saved_at, Article.text)
                .outerjoin(Section, Section.id == Article.section_id)
                .outerjoin(Source, Source.id == Article.source_id)
                .where(Article.id.in_(chunk))
            )}  # fmt: skip
            tags: dict[int, list[str]] = {}
            for article_id, name in session.execute(
                select(ArticleTag.article_id, Tag.name).join(Tag, Tag.id == ArticleTag.tag_id)
                .where(ArticleTag.article_id.in_(chunk)).order_by(Tag.name)
            ):  # fmt: skip
                tags.setdefault(article_id, []).append(name)
            codes: dict[int, list[str]] = {}
            for annotation_id, name in session.execute(
                select(AnnotationCode.annotation_id, Code.name)
                .join(Code, Code.id == AnnotationCode.code_id)
                .join(Annotation, Annotation.id == AnnotationCode.annotation_id)
                .where(Annotation.article_id.in_(chunk)).order_by(Code.position, Code.name)
            ):  # fmt: skip
                codes.setdefault(annotation_id, []).append(name)
            notes = list(session.execute(
                select(Annotation).where(Annotation.article_id.in_(chunk))
                .order_by(Annotation.article_id, Annotation.start, Annotation.id)
            ).scalars())  # fmt: skip
        annotations: dict[int, list[dict[str, Any]]] = {}
        for a in notes:
            annotations.setdefault(a.article_id, []).append({
                "article_id": a.article_id, "annotation_id": a.id, "uuid": a.uuid,
                "start": a.start, "end": a.end, "quote": a.exact, "note": a.note,
                "codes": codes.get(a.id, []), "coder": a.coder, "color": a.color,
                "tags": list(a.tags or []), "status": a.status, "created": _iso(a.created_at),
            })  # fmt: skip
        articles, highlights = [], []
        for article_id in chunk:
            row = rows.get(article_id)
            if row is None:
                continue
            own = annotations.get(article_id, [])
            articles.append({
                "id": row.id, "url": row.original_url or row.url, "title": row.title,
                "section": row.section, "source": row.source, "author": row.byline,
                "published": _iso(row.published_at), "saved": _iso(row.saved_at),
                "text": row.text, "tags": tags.get(article_id, []),
                "codes": sorted({c for a in own for c in a["codes"]}),
            })  # fmt: skip
            highlights.extend(own)
        yield articles, highlights


def _csv_value(value: Any) -> Any:
    return "; ".join(value) if isinstance(value, list) else ("" if value is None else value)


class _Writer:
    def __init__(self, handle: IO[str], fmt: CorpusFormat, fields: list[str]) -> None:
        self.handle, self.fmt = handle, fmt
        self.csv = csv.DictWriter(handle, fieldnames=fields) if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writeheader()

    def write(self, records: list[dict[str, Any]]) -> None:
        if self.csv is not None:
            self.csv.writerows({k: _csv_value(v) for k, v in r.items()} for r in records)
        else:
            self.handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_corpus(
    archive: Archive, ids: Sequence[int], path: Path, fmt: CorpusFormat
) -> CorpusExport:
    """Write the articles to `path` and their highlights beside it (see annotations_path_for)."""
    notes_path = annotations_path_for(path)
    articles = annotations = 0
    with (
        path.open("w", encoding="utf-8", newline="") as out,
        notes_path.open("w", encoding="utf-8", newline="") as notes_out,
    ):
        article_writer = _Writer(out, fmt, ARTICLE_FIELDS)
        notes_writer = _Writer(notes_out, fmt, ANNOTATION_FIELDS)
        for batch, highlights in corpus_batches(archive, ids):
            article_writer.write(batch)
            notes_writer.write(highlights)
            articles += len(batch)
            annotations += len(highlights)
    return CorpusExport(articles, annotations, path, notes_path)
