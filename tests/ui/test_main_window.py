from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.testing import isolated_settings
from newsreader.ui.article_list import SNIPPET_ROLE, Scope
from newsreader.ui.dialogs import (
    FontChooser,
    ImportDialog,
    SaveSearchDialog,
    ShortcutsDialog,
    TagDialog,
)
from newsreader.ui.main_window import MainWindow
from tests.factories import PNG, SEED_FILE, make_article
from tests.ui.window_text import sidebar_texts, titles


def test_a_new_archive_opens_seeded_with_the_sample_and_the_guide(
    qtbot: QtBot, archive: Archive
) -> None:
    window = MainWindow(archive, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.articles_model.rowCount() == 4, timeout=10_000)
    assert any(t.startswith("US and Iraq to Start Discussions") for t in titles(window))
    assert "Welcome to Newsreader" in titles(window)
    qtbot.waitUntil(lambda: window.reader.article is not None)  # the newest opens, read
    expected = [
        "All articles (4)", "Unread (3)", "Starred (0)", "Annotated (0)", "Recently saved (4)",
        "Sections · 3 unread", "Guide (3)", "International (1)",
    ]  # fmt: skip
    qtbot.waitUntil(lambda: sidebar_texts(window) == expected, timeout=10_000)
    window.close()


def test_an_archive_is_seeded_once_and_never_again(archive: Archive) -> None:
    assert archive.imports.seed_if_new() is not None
    for article in archive.list_articles():
        archive.delete(article.id)
    assert archive.imports.seed_if_new() is None
    assert archive.count() == 0


def test_choosing_a_section_filters_the_list(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("World story", ("w",), section="World"))
    archive.save(make_article("Sport story", ("s",), section="Sport"))
    main_window.refresh()
    qtbot.waitUntil(lambda: "Sport (1)" in sidebar_texts(main_window))
    main_window.select_section("sport")
    qtbot.waitUntil(lambda: titles(main_window) == ["Sport story"])
    assert main_window.status.count_label.text() == "1 article"


def test_the_newest_article_opens_by_itself_and_is_marked_read(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    outcome = archive.save(
        make_article("Readable", ("Body text here.",), section="World", byline="Jo Reporter")
    )
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    assert main_window.reader.body_text() == "Body text here."
    page = main_window.reader.body.toPlainText()
    assert page.index("Readable") < page.index("Jo Reporter") < page.index("Body text here.")
    qtbot.waitUntil(lambda: main_window.executor.in_flight == 0)
    shown = archive.get(outcome.article_id)
    assert shown is not None and shown.is_read
    index = main_window.articles_model.index(0, 0)
    assert not main_window.articles_model.data(index, Qt.ItemDataRole.FontRole)


def test_selecting_another_row_shows_that_article(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Older", ("Older text.",), published="2020-01-01"))
    archive.save(make_article("Newer", ("Newer text.",), published="2024-01-01"))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    assert main_window.reader.body_text() == "Newer text."
    with qtbot.waitSignal(main_window.article_shown):
        main_window.select_row(1)
    assert main_window.reader.body_text() == "Older text."


def test_starring_from_the_window_is_saved(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    outcome = archive.save(make_article("Starred"))
    main_window.open_article(outcome.article_id)
    qtbot.waitUntil(lambda: main_window.reader.article is not None)
    main_window.action("star").trigger()
    qtbot.waitUntil(lambda: main_window.executor.in_flight == 0)
    starred = archive.get(outcome.article_id)
    assert starred is not None and starred.is_starred
    assert main_window.action("star").text() == "Un&star"


def test_a_related_article_in_the_archive_opens_in_the_app(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    target = archive.save(make_article("Target", ("t",), url="https://ex.com/t"))
    source = archive.save(make_article("Source", ("s",), related=[("Target", "https://ex.com/t")]))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(source.article_id)
    link = f"newsreader://article/{target.article_id}"
    assert f'href="{link}"' in main_window.reader.body.document().toHtml()
    with qtbot.waitSignal(main_window.article_shown) as shown:
        main_window.reader.body.anchorClicked.emit(QUrl(link))
    assert shown.args == [target.article_id]


def test_deleting_the_open_article_removes_it_from_the_list(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    outcome = archive.save(make_article("Doomed"))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(outcome.article_id)
    main_window.action("delete").trigger()
    qtbot.waitUntil(lambda: main_window.articles_model.total == 0)
    assert archive.get(outcome.article_id) is None


def test_importing_runs_in_the_background_and_refreshes_the_list(
    qtbot: QtBot, main_window: Any
) -> None:
    with qtbot.waitSignal(main_window.import_finished, timeout=20_000) as finished:
        main_window.import_paths([SEED_FILE])
    assert finished.args[0].counts()["saved"] == 1
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)
    assert "1 saved" in main_window.statusBar().currentMessage()


def test_an_import_can_be_cancelled_and_reports_what_it_skipped(
    qtbot: QtBot, main_window: Any, tmp_path: Path
) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    folder = tmp_path / "dumps"
    folder.mkdir()
    for n in range(200):
        (folder / f"dump{n:03d}.txt").write_text(seed.replace("US and Iraq", f"Talks {n}:"))
    with qtbot.waitSignal(main_window.import_finished, timeout=30_000) as finished:
        main_window.import_paths([folder])
        assert main_window.status.cancel_import_button.isVisibleTo(main_window)
        main_window.status.cancel_import_button.click()
    counts = finished.args[0].counts()
    assert counts["total"] == 200
    assert counts["skipped"] > 0
    assert counts["saved"] + counts["duplicate"] + counts["skipped"] == 200
    assert not main_window.status.cancel_import_button.isVisibleTo(main_window)


def test_the_reader_shows_exactly_the_stored_text_across_rich_articles(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    rich = ExtractedArticle(
        title="Rich",
        blocks=[
            Block("heading", "Background", level=2), Block("paragraph", "Intro text."),
            Block("list_item", "first point"), Block("list_item", "second point"),
            Block("image", src="pic.png", alt="A picture"), Block("quote", "A quotation."),
            Block("image", src="https://example.com/remote.png"), Block("paragraph", "End."),
        ],
        images={"pic.png": PNG},
    )  # fmt: skip
    plain = make_article("Plain", ("Only a paragraph.",))
    ids = [
        archive.save(rich).article_id,
        archive.save(plain).article_id,
        archive.save(rich).article_id,
    ]
    for article_id in ids:
        with qtbot.waitSignal(main_window.article_shown):
            main_window.open_article(article_id)
        stored = archive.get(article_id)
        assert stored is not None
        assert main_window.reader.body_text() == stored.text


def test_typing_a_query_lists_the_results_with_snippets_and_counts_by_section(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour talks", ("Boats in the harbour.",), section="World"))
    archive.save(make_article("Market day", ("Fish sold at the harbour.",), section="Business"))
    archive.save(make_article("Unrelated", ("Nothing here.",), section="Business"))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 3)
    qtbot.keyClick(main_window.article_list, Qt.Key.Key_Slash)
    assert main_window.search_field.hasFocus()
    with qtbot.waitSignal(main_window.articles_model.search_finished, timeout=5000):
        qtbot.keyClicks(main_window.search_field, "harbour")
    model = main_window.articles_model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    assert model.data(model.index(0, 0), SNIPPET_ROLE).count("<mark>harbour</mark>") == 1
    assert sidebar_texts(main_window) == ["All results (2)", "Business (1)", "World (1)"]


def test_a_search_hit_is_highlighted_in_the_reader_with_next_and_previous(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    text = "The harbour is busy. Boats leave the harbour at dawn and the harbours fill."
    archive.save(make_article("Harbour", (text,)))
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.article_shown, timeout=5000):
        main_window.run_search()
    reader = main_window.reader
    starts = [span.start for span in reader.hits]
    assert starts == [text.index("harbour"), text.index("harbour", 10), text.index("harbours")]
    assert len(reader.body.extraSelections()) == 3
    assert reader.body.textCursor().selectedText() == "harbour"
    main_window.action("nextHit").trigger()
    assert reader.body.textCursor().selectionStart() - reader.body_start == starts[1]
    main_window.action("previousHit").trigger()
    main_window.action("previousHit").trigger()
    assert reader.body.textCursor().selectionStart() - reader.body_start == starts[2]


def test_a_search_can_be_saved_and_run_again_from_the_sidebar(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    archive.save(make_article("Other", ("Nothing.",)))
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        main_window.run_search()
    monkeypatch.setattr(SaveSearchDialog, "ask", classmethod(lambda cls, parent, q: "Boats"))
    main_window.action("saveSearch").trigger()
    qtbot.waitUntil(lambda: [s.name for s in archive.saved_searches()] == ["Boats"])
    main_window.search_field.clear()
    main_window.run_search()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 2)
    qtbot.waitUntil(lambda: "Boats" in sidebar_texts(main_window))
    item = next(i for i in main_window.sidebar.items() if i.text() == "Boats")
    main_window.sidebar.setCurrentIndex(item.index())
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)
    assert main_window.search_field.text() == "harbour"


def test_the_status_bar_says_how_many_a_search_found_and_how_many_are_listed(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    for n in range(3):  # the more harbours, the higher: an order that later saves keep
        harbours = " ".join(["harbour"] * (n + 1)) + " boats" * (3 - n)
        archive.save(make_article(f"Day {n}", (f"Day {n}: {harbours}.",)))
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        main_window.run_search()
    assert main_window.status.count_label.text() == "3 results"
    monkeypatch.setattr("newsreader.ui.article_list.MAX_RESULTS_WINDOW", 2)  # how deep a
    monkeypatch.setattr("newsreader.ui.article_list.PAGE_SIZE", 2)  # list pages, in small
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        main_window.run_search()
    assert main_window.status.count_label.text() == "3 results · the first 2 listed"
    long_text = "A harbour, far down a story about the weather. " + "Rain fell all day. " * 40
    archive.save(make_article("Weather", (long_text,)))  # ranks last: the same two listed
    main_window.refresh()
    qtbot.waitUntil(
        lambda: main_window.status.count_label.text() == "4 results · the first 2 listed"
    )


def test_the_newest_search_wins_over_a_slower_older_one(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    archive.save(make_article("Market", ("Fish at the market.",)))
    main_window.search_field.setText("harbour")
    main_window.run_search()
    main_window.search_field.setText("market")
    with qtbot.waitSignal(main_window.articles_model.search_finished) as finished:
        main_window.run_search()
    qtbot.waitUntil(lambda: main_window.executor.in_flight == 0)
    assert finished.args[0].query == "market"
    model = main_window.articles_model
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["Market"]


def test_smart_views_and_sources_filter_the_list(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    read = archive.save(make_article("Read one", ("r",), url="https://a.example/1"))
    starred = archive.save(make_article("Starred one", ("s",), url="https://b.example/2"))
    archive.save(make_article("Plain one", ("p",), url="https://b.example/3"))
    archive.mark_read(read.article_id)
    archive.star(starred.article_id)
    with qtbot.waitSignal(main_window.article_shown):  # the newest opens, and is read
        main_window.refresh()
    qtbot.waitUntil(lambda: any(t.startswith("Sources") for t in sidebar_texts(main_window)))
    qtbot.waitUntil(lambda: main_window.executor.in_flight == 0)
    assert "b.example (2)" in sidebar_texts(main_window)
    main_window.select_scope(Scope(view="starred"))
    qtbot.waitUntil(lambda: titles(main_window) == ["Starred one"])
    main_window.select_scope(Scope(view="unread"))
    unread = sorted(a.title for a in archive.list_articles(view="unread"))
    assert "Read one" not in unread
    qtbot.waitUntil(lambda: sorted(titles(main_window)) == unread)
    main_window.select_scope(Scope(source="a.example"))
    qtbot.waitUntil(lambda: titles(main_window) == ["Read one"])


def test_j_and_k_move_through_the_list(qtbot: QtBot, archive: Archive, main_window: Any) -> None:
    for n in range(3):
        archive.save(make_article(f"Story {n}", (f"Text {n}.",), published=f"2024-01-0{n + 1}"))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    assert main_window.reader.body_text() == "Text 2."
    with qtbot.waitSignal(main_window.article_shown):
        qtbot.keyClick(main_window.article_list, Qt.Key.Key_J)
    assert main_window.reader.body_text() == "Text 1."
    with qtbot.waitSignal(main_window.article_shown):
        qtbot.keyClick(main_window.article_list, Qt.Key.Key_K)
    assert main_window.reader.body_text() == "Text 2."


def test_back_and_forward_follow_the_articles_read(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    first = archive.save(make_article("First", ("One.",))).article_id
    second = archive.save(make_article("Second", ("Two.",))).article_id
    for article_id in (first, second):
        with qtbot.waitSignal(main_window.article_shown):
            main_window.open_article(article_id)
    with qtbot.waitSignal(main_window.article_shown):
        main_window.action("back").trigger()
    assert main_window.reader.article.id == first
    with qtbot.waitSignal(main_window.article_shown):
        main_window.action("forward").trigger()
    assert main_window.reader.article.id == second


def test_zooming_keeps_the_text_and_the_highlights(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = archive.save(make_article("Zoom", ("Some text to read.",))).article_id
    archive.annotations.create(article_id, 5, 9)
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(article_id)
    size = main_window.reader.body.font().pointSize()
    main_window.action("zoomIn").trigger()
    assert main_window.reader.body.font().pointSize() == size + 1
    assert main_window.reader.body_text() == "Some text to read."
    assert len(main_window.reader.body.extraSelections()) == 1


def test_the_theme_changes_the_palette_and_is_remembered(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    main_window.set_theme("dark")
    assert QApplication.palette().color(QPalette.ColorRole.Base).name() == "#1f1f1f"
    assert main_window.settings.value("look/theme") == "dark"
    main_window.set_theme("sepia")
    assert QApplication.palette().color(QPalette.ColorRole.Base).name() == "#f7f0e0"
    main_window.set_theme("light")


def test_the_last_article_opens_again_in_the_next_session(
    qtbot: QtBot, archive: Archive, tmp_path: Path
) -> None:
    article_id = archive.save(make_article("Keep reading", ("Where I was.",))).article_id
    older = archive.save(make_article("Newer in the list", ("Other.",))).article_id
    settings = isolated_settings(tmp_path)
    window = MainWindow(archive, seed=False, settings=settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)
    qtbot.waitUntil(lambda: window.executor.in_flight == 0)
    window.close()
    again = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.reader.article is not None)
    assert again.reader.article is not None
    assert again.reader.article.id == article_id != older
    again.close()


def test_the_shortcuts_dialog_lists_the_keys_grouped_by_area(
    qtbot: QtBot, main_window: Any
) -> None:
    main_window.action("shortcuts").trigger()
    dialog = main_window.findChild(ShortcutsDialog, "shortcutsDialog")
    assert dialog is not None
    groups = dialog.groups()
    assert ("Next article", "J") in groups["View"]
    assert ("Find in article", "Ctrl+F") in groups["View"]
    assert ("Highlight", "H") in groups["Highlights"]
    assert ("Larger text", "Ctrl+=, Ctrl++") in groups["View"]
    dialog.close()


def test_the_command_renders_a_screenshot_of_an_open_article(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from newsreader.__main__ import run

    with Archive(tmp_path / "a.sqlite3") as archive:
        archive.save(make_article("Pictured", ("Shown in the screenshot.",)))
    out = tmp_path / "shots" / "dark.png"
    assert run(["--archive", str(tmp_path / "a.sqlite3"), "--open", "1", "--screenshot",
                 str(out), "--theme", "dark"]) == 0  # fmt: skip
    image = QImage(str(out))
    assert image.width() >= 1200 and image.height() >= 700
    assert image.pixelColor(5, image.height() // 2).lightness() < 80  # a dark window
    assert sorted(p.name for p in out.parent.iterdir()) == ["dark.png"]


def test_a_folder_chosen_in_the_import_dialog_is_imported_with_a_report(
    qtbot: QtBot, main_window: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    folder = tmp_path / "to-import"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "broken.html").write_bytes(b"\x00\x01\x02" * 50)
    monkeypatch.setattr(ImportDialog, "ask_folder", classmethod(lambda cls, parent: folder))
    with qtbot.waitSignal(main_window.import_finished, timeout=20_000) as finished:
        main_window.action("importFolder").trigger()
    counts = finished.args[0].counts()
    assert (counts["saved"], counts["failed"]) == (1, 1)
    report = main_window.findChild(QMessageBox, "importReport")
    assert report is not None and "broken.html" in report.detailedText()
    report.close()
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)


def test_tags_are_given_listed_in_the_sidebar_and_searchable(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    tagged = archive.save(make_article("Tagged", ("Some text.",))).article_id
    archive.save(make_article("Untagged", ("Other text.",)))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(tagged)
    monkeypatch.setattr(
        TagDialog, "ask", classmethod(lambda cls, parent, current: ["to read", "iraq"])
    )
    with qtbot.waitSignal(main_window.tags_changed):
        main_window.action("tag").trigger()
    assert archive.article_tags(tagged) == ["iraq", "to read"]
    qtbot.waitUntil(lambda: "to read (1)" in sidebar_texts(main_window))
    main_window.select_scope(Scope(tag="to read"))
    qtbot.waitUntil(lambda: titles(main_window) == ["Tagged"])
    assert [h.title for h in archive.search.find('tag:"to read"').hits] == ["Tagged"]


def test_a_deleted_article_comes_back_with_undo_with_its_highlights_and_flags(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = archive.save(make_article("Doomed but loved", ("Words to keep.",),
                                           url="https://ex.com/d")).article_id  # fmt: skip
    archive.annotations.create(article_id, 0, 5, note="mine")
    archive.star(article_id)
    archive.set_tags(article_id, ["keep"])
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(article_id)
    with qtbot.waitSignal(main_window.article_deleted):
        main_window.action("delete").trigger()
    assert archive.count() == 0
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.action("undo").trigger()
    (restored,) = archive.list_articles()
    article = archive.get(restored.id)
    assert article is not None and article.text == "Words to keep." and article.is_starred
    assert article.url == "https://ex.com/d"
    assert archive.article_tags(restored.id) == ["keep"]
    assert [(a.exact, a.note) for a in archive.annotations.list(restored.id)] == [("Words", "mine")]


def test_enter_in_the_list_moves_to_the_article_and_enter_in_search_still_searches(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    main_window.article_list.setFocus()
    qtbot.keyClick(main_window.article_list, Qt.Key.Key_Return)
    assert main_window.reader.body.hasFocus()
    main_window.search_field.setFocus()
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        qtbot.keyClick(main_window.search_field, Qt.Key.Key_Return)


def test_the_reader_font_is_chosen_and_remembered(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    from PySide6.QtGui import QFont

    archive.save(make_article("Fonts", ("Text in another face.",)))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    monkeypatch.setattr(FontChooser, "ask", classmethod(lambda cls, p, f: QFont("Serif", 15)))
    main_window.action("readerFont").trigger()
    assert main_window.reader.body.font().pointSize() == 15
    assert main_window.settings.value("reader/font_family") == "Serif"
    assert main_window.reader.body_text() == "Text in another face."


def test_stars_and_read_marks_persist_after_reopening_the_archive(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        article_id = archive.save(make_article("Keeper", ("Kept.",))).article_id
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.article_shown):
            window.open_article(article_id)
        window.action("star").trigger()
        qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        window.close()
    with Archive(tmp_path / "a.sqlite3") as archive:
        again = archive.get(article_id)
        assert again is not None and again.is_starred and again.is_read


def test_the_sidebar_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtmodeltester: Any, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("One", ("o",), section="World"))
    main_window.refresh()
    qtbot.waitUntil(lambda: any(t.startswith("Sections") for t in sidebar_texts(main_window)))
    qtmodeltester.check(main_window.sections_model)


def test_closing_the_window_leaves_no_worker_threads(qtbot: QtBot, archive: Archive) -> None:
    import threading

    window = MainWindow(archive, seed=False, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.refresh()
    window.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("nr-")]


def test_escape_clears_the_search_and_returns_to_the_view_before_it(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",), section="World"))
    archive.save(make_article("Market", ("Fish at the market.",), section="Business"))
    main_window.refresh()
    qtbot.waitUntil(lambda: "Business (1)" in sidebar_texts(main_window))
    main_window.select_section("business")
    qtbot.waitUntil(lambda: titles(main_window) == ["Market"])
    main_window.focus_search()
    qtbot.keyClicks(main_window.search_field, "harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        main_window.run_search()
    assert titles(main_window) == ["Harbour"]
    qtbot.keyClick(main_window.search_field, Qt.Key.Key_Escape)
    assert main_window.search_field.text() == ""
    qtbot.waitUntil(lambda: titles(main_window) == ["Market"])
    assert main_window.articles_model.scope == Scope(section="business")
    qtbot.waitUntil(lambda: "Business (1)" in sidebar_texts(main_window))
    current = main_window.sidebar.currentIndex().data()
    assert current == "Business (1)"


def test_a_search_that_finds_nothing_says_so_in_place_of_the_list(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Parliament", ("The parliament met.",)))
    main_window.search_field.setText("parliment")
    with qtbot.waitSignal(main_window.articles_model.search_finished):
        main_window.run_search()
    empty = main_window.list_pane.empty
    qtbot.waitUntil(empty.isVisible)
    assert "No articles match “parliment”" in empty.text()
    assert "Escape" in empty.text()
    assert not main_window.article_list.isVisible()
    main_window.clear_search()
    qtbot.waitUntil(lambda: main_window.article_list.isVisible())
    assert not empty.isVisible()


def test_the_last_article_is_remembered_per_archive(qtbot: QtBot, tmp_path: Path) -> None:
    settings_folder = tmp_path / "settings"
    settings_folder.mkdir()
    opened = {}
    for name, title in (("one", "In the first archive"), ("two", "In the second archive")):
        with Archive(tmp_path / name / "archive.sqlite3") as archive:
            archive.save(make_article("Filler", (f"Filler of {name}.",)))
            article_id = archive.save(make_article(title, (f"Text of {name}.",))).article_id
            window = MainWindow(archive, seed=False, settings=isolated_settings(settings_folder))
            qtbot.addWidget(window)
            with qtbot.waitSignal(window.article_shown):
                window.open_article(article_id)
            qtbot.waitUntil(lambda: window.executor.in_flight == 0)  # noqa: B023
            window.close()
            opened[name] = article_id
    for name, title in (("one", "In the first archive"), ("two", "In the second archive")):
        with Archive(tmp_path / name / "archive.sqlite3") as archive:
            window = MainWindow(archive, seed=False, settings=isolated_settings(settings_folder))
            qtbot.addWidget(window)
            qtbot.waitUntil(lambda: window.reader.article is not None)  # noqa: B023
            assert window.reader.article is not None
            assert window.reader.article.title == title
            assert "no longer in the archive" not in window.reader.body.toPlainText()
            qtbot.waitUntil(lambda: window.executor.in_flight == 0)  # noqa: B023
            window.close()


def test_the_font_chooser_lists_families_and_sizes_with_a_live_preview(qtbot: QtBot) -> None:
    from PySide6.QtGui import QFont

    chooser = FontChooser(None, QFont("Serif", 12))
    qtbot.addWidget(chooser)
    assert chooser.family.count() > 0
    chooser.points.setValue(18)
    assert chooser.preview.font().pointSize() == 18
    chooser.family.setCurrentIndex(chooser.family.count() - 1)
    assert chooser.preview.font().family() == chooser.family.currentFont().family()
    assert chooser.chosen().pointSize() == 18


def test_a_deletion_undone_can_be_redone(qtbot: QtBot, archive: Archive, main_window: Any) -> None:
    article_id = archive.save(make_article("Back and forth", ("Text.",))).article_id
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(article_id)
    with qtbot.waitSignal(main_window.article_deleted):
        main_window.action("delete").trigger()
    assert main_window.action("undo").isEnabled()
    assert "Back and forth" in main_window.action("undo").text()
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.action("undo").trigger()
    assert archive.count() == 1 and main_window.action("redo").isEnabled()
    main_window.action("redo").trigger()
    qtbot.waitUntil(lambda: archive.count() == 0)


def test_a_search_answered_while_the_archive_changes_still_marks_the_open_article(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    with qtbot.waitSignal(main_window.article_shown):
        main_window.refresh()
    main_window.search_field.setText("harbour")
    with qtbot.waitSignal(main_window.articles_model.search_finished, timeout=5000):
        main_window.run_search()
        main_window.refresh()  # a change from elsewhere arrives before the answer
    qtbot.waitUntil(lambda: len(main_window.reader.hits) == 1)
    assert sidebar_texts(main_window)[0] == "All results (1)"


def test_quit_is_the_last_command_of_the_file_menu(main_window: Any) -> None:
    names = [a.text() for a in main_window.menus["&File"].actions() if a.text()]
    assert names[-1] == "&Quit"
    assert {"Open &team archive…", "&Export…"} <= set(names)


def test_after_its_first_page_the_window_readies_the_archive_for_search_once(
    qtbot: QtBot, archive: Archive, monkeypatch: Any
) -> None:
    from newsreader.core.search.service import Search

    readied: list[Archive] = []
    really_warm = Search.warm

    def warm_and_note(service: Search) -> None:
        really_warm(service)
        readied.append(service.archive)

    monkeypatch.setattr(Search, "warm", warm_and_note)
    archive.save(make_article("Harbour", ("Boats in the harbour.",)))
    window = MainWindow(archive, seed=False, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.articles_model.rowCount() == 1)
    qtbot.waitUntil(lambda: window.executor.in_flight == 0)
    window.refresh()
    qtbot.waitUntil(lambda: window.executor.in_flight == 0)
    assert readied == [archive]
    window.close()


def test_opening_articles_is_not_taken_for_another_programs_change(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from newsreader.ui.operations import Changes

    with Archive(tmp_path / "archive.sqlite3") as archive:
        ids = [archive.save(make_article(t, (f"Text of {t}.",))).article_id for t in "AB"]
        for article_id in ids:
            archive.mark_read(article_id)  # nothing to mark: opening only notes where we are
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        for article_id in ids:  # a first opening computes and keeps the similar articles
            with qtbot.waitSignal(window.article_shown):
                window.open_article(article_id)
            qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        qtbot.wait(1500)  # the watch has seen all that
        redrawn: list[Changes] = []
        window.watch.changed_elsewhere.connect(redrawn.append)
        for article_id in (*ids, ids[0]):
            with qtbot.waitSignal(window.article_shown):
                window.open_article(article_id)
            qtbot.wait(1200)  # longer than the watch's interval
        assert redrawn == []  # no redraw of everything after each article opened
        assert archive.last_open() == ids[0]
        window.close()
