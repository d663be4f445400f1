"""Annotation widgets: the article's highlights panel, the note dialog, and the window
listing every highlight (non-modal, with its exports)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.annotations import COLORS, AnnotationView
from newsreader.core.dates import parse_published
from newsreader.ui import themes
from newsreader.ui.plain_text import literal, plain_label

ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 20


def _item(
    annotation: AnnotationView, look: themes.Theme, *, with_title: bool = False,
    member: str = "",
) -> QListWidgetItem:  # fmt: skip
    quote = annotation.exact if len(annotation.exact) <= 160 else annotation.exact[:157] + "…"
    lines = [f"“{quote}”"]
    if annotation.note:
        lines.append(annotation.note)
    if annotation.tags:
        lines.append("tags: " + ", ".join(annotation.tags))
    if annotation.status == "orphaned":
        lines.append("(orphaned: its text is gone; select new text and re-attach it)")
    elif annotation.status == "fuzzy":
        lines.append("(re-attached to text that changed a little)")
    if with_title:
        lines.insert(0, f"{annotation.article_title} — {annotation.section or ''}")
    theirs = bool(annotation.author and member and annotation.author != member)
    if theirs:
        lines.append(f"— {annotation.author}")
    item = QListWidgetItem("\n".join(lines))
    item.setData(ANNOTATION_ROLE, annotation)
    fill = themes.others_fill(look, annotation.color) if theirs else look.marks.get(
        annotation.color, look.base)  # fmt: skip
    item.setBackground(QColor(fill))
    item.setForeground(QColor(look.mark_text))
    item.setToolTip(literal(annotation.note or annotation.exact))
    return item


class AnnotationsPanel(QWidget):
    """The open article's highlights in text order; clicking one (or Enter on it) centres
    it in the reader."""

    annotation_clicked = Signal(object)  # AnnotationView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationsPanel")
        self.look = themes.colors("light")
        self.annotations: list[AnnotationView] = []
        self.member = ""
        self.title = QLabel("Highlights", self)
        self.list = QListWidget(self)
        self.list.setObjectName("annotationsList")
        self.list.setAccessibleName("Highlights of this article")
        self.list.setAccessibleDescription("Click or press Enter to show a highlight")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        for signal in (self.list.itemClicked, self.list.itemActivated):
            signal.connect(lambda item: self.annotation_clicked.emit(item.data(ANNOTATION_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.hide()  # shown once an article with highlights is open

    def set_theme(self, theme: str) -> None:
        self.look = themes.colors(theme)
        self.show_annotations(self.annotations, self.member)

    def show_annotations(self, annotations: list[AnnotationView], member: str = "") -> None:
        """The highlights; another member's (a team archive) lighter, with their name."""
        self.annotations, self.member = annotations, member
        self.list.clear()
        for annotation in annotations:
            self.list.addItem(_item(annotation, self.look, member=member))
        count = len(annotations)
        self.title.setText(f"Highlights ({count})" if count else "Highlights")
        self.setVisible(bool(count))  # the reader takes the room while there are none

    def select(self, annotation_id: int | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ANNOTATION_ROLE).id == annotation_id:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()

    def current(self) -> AnnotationView | None:
        item = self.list.currentItem()
        return item.data(ANNOTATION_ROLE) if item is not None else None


class NoteDialog(QDialog):
    """Edits a highlight's note and tags; `ask` is what the window calls (tests replace it)."""

    def __init__(self, parent: QWidget | None, quote: str, note: str, tags: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.setObjectName("noteDialog")
        self.note = QPlainTextEdit(note, self)
        self.note.setObjectName("noteEdit")
        self.note.setAccessibleName("Note")
        self.tags = QLineEdit(", ".join(tags), self)
        self.tags.setObjectName("tagsEdit")
        self.tags.setAccessibleName("Tags, separated by commas")
        quote_label = plain_label(f"“{quote[:300]}”", self)
        quote_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Note", self.note)
        form.addRow("Tags", self.tags)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(quote_label)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @classmethod
    def ask(
        cls, parent: QWidget | None, quote: str, note: str = "", tags: list[str] | None = None
    ) -> tuple[str, list[str]] | None:
        dialog = cls(parent, quote, note, tags or [])
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        tag_list = [t.strip() for t in dialog.tags.text().split(",") if t.strip()]
        return dialog.note.toPlainText().strip(), tag_list


class NoteConflictDialog(QDialog):
    """Someone else saved this note while the reader edited it: both texts side by side,
    and the reader chooses — theirs, mine, or an edit of both. Nothing is lost."""

    KEEP_THEIRS, SAVE_MINE, EDIT_BOTH = "theirs", "mine", "both"

    def __init__(self, parent: QWidget | None, theirs: AnnotationView, mine: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("The note was changed meanwhile")
        self.setObjectName("noteConflictDialog")
        self.choice = self.KEEP_THEIRS
        who = theirs.author or "someone else"
        intro = plain_label(
            f"{who} changed this note while you were editing it. Nothing has been "
            "overwritten: choose which text to keep.", self,
        )  # fmt: skip
        intro.setWordWrap(True)
        panes = QHBoxLayout()
        for title, text, name in ((f"Their note ({who})", theirs.note, "theirNote"),
                                  ("Your note", mine, "yourNote")):  # fmt: skip
            column = QVBoxLayout()
            column.addWidget(plain_label(title, self))
            pane = QPlainTextEdit(text, self)
            pane.setReadOnly(True)
            pane.setObjectName(name)
            pane.setAccessibleName(title)
            column.addWidget(pane)
            panes.addLayout(column)
        buttons = QDialogButtonBox(self)
        for label, choice in (("Keep theirs", self.KEEP_THEIRS), ("Save mine", self.SAVE_MINE),
                              ("Edit both…", self.EDIT_BOTH)):  # fmt: skip
            button = buttons.addButton(label, QDialogButtonBox.ButtonRole.AcceptRole)
            button.setObjectName(f"conflict-{choice}")
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(panes)
        layout.addWidget(buttons)
        self.resize(640, 320)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, theirs: AnnotationView, mine: str) -> str:
        """ "theirs", "mine" or "both" (closing the dialog keeps theirs: nothing is written)."""
        dialog = cls(parent, theirs, mine)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else cls.KEEP_THEIRS


class HighlightsLibrary(QWidget):
    """Every highlight in the archive, filterable, in a window of its own that stays
    beside the main window (never over it); activating one opens its article there."""

    filters_changed = Signal(dict)
    open_requested = Signal(object)  # AnnotationView
    export_requested = Signal(str)  # "md", "jsonld" or "csv"

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle("All highlights")
        self.setObjectName("libraryAnnotations")
        self.setAccessibleName("All highlights")
        self.resize(720, 560)
        self.look = themes.colors("light")
        QShortcut(QKeySequence("Escape"), self, self.close)
        self.color = QComboBox(self)
        self.color.setObjectName("colorFilter")
        self.color.setAccessibleName("Colour")
        self.color.addItem("Any colour", None)
        for color in COLORS:
            self.color.addItem(color.capitalize(), color)
        self.tag = QLineEdit(self)
        self.tag.setObjectName("tagFilter")
        self.tag.setPlaceholderText("tag")
        self.section = QLineEdit(self)
        self.section.setObjectName("sectionFilter")
        self.section.setPlaceholderText("section")
        self.text = QLineEdit(self)
        self.text.setObjectName("textFilter")
        self.text.setPlaceholderText("words in the quote or note")
        self.code = QLineEdit(self)
        self.code.setObjectName("codeFilter")
        self.code.setPlaceholderText("code")
        self.since = QLineEdit(self)
        self.since.setObjectName("sinceFilter")
        self.since.setPlaceholderText("since YYYY-MM-DD")
        self.author = QLineEdit(self)
        self.author.setObjectName("authorFilter")
        self.author.setPlaceholderText("author")
        self.member = ""  # who reads: others' highlights are drawn lighter, with their name
        for field in (self.tag, self.code, self.section, self.text, self.since, self.author):
            field.setClearButtonEnabled(True)
            field.textChanged.connect(self._changed)
        self.color.currentIndexChanged.connect(self._changed)
        for field, name in (
            (self.tag, "Tag"),
            (self.code, "Code"),
            (self.section, "Section"),
            (self.text, "Words in the quote or note"),
            (self.since, "Since"),
            (self.author, "Author"),
        ):
            field.setAccessibleName(name)  # fmt: skip
        self.list = QListWidget(self)
        self.list.setObjectName("libraryAnnotationsList")
        self.list.setAccessibleName("Every highlight")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(ANNOTATION_ROLE))
        )
        filters = QHBoxLayout()
        for widget in (self.color, self.tag, self.code, self.section, self.text, self.since,
                       self.author):  # fmt: skip
            filters.addWidget(widget)
        exports = QHBoxLayout()
        exports.addWidget(plain_label("Export every highlight:", self))
        for fmt, text in (("md", "Markdown…"), ("jsonld", "JSON-LD…"), ("csv", "CSV…")):
            button = QPushButton(text, self)
            button.setObjectName(f"export{fmt.capitalize()}Button")
            button.setAccessibleName(f"Export highlights as {text.rstrip('…')}")
            button.clicked.connect(lambda _checked=False, fmt=fmt: self.export_requested.emit(fmt))
            exports.addWidget(button)
        exports.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.list)
        layout.addLayout(exports)

    def filters(self) -> dict[str, object]:
        return {
            "color": self.color.currentData(),
            "tag": self.tag.text().strip() or None,
            "code": self.code.text().strip() or None,
            "section": self.section.text().strip() or None,
            "text": self.text.text().strip() or None,
            "since": parse_published(self.since.text()) if self.since.text().strip() else None,
            "author": self.author.text().strip() or None,
        }

    def _changed(self, *_args: object) -> None:
        self.filters_changed.emit(self.filters())

    def show_annotations(self, annotations: list[AnnotationView]) -> None:
        self.list.clear()
        for annotation in annotations:
            self.list.addItem(_item(annotation, self.look, with_title=True, member=self.member))
        self.setWindowTitle(f"All highlights ({len(annotations)})")
