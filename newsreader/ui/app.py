"""Starting the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from newsreader.core.archive import Archive, ArchiveError
from newsreader.ui.main_window import MainWindow


def run_gui(archive_path: Path, qt_args: list[str] | None = None) -> int:
    """Open the main window over the archive at `archive_path` and run until it closes."""
    app = QApplication.instance() or QApplication([sys.argv[0], *(qt_args or [])])
    app.setApplicationName("Newsreader")
    app.setOrganizationName("Newsreader")
    try:
        archive = Archive(archive_path)
    except ArchiveError as error:
        QMessageBox.critical(None, "Newsreader", str(error))
        return 1
    try:
        window = MainWindow(archive)
        window.show()
        return int(app.exec())
    finally:
        archive.close()
