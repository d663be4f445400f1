import re

from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.search.text import Span, analyze_word, matching_spans

VOCABULARY = [
    "happy", "happiness", "dying", "died", "lying", "skies", "sky", "Café", "cafés", "résumé",
    "elections", "electoral", "ponies", "pony", "running", "ran", "news", "early", "only",
    "gently", "ugly", "naïve", "NAÏVE", "Straße", "İstanbul", "œuvre", "said", "saying",
    "idly", "generously", "united", "états", "x", "a", "us",
]  # fmt: skip


def every_word(text: str, terms: frozenset[str]) -> list[Span]:
    """The slow, obvious way: analyse every word."""
    return [
        Span(m.start(), m.end()) for m in re.finditer(r"\w+", text)
        if any(t in terms for t in analyze_word(m.group()))
    ]  # fmt: skip


@given(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30),
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),
    st.sampled_from([" ", ", ", "\n", " — "]),
)
def test_the_fast_matcher_marks_exactly_what_analysing_every_word_marks(
    words: list[str], query: list[str], separator: str
) -> None:
    text = separator.join(words)
    terms = frozenset(t for word in query for t in analyze_word(word))
    assert matching_spans(text, terms) == every_word(text, terms)
