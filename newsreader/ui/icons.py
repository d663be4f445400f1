"""The bundled icon set (SVG in resources/icons), drawn in the theme's text colour.

The SVGs use `currentColor`; each icon is rendered with the colour it is asked for, so
icons follow the theme and no emoji font is ever needed.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from newsreader.core.paths import RESOURCES_DIR

ICONS_DIR = RESOURCES_DIR / "icons"
SIZES = (16, 24, 32, 48)
DISABLED_OPACITY = 0.35


@cache
def _svg(name: str) -> str:
    return (ICONS_DIR / f"{name}.svg").read_text(encoding="utf-8")


def names() -> list[str]:
    return sorted(p.stem for p in ICONS_DIR.glob("*.svg"))


@cache
def icon(name: str, color: str) -> QIcon:
    """The icon `name`, drawn in `color` at the usual sizes (drawn once, then reused: the
    sidebar asks for hundreds on every redraw)."""
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", color).encode()))
    result = QIcon()
    # Disabled: the same colour, faint. Qt's own greying leaves a light icon on a dark
    # theme as bright as an enabled one, so a greyed-out command would not look it.
    for mode, opacity in ((QIcon.Mode.Normal, 1.0), (QIcon.Mode.Disabled, DISABLED_OPACITY)):
        for size in SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setOpacity(opacity)
            renderer.render(painter)
            painter.end()
            result.addPixmap(pixmap, mode)
    return result
