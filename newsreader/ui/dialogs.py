"""Small dialogs the window asks through classmethods, so tests can answer in the user's
place: files to import, the reader's font, tags, a saved search's name, an export's file;
and the grouped list of keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsreader.ui.plain_text import literal

PREVIEW = (
    "The Prime Minister said on Tuesday that talks would continue. "
    "Opposition leaders called the plan “a step in the right direction”."
)


class ImportDialog:
    """Asks what to import."""

    @classmethod
    def ask_files(cls, parent: QWidget) -> list[Path]:
        files, _filter = QFileDialog.getOpenFileNames(
            parent,
            "Import articles",
            str(Path.home()),
            "Articles, exports and web archives (*.html *.htm *.mhtml *.mht *.txt *.jsonl "
            "*.gz *.warc *.csv *.json *.zip);;All files (*)",
        )
        return [Path(f) for f in files]

    @classmethod
    def ask_folder(cls, parent: QWidget) -> Path | None:
        folder = QFileDialog.getExistingDirectory(parent, "Import a folder", str(Path.home()))
        return Path(folder) if folder else None


class SaveFileDialog:
    """Asks where to write an export."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, name: str, filter_: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / name), filter_)
        return Path(chosen) if chosen else None


class FontChooser(QDialog):
    """The reader's font: a family list and a size, with a live preview."""

    def __init__(self, parent: QWidget | None, current: QFont) -> None:
        super().__init__(parent)
        self.setObjectName("fontChooser")
        self.setWindowTitle("Reader font")
        self.family = QFontComboBox(self)
        self.family.setObjectName("fontFamily")
        self.family.setAccessibleName("Font family")
        self.family.setCurrentFont(current)
        self.points = QSpinBox(self)
        self.points.setObjectName("fontSize")
        self.points.setAccessibleName("Font size in points")
        self.points.setRange(8, 32)
        self.points.setValue(max(8, current.pointSize()))
        self.points.setSuffix(" pt")
        self.preview = QLabel(PREVIEW, self)
        self.preview.setObjectName("fontPreview")
        self.preview.setWordWrap(True)
        self.preview.setMinimumSize(360, 100)
        self.family.currentFontChanged.connect(lambda _font: self._preview())
        self.points.valueChanged.connect(lambda _size: self._preview())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Font", self.family)
        form.addRow("Size", self.points)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self._preview()

    def chosen(self) -> QFont:
        font = QFont(self.family.currentFont())
        font.setPointSize(self.points.value())
        return font

    def _preview(self) -> None:
        self.preview.setFont(self.chosen())

    @classmethod
    def ask(cls, parent: QWidget, current: QFont) -> QFont | None:
        dialog = cls(parent, current)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        font = dialog.chosen()
        dialog.deleteLater()
        return font if accepted else None


class TagDialog:
    """Asks for an article's tags, comma-separated."""

    @classmethod
    def ask(cls, parent: QWidget, current: list[str]) -> list[str] | None:
        text, accepted = QInputDialog.getText(
            parent, "Tags", "Tags, separated by commas:", text=", ".join(current)
        )
        return [t.strip() for t in text.split(",") if t.strip()] if accepted else None


class SaveSearchDialog:
    """Asks for a saved search's name."""

    @classmethod
    def ask(cls, parent: QWidget, query: str) -> str | None:
        name, accepted = QInputDialog.getText(
            parent, "Save search", literal(f"A name for the search “{query}”:"), text=query
        )
        return name.strip() if accepted and name.strip() else None


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, grouped by the menu it belongs to."""

    def __init__(
        self, parent: QWidget | None, groups: Sequence[tuple[str, Sequence[QAction]]]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 600)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutsList")
        self.tree.setAccessibleName("Keyboard shortcuts by area")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        for title, actions in groups:
            rows = [a for a in actions if not a.shortcut().isEmpty()]
            if not rows:
                continue
            group = QTreeWidgetItem(self.tree, [title.replace("&", "")])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for action in rows:
                keys = ", ".join(k.toString() for k in action.shortcuts())
                QTreeWidgetItem(group, [action.text().replace("&", ""), keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)

    def groups(self) -> dict[str, list[tuple[str, str]]]:
        """What the dialog lists: area -> (action, keys)."""
        found = {}
        for row in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(row)
            assert group is not None
            rows = [group.child(n) for n in range(group.childCount())]
            found[group.text(0)] = [(r.text(0), r.text(1)) for r in rows if r is not None]
        return found
