"""Copy citation and Copy quote with citation, in the style chosen in the Research menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from newsreader.core.citations import (
    CitedArticle,
    Style,
    format_citation,
    quote_with_citation,
)

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow

STYLE_SETTING = "research/citation_style"
STYLE_NAMES: dict[str, str] = {"apa": "APA", "chicago": "Chicago", "mla": "MLA"}


def citation_style(window: MainWindow) -> Style:
    value = str(window.settings.value(STYLE_SETTING, "apa"))
    return value if value in STYLE_NAMES else "apa"  # type: ignore[return-value]


def copy_citation(window: MainWindow, with_quote: bool) -> None:
    """Copy the open article's citation; with_quote: the selection (or the highlight under
    the cursor) quoted, cited, and linked back to the passage."""
    article = window.reader.article
    if article is None:
        return
    span = window.reader.selected_span()
    current = window.highlights.current() if with_quote and span is None else None
    if current is not None and current.start is not None and current.end is not None:
        span = (current.start, current.end)
    if with_quote and span is None:
        window.statusBar().showMessage("select the passage to quote", 4000)
        return
    style, archive, text = citation_style(window), window.archive, article.text

    def make() -> str:
        (cited,) = archive.research.cited_articles([article.id])
        if with_quote and span is not None:
            return quote_with_citation(cited, text[span[0] : span[1]], span[0], span[1], style)
        return format_citation(cited, style)

    def done(citation: str) -> None:
        QGuiApplication.clipboard().setText(citation)
        window.statusBar().showMessage("citation copied", 3000)

    window.executor.read(make, done, lambda error: window.status.report_error("Citation", error))


__all__ = ["STYLE_NAMES", "CitedArticle", "citation_style", "copy_citation"]
