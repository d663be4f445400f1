import pytest

from newsreader.core.sections import section_display_name, section_key, section_variant


@pytest.mark.parametrize(
    "label", ["INTERNATIONAL", "International", "/international/", "international"]
)
def test_spellings_of_one_section_share_one_key_and_one_display_name(label: str) -> None:
    assert section_key(label) == "international"
    assert section_display_name(label) == "International"


def test_mixed_case_labels_keep_their_case() -> None:
    assert section_display_name("US Politics") == "US Politics"


def test_slugs_and_paths_become_words() -> None:
    assert section_display_name("/world-news/") == "World News"
    assert section_key("World News") == section_key("world-news")


def test_small_words_stay_lower_case_inside_a_title_cased_name() -> None:
    assert section_display_name("ARTS AND CULTURE") == "Arts and Culture"


@pytest.mark.parametrize("label", ["", "   ", "/", "2024", "x" * 200])
def test_unusable_labels_give_no_section(label: str) -> None:
    assert section_display_name(label) is None


@pytest.mark.parametrize(
    ("key", "variant"),
    [("business-news", "business"), ("sports", "sport"), ("news", "news"), ("business", "business"),
     ("arts-section", "art"), ("us", "us"), ("analysis", "analysis")],
)  # fmt: skip
def test_variants_of_a_section_key_share_their_variant(key: str, variant: str) -> None:
    assert section_variant(key) == variant
