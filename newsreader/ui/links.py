"""The one door to the system browser: only http(s) addresses ever leave the app."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

WEB_SCHEMES = ("http", "https")


def is_web(url: QUrl | str) -> bool:
    """True only for a well-formed http(s) address with a host."""
    parsed = url if isinstance(url, QUrl) else QUrl(url, QUrl.ParsingMode.StrictMode)
    return parsed.isValid() and parsed.scheme().lower() in WEB_SCHEMES and bool(parsed.host())


def open_in_browser(url: QUrl | str) -> bool:
    """Hand an http(s) address to the system browser; anything else (file:, smb:,
    javascript:, ms-msdt:…) is refused, and the caller shows it instead."""
    parsed = url if isinstance(url, QUrl) else QUrl(url, QUrl.ParsingMode.StrictMode)
    if not is_web(parsed):
        return False
    return bool(QDesktopServices.openUrl(parsed))
