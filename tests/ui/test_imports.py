import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.testing import isolated_settings
from newsreader.ui.dialogs import SaveFileDialog
from newsreader.ui.main_window import MainWindow
from tests.factories import SEED_FILE


def test_the_report_of_an_import_stays_behind_show_report_and_exports_as_csv_and_json(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "again.txt").write_bytes(SEED_FILE.read_bytes())
    (folder / "broken.html").write_bytes(b"\x00\x01\x02" * 50)
    with qtbot.waitSignal(main_window.import_finished, timeout=20_000):
        main_window.import_paths([folder])
    for box in main_window.findChildren(QMessageBox):
        box.close()
    button = main_window.status.report_button
    assert button.isVisibleTo(main_window)
    qtbot.wait(100)
    assert button.isVisibleTo(main_window)  # it does not vanish like a status line
    button.click()
    window = main_window.imports.report_window
    assert window is not None and window.isVisible()
    table = window.table

    def cell(row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text() if item is not None else ""

    cells = {(cell(r, 0), Path(cell(r, 1)).name) for r in range(table.rowCount())}
    assert ("failed", "broken.html") in cells
    assert sorted(status for status, _name in cells) == ["duplicate", "failed", "saved"]
    for fmt in ("csv", "json"):
        out = tmp_path / f"report.{fmt}"
        monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a, out=out: out))
        window.export(fmt)
    assert "failed" in (tmp_path / "report.csv").read_text(encoding="utf-8")
    exported = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert exported["counts"]["duplicate"] == 1 and len(exported["items"]) == 3
    window.close()


def test_a_stuck_import_is_cancelled_and_the_window_closes_within_a_second(
    qtbot: QtBot, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = threading.Event()
    release = threading.Event()

    def reading_a_fifo(*_args: Any, **_kwargs: Any) -> None:
        stuck.set()
        release.wait(30)  # like a read() on a FIFO nobody writes to

    monkeypatch.setattr(archive.imports, "paths", reading_a_fifo)
    window = MainWindow(archive, seed=False, settings=isolated_settings(archive.path.parent))
    qtbot.addWidget(window)
    window.show()
    window.import_paths([Path("/nowhere")])
    assert stuck.wait(5)
    cancel = window.status.cancel_import_button
    assert cancel.isVisible()
    started = time.monotonic()
    cancel.click()
    assert not cancel.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    window.close()
    assert time.monotonic() - started < 1.5
    release.set()  # the stuck read ends; its thread goes
