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
