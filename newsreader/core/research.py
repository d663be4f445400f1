"""The research tools of one archive, reached as `archive.research`: concordance, counts
over time, agreement between coders, exports, REFI-QDA imports and citations.

Each tool lives in its own module (concordance.py, stats.py, agreement.py, exports.py,
refiqda.py, citations.py), loaded on first use, so listing or searching never loads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.core.agreement import CodeAgreement, Unit
    from newsreader.core.archive import Archive
    from newsreader.core.citations import CitedArticle
    from newsreader.core.concordance import ConcordanceLine
    from newsreader.core.exports import ExportResult
    from newsreader.core.refiqda import RefiQdaImport
    from newsreader.core.stats import Count, Period, Split


class Research:
    """What a researcher asks of the archive's articles and codings as a whole."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def concordance(
        self, query: str, *, width: int | None = None, article_ids: Sequence[int] | None = None
    ) -> Iterator[ConcordanceLine]:
        """Every occurrence of the query's words in the articles it finds, newest first
        (`width` words each side; the default when None)."""
        from newsreader.core.concordance import DEFAULT_WIDTH, concordance

        return concordance(self.archive, query, article_ids=article_ids,
                           width=DEFAULT_WIDTH if width is None else width)  # fmt: skip

    def counts_over_time(
        self, query: str | None, *, by: Period = "month", split: Split | None = None,
        article_ids: Sequence[int] | None = None,
    ) -> list[Count]:  # fmt: skip
        """Articles a query selects per week or month, split by section, source or code."""
        from newsreader.core.stats import counts_over_time

        return counts_over_time(self.archive, query, by=by, split=split, article_ids=article_ids)

    def agreement(
        self, *, codes: Sequence[str] | None = None, unit: Unit = "sentence",
        coders: Sequence[str] | None = None,
    ) -> list[CodeAgreement]:  # fmt: skip
        """Agreement per code over the articles that two or more coders highlighted."""
        from newsreader.core.agreement import agreement

        return agreement(self.archive, codes=codes, unit=unit, coders=coders)

    def export(
        self, fmt: str, out: Path, *, query: str | None = None,
        article_ids: Sequence[int] | None = None,
    ) -> ExportResult:  # fmt: skip
        """Write the chosen articles (ids, a query's matches, or all) in a format."""
        from newsreader.core.exports import export

        return export(self.archive, fmt, out, query=query, article_ids=article_ids)

    def import_qdc(self, data: bytes) -> RefiQdaImport:
        """Add a REFI-QDA codebook's codes."""
        from newsreader.core.refiqda import import_qdc

        return import_qdc(self.archive, data)

    def import_qdpx(self, path: Path) -> RefiQdaImport:
        """A REFI-QDA project's codes and its codings on the articles this archive holds."""
        from newsreader.core.refiqda import import_qdpx

        return import_qdpx(self.archive, path)

    def cited_articles(self, ids: Sequence[int]) -> list[CitedArticle]:
        """What a citation needs of these articles, in the order of `ids`."""
        from newsreader.core.citations import cited_articles

        return cited_articles(self.archive, ids)
