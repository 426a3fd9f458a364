"""Copying to the system clipboard.

Measured here (PySide6 6.12): a QMimeData created in Python and handed to the clipboard
crashes the process at exit (SIGSEGV), while setText() does not. So plain text goes through
setText(), rich text through QMimeData, and before the app quits a rich entry we placed is
replaced by its plain text (the agent keeps what they copied)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

_placed_rich = False


def copy(text: str, html: str | None = None) -> None:
    global _placed_rich
    clipboard = QGuiApplication.clipboard()
    if html is None:
        clipboard.setText(text)
        _placed_rich = False
        return
    data = QMimeData()
    data.setText(text)  # the plain-text alternative for apps that do not take rich text
    data.setHtml(html)
    clipboard.setMimeData(data)
    _placed_rich = True


def settle() -> None:
    """Call before the application object goes away."""
    global _placed_rich
    if _placed_rich:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(clipboard.text())
        _placed_rich = False
