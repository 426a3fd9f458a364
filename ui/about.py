from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel

from assistant import APP_NAME
from assistant.i18n import _
from assistant.versions import component_versions


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("About {app}").replace("{app}", APP_NAME))
        layout = QFormLayout(self)
        versions = dict(component_versions())
        versions["Qt"] = f"{qVersion()} (PySide6 {pyside_version})"
        for name, version in versions.items():
            value = QLabel(version)
            value.setTextFormat(Qt.PlainText)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            layout.addRow(name, value)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.versions = versions
