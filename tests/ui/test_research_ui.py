"""The research workbench in the window: keys 1–9, the code picker, the concordance,
citations and the chart of counts over time."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.ui import charts, concordance, research
from newsreader.ui.codebook import CodePicker
from newsreader.ui.main_window import MainWindow
from tests.factories import make_article

TEXT = ("Interest rates rose again in March.", "Unions said interest rates hurt wages.")


def open_article(qtbot: QtBot, window: MainWindow, archive: Archive) -> int:
    article_id = archive.save(
        make_article("Rates rise", TEXT, byline="By Jane Doe", url="https://example.org/rates")
    ).article_id
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)
    return article_id


def test_keys_code_the_selection_with_the_nth_code_and_toggle_it_on_a_highlight(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.codebook.create("economy")  # the sixth code, after the five colours
    main_window.settings.setValue("research/coder", "ana")
    book = main_window.research.codebook
    book.reload()
    qtbot.waitUntil(lambda: len(book.codes) == 6)
    article_id = open_article(qtbot, main_window, archive)
    main_window.reader.body.setFocus()
    main_window.reader.select_span(0, 14)
    with qtbot.waitSignal(main_window.annotations_changed):
        qtbot.keyClick(main_window.reader.body, Qt.Key.Key_6)
    (made,) = archive.annotations.list(article_id)
    assert (made.exact, made.codes, made.coder) == ("Interest rates", ["economy"], "ana")
    main_window.reader.select_span(3, 3)  # the cursor inside the highlight
    with qtbot.waitSignal(main_window.annotations_changed):
        qtbot.keyClick(main_window.reader.body, Qt.Key.Key_2)
    assert archive.annotations.list(article_id)[0].codes == ["green", "economy"]
    qtbot.waitUntil(lambda: [c.count for c in book.codes] == [0, 1, 0, 0, 0, 1])
    assert book.panel.tree.topLevelItemCount() == 6


def test_the_code_picker_filters_as_one_types(qtbot: QtBot, archive: Archive) -> None:
    archive.codebook.create("economy")
    archive.codebook.create("elections")
    picker = CodePicker(archive.codebook.list())
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.filter, "ecti")
    chosen = picker.chosen()
    assert chosen is not None and chosen.name == "elections"
    assert sum(not picker.list.item(i).isHidden() for i in range(picker.list.count())) == 1


def test_the_concordance_opens_from_a_search_and_jumps_to_an_occurrence(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    main_window.search_field.setText('"interest rates"')
    dialog = concordance.open_concordance(main_window)
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.complete and dialog.model.rowCount() == 2)
    assert [line.match for line in dialog.model.lines] == ["Interest rates", "interest rates"]
    second = dialog.model.lines[1]
    with qtbot.waitSignal(main_window.article_shown):
        dialog.table.doubleClicked.emit(dialog.model.index(1, 1))
    assert main_window.reader.article.id == article_id
    qtbot.waitUntil(lambda: main_window.reader.selected_span() == (second.start, second.end))
    dialog.sort.setCurrentIndex(dialog.sort.findData("right"))
    assert dialog.model.lines[0].right.startswith("hurt")


def test_copy_citation_and_quote_put_them_on_the_clipboard(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    main_window.research.copy_citation_action.trigger()
    qtbot.waitUntil(lambda: "Rates rise" in clipboard.text())
    assert clipboard.text().startswith("Doe, J.")
    main_window.reader.select_span(0, 14)
    main_window.research.copy_quote_action.trigger()
    qtbot.waitUntil(lambda: clipboard.text().startswith("“Interest rates”"))
    assert clipboard.text().endswith(f"newsreader://article/{article_id}#char=0,14")


def test_the_chart_counts_the_articles_of_a_search(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    for n, month in enumerate((1, 1, 2)):
        archive.save(
            make_article(
                f"Vote {n}",
                (f"Vote number {n} was held.",),
                section="Politics",
                published=f"2024-0{month}-05",
            )
        )
    main_window.search_field.setText("vote")
    dialog = charts.open_chart(main_window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded == 1)
    assert [(c.period, c.count) for c in dialog.chart.counts] == [("2024-01", 2), ("2024-02", 1)]
    dialog.split.setCurrentIndex(dialog.split.findData("section"))
    qtbot.waitUntil(lambda: dialog.loaded == 2)
    assert dialog.chart.groups() == ["Politics"]
    assert not dialog.chart.grab().isNull()


def test_the_search_is_exported_in_the_chosen_format(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    open_article(qtbot, main_window, archive)
    archive.save(make_article("Weather", ("Rain all day.",)))
    out = tmp_path / "refs.ris"
    monkeypatch.setattr(research.ExportDialog, "ask", classmethod(lambda cls, parent: ("ris", out)))
    main_window.search_field.setText("rates")
    main_window.research.export_action.trigger()
    qtbot.waitUntil(out.exists)
    assert out.read_text().count("ER  - ") == 1 and "Rates rise" in out.read_text()


def test_the_agreement_dialog_shows_alpha_per_code(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = archive.save(make_article("Rates rise", TEXT)).article_id
    for coder in ("ana", "ben"):
        archive.annotations.create_from_quote(
            article_id, "Interest rates rose", coder=coder, codes=["blue"]
        )
    archive.annotations.create_from_quote(article_id, "hurt wages", coder="ana", codes=["blue"])
    dialog = research.open_agreement(main_window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.results is not None)
    cells = [[dialog.table.item(0, c).text() for c in range(4)]]  # type: ignore[union-attr]
    assert dialog.table.rowCount() == 1
    assert cells == [["blue", "2", "0.500", "0.000"]]  # 1 of 2 sentences agree
    assert "ana, ben" in dialog.summary.text()


def test_choosing_a_code_in_the_panel_filters_the_list_and_every_highlight(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    other = archive.save(make_article("Wages", ("Unions met the employers.",))).article_id
    archive.annotations.create(article_id, 0, 14, color="green")
    archive.annotations.create(other, 0, 6, color="blue")
    book = main_window.research.codebook
    book.reload()
    qtbot.waitUntil(lambda: len(book.codes) == 5)
    main_window.highlights.show_library()
    library = main_window.highlights.library
    qtbot.waitUntil(lambda: library.list.count() == 2)
    green = next(code for code in book.codes if code.name == "green")
    book.filter_by(green)
    qtbot.waitUntil(lambda: library.list.count() == 1)
    assert "Interest rates" in library.list.item(0).text()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)
    library.close()


def test_file_export_takes_the_view_the_list_shows(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    from newsreader.ui.article_list import Scope

    archive.save(make_article("Rates rise", TEXT, section="Business"))
    archive.save(make_article("Cup final", ("The final was won late.",), section="Sport"))
    main_window.articles_model.set_scope(Scope(section="sport"))
    assert research.view_query(main_window) == 'section:"sport"'
    out = tmp_path / "sport.jsonl"
    monkeypatch.setattr(research.ExportDialog, "ask", classmethod(lambda cls, *a: ("jsonl", out)))
    file_menu = main_window.menus["&File"]
    (export,) = [a for a in file_menu.actions() if a.objectName() == "researchExportAction"]
    export.trigger()
    qtbot.waitUntil(lambda: out.exists() and out.read_text().count("\n") == 1, timeout=10_000)
    assert "Cup final" in out.read_text()
    main_window.articles_model.set_scope(Scope(source="example.org"))
    with pytest.raises(ValueError, match="export works on"):
        research.view_query(main_window)
