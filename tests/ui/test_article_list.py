from typing import Any

from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.ui import article_list
from newsreader.ui.article_list import ArticleListModel
from newsreader.ui.executor import Executor
from tests.factories import make_article


def test_the_article_list_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtmodeltester: Any, archive: Archive
) -> None:
    for n in range(5):
        archive.save(make_article(f"Story {n}", (f"text {n}",), section="World"))
    executor = Executor()
    model = ArticleListModel(archive, executor)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    qtmodeltester.check(model)
    executor.shutdown()


def test_every_row_exists_at_once_and_pages_load_as_they_are_shown(
    qtbot: QtBot, archive: Archive, monkeypatch: Any
) -> None:
    monkeypatch.setattr(article_list, "PAGE_SIZE", 4)
    monkeypatch.setattr(article_list, "MAX_PAGES", 2)
    archive.save_many(make_article(f"S{n:02d}", (f"t{n}",), published=f"2024-01-{n + 1:02d}")
                      for n in range(10))  # fmt: skip
    executor = Executor()
    model = ArticleListModel(archive, executor)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    assert model.rowCount() == 10 and model.loaded_rows == 4
    assert model.data(model.index(9, 0)) == article_list.LOADING  # not loaded: asked for
    qtbot.waitUntil(lambda: model.data(model.index(9, 0)) == "S00")
    assert model.data(model.index(5, 0)) == article_list.LOADING
    qtbot.waitUntil(lambda: model.data(model.index(5, 0)) == "S04")
    assert model.loaded_rows <= 2 * 4  # the least recently shown page was let go
    executor.shutdown()


def test_a_stale_page_never_lands_in_a_newer_list(qtbot: QtBot, archive: Archive) -> None:
    archive.save(make_article("World story", ("w",), section="World"))
    archive.save(make_article("Sport story", ("s",), section="Sport"))
    executor = Executor()
    model = ArticleListModel(archive, executor)
    model.set_section("World")
    with qtbot.waitSignal(model.loaded):
        model.set_section("Sport")
    qtbot.waitUntil(lambda: executor.in_flight == 0)
    titles = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert titles == ["Sport story"]
    executor.shutdown()


TITLE = "Harbour council approves the new sea wall after two winters of storms"


def test_at_900_by_600_a_row_shows_its_whole_title_then_source_section_and_date(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from newsreader.ui.article_list import META_ROLE, TITLE_LINES, wrap

    archive.save(make_article(TITLE, ("Text.",), section="Local", source="Port Gazette",
                              published="2026-11-20"))  # fmt: skip
    archive.save(make_article("No date given", ("Other.",), section="Local"))
    main_window.resize(900, 600)
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 2)
    view, model = main_window.article_list, main_window.articles_model
    rows = {model.data(model.index(r, 0)): model.index(r, 0) for r in range(2)}
    dated = rows[TITLE]
    assert model.data(dated, META_ROLE) == "Port Gazette · Local · 20 Nov 2026"
    assert model.data(rows["No date given"], META_ROLE).endswith(
        "undated, saved " + archive.list_articles()[0].saved_at.strftime("%d %b").lstrip("0")
    )
    width = view.visualRect(dated).width() - 16  # the delegate's side padding
    bold = QFont(view.font())
    bold.setBold(True)
    lines = wrap(TITLE, QFontMetrics(bold), width, TITLE_LINES)
    assert " ".join(lines) == TITLE, f"a {width}px row cuts the title: {lines}"
    line = QFontMetrics(view.font()).lineSpacing()
    assert view.visualRect(dated).height() >= (TITLE_LINES + 1) * line


def test_the_compact_mode_draws_one_line_a_row(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article(TITLE, ("Text.",)))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)
    view, model = main_window.article_list, main_window.articles_model
    two_lines = view.visualRect(model.index(0, 0)).height()
    main_window.action("compactList").trigger()
    assert view.visualRect(model.index(0, 0)).height() < two_lines * 0.75
    assert main_window.settings.value("list/compact") in (True, "true")


def test_the_toolbar_shows_every_button_down_to_900_by_600(qtbot: QtBot, main_window: Any) -> None:
    from PySide6.QtWidgets import QToolButton

    main_window.resize(900, 600)
    qtbot.waitUntil(lambda: main_window.width() <= 900)
    toolbar = main_window.toolbar
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is None or action.isSeparator():
            continue
        assert widget.isVisible(), action.objectName()
        assert toolbar.rect().contains(widget.geometry()), action.objectName()
        if action.objectName():
            assert action.toolTip() and widget.accessibleName(), action.objectName()
    star = toolbar.widgetForAction(main_window.action("star"))
    before = star.width()
    main_window.action("star").setText("Un&star")
    assert star.width() == before  # icons only: starring never moves the search box


def test_a_title_wraps_between_words_and_is_elided_only_on_its_last_line(qtbot: QtBot) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from newsreader.ui.article_list import wrap

    metrics = QFontMetrics(QFont())
    width = metrics.horizontalAdvance("Harbour council approves")
    lines = wrap(TITLE, metrics, width, 2)
    assert lines[0] == "Harbour council approves"
    assert lines[1].endswith("…") and len(lines) == 2
    assert wrap("Short", metrics, width, 2) == ["Short"]
    long_word = "x" * 200
    assert wrap(long_word, metrics, width, 2)[0].endswith("…")


def test_recently_saved_lists_by_saving_time_not_by_publication(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    from newsreader.ui.article_list import Scope

    archive.save(make_article("Saved first, published late", ("a",), published="2024-05-01"))
    archive.save(make_article("Saved last, published early", ("b",), published="1999-01-01"))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.sidebar.index_of(Scope(view="recent")) is not None)
    main_window.select_scope(Scope(view="recent"))
    model = main_window.articles_model
    qtbot.waitUntil(
        lambda: (
            [model.data(model.index(r, 0)) for r in range(model.rowCount())]
            == ["Saved last, published early", "Saved first, published late"]
        )
    )
