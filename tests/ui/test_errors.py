import socket
import sqlite3

from pytestqt.qtbot import QtBot

from newsreader.ui.errors import ErrorBox, detail, human


def test_an_unreachable_site_is_told_in_words_with_the_detail_apart() -> None:
    try:
        raise OSError("fetch failed") from socket.gaierror(-2, "Name or service not known")
    except OSError as error:
        said = human(error, url="https://example.com/page")
        assert said == "Could not reach example.com — you may be offline, or the address is wrong."
        assert "Errno" not in said and "gaierror" in detail(error)


def test_a_report_line_from_a_failed_save_becomes_a_sentence() -> None:
    reason = "[Errno -2] Name or service not known (https://example.com/x)"
    assert human(reason, url="https://example.com/x").startswith("Could not reach example.com")


def test_a_locked_or_read_only_archive_is_explained() -> None:
    assert "another program" in human(sqlite3.OperationalError("database is locked"))
    assert "read-only" in human(sqlite3.OperationalError("attempt to write a readonly database"))


def test_the_error_box_shows_the_sentence_and_hides_the_detail_behind_a_click(
    qtbot: QtBot,
) -> None:
    box = ErrorBox.show(None, "Could not save the page", "<b>database is locked</b>")
    qtbot.addWidget(box)
    assert box.text().startswith("Could not save the page. The archive is busy")
    assert box.detailedText() == "<b>database is locked</b>"
    box.close()
