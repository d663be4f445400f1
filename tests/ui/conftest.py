"""Every UI test leaves nothing behind: no window still shown, no worker thread running."""

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

OUR_THREADS = ("nr-", "feed")  # the executor's pools and the feed refresh threads


@pytest.fixture(autouse=True)
def _nothing_leaks(qapp: QApplication) -> Iterator[None]:
    yield  # torn down after qtbot has closed the test's widgets
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert not shown, f"top-level widgets left open: {[type(w).__name__ for w in shown]}"
    deadline = time.monotonic() + 5
    while (running := _our_threads()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not running, f"threads left running: {[t.name for t in running]}"


def _our_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(OUR_THREADS) and t.is_alive()]
