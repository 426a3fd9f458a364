"""The current customer as a Qt object panels listen to: the window's one customer holder.

It holds no customer of its own: the core's customer session
(``assistant.customer.session.CustomerSession``) does, with every rule for setting one, and
feeds this holder, which announces each change with ``changed``. Whoever sets the customer
(the bar, the queue's "open customer", a pin, a recent, a call pop) goes through the session
(``services.session``); the bar's field, its recents and the clocks follow ``changed``."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from assistant.customer import CustomerContext


class CustomerContextHolder(QObject):
    changed = Signal(object)  # CustomerContext, after every change of the current customer

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.session = None
        self._context = CustomerContext()

    def bind(self, session) -> None:
        """Follow ``session`` (a CustomerSession): its changes are announced by ``changed``."""
        self.session = session
        session.subscribe(customer=self._followed)

    @property
    def context(self) -> CustomerContext:
        return self._context

    def set(self, context: CustomerContext) -> None:
        """Set the customer through the session (its rules apply: remembered in recents...)."""
        self.session.set(context)

    def _followed(self, context: CustomerContext) -> None:
        changed = context != self._context
        self._context = context
        if changed:
            self.changed.emit(context)
