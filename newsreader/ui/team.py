"""File → Open team archive…: an address, tried before it is opened, then a window of its own.

The address is tried off the UI thread (core.team.probe: who you are there, your role, how
many articles). Opening starts another Newsreader window on it — each archive its own
window and process, as with files — so this window's work is never interrupted. Recent
addresses are remembered without their passwords; a password typed into an address reaches
the new window only through its environment (PGPASSWORD), never its command line or the
settings.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsreader.core import db
from newsreader.core.team import ROLE_DESCRIPTIONS, Reachable, TeamError, probe
from newsreader.ui.plain_text import plain_label

if TYPE_CHECKING:
    from newsreader.ui.main_window import MainWindow

RECENT_SETTING = "team/recent"
RECENT_KEPT = 8


def describe(found: Reachable) -> str:
    """What trying an address found, in a sentence."""
    role = f"{found.role} ({ROLE_DESCRIPTIONS[found.role]})" if found.role else "no team role"
    if found.articles is None:
        return f"Connected as {found.member}. The database is empty: opening it makes the archive."
    return f"Connected as {found.member} — {role} — {found.articles:,} articles."


class TeamArchiveDialog(QDialog):
    """Asks for a team archive's address, and can try it first."""

    tried = Signal(str, bool)  # the sentence, whether it could be reached

    def __init__(self, parent: QWidget | None, recent: list[str], run: Any) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open team archive")
        self.setObjectName("teamArchiveDialog")
        self._run = run  # runs a function off the UI thread: run(fn, on_done, on_failed)
        intro = plain_label(
            "The address of a team archive on a PostgreSQL server, such as "
            "postgresql://you@db.example.org/news — add ?sslmode=require for an encrypted "
            "connection. Passwords come from ~/.pgpass; one typed here is not remembered.",
            self,
        )
        intro.setWordWrap(True)
        self.address = QComboBox(self)
        self.address.setEditable(True)
        self.address.setObjectName("teamAddress")
        self.address.setAccessibleName("Team archive address")
        self.address.addItems(recent)
        self.address.setMinimumWidth(420)
        line = self.address.lineEdit()
        assert line is not None
        line.setPlaceholderText("postgresql://you@server/archive")
        self.outcome = QLabel("", self)
        self.outcome.setObjectName("teamProbeResult")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.try_button = QPushButton("&Try connection", self)
        self.try_button.setObjectName("teamTryButton")
        self.try_button.clicked.connect(self.try_address)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.address, self.try_button, self.outcome, self.buttons):
            layout.addWidget(widget)
        self.tried.connect(self._show_result)

    def chosen(self) -> str:
        return self.address.currentText().strip()

    def _problem(self) -> str:
        address = self.chosen()
        if not address:
            return "Give the archive's address."
        if not db.is_server_address(address):
            return "A team archive's address starts with postgresql:// (files: --archive PATH)."
        return ""

    def try_address(self) -> None:
        if problem := self._problem():
            self._show_result(problem, False)
            return
        self.try_button.setEnabled(False)
        self.outcome.setText("Trying…")
        address = self.chosen()
        self._run(
            lambda: describe(probe(address)),
            lambda sentence: self.tried.emit(sentence, True),
            lambda error: self.tried.emit(str(error) if isinstance(error, TeamError)
                                          else f"Could not try it: {error}", False),
        )  # fmt: skip

    def _show_result(self, sentence: str, reachable: bool) -> None:
        self.try_button.setEnabled(True)
        self.outcome.setText(sentence)
        self.outcome.setProperty("reachable", reachable)

    def _accept_if_valid(self) -> None:
        if problem := self._problem():
            self._show_result(problem, False)
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, recent: list[str], run: Any) -> str | None:
        dialog = cls(parent, recent, run)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def new_window_command(address: str) -> tuple[list[str], dict[str, str]]:
    """The arguments and extra environment of a Newsreader window on `address`: its
    password, if it holds one, travels in the environment only (never the command line,
    which other users of the machine can read)."""
    from sqlalchemy.engine import make_url

    password = make_url(address).password
    extra = {"PGPASSWORD": str(password)} if password else {}
    return ["-m", "newsreader", "--archive", db.public_address(address)], extra


def open_in_new_window(address: str) -> bool:
    """Start a Newsreader window (a process of its own) on a team archive."""
    arguments, extra = new_window_command(address)
    environment = QProcessEnvironment.systemEnvironment()
    for name, value in extra.items():
        environment.insert(name, value)
    process = QProcess()
    process.setProgram(sys.executable)
    process.setArguments(arguments)
    process.setProcessEnvironment(environment)
    process.setWorkingDirectory(os.getcwd())
    started, _pid = process.startDetached()
    return bool(started)


class TeamArchives(QObject):
    """The window's File → Open team archive… command."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction("Open &team archive…", window)
        self.action.setObjectName("openTeamArchiveAction")
        self.action.setToolTip("Open a team archive on a PostgreSQL server in a new window")
        self.action.triggered.connect(self.open_team_archive)

    def recent(self) -> list[str]:
        value = self.window.settings.value(RECENT_SETTING, [])
        return [str(v) for v in (value if isinstance(value, list) else [value] if value else [])]

    def remember(self, address: str) -> None:
        public = db.public_address(address)
        kept = [public, *(a for a in self.recent() if a != public)][:RECENT_KEPT]
        self.window.settings.setValue(RECENT_SETTING, kept)

    def open_team_archive(self) -> None:
        address = TeamArchiveDialog.ask(self.window, self.recent(), self.window.executor.long)
        if not address:
            return
        self.remember(address)
        if open_in_new_window(address):
            self.window.status.message(f"Opening {db.public_address(address)} in a new window…")
        else:
            self.window.status.message("Could not start a new window for the team archive")
