"""The current customer as a Qt object panels listen to."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from assistant.customer import CustomerContext


class CustomerContextHolder(QObject):
    changed = Signal(object)  # CustomerContext

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._context = CustomerContext()

    @property
    def context(self) -> CustomerContext:
        return self._context

    def set(self, context: CustomerContext) -> None:
        if context != self._context:
            self._context = context
            self.changed.emit(context)
