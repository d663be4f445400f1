"""OPML: the subscription list every feed reader reads and writes, folders included.

Nested folders are kept as one path ("News / World"), since the sidebar shows one level.
Importing subscribes without fetching; the next refresh brings the items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from lxml import etree

from newsreader.core.web.feeds import FeedError, Feeds, FeedView, walk_feeds

MAX_OPML_BYTES = 20 * 1024 * 1024
FOLDER_SEPARATOR = " / "


@dataclass(frozen=True, slots=True)
class Outline:
    url: str
    title: str
    folder: str = ""
    site_url: str | None = None


@dataclass(slots=True)
class OpmlReport:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)

    def summary(self) -> str:
        return (f"{len(self.added)} feeds added, {len(self.already)} already subscribed, "
                f"{len(self.failed)} failed")  # fmt: skip


def parse_opml(data: bytes) -> tuple[list[Outline], list[tuple[str, str]]]:
    """The feeds an OPML file lists, and the outlines that are not usable feeds (why)."""
    if len(data) > MAX_OPML_BYTES:
        raise FeedError("the OPML file is larger than 20 MB")
    if b"<!ENTITY" in data[:65536].upper():
        raise FeedError("the OPML file declares XML entities, which are refused (a known attack)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=False)  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"not a readable OPML file ({error})") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise FeedError("not an OPML file (no <opml><body>)")
    feeds: list[Outline] = []
    problems: list[tuple[str, str]] = []

    def walk(element: etree._Element, path: list[str]) -> None:
        for outline in element.iterfind("outline"):
            title = " ".join(str(outline.get("title") or outline.get("text") or "").split())
            url = str(outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url:
                if url.startswith(("http://", "https://")):
                    feeds.append(Outline(url, title or url, FOLDER_SEPARATOR.join(path),
                                         outline.get("htmlUrl")))  # fmt: skip
                else:
                    problems.append((title or url, f"not a web address: {url!r}"))
            elif len(outline):
                walk(outline, [*path, title] if title else path)

    walk(body, [])
    return feeds, problems


def import_opml(feeds: Feeds, data: bytes) -> OpmlReport:
    """Subscribe to every feed in the file, in its folder; say what happened to each."""
    report = OpmlReport()
    outlines, problems = parse_opml(data)
    report.failed.extend(problems)
    known = {f.url for f in feeds.list_feeds()}
    for outline in outlines:
        if outline.url in known:
            report.already.append(outline.url)
            continue
        try:
            feeds.add(outline.url, title=outline.title, folder=outline.folder,
                      site_url=outline.site_url)  # fmt: skip
        except FeedError as error:
            report.failed.append((outline.url, str(error)))
            continue
        known.add(outline.url)
        report.added.append(outline.url)
    return report


def export_opml(views: list[FeedView], title: str = "Newsreader subscriptions") -> str:
    """OPML 2.0 with one outline per folder (nested folder paths stay one level)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_text(title)}</title></head>", "  <body>"]  # fmt: skip
    for folder, members in walk_feeds(views):
        indent = "    "
        if folder:
            lines.append(f"    <outline text={quoteattr(folder)} title={quoteattr(folder)}>")
            indent = "      "
        for feed in members:
            site = f" htmlUrl={quoteattr(feed.site_url)}" if feed.site_url else ""
            lines.append(
                f'{indent}<outline type="rss" text={quoteattr(feed.title)} '
                f"title={quoteattr(feed.title)} xmlUrl={quoteattr(feed.url)}{site}/>"
            )
        if folder:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
