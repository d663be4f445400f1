"""The codebook in the window: a panel of codes with counts, a code picker, keys 1–9.

Key N codes the selection with the N-th code (a new highlight, in that code's colour when
it is one of the five) or, with no selection, adds or removes the N-th code on the
highlight under the cursor. The five colours are the first five codes, so 1–5 keep
meaning what they meant. Every highlight made here records the coder set in
*Research → Coder name…*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.annotations import COLORS
from newsreader.core.codebook import CodeView
from newsreader.ui.operations import EVERYTHING, Changes
from newsreader.ui.plain_text import literal

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow

CODE_ROLE = Qt.ItemDataRole.UserRole + 40
CODER_SETTING = "research/coder"


def coder_name(window: MainWindow) -> str:
    return str(window.settings.value(CODER_SETTING, "") or "")


class CodebookPanel(QWidget):
    """The codes as a tree with their counts; choosing one filters by `code:NAME`."""

    code_chosen = Signal(object)  # CodeView
    add_requested = Signal()
    rename_requested = Signal(object)
    merge_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codebookPanel")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("codebookTree")
        self.tree.setAccessibleName("Codebook")
        self.tree.setHeaderLabels(["Code", "Highlights"])
        self.tree.itemActivated.connect(
            lambda item, _column: self.code_chosen.emit(item.data(0, CODE_ROLE))
        )
        buttons = QHBoxLayout()
        for name, text, signal in (
            ("addCodeButton", "Add…", None),
            ("renameCodeButton", "Rename…", self.rename_requested),
            ("mergeCodeButton", "Merge…", self.merge_requested),
        ):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAccessibleName(text.rstrip("…") + " code")
            if signal is None:
                button.clicked.connect(self.add_requested.emit)
            else:
                button.clicked.connect(lambda _=False, s=signal: self._with_current(s))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)

    def _with_current(self, signal: Any) -> None:
        if (code := self.current()) is not None:
            signal.emit(code)

    def current(self) -> CodeView | None:
        item = self.tree.currentItem()
        return item.data(0, CODE_ROLE) if item is not None else None

    def show_codes(self, codes: list[CodeView]) -> None:
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for key, code in enumerate(codes, 1):
            label = f"{key}  {code.name}" if key <= 9 else code.name
            item = QTreeWidgetItem([label, str(code.count)])
            item.setData(0, CODE_ROLE, code)
            item.setBackground(0, QColor(code.color))
            item.setForeground(0, QColor("black"))
            item.setToolTip(0, literal(code.description or code.name))
            items[code.id] = item
        for code in codes:
            parent = items.get(code.parent_id or -1)
            if parent is not None:
                parent.addChild(items[code.id])
            else:
                self.tree.addTopLevelItem(items[code.id])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)


class CodePicker(QDialog):
    """Choose a code by typing part of its name (for codes past the ninth)."""

    def __init__(self, codes: list[CodeView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codePicker")
        self.setWindowTitle("Code")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("codeFilter")
        self.filter.setAccessibleName("Filter codes")
        self.filter.setPlaceholderText("Type to filter codes")
        self.list = QListWidget(self)
        self.list.setObjectName("codeList")
        self.list.setAccessibleName("Codes")
        for code in codes:
            item = QListWidgetItem(code.name)
            item.setData(CODE_ROLE, code)
            self.list.addItem(item)
        self.filter.textChanged.connect(self._narrow)
        self.filter.returnPressed.connect(self.accept)
        self.list.itemActivated.connect(lambda _item: self.accept())
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(box)
        self._narrow("")

    def _narrow(self, text: str) -> None:
        needle = text.casefold().strip()
        first = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            hidden = needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)

    def chosen(self) -> CodeView | None:
        item = self.list.currentItem()
        return item.data(CODE_ROLE) if item is not None and not item.isHidden() else None

    @classmethod
    def ask(cls, parent: QWidget, codes: list[CodeView]) -> CodeView | None:
        dialog = cls(codes, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class TextDialog:
    """One line of text from the user (a classmethod, so tests can answer it)."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(parent, title, label, text=text)
        return value if ok and value.strip() else None


class Codebook:
    """The window's codebook: its panel, keys 1–9, the picker and the edits."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.codes: list[CodeView] = []
        self.panel = CodebookPanel(window)
        self.dock = QDockWidget("Codebook", window)
        self.dock.setObjectName("codebookDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()  # a researcher's panel, opened from the Research menu
        self.dock_action = self.dock.toggleViewAction()
        self.dock_action.setText("Code&book panel")
        self.dock_action.setObjectName("codebookPanelAction")
        self.dock_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.panel.code_chosen.connect(self.filter_by)
        self.panel.add_requested.connect(self.add_code)
        self.panel.rename_requested.connect(self.rename_code)
        self.panel.merge_requested.connect(self.merge_code)
        colour_keys = [window.action(f"highlight{c.capitalize()}") for c in COLORS]
        for action in colour_keys:  # keys 1-5 now code with the first codes
            action.setShortcut(QKeySequence())
        self.key_actions = []
        for n in range(1, 10):
            action = QAction(f"Code with code {n}", window)
            action.setObjectName(f"codeKey{n}Action")
            action.setShortcut(QKeySequence(str(n)))
            action.triggered.connect(lambda _=False, n=n: self.code_with(n - 1))
            window.addAction(action)
            self.key_actions.append(action)
        self.picker_action = QAction("&Code…", window)
        self.picker_action.setObjectName("codePickerAction")
        self.picker_action.setShortcut(QKeySequence("Ctrl+K"))
        self.picker_action.triggered.connect(self.pick_code)
        self.coder_action = QAction("Coder &name…", window)
        self.coder_action.setObjectName("coderNameAction")
        self.coder_action.triggered.connect(self.ask_coder)
        window.addAction(self.picker_action)
        window.annotations_changed.connect(lambda _id: self.reload())
        self.reload()

    def reload(self) -> None:
        self.window.executor.read(self.window.archive.codebook.list, self._show)

    def _show(self, codes: list[CodeView]) -> None:
        self.codes = codes
        self.panel.show_codes(codes)

    def _write(self, fn: Any, done: str = "") -> None:
        def finished(_result: Any) -> None:
            if done:
                self.window.statusBar().showMessage(done, 4000)
            if (shown := self.window.reader.article) is not None:
                self.window.highlights.reload(shown.id)
            self.reload()

        self.window.executor.write(
            fn, finished, lambda error: self.window.status.report_error("Codebook", error)
        )

    def code_with(self, index: int) -> None:
        """Key N: code the selection (a new highlight) or toggle the code on the current one."""
        if index >= len(self.codes):
            self.window.statusBar().showMessage(f"there is no code {index + 1} yet", 4000)
            return
        self.apply(self.codes[index])

    def apply(self, code: CodeView) -> None:
        window = self.window
        article, span = window.reader.article, window.reader.selected_span()
        archive, coder = window.archive, coder_name(window)
        if article is not None and span is not None:
            start, end = span
            color = code.name if code.name in COLORS else None
            self._write(
                lambda: archive.annotations.create(
                    article.id, start, end, color=color, codes=[code.name], coder=coder
                )
            )
            return
        current = window.highlights.current()
        if current is not None:
            self._write(lambda: archive.codebook.toggle(current.id, code.id))

    def pick_code(self) -> None:
        code = CodePicker.ask(self.window, self.codes)
        if code is not None:
            self.apply(code)

    def filter_by(self, code: CodeView) -> None:
        """The list shows the articles coded so, and the all-highlights window (when open)
        the highlights."""
        name = code.name.replace('"', "")
        self.window.search_field.setText(f'code:"{name}"')
        self.window.run_search()
        if (library := self.window.highlights.library) is not None:
            library.code.setText(code.name)

    def add_code(self) -> None:
        name = TextDialog.ask(self.window, "New code", "Name of the code:")
        if name:
            self._write(lambda: self.window.archive.codebook.create(name), f"code {name} added")

    def rename_code(self, code: CodeView) -> None:
        name = TextDialog.ask(self.window, "Rename code", "New name:", code.name)
        if name:
            self._write(lambda: self.window.archive.codebook.update(code.id, name=name))

    def merge_code(self, code: CodeView) -> None:
        others = [c for c in self.codes if c.id != code.id]
        into = CodePicker.ask(self.window, others)
        if into is not None:
            self._write(
                lambda: self.window.archive.codebook.merge(code.id, into.id),
                f"{code.name} merged into {into.name}",
            )

    def ask_coder(self) -> None:
        name = TextDialog.ask(
            self.window,
            "Coder name",
            "Your name, recorded on each highlight:",
            coder_name(self.window),
        )
        if name is not None:
            self.window.settings.setValue(CODER_SETTING, " ".join(name.split()))
            name_member(self.window, name)


def install(window: MainWindow) -> Codebook:
    """The codebook commands; the name set in Preferences is who makes highlights here
    (a personal archive's author — a team archive's is the member's role)."""
    name_member(window, coder_name(window))
    return Codebook(window)


def name_member(window: MainWindow, name: str) -> None:
    """Record who works here under `name` (a write: their marks move with the name, off
    the UI thread), then redraw what shows their marks."""
    archive = window.archive

    def rename() -> bool:
        before = archive.member
        archive.set_member_name(name)
        return archive.member != before

    window.ops.write("Could not record your name", rename,
                     lambda renamed: EVERYTHING if renamed else Changes())  # fmt: skip
