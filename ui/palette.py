"""Command palette (Ctrl+K): type to find any action the panels offer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from assistant.fuzzy import rank
from assistant.i18n import _, ltr
from ui.services import Command


class CommandPalette(QDialog):
    def __init__(self, commands: list[Command], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Command palette"))
        self.commands = commands
        self.chosen: Command | None = None
        layout = QVBoxLayout(self)
        self.query = QLineEdit()
        self.query.setPlaceholderText(_("Type a command…"))
        self.query.setAccessibleName(_("Command search"))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Commands"))
        layout.addWidget(self.query)
        layout.addWidget(self.list)
        self.query.textChanged.connect(self.refilter)
        self.query.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda _item: self.accept_current())
        self.refilter("")
        self.resize(360, 320)

    def refilter(self, text: str) -> None:
        self.list.clear()
        labels = [f"{c.title} {c.keywords}" for c in self.commands]
        for index in rank(text, labels):
            command = self.commands[index]
            label = f"{command.title}    {ltr(command.shortcut)}" if command.shortcut else command.title
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, index)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Down, Qt.Key_Up) and self.query.hasFocus():
            row = self.list.currentRow() + (1 if event.key() == Qt.Key_Down else -1)
            self.list.setCurrentRow(max(0, min(row, self.list.count() - 1)))
            return
        super().keyPressEvent(event)

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = self.commands[item.data(Qt.UserRole)]
        self.accept()
