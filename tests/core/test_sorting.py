"""How the list orders articles: dates kept apart from saving times, titles folded."""

from datetime import datetime
from pathlib import Path

from alembic import command

from newsreader.core import db
from newsreader.core.archive import Archive
from newsreader.core.sorting import title_key
from tests.factories import make_article


def titles(archive: Archive, **kwargs: object) -> list[str]:
    return [a.title for a in archive.list_articles(**kwargs)]  # type: ignore[arg-type]


def test_undated_articles_sort_by_saving_time_after_the_dated_ones(archive: Archive) -> None:
    archive.save(make_article("Old news", ("a",), published="1987-03-02"))
    archive.save(make_article("Undated, saved first", ("b",), saved_at="2026-11-01T10:00"))
    archive.save(make_article("Recent news", ("c",), published="2024-05-01"))
    archive.save(make_article("Undated, saved last", ("d",), saved_at="2026-11-02T10:00"))
    assert titles(archive, order="published") == [
        "Recent news", "Old news", "Undated, saved last", "Undated, saved first",
    ]  # fmt: skip
    undated = [a for a in archive.list_articles() if a.published_at is None]
    assert [a.saved_at for a in undated] == [datetime(2026, 11, 2, 10), datetime(2026, 11, 1, 10)]


def test_recently_saved_lists_by_saving_time_by_default(archive: Archive) -> None:
    archive.save(make_article("Published long ago, saved now", ("a",), published="2001-01-01"))
    archive.save(make_article("Published recently, saved before", ("b",),
                              published="2026-11-20", saved_at="2026-11-25T09:00"))  # fmt: skip
    assert titles(archive, view="recent")[0] == "Published long ago, saved now"
    assert titles(archive)[0] == "Published recently, saved before"  # other views: by date


def test_titles_sort_without_regard_to_case_or_accents(archive: Archive) -> None:
    for n, title in enumerate(["banana", "Zebra", "éclair", "Apple", "eagle", "Ecu"]):
        archive.save(make_article(title, (f"text {n}",)))
    assert titles(archive, order="title", descending=False) == [
        "Apple", "banana", "eagle", "éclair", "Ecu", "Zebra",
    ]  # fmt: skip


def test_the_title_key_folds_case_and_accents() -> None:
    assert title_key("Élan ÇA straße") == title_key("elan ca STRASSE")


def test_an_updated_article_is_sorted_by_its_new_title(archive: Archive) -> None:
    url = "https://example.com/story"
    archive.save(make_article("zulu", ("first text",), url=url))
    archive.save(make_article("Alpha", ("b",)))
    archive.save(make_article("Aardvark", ("second text",), url=url))
    assert titles(archive, order="title", descending=False) == ["Aardvark", "Alpha"]


def test_an_older_archive_gets_its_sort_keys_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive(path) as archive:
        archive.save(make_article("Undated", ("a",), saved_at="2026-11-02T10:00"))
        archive.save(make_article("éclair", ("b",), published="2020-01-01"))
        archive.save(make_article("Dated", ("c",), published="2010-01-01"))
    reader, writer = db.create_engines(path)
    config = db._alembic_config()
    with writer.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    reader.dispose()
    writer.dispose()
    with Archive(path) as archive:
        assert titles(archive, order="published") == ["éclair", "Dated", "Undated"]
        assert titles(archive, order="title", descending=False) == ["Dated", "éclair", "Undated"]
