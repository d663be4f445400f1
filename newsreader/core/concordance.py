"""The concordance (keyword in context): every occurrence of a search's words, one line each.

The search selects the articles; each is then scanned word by word with the analysis the
index uses, so a line stands wherever the index would match: quoted words in their exact
forms (case and accents folded), other words by their stem, `word*` by its prefix. Lines
come as a stream, article by article, newest first, so the first screen never waits for
the last article.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from newsreader.core.models import Article, Section, Source
from newsreader.core.search.query import Words, parse_query
from newsreader.core.search.text import analyze_exact, analyze_word, fold_prefix

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

SortKey = Literal["left", "right", "date", "section", "article"]
DEFAULT_WIDTH = 5  # words each side
MAX_WIDTH = 50
_TOKEN = re.compile(r"[^\W_]+")  # the index's tokenizer: runs of letters and digits
BATCH = 200


@dataclass(frozen=True, slots=True)
class Pattern:
    """A sequence of index terms to find: exact forms, stems, or (one) prefix."""

    terms: tuple[str, ...]
    exact: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class ConcordanceLine:
    article_id: int
    title: str
    section: str | None
    source: str | None
    date: datetime
    start: int  # the occurrence's characters in Article.text
    end: int
    left: str
    match: str
    right: str

    def to_json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "title": self.title, "section": self.section,
                "source": self.source, "date": self.date.date().isoformat(),
                "start": self.start, "end": self.end, "left": self.left, "match": self.match,
                "right": self.right}  # fmt: skip


def patterns_of(query: str) -> list[Pattern]:
    """What a query's positive words look for in the text of an article."""
    found: list[Pattern] = []
    for atom in parse_query(query).highlight_terms():
        if atom.field == "author":
            continue
        found.extend(_pattern(atom))
    return found


def _pattern(atom: Words) -> list[Pattern]:
    if atom.prefix:
        prefix = fold_prefix(atom.words[0])
        return [Pattern((prefix,), prefix=True)] if prefix else []
    analyze = analyze_exact if atom.exact else analyze_word
    terms = tuple(t for word in atom.words for t in analyze(word))
    return [Pattern(terms, exact=atom.exact)] if terms else []


def occurrences(text: str, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of the patterns in `text`, in text order."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    exact_forms: list[str | None] = [None] * len(tokens)
    stems: list[str | None] = [None] * len(tokens)

    def term(i: int, exact: bool) -> str:
        cache = exact_forms if exact else stems
        value = cache[i]
        if value is None:
            analysed = (analyze_exact if exact else analyze_word)(tokens[i][2])
            value = cache[i] = analysed[0] if analysed else ""
        return value

    spans: set[tuple[int, int]] = set()
    for pattern in patterns:
        n = len(pattern.terms)
        first = pattern.terms[0]
        for i in range(len(tokens) - n + 1):
            if pattern.prefix:
                if term(i, True).startswith(first) or term(i, False).startswith(first):
                    spans.add((tokens[i][0], tokens[i][1]))
                continue
            if term(i, pattern.exact) != first:
                continue
            if all(term(i + k, pattern.exact) == pattern.terms[k] for k in range(1, n)):
                spans.add((tokens[i][0], tokens[i + n - 1][1]))
    return sorted(spans)


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    before = list(_TOKEN.finditer(text, max(0, start - 40 * width), start))[-width:]
    left = text[before[0].start() : start] if before else ""
    after = list(_TOKEN.finditer(text, end, min(len(text), end + 40 * width)))[:width]
    right = text[end : after[-1].end()] if after else ""
    return " ".join(left.split()), " ".join(right.split())


def concordance(
    archive: Archive, query: str, *, width: int = DEFAULT_WIDTH,
    article_ids: Sequence[int] | None = None,
) -> Iterator[ConcordanceLine]:  # fmt: skip
    """Every occurrence of the query's words in the articles it finds, newest first."""
    width = max(1, min(int(width), MAX_WIDTH))
    patterns = patterns_of(query)
    if not patterns:
        return
    ids = list(article_ids) if article_ids is not None else archive.search.matching_ids(query)
    for begin in range(0, len(ids), BATCH):
        chunk = ids[begin : begin + BATCH]
        with archive.reading() as session:
            rows = {row.id: row for row in session.execute(
                select(Article.id, Article.title, Article.text, Article.sort_date,
                       Section.name.label("section"), Source.name.label("source"))
                .outerjoin(Section, Section.id == Article.section_id)
                .outerjoin(Source, Source.id == Article.source_id)
                .where(Article.id.in_(chunk))
            )}  # fmt: skip
        for article_id in chunk:
            row = rows.get(article_id)
            if row is None:
                continue
            for start, end in occurrences(row.text, patterns):
                left, right = _context(row.text, start, end, width)
                yield ConcordanceLine(
                    article_id=row.id, title=row.title, section=row.section, source=row.source,
                    date=row.sort_date, start=start, end=end, left=left,
                    match=" ".join(row.text[start:end].split()), right=right,
                )  # fmt: skip


def sort_lines(lines: Iterable[ConcordanceLine], key: SortKey) -> list[ConcordanceLine]:
    """Lines ordered by the words just left of the match (read right to left), the words
    right of it, the article's date (newest first), its section, or text order."""

    def words(text: str) -> list[str]:
        return [w.casefold() for w in _TOKEN.findall(text)]

    orders: dict[str, Any] = {
        "left": lambda line: (words(line.left)[::-1], line.article_id, line.start),
        "right": lambda line: (words(line.right), line.article_id, line.start),
        "date": lambda line: (-line.date.timestamp(), line.article_id, line.start),
        "section": lambda line: ((line.section or "").casefold(), line.article_id, line.start),
        "article": lambda line: (line.article_id, line.start),
    }
    return sorted(lines, key=orders[key])


CSV_FIELDS = ["article_id", "title", "section", "source", "date", "start", "end", "left",
              "match", "right"]  # fmt: skip


def to_csv(lines: Iterable[ConcordanceLine]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for line in lines:
        writer.writerow(line.to_json())
    return out.getvalue()
