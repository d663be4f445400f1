from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.core.related import RelatedArticles, RelatedEntry
from newsreader.ui.reader import RELATED_SHOWN, dedupe_related, snap_to_words
from tests.factories import PNG, make_article


def open_article(qtbot: QtBot, window: Any, archive: Archive, article: ExtractedArticle) -> int:
    article_id = archive.save(article).article_id
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)
    return article_id


def test_the_article_is_one_page_kicker_headline_facts_body_then_related(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article = make_article(
        "Talks resume", ("First paragraph.", "Second paragraph."), section="World",
        byline="Jo Reporter", url="https://news.example/talks",
        related=[("Earlier talks", "https://news.example/earlier")],
    )  # fmt: skip
    open_article(qtbot, main_window, archive, article)
    page = main_window.reader.body.toPlainText()
    order = ["World", "Talks resume", "Jo Reporter", "First paragraph.", "Earlier talks"]
    assert [page.index(part) for part in order] == sorted(page.index(part) for part in order)
    # one scroll area: no label above or below the document takes height of its own
    assert main_window.reader.findChildren(type(main_window.reader.body)) == [
        main_window.reader.body
    ]


def test_the_body_range_is_exactly_the_stored_text_across_rich_articles(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    rich = ExtractedArticle(
        title="Rich", section="Culture", byline="A. Writer",
        blocks=[
            Block("heading", "Background", level=2), Block("paragraph", "Intro text."),
            Block("list_item", "first point"), Block("list_item", "second point"),
            Block("image", src="pic.png", alt="A picture"), Block("quote", "A quotation."),
            Block("paragraph", "End."),
        ],
        images={"pic.png": PNG},
    )  # fmt: skip
    article_id = open_article(qtbot, main_window, archive, rich)
    stored = archive.get(article_id)
    assert stored is not None
    reader = main_window.reader
    assert reader.body.toPlainText()[reader.body_start : reader.body_end()] == stored.text
    assert reader.body_text() == stored.text


def test_a_selection_maps_to_text_offsets_and_snaps_to_whole_words(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    text = "Tony Blair and Gordon Brown met."
    open_article(qtbot, main_window, archive, make_article("Snap", (text,)))
    reader = main_window.reader
    reader.select_span(2, text.index("and") + 1)  # "ny Blair a"
    assert reader.selected_span() == (0, text.index("and") + 3)
    assert snap_to_words(text, 4, 6) == (5, 10)  # " B" -> "Blair"
    assert snap_to_words("  ", 0, 2) is None


def test_related_groups_list_each_article_once_and_five_until_show_all(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    links: list[tuple[str, str | None]] = [
        (f"Story {n}", f"https://news.example/{n}") for n in range(8)
    ]
    article_id = open_article(qtbot, main_window, archive, make_article("Hub", ("h",),
                                                                        related=links))  # fmt: skip
    reader = main_window.reader
    page = reader.body.toPlainText()
    assert "Story 4" in page and "Story 5" not in page and "Show all 8" in page
    reader.body.anchorClicked.emit(QUrl("newsreader://related?group=From+the+page"))
    page = reader.body.toPlainText()
    assert "Story 7" in page and "Show all" not in page
    assert reader.body_text() == "h"  # the body range is untouched by the related groups
    twice = RelatedEntry("Same story", None, article_id, "similar")
    groups = dedupe_related(RelatedArticles(duplicates=[twice], similar=[twice, twice]))
    assert [(h, [e.title for e in es]) for h, es in groups] == [
        ("Other versions of this story", ["Same story"])
    ]
    assert RELATED_SHOWN == 5


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "smb://server/share", "javascript:alert(1)", "ms-msdt:/id x"]
)
def test_only_web_addresses_ever_reach_the_system_browser(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda u: opened.append(u.toString()))
    odd = make_article("Odd", ("o",), url=url, related=[("Odd link", url)])
    open_article(qtbot, main_window, archive, odd)
    main_window.action("openOriginal").trigger()
    main_window.reader.body.anchorClicked.emit(QUrl(url))
    assert opened == []
    refused = main_window.findChildren(QMessageBox, "linkRefusedBox")
    assert refused and url.split(":")[0] in refused[0].text()
    for box in refused:
        box.close()
    main_window.reading.open_web_link("https://news.example/fine")
    assert opened == ["https://news.example/fine"]


def test_the_find_bar_finds_next_and_previous_and_escape_closes_it(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    text = "One fish, two fish, red fish."
    open_article(qtbot, main_window, archive, make_article("Counting", (text,)))
    reader, bar = main_window.reader, main_window.reader.find_bar
    main_window.action("find").trigger()
    assert bar.isVisible()
    qtbot.keyClicks(bar.field, "fish")
    offset = reader.body_start
    assert reader.body.textCursor().selectionStart() - offset == text.index("fish")
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert reader.body.textCursor().selectionStart() - offset == text.index("fish", 5)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert reader.body.textCursor().selectionStart() - offset == text.index("fish")
    bar.field.setText("whale")
    assert bar.status.text() == "Not found"
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_zoom_keys_grow_shrink_and_reset_the_text(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    open_article(qtbot, main_window, archive, make_article("Zoom", ("Some text.",)))
    size = main_window.reader.body.font().pointSize()
    main_window.reader.body.setFocus()
    for keys in ("Ctrl+=", "Ctrl++"):
        assert keys in [k.toString() for k in main_window.action("zoomIn").shortcuts()]
    main_window.action("zoomIn").trigger()
    main_window.action("zoomIn").trigger()
    assert main_window.reader.body.font().pointSize() == size + 2
    main_window.action("zoomOut").trigger()
    assert main_window.reader.body.font().pointSize() == size + 1
    main_window.action("zoomReset").trigger()
    assert main_window.reader.body.font().pointSize() == 12
    assert main_window.reader.body_text() == "Some text."


def test_an_undated_article_says_so_with_the_day_it_was_saved(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    open_article(qtbot, main_window, archive, make_article("No date", ("n",)))
    assert "Undated (saved " in main_window.reader.body.toPlainText()
