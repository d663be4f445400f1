"""View → Original page, Article → Re-extract and the "may be incomplete" notice."""

from __future__ import annotations

from PySide6.QtGui import QTextImageFormat
from pytestqt.qtbot import QtBot

from newsreader.core.archive import Archive
from newsreader.core.blocks import Block
from newsreader.ui.main_window import MainWindow
from newsreader.ui.original import OriginalPageDialog, sanitized_original
from tests.factories import make_article, make_png

LEAD = "The harbour board met on Tuesday to decide the future of the old ferry pier."
BODY = (
    "Engineers told the board that the pier's timber piles have rotted below the waterline "
    "and that repairs would cost more than a new concrete structure."
)
HOSTILE_PAGE = (
    "<html><head><title>Pier</title><script>steal()</script>"
    "<link rel=stylesheet href='https://tracker.example/x.css'></head>"
    "<body onload='steal()'><article><h1>Ferry pier to be rebuilt</h1>"
    f"<p>{LEAD}</p><img src='https://cdn.example/pier.png' alt='The pier'>"
    "<img src='file:///dev/zero'><img src='https://tracker.example/pixel.gif'>"
    f"<p onclick='steal()'>{BODY}</p><iframe src='https://ads.example/'></iframe>"
    "</article></body></html>"
)


def show(qtbot: QtBot, window: MainWindow, article_id: int) -> None:
    with qtbot.waitSignal(window.article_shown):
        window.open_article(article_id)


def test_the_original_page_is_shown_sanitized_with_stored_images_only(
    qtbot: QtBot, main_window: MainWindow, archive: Archive
) -> None:
    article = make_article("Ferry pier", (LEAD, BODY), original=HOSTILE_PAGE.encode())
    article.blocks.append(Block("image", src="https://cdn.example/pier.png", alt="The pier"))
    article.images = {"https://cdn.example/pier.png": make_png()}  # stored, as on import
    saved = archive.save(article)
    show(qtbot, main_window, saved.article_id)

    main_window.originals.view_action.trigger()
    qtbot.waitUntil(lambda: main_window.originals.dialog is not None)
    dialog = main_window.originals.dialog
    assert isinstance(dialog, OriginalPageDialog)
    qtbot.addWidget(dialog)
    shown = dialog.browser.toPlainText()
    assert LEAD in shown and BODY in shown
    assert "steal" not in dialog.browser.toHtml()
    images = _image_names(dialog)
    assert len(images) == 1 and images[0].startswith("asset:")


def _image_names(dialog: OriginalPageDialog) -> list[str]:
    names = []
    block = dialog.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(QTextImageFormat(fmt).name())
            it += 1
        block = block.next()
    return [n for n in names if n]


def test_sanitizing_keeps_text_markup_and_drops_scripts_handlers_and_remote_loads() -> None:
    page = sanitized_original(HOSTILE_PAGE, {"https://cdn.example/pier.png": "ab12"})
    assert "<script" not in page and "onload" not in page and "onclick" not in page
    assert "<iframe" not in page and "tracker.example" not in page and "file:" not in page
    assert 'src="asset:ab12"' in page
    assert LEAD in page


def test_a_flagged_article_shows_the_quiet_notice_and_a_whole_one_does_not(
    qtbot: QtBot, main_window: MainWindow, archive: Archive
) -> None:
    flagged = archive.save(make_article("Partial", (LEAD,), may_be_incomplete=True))
    whole = archive.save(make_article("Whole", (BODY,)))
    show(qtbot, main_window, flagged.article_id)
    assert main_window.originals.notice.isVisible()
    show(qtbot, main_window, whole.article_id)
    assert not main_window.originals.notice.isVisible()


def test_re_extract_replaces_a_partial_body_from_the_original_and_says_so(
    qtbot: QtBot, main_window: MainWindow, archive: Archive
) -> None:
    saved = archive.save(make_article("Ferry pier", (LEAD,), original=HOSTILE_PAGE.encode()))
    show(qtbot, main_window, saved.article_id)
    with qtbot.waitSignal(main_window.article_shown, timeout=10_000):
        main_window.originals.reextract_action.trigger()
    assert BODY in main_window.reader.body.toPlainText()
    assert "earlier version is kept" in main_window.statusBar().currentMessage()
    article = archive.get(saved.article_id)
    assert article is not None and article.version == 2
