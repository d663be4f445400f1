"""What a screen reader and a keyboard user get, checked through Qt's accessibility API."""

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from tests.factories import make_article

INTERACTIVE = (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox, QTextEdit,
               QAbstractSpinBox)  # fmt: skip


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def test_every_control_of_the_window_has_a_name_and_an_object_name(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Named", ("Text.",)))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.reader.article is not None)
    unnamed = []
    for widget in main_window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or widget.objectName().startswith("qt_"):
            continue
        if not widget.isVisibleTo(main_window) and widget.parent() is not main_window.reader:
            continue
        if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox, QAbstractItemView)):
            continue  # the parts Qt builds inside a combo box, spin box or view
        if not widget.objectName() or not accessible_name(widget):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert not unnamed


def test_the_list_rows_and_the_article_text_reach_a_screen_reader(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Spoken title", ("Spoken text.",), section="World"))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.reader.article is not None)
    interface = QAccessible.queryAccessibleInterface(main_window.article_list)
    assert interface is not None and interface.childCount() >= 1
    rows = [interface.child(n).text(QAccessible.Text.Name) for n in range(interface.childCount())]
    assert any("Spoken title" in row and "World" in row for row in rows)
    body = QAccessible.queryAccessibleInterface(main_window.reader.body)
    assert body is not None
    text = body.textInterface()
    assert text is not None
    assert "Spoken text." in text.text(0, text.characterCount())
    assert body.text(QAccessible.Text.Description)


def test_tab_walks_sidebar_list_reader_and_highlights(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = archive.save(make_article("Keys", ("Keyboard only.",))).article_id
    archive.annotations.create(article_id, 0, 8)
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.annotations_panel.list.count() == 1)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    main_window.sidebar.setFocus()
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [main_window.article_list, main_window.reader.body,
                     main_window.annotations_panel.list]  # fmt: skip
    qtbot.keyClick(main_window.annotations_panel.list, Qt.Key.Key_Return)
    assert main_window.reader.flashing == (0, 8)
