"""Choosing the article body among several extractors' candidates.

No extractor finds the whole article on every page: trafilatura's fast mode sometimes
keeps only the lead, its fallback cascade sometimes a page dump, readability sometimes a
comment thread. So the body is chosen among independent candidates by how much of each
other's text they hold, never by which one answered first:

1. trafilatura (fast) reads the page; when its body plainly holds the whole article
   (it covers the page's prose paragraphs and is prose, not fragments) it is kept as is
   (half the pages: the second opinion could not change the choice, and costs time).
   Otherwise readability-lxml reads the page too.
2. When one holds most of the other's text and clearly more besides, it found more of the
   same article: the bigger one wins (unless it is mostly links).
3. When they hold the same text, trafilatura's (finer structure, fewer captions) wins,
   unless what it has beyond readability's is mostly fragments (headings, list items,
   short lines: teaser lists, menus, forms) and a good part of its text.
4. When they disagree (each holds text the other lacks), trafilatura's full cascade is the
   third opinion and the candidate that agrees best with the others wins.

The confidence is how much of the other candidates' text the winner holds (1.0 when all
agree); "may be incomplete" is set when another candidate holds a good part of text the
winner does not.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from readability import Document as ReadabilityDocument
from readability.readability import REGEXES as READABILITY_REGEXES
from trafilatura.external import sanitize_tree
from trafilatura.settings import Document, Extractor

from newsreader.core.blocks import Block
from newsreader.core.ingest.errors import ExtractionError

FAST = "trafilatura-fast"
CASCADE = "trafilatura-cascade"
READABILITY = "readability"

# Containment (share of one candidate's word 3-grams found in another) above which the
# other holds "most" of it, and the growth above which it holds "clearly more".
HOLDS_MOST = 0.8
CLEARLY_MORE = 1.25
MIN_EXTRA_CHARS = 200  # less is a caption or a teaser, not a part of the article
MAX_LINK_DENSITY = 0.4  # a body this much in links is a link list, not an article
# A candidate "plainly whole" (no second opinion needed): it holds this share of the
# page's prose paragraphs, of at least this many characters, and few fragments. Two
# thirds, not all: most pages carry prose besides the article (comments, teaser blurbs,
# an author's bio, a footer); a candidate with twice as much prose as the rest of the
# page has found the article. (A second opinion changed no body on the pages of either
# benchmark set covered 2/3-0.9, so it now runs on 59 of the 181 Zyte pages, not 82.)
COVERS = 2 / 3
MIN_PROSE_CHARS = 500
WHOLE_FRAGMENT_SHARE = 0.15
FRAGMENT_CHARS = 80  # a line shorter than this is a label or a teaser, not a paragraph
FRAGMENTARY_SHARE = 0.5
# "May be incomplete": another candidate has this much text the winner lacks.
MISSING_SHARE = 0.3
MISSING_CHARS = 500

_WORDS = re.compile(r"\w+")


@dataclass
class Candidate:
    """One extractor's body after our clean-up, and the related trailer cut from it."""

    blocks: list[Block]
    trailer: list[str] = field(default_factory=list)
    name: str = ""
    link_chars: int = 0  # characters inside links in the extractor's raw output
    _shingles: set[tuple[str, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks if b.kind != "image")

    def shingles(self) -> set[tuple[str, ...]]:
        """The candidate's word 3-grams (computed once: every comparison needs them)."""
        if self._shingles is None:
            self._shingles = _shingles(" ".join(b.text for b in self.blocks))
        return self._shingles


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    confidence: float  # 0..1: how much of the other candidates' text the winner holds
    may_be_incomplete: bool


Clean = Callable[[Any], Candidate]  # an extractor's XML body -> our cleaned candidate


def choose_candidate(tree: HtmlElement, url: str | None, clean: Clean) -> Choice | None:
    """The body to keep, chosen among extractors' candidates (None: no extractor found one)."""
    fast = _named(FAST, _trafilatura(tree, url, fast=True), clean)
    if fast is not None and _plainly_whole(fast, tree):
        return Choice(fast, 1.0, may_be_incomplete=False)  # nothing to disagree with
    readable = _readability(tree, url, clean)
    pair = [c for c in (fast, readable) if c is not None]
    if len(pair) == 2 and fast is not None and readable is not None:
        settled = _settle(fast, readable)
        if settled is not None:
            return _choice(settled, pair)
    cascade_body = _trafilatura(tree, url, fast=False)
    cascade = _named(CASCADE, cascade_body, clean)
    candidates = [c for c in (*pair, cascade) if c is not None]
    if not candidates:  # only a page dump: better than nothing, but say so
        dump = _named(CASCADE, cascade_body, clean, dumps=True)
        return Choice(dump, 0.0, may_be_incomplete=True) if dump is not None else None
    return _choice(_best_agreeing(candidates), candidates)


def _plainly_whole(candidate: Candidate, tree: HtmlElement) -> bool:
    """Whether a candidate plainly holds the whole article, so that a second opinion
    could not change the choice: it covers the page's prose paragraphs and is made of
    prose, not of fragments."""
    prose = _prose_chars(tree)
    return (
        prose >= MIN_PROSE_CHARS
        and candidate.chars >= COVERS * prose
        and _fragment_chars(candidate.blocks) <= WHOLE_FRAGMENT_SHARE * candidate.chars
    )


def _prose_chars(tree: HtmlElement) -> int:
    """Characters in the page's paragraphs that are prose (long enough, few links)."""
    total = 0
    for p in tree.iter("p"):
        length = _collapsed_length(p)
        if length >= 80 and sum(_collapsed_length(a) for a in p.iter("a")) <= 0.3 * length:
            total += length
    return total


def _named(name: str, body: Any, clean: Clean, *, dumps: bool = False) -> Candidate | None:
    """Our cleaned candidate from an extractor's body; a page dump only when ``dumps``."""
    if body is None or (not dumps and _looks_like_page_dump(body)):
        return None
    candidate = clean(body)
    candidate.name = name
    return candidate if candidate.chars else None


def _settle(fast: Candidate, readable: Candidate) -> Candidate | None:
    """The winner when one candidate holds the other, else None (they disagree)."""
    fast_sh, read_sh = fast.shingles(), readable.shingles()
    if _containment(fast_sh, read_sh) >= HOLDS_MOST:
        extra = readable.chars - fast.chars
        if (
            readable.chars >= CLEARLY_MORE * fast.chars
            and extra >= MIN_EXTRA_CHARS
            and readable.link_chars <= MAX_LINK_DENSITY * readable.chars
        ):
            return readable  # the same article, with the parts fast mode dropped
        return fast
    if _containment(read_sh, fast_sh) >= HOLDS_MOST:
        if fast.chars >= CLEARLY_MORE * readable.chars and _fragmentary(fast, read_sh):
            return readable  # fast mode's surplus is teasers, menus and forms
        return fast
    return None


def _fragmentary(candidate: Candidate, others: set[tuple[str, ...]]) -> bool:
    """Whether most of the text ``candidate`` has beyond ``others`` is fragments: headings,
    list items and short lines (teaser lists, menus, newsletter forms), not prose."""
    extra = [b for b in candidate.blocks if b.kind != "image" and not _shingles(b.text) <= others]
    total = sum(len(b.text) for b in extra)
    return total > 0 and _fragment_chars(extra) >= FRAGMENTARY_SHARE * total


def _fragment_chars(blocks: list[Block]) -> int:
    """Characters in headings, list items and lines too short to be paragraphs."""
    return sum(
        len(b.text)
        for b in blocks
        if b.kind in ("heading", "list_item")
        or (b.kind != "image" and len(b.text) < FRAGMENT_CHARS)
    )


def _best_agreeing(candidates: list[Candidate]) -> Candidate:
    """The candidate whose text the others share most (ties: the longer one)."""
    shingles = [c.shingles() for c in candidates]

    def agreement(i: int) -> tuple[float, int]:
        others = [_containment(shingles[j], shingles[i]) for j in range(len(candidates)) if j != i]
        mine = [_containment(shingles[i], shingles[j]) for j in range(len(candidates)) if j != i]
        return (sum(others) + sum(mine), candidates[i].chars)

    best = max(range(len(candidates)), key=agreement)
    return candidates[best]


def _choice(winner: Candidate, candidates: list[Candidate]) -> Choice:
    mine = winner.shingles()
    confidence = 1.0
    incomplete = False
    for other in candidates:
        if other is winner:
            continue
        theirs = other.shingles()
        held = _containment(theirs, mine)
        confidence = min(confidence, held)
        missing = (1 - held) * other.chars
        if 1 - held >= MISSING_SHARE and missing >= MISSING_CHARS:
            incomplete = True
    return Choice(winner, round(confidence, 3), incomplete)


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Word 3-grams of a text, case folded."""
    words = _WORDS.findall(text.casefold())
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))} - {()}


def _containment(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """Share of ``part``'s 3-grams found in ``whole`` (1.0 for an empty part)."""
    return len(part & whole) / len(part) if part else 1.0


def _trafilatura(tree: HtmlElement, url: str | None, *, fast: bool) -> Any:
    """trafilatura's main text as an XML body (it works on its own copy of the tree)."""
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=fast,
            include_comments=False,
            include_images=True,
            include_tables=True,
            output_format="python",
        )
    except Exception as exc:  # a library bug on a hostile page is a per-item failure
        raise ExtractionError(f"no article text found ({type(exc).__name__}: {exc})") from exc
    return doc.body if isinstance(doc, Document) and doc.body is not None else None


class _Readability(ReadabilityDocument):
    """readability-lxml reading a tree we already parsed: its own clean-up (a deep copy
    through lxml's Cleaner, link rewriting) costs more than the scoring, and we need
    neither; a fresh copy per pass, because it edits the tree and may take two passes."""

    def _parse(self, input: HtmlElement) -> HtmlElement:
        doc = copy.deepcopy(input)
        etree.strip_elements(doc, etree.Comment, "script", "style", "noscript", with_tail=False)
        return doc

    def get_link_density(self, elem: HtmlElement) -> float:
        """As readability-lxml's, with a linear text length (its regex clean-up of every
        element's text is most of its running time on long pages)."""
        links = sum(_collapsed_length(a) for a in elem.iterdescendants("a"))
        return links / max(_collapsed_length(elem), 1)

    def remove_unlikely_candidates(self) -> None:
        """As readability-lxml's, visiting only elements with a class or an id (the others
        cannot match) and matching each distinct class-and-id string once."""
        unlikely: dict[str, bool] = {}
        for elem in _WITH_CLASS_OR_ID(self.html):
            key = f"{elem.get('class', '')} {elem.get('id', '')}"
            if key not in unlikely:
                unlikely[key] = bool(_UNLIKELY.search(key) and not _MAYBE_CANDIDATE.search(key))
            if (
                unlikely[key]
                and elem.tag not in ("html", "body")
                and not _IN_CODE(elem)
                and not _HOLDS_ARTICLE(elem)
            ):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        """As readability-lxml's, finding the elements that hold a block element in one
        pass up from the blocks, instead of serializing every <div>'s content and searching
        the markup for one."""
        holders: set[HtmlElement] = set()  # elements with a block element inside
        for block in _BLOCKS(self.html):
            for ancestor in block.iterancestors():
                if ancestor in holders:
                    break
                holders.add(ancestor)
        for elem in list(self.html.iterdescendants("div")):
            if elem not in holders:
                elem.tag = "p"
        for elem in list(self.html.iterdescendants("div")):
            paragraph = None
            if elem.text and elem.text.strip():
                paragraph = lxml.html.fragment_fromstring("<p/>")
                paragraph.text = elem.text
                elem.text = None
                elem.insert(0, paragraph)
            for child in list(elem)[0 if paragraph is None else 1 :]:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE_TAGS or child in holders:  # no inline tag is a block
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = lxml.html.fragment_fromstring("<p/>")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    tail = lxml.html.fragment_fromstring("<p/>")
                    tail.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, tail)
                if child.tag == "br":
                    child.drop_tree()


# readability-lxml's own patterns and tag lists, for the methods above.
_UNLIKELY = READABILITY_REGEXES["unlikelyCandidatesRe"]
_MAYBE_CANDIDATE = READABILITY_REGEXES["okMaybeItsACandidateRe"]
_WITH_CLASS_OR_ID = etree.XPath("descendant::*[@class or @id]")
_IN_CODE = etree.XPath("boolean(ancestor-or-self::pre | ancestor-or-self::code)")
_HOLDS_ARTICLE = etree.XPath(
    "boolean(descendant-or-self::main | descendant-or-self::article | descendant-or-self::math)"
)
# Its test for a block is the markup matching "<(blockquote|dl|div|img|ol|p|pre|table|ul)":
# an element whose tag name starts with one of these.
_BLOCK_NAMES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
_BLOCK_TEST = " or ".join(f"starts-with(name(), '{t}')" for t in _BLOCK_NAMES)
_BLOCKS = etree.XPath(f"descendant::*[{_BLOCK_TEST}]")
_INLINE_TAGS = {
    "a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u",
}  # fmt: skip


def _collapsed_length(el: HtmlElement) -> int:
    """Length of an element's text with each run of white space counted as one character."""
    return len(" ".join((el.text_content() or "").split()))


def _readability(tree: HtmlElement, url: str | None, clean: Clean) -> Candidate | None:
    """readability-lxml's article, converted to trafilatura's XML body so one walker reads
    every candidate."""
    try:
        summary = _Readability(tree, url=url).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
        link_chars = sum(len(a.text_content() or "") for a in root.iter("a"))
        options = Extractor(output_format="python", images=True, tables=True, url=url)
        body, _ = sanitize_tree(root, options)
    except Exception:  # readability gives up on some pages: one candidate fewer
        return None
    candidate = _named(READABILITY, body, clean, dumps=True)  # its text keeps source line breaks
    if candidate is not None:
        candidate.link_chars = link_chars
    return candidate


def _looks_like_page_dump(body: Any) -> bool:
    """trafilatura's last resort puts a whole page's text lines into one paragraph."""
    return any("".join(p.itertext()).count("\n") >= 10 for p in body.iter("p"))
