"""The status bar: what is being worked on, its progress, and what went wrong.

Errors are told in a sentence (newsreader.ui.errors); the technical detail is one click
away behind "Details", never in the status line itself.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QProgressBar, QPushButton

from newsreader.core import db
from newsreader.core.errors import ArchiveUnreachable
from newsreader.ui.errors import ErrorBox, human
from newsreader.ui.plain_text import message_box, plain_label

log = logging.getLogger(__name__)
MESSAGE_MS = 15_000


class StatusArea:
    """The parts of the main window's status bar, and what they say."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self._away = False  # a team archive's server cannot be reached; writes wait
        self.bar = window.statusBar()
        self.bar.setObjectName("statusBar")
        self.count_label = QLabel(window)
        self.count_label.setObjectName("articleCount")
        self.count_label.setAccessibleName("Articles in the list")
        self.busy = QProgressBar(window)
        self.busy.setObjectName("busyIndicator")
        self.busy.setAccessibleName("Progress")
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        self.work_label = QLabel(window)
        self.work_label.setObjectName("workLabel")
        self.offline_label = QLabel("Offline", window)
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.setToolTip("Working offline: nothing is fetched (Feeds menu)")
        self.offline_label.hide()
        self.member_label = QLabel(window)  # a team archive's: who you are there, your role
        self.member_label.setObjectName("memberLabel")
        self.member_label.hide()
        self.search_hint = plain_label("", window)
        self.search_hint.setObjectName("searchHint")
        self.search_hint.hide()
        self.details_button = self._button(
            "errorDetailsButton", "Details…", "What went wrong, in full"
        )
        self.details_button.clicked.connect(self.show_last_error)
        self.report_button = self._button(
            "showReportButton",
            "Show report",
            "Every item of the last import: saved, updated, duplicate or failed, and why",
        )
        self.cancel_import_button = self._button(
            "cancelImportButton", "Cancel import", "Stop the import; what was saved stays"
        )
        self.bar.addWidget(self.search_hint)
        for widget in (
            self.member_label,
            self.offline_label,
            self.work_label,
            self.details_button,
            self.report_button,
            self.cancel_import_button,
            self.busy,
            self.count_label,
        ):
            self.bar.addPermanentWidget(widget)
        self._last_error: tuple[str, BaseException | str] | None = None

    def _button(self, name: str, text: str, description: str) -> QPushButton:
        button = QPushButton(text, self.window)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.setFlat(True)
        button.hide()
        return button

    def message(self, text: str, ms: int = 4000) -> None:
        self.bar.showMessage(text, ms)

    def show_work(self, message: str) -> None:
        """Background work has started: a busy bar and a message."""
        self.busy.setRange(0, 0)
        self.busy.show()
        self.bar.showMessage(message)

    def show_progress(self, done: int, total: int, what: str = "Working…") -> None:
        self.busy.setRange(0, max(total, 1))
        self.busy.setValue(done)
        self.busy.show()
        self.bar.showMessage(f"{what} {done:,} of {total:,}")

    def done_working(self) -> None:
        self.busy.hide()

    def set_in_flight(self, in_flight: int) -> None:
        self.work_label.setText("Working…" if in_flight else "")
        if in_flight == 0 and self.busy.maximum() == 0:
            self.busy.hide()

    def show_member(self, member: str, role: str, may: str) -> None:
        """Say who the window works as in a team archive, and what their role may do (the
        commands it may not are greyed out)."""
        self.member_label.setText(f"{member} · {role}")
        self.member_label.setToolTip(f"You work in this team archive as {member}, {role}: {may}")
        self.member_label.setAccessibleName(f"Team member {member}, {role}")
        self.member_label.show()

    def set_offline(self, offline: bool) -> None:
        self.offline_label.setVisible(offline)

    def team_unreachable(self, away: bool) -> None:
        """Say, until it is back, that a team archive's server is away and nothing typed
        is lost; then that the waiting changes are saved."""
        self._away = away
        if away:
            self.bar.showMessage(
                "Team archive unreachable — retrying. Your changes are kept and will be "
                "saved when it is back."
            )
        else:
            self.bar.showMessage("Team archive reachable again — your changes are saved.",
                                 MESSAGE_MS)  # fmt: skip

    def report_error(self, what: str, error: BaseException | str) -> None:
        """A sentence in the status bar; the detail behind "Details…". While a team
        archive's server is away, what fails for that reason (a count, a list) is logged
        only: the status bar keeps saying that it is away and retried."""
        if isinstance(error, BaseException) and (
            isinstance(error, ArchiveUnreachable) or db.write_failure(error) == "unreachable"
        ):
            log.warning("%s: the team archive is unreachable", what, exc_info=error)
            if not self._away:
                self.bar.showMessage(f"{what}: the team archive cannot be reached right now.")
            return
        if isinstance(error, BaseException):
            log.error("%s", what, exc_info=error)
        self._last_error = (what, error)
        self.bar.showMessage(f"{what}. {human(error)}", MESSAGE_MS)
        self.details_button.show()
        self.busy.hide()

    def show_last_error(self) -> QMessageBox | None:
        if self._last_error is None:
            return None
        self.details_button.hide()
        return ErrorBox.show(self.window, *self._last_error)

    def show_problems(self, title: str, summary: str, lines: list[str]) -> QMessageBox:
        box = message_box(self.window, QMessageBox.Icon.Warning, title, summary)
        box.setObjectName("importReport")
        box.setDetailedText("\n".join(lines))
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box
