"""Call pop in the window: a customer handed over by a softphone or a CRM (a second start
with ``--customer``, an ``agent-assistant://customer?q=`` link, or on macOS a link the system
delivers as an open-URL event) becomes the current customer, through the customer bar and so
the one customer session, exactly as if the agent had typed it.

The window comes forward without taking the keyboard from the call unless ``focus`` was asked
for: shown if hidden, raised if behind, its taskbar entry flashing if minimised, and a notice
says who was set. What a link may carry is decided in assistant.integration.links."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from assistant import APP_NAME
from assistant.i18n import _

log = logging.getLogger(__name__)


def pop_customer(window, text: str, focus: bool = False) -> None:
    """Make ``text`` (checked plain text) the customer, as Enter in the customer field does
    (read ahead off the GUI thread, then set); a notice says whether it was understood
    (when not, the customer bar shows why and the previous customer stays)."""
    def said(understood: bool) -> None:
        window.notify(APP_NAME, (_("Customer from a call: {customer}") if understood else
                                 _("A call's customer was not understood: {customer}")).format(customer=text))
    window.customer_bar.enter(text, said)
    if focus:
        window.bring_forward()
    else:
        show_without_focus(window)


def show_without_focus(window) -> None:
    """Bring ``window`` forward without activating it: the agent keeps typing in the call.

    Hidden (in the tray): shown as a new window that asks not to be activated. Behind other
    windows: raised. Minimised: its taskbar entry asks for attention, and it stays minimised,
    because window managers give the focus to a window that is restored (openbox does even
    when asked not to; see tests/ui/test_call_pop_x11.py). Qt reads "do not activate" from the
    native window's ``_q_showWithoutActivating`` property (xcb: _NET_WM_USER_TIME 0; Windows:
    SW_SHOWNOACTIVATE); ``Qt.WA_ShowWithoutActivating`` only sets it when the native window is
    created, so both are set here."""
    if window.isMinimized():
        QApplication.alert(window)
        return
    if not window.isVisible():
        handle = window.windowHandle()
        window.setAttribute(Qt.WA_ShowWithoutActivating, True)
        if handle is not None:
            handle.setProperty("_q_showWithoutActivating", True)
        try:
            window.show()
        finally:
            window.setAttribute(Qt.WA_ShowWithoutActivating, False)
            if handle is not None:
                handle.setProperty("_q_showWithoutActivating", False)
    window.raise_()


class CallPops(QObject):
    """Where call pops arrive in the app: from the start's own ``--customer`` or link, from a
    second start (:meth:`take`), and as the open-URL events the system sends the application
    (macOS delivers a link to the bundle's CFBundleURLTypes this way, even at launch). They
    wait until the database is ready (:meth:`start`); then the latest one is applied. Other
    links are refused and logged."""

    def __init__(self, allowed: bool, parent: QObject | None = None):
        super().__init__(parent)
        self.allowed = allowed  # the policy's allow_link_handler
        self.window = None
        self.pending: tuple[str, bool] | None = None

    def start(self, window) -> None:
        """The window can take customers now: the call that came before is applied."""
        self.window = window
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pop_customer(window, *pending)

    def take(self, text: str, focus: bool = False) -> None:
        """A checked customer text: applied now, or when the window is ready (the latest
        call is the one that matters)."""
        if self.window is None:
            self.pending = (text, focus)
        else:
            pop_customer(self.window, text, focus)

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.FileOpen or not event.url().isValid() or event.url().isLocalFile():
            return False
        self.open_link(bytes(event.url().toEncoded()).decode("ascii", "replace"))
        return True

    def open_link(self, link: str) -> None:
        from assistant.integration.links import LinkError, customer_from_link

        if not self.allowed:
            log.warning("a link was refused: the deployment policy forbids links (allow_link_handler)")
            return
        try:
            text = customer_from_link(link)
        except LinkError as exc:
            log.warning("a link was refused: %s", exc)
            return
        self.take(text)
