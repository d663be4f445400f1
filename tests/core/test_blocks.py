import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsreader.core import blocks
from newsreader.core.blocks import (
    IMAGE_CHAR,
    Block,
    ExtractedArticle,
    blocks_from_json,
    blocks_to_json,
    canonical_text,
    clean_line,
    make_block,
)


def test_clean_line_turns_every_kind_of_space_and_break_into_one_space() -> None:
    assert clean_line(" a\u00a0b\tc\r\nd\u2029e\u2028f  g ") == "a b c d e f g"


def test_clean_line_drops_control_characters_and_byte_order_marks() -> None:
    assert clean_line("\ufeffab\x00c\x07d\ufffc") == "abcd"


def test_clean_line_composes_accents_so_offsets_are_stable() -> None:
    assert clean_line("cafe\u0301") == "café"


def test_canonical_text_joins_blocks_with_one_newline_and_images_take_one_character() -> None:
    blocks = [Block("heading", "H", level=2), Block("image", src="x.png"), Block("paragraph", "P")]
    assert canonical_text(blocks) == f"H\n{IMAGE_CHAR}\nP"


def test_empty_text_blocks_are_not_made() -> None:
    assert make_block("paragraph", " \u00a0 ") is None


def test_blocks_survive_a_round_trip_through_json() -> None:
    blocks = [Block("heading", "H", level=3), Block("image", src="asset:ab", alt="a cat")]
    assert blocks_from_json(blocks_to_json(blocks)) == blocks


@given(st.text())
def test_a_cleaned_line_never_contains_a_line_break(text: str) -> None:
    line = clean_line(text)
    assert "\n" not in line and "\r" not in line and "\u2029" not in line
    assert clean_line(line) == line


@pytest.mark.parametrize("odd", ["\ufdd0", "\ufffe", "\U0001ffff", "\ud800", "\udfff"])
def test_noncharacters_and_lone_surrogates_never_reach_the_canonical_text(odd: str) -> None:
    assert clean_line(f"a{odd}b") == "ab"


@given(st.text(alphabet=st.characters(codec=None, categories=None)))
def test_any_code_point_cleans_to_text_that_encodes_as_utf8(text: str) -> None:
    clean_line(text).encode("utf-8")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_an_ascii_line_cleans_by_the_shortcut_as_by_the_general_rules(text: str) -> None:
    assert clean_line(text) == blocks._clean_any_line(text)


def test_a_kept_original_is_compressed_gzip_the_standard_module_reads_back() -> None:
    page = (
        b"<html><body>" + b"<p>The same paragraph, again and again.</p>" * 500 + b"</body></html>"
    )
    article = ExtractedArticle(title="t", blocks=[Block("paragraph", "x")])
    article.keep_original(page)
    assert article.original_gz is not None
    assert len(article.original_gz) < len(page) / 10
    assert gzip.decompress(article.original_gz) == page
