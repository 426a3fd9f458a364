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


def plain_message(parent, icon, title: str, text: str, buttons=None, default=None) -> int:
    """A message box that shows its text as plain text: pack titles, template text, file
    names and problem messages come from files and must never be read as HTML (the static
    QMessageBox helpers guess the format). ``buttons``: OK unless given."""
    from PySide6.QtWidgets import QMessageBox  # not on the start-up path (labels are)

    box = QMessageBox(icon, title, text, QMessageBox.Ok if buttons is None else buttons, parent)
    box.setTextFormat(Qt.PlainText)
    if default is not None:
        box.setDefaultButton(default)
    return box.exec()


def zone_completer(parent):
    """Completion for a time-zone field: the IANA zones a person would pick (zone.tab) and
    Etc/UTC, matched anywhere in the name, any case ("paris" finds Europe/Paris)."""
    from PySide6.QtWidgets import QCompleter  # not on the start-up path

    from assistant.clock.zones import zone_countries

    completer = QCompleter(sorted([*zone_countries(), "Etc/UTC"]), parent)
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    completer.setFilterMode(Qt.MatchContains)
    return completer
