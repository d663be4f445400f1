"""The search query language, parsed into a small backend-neutral tree.

    words            all must match            election iraq
    "a phrase"       these exact word forms,   "military alliance"  "rates"
                     in this order (case and accents folded, never stemmed)
    -word, -"p"      must not match            iraq -syria
    a OR b           either                    iraq OR syria
    prefix*          words starting so         elect*
    field:value      filters                   section:world  source:"bbc news"
                                               title:talks  author:smith  tag:later
                                               before:2024-02-01  after:2023
                                               is:unread|read|starred|annotated
                                               has:note  color:yellow  code:economy
                                               annotator:alice (highlighted by a member)

Any input parses: what cannot be understood is dropped with a hint, never an error.
User text never reaches a backend's own query syntax; backends build queries from this
tree term by term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from newsreader.core.unicode import scrub

MAX_QUERY_CHARS = 2_000
MAX_TERMS = 32

TextField = Literal["title", "author"]
FLAG_VALUES = {"unread", "read", "starred", "annotated"}
HAS_VALUES = {"note"}


@dataclass(frozen=True, slots=True)
class Words:
    """Words that must appear together ("phrase") or as one word (possibly a prefix)."""

    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False
    exact: bool = False  # quoted: these word forms only (no stemming)
    field: TextField | None = None  # None: any text field


@dataclass(frozen=True, slots=True)
class Filter:
    name: Literal[
        "section", "source", "tag", "before", "after", "is", "has", "color", "code", "annotator"
    ]
    value: str
    day: date | None = None  # before/after


Atom = Words | Filter


@dataclass(frozen=True, slots=True)
class Clause:
    """One or more alternatives (joined by OR), required or excluded."""

    alternatives: tuple[Atom, ...]
    negated: bool = False


@dataclass(slots=True)
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def has_positive_text(self) -> bool:
        """Whether some required clause matches text (and so can rank by relevance)."""
        return any(
            not c.negated and any(isinstance(a, Words) for a in c.alternatives)
            for c in self.clauses
        )

    def highlight_terms(self) -> list[Words]:
        """The words to mark in snippets and in the reader (not the excluded ones)."""
        return [
            a for c in self.clauses if not c.negated for a in c.alternatives
            if isinstance(a, Words)
        ]  # fmt: skip


_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:
        (?P<name>[A-Za-z]+):(?:"(?P<qvalue>[^"]*)"?|(?P<value>[^\s"]*))
      | "(?P<phrase>[^"]*)"?
      | (?P<word>[^\s"]+)
    )
    """,
    re.VERBOSE,
)
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)
_FILTER_NAMES = {
    "section", "source", "tag", "before", "after", "is", "has", "color", "colour", "title",
    "author", "by", "code", "annotator", "highlighter",
}  # fmt: skip
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_CHARS.findall(text))


def _parse_day(value: str, *, end: bool) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; `end` picks the last day of a year or month."""
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            if not end:
                return date(year, month, 1)
            next_month = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(next_month.toordinal() - 1)
        return date(year, month, day)
    except ValueError:
        return None


def _filter_atom(name: str, value: str, hints: list[str]) -> Atom | None:
    name = {"colour": "color", "by": "author", "highlighter": "annotator"}.get(name, name)
    value = value.strip()
    if not value:
        hints.append(f'“{name}:” needs a value, e.g. {name}:"…"')
        return None
    if name in ("title", "author"):
        words = _words(value)
        if not words:
            return None
        return Words(words, phrase=len(words) > 1, field=name)  # type: ignore[arg-type]
    if name in ("before", "after"):
        # before: the day itself is excluded; after: the day itself is excluded too.
        day = _parse_day(value, end=name == "after")
        if day is None:
            hints.append(f"ignored {name}:{value} — write a date as YYYY, YYYY-MM or YYYY-MM-DD")
            return None
        return Filter(name, value, day)  # type: ignore[arg-type]
    value_key = value.casefold()
    if name == "is" and value_key not in FLAG_VALUES:
        hints.append(f"ignored is:{value} — use is:unread, is:read, is:starred or is:annotated")
        return None
    if name == "has" and value_key not in HAS_VALUES:
        hints.append(f"ignored has:{value} — use has:note")
        return None
    return Filter(name, value_key if name in ("is", "has", "color") else value)  # type: ignore[arg-type]


def parse_query(text: str) -> ParsedQuery:
    """Parse any string into a query; never raises."""
    parsed = ParsedQuery()
    if not isinstance(text, str):
        return parsed
    text = scrub(text)
    if len(text) > MAX_QUERY_CHARS:
        parsed.hints.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
        text = text[:MAX_QUERY_CHARS]
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated = bool(match.group("neg"))
        atom: Atom | None = None
        if match.group("name") is not None:
            name = match.group("name").casefold()
            raw = (
                match.group("qvalue") if match.group("qvalue") is not None else match.group("value")
            )
            if name in _FILTER_NAMES:
                atom = _filter_atom(name, raw or "", parsed.hints)
            else:  # not a filter we know: search for the words themselves
                words = _words(f"{match.group('name')} {raw or ''}")
                for extra in words[:-1]:
                    _add(parsed, Words((extra,)), negated, or_=False)
                atom = Words(words[-1:]) if words else None
        elif match.group("phrase") is not None:
            words = _words(match.group("phrase"))
            atom = Words(words, phrase=len(words) > 1, exact=True) if words else None
        else:
            word = match.group("word")
            if word == "OR" and not negated:
                pending_or = bool(parsed.clauses)
                continue
            if word in ("AND", "NOT") and not negated:
                continue  # FTS habits: AND is implied; NOT is spelled -word here
            prefix = word.endswith("*") and len(word.rstrip("*")) > 0
            words = _words(word)
            if not words:
                continue
            for extra in words[:-1]:  # "state-of-the-art" -> all its words
                _add(parsed, Words((extra,)), negated, or_=False)
            atom = Words(words[-1:], prefix=prefix)
        if atom is not None:
            _add(parsed, atom, negated, or_=pending_or)
        pending_or = False
    if len(parsed.clauses) > MAX_TERMS:
        parsed.hints.append(f"only the first {MAX_TERMS} terms of the query were used")
        del parsed.clauses[MAX_TERMS:]
    return parsed


def _add(parsed: ParsedQuery, atom: Atom, negated: bool, *, or_: bool) -> None:
    previous = parsed.clauses[-1] if parsed.clauses else None
    if or_ and previous is not None and not previous.negated and not negated:
        parsed.clauses[-1] = Clause((*previous.alternatives, atom))
    else:
        parsed.clauses.append(Clause((atom,), negated))
