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


def test_rows_load_a_page_at_a_time_as_the_view_asks_for_more(
    qtbot: QtBot, archive: Archive, monkeypatch: Any
) -> None:
    monkeypatch.setattr(article_list, "PAGE_SIZE", 4)
    archive.save_many(make_article(f"S{n}", (f"t{n}",)) for n in range(10))
    executor = Executor()
    model = ArticleListModel(archive, executor)
    with qtbot.waitSignal(model.loaded):
        model.reload()
    assert model.total == 10 and model.rowCount() == 4
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()
    assert model.rowCount() == 8 and model.canFetchMore()
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
