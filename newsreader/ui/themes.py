"""Light, dark and sepia looks; "system" follows the desktop's colour scheme.

Every colour the window draws text with is here, so a test can check each pair against
WCAG AA (contrast ≥ 4.5:1): body text, muted text, links, visited links, the text inside
each highlight colour and inside search marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark", "sepia")
AA_CONTRAST = 4.5


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    window: str
    base: str  # text areas: the reader, the list
    text: str
    muted: str  # bylines, dates, "not in the archive"
    accent: str  # the kicker (section) above a headline
    selection: str
    selection_text: str
    link: str
    visited: str
    marks: dict[str, str]  # highlight colour name -> fill
    mark_text: str  # text inside a highlight
    search_fill: str  # a search mark: its own look, never one of the highlight fills
    search_text: str
    search_line: str  # the underline that sets a search mark apart


LIGHT = Theme(
    "light", window="#f3f3f3", base="#ffffff", text="#1d1d1d", muted="#5c5c5c",
    accent="#8a4b00", selection="#2f6fc9", selection_text="#ffffff", link="#1a5fb4",
    visited="#6a3d9a",
    marks={"yellow": "#ffe58a", "green": "#b8f0b0", "blue": "#b5dcff", "pink": "#ffc2dc",
           "purple": "#dcc8ff"},
    mark_text="#1d1d1d", search_fill="#e6e9ee", search_text="#1d1d1d", search_line="#c0392b",
)  # fmt: skip
DARK = Theme(
    "dark", window="#2b2b2b", base="#1f1f1f", text="#e6e6e6", muted="#b0b0b0",
    accent="#f0b35a", selection="#3d6fb8", selection_text="#ffffff", link="#8ab4f8",
    visited="#c9a7f5",
    marks={"yellow": "#6b5300", "green": "#24572a", "blue": "#1d4a75", "pink": "#74234b",
           "purple": "#4d3480"},
    mark_text="#ffffff", search_fill="#3a3a3a", search_text="#ffffff", search_line="#ff8a65",
)  # fmt: skip
SEPIA = Theme(
    "sepia", window="#efe6d2", base="#f7f0e0", text="#3b2f1e", muted="#65533a",
    accent="#8a3f12", selection="#8a5a2e", selection_text="#ffffff", link="#7a3e0c",
    visited="#6a3d6a",
    marks={"yellow": "#f5de84", "green": "#c6e6b0", "blue": "#c3dcf0", "pink": "#f3c9d6",
           "purple": "#dccbee"},
    mark_text="#2b2014", search_fill="#e8dcc0", search_text="#2b2014", search_line="#b03a10",
)  # fmt: skip
_THEMES = {theme.name: theme for theme in (LIGHT, DARK, SEPIA)}


def others_fill(look: Theme, color: str) -> str:
    """The fill of a highlight another member made: its colour, half-way to the page's
    background — lighter, so one's own stand out, and as legible (text inside it is
    between the body's contrast and the highlight's)."""
    fill, base = QColor(look.marks.get(color, look.marks["yellow"])), QColor(look.base)
    halves = [(fill.red() + base.red()) // 2, (fill.green() + base.green()) // 2,
              (fill.blue() + base.blue()) // 2]  # fmt: skip
    return QColor(*halves).name()


def resolve(theme: str) -> str:
    """The concrete theme for a setting ("system" becomes light or dark)."""
    if theme in _THEMES:
        return theme
    hints = QGuiApplication.styleHints()
    dark = hints.colorScheme() == Qt.ColorScheme.Dark
    return "dark" if dark else "light"


def colors(theme: str) -> Theme:
    return _THEMES[resolve(theme)]


def palette_for(theme: str) -> QPalette:
    look = colors(theme)
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, look.window), (roles.WindowText, look.text), (roles.Base, look.base),
        (roles.AlternateBase, look.window), (roles.Text, look.text), (roles.Button, look.window),
        (roles.ButtonText, look.text), (roles.ToolTipBase, look.base),
        (roles.ToolTipText, look.text), (roles.Highlight, look.selection),
        (roles.HighlightedText, look.selection_text), (roles.Link, look.link),
        (roles.LinkVisited, look.visited), (roles.PlaceholderText, look.muted),
        (roles.BrightText, look.text),
    ):  # fmt: skip
        palette.setColor(role, QColor(value))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor(look.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.WindowText, QColor(look.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor(look.muted))
    return palette


def apply(theme: str) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setPalette(palette_for(theme))


def luminance(color: QColor) -> float:
    """WCAG relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(foreground: QColor, background: QColor) -> float:
    """WCAG contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
