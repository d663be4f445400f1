from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.testing import isolated_settings
from newsreader.ui.annotations import NoteConflictDialog, NoteDialog
from newsreader.ui.main_window import MainWindow
from tests.factories import make_article

TEXT = ("Talks on the military alliance will start soon.", "Officials said it would stay.")


def open_article(qtbot: QtBot, window: MainWindow, archive: Archive) -> int:
    article_id = archive.save(make_article("Iraq talks", TEXT)).article_id
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)
    return article_id


def drawn(window: MainWindow) -> list[tuple[int, int, str]]:
    """The marks in the reader as (start, end) text offsets and their fill's colour name."""
    offset = window.reader.body_start
    return [
        (s.cursor.selectionStart() - offset, s.cursor.selectionEnd() - offset,
         s.format.background().color().name())
        for s in window.reader.body.extraSelections()
    ]  # fmt: skip


def fill(window: MainWindow, color: str) -> str:
    return window.reader.colors.marks[color]


def test_a_selection_becomes_a_highlight_drawn_at_its_offsets(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    start = "\n".join(TEXT).index("military alliance")
    main_window.reader.select_span(start, start + len("military alliance"))
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("highlightBlue").trigger()  # blue
    (made,) = archive.annotations.list(article_id)
    assert (made.start, made.end, made.exact, made.color) == (
        start, start + 17, "military alliance", "blue",
    )  # fmt: skip
    assert drawn(main_window) == [(start, start + 17, fill(main_window, "blue"))]
    assert main_window.annotations_panel.list.count() == 1


def test_a_note_is_written_and_edited_through_the_note_dialog(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    answers = iter([("First thought", ["idea"]), ("Second thought", ["idea", "later"])])
    monkeypatch.setattr(NoteDialog, "ask", classmethod(lambda cls, *a, **k: next(answers)))
    main_window.reader.select_span(0, 5)
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("note").trigger()
    assert [(a.note, a.tags) for a in archive.annotations.list(article_id)] == [
        ("First thought", ["idea"])
    ]
    main_window.reader.select_span(2, 2)  # the cursor inside the highlight
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("note").trigger()
    assert [(a.note, a.tags) for a in archive.annotations.list(article_id)] == [
        ("Second thought", ["idea", "later"])
    ]


def test_a_deleted_highlight_comes_back_with_undo(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    main_window.reader.select_span(0, 5)
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("highlight").trigger()
    main_window.reader.select_span(1, 1)
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("deleteHighlight").trigger()
    assert archive.annotations.list(article_id) == []
    assert drawn(main_window) == []
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("undo").trigger()
    assert [a.exact for a in archive.annotations.list(article_id)] == ["Talks"]
    assert drawn(main_window) == [(0, 5, fill(main_window, "yellow"))]


def test_highlights_are_there_after_reopening_the_archive(qtbot: QtBot, tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        article_id = open_article(qtbot, window, archive)
        window.reader.select_span(6, 8)
        with qtbot.waitSignal(window.annotations_changed):
            window.action("highlight").trigger()
        window.close()
    with Archive(tmp_path / "a.sqlite3") as archive:
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.article_shown):
            window.open_article(article_id)
        assert drawn(window) == [(6, 8, fill(window, "yellow"))]
        window.close()


def test_the_library_view_lists_and_filters_every_highlight(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    archive.annotations.create(article_id, 0, 5, color="green")
    archive.annotations.create(article_id, 6, 8, color="pink", note="about it")
    main_window.action("libraryAnnotations").trigger()
    library = main_window.highlights.library
    qtbot.waitUntil(lambda: library.list.count() == 2)
    library.color.setCurrentIndex(library.color.findData("pink"))
    qtbot.waitUntil(lambda: library.list.count() == 1)
    with qtbot.waitSignal(main_window.article_shown):
        library.open_requested.emit(archive.annotations.list(color="pink")[0])
    qtbot.waitUntil(lambda: main_window.reader.flashing == (6, 8))
    assert main_window.reader.cursor_offset() == 6


def test_a_note_changed_by_someone_else_meanwhile_is_offered_beside_mine_and_both_are_kept(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    made = archive.annotations.create(article_id, 0, 5, note="First thought")
    main_window.open_article(article_id)
    qtbot.waitUntil(lambda: main_window.annotations_panel.list.count() == 1)
    with Archive(archive.path) as elsewhere:  # another member, saving first
        elsewhere.annotations.update(made.id, note="Their thought")
    offered: list[tuple[str, str]] = []

    def conflict(cls: Any, parent: Any, theirs: Any, mine: str) -> str:
        offered.append((theirs.note, mine))
        return NoteConflictDialog.EDIT_BOTH

    monkeypatch.setattr(NoteConflictDialog, "ask", classmethod(conflict))
    answers: Iterator[tuple[str, list[str]]] = iter(
        [("My thought", []), ("Their thought, and mine", [])]
    )
    monkeypatch.setattr(NoteDialog, "ask", classmethod(lambda cls, *a, **k: next(answers)))
    main_window.reader.select_span(2, 2)  # the cursor inside the highlight, edited from "First"
    with qtbot.waitSignal(main_window.annotations_changed, timeout=5000):
        main_window.action("note").trigger()
    assert offered == [("Their thought", "My thought")]
    assert [a.note for a in archive.annotations.list(article_id)] == ["Their thought, and mine"]


def test_the_conflict_dialog_shows_both_texts_and_who_changed_it(qtbot: QtBot) -> None:
    from newsreader.core.annotations import AnnotationView

    theirs = AnnotationView(id=1, uuid="u", article_id=1, start=0, end=5, exact="Talks",
                            prefix="", suffix="", status="anchored", color="yellow",
                            note="Their thought", author="maria")  # fmt: skip
    dialog = NoteConflictDialog(None, theirs, "My thought")
    qtbot.addWidget(dialog)
    texts = {pane.objectName(): pane.toPlainText() for pane in dialog.findChildren(QPlainTextEdit)}
    assert texts == {"theirNote": "Their thought", "yourNote": "My thought"}
    assert any("maria changed this note" in label.text() for label in dialog.findChildren(QLabel))
    mine = dialog.findChild(QPushButton, "conflict-mine")
    assert mine is not None
    mine.click()
    assert dialog.choice == NoteConflictDialog.SAVE_MINE


def test_highlights_made_in_the_window_record_the_name_set_as_author(
    qtbot: QtBot, archive: Archive, main_window: Any, monkeypatch: Any
) -> None:
    from newsreader.ui.codebook import TextDialog

    monkeypatch.setattr(TextDialog, "ask", staticmethod(lambda *a, **k: "Ana Ruiz"))
    main_window.findChild(QAction, "coderNameAction").trigger()
    article_id = open_article(qtbot, main_window, archive)
    main_window.reader.select_span(0, 5)
    with qtbot.waitSignal(main_window.annotations_changed):
        main_window.action("highlight").trigger()
    assert [a.author for a in archive.annotations.list(article_id)] == ["Ana Ruiz"]


def test_the_library_filters_by_author_and_names_other_members(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = open_article(qtbot, main_window, archive)
    archive.annotations.create(article_id, 0, 5, note="mine")
    with Archive(archive.path) as elsewhere:
        elsewhere.set_member_name("maria")
        elsewhere.annotations.create(article_id, 6, 8, note="hers")
    main_window.action("libraryAnnotations").trigger()
    library = main_window.highlights.library
    qtbot.waitUntil(lambda: library.list.count() == 2)
    library.author.setText("maria")
    qtbot.waitUntil(lambda: library.list.count() == 1)
    assert library.list.item(0).text().endswith("hers\n— maria")
