"""Reading hostile articles in the real window: no request leaves the machine, no file
named by a page is read, and hovering everything stays within a memory limit.

Every URL in these articles (images, links, related entries, the article's own address)
points at a local server that records each request; the test fails if it saw any.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.core.blocks import Block, ExtractedArticle
from newsreader.testing import isolated_settings

MEMORY_LIMIT = 2 * 1024**3


def hostile_articles(archive: Archive, server: str) -> list[int]:
    ids = []
    for n in range(5):
        title = f'<img src="{server}/title-{n}.png"><img src="file:///dev/zero"> Budget {n}'
        blocks = [
            Block("paragraph", f"Budget talks {n} went on late."),
            Block("image", src=f"{server}/photo-{n}.jpg", alt=f'<img src="{server}/alt.png">'),
            Block("paragraph", f'<a href="{server}/inline">not a link</a> <script>x()</script>'),
        ]
        ids.append(archive.save(ExtractedArticle(
            title=title, blocks=blocks, url=f"{server}/article-{n}", source=title,
            section=title, byline=f'<img src="{server}/byline.png">',
            related=[], images={},
        )).article_id)  # fmt: skip
    return ids


def test_opening_and_rendering_hostile_articles_touches_no_network(
    qtbot: QtBot, tmp_path: Path, httpserver: HTTPServer
) -> None:
    from newsreader.ui.main_window import MainWindow

    server = httpserver.url_for("").rstrip("/")
    with Archive(tmp_path / "a.sqlite3") as archive:
        ids = hostile_articles(archive, server)
        window = MainWindow(archive, seed=False, settings=isolated_settings(tmp_path))
        qtbot.addWidget(window)
        window.show()
        for article_id in ids:
            with qtbot.waitSignal(window.article_shown):
                window.open_article(article_id)
            window.grab()  # lays out and paints everything, images included
        qtbot.waitUntil(lambda: window.executor.in_flight == 0)
        window.close()
    assert httpserver.log == []


HOVER_EVERYTHING = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from pathlib import Path
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QToolTip
    from newsreader.core.archive import Archive
    from newsreader.core.blocks import ExtractedArticle, paragraphs_to_blocks
    from newsreader.testing import isolated_settings
    from newsreader.ui.main_window import MainWindow

    app = QApplication([])
    folder = Path(sys.argv[1])
    hostile = '<img src="file:///dev/zero"> Budget talks'
    archive = Archive(folder / "a.sqlite3")
    article_id = archive.save(ExtractedArticle(
        title=hostile, blocks=paragraphs_to_blocks(["Budget talks went on."]), source=hostile,
        section=hostile)).article_id
    archive.annotations.create(article_id, 0, 6, note=hostile, tags=[hostile])
    window = MainWindow(archive, seed=False, settings=isolated_settings(folder))
    window.show()
    window.open_article(article_id)
    for _ in range(50):
        app.processEvents()
    hovered = 0
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        for row in range(model.rowCount() if model is not None else 0):
            spot = view.visualRect(model.index(row, 0)).center()
            event = QHelpEvent(QEvent.Type.ToolTip, spot, view.viewport().mapToGlobal(spot))
            QApplication.sendEvent(view.viewport(), event)
            app.processEvents()
            hovered += QToolTip.isVisible()
            QToolTip.showText(spot, QToolTip.text())  # shown again: laid out and painted
            app.processEvents()
    print("hovered", hovered)
    window.close()
    archive.close()
""")


def test_hovering_hostile_text_everywhere_stays_within_a_memory_limit(tmp_path: Path) -> None:
    script = HOVER_EVERYTHING.format(limit=MEMORY_LIMIT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    finished = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    hovered = int(finished.stdout.split("hovered")[-1])
    assert hovered >= 3  # the list, the sidebar and the highlights panel showed tooltips
