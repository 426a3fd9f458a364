"""Small widget helpers shared by the panels and dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "", name: str = "", selectable: bool = True) -> QLabel:
    """A wrapping label that shows its text as plain text, never as HTML: pack, card and
    customer text reaches the screen through here."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label
