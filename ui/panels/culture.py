from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from assistant.i18n import N_, _
from ui.panels.base import Panel


class CulturePanel(Panel):
    panel_id = "culture"
    title = N_("Culture")

    def __init__(self, services, parent=None):
        super().__init__(services, parent)
        layout = QVBoxLayout(self)
        label = QLabel(_("This panel is not available yet."))
        label.setTextFormat(Qt.PlainText)
        label.setAlignment(Qt.AlignCenter)
        layout.addWidget(label)
