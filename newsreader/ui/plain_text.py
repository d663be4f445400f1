"""Showing text from outside (titles, names, notes, alt text) where Qt may read rich text.

Qt takes a tooltip, label or message that looks like HTML for rich text, and a rich-text
image is loaded through QFile: a title `<img src="file:///dev/zero">` makes the window read
until memory runs out. Every string that came from a page, feed, corpus or user reaches
such a widget through one of these functions, so it is always shown as the characters it is.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def literal(text: str | None) -> str:
    """Rich text that shows `text` as it is: for tooltips (long ones still wrap) and
    labels Qt would otherwise guess the format of."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def plain_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A label that never interprets its text as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def message_box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str
) -> QMessageBox:
    """A message box whose text is plain, whatever names or addresses it quotes."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


class Question:
    """A yes/no question quoting outside text (a classmethod, so tests can answer it)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str) -> bool:
        box = message_box(parent, QMessageBox.Icon.Question, title, text)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes
