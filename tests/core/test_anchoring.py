"""Re-anchoring annotations on changed text: found where the words went, or orphaned."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from newsreader.core.anchoring import (
    CONTEXT_CHARS,
    Anchor,
    TextQuote,
    anchor,
    describe,
    levenshtein,
)

# Real-looking prose, every sentence distinct, so that quotes drawn from them are unique-ish.
SENTENCES = (
    "Quarterly profits at the media giant jumped by a fifth to a record high.",
    "The firm benefited from sales of high-speed internet connections.",
    "Analysts had expected a much smaller rise in advertising revenue.",
    "Shares in the group closed nearly four percent higher on Friday evening.",
    "A spokesman declined to comment on reports of a merger with a rival.",
    "The central bank left interest rates unchanged for the sixth month running.",
    "Inflation eased slightly in December as petrol prices fell back.",
    "Ministers insist the new scheme will cut waiting lists within two years.",
    "Opposition parties have called the proposals a costly gimmick.",
    "The striker scored twice in the second half to seal a comfortable win.",
    "His manager described the performance as the best of the season.",
    "Tickets for the festival sold out just four days after the line-up was announced.",
    "Organisers expect around eighty thousand visitors over the long weekend.",
    "The novel follows a young doctor working in a remote mountain village.",
    "Critics praised the film for its striking photography and quiet humour.",
    "Engineers found a crack in a cooling pipe during a routine inspection.",
    "The plant will stay closed until repairs have been completed safely.",
    "Researchers say the vaccine protected most volunteers from severe illness.",
    "Further trials involving older patients are planned for next spring.",
    "Heavy snow closed several mountain passes and cut power to remote farms.",
    "Forecasters warn that temperatures could drop below minus fifteen tonight.",
    "The museum has returned a bronze statue that was looted a century ago.",
    "Volunteers spent three weekends clearing litter from the riverbank.",
    "The council says it cannot afford to keep every library open.",
)

TEXT = (
    "Quarterly profits at the media giant jumped by a fifth. The firm benefited from sales "
    "of high-speed internet connections.\n"
    "Analysts had expected a much smaller rise. Shares closed higher on Friday.\n"
    "A spokesman declined to comment."
)


def quote_at(text: str, words: str, occurrence: int = 0) -> tuple[TextQuote, int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return describe(text, start, start + len(words)), start, start + len(words)


def anchored_text(text: str, found: Anchor) -> str | None:
    if found.start is None or found.end is None:
        return None
    return text[found.start : found.end]


# -- examples --------------------------------------------------------------------------------


def test_a_quote_still_at_its_position_is_anchored_there() -> None:
    quote, start, end = quote_at(TEXT, "sales of high-speed internet")

    assert anchor(TEXT, quote, start, end) == Anchor(start, end, "anchored")


def test_describe_keeps_the_words_and_up_to_32_characters_either_side() -> None:
    quote, start, end = quote_at(TEXT, "much smaller rise")

    assert quote.exact == "much smaller rise"
    assert quote.prefix == TEXT[start - CONTEXT_CHARS : start]
    assert quote.suffix == TEXT[end : end + CONTEXT_CHARS]
    assert describe("short text", 0, 5) == TextQuote("short", "", " text")


def test_describe_clamps_offsets_outside_the_text() -> None:
    assert describe("abc", -5, 99) == TextQuote("abc", "", "")
    assert describe("abc", 2, 1) == TextQuote("", "ab", "c")


def test_text_inserted_before_a_quote_moves_it() -> None:
    quote, start, end = quote_at(TEXT, "much smaller rise")
    new = "A new opening paragraph, added by the editor.\n" + TEXT

    found = anchor(new, quote, start, end)

    assert found.status == "anchored"
    assert anchored_text(new, found) == "much smaller rise"
    assert found.start == start + len("A new opening paragraph, added by the editor.\n")


def test_a_quote_is_found_without_its_old_position() -> None:
    quote, _, _ = quote_at(TEXT, "much smaller rise")

    found = anchor("Breaking.\n" + TEXT, quote)

    assert anchored_text("Breaking.\n" + TEXT, found) == "much smaller rise"


def test_the_same_quote_twice_is_told_apart_by_its_context() -> None:
    text = (
        "In London the council said it would review the plans next year.\n"
        "In Leeds the council said it would approve the plans next week."
    )
    quote, start, end = quote_at(text, "the council said it would", occurrence=1)
    new = "An update on two cities.\n" + text.replace("In London", "In Greater London")

    found = anchor(new, quote, start, end)

    assert found.status == "anchored"
    assert found.start == new.index("the council said it would", new.index("Leeds"))


def test_the_same_quote_twice_in_the_same_context_goes_to_the_one_nearest_its_old_place() -> None:
    line = "Shares rose sharply in early trading, the exchange said.\n"
    text = line * 4
    quote, start, end = quote_at(text, "rose sharply in early trading", occurrence=2)
    new = "Markets.\n" + text

    found = anchor(new, quote, start, end)

    assert found.status == "anchored"
    assert found.start == start + len("Markets.\n")


def test_a_typo_fixed_inside_a_quote_anchors_it_fuzzily_at_the_right_place() -> None:
    old = TEXT.replace("high-speed internet", "high-sped internte")
    quote, start, end = quote_at(old, "sales of high-sped internte connections")

    found = anchor(TEXT, quote, start, end)

    assert found.status == "fuzzy"
    assert anchored_text(TEXT, found) == "sales of high-speed internet connections"


def test_a_typo_fixed_at_the_edge_of_a_quote_covers_the_whole_fixed_word() -> None:
    old = TEXT.replace("Analysts had", "nalysts had")
    quote, start, end = quote_at(old, "nalysts had expected")

    found = anchor(TEXT, quote, start, end)

    assert found.status == "fuzzy"
    assert anchored_text(TEXT, found) == "Analysts had expected"


def test_a_quote_in_a_reordered_paragraph_is_found_where_the_paragraph_went() -> None:
    paragraphs = TEXT.split("\n")
    quote, start, end = quote_at(TEXT, "benefited from sales")
    new = "\n".join([paragraphs[2], paragraphs[1], paragraphs[0]])

    found = anchor(new, quote, start, end)

    assert found.status == "anchored"
    assert found.start == new.index("benefited from sales")


def test_a_moved_paragraph_is_recognised_by_its_words_alone() -> None:
    text = "First paragraph here.\nThe whole of this paragraph was highlighted.\nThe last one."
    quote, start, end = quote_at(text, "The whole of this paragraph was highlighted.")
    new = "The last one.\nFirst paragraph here.\nThe whole of this paragraph was highlighted."

    found = anchor(new, quote, start, end)

    assert anchored_text(new, found) == "The whole of this paragraph was highlighted."


def test_a_deleted_quote_is_orphaned_even_though_its_context_remains() -> None:
    quote, start, end = quote_at(TEXT, "The firm benefited from sales ")
    new = TEXT.replace("The firm benefited from sales ", "")

    assert anchor(new, quote, start, end) == Anchor(None, None, "orphaned")


def test_a_deleted_quote_is_not_attached_to_a_copy_of_its_words_elsewhere() -> None:
    text = (
        "The minister said the plan was fair and affordable. Critics disagreed.\n"
        "Later, in a statement, the plan was fair and affordable, aides repeated."
    )
    quote, start, end = quote_at(text, "the plan was fair and affordable")
    new = text.replace("The minister said the plan was fair and affordable.", "The minister spoke.")

    assert anchor(new, quote, start, end).status == "orphaned"


def test_a_quote_reworded_beyond_the_budget_is_orphaned() -> None:
    quote, start, end = quote_at(TEXT, "Analysts had expected a much smaller rise.")
    new = TEXT.replace(
        "Analysts had expected a much smaller rise.", "Experts predicted a modest increase."
    )

    assert anchor(new, quote, start, end).status == "orphaned"


def test_a_quote_reworded_within_the_budget_is_found_fuzzily() -> None:
    quote, start, end = quote_at(TEXT, "Analysts had expected a much smaller rise.")
    new = TEXT.replace("a much smaller rise.", "a far smaller rise.")

    found = anchor(new, quote, start, end)

    assert found.status == "fuzzy"
    assert anchored_text(new, found) == "Analysts had expected a far smaller rise."


def test_very_short_quotes_anchor_only_exactly() -> None:
    text = "Shares in teh group rose. The group said so."
    quote, start, end = quote_at(text, "teh")

    fixed = text.replace("teh", "the")
    assert anchor(fixed, quote, start, end).status == "orphaned"
    assert anchor("Today.\n" + text, quote, start, end) == Anchor(start + 7, end + 7, "anchored")


def test_a_short_quote_whose_context_is_gone_is_orphaned_rather_than_guessed() -> None:
    text = "The vote was close. It passed by one vote in the end."
    quote, start, end = quote_at(text, "vote", occurrence=1)

    found = anchor("Nobody knew how the vote would go.", quote, start, end)

    assert found.status == "orphaned"


def test_a_long_quote_with_a_typo_fixed_is_aligned_chunk_by_chunk() -> None:
    body = " ".join(SENTENCES)
    start, end = body.index(SENTENCES[2]), body.index(SENTENCES[12]) + len(SENTENCES[12])
    old = body[:start] + body[start:end].replace("festival", "festivle") + body[end:]
    quote = describe(old, start, end - 1)

    found = anchor(body, quote, start, end - 1)

    assert found.status == "fuzzy"
    assert (found.start, found.end) == (start, end - 1)
    assert end - start > 512  # several chunks


def test_a_quote_beside_an_image_is_anchored() -> None:
    text = "Caption below.\n\ufffc\nThe photograph shows the flooded high street."
    quote, start, end = quote_at(text, "\ufffc\nThe photograph shows")

    found = anchor("Updated.\n" + text, quote, start, end)

    assert anchored_text("Updated.\n" + text, found) == "\ufffc\nThe photograph shows"


def test_levenshtein_counts_insertions_deletions_and_substitutions() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("abc", "") == 3
    assert levenshtein("same", "same") == 0


@pytest.mark.parametrize(
    ("text", "quote", "start", "end"),
    [
        ("", TextQuote("anything"), 0, 8),
        ("Some text.", TextQuote(""), 0, 0),
        ("Some text.", TextQuote("", "Some", " text."), 4, 4),
        ("Some text.", TextQuote("a quote much longer than the text itself"), None, None),
        ("Some text.", TextQuote("text"), -3, 999),
        ("Some text.", TextQuote("text"), 999, -3),
        ("Some text.", TextQuote("text"), True, False),
        ("Some text.", TextQuote("text"), 7, 3),
        ("\ufffc\ufffc", TextQuote("\ufffc"), 1, 2),
        ("x" * 5000, TextQuote("x" * 300, "x" * 32, "x" * 32), 10, 310),
        ("abc\udcff def", TextQuote("\udcff", "abc", " def"), 3, 4),
    ],
)
def test_empty_and_odd_inputs_never_raise(
    text: str, quote: TextQuote, start: int | None, end: int | None
) -> None:
    found = anchor(text, quote, start, end)

    assert found.status in ("anchored", "fuzzy", "orphaned")
    if found.status == "orphaned":
        assert (found.start, found.end) == (None, None)
    else:
        assert found.start is not None and found.end is not None
        assert 0 <= found.start <= found.end <= len(text)


# -- properties ------------------------------------------------------------------------------

JUNK = st.text(alphabet=string.ascii_letters + string.digits + " ,.;:'-\n\ufffc", max_size=40)
# Inserted text stands apart from the words next to it (it does not extend a quoted word:
# "Howar" + "d" is exactly what a fixed typo looks like, and is rightly absorbed).
WORDS = JUNK.map(lambda junk: f" {junk} ")


@st.composite
def quoted_texts(draw: st.DrawFn) -> tuple[str, int, int]:
    """Text made of distinct real sentences, and a word-aligned quote of >= 20 characters
    inside one of them."""
    picked = draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=8, unique=True))
    breaks = draw(st.lists(st.sampled_from([" ", "\n"]), min_size=len(picked) - 1, max_size=7))
    text = picked[0]
    for sentence, gap in zip(picked[1:], breaks, strict=False):
        text += gap + sentence
    sentence = draw(st.sampled_from(picked))
    at = text.index(sentence)
    words = [(at + m, at + m + len(w)) for m, w in _words(sentence)]
    i = draw(st.integers(0, len(words) - 1))
    ends = [e for _, e in words[i:] if e - words[i][0] >= 20]
    assume(ends)
    end = draw(st.sampled_from(ends))
    return text, words[i][0], end


def _words(sentence: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for word in sentence.split(" "):
        out.append((at, word))
        at += len(word) + 1
    return out


@st.composite
def edits(draw: st.DrawFn, segment: str, lo: int, hi: int) -> str:
    """`segment` with 0-4 insertions (of separate words) and deletions within [lo, hi)."""
    for _ in range(draw(st.integers(0, 4))):
        if hi <= lo:
            break
        at = draw(st.integers(lo, hi))
        if draw(st.booleans()):
            junk = draw(WORDS)
            segment = segment[:at] + junk + segment[at:]
            hi += len(junk)
        else:
            cut = draw(st.integers(0, min(20, hi - at)))
            segment = segment[:at] + segment[at + cut :]
            hi -= cut
    return segment


@settings(max_examples=300)
@given(data=st.data(), quoted=quoted_texts())
def test_edits_outside_a_quote_that_spare_one_side_of_its_context_keep_it_on_its_words(
    data: st.DataObject, quoted: tuple[str, int, int]
) -> None:
    text, start, end = quoted
    quote = describe(text, start, end)
    before, words, after = text[:start], text[start:end], text[end:]
    if data.draw(st.booleans(), label="spare the prefix"):
        before = data.draw(edits(before, 0, max(0, len(before) - CONTEXT_CHARS)))
        after = data.draw(edits(after, 0, len(after)))
    else:
        before = data.draw(edits(before, 0, len(before)))
        after = data.draw(edits(after, min(len(after), CONTEXT_CHARS), len(after)))
    new = before + words + after
    assume(new.count(words) == 1)

    assert anchor(new, quote, start, end) == Anchor(
        len(before), len(before) + len(words), "anchored"
    )


@settings(max_examples=300)
@given(data=st.data(), quoted=quoted_texts(), left=WORDS, right=WORDS)
def test_words_inserted_right_around_a_quote_and_edits_further_off_keep_it_on_its_words(
    data: st.DataObject, quoted: tuple[str, int, int], left: str, right: str
) -> None:
    text, start, end = quoted
    quote = describe(text, start, end)
    before, words, after = text[:start], text[start:end], text[end:]
    before = data.draw(edits(before, 0, max(0, len(before) - CONTEXT_CHARS))) + left
    after = right + data.draw(edits(after, min(len(after), CONTEXT_CHARS), len(after)))
    new = before + words + after
    assume(new.count(words) == 1)

    assert anchor(new, quote, start, end) == Anchor(
        len(before), len(before) + len(words), "anchored"
    )


@settings(max_examples=300)
@given(data=st.data(), quoted=quoted_texts(), replacement=st.sampled_from(("", *SENTENCES)))
def test_a_quote_replaced_by_unrelated_text_is_orphaned_never_attached_elsewhere(
    data: st.DataObject, quoted: tuple[str, int, int], replacement: str
) -> None:
    text, start, end = quoted
    quote = describe(text, start, end)
    assume(replacement not in text)
    before = data.draw(edits(text[:start], 0, max(0, start - CONTEXT_CHARS)))
    after = data.draw(edits(text[end:], min(len(text) - end, CONTEXT_CHARS), len(text) - end))
    new = before + replacement + after

    assert anchor(new, quote, start, end) == Anchor(None, None, "orphaned")


@given(quoted=quoted_texts())
def test_a_quote_described_on_a_text_anchors_to_itself(quoted: tuple[str, int, int]) -> None:
    text, start, end = quoted

    assert anchor(text, describe(text, start, end), start, end) == Anchor(start, end, "anchored")


@given(
    text=st.text(max_size=300),
    exact=st.text(max_size=60),
    prefix=st.text(max_size=40),
    suffix=st.text(max_size=40),
    start=st.none() | st.integers(-10, 400),
    end=st.none() | st.integers(-10, 400),
)
def test_anchoring_never_raises_and_returns_a_span_of_the_text(
    text: str, exact: str, prefix: str, suffix: str, start: int | None, end: int | None
) -> None:
    found = anchor(text, TextQuote(exact, prefix, suffix), start, end)

    if found.status == "orphaned":
        assert (found.start, found.end) == (None, None)
    else:
        assert found.start is not None and found.end is not None
        assert 0 <= found.start <= found.end <= len(text)
        assert found.status == "fuzzy" or text[found.start : found.end] == exact


@settings(max_examples=200)
@given(
    text=st.text(alphabet="ab \n.", min_size=200, max_size=1200),
    data=st.data(),
    noise=st.text(alphabet="ab \n.", max_size=8),
)
def test_repetitive_text_and_long_quotes_never_raise_and_anchor_only_to_the_words(
    text: str, data: st.DataObject, noise: str
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 600)))
    quote = describe(text, start, end)
    at = data.draw(st.integers(0, len(text)))
    new = text[:at] + noise + text[at:]

    found = anchor(new, quote, start, end)

    if found.status == "anchored":
        assert found.start is not None and found.end is not None
        assert new[found.start : found.end] == quote.exact
    elif found.status == "fuzzy":
        assert found.start is not None and found.end is not None
        budget = int(len(quote.exact) * 0.2)
        assert levenshtein(quote.exact, new[found.start : found.end]) <= budget
