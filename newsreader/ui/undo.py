"""Undo and redo through QUndoStack: each command runs its change as an operation."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand


class DoneCommand(QUndoCommand):
    """A change that has already been made (pushed after it succeeded): the first redo,
    which QUndoStack.push calls, does nothing; later ones make the change again."""

    def __init__(self, text: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        super().__init__(text)
        self._undo, self._redo = undo, redo
        self._pushed = False

    def redo(self) -> None:
        if self._pushed:
            self._redo()
        self._pushed = True

    def undo(self) -> None:
        self._undo()
