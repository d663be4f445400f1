"""Highlighting in the window: make, colour, annotate, delete (undoably) and export
highlights; the panel beside the reader and the all-highlights window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from newsreader.core.annotations import (
    COLORS,
    AnnotationConflict,
    AnnotationView,
    ExportFormat,
)
from newsreader.ui.annotations import HighlightsLibrary, NoteConflictDialog, NoteDialog
from newsreader.ui.dialogs import SaveFileDialog
from newsreader.ui.host import Window
from newsreader.ui.operations import Changes
from newsreader.ui.undo import DoneCommand

EXPORTS: dict[str, tuple[str, str]] = {
    "md": ("highlights.md", "Markdown (*.md)"),
    "jsonld": ("highlights.jsonld", "JSON-LD (*.jsonld *.json)"),
    "csv": ("highlights.csv", "CSV (*.csv)"),
}


class Highlights(QObject):
    """The highlight commands of one window."""

    changed = Signal(int)  # article id, after its highlights were redrawn

    def __init__(self, window: Window) -> None:
        super().__init__(window.widget())
        self.window = window
        self.last_color = COLORS[0]
        self.library: HighlightsLibrary | None = None
        self.pending: AnnotationView | None = None  # to show once its article is open
        window.annotations_panel.annotation_clicked.connect(self.go_to)
        window.reader.body.cursorPositionChanged.connect(self.cursor_moved)

    @property
    def archive(self) -> Any:
        return self.window.archive

    # -- what is shown ------------------------------------------------------------------

    def show(self, annotations: list[AnnotationView]) -> None:
        reader, member = self.window.reader, self.archive.member
        reader.set_annotations(annotations, member)
        self.window.annotations_panel.show_annotations(annotations, member)
        pending = self.pending
        if pending is not None and reader.article is not None:
            if reader.article.id == pending.article_id:
                self.go_to(next((a for a in annotations if a.id == pending.id), pending))
            self.pending = None
        self.cursor_moved()

    def reload(self, article_id: int) -> None:
        """Read an article's highlights again and draw them, if it is still shown."""

        def show(annotations: list[AnnotationView]) -> None:
            shown = self.window.reader.article
            if shown is None or shown.id != article_id:
                return
            if annotations == self.window.reader.annotations and self.pending is None:
                return  # nothing new (our own change, seen again from the archive's side)
            self.show(annotations)
            self.changed.emit(article_id)

        self.window.executor.read(lambda: self.archive.annotations.list(article_id), show)

    def current(self) -> AnnotationView | None:
        """The highlight under the reader's cursor, else the one chosen in the panel."""
        reader = self.window.reader
        if reader.article is None:
            return None
        return (
            reader.annotation_at(reader.cursor_offset()) or self.window.annotations_panel.current()
        )

    def cursor_moved(self) -> None:
        reader = self.window.reader
        found = reader.annotation_at(reader.cursor_offset())
        if found is not None:
            self.window.annotations_panel.select(found.id)
        self.window.update_actions()

    def go_to(self, annotation: AnnotationView) -> None:
        """Centre a highlight in the reader and flash it."""
        if annotation.start is not None and annotation.end is not None:
            self.window.reader.show_span(annotation.start, annotation.end)
        self.window.update_actions()

    # -- changing -----------------------------------------------------------------------

    def _write(
        self, what: str, fn: Any, article_id: int, done: str = "", on_done: Any = None
    ) -> None:
        def finished(result: Any) -> None:
            if done:
                self.window.status.message(done)
            if on_done is not None:
                on_done(result)

        self.window.ops.write(
            what, fn, Changes(counts=True, annotations=frozenset({article_id})), finished
        )

    def highlight_selection(self) -> None:
        self.highlight(None)

    def highlight_yellow(self) -> None:
        self.highlight("yellow")

    def highlight_green(self) -> None:
        self.highlight("green")

    def highlight_blue(self) -> None:
        self.highlight("blue")

    def highlight_pink(self) -> None:
        self.highlight("pink")

    def highlight_purple(self) -> None:
        self.highlight("purple")

    def highlight(self, color: str | None) -> None:
        """Highlight the selection (snapped to whole words; the selection then clears so
        the colour shows), or recolour the highlight under the cursor."""
        reader = self.window.reader
        article, span = reader.article, reader.selected_span()
        if article is not None and span is not None:
            start, end = span
            chosen = color or self.last_color
            self.last_color = chosen
            reader.clear_selection()
            self._write(
                "Could not highlight",
                lambda: self.archive.annotations.create(article.id, start, end, color=chosen),
                article.id,
            )
            return
        current = self.current()
        if current is not None and color is not None:
            self._write(
                "Could not change the colour",
                lambda: self.archive.annotations.update(current.id, color=color),
                current.article_id,
            )

    def edit_note(self) -> None:
        """Write a note: on the selection (making a highlight) or on the current highlight."""
        reader = self.window.reader
        article, span = reader.article, reader.selected_span()
        if article is not None and span is not None:
            start, end = span
            answer = NoteDialog.ask(self.window.widget(), article.text[start:end])
            if answer is None:
                return
            note, tags = answer
            color = self.last_color
            reader.clear_selection()
            self._write(
                "Could not save the note",
                lambda: self.archive.annotations.create(
                    article.id, start, end, color=color, note=note, tags=tags
                ),
                article.id,
            )
            return
        current = self.current()
        if current is None:
            return
        answer = NoteDialog.ask(self.window.widget(), current.exact, current.note, current.tags)
        if answer is not None:
            self.save_note(current, *answer)

    def save_note(self, edited: AnnotationView, note: str, tags: list[str]) -> None:
        """Save a note edited from `edited`; if someone changed it meanwhile (a team
        archive), offer both texts instead of overwriting theirs."""

        def failed(error: BaseException) -> None:
            if isinstance(error, AnnotationConflict):
                self.resolve_conflict(error.current, note, tags)

        annotations = self.archive.annotations
        self.window.ops.write(
            "Could not save the note",
            lambda: annotations.update(edited.id, note=note, tags=tags, revision=edited.revision),
            Changes(counts=True, annotations=frozenset({edited.article_id})),
            on_failed=failed,
        )

    def resolve_conflict(self, theirs: AnnotationView, mine: str, tags: list[str]) -> None:
        choice = NoteConflictDialog.ask(self.window.widget(), theirs, mine)
        if choice == NoteConflictDialog.SAVE_MINE:
            self.save_note(theirs, mine, tags)
        elif choice == NoteConflictDialog.EDIT_BOTH:
            both = f"{theirs.note}\n\n{mine}".strip()
            answer = NoteDialog.ask(self.window.widget(), theirs.exact, both, theirs.tags)
            if answer is not None:
                self.save_note(theirs, *answer)

    def delete(self) -> None:
        current = self.current()
        if current is None:
            return
        state = {"view": current}
        annotations = self.archive.annotations

        def delete_now() -> None:
            view = state["view"]
            self._write(
                "Could not delete the highlight",
                lambda: annotations.delete(view.id),
                view.article_id,
            )

        def restore() -> None:
            def restored(view: AnnotationView) -> None:
                state["view"] = view

            view = state["view"]
            self._write(
                "Could not restore the highlight",
                lambda: annotations.restore(view),
                view.article_id,
                "Highlight restored",
                restored,
            )

        def deleted(_gone: Any) -> None:
            self.window.undo_stack.push(DoneCommand("Delete highlight", restore, delete_now))

        self._write(
            "Could not delete the highlight",
            lambda: annotations.delete(current.id),
            current.article_id,
            "Highlight deleted — Ctrl+Z brings it back",
            deleted,
        )

    def reattach(self) -> None:
        current = self.window.annotations_panel.current()
        span = self.window.reader.selected_span()
        if current is None or span is None:
            self.window.status.message("Choose a highlight in the panel and select text")
            return
        start, end = span
        self._write(
            "Could not re-attach the highlight",
            lambda: self.archive.annotations.reattach(current.id, start, end),
            current.article_id,
        )

    # -- all highlights -----------------------------------------------------------------

    def show_library(self) -> None:
        if self.library is None:
            self.library = HighlightsLibrary()
            self.library.look = self.window.annotations_panel.look
            self.library.member = self.archive.member
            self.library.filters_changed.connect(self.refresh_library)
            self.library.open_requested.connect(self.open_annotation)
            self.library.export_requested.connect(self.export)
        self.library.show()
        self.library.raise_()
        self.refresh_library()

    def refresh_library(self, _filters: object = None) -> None:
        library = self.library
        if library is not None and library.isVisible():
            filters = library.filters()
            self.window.executor.read(
                lambda: self.archive.annotations.list(**filters), library.show_annotations
            )

    def open_annotation(self, annotation: AnnotationView) -> None:
        """Open an annotation's article in the main window, which comes to the front, and
        show the highlight there once its article is drawn."""
        self.pending = annotation
        self.window.open_article(annotation.article_id)
        main = self.window.widget()
        main.raise_()
        main.activateWindow()

    def close(self) -> None:
        if self.library is not None:
            self.library.close()
            self.library.deleteLater()
            self.library = None

    # -- exports ------------------------------------------------------------------------

    def export_markdown(self) -> None:
        self.export("md")

    def export_jsonld(self) -> None:
        self.export("jsonld")

    def export_csv(self) -> None:
        self.export("csv")

    def export(self, fmt: str) -> None:
        """Write every highlight in the archive to a file the reader chooses."""
        name, filter_ = EXPORTS[fmt]
        parent = self.library if self.library is not None and self.library.isVisible() else None
        path = SaveFileDialog.ask(
            parent or self.window.widget(), "Export highlights", name, filter_
        )
        if path is None:
            return
        annotations = self.archive.annotations
        chosen: ExportFormat = fmt  # type: ignore[assignment]

        def write() -> int:
            text = annotations.export(chosen)
            path.write_text(text, encoding="utf-8")
            return len(annotations.list())

        self.window.executor.read(
            write,
            lambda n: self.window.status.message(f"{n:,} highlights exported to {path.name}", 8000),
            lambda error: self.window.status.report_error("Could not export the highlights", error),
        )
