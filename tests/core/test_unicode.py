from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.blocks import Block
from newsreader.core.unicode import scrub, scrub_article
from tests.factories import make_article

ANY_CODE_POINTS = st.text(st.characters(codec=None, exclude_categories=()), max_size=50)


def test_lone_surrogates_become_replacement_characters() -> None:
    assert scrub("a\ud800b\udfff") == "a\ufffdb\ufffd"


def test_nul_characters_are_dropped_as_no_postgresql_text_holds_them() -> None:
    assert scrub("a\x00b\x00") == "ab"


def test_a_surrogate_pair_becomes_its_character() -> None:
    assert scrub("\ud83d\ude00") == "😀"


def test_valid_text_comes_back_as_the_same_object() -> None:
    text = "Budget talks – café"
    assert scrub(text) is text


@given(ANY_CODE_POINTS)
def test_scrubbed_text_always_encodes_as_utf8(text: str) -> None:
    scrub(text).encode("utf-8")
    assert "\x00" not in scrub(text)


def test_every_string_of_an_article_is_scrubbed() -> None:
    article = make_article(
        "T\ud800",
        ("Body",),
        section="S\udc00",
        source="X\ud800",
        tags=["t\ud800"],
        related=[("R\ud800", "https://e.x/\udfff")],
    )
    article.blocks.append(Block("image", src="https://e.x/\ud800", alt="a\ud800"))
    clean = scrub_article(article)
    assert (clean.title, clean.section, clean.source, clean.tags) == (
        "T\ufffd", "S\ufffd", "X\ufffd", ["t\ufffd"],
    )  # fmt: skip
    assert clean.related[0].title == "R\ufffd" and clean.blocks[-1].alt == "a\ufffd"


def test_a_valid_article_is_not_copied() -> None:
    article = make_article()
    assert scrub_article(article) is article
