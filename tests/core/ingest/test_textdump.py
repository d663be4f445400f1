import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.ingest import ExtractionError, RelatedItem, parse_text_dump
from tests.factories import SEED_FILE


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


def test_the_seed_dump_gives_its_section_headline_and_eight_paragraphs(seed_text: str) -> None:
    article = parse_text_dump(seed_text)
    assert article.section == "International"
    assert article.title == (
        "US and Iraq to Start Discussions on Terminating US-Led Military Alliance "
        "During Israel-Hamas Conflict"
    )
    assert len(article.blocks) == 8
    assert all(block.kind == "paragraph" for block in article.blocks)
    assert article.text.startswith("According to media sources, negotiations")
    assert article.text.endswith("reducing assaults on US personnel.")


def test_the_seed_body_holds_no_trailer_or_page_chrome(seed_text: str) -> None:
    article = parse_text_dump(seed_text)
    assert "Related Articles" not in article.text
    assert "Back to top" not in article.text
    assert article.related == []


def test_titles_under_the_related_heading_become_related_entries() -> None:
    dump = (
        "Business\n\nMarkets rally after the central bank holds its rates steady\n\n"
        "Shares rose on Tuesday.\n\nBonds were flat.\n\nRelated Articles\n\n"
        "Oil prices slip as supply grows\n"
        "Central bank explained - https://www.example.com/explained/?utm_source=x\n\n"
        "Back to top button"
    )
    article = parse_text_dump(dump)
    assert article.section == "Business"
    assert [b.text for b in article.blocks] == ["Shares rose on Tuesday.", "Bonds were flat."]
    assert article.related == [
        RelatedItem("Oil prices slip as supply grows", None),
        RelatedItem("Central bank explained", "https://example.com/explained"),
    ]


def test_byline_and_date_lines_under_the_headline_are_metadata_not_body() -> None:
    dump = "A long headline about the things that happened today\nBy Jane Doe\n2024-03-05\n\nBody."
    article = parse_text_dump(dump)
    assert article.byline == "Jane Doe"
    assert article.published == "2024-03-05"
    assert article.section is None
    assert article.text == "Body."


def test_a_short_first_line_before_a_short_title_is_not_taken_for_a_section() -> None:
    article = parse_text_dump("Rates rise\n\nThe bank raised rates.\n\nMore later.")
    assert article.section is None
    assert article.title == "Rates rise"


def test_chrome_lines_anywhere_are_dropped() -> None:
    dump = (
        "WORLD\n\nTitle of the story goes here today\n\nShare this article\n\n"
        "Text.\n\nAdvertisement\n\nMore."
    )
    assert parse_text_dump(dump).text == "Text.\nMore."


@pytest.mark.parametrize(
    "dump", ["", "   \n\n ", "Back to top button", "Only a title\n\nRelated Articles\n\nX"]
)
def test_a_dump_without_article_text_is_refused_with_a_reason(dump: str) -> None:
    with pytest.raises(ExtractionError):
        parse_text_dump(dump)


@given(st.text())
def test_any_text_gives_an_article_or_a_clear_extraction_error(text: str) -> None:
    try:
        article = parse_text_dump(text)
    except ExtractionError as error:
        assert str(error)
    else:
        assert article.title and article.text


def test_a_short_headline_above_its_first_paragraph_is_not_a_section_label() -> None:
    article = parse_text_dump("Markets Rally Again\n\nStocks rose on Monday.\n\nBonds fell.")
    assert article.section is None
    assert article.title == "Markets Rally Again"
    assert article.text == "Stocks rose on Monday.\nBonds fell."


def test_a_read_more_line_inside_the_article_does_not_end_it() -> None:
    dump = (
        "WORLD\n\nA headline that runs long enough to be one\n\nFirst paragraph of the story.\n\n"
        "Read more\n\nSecond paragraph, which is still the article and goes on for a while "
        "with plenty of words to read.\n\nRelated Articles\n\nAnother story title"
    )
    article = parse_text_dump(dump)
    assert article.text.endswith("plenty of words to read.")
    assert article.related == [RelatedItem("Another story title", None)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Posted in Baghdad, the statement was short.",
        "More from the minister came later that day.",
        "Follow us on this journey, she said.",
    ],
)
def test_sentences_that_start_like_page_chrome_are_kept(sentence: str) -> None:
    dump = f"WORLD\n\nA headline that runs long enough to be one\n\n{sentence}\n\nMore text."
    assert sentence in parse_text_dump(dump).text


@pytest.mark.parametrize(
    "chrome", ["Filed under: Politics, World", "Tags: Iraq, US, Military", "Share on Facebook"]
)
def test_label_lines_of_page_chrome_are_dropped(chrome: str) -> None:
    dump = f"WORLD\n\nA headline that runs long enough to be one\n\nBody.\n\n{chrome}"
    assert parse_text_dump(dump).text == "Body."
