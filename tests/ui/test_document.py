"""The canonical text invariant: the rendered body's plain text equals Article.text."""

import gzip
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from newsreader.core.blocks import BLOCK_KINDS, Block, canonical_text, make_block
from newsreader.core.ingest import extract_html, parse_text_dump
from newsreader.core.ingest.jsonl import record_to_article
from newsreader.core.paths import RESOURCES_DIR
from newsreader.testing import shared_data
from newsreader.ui.document import PLACEHOLDER_URL, build_document
from tests.factories import PNG, SEED_FILE


def assert_invariant(blocks: list[Block]) -> None:
    document = build_document(blocks)
    assert document.toPlainText() == canonical_text(blocks)
    assert document.blockCount() == max(1, len(blocks))


def test_the_seed_article_renders_to_exactly_its_text(qtbot: QtBot) -> None:
    assert_invariant(parse_text_dump(SEED_FILE.read_text(encoding="utf-8")).blocks)


def test_every_guide_article_renders_to_exactly_its_text(qtbot: QtBot) -> None:
    for path in sorted((RESOURCES_DIR / "guide").glob("*.txt")):
        assert_invariant(parse_text_dump(path.read_text(encoding="utf-8")).blocks)


def test_headings_lists_quotes_and_images_keep_one_document_block_each(qtbot: QtBot) -> None:
    blocks = [
        Block("heading", "Heading", level=2), Block("paragraph", "Text"),
        Block("list_item", "one"), Block("list_item", "two"), Block("image", src="asset:none"),
        Block("quote", "A quote"), Block("preformatted", "code  here"), Block("paragraph", "End"),
    ]  # fmt: skip
    assert_invariant(blocks)


def test_a_stored_image_is_drawn_from_the_archive_and_a_missing_one_as_a_placeholder(
    qtbot: QtBot,
) -> None:
    blocks = [Block("image", src="asset:abc"), Block("image", src="https://example.com/x.png")]
    document = build_document(blocks, load_asset={"abc": PNG}.get)
    names = [
        fragment.charFormat().toImageFormat().name()
        for block in (document.begin(), document.begin().next())
        for fragment in [block.begin().fragment()]
    ]
    assert names == ["asset:abc", PLACEHOLDER_URL]


block_strategy = st.builds(
    lambda kind, text: make_block(kind, text, src="x"),
    st.sampled_from(BLOCK_KINDS),
    st.text(min_size=1, max_size=40),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(block_strategy, max_size=12))
def test_any_blocks_render_to_exactly_their_canonical_text(
    qapp: object, blocks: list[Block | None]
) -> None:
    assert_invariant([b for b in blocks if b is not None])


@pytest.mark.shared_data
@pytest.mark.parametrize("corpus", ["bbc/bbc.jsonl.gz", "reuters/reuters21578.jsonl.gz"])
def test_corpus_articles_render_to_exactly_their_text(qtbot: QtBot, corpus: str) -> None:
    path = shared_data(*corpus.split("/"))
    checked = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 0, 3000, 7):
            record = json.loads(line)
            if record.get("body", "").strip():
                assert_invariant(record_to_article(record).blocks)
                checked += 1
    assert checked > 300


@pytest.mark.shared_data
def test_extracted_web_pages_render_to_exactly_their_text(qtbot: QtBot) -> None:
    pages = sorted(shared_data("extraction-benchmark", "html").glob("*.html.gz"))[:40]
    for page in pages:
        html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
        assert_invariant(extract_html(html).blocks)
