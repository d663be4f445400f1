"""Keyset paging of the article list: every page is the page OFFSET would give, in order,
whatever the sort, the direction, the scope and the ties on the sort key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, get_args

import pytest
from sqlalchemy import text

from newsreader.core.archive import Archive, ArticleSummary, ListPage, SortOrder
from newsreader.core.sorting import title_key
from tests.factories import make_article

TITLES = ("Alpha", "alpha", "Álpha", "Beta", "beta", "Gamma")
DATES = ("2024-01-01T10:00:00", "2024-01-01T10:00:00", "2024-02-01T10:00:00", None)
SECTIONS = ("World", "Business", None)
HOSTS = ("a.example.com", "b.example.org", "c.example.net")
SCOPES: tuple[dict[str, Any], ...] = (
    {},
    {"view": "unread"},
    {"section": "World"},
    {"source": "b.example.org"},
    {"tag": "kept"},
)


@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """37 articles whose every sort key repeats: equal titles once case and accents are
    folded, equal dates, undated ones, missing sections, and equal saving times."""
    archive = Archive(tmp_path_factory.mktemp("paging") / "archive.sqlite3")
    archive.save_many(
        [
            make_article(
                TITLES[n % len(TITLES)], (f"Text {n}.",), published=DATES[n % len(DATES)],
                section=SECTIONS[n % len(SECTIONS)], url=f"https://{HOSTS[n % 3]}/story/{n}",
            )
            for n in range(37)
        ],
        index=False,
    )  # fmt: skip
    for article_id in range(1, 38, 4):
        archive.mark_read(article_id)
    for article_id in range(1, 38, 5):
        archive.set_tags(article_id, ["kept"])
    with archive.writing() as session:  # whole groups saved in the same instant
        session.execute(text("UPDATE articles SET saved_at = '2024-03-01 00:00:00.000000' "
                             "WHERE id % 3 = 0"))  # fmt: skip
        # Two sections and two sources that bear the same name: their articles interleave.
        session.execute(text("INSERT INTO sections (key, name) VALUES ('world-2', 'World')"))
        session.execute(text("INSERT INTO sources (key, name, kind) "
                             "SELECT 'other', name, kind FROM sources LIMIT 1"))  # fmt: skip
        session.execute(text("UPDATE articles SET section_id = (SELECT id FROM sections "
                             "WHERE key = 'world-2'), source_id = (SELECT id FROM sources "
                             "WHERE key = 'other') WHERE id % 7 = 0"))  # fmt: skip
    yield archive
    archive.close()


def _expected(archive: Archive, order: SortOrder, descending: bool) -> list[int]:
    """Every id in list order, computed here from the articles' own fields."""
    articles = archive.list_articles(limit=1000)  # only for the fields; order not used
    with archive.reading() as session:
        keys: dict[int, Any] = dict(
            session.execute(text("SELECT id, sort_date FROM articles")).all()
        )

    def key(a: ArticleSummary) -> Any:
        return {
            "saved": a.saved_at,
            "published": datetime.fromisoformat(str(keys[a.id])),
            "title": title_key(a.title),
            "section": a.section or "",
            "source": a.source or "",
        }[order]

    by_id = sorted(articles, key=lambda a: a.id, reverse=True)  # ties: newest id first
    return [a.id for a in sorted(by_id, key=key, reverse=descending)]


def _pages_by_cursor(archive: Archive, size: int, **kwargs: Any) -> list[list[int]]:
    pages: list[list[int]] = []
    page = archive.list_page(limit=size, **kwargs)
    while page.rows and len(pages) <= 100:  # a cursor that does not move ends here too
        pages.append([r.id for r in page.rows])
        if page.next is None:
            break
        page = archive.list_page(limit=size, after=page.next, **kwargs)
    return pages


@pytest.mark.parametrize("order", get_args(SortOrder))
@pytest.mark.parametrize("descending", [True, False])
def test_paging_by_cursor_gives_the_whole_list_in_order_with_its_ties(
    tied: Archive, order: SortOrder, descending: bool
) -> None:
    expected = _expected(tied, order, descending)
    pages = _pages_by_cursor(tied, 4, order=order, descending=descending)
    assert [i for page in pages for i in page] == expected
    assert all(len(page) == 4 for page in pages[:-1])


@pytest.mark.parametrize("order", get_args(SortOrder))
@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: ",".join(s) or "all")
def test_every_page_by_cursor_is_the_page_offset_gives(
    tied: Archive, order: SortOrder, scope: dict[str, Any]
) -> None:
    for descending in (True, False):
        total = tied.count(**scope)
        pages = _pages_by_cursor(tied, 3, order=order, descending=descending, **scope)
        with tied.reading() as session:  # the list as plain OFFSET pages it, for reference
            offset_pages = [
                [r.id for r in _offset_page(tied, session, order, descending, 3, start, scope)]
                for start in range(0, total, 3)
            ]
        assert pages == offset_pages
        assert sum(map(len, pages)) == total > 0


@pytest.mark.parametrize("order", get_args(SortOrder))
def test_an_offset_is_found_from_the_front_or_from_the_end_alike(
    tied: Archive, order: SortOrder
) -> None:
    expected = _expected(tied, order, True)
    total = len(expected)
    for offset in (0, 1, 5, 18, 19, 30, 35, 36, 37, 50):
        window = expected[offset : offset + 4]
        for known_total in (None, total):
            page: ListPage = tied.list_page(order=order, offset=offset, limit=4, total=known_total)
            assert [r.id for r in page.rows] == window, (offset, known_total)


def _offset_page(
    archive: Archive, session: Any, order: SortOrder, descending: bool, limit: int,
    offset: int, scope: dict[str, Any],
) -> list[Any]:  # fmt: skip
    """A page read with LIMIT/OFFSET over the full list query (how the list paged before)."""
    from newsreader.core import archive as module

    key = module._sort_key(order)
    query = (
        module.select(module.Article.id, key)
        .outerjoin(module.Section, module.Article.section_id == module.Section.id)
        .outerjoin(module.Source, module.Article.source_id == module.Source.id)
        .order_by(*module._ordering(key, descending))
        .limit(limit)
        .offset(offset)
    )
    return list(session.execute(module._narrowed(query, **{"view": "all", "section": None,
        "source": None, "member": archive.member, **scope})))  # fmt: skip
