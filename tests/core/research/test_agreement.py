"""Agreement between coders: hand-computed cases and the krippendorff package's example."""

from __future__ import annotations

import json
import math

import pytest

from newsreader.core.agreement import alpha, percent_agreement, units
from newsreader.core.archive import Archive
from tests.factories import make_article

NAN = math.nan
SENTENCES = ("Prices rose. Wages fell. Unions marched. Nobody won.",)


def test_text_is_unitized_by_sentence_or_paragraph() -> None:
    text = "One. Two!\nThree"
    assert [text[s:e] for s, e in units(text, "sentence")] == ["One. ", "Two!", "Three"]
    assert [text[s:e] for s, e in units(text, "paragraph")] == ["One. Two!", "Three"]


def test_alpha_matches_the_krippendorff_packages_own_example() -> None:
    # The reliability data of the package's README (Krippendorff 2011): nominal alpha 0.691.
    rows = ["*    *    *    *    *    3    4    1    2    1    1    3    3    *    3",
            "1    *    2    1    3    3    4    3    *    *    *    *    *    *    *",
            "*    *    2    1    3    4    4    *    2    1    1    3    3    *    4"]  # fmt: skip
    data = [[NAN if v == "*" else float(v) for v in row.split()] for row in rows]
    assert alpha(data) == pytest.approx(0.691, abs=0.001)


def test_two_coders_on_one_article_agree_as_computed_by_hand(archive: Archive) -> None:
    article = archive.save(make_article("Strike", SENTENCES)).article_id
    for quote in ("Prices rose", "Wages fell"):
        archive.annotations.create_from_quote(article, quote, codes=["green"], coder="ana")
    for quote in ("Prices rose", "Unions marched"):
        archive.annotations.create_from_quote(article, quote, codes=["green"], coder="ben")
    (result,) = archive.research.agreement(codes=["green"], unit="sentence")
    # ana 1 1 0 0, ben 1 0 1 0: 2 of 4 pairs agree; with four 1s and four 0s among eight
    # values, Do = 4/8 and De = 2*4*4/(8*7), so alpha = 1 - 0.5/0.5714 = 0.125.
    assert (result.coders, result.articles, result.units) == (("ana", "ben"), 1, 4)
    assert result.percent == pytest.approx(0.5)
    assert result.alpha == pytest.approx(0.125)
    assert percent_agreement([[1, 1, 0, 0], [1, 0, 1, 0]]) == 0.5


def test_a_coder_who_left_an_article_alone_counts_as_missing_not_as_no(
    archive: Archive,
) -> None:
    first = archive.save(make_article("One", SENTENCES)).article_id
    second = archive.save(make_article("Two", ("Rain fell. Sun shone.",))).article_id
    archive.annotations.create_from_quote(first, "Prices rose", codes=["blue"], coder="ana")
    archive.annotations.create_from_quote(first, "Prices rose", codes=["blue"], coder="ben")
    archive.annotations.create_from_quote(second, "Rain fell", codes=["blue"], coder="ana")
    (result,) = archive.research.agreement(unit="sentence")
    assert result.articles == 1 and result.units == 4
    assert result.percent == 1.0 and result.alpha == 1.0


def test_alpha_is_undefined_when_every_value_is_the_same() -> None:
    assert alpha([[1, 1, NAN], [1, 1, 1]]) is None
    assert alpha([[1, NAN], [NAN, 0]]) is None  # no unit has two values


def test_json_ld_imports_keep_their_creator_as_the_coder(archive: Archive) -> None:
    article = archive.save(make_article("Strike", SENTENCES, url="https://example.org/s"))
    made = archive.annotations.create_from_quote(article.article_id, "Wages fell",
                                                 codes=["pink"], coder="ana")  # fmt: skip
    exported = json.loads(archive.annotations.export("jsonld"))
    assert exported["items"][0]["creator"] == {"type": "Person", "name": "ana"}
    archive.annotations.delete(made.id)
    summary = archive.annotations.import_jsonld(json.dumps(exported))
    assert summary.imported == 1
    (back,) = archive.annotations.list()
    assert back.coder == "ana" and back.codes == ["pink"]
