"""How search sees text: one analyzer for the index, the query and the highlighting.

Words are split on non-word characters, lower-cased, stripped of diacritics (so `cafe`
finds `café`) and stemmed with the English Snowball stemmer (so `elections` finds
`election`). Highlighting runs the very same analyzer over the stored text, so what is
marked is exactly what matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tantivy

ANALYZER_NAME = "newsreader"
MAX_TOKEN_CHARS = 40
_WORD = re.compile(r"\w+", re.UNICODE)


def build_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZER = build_analyzer()


@lru_cache(maxsize=200_000)
def analyze_word(word: str) -> tuple[str, ...]:
    """The index terms of one word (usually one; none for an over-long token)."""
    return tuple(_ANALYZER.analyze(word))


@lru_cache(maxsize=4096)
def fold_prefix(prefix: str) -> str:
    """A typed prefix as it would look in the index, without stemming (elect* -> elect)."""
    terms = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
        .analyze(prefix)
    )
    return terms[0] if terms else ""


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def matching_spans(text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()) -> list[Span]:
    """Where in `text` the words whose terms are in `terms` (or start a prefix) stand."""
    spans = []
    for match in _WORD.finditer(text):
        for term in analyze_word(match.group()):
            if term in terms or (prefixes and term.startswith(prefixes)):
                spans.append(Span(match.start(), match.end()))
                break
    return spans
