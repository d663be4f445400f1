"""Errors in words a reader understands, with the technical detail one click away."""

from __future__ import annotations

import socket
import sqlite3
from urllib.parse import urlsplit

from PySide6.QtWidgets import QMessageBox, QWidget

from newsreader.ui.plain_text import message_box


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def host_of(text: str) -> str:
    """The host named in a message or an address, if any."""
    for word in text.replace("'", " ").replace('"', " ").split():
        parts = urlsplit(word.strip("()<>,."))
        if parts.scheme in ("http", "https") and parts.hostname:
            return parts.hostname
    return ""


def human(error: BaseException | str, *, url: str = "") -> str:
    """One sentence saying what went wrong and what the reader can do."""
    text = str(error)
    errors = [] if isinstance(error, str) else _chain(error)
    names = {type(e).__name__ for e in errors}
    lowered = " ".join(str(e) for e in errors).lower() if errors else text.lower()
    host = (urlsplit(url).hostname or "") if url else host_of(lowered)
    where = host or "the site"
    if "database is locked" in lowered or "database is busy" in lowered:
        return (
            "The archive is busy: another program is writing to it. "
            "Nothing was changed; try again in a moment."
        )
    if "readonly" in lowered or "read-only" in lowered or "attempt to write" in lowered:
        return "The archive is read-only here, so the change could not be kept."
    if (
        any(isinstance(e, socket.gaierror) for e in errors)
        or "name or service not known" in (lowered)
        or "nodename nor servname" in lowered
        or "getaddrinfo" in lowered
    ):
        return f"Could not reach {where} — you may be offline, or the address is wrong."
    if "timed out" in lowered or "timeout" in names or "ReadTimeout" in names:
        return (
            f"{where.capitalize() if not host else where} took too long to answer; try again later."
        )
    if "connection refused" in lowered or "ConnectError" in names:
        return f"Could not connect to {where} — you may be offline, or the site is down."
    if (
        "no space left" in lowered
        or "disk is full" in lowered
        or "database or disk is full" in lowered
    ):
        return "The disk is full: free some space and try again. What was saved is kept."
    if any(isinstance(e, PermissionError) for e in errors):
        return "Newsreader is not allowed to read or write that file (permissions)."
    if any(isinstance(e, FileNotFoundError) for e in errors):
        return "That file or folder is no longer there."
    if any(isinstance(e, sqlite3.DatabaseError) for e in errors) and "malformed" in lowered:
        return "The archive file is damaged; a backup may have it whole."
    return "Something went wrong. The details below say what, for a bug report."


def detail(error: BaseException | str) -> str:
    if isinstance(error, str):
        return error
    return "\n".join(f"{type(e).__name__}: {e}" for e in _chain(error))


class ErrorBox:
    """A non-modal message: the human sentence, the detail behind "Show Details…"."""

    @classmethod
    def show(cls, parent: QWidget | None, what: str, error: BaseException | str) -> QMessageBox:
        box = message_box(parent, QMessageBox.Icon.Warning, what, f"{what}. {human(error)}")
        box.setObjectName("errorBox")
        box.setDetailedText(detail(error))
        box.setModal(False)
        box.show()
        return box
