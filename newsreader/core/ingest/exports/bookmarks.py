"""Link lists in HTML: browser bookmarks (Netscape format), also read by Pocket's HTML."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from newsreader.core.blocks import clean_line
from newsreader.core.ingest.exports.common import (
    MAX_STREAMED_BYTES,
    MAX_TEXT_CHARS,
    ROOT_FOLDER_ATTRS,
    ROOT_FOLDERS,
    ExportEntry,
    ExportFileError,
    Problem,
    check_size,
    clean_title,
    split_tags,
    text_chunks,
    unix_time,
)

# -- reading: link lists in HTML (Pocket, browser bookmarks) -----------------------------


class _LinkListParser(HTMLParser):
    """Links of a Pocket HTML export or a Netscape bookmark file, fed in chunks.

    Pocket files put links under an <h1> that says their state ("Unread", "Read
    Archive"); bookmark files nest <DL> lists under <H3> folder names.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict[str, str], str, str, list[str]]] = []
        self.heading = ""  # the last <h1>: Pocket's state
        self._folders: list[str | None] = []
        self._next_folder: str | None = None
        self._heading_tag: str | None = None
        self._heading_attrs: dict[str, str] = {}
        self._heading_text: list[str] = []
        self._link: dict[str, str] | None = None
        self._link_text: list[str] = []
        self._link_chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._finish_link()
            self._link = {k: v or "" for k, v in attrs}
            self._link_text, self._link_chars = [], 0
        elif tag in ("h1", "h2", "h3"):
            self._finish_link()
            self._heading_tag, self._heading_text = tag, []
            self._heading_attrs = {k: v or "" for k, v in attrs}
        elif tag == "dl":
            self._finish_link()
            self._folders.append(self._next_folder)
            self._next_folder = None
        elif tag in ("li", "dt", "ul", "dd"):
            self._finish_link()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish_link()
        elif tag == self._heading_tag:
            text = clean_line("".join(self._heading_text))[:120]
            if tag == "h1":
                self.heading = text
            elif tag == "h3":
                root = any(a in self._heading_attrs for a in ROOT_FOLDER_ATTRS)
                is_root = root or text.casefold() in ROOT_FOLDERS
                self._next_folder = None if is_root else text or None
            self._heading_tag = None
        elif tag == "dl" and self._folders:
            self._finish_link()
            self._folders.pop()
        elif tag in ("ul", "li"):
            self._finish_link()

    def handle_data(self, data: str) -> None:
        if self._link is not None and self._link_chars < MAX_TEXT_CHARS:
            self._link_text.append(data)
            self._link_chars += len(data)
        elif self._heading_tag is not None and len(self._heading_text) < 100:
            self._heading_text.append(data)

    def _finish_link(self) -> None:
        if self._link is None:
            return
        folders = [f for f in self._folders if f]
        self.found.append((self._link, "".join(self._link_text), self.heading, folders))
        self._link = None

    def close(self) -> None:
        super().close()
        self._finish_link()


MAX_UNPARSED_CHARS = 1 << 20  # markup held while waiting for a tag or comment to close


def html_links(path: Path) -> Iterator[tuple[dict[str, str], str, str, list[str]]]:
    """(attributes, text, Pocket heading, folders) of each link, streaming the file."""
    check_size(path, MAX_STREAMED_BYTES)
    parser = _LinkListParser()
    for chunk in text_chunks(path):
        parser.feed(chunk)
        yield from parser.found
        parser.found.clear()
        if len(parser.rawdata) > MAX_UNPARSED_CHARS:  # re-scanned at every chunk: quadratic
            raise ExportFileError("the markup is broken here (a tag or comment never closes)")
    parser.close()
    yield from parser.found


def netscape_bookmarks(path: Path) -> Iterator[ExportEntry | Problem]:
    """Browser bookmarks: the folders around a bookmark and its TAGS become tags."""
    for attrs, text, _heading, folders in html_links(path):
        entry = ExportEntry(url=attrs.get("href", "").strip())
        entry.title = clean_title(text, entry.url)
        entry.tags = split_tags(",".join([*folders, attrs.get("tags", "")]), ",")
        entry.saved_at = unix_time(attrs.get("add_date", ""), entry.notes, "saving date")
        yield entry
