"""Text from outside is shown as the characters it is, never read by Qt as rich text.

A rich-text `<img src="file:...">` makes Qt read that file (a title naming /dev/zero ran the
window out of memory on hover). These tests put a hostile value in every field that comes
from a page, feed, corpus or user, then walk every widget, item and tooltip of the window
and check that none of it would make Qt load an image.
"""

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.ui.annotations import NoteDialog
from newsreader.ui.document import build_document
from newsreader.ui.main_window import MainWindow
from newsreader.ui.plain_text import literal, plain_label

PROBE = "file:///tmp/newsreader-probe.png"  # never read: a test fails before Qt would load it
HOSTILE = f'<img src="{PROBE}"> Budget talks'


def images_qt_would_load(text: str, rich: bool | None = None) -> list[str]:
    """The images Qt would load when showing `text` (rich when Qt would guess so)."""
    if not (QtGui.Qt.mightBeRichText(text) if rich is None else rich):
        return []
    document = QTextDocument()
    document.setHtml(text)
    names = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            char_format = iterator.fragment().charFormat()
            if char_format.isImageFormat():
                names.append(char_format.toImageFormat().name())
            iterator += 1
        block = block.next()
    return names


def shown_texts(root: QWidget) -> list[tuple[str, str, bool | None]]:
    """(where, text, rich) for every tooltip, label and item tooltip under `root`."""
    found: list[tuple[str, str, bool | None]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        name = widget.objectName() or type(widget).__name__
        found.append((f"{name} tooltip", widget.toolTip(), None))
        if isinstance(widget, QLabel):
            rich = {
                Qt.TextFormat.PlainText: False, Qt.TextFormat.RichText: True,
            }.get(widget.textFormat())  # fmt: skip
            found.append((f"{name} label", widget.text(), rich))
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount(QModelIndex())):
                column = 0
                while (index := model.index(row, column)).isValid():
                    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
                    found.append((f"{name} row {row} tooltip", tip or "", None))
                    column += 1
    return found


def hostile_archive(archive: Archive) -> int:
    """An article, source, feed, image, highlight and note all carrying hostile text."""
    blocks = [
        Block("paragraph", "Budget talks went on late into the night."),
        Block("image", src="https://example.org/chart.png", alt=HOSTILE),
        Block("paragraph", "Members spoke for hours."),
    ]
    article_id = archive.save(ExtractedArticle(
        title=HOSTILE, blocks=blocks, section=HOSTILE, source=HOSTILE, byline=HOSTILE,
        url="https://example.org/budget",
    )).article_id  # fmt: skip
    archive.save(ExtractedArticle(title="Second", blocks=blocks[:1], source="Another site"))
    archive.feeds.add("https://example.org/feed.xml", title=HOSTILE)
    archive.annotations.create(article_id, 0, 6, note=HOSTILE, tags=[HOSTILE])
    return article_id


def test_literal_text_shows_markup_as_characters() -> None:
    shown = QTextDocument()
    shown.setHtml(literal(HOSTILE + "\nline two"))
    assert shown.toPlainText() == HOSTILE + "\nline two"
    assert images_qt_would_load(literal(HOSTILE)) == []
    assert images_qt_would_load(HOSTILE) == [PROBE]  # the check itself can fail


def test_every_widget_of_the_window_shows_hostile_text_plainly(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    article_id = hostile_archive(archive)
    with qtbot.waitSignal(main_window.sections_loaded):
        main_window.refresh()
    with qtbot.waitSignal(main_window.article_shown):
        main_window.open_article(article_id)
    qtbot.waitUntil(lambda: main_window.annotations_panel.list.count() == 1)
    main_window.action("libraryAnnotations").trigger()
    library = main_window.highlights.library
    assert library is not None
    qtbot.waitUntil(lambda: library.list.count() == 1)
    texts = shown_texts(main_window) + shown_texts(library)
    assert any("Budget talks" in text for _, text, _ in texts)  # the walk saw the values
    loading = [(where, text) for where, text, rich in texts if images_qt_would_load(text, rich)]
    assert loading == []
    library.close()


def test_hovering_a_hostile_title_in_the_list_shows_it_as_text(
    qtbot: QtBot, archive: Archive, main_window: MainWindow
) -> None:
    hostile_archive(archive)
    with qtbot.waitSignal(main_window.sections_loaded):
        main_window.refresh()
    view = main_window.article_list
    qtbot.waitUntil(lambda: view.model().rowCount() == 2)
    row = next(r for r in range(2) if "Budget" in view.model().index(r, 0).data())
    spot = view.visualRect(view.model().index(row, 0)).center()
    hover = QHelpEvent(QEvent.Type.ToolTip, spot, view.viewport().mapToGlobal(spot))
    QApplication.sendEvent(view.viewport(), hover)
    qtbot.waitUntil(QToolTip.isVisible)
    assert "Budget talks" in QToolTip.text()
    assert images_qt_would_load(QToolTip.text()) == []
    QToolTip.hideText()


def test_an_image_alt_text_is_a_plain_tooltip_in_the_reader() -> None:
    document = build_document([Block("image", src="https://example.org/a.png", alt=HOSTILE)])
    tips = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            tips.append(iterator.fragment().charFormat().toolTip())
            iterator += 1
        block = block.next()
    assert [t for t in tips if "Budget talks" in t]
    assert [t for t in tips if images_qt_would_load(t)] == []


def test_the_note_dialog_quotes_hostile_text_plainly(qtbot: QtBot) -> None:
    dialog = NoteDialog(None, HOSTILE, HOSTILE, [HOSTILE])
    qtbot.addWidget(dialog)
    texts = shown_texts(dialog)
    assert any("Budget talks" in text for _, text, _ in texts)
    assert [where for where, text, rich in texts if images_qt_would_load(text, rich)] == []


def test_a_plain_label_never_reads_markup(qtbot: QtBot) -> None:
    label = plain_label(HOSTILE)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == HOSTILE
