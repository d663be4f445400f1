"""One export for the research formats: the articles of a search (or chosen by id, or the
whole archive) as a QDA project, a codebook, references, or a corpus for R and pandas."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from sqlalchemy import select

from newsreader.core.models import Article

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

ExportFormat = Literal["qdpx", "qdc", "csl-json", "bibtex", "ris", "jsonl", "csv"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


class ExportError(ValueError):
    """An export that cannot be made; the message says why (nothing was written)."""


@dataclass(slots=True)
class ExportResult:
    format: str
    articles: int = 0
    annotations: int = 0
    paths: list[Path] = field(default_factory=list)


def select_articles(
    archive: Archive, query: str | None = None, article_ids: Sequence[int] | None = None
) -> list[int]:
    """The articles an export covers: these ids (all must exist), else a query's matches
    (newest first), else the whole archive."""
    if article_ids:
        wanted = list(dict.fromkeys(article_ids))
        with archive.reading() as session:
            found = set(session.scalars(select(Article.id).where(Article.id.in_(wanted))))
        if missing := [i for i in wanted if i not in found]:
            raise ExportError(f"no article with id {', '.join(map(str, missing))}")
        if query:  # both: the chosen articles that the query also finds
            matches = set(archive.search.matching_ids(query))
            return [i for i in wanted if i in matches]
        return wanted
    return archive.search.matching_ids(query)


def _write_text(path: Path, text: str | bytes) -> None:
    """Write whole or not at all: a failed export leaves what was at `path` untouched."""
    partial = path.with_name(path.name + ".partial")
    if isinstance(text, bytes):
        partial.write_bytes(text)
    else:
        partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def export(
    archive: Archive, fmt: str, out: Path, *, query: str | None = None,
    article_ids: Sequence[int] | None = None,
) -> ExportResult:  # fmt: skip
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if out.is_dir():
        raise ExportError(f"{out} is a folder; name the file to write")
    if not out.parent.exists():
        raise ExportError(f"the folder {out.parent} does not exist")
    result = ExportResult(fmt)
    if fmt == "qdc":
        from newsreader.core.refiqda import codebook_xml

        _write_text(out, codebook_xml(archive))
        result.paths.append(out)
        return result
    ids = select_articles(archive, query, article_ids)
    if fmt == "qdpx":
        from newsreader.core.refiqda import write_qdpx

        partial = out.with_name(out.name + ".partial")
        summary = write_qdpx(archive, ids, partial)
        os.replace(partial, out)
        result.articles, result.annotations = summary.sources, summary.selections
    elif fmt in ("jsonl", "csv"):
        from newsreader.core.corpus import write_corpus

        corpus = write_corpus(archive, ids, out, fmt)  # type: ignore[arg-type]
        result.articles, result.annotations = corpus.articles, corpus.annotations
        result.paths.append(corpus.annotations_path)
    else:
        from newsreader.core import citations

        articles = citations.cited_articles(archive, ids)
        writer = {"csl-json": citations.to_csl_json, "bibtex": citations.to_bibtex,
                  "ris": citations.to_ris}[fmt]  # fmt: skip
        _write_text(out, writer(articles))
        result.articles = len(articles)
    result.paths.insert(0, out)
    return result
