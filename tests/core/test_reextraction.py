"""Re-extraction from kept originals: changed text becomes a version, highlights follow."""

from __future__ import annotations

from pathlib import Path

from newsreader.core.archive import Archive
from newsreader.core.reextraction import EXTRACTOR_VERSION
from tests.factories import make_article

LEAD = "The harbour board met on Tuesday to decide the future of the old ferry pier."
BODY = [
    "Engineers told the board that the pier's timber piles have rotted below the waterline "
    "and that repairs would cost more than a new concrete structure.",
    "Residents who use the ferry every morning asked for a temporary landing while the "
    "work goes on, and the board agreed to look at two sites near the fish market.",
    "A final vote is expected next month, after the engineers publish their full report "
    "and the public has had three weeks to comment on it.",
]
PAGE = (
    "<html><head><title>Ferry pier to be rebuilt</title></head><body><article>"
    "<h1>Ferry pier to be rebuilt</h1>"
    + "".join(f"<p>{p}</p>" for p in [LEAD, *BODY])
    + "</article></body></html>"
).encode()


def _saved_by_an_older_extractor(archive: Archive) -> int:
    """An article whose stored body is only the lead, as older extractors sometimes kept,
    with the whole page kept as its original."""
    article = make_article("Ferry pier to be rebuilt", (LEAD,), original=PAGE)
    return archive.save(article).article_id


def test_a_changed_extraction_becomes_a_new_version_and_highlights_stay_on_their_words(
    archive: Archive,
) -> None:
    article_id = _saved_by_an_older_extractor(archive)
    start = LEAD.index("old ferry pier")
    highlight = archive.annotations.create(article_id, start, start + len("old ferry pier"))

    [result] = archive.reextraction.run([article_id])

    assert result.status == "changed"
    article = archive.get(article_id)
    assert article is not None and article.version == 2
    assert all(p in article.text for p in BODY)
    assert article.extractor is not None and article.extraction_confidence is not None
    [after] = archive.annotations.list(article_id)
    assert after.id == highlight.id and after.status == "anchored"
    assert after.start is not None and after.end is not None
    assert article.text[after.start : after.end] == "old ferry pier"


def test_extracting_again_with_the_same_result_reports_unchanged(archive: Archive) -> None:
    article_id = _saved_by_an_older_extractor(archive)
    archive.reextraction.run([article_id])
    [again] = archive.reextraction.run([article_id])
    assert again.status == "unchanged"
    article = archive.get(article_id)
    assert article is not None and article.version == 2


def test_an_article_without_an_original_or_a_missing_id_fails_alone(archive: Archive) -> None:
    no_original = archive.save(make_article("Typed in", ("Only text.",))).article_id
    with_original = _saved_by_an_older_extractor(archive)
    results = archive.reextraction.run([no_original, 999, with_original])
    assert [r.status for r in results] == ["failed", "failed", "changed"]
    assert results[0].reason == "no original page was kept"
    assert results[1].reason == "no such article"


def test_an_original_that_is_no_longer_a_page_fails_with_its_reason(archive: Archive) -> None:
    broken = make_article("Broken", ("Saved once.",), original=b"\x89PNG\r\n\x1a\n" * 200)
    article_id = archive.save(broken).article_id
    [result] = archive.reextraction.run([article_id])
    assert result.status == "failed" and result.reason


def test_html_files_keep_their_original_page(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "pier.html").write_bytes(PAGE)
    report = archive.imports.paths([tmp_path / "pier.html"], workers=1)
    [item] = report.items
    assert item.article_id is not None
    assert archive.original(item.article_id) == ("text/html", PAGE)
    assert archive.reextraction.candidates() == [item.article_id]


def test_after_an_extractor_upgrade_flagged_articles_are_offered_once(archive: Archive) -> None:
    flagged = archive.save(make_article("Flagged", original=PAGE, may_be_incomplete=True))
    archive.save(make_article("Whole", ("Complete.",), original=PAGE))
    assert archive.reextraction.offer_after_upgrade() == [flagged.article_id]
    archive.reextraction.acknowledge()
    assert archive.get_meta("extractor_version") == EXTRACTOR_VERSION
    assert archive.reextraction.offer_after_upgrade() == []
