"""Light, dark and sepia looks; "system" follows the desktop's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark", "sepia")
_COLORS = {
    # window, base (text areas), text, highlight, highlighted text, link
    "light": ("#f3f3f3", "#ffffff", "#1d1d1d", "#3d7bd9", "#ffffff", "#1a5fb4"),
    "dark": ("#2b2b2b", "#1f1f1f", "#e6e6e6", "#4a84d4", "#ffffff", "#8ab4f8"),
    "sepia": ("#efe6d2", "#f7f0e0", "#3b2f1e", "#a67c52", "#ffffff", "#7a4b1c"),
}


def resolve(theme: str) -> str:
    """The concrete theme for a setting ("system" becomes light or dark)."""
    if theme in _COLORS:
        return theme
    hints = QGuiApplication.styleHints()
    dark = hints.colorScheme() == Qt.ColorScheme.Dark
    return "dark" if dark else "light"


def palette_for(theme: str) -> QPalette:
    window, base, text, highlight, highlighted, link = (QColor(c) for c in _COLORS[resolve(theme)])
    palette = QPalette()
    roles = QPalette.ColorRole
    palette.setColor(roles.Window, window)
    palette.setColor(roles.WindowText, text)
    palette.setColor(roles.Base, base)
    palette.setColor(roles.AlternateBase, window)
    palette.setColor(roles.Text, text)
    palette.setColor(roles.Button, window)
    palette.setColor(roles.ButtonText, text)
    palette.setColor(roles.ToolTipBase, base)
    palette.setColor(roles.ToolTipText, text)
    palette.setColor(roles.Highlight, highlight)
    palette.setColor(roles.HighlightedText, highlighted)
    palette.setColor(roles.Link, link)
    palette.setColor(roles.PlaceholderText, QColor("#888888"))
    return palette


def apply(theme: str) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setPalette(palette_for(theme))
