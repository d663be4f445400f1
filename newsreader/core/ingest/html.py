"""HTML page -> ExtractedArticle.

trafilatura finds the main text and the usual metadata. What extractors throw away is
ours: the section label (meta tags, JSON-LD, breadcrumbs, a kicker above the headline,
the URL path) and the page's own related-articles block, whose links become
``related`` and whose text never reaches the body. Page chrome is dropped last, with the
same rules the text-dump parser uses.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import Document
from trafilatura.utils import load_html, trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from newsreader.core.blocks import (
    Block,
    BlockKind,
    ExtractedArticle,
    RelatedItem,
    clean_line,
    decode_entities,
    make_block,
)
from newsreader.core.ingest.candidates import Candidate, choose_candidate
from newsreader.core.ingest.chrome import is_chrome_line, is_related_heading
from newsreader.core.ingest.errors import ExtractionError
from newsreader.core.ingest.plaintext import split_paragraphs
from newsreader.core.sections import section_display_name
from newsreader.core.urls import host_of, normalize_url

# Bigger inputs lose scripts, styles and comments, then are cut: extraction time grows
# with the tree, and no article needs that much markup (real pages slim to < 200 kB).
MAX_HTML_CHARS = 500_000
TRUNCATED_NOTE = f"page cut to its first {MAX_HTML_CHARS:,} characters of markup; the rest is lost"
_BULKY = (
    ("<script", "</script"),
    ("<style", "</style"),
    ("<svg", "</svg"),
    ("<noscript", "</noscript"),
    ("<!--", "--"),
)
MAX_JSONLD_CHARS = 100_000  # real metadata is a few kB; more is a payload, dropped on slimming
MAX_RELATED = 30
MIN_TEXT_CHARS = 20  # less is a menu word or a stray label, not an article

_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_WORD = re.compile(r"\w+")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_RELATED_HEADING_TAGS = _HEADING_TAGS | {"div", "span", "p", "strong", "b", "header", "label"}
_RELATED_MARKERS = (
    "related",
    "more-stories",
    "morestories",
    "more_stories",
    "recommended",
    "recommendation",
    "read-next",
    "readnext",
    "read_next",
)
# Patterns below are matched against lowercased text: re.IGNORECASE makes them ~7x slower.
_RELATED_MARKER = re.compile("|".join(_RELATED_MARKERS))
# Cheap pre-filter for text that might be a related heading (is_related_heading decides).
_RELATED_WORDS = re.compile(
    r"relat|you m|read|see |more|recommend|popular|trending|top stor|latest|also|further",
)
_CAPTION = re.compile(r"caption|credit")
_KICKER_MARKERS = ("kicker", "eyebrow", "category", "section", "rubric", "overline")
_NOT_KICKER_AREAS = {"header", "nav", "aside", "menu", "form", "footer"}
_HOME_CRUMBS = {"home", "homepage", "home page", "start", "startseite", "accueil", "inicio"}
# Path segments that never name a section on their own.
_GENERIC_SEGMENTS = {
    "news", "article", "articles", "story", "stories", "post", "posts", "blog", "blogs",
    "amp", "content", "index", "html", "page", "pages", "item", "items", "node", "id",
    "www", "en", "de", "fr", "es", "it", "uk", "us", "latest", "p", "a", "s",
    "eng", "rus", "deu", "ger", "fra", "fre", "spa", "esp", "ita", "jpn", "chi", "zho", "kor",
    "ara", "por", "hindi", "english", "mobile", "m", "web", "online", "print", "edition",
    "view", "read", "detail", "details", "entry", "doc", "articleshow", "cms", "go",
    "tag", "tags", "topic", "topics", "author", "authors", "category", "categories",
}  # fmt: skip
_SEGMENT = re.compile(r"[a-z]+(?:-[a-z]+){0,2}")
# Long one-word path segments are more often a site or brand name than a section.
_KNOWN_SECTIONS = {
    "entertainment", "international", "environment", "technology", "healthcare",
    "personal-finance", "real-estate", "science-and-health", "united-states",
}  # fmt: skip
# Labels that name no section: placeholders, page kinds (in the languages we meet most).
_NOT_SECTIONS = {
    "all", "article", "articles", "post", "posts", "story", "stories", "blog", "blogs",
    "page", "home", "uncategorized", "uncategorised", "general", "default", "none", "null",
    "misc", "other", "main", "content", "contents", "index", "featured", "featured article",
    "artikel", "artikkel", "artículo", "articulo", "articolo", "artigo", "inhalt",
    "contenido", "conteúdo", "contenu", "startseite", "accueil", "inicio", "ブログ", "記事",
    "博客", "文章", "블로그", "기사", "статья", "статьи", "блог",
}  # fmt: skip


def extract_html(html: str, url: str | None = None) -> ExtractedArticle:
    """Extract one article from an HTML page; raise ExtractionError when there is none."""
    with warnings.catch_warnings():
        # Library warnings (lxml, htmldate) are about the page, not our code; the page
        # either yields an article or an ExtractionError.
        warnings.simplefilter("ignore")
        return _extract(html, url)


def _extract(html: str, url: str | None) -> ExtractedArticle:
    tree, truncated = _parse(html)
    meta = _meta_tags(tree)
    jsonld = list(_jsonld_objects(tree))
    page_url = _page_url(tree, meta, url)
    base = _base_href(tree, url or page_url)
    info = _metadata(tree, page_url)
    h1 = _h1_title(tree)
    site_names = (info.sitename, meta.get("og:site_name"), meta.get("application-name"))
    title = clean_line(decode_entities(str(info.title or _title_tag(tree) or "")))
    title = _best_title(title, h1, site_names)
    section = _section(tree, meta, jsonld, page_url, (title, h1), (info.sitename, info.author))
    published = _published(meta, jsonld) or _date(tree, page_url)

    own_urls = {n for n in (normalize_url(u) for u in (url, page_url) if u) if n}
    _drop_hidden(tree)
    related = _take_related_blocks(tree, base, own_urls)
    _simplify_figures(tree)

    def clean(body: Any) -> Candidate:
        blocks, trailer = _clean_blocks(
            _blocks_from_body(body, base),
            title=title,
            section=section,
            byline=info.author,
            page_urls={u for u in (url, page_url) if u},
            related=related,
        )
        return Candidate(blocks, trailer)

    choice = choose_candidate(tree, page_url, clean)
    if choice is None:
        raise ExtractionError("no article text found")
    blocks, trailer = choice.candidate.blocks, choice.candidate.trailer
    if sum(len(b.text) for b in blocks) < MIN_TEXT_CHARS and not _is_all_the_page_says(
        blocks, html
    ):  # nothing, or a stray "Home" picked out of a page's chrome
        raise ExtractionError("no article text found")
    if not title:
        title = next(b.text for b in blocks if b.kind != "image")[:120]

    return ExtractedArticle(
        title=title,
        blocks=blocks,
        section=section,
        byline=_clean_or_none(info.author),
        published=published,
        related=_merge_related(related, trailer),
        url=page_url,
        source=_clean_or_none(info.sitename) or host_of(page_url),
        language=_language(tree, meta),
        format="html",
        notes=[TRUNCATED_NOTE] if truncated else [],
        extractor=choice.candidate.name,
        extraction_confidence=choice.confidence,
        may_be_incomplete=choice.may_be_incomplete,
    )


# Text a page's body shows outside its navigation (menus, header, footer, forms).
_SHOWN_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::nav or ancestor::header or ancestor::footer"
    " or ancestor::aside or ancestor::menu or ancestor::form)]",
    smart_strings=False,
)


def _is_all_the_page_says(blocks: list[Block], html: str) -> bool:
    """Whether a body too short to be an article on most pages is all the text the page
    shows outside its navigation (a tiny page is its own article), and not a label such
    as "Home" or "Menu" from a menu.

    The page is read again as it came (hidden text aside): the tree extraction worked on
    has lost its related links, which must not make a stray label look like the page."""
    text = " ".join(b.text for b in blocks if b.kind != "image")
    if not text.strip() or is_chrome_line(text):
        return False
    tree, _ = _parse(html)
    _drop_hidden(tree)
    shown = " ".join(_SHOWN_TEXT(tree))
    return _WORD.findall(text.casefold()) == _WORD.findall(shown.casefold())


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    """Title, author and site name the way trafilatura finds them (meta tags, JSON-LD,
    markup), without its costlier extras (categories, tags, license) we do not use."""
    try:
        doc = examine_meta(tree)
        if doc.author and " " not in doc.author:  # a handle, not a name (as trafilatura)
            doc.author = None
        doc = extract_meta_json(tree, doc)
        doc.title = doc.title or extract_title(tree)
        doc.author = doc.author or _author(tree)
        doc.sitename = (doc.sitename or extract_sitename(tree) or "").lstrip("@") or None
    except Exception:  # metadata is best effort; the body decides success
        doc = Document()
    return doc


def _author_discard_test() -> etree.XPath | None:
    """Whether an element is in a part trafilatura's author search leaves out (comments,
    sidebars, dates, figures), asked of the element itself: its XPath turned around."""
    first, second = (x.path.strip() for x in AUTHOR_DISCARD_XPATHS)
    if not first.startswith(".//*[") or second != "//time|//figure":
        return None  # another trafilatura: use its own search
    around = "ancestor-or-self::*" + first.removeprefix(".//*")
    test = f"boolean({around} | ancestor-or-self::time | ancestor-or-self::figure)"
    return etree.XPath(test, namespaces={"re": "http://exslt.org/regular-expressions"})


_IN_AUTHOR_DISCARD = _author_discard_test()


# trafilatura's three author searches, as its version we know writes them (white space
# aside); _author_search_walk finds the same elements.
_KNOWN_AUTHOR_XPATHS = (
    "//*[self::a or self::address or self::div or self::link or self::p or self::span or"
    " self::strong][ @rel='author' or @id='author' or @class='author' or @itemprop='author"
    " name' or rel='me' or @data-testid='AuthorCard' or @data-testid='AuthorURL' or"
    " re:test(@class, 'author-?name|AuthorName|authorName')]|//author",
    "//*[self::a or self::div or self::h3 or self::h4 or self::p or self::span][ @class='byline'"
    " or @class='username' or @class='byl' or @class='BBL' or contains(@itemprop, 'author') or"
    " re:test(@id, 'author|zuozhe|bianji|xiaobian') or re:test(@class,"
    " 'author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name')]",
    "//*[ contains(@data-component, 'Byline') or contains(@itemprop, 'author') or re:test(@id,"
    " '[Aa]uthor') or re:test(@class, '[Aa]uthor|screenname|writer|[Bb]yline')]",
)
_AUTHOR_TAGS = ({"a", "address", "div", "link", "p", "span", "strong"},
                {"a", "div", "h3", "h4", "p", "span"})  # fmt: skip
_AUTHOR_NAME_CLASS = re.compile("author-?name|AuthorName|authorName")
_AUTHOR_ID = re.compile("author|zuozhe|bianji|xiaobian")
_AUTHOR_CLASS = re.compile(
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_WRITER_ID = re.compile("[Aa]uthor")
_WRITER_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")


def _author_search_walk(tree: HtmlElement) -> list[list[HtmlElement]]:
    """What each of trafilatura's author XPaths finds, in document order, in one walk of
    the page: the three XPaths took 7 ms on a page without a byline (their regular
    expressions are called back into Python for every element with a class)."""
    found: list[list[HtmlElement]] = [[], [], []]
    root = tree.getroottree().getroot()
    rel_elements = next(root.iter("rel"), None) is not None  # (not an attribute: rare)
    for el in root.iter(etree.Element):
        tag, get = el.tag, el.get
        if not el.attrib and tag != "author" and not rel_elements:
            continue  # every other test is of an attribute
        cls, id_, itemprop = get("class"), get("id"), get("itemprop")
        if tag == "author" or (
            tag in _AUTHOR_TAGS[0]
            and (
                get("rel") == "author" or id_ == "author" or cls == "author"
                or itemprop == "author name"
                or get("data-testid") in ("AuthorCard", "AuthorURL")
                or (cls is not None and _AUTHOR_NAME_CLASS.search(cls) is not None)
                or (rel_elements and any(r.text_content() == "me" for r in el.iterchildren("rel")))
            )
        ):  # fmt: skip
            found[0].append(el)
        if tag in _AUTHOR_TAGS[1] and (
            cls in ("byline", "username", "byl", "BBL")
            or (itemprop is not None and "author" in itemprop)
            or (id_ is not None and _AUTHOR_ID.search(id_) is not None)
            or (cls is not None and _AUTHOR_CLASS.search(cls) is not None)
        ):
            found[1].append(el)
        if (
            "Byline" in (get("data-component") or "")
            or (itemprop is not None and "author" in itemprop)
            or (id_ is not None and _WRITER_ID.search(id_) is not None)
            or (cls is not None and _WRITER_CLASS.search(cls) is not None)
        ):
            found[2].append(el)
    return found


def _author_searches() -> Any:
    """One walk when trafilatura's author XPaths are the ones we know, else its XPaths."""
    known = tuple(" ".join(x.path.split()) for x in AUTHOR_XPATHS) == _KNOWN_AUTHOR_XPATHS
    if known:
        return _author_search_walk
    return lambda tree: [expression(tree) for expression in AUTHOR_XPATHS]


_AUTHOR_SEARCHES = _author_searches()


def _author(tree: HtmlElement) -> str | None:
    """trafilatura's ``extract_author`` without copying and pruning the whole page first
    (most of its time): each element its search finds is checked for lying in a left-out
    part, and only the one whose text is taken is copied and pruned."""
    if _IN_AUTHOR_DISCARD is None:
        return extract_author(tree)
    for found in _AUTHOR_SEARCHES(tree):
        for elem in found:
            if _IN_AUTHOR_DISCARD(elem):
                continue
            pruned = prune_unwanted_nodes(copy.deepcopy(elem), AUTHOR_DISCARD_XPATHS)
            content = trim(" ".join(pruned.itertext()))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


def _date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's publication date (YYYY-MM-DD) when the page does not state one plainly."""
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:
        return None
    return found if isinstance(found, str) and found else None


# --- parsing -------------------------------------------------------------------------


def _parse(html: str) -> tuple[HtmlElement, bool]:
    """An lxml tree of the page, and whether the markup had to be cut to fit.

    ExtractionError when the input is not HTML at all.
    """
    if not isinstance(html, str) or not html.strip():
        raise ExtractionError("no article text found (empty input)")
    try:
        html.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (bytes decoded with surrogateescape)
        html = html.encode("utf-8", "replace").decode("utf-8")
    truncated = False
    if len(html) > MAX_HTML_CHARS:
        html = _slim(html)
        truncated = len(html) > MAX_HTML_CHARS
        html = html[:MAX_HTML_CHARS]
    try:
        tree = load_html(html)
        if tree is None and html.lstrip().startswith("<"):  # a fragment, not a page
            tree = load_html(f"<html><body>{html}</body></html>")
    except Exception as exc:
        raise ExtractionError(f"no article text found (unparsable HTML: {exc})") from exc
    if tree is None or not isinstance(tree, HtmlElement):
        raise ExtractionError("no article text found (not HTML)")
    _unnest_void_elements(tree)
    return tree, truncated


# Elements that never hold content in HTML; libxml2 does not know all of them as empty
# and nests what follows an unclosed one (<embed src=...>) inside it, where extractors
# that drop the element would drop the paragraphs with it.
_VOID_TAGS = ("embed", "img", "br", "hr", "input", "source", "param", "track", "wbr",
              "area", "col", "keygen")  # fmt: skip


def _unnest_void_elements(tree: HtmlElement) -> None:
    """Move whatever the parser put inside a void element back after it, in order; an
    <object>'s content is its fallback, which browsers without plug-ins show: it stays,
    unwrapped."""
    etree.strip_tags(tree, "object")
    for el in list(tree.iter(_VOID_TAGS)):
        parent = el.getparent()
        if parent is None or (not len(el) and not (el.text or "").strip()):
            continue
        children, text, tail = list(el), el.text, el.tail
        el.text = None
        position = parent.index(el)
        for offset, child in enumerate(children, start=1):
            parent.insert(position + offset, child)
        if children:
            el.tail = text
            children[-1].tail = (children[-1].tail or "") + (tail or "")
        else:
            el.tail = (text or "") + (tail or "")


def _slim(html: str) -> str:
    """Cut scripts (but JSON-LD), styles, SVG and comments out of markup in linear passes
    (used only on huge inputs, where they are most of the bytes)."""
    for opening, closing in _BULKY:
        lower = html.lower()
        out: list[str] = []
        pos = 0
        while (start := lower.find(opening, pos)) != -1:
            end = lower.find(closing, start + len(opening))
            end = len(html) if end == -1 else lower.find(">", end) + 1 or len(html)
            if (
                "ld+json" in lower[start : lower.find(">", start)]
                and end - start <= MAX_JSONLD_CHARS
            ):
                out.append(html[pos:end])  # JSON-LD carries the metadata we read
            else:
                out.append(html[pos:start])
            pos = end
        out.append(html[pos:])
        html = "".join(out)
    return html


def _text(el: HtmlElement) -> str:
    return clean_line(el.text_content() or "")


def _attrs(el: HtmlElement) -> str:
    """Class, id and aria-label of an element, lowercased, for marker matching."""
    return " ".join(
        str(el.get(a) or "") for a in ("class", "id", "aria-label", "data-testid")
    ).lower()


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """First content of each <meta> name/property/itemprop, keys lowercased."""
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), content.strip())
    return meta


def _jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, @graph and nesting flattened."""
    for script in tree.iter("script"):
        if "ld+json" not in str(script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except (ValueError, RecursionError):  # broken, or nested deeper than any real data
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 500:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                seen += 1
                yield item
                stack.extend(v for v in item.values() if isinstance(v, dict | list))


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _page_url(tree: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    """The canonical URL (link rel=canonical, og:url) resolved against ``url``, else ``url``."""
    candidates = [
        str(el.get("href") or "")
        for el in tree.iter("link")
        if "canonical" in str(el.get("rel") or "").lower().split()
    ]
    candidates.append(meta.get("og:url", ""))
    for cand in candidates:
        if not cand.strip():
            continue
        absolute = _absolute(cand, url)
        if absolute is None:
            continue
        # A canonical pointing at the home page of an article is a site bug; ignore it.
        if url and urlsplit(absolute).path in ("", "/") and urlsplit(url).path not in ("", "/"):
            continue
        return absolute
    return url


def _base_href(tree: HtmlElement, url: str | None) -> str | None:
    for el in tree.iter("base"):
        href = el.get("href")
        if href:
            return _absolute(href, url) or url
    return url


def _absolute(href: str, base: str | None) -> str | None:
    """``href`` made absolute against ``base``, without fragment; None unless http(s)."""
    try:
        href = href.strip()
        absolute = urldefrag(urljoin(base, href) if base else href)[0]
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return absolute


def _best_title(title: str, h1: str, site_names: tuple[str | None, ...] = ()) -> str:
    """The headline without the site name: "Headline - Site" becomes the page's h1 when
    the h1 is part of it; a title that is only the site's name gives way to the h1 (or
    to nothing, and the body's first line stands in)."""
    if title and _fold(title) in {_fold(n) for n in site_names if n}:
        title = ""
    if h1 and _fold(h1) in {_fold(n) for n in site_names if n}:
        h1 = ""
    if h1 and (not title or (_fold(h1) in _fold(title) and len(h1) < len(title))):
        return h1
    return title


def _h1_title(tree: HtmlElement) -> str:
    for el in tree.iter("h1"):
        text = _text(el)
        if text:
            return text
    return ""


def _title_tag(tree: HtmlElement) -> str:
    for el in tree.iter("title"):
        return _text(el)
    return ""


def _clean_or_none(value: object) -> str | None:
    if not value:
        return None
    return clean_line(str(value)) or None


# --- section -------------------------------------------------------------------------


def _section(
    tree: HtmlElement,
    meta: dict[str, str],
    jsonld: list[dict[str, Any]],
    url: str | None,
    titles: tuple[str, ...],
    names: tuple[str | None, ...],
) -> str | None:
    """The section label a person would write, or None when no evidence is strong.

    Navigation the page itself shows (breadcrumbs, ``rel="category"`` links) names a
    section as it is. A label the page only declares (meta tags, JSON-LD, a kicker line)
    counts when the page backs it up: its words are in the URL's path, or the page links
    to it by that name (a menu, a tag list). A URL path segment counts only when the page
    links to that section's front page, whose link text is then its name. Lists are split
    and the most specific part is taken."""
    # The site's name, its host and the byline never name a section.
    not_sections = {_fold(n) for n in (*names, host_of(url)) if n} | _NOT_SECTIONS
    evidence = _SectionEvidence(tree, meta, url)

    def usable(label: object) -> str | None:
        name = section_display_name(label) if isinstance(label, str) else None
        if not name or _fold(name) in not_sections or is_chrome_line(name):
            return None
        return name

    for label in (*_crumbs(_jsonld_crumbs(jsonld), titles), *_crumbs(_html_crumbs(tree), titles)):
        if name := usable(label):
            return name
    for label in _category_links(tree):
        if name := usable(label):
            return name
    declared = [meta.get(k, "") for k in ("article:section", "section", "parsely-section")]
    for label in (*declared, *_jsonld_sections(jsonld), *_kicker_labels(tree)):
        for part in _most_specific_first(label):
            if (name := usable(part)) and evidence.backs(name):
                return name
    for segment, link_text in evidence.section_fronts():
        if name := usable(link_text) or usable(segment):
            return name
    return None


_LIST_SEPARATORS = re.compile(r"\s*(?:[,;|>»›]|\s-\s|\s–\s)\s*")


def _most_specific_first(label: str) -> list[str]:
    """The parts of a label list ("Smart News, Smart News Science"; "Blog - News"), the
    most specific first: a part that extends another part, then the others in order."""
    parts = list(dict.fromkeys(p for p in _LIST_SEPARATORS.split(label.strip()) if p))
    if len(parts) < 2:
        return parts
    folded = [_fold(p) for p in parts]
    extends = [
        p for p, f in zip(parts, folded, strict=True)
        if any(o != f and f.startswith(o) for o in folded)
    ]  # fmt: skip
    return [*extends, *(p for p in parts if p not in extends)]


def _category_links(tree: HtmlElement) -> Iterator[str]:
    """The text of links the page marks as its categories (``rel="category"``)."""
    for a in tree.iter("a"):
        rel = str(a.get("rel") or "").lower().split()
        if "category" in rel:
            yield _text(a)


class _SectionEvidence:
    """What a page shows that can back a declared section label."""

    def __init__(self, tree: HtmlElement, meta: dict[str, str], url: str | None) -> None:
        self.tree = tree
        self.path = urlsplit(url).path.lower() if url else ""
        self.host = (urlsplit(url).hostname or "") if url else ""
        self.path_words = _fold(self.path.replace("-", " ").replace("_", " "))
        self._link_texts: set[str] | None = None
        self._tags = {_fold(v) for k, v in meta.items() if k == "article:tag"}

    def link_texts(self) -> set[str]:
        if self._link_texts is None:
            texts = {_fold(_text(a)) for a in self.tree.iter("a")}
            self._link_texts = {t for t in texts if t and len(t) <= 60} | self._tags
        return self._link_texts

    def backs(self, name: str) -> bool:
        key = _fold(name)
        return bool(key) and (f" {key} " in f" {self.path_words} " or key in self.link_texts())

    def section_fronts(self) -> Iterator[tuple[str, str]]:
        """(path segment, link text) for a leading path segment of the page's URL that
        the page links to as a front page ("/world/" linked as "World")."""
        segments = [s for s in self.path.split("/") if s]
        prefix = ""
        for segment in segments[:-1][:2]:  # the last segment is the article itself
            prefix += "/" + segment
            if segment in _GENERIC_SEGMENTS or _LANGUAGE_TAG.fullmatch(segment):
                continue  # /en/world/..., /news/politics/...: the next one may be it
            if not _SEGMENT.fullmatch(segment):
                return
            # The link names that front page: its text spells the segment ("AJ Impact"
            # for /ajimpact/), so a link to an author's or a story's page is no section.
            text = self._front_page_link_text(prefix, segment)
            if _squashed(text) == _squashed(segment):
                yield segment, text
            return

    def _front_page_link_text(self, path: str, segment: str) -> str:
        """The text of the page's first link to ``path`` on its own host (no query)."""
        for a in self.tree.iter("a"):
            href = str(a.get("href") or "").strip()
            # Only a link whose address spells the segment can lead there: resolving
            # every link on the page is most of the time this takes.
            if not href or href.startswith("#") or segment not in href.lower():
                continue
            try:
                parts = urlsplit(urljoin(f"https://{self.host}/", href))
            except ValueError:
                continue
            if parts.hostname not in (self.host, None) or parts.query:
                continue
            if parts.path.lower().rstrip("/") == path:
                return _text(a)
        return ""


_LANGUAGE_TAG = re.compile(r"[a-z]{2}(?:-[a-z]{2})?")


def _squashed(text: str) -> str:
    """Letters and digits only, case folded: "AJ Impact" and "ajimpact" agree."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _jsonld_sections(jsonld: list[dict[str, Any]]) -> Iterator[str]:
    for obj in jsonld:
        value = obj.get("articleSection")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield item


def _jsonld_crumbs(jsonld: list[dict[str, Any]]) -> list[str]:
    for obj in jsonld:
        if "breadcrumblist" not in _types(obj):
            continue
        items = obj.get("itemListElement")
        if not isinstance(items, list):
            continue
        crumbs: list[tuple[float, str]] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            inner = item.get("item")
            if not name and isinstance(inner, dict):
                name = inner.get("name")
            try:
                position = float(item.get("position", i))
            except (TypeError, ValueError):
                position = float(i)
            if isinstance(name, str):
                crumbs.append((position, name))
        if crumbs:
            return [name for _, name in sorted(crumbs, key=lambda c: c[0])]
    return []


def _html_crumbs(tree: HtmlElement) -> list[str]:
    for el in tree.iter("nav", "ol", "ul", "div", "p"):
        if "breadcrumb" not in _attrs(el):
            continue
        items = [li for li in el.iter("li")] or [a for a in el.iter("a")]
        crumbs = [_text(item) for item in items]
        crumbs = [c for c in crumbs if c and len(c) <= 80]
        if crumbs:
            return crumbs
    return []


def _crumbs(crumbs: list[str], titles: tuple[str, ...]) -> Iterator[str]:
    """Breadcrumbs from the most specific, skipping home and the article itself."""
    for crumb in reversed(crumbs):
        text = clean_line(crumb).strip(" >»›/|")
        if not text or text.casefold() in _HOME_CRUMBS or any(_same_title(text, t) for t in titles):
            continue
        if len(text) > 40 or len(text.split()) > 5:  # reads like a headline, not a section
            continue
        yield text


def _same_title(a: str, b: str) -> bool:
    a, b = _fold(a), _fold(b)
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 10 and (b.startswith(a) or a.startswith(b)))


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _kicker_labels(tree: HtmlElement) -> Iterator[str]:
    """A short label with a kicker/section/category class right above the headline."""
    node: HtmlElement | None = next(tree.iter("h1"), None)
    for _ in range(4):  # the headline's preceding siblings, then its ancestors'
        if node is None or node.tag in ("body", "html"):
            break
        for sib in list(node.itersiblings(preceding=True))[:2]:
            if sib.tag in _NOT_KICKER_AREAS or len(_text(sib)) > 120:
                continue  # menus and text blocks are not the label line above a headline
            for el in sib.iter():
                if _is_kicker(el):
                    yield _text(el)
                    return
        node = node.getparent()


def _is_kicker(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str):
        return False
    attrs = str(el.get("class") or "").lower()
    if not any(m in attrs for m in _KICKER_MARKERS):
        return False
    text = _text(el)
    return 0 < len(text) <= 40 and len(text.split()) <= 4 and not is_chrome_line(text)


# --- related-articles block ----------------------------------------------------------


def _take_related_blocks(
    tree: HtmlElement, base: str | None, own_urls: set[str]
) -> list[RelatedItem]:
    """Find the page's related-articles blocks, collect their links, cut them from the tree."""
    containers: list[HtmlElement] = []
    taken: set[HtmlElement] = set()
    for el in _related_candidates(tree):
        if el in taken or any(anc in taken for anc in el.iterancestors()):
            continue
        found: HtmlElement | None = None
        heading = _heading_around(el)
        if heading is not None:
            found = _related_container(heading)
        elif el.tag == "aside" or _RELATED_MARKER.search(_attrs(el)):
            found = el if _is_link_block(el) else None
        if found is not None and found not in taken:
            containers.append(found)
            taken.add(found)

    items: list[RelatedItem] = []
    seen = set(own_urls)
    for container in containers:
        for a in container.iter("a"):
            item = _related_item(a, base, seen)
            if item is not None and len(items) < MAX_RELATED:
                items.append(item)
    for container in containers:
        _remove(container)
    return items


def _related_candidates(tree: HtmlElement) -> Iterator[HtmlElement]:
    """In document order: <aside>s, elements marked "related" etc., and short texts that
    may be a related heading. One pass in Python: XPath with translate() is slower."""
    body = tree.find("body")
    for el in (body if body is not None else tree).iter(etree.Element):
        tag = el.tag
        if tag == "aside":
            yield el
            continue
        cls, ident = el.get("class"), el.get("id")
        if (cls and _RELATED_MARKER.search(cls.lower())) or (
            ident and _RELATED_MARKER.search(ident.lower())
        ):
            yield el
        elif tag in _RELATED_HEADING_TAGS:
            text = el.text if el.text or not len(el) else el[0].text  # <h2><a>More…</a></h2>
            if text and len(text) <= 100 and _RELATED_WORDS.search(text.lower()):
                yield el


def _heading_around(el: HtmlElement) -> HtmlElement | None:
    """The outermost element whose whole text is a related heading, starting at ``el``."""
    text = _text(el)
    if not is_related_heading(text):
        return None
    node = el
    while (parent := node.getparent()) is not None and parent.tag not in ("body", "html"):
        if _text(parent) != text:
            break
        node = parent
    if node.tag not in _RELATED_HEADING_TAGS or any(
        anc.tag in ("a", "nav", "li") for anc in node.iterancestors()
    ):
        return None  # a menu entry ("Latest news") is navigation, not a related block
    return node


def _link_text_ratio(el: HtmlElement) -> tuple[int, int, int]:
    """(total text length, text length inside links, number of links) of an element."""
    total = len(_text(el))
    links = list(el.iter("a"))
    in_links = sum(len(_text(a)) for a in links)
    return total, in_links, len(links)


def _is_link_block(el: HtmlElement) -> bool:
    """A block made mostly of links (a list of teasers), not prose that happens to link."""
    if el.find(".//h1") is not None:
        return False
    total, in_links, count = _link_text_ratio(el)
    if count == 0:
        return total <= 80  # an empty "related" shell or a lone heading
    return total - in_links <= 2 * in_links + 150


def _related_container(heading: HtmlElement) -> HtmlElement | None:
    """The element holding a related heading and its links, or None when no links follow
    (then the heading stays, and the body is cut there: see _clean_blocks)."""
    node = heading
    for _ in range(4):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html", "article", "main"):
            break
        if any(True for _ in parent.iter("a")):
            return parent if _is_link_block(parent) else _heading_with_siblings(heading)
        node = parent
    return _heading_with_siblings(heading)


def _heading_with_siblings(heading: HtmlElement) -> HtmlElement | None:
    """A heading directly followed by link lists: wrap them so they go out together."""
    following: list[HtmlElement] = []
    for sib in heading.itersiblings():
        if not isinstance(sib.tag, str) or not _is_link_block(sib) or sib.find(".//a") is None:
            break
        following.append(sib)
    if not following:
        return None
    wrapper = etree.SubElement(heading.getparent(), "div")
    heading.addprevious(wrapper)
    wrapper.append(heading)
    for sib in following:
        wrapper.append(sib)
    return wrapper


def _related_item(a: HtmlElement, base: str | None, seen: set[str]) -> RelatedItem | None:
    """A link of a related block that reads like an article: a headline, not a tag, a
    section link or "Read more"."""
    href = a.get("href")
    title = _text(a)
    if not href or not _looks_like_headline(title):
        return None
    if is_chrome_line(title) or is_related_heading(title):
        return None
    absolute = _absolute(href, base)
    key = normalize_url(absolute) if absolute else None
    if absolute is None or key is None or key in seen or _is_section_url(key):
        return None
    if _is_site_chrome_link(title, absolute):
        return None
    seen.add(key)
    return RelatedItem(title=title, url=absolute)


# Pages every site has that are never an article: legal, account, help and company pages.
_CHROME_LINK_WORDS = re.compile(
    r"\b(?:terms|privacy|cookies?|contact|subscribe|subscription|newsletters?|log ?in|"
    r"sign ?(?:in|up)|register|careers|jobs|sitemap|site map|about us|advertise|"
    r"advertising|help|faq|accessibility|legal|imprint|impressum|disclaimer|"
    r"terms of (?:use|service)|code of conduct|rss)\b"
)
_SOCIAL_HOSTS = {
    "facebook.com", "twitter.com", "x.com", "instagram.com", "linkedin.com", "youtube.com",
    "tiktok.com", "pinterest.com", "reddit.com", "t.me", "whatsapp.com", "threads.net",
    "mastodon.social", "bsky.app",
}  # fmt: skip


def _is_site_chrome_link(text: str, url: str) -> bool:
    """A link to the site's furniture (terms, privacy, contact, subscribe, log in,
    careers, sitemap...) or to a social network profile, by its text or its address."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host in _SOCIAL_HOSTS:
        return True
    path_words = urlsplit(url).path.lower().replace("-", " ").replace("_", " ").replace("/", " ")
    short_path = len(path_words.split()) <= 3
    return bool(
        (len(text.split()) <= 5 and _CHROME_LINK_WORDS.search(text.lower()))
        or (short_path and _CHROME_LINK_WORDS.search(path_words))
    )


def _looks_like_headline(text: str) -> bool:
    words = len(text.split())
    # Scripts written without spaces (CJK, Thai) make long one-"word" headlines.
    return words >= 3 or (len(text) >= 8 and not text.isascii())


def _is_section_url(url: str) -> bool:
    """/world or /arts/books: a short path of plain words is a section front, not a story."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return len(segments) <= 2 and not urlsplit(url).query and all(s.isalpha() for s in segments)


def _remove(el: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _merge_related(items: list[RelatedItem], trailer: list[str]) -> list[RelatedItem]:
    """Add titles cut from the body's related trailer that the link scan did not find."""
    known = {_fold(i.title) for i in items}
    for title in trailer:
        if len(items) >= MAX_RELATED:
            break
        if _fold(title) not in known and len(title.split()) >= 2 and len(title) <= 200:
            known.add(_fold(title))
            items.append(RelatedItem(title=title))
    return items


# Inline styles and classes that keep an element off the screen: a reader never saw its
# text, so it is not the article's (hidden spam, SEO text, screen-reader-only labels).
_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?<![-\w])font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
)
_WHITE = r"(?:#fff(?:fff)?|white|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))"
_WHITE_TEXT = re.compile(rf"(?<![-\w])color\s*:\s*{_WHITE}")
_WHITE_BACKGROUND = re.compile(rf"background(?:-color)?\s*:\s*{_WHITE}")
_HIDING_CLASSES = {
    "hidden", "hide", "d-none", "is-hidden", "sr-only", "visually-hidden", "visuallyhidden",
    "screen-reader-text", "screenreader-only", "u-hidden", "invisible",
}  # fmt: skip
# A hiding declaration in the page's own style sheets, and a selector of one class.
_HIDING_DECLARATION = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_ONE_CLASS = re.compile(r"\s*\.([\w-]+)\s*")


_STYLES = etree.XPath("//body//@style", smart_strings=False)
_CLASSES = etree.XPath("//body//@class", smart_strings=False)


def _drop_hidden(tree: HtmlElement) -> None:
    """Remove what the page hides from its readers: the ``hidden`` attribute, inline
    styles that hide (display:none, visibility:hidden, font-size 0, white on white) and
    classes the page's style sheets (or the usual utility classes) hide.

    Each distinct style and class value is judged once, then one walk of the tree finds
    the elements that carry a hiding one: pages repeat a few values on most elements."""
    hiding_classes = set(_HIDING_CLASSES)
    for style in tree.iter("style"):
        hiding_classes.update(_stylesheet_hiding_classes(style.text or ""))
    styles = [v for v in set(_STYLES(tree)) if _hides(v.lower())]
    classes = [v for v in set(_CLASSES(tree)) if not hiding_classes.isdisjoint(v.lower().split())]
    values = {f"s{i}": v for i, v in enumerate(styles)} | {
        f"c{i}": v for i, v in enumerate(classes)
    }
    for el in _carrying(len(styles), len(classes))(tree, **values):
        if el.getparent() is not None and el.tag not in ("body", "html"):
            _remove(el)


@functools.cache
def _carrying(styles: int, classes: int) -> etree.XPath:
    """Elements with the ``hidden`` attribute or one of the given style or class values
    (passed as $s0.., $c0..)."""
    tests = ["@hidden"] + [f"@style = $s{i}" for i in range(styles)]
    tests += [f"@class = $c{i}" for i in range(classes)]
    return etree.XPath(f"//body//*[{' or '.join(tests)}]")


def _stylesheet_hiding_classes(css: str) -> Iterator[str]:
    """The classes a style sheet hides with a one-class rule: ".promo-seo { display: none }".

    Found from each hiding declaration back to its rule's selector: a pattern run from
    every "}" and "," of a long style sheet took longer."""
    for declaration in _HIDING_DECLARATION.finditer(css):
        opening = css.rfind("{", 0, declaration.start())
        if opening < 0 or css.rfind("}", 0, declaration.start()) > opening:
            continue  # not inside a rule
        start = max(css.rfind("}", 0, opening), css.rfind(",", 0, opening)) + 1
        if selector := _ONE_CLASS.fullmatch(css, start, opening):
            yield selector[1].lower()


def _hides(style: str) -> bool:
    """Whether a lowercased inline style keeps its element off the screen."""
    return bool(
        _HIDING_STYLE.search(style)
        or (_WHITE_TEXT.search(style) and _WHITE_BACKGROUND.search(style))
    )


def _simplify_figures(tree: HtmlElement) -> None:
    """Keep each figure's image (its caption becomes the alt text) and drop caption and
    credit lines: they are not the article's text, and trafilatura's image mode would
    keep them (and video players) as paragraphs."""
    figures: list[HtmlElement] = []
    captions: list[HtmlElement] = []
    for el in tree.iter("figure", "div", "p", "span"):
        if el.tag == "figure":
            figures.append(el)
        elif _CAPTION.search(str(el.get("class") or "").lower()):
            captions.append(el)
    for fig in figures:
        if fig.find(".//table") is not None or fig.find(".//blockquote") is not None:
            continue  # a table or a pull quote, not a picture
        img = next(fig.iter("img"), None)
        caption = " ".join(_text(c) for c in fig.iter("figcaption"))
        for child in list(fig):
            fig.remove(child)
        fig.text = None
        if img is not None:
            if not img.get("alt") and caption:
                img.set("alt", caption)
            img.tail = None
            fig.append(img)
    for el in captions:
        if el.getparent() is not None and el.find(".//img") is None and len(_text(el)) < 400:
            _remove(el)


# --- body ----------------------------------------------------------------------------


def _blocks_from_body(body: Any, base: str | None) -> list[Block]:
    """trafilatura's XML body (head, p, list/item, quote, table, graphic...) -> blocks."""
    blocks: list[Block] = []
    _walk(body, base, blocks, depth=0)
    return blocks


_BLOCK_TAGS = {"head", "p", "quote", "list", "item", "table", "row", "cell", "code", "div"}


def _walk(el: Any, base: str | None, out: list[Block], depth: int) -> None:
    _emit_loose(el.text, out)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "head":
            rend = str(child.get("rend") or "h2")
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
            _emit_text(child, "heading", base, out, level=level)
        elif tag == "p":
            _emit_text(child, "paragraph", base, out)
        elif tag == "quote":
            if any(c.tag in _BLOCK_TAGS for c in child):
                _emit_text(child, "quote", base, out, own_text_only=True)
                for grandchild in child:
                    _emit_text(grandchild, "quote", base, out)
            else:
                _emit_text(child, "quote", base, out)
        elif tag == "list":
            _emit_list(child, base, out, depth + 1)
        elif tag == "table":
            _emit_table(child, base, out, depth)
        elif tag == "code":
            _emit_text(child, "preformatted", base, out)
        elif tag == "graphic":
            _emit_image(child, base, out)
        elif len(child):
            _walk(child, base, out, depth)
        else:
            _emit_loose(child.text, out)
        _emit_loose(child.tail, out)


def _emit_loose(text: str | None, out: list[Block]) -> None:
    """Text that sits directly in a container (rare in trafilatura's output) is a paragraph."""
    if text and text.strip():
        block = make_block("paragraph", text)
        if block is not None:
            out.append(block)


def _emit_list(el: Any, base: str | None, out: list[Block], level: int) -> None:
    """List items in order, nested lists one level deeper right after their parent item."""
    for item in el:
        if item.tag != "item":
            continue
        nested = [sub for sub in item if sub.tag == "list"]
        for sub in nested:
            item.remove(sub)
        _emit_text(item, "list_item", base, out, level=level)
        for sub in nested:
            _emit_list(sub, base, out, level + 1)


def _emit_table(el: Any, base: str | None, out: list[Block], depth: int) -> None:
    """A row of short cells is one "a | b | c" paragraph; a cell holding paragraphs (layout
    tables) contributes its blocks as they are."""
    for row in el.iterchildren("row"):
        cells: list[str] = []
        for cell in row.iterchildren("cell"):
            if any(c.tag in _BLOCK_TAGS or c.tag == "graphic" for c in cell):
                _emit_row(cells, out)
                _walk(cell, base, out, depth)
            else:
                cells.append(clean_line(" ".join(cell.itertext())))
        _emit_row(cells, out)


def _emit_row(cells: list[str], out: list[Block]) -> None:
    block = make_block("paragraph", " | ".join(c for c in cells if c))
    if block is not None:
        out.append(block)
    cells.clear()


def _emit_text(
    el: Any,
    kind: BlockKind,
    base: str | None,
    out: list[Block],
    level: int = 0,
    own_text_only: bool = False,
) -> None:
    """One block per run of text; <lb/> splits paragraphs, images become their own blocks."""
    parts: list[str] = []

    def flush() -> None:
        block = make_block(kind, "".join(parts), level=level)
        if block is not None:
            out.append(block)
        parts.clear()

    def visit(node: Any, top: bool) -> None:
        if node.tag == "graphic":
            flush()
            _emit_image(node, base, out)
        elif node.tag == "lb" and kind == "paragraph":
            flush()
        else:
            if node.tag in _BLOCK_TAGS or node.tag == "lb":
                parts.append(" ")  # keep words of adjacent blocks apart
            parts.append(node.text or "")
            if not own_text_only:
                for child in node:
                    visit(child, False)
        if not top:
            parts.append(node.tail or "")

    visit(el, True)
    flush()


def _emit_image(el: Any, base: str | None, out: list[Block]) -> None:
    src = _image_src(str(el.get("src") or ""), base)
    if src is None:
        return
    block = make_block("image", src=src, alt=str(el.get("alt") or el.get("title") or ""))
    if block is not None:
        out.append(block)


def _image_src(src: str, base: str | None) -> str | None:
    """An absolute http(s) image URL; without a base URL (a saved page read from disk) a
    relative path stays as written, for the importer to find the file beside the page."""
    src = src.strip()
    if src.startswith("//") and not base:
        src = "https:" + src
    if base or _SCHEME.match(src):
        return _absolute(src, base)  # None for data:, javascript:, file: ...
    return urldefrag(src)[0] or None


def _clean_blocks(
    blocks: list[Block],
    *,
    title: str,
    section: str | None,
    byline: str | None,
    page_urls: set[str],
    related: list[RelatedItem],
) -> tuple[list[Block], list[str]]:
    """Drop chrome, the repeated headline, kicker, byline and page URL, and related titles;
    cut a related trailer. Returns the body and the texts of a cut trailer."""
    related_titles = {_fold(i.title) for i in related}
    title_key, section_key, byline_key = _fold(title), _fold(section or ""), _fold(byline or "")
    kept: list[Block] = []
    at_top = True  # before the first real paragraph: where kickers and bylines sit
    for block in blocks:
        text = block.text
        if block.kind != "image":
            key = _fold(text)
            if is_related_heading(text):
                kept.append(block)  # kept for the trailer cut below, dropped after it
                continue
            if is_chrome_line(text) or key in related_titles or text in page_urls:
                continue
            if key == title_key or (
                at_top and len(text) <= len(title) + 40 and _same_title(text, title)
            ):
                continue  # the headline again (top of the body, gallery and share boxes)
            if at_top and key and key in (section_key, byline_key, f"by {byline_key}"):
                continue
            at_top = at_top and len(text) < 150
        kept.append(block)

    total = sum(len(b.text) for b in kept)
    before = 0
    trailer: list[str] = []
    for i, block in enumerate(kept):
        if i and block.kind != "image" and is_related_heading(block.text):
            after = total - before - len(block.text)
            if after < before:  # a trailer, not a heading in the middle of the story
                trailer = [b.text for b in kept[i + 1 :] if b.kind != "image"]
                kept = kept[:i]
                break
        before += len(block.text)
    body = [b for b in kept if b.kind == "image" or not is_related_heading(b.text)]
    return body, trailer


_TEXT_BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "li", "ul", "ol", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "figure", "figcaption", "br",
    "dd", "dt", "aside", "main",
}  # fmt: skip


def text_blocks(html: str) -> list[Block]:
    """Paragraphs of an HTML fragment's text, without structure: the fallback for a copy
    another app kept when extraction finds no article in it."""
    try:
        root = fromstring(html[:MAX_HTML_CHARS])
    except (etree.ParserError, ValueError):
        return []
    for junk in list(root.iter("script", "style", "noscript", "template")):
        junk.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.casefold() in _TEXT_BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    text = etree.tostring(root, method="text", encoding="unicode")
    blocks = [make_block("paragraph", p) for p in split_paragraphs(text)]
    return [b for b in blocks if b is not None]


# --- metadata ------------------------------------------------------------------------


def _published(meta: dict[str, str], jsonld: list[dict[str, Any]]) -> str | None:
    """Publication date as the page states it (with time when given), ISO 8601."""
    candidates = [
        meta.get(k, "")
        for k in ("article:published_time", "datepublished", "pubdate", "publishdate")
    ]
    candidates += [str(o.get("datePublished") or "") for o in jsonld]
    for cand in candidates:
        match = _ISO_DATE.match(cand.strip())
        if match:
            return match.group(0)
    return None


def _language(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    """Primary language subtag ("en" from "en-GB") from <html lang> or meta tags."""
    for value in (
        tree.get("lang"),
        tree.get("xml:lang"),
        meta.get("content-language"),
        meta.get("og:locale"),
        meta.get("language"),
    ):
        if value:
            primary = re.split(r"[-_,;\s]", value.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2,3}", primary):
                return primary
    return None
