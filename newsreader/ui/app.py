"""Starting the desktop app, or rendering it to a PNG (for docs and bug reports)."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from newsreader.core.archive import Archive, ArchiveError
from newsreader.ui.main_window import MainWindow
from newsreader.ui.plain_text import message_box

OPEN_FLAG = "--newsreader-open="
SPAN_FLAG = "--newsreader-span="  # start,end of a passage to select (a newsreader:// link)
THEME_FLAG = "--newsreader-theme="  # --theme: this run's theme
SCREENSHOT_FLAG = "--newsreader-screenshot="  # --screenshot: render to this PNG and exit
SCREENSHOT_SIZE = (1440, 860)
SETTLE_AFTER_MS = 1500
UI_SWITCH_INTERVAL_S = 0.0002
# Set (to anything) to have the app write "first page <unix time>" to stderr once the
# list's first page is painted: how bench/ui.py times the real command's start-up.
FIRST_PAGE_ENV = "NEWSREADER_REPORT_FIRST_PAGE"
OPENING_DIALOG_AFTER_MS = 1000
UPGRADING_TEXT = (
    "Upgrading the archive…\n\nIt was made by an older version of Newsreader; a large "
    "archive takes a few minutes. Nothing is lost if this is interrupted."
)


def _application(qt_args: list[str]) -> QApplication:
    # Background jobs are Python too, and the UI thread takes the interpreter back at
    # every call into Qt and back (each row painted, each model call): while an import
    # runs, each of those waits up to this long. At 1 ms a repaint of the list waited
    # 66-133 ms in all at a million articles; at 0.2 ms 51-73 (bench/ui.py, 6 runs each).
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("Newsreader")
    app.setOrganizationName("Newsreader")
    return app


def settle_after_start() -> None:
    """Move everything alive after start-up out of the garbage collector's reach.

    A full collection stops every thread, the UI's too, for as long as it takes to walk
    all objects; the code and data loaded at start-up are most of them and never become
    garbage. Frozen, they are skipped, and full collections during a feed refresh or an
    import drop from 60-80 ms to a few (bench/feeds.py).
    """
    gc.collect()
    gc.freeze()


def report_first_page(window: MainWindow) -> None:
    """Write the time the list's first page was painted to stderr, once."""
    model = window.articles_model

    def painted() -> None:
        if model.loaded_rows == 0:
            return
        model.loaded.disconnect(painted)
        window.article_list.viewport().repaint()
        print(f"first page {time.time()}", file=sys.stderr, flush=True)

    model.loaded.connect(painted)


def _flag(args: list[str], prefix: str) -> list[str]:
    """The values given to one of our flags, in order."""
    return [a.removeprefix(prefix) for a in args if a.startswith(prefix)]


def open_window(archive_path: Path | str, qt_args: list[str]) -> int:
    """What the `newsreader` command without a command opens: the window, or with
    --screenshot a PNG of it."""
    if shots := _flag(qt_args, SCREENSHOT_FLAG):
        to_open, themes = _flag(qt_args, OPEN_FLAG), _flag(qt_args, THEME_FLAG)
        return screenshot(archive_path, Path(shots[-1]), int(to_open[-1]) if to_open else None,
                          themes[-1] if themes else None)  # fmt: skip
    return run_gui(archive_path, qt_args)


def open_archive(location: Path | str) -> Archive:
    """Open the archive off the UI thread. Upgrading one made by an older version can take
    minutes when it is large (a million articles: about two); after a second a window says
    what is happening instead of nothing showing at all."""
    opened: list[Archive | BaseException] = []
    upgrading = threading.Event()

    def work() -> None:
        try:
            opened.append(Archive(location, upgrading=upgrading.set))
        except BaseException as error:  # handed to the UI thread, raised there
            opened.append(error)

    thread = threading.Thread(target=work, name="nr-open", daemon=True)
    thread.start()
    dialog = QProgressDialog("Opening the archive…", "", 0, 0)
    dialog.setWindowTitle("Newsreader")
    dialog.setCancelButton(None)  # a half-done upgrade is rolled back, never left
    dialog.setMinimumWidth(420)
    dialog.reset()  # not shown until the timer below says so

    def still_opening() -> None:
        if thread.is_alive():
            dialog.show()

    def tick() -> None:
        if not thread.is_alive():
            loop.quit()
        elif upgrading.is_set() and dialog.labelText() != UPGRADING_TEXT:
            dialog.setLabelText(UPGRADING_TEXT)

    QTimer.singleShot(OPENING_DIALOG_AFTER_MS, still_opening)
    loop = QEventLoop()
    poll = QTimer(interval=50)
    poll.timeout.connect(tick)
    poll.start()
    loop.exec()
    poll.stop()
    dialog.close()
    if isinstance(opened[0], BaseException):
        raise opened[0]
    return opened[0]


def run_gui(archive_path: Path | str, qt_args: list[str] | None = None) -> int:
    """Open the main window over the archive at `archive_path` and run until it closes."""
    args = list(qt_args or [])
    to_open = [int(value) for value in _flag(args, OPEN_FLAG)]
    spans = [value.split(",") for value in _flag(args, SPAN_FLAG)]
    themes = _flag(args, THEME_FLAG)
    app = _application([a for a in args if not a.startswith((OPEN_FLAG, SPAN_FLAG, THEME_FLAG))])
    try:
        archive = open_archive(archive_path)
    except ArchiveError as error:
        message_box(None, QMessageBox.Icon.Critical, "Newsreader", str(error)).exec()
        return 1
    try:
        window = MainWindow(archive)
        if themes:
            window.set_theme(themes[-1])
        if os.environ.get(FIRST_PAGE_ENV):
            report_first_page(window)
        window.show()
        QTimer.singleShot(SETTLE_AFTER_MS, settle_after_start)  # once the first page is up
        if to_open and spans:
            from newsreader.ui.concordance import open_at

            open_at(window, to_open[-1], int(spans[-1][0]), int(spans[-1][1]))
        elif to_open:
            window.open_article(to_open[-1])
        return int(app.exec())
    finally:
        archive.close()


def screenshot(
    archive_path: Path | str,
    out: Path,
    article_id: int | None = None,
    theme: str | None = None,
    size: tuple[int, int] = SCREENSHOT_SIZE,
    prepare: Callable[[MainWindow], None] | None = None,
) -> int:
    """Render the main window offscreen with an article open, save a PNG, exit;
    `prepare` may set the window up first (a search, the highlights window)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _application([])
    try:
        archive = Archive(archive_path)
    except ArchiveError as error:
        print(f"newsreader: {error}", file=sys.stderr)
        return 4
    scratch = tempfile.TemporaryDirectory()  # the user's settings stay untouched
    settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    try:
        window = MainWindow(archive, settings=settings)
        window.set_theme(theme or "light")
        window.resize(*size)
        window.show()
        if article_id is not None:
            window.open_article(article_id)
        if prepare is not None:
            prepare(window)
        loop = QEventLoop()
        idle = QTimer()
        idle.setInterval(50)

        def settled() -> None:
            shown = article_id is None or (
                window.reader.article is not None and window.reader.article.id == article_id
            )
            if shown and window.is_idle():
                loop.quit()

        idle.timeout.connect(settled)
        idle.start()
        QTimer.singleShot(20_000, loop.quit)  # never hang: render what there is
        loop.exec()
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(out), "PNG")
        window.close()
        return 0 if saved else 1
    finally:
        archive.close()
        del settings
        scratch.cleanup()
