"""How search sees text: one analyzer for the index, the query and the highlighting.

Words are split on non-word characters, lower-cased, stripped of diacritics (so `cafe`
finds `café`) and stemmed with the English Snowball stemmer (so `elections` finds
`election`). Highlighting runs the very same analyzer over the stored text, so what is
marked is exactly what matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tantivy

ANALYZER_NAME = "newsreader"
EXACT_ANALYZER_NAME = "newsreader_exact"  # quoted phrases: folded, never stemmed
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


def build_exact_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of exact word forms: the same words, folded the same, not stemmed."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


_ANALYZER = build_analyzer()
_EXACT_ANALYZER = build_exact_analyzer()


@lru_cache(maxsize=200_000)
def analyze_exact(word: str) -> tuple[str, ...]:
    """The exact-form index terms of one word ("Rates" -> rates, "café" -> cafe)."""
    return tuple(_EXACT_ANALYZER.analyze(word))


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
    """Where in `text` the words whose terms are in `terms` (or start a prefix) stand.

    Only words that could match are analysed: an English stem, less its last letter, is a
    prefix of the word it came from once letters are folded and y is read as i (`happi`
    <- happy, `die` <- dying, `strass` <- Straße), so a regular expression finds the
    candidates and the analyzer decides (tests compare it with analysing every word).
    """
    if not terms and not prefixes:
        return []
    spans = []
    for match in _candidates(terms, prefixes).finditer(text):
        for term in analyze_word(match.group()):
            if term in terms or (prefixes and term.startswith(prefixes)):
                spans.append(Span(match.start(), match.end()))
                break
    return spans


def _fold_tables() -> tuple[dict[str, str], tuple[str, ...]]:
    """Which letters fold to each ASCII letter (é, è, ê... to e), and the letter pairs
    that one letter folds to (ß to ss, œ to oe), both as the index's analyzer folds."""
    folding = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    variants: dict[str, set[str]] = {"i": set("yY")}  # the stemmer reads y as i
    pairs: set[str] = set()
    for code in [*range(0xC0, 0x250), 0x1E9E]:
        char = chr(code)
        folded = (folding.analyze(char) or [""])[0]
        if folded[:1].isascii() and folded[:1].isalpha():
            variants.setdefault(folded[0], set()).update({char, char.lower(), char.upper()})
            if len(folded) > 1:
                pairs.add(folded)
    return {k: "".join(sorted(v)) for k, v in variants.items()}, tuple(sorted(pairs))


_FOLDS, _FOLDED_PAIRS = _fold_tables()


def _candidate_stem(term: str, *, is_prefix: bool = False) -> str:
    """A prefix every word analysed to `term` (or starting with it) starts with, once
    letters are folded."""
    stem = "".join(c for c in term if not unicodedata.combining(c))
    if not is_prefix and len(stem) > 2:
        stem = stem[:-1]  # happi <- happy, die <- dying
    cut = min((i for pair in _FOLDED_PAIRS if (i := stem.find(pair)) >= 0), default=len(stem))
    return stem[: max(cut, 1)]  # before any pair one letter could stand for (ss <- ß)


def _accent_insensitive(stem: str) -> str:
    return "".join(
        f"[{re.escape(c)}{re.escape(_FOLDS[c])}]" if c in _FOLDS else re.escape(c) for c in stem
    )


@lru_cache(maxsize=256)
def _candidates(terms: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    stems = {_candidate_stem(t) for t in terms}
    stems |= {_candidate_stem(p, is_prefix=True) for p in prefixes}
    alternatives = "|".join(_accent_insensitive(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)
