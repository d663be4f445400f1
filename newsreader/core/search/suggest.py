""" "Did you mean": close words from the index's own vocabulary for a search that found nothing.

A word of the query that no article contains is compared with the index terms that start
with the same letter (spell checkers such as Lucene's DirectSpellChecker assume that
first letter right too): those within an edit distance of 1-2 (a transposition counts
one) are candidates; the closest of them are offered, the commonest first.
The term dictionary is walked in tantivy (Rust) and distances are computed by
rapidfuzz (C++), so a suggestion costs milliseconds at a million articles
(bench/search.py measures it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tantivy
from rapidfuzz import process
from rapidfuzz.distance import OSA

from newsreader.core.search.query import ParsedQuery, Words
from newsreader.core.search.text import analyze_word

MAX_DISTANCE = 2
SUGGEST_FIELDS = ("body", "title")  # where a word must be missing to count as misspelt
VOCABULARY_FIELD = "body"  # where close words are looked for


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A word of the query that nothing contains, and close words that something does."""

    word: str
    close_words: tuple[str, ...]


def unknown_words(parsed: ParsedQuery, searcher: tantivy.Searcher) -> list[str]:
    """The query's required words (outside prefixes) whose terms no article holds."""
    unknown = []
    for clause in parsed.clauses:
        if clause.negated:
            continue
        for atom in clause.alternatives:
            if not isinstance(atom, Words) or atom.prefix:
                continue
            for word in atom.words:
                terms = analyze_word(word)
                if terms and not any(
                    searcher.doc_freq(name, term) for name in SUGGEST_FIELDS for term in terms
                ):
                    unknown.append(word)
    return list(dict.fromkeys(unknown))


def close_words(searcher: tantivy.Searcher, word: str, limit: int = 3) -> tuple[str, ...]:
    """Up to `limit` words the index holds within MAX_DISTANCE edits of `word`'s term."""
    terms = analyze_word(word)
    if len(terms) != 1 or len(terms[0]) < 3:
        return ()
    term = terms[0]
    vocabulary = searcher.terms_with_prefix(VOCABULARY_FIELD, term[0])  # by count, descending
    words = [t for t, _ in vocabulary if abs(len(t) - len(term)) <= MAX_DISTANCE]
    found = process.extract(term, words, scorer=OSA.distance, score_cutoff=MAX_DISTANCE, limit=None)
    closest = min((distance for _, distance, _ in found if distance), default=0)
    # the closest words only, commonest first (the vocabulary's order)
    ranked = sorted((index, t) for t, distance, index in found if distance == closest > 0)
    return tuple(_as_typed(word, term, t) for _, t in ranked[:limit])


def _as_typed(word: str, term: str, close: str) -> str:
    """`close` as a word to type: the stemmer's change to the typed word undone on it
    (goverment -> gover ~ govern -> government; miltary -> miltari ~ militari -> military),
    else the index term itself."""
    typed = word.casefold()
    common = next(
        (i for i, (a, b) in enumerate(zip(typed, term, strict=False)) if a != b),
        min(len(typed), len(term)),
    )
    typed_end, term_end = typed[common:], term[common:]
    if close.endswith(term_end):
        candidate = close[: len(close) - len(term_end)] + typed_end
        if analyze_word(candidate) == (close,):
            return candidate
    return close


def suggest(parsed: ParsedQuery, searcher: tantivy.Searcher) -> list[Suggestion]:
    """Close words for every required word of the query that no article contains."""
    return [
        Suggestion(word, found)
        for word in unknown_words(parsed, searcher)
        if (found := close_words(searcher, word))
    ]


def corrected_query(query: str, suggestions: list[Suggestion]) -> str:
    """The query with each unknown word replaced by its closest word."""
    for suggestion in suggestions:
        pattern = re.compile(rf"(?<!\w){re.escape(suggestion.word)}(?!\w)", re.IGNORECASE)
        replacement = suggestion.close_words[0].replace("\\", "\\\\")
        query = pattern.sub(replacement, query, count=1)
    return query
