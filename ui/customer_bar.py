"""The customer bar at the top of the window: who the agent is talking to."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from assistant.i18n import _
from ui.services import AppServices


class CustomerBar(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.input = QLineEdit()
        self.input.setPlaceholderText(_("Customer: phone, country, city or time zone"))
        self.input.setAccessibleName(_("Customer"))
        layout.addWidget(self.input)

    def focus_input(self) -> None:
        self.input.setFocus()
        self.input.selectAll()
