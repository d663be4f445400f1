"""Every theme passes WCAG AA, measured on the colours the window actually draws with."""

from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from newsreader.core.annotations import COLORS
from newsreader.core.archive import Archive
from newsreader.ui.themes import AA_CONTRAST, contrast, others_fill
from tests.factories import make_article

WORDS = ("alpha", "bravo", "charlie", "delta", "echo")
TEXT = " ".join(WORDS) + " harbour foxtrot."


def link_colours(window: Any) -> dict[str, QColor]:
    """The colour of each link in the reader's document, by address."""
    found = {}
    block = window.reader.body.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fmt: QTextCharFormat = iterator.fragment().charFormat()
            if fmt.isAnchor():
                found[fmt.anchorHref()] = fmt.foreground().color()
            iterator += 1
        block = block.next()
    return found


@pytest.mark.parametrize("theme", ["light", "dark", "sepia"])
def test_text_links_highlights_and_search_marks_pass_wcag_aa(
    qtbot: QtBot, archive: Archive, main_window: Any, theme: str
) -> None:
    target = archive.save(make_article("Visited one", ("v",), url="https://ex.com/v"))
    article_id = archive.save(make_article(
        "Colours", (TEXT,), url="https://ex.com/c",
        related=[("Visited one", "https://ex.com/v"), ("Elsewhere", "https://other.example/x")],
    )).article_id  # fmt: skip
    for color, word in zip(COLORS, WORDS, strict=True):
        start = TEXT.index(word)
        archive.annotations.create(article_id, start, start + len(word), color=color)
    main_window.set_theme(theme)
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.run_search()
        main_window.open_article(article_id)
    qtbot.waitUntil(lambda: len(main_window.reader.hits) == 1)
    reader = main_window.reader
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    text = QApplication.palette().color(QPalette.ColorRole.Text)
    ratios = {"body text": contrast(text, base)}
    ratios["muted text"] = contrast(QColor(reader.colors.muted), base)
    link = f"newsreader://article/{target.article_id}"
    reader.visited.add(link)  # as after clicking it
    reader.show_related(reader.related)
    links = link_colours(main_window)
    ratios["link"] = contrast(links["https://other.example/x"], base)
    ratios["visited link"] = contrast(links[link], base)
    assert links[link] != links["https://other.example/x"]
    marks = reader.body.extraSelections()
    assert len(marks) == len(COLORS) + 1
    fills = set()
    for mark in marks:
        fill, ink = mark.format.background().color(), mark.format.foreground().color()
        fills.add(fill.name())
        word = mark.cursor.selectedText()
        ratios[f"text inside the mark on “{word}”"] = contrast(ink, fill)
    assert len(fills) == len(COLORS) + 1  # the search mark looks like no highlight
    failing = {what: round(ratio, 2) for what, ratio in ratios.items() if ratio < AA_CONTRAST}
    assert not failing, f"{theme}: below {AA_CONTRAST}:1: {failing}"
    main_window.set_theme("light")


def test_search_marks_have_their_own_underline_and_go_when_the_search_ends(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.run_search()
    qtbot.waitUntil(lambda: bool(main_window.reader.body.extraSelections()))
    (mark,) = main_window.reader.body.extraSelections()
    assert mark.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    main_window.search_field.clear()
    main_window.run_search()
    assert main_window.reader.body.extraSelections() == []
    assert main_window.reader.hits == []


@pytest.mark.parametrize("theme", ["light", "dark", "sepia"])
def test_another_members_highlights_are_lighter_and_still_pass_wcag_aa(
    qtbot: QtBot, archive: Archive, main_window: Any, theme: str
) -> None:
    article_id = archive.save(make_article("Colours", (TEXT,))).article_id
    for color, word in zip(COLORS, WORDS, strict=True):
        start = TEXT.index(word)
        archive.annotations.create(article_id, start, start + len(word), color=color)
    with Archive(archive.path) as elsewhere:
        elsewhere.set_member_name("maria")
        start = TEXT.index("harbour")
        elsewhere.annotations.create(article_id, start, start + 7, color="yellow", note="hers")
    main_window.set_theme(theme)
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.open_article(article_id)
    qtbot.waitUntil(lambda: len(main_window.reader.body.extraSelections()) == len(COLORS) + 1)
    fills = {m.cursor.selectedText(): m.format.background().color().name()
             for m in main_window.reader.body.extraSelections()}  # fmt: skip
    look = main_window.reader.colors
    assert fills["alpha"] == look.marks["yellow"]  # mine
    assert fills["harbour"] == others_fill(look, "yellow") != fills["alpha"]  # hers, lighter
    for color in COLORS:
        ratio = contrast(QColor(look.mark_text), QColor(others_fill(look, color)))
        assert ratio >= AA_CONTRAST, f"{theme} {color}: {ratio:.2f}"
    panel = [main_window.annotations_panel.list.item(i).text()
             for i in range(main_window.annotations_panel.list.count())]  # fmt: skip
    assert [line for line in panel if "maria" in line] == ["“harbour”\nhers\n— maria"]
    main_window.set_theme("light")
