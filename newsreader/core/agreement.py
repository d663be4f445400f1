"""Agreement between coders: percent agreement and Krippendorff's alpha, per code.

Highlights are free spans, so they are first unitized: each article that two or more
coders highlighted is cut into sentences or paragraphs, and for each code a coder's value
for a unit is 1 when one of their highlights with that code overlaps it, else 0. A coder
who highlighted nothing in an article has no values there (missing, not 0): they did not
code it. Alpha comes from the `krippendorff` package (nominal level).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from newsreader.core.models import Annotation, AnnotationCode, Article, Code

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

Unit = Literal["sentence", "paragraph"]
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")


def units(text: str, unit: Unit) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (a line of text) or sentence, blank ones left out."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            if unit == "paragraph":
                spans.append((offset, offset + len(line)))
            else:
                begin = 0
                for match in _SENTENCE_END.finditer(line):
                    spans.append((offset + begin, offset + match.end()))
                    begin = match.end()
                if line[begin:].strip():
                    spans.append((offset + begin, offset + len(line)))
        offset += len(line) + 1
    return spans


def paired_units(matrix: Sequence[Sequence[float]]) -> int:
    """How many units have values from two or more coders (the units agreement is about)."""
    if not matrix:
        return 0
    return sum(sum(not math.isnan(v) for v in column) >= 2 for column in zip(*matrix, strict=True))


def percent_agreement(matrix: Sequence[Sequence[float]]) -> float | None:
    """The share of agreeing pairs of values over all pairs within units (NaN = missing)."""
    agree = pairs = 0
    for column in zip(*matrix, strict=True):
        values = [v for v in column if not math.isnan(v)]
        for a, b in combinations(values, 2):
            pairs += 1
            agree += a == b
    return agree / pairs if pairs else None


def alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Krippendorff's alpha (nominal) of coders × units; None when it is undefined (every
    value the same, or fewer than two values in any unit)."""
    import krippendorff
    import numpy as np

    data = np.array(matrix, dtype=float)
    paired = (~np.isnan(data)).sum(axis=0) >= 2
    if not paired.any() or len(np.unique(data[:, paired][~np.isnan(data[:, paired])])) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code: str
    coders: tuple[str, ...]
    articles: int  # articles coded by two or more of them
    units: int  # units with values from two or more coders
    percent: float | None
    alpha: float | None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "coders": list(self.coders), "articles": self.articles,
                "units": self.units, "percent_agreement": self.percent,
                "alpha": self.alpha}  # fmt: skip


def reliability_matrix(
    texts: dict[int, str], spans: dict[tuple[int, str], list[tuple[int, int, set[str]]]],
    coders: Sequence[str], code: str, unit: Unit,
) -> list[list[float]]:  # fmt: skip
    """Coders × units for one code: 1 coded, 0 not, NaN where the coder left the article."""
    matrix: list[list[float]] = [[] for _ in coders]
    for article_id, text in texts.items():
        for start, end in units(text, unit):
            for row, coder in zip(matrix, coders, strict=True):
                marks = spans.get((article_id, coder))
                if marks is None:
                    row.append(math.nan)
                else:
                    row.append(float(any(
                        s < end and e > start and code in codes for s, e, codes in marks
                    )))  # fmt: skip
    return matrix


def agreement(
    archive: Archive, *, codes: Sequence[str] | None = None, unit: Unit = "sentence",
    coders: Sequence[str] | None = None,
) -> list[CodeAgreement]:  # fmt: skip
    """Agreement per code over the articles that two or more coders highlighted."""
    with archive.reading() as session:
        rows = session.execute(
            select(Annotation.id, Annotation.article_id, Annotation.start, Annotation.end,
                   Annotation.coder)
            .where(Annotation.coder != "", Annotation.start.is_not(None))
        ).all()  # fmt: skip
        if coders:
            rows = [r for r in rows if r.coder in coders]
        coded: dict[int, set[str]] = {}
        for annotation_id, code_name in session.execute(
            select(AnnotationCode.annotation_id, Code.name)
            .join(Code, Code.id == AnnotationCode.code_id)
        ):  # fmt: skip
            coded.setdefault(annotation_id, set()).add(code_name)
        by_article: dict[int, set[str]] = {}
        for r in rows:
            by_article.setdefault(r.article_id, set()).add(r.coder)
        shared = {a for a, who in by_article.items() if len(who) >= 2}
        texts: dict[int, str] = {
            row.id: row.text
            for row in session.execute(
                select(Article.id, Article.text).where(Article.id.in_(shared))
            )
        }
    everyone = tuple(sorted({c for a in shared for c in by_article[a]}))
    spans: dict[tuple[int, str], list[tuple[int, int, set[str]]]] = {}
    for r in rows:
        if r.article_id in shared:
            spans.setdefault((r.article_id, r.coder), []).append(
                (r.start, r.end, coded.get(r.id, set()))
            )
    used = sorted({c for r in rows if r.article_id in shared for c in coded.get(r.id, ())})
    results = []
    for code in codes or used:
        matrix = reliability_matrix(texts, spans, everyone, code, unit)
        paired = paired_units(matrix)
        results.append(CodeAgreement(
            code=code, coders=everyone, articles=len(texts), units=paired,
            percent=percent_agreement(matrix) if paired else None,
            alpha=alpha(matrix) if paired else None,
        ))  # fmt: skip
    return results
