from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.ui.dialogs import SaveFileDialog
from newsreader.ui.main_window import MainWindow
from tests.factories import make_article

TEXT = "Tony Blair and Gordon Brown met in London on Tuesday to talk about the budget."
LONG = tuple(f"Paragraph {n} says something about the harbour and its boats." for n in range(80))


def open_article(qtbot: QtBot, window: MainWindow, archive: Archive, paragraphs: Any) -> int:
    article_id = archive.save(make_article("Talks", paragraphs)).article_id
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)
    return article_id


def test_a_highlight_snaps_to_whole_words_and_the_selection_clears_so_its_colour_shows(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    article_id = open_article(qtbot, main_window, archive, (TEXT,))
    reader = main_window.reader
    reader.select_span(TEXT.index("ony"), TEXT.index("and") + 1)  # "ony Blair a"
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("highlight").trigger()
    (made,) = archive.annotations.list(article_id)
    assert made.exact == "Tony Blair and"
    assert not reader.body.textCursor().hasSelection()
    (mark,) = reader.body.extraSelections()
    assert mark.cursor.selectedText() == "Tony Blair and"


def test_clicking_a_highlight_in_the_panel_centres_it_and_flashes_it(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    article_id = open_article(qtbot, main_window, archive, LONG)
    text = "\n".join(LONG)
    start = text.index("Paragraph 60")
    archive.annotations.create(article_id, start, start + len("Paragraph 60"))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(article_id)
    panel = main_window.annotations_panel
    assert panel.isVisible() and panel.list.count() == 1
    reader = main_window.reader
    reader.body.verticalScrollBar().setValue(0)
    panel.list.itemClicked.emit(panel.list.item(0))
    assert reader.flashing == (start, start + len("Paragraph 60"))
    assert not reader.body.textCursor().hasSelection()  # drawn in its colour, not selected
    viewport = reader.body.viewport().rect()
    mark = reader.body.cursorRect(reader.body.textCursor())
    assert abs(mark.center().y() - viewport.center().y()) < viewport.height() // 4
    qtbot.waitUntil(lambda: reader.flashing is None, timeout=3000)


def test_the_all_highlights_window_stays_beside_the_main_window_not_over_it(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    article_id = open_article(qtbot, main_window, archive, (TEXT,))
    archive.annotations.create(article_id, 0, 4)
    main_window.action("libraryAnnotations").trigger()
    library = main_window.highlights.library
    assert library is not None and library.isVisible()
    assert library.parent() is None and library.isWindow() and not library.isModal()
    qtbot.waitUntil(lambda: library.list.count() == 1)
    main_window.close()
    assert not library.isVisible()


@pytest.mark.parametrize(
    ("where", "fmt", "expected"),
    [
        ("menu", "Markdown", "> Tony"),
        ("menu", "Jsonld", '"TextQuoteSelector"'),
        ("menu", "Csv", "article_id,article_title"),
        ("library", "md", "> Tony"),
        ("library", "jsonld", '"TextQuoteSelector"'),
        ("library", "csv", "article_id,article_title"),
    ],
)
def test_highlights_export_from_the_menu_and_from_the_all_highlights_window(
    qtbot: QtBot, archive: Archive, main_window: MainWindow, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, where: str, fmt: str, expected: str,
) -> None:  # fmt: skip
    article_id = open_article(qtbot, main_window, archive, (TEXT,))
    archive.annotations.create(article_id, 0, 4, note="who")
    out = tmp_path / "export.out"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *args: out))
    if where == "menu":
        main_window.action(f"export{fmt}").trigger()
    else:
        main_window.action("libraryAnnotations").trigger()
        library = main_window.highlights.library
        assert library is not None
        from PySide6.QtWidgets import QPushButton

        button = library.findChild(QPushButton, f"export{fmt.capitalize()}Button")
        assert button is not None
        button.click()
    qtbot.waitUntil(out.exists)
    qtbot.waitUntil(lambda: expected in out.read_text(encoding="utf-8"))
    qtbot.waitUntil(lambda: "exported" in main_window.statusBar().currentMessage())


def test_the_reader_context_menu_offers_copy_and_the_highlight_commands(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    from PySide6.QtCore import QPoint

    open_article(qtbot, main_window, archive, (TEXT,))
    menu = main_window.reading.menu(QPoint(10, 10))
    shown = [action.text().replace("&", "") for action in menu.actions()]
    assert any(text.startswith("Copy") for text in shown)
    assert {"Highlight", "Highlight green", "Note…", "Find in article"} <= set(shown)
    menu.deleteLater()
