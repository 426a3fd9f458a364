from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from assistant.i18n import N_, _
from ui.panels.base import Panel


class TranslatePanel(Panel):
    panel_id = "translate"
    title = N_("Translate")

    def __init__(self, services, parent=None):
        super().__init__(services, parent)
        layout = QVBoxLayout(self)
        label = QLabel(_("This panel is not available yet."))
        label.setTextFormat(Qt.PlainText)
        label.setAlignment(Qt.AlignCenter)
        layout.addWidget(label)
