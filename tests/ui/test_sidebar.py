import subprocess
import sys
from typing import Any

from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.ui import icons
from newsreader.ui.article_list import Scope
from newsreader.ui.sidebar import SCOPE_ROLE
from tests.factories import make_article
from tests.ui.window_text import sidebar_texts


def view_counts(window: Any) -> list[str]:
    return sidebar_texts(window)[:5]


def test_counts_follow_reading_starring_and_highlighting_without_a_refresh(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    ids = [archive.save(make_article(f"Story {n}", (f"Text {n}.",))).article_id for n in range(3)]
    main_window.refresh()
    qtbot.waitUntil(lambda: "Unread (2)" in view_counts(main_window))  # the first opens, read
    for article_id in ids:
        with qtbot.waitSignal(main_window.article_shown):
            main_window.open_article(article_id)
    qtbot.waitUntil(lambda: "Unread (0)" in view_counts(main_window))
    main_window.action("star").trigger()
    qtbot.waitUntil(lambda: "Starred (1)" in view_counts(main_window))
    main_window.reader.select_span(0, 4)
    main_window.action("highlight").trigger()
    qtbot.waitUntil(lambda: "Annotated (1)" in view_counts(main_window))
    main_window.select_scope(Scope(view="annotated"))
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 1)


def test_the_cli_writing_to_the_same_archive_updates_the_open_window(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    article_id = archive.save(make_article("Starred elsewhere", ("s",))).article_id
    main_window.refresh()
    qtbot.waitUntil(lambda: "Starred (0)" in view_counts(main_window))
    command = [sys.executable, "-m", "newsreader", "--archive", str(archive.path), "mark",
               str(article_id), "--star"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    qtbot.waitUntil(lambda: "Starred (1)" in view_counts(main_window), timeout=5000)
    archive.save(make_article("Saved elsewhere", ("e",), section="Sport"))  # another connection
    qtbot.waitUntil(lambda: "All articles (2)" in view_counts(main_window), timeout=5000)
    qtbot.waitUntil(lambda: main_window.articles_model.rowCount() == 2, timeout=5000)


def test_groups_collapse_show_their_unread_counts_and_stay_collapsed(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    for n, section in enumerate(("World", "World", "Sport")):
        archive.save(make_article(f"S{n}", (f"Text {n}.",), section=section))
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.reader.article is not None)  # the first opens, read
    qtbot.waitUntil(lambda: "Sections · 2 unread" in sidebar_texts(main_window))
    sidebar = main_window.sidebar
    group = sidebar.group_index("Sections")
    assert group is not None and sidebar.isExpanded(group)
    sidebar.collapse(group)
    main_window.reading.toggle_read()  # unread again: the counts are drawn anew
    qtbot.waitUntil(lambda: "Sections · 3 unread" in sidebar_texts(main_window))
    group = sidebar.group_index("Sections")
    assert group is not None and not sidebar.isExpanded(group)
    world = next(i for i in sidebar.items() if i.text() == "World (2)")
    assert "unread of 2" in world.toolTip()


def test_every_row_has_an_icon_from_the_bundled_set(
    qtbot: QtBot, archive: Archive, main_window: Any
) -> None:
    archive.save(make_article("Tagged", ("t",), section="World", tags=["keep"]))
    main_window.refresh()
    qtbot.waitUntil(lambda: any(t.startswith("Tags") for t in sidebar_texts(main_window)))
    rows = [i for i in main_window.sidebar.items() if i.data(SCOPE_ROLE) is not None]
    assert rows and all(not i.icon().isNull() for i in rows)
    assert "🏷" not in "".join(sidebar_texts(main_window))  # no emoji font needed
    for name in icons.names():
        assert not icons.icon(name, "#000000").pixmap(24, 24).toImage().isNull()
