"""Compact mode's one-line bar: the customer's clock and status at a glance, and the four
panel chords (Ctrl+1..4), each also a button. It redraws on its own (customer changes and
each minute) while it is shown, since the full customer bar is hidden meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from assistant.i18n import _, current_language, ltr
from ui.widgets import plain_label, plain_tooltip

READY_POLL_MS = 500


class CompactBar(QWidget):
    panel_requested = Signal(int)

    def __init__(self, services, titles: list[str], customer_bar, parent: QWidget | None = None):
        """``titles``: the panels' titles, in chord order; the customer bar gives the clock,
        the agent's zone and whether the clock modules are ready (one source for both)."""
        super().__init__(parent)
        self.setObjectName("compact-bar")
        self.services, self.customer_bar = services, customer_bar
        self.ticker = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.time_label = plain_label("", "compact-time", selectable=False)
        self.time_label.setWordWrap(False)
        font = self.time_label.font()
        font.setBold(True)
        self.time_label.setFont(font)
        self.status_label = plain_label("", "compact-status", selectable=False)
        self.status_label.setWordWrap(False)
        row.addWidget(self.time_label)
        row.addWidget(self.status_label)
        row.addStretch(1)
        # "Ctrl+ 1 2 3 4": the modifier once, then a button per panel (narrow enough for one line)
        modifier = QKeySequence("Ctrl+1").toString(QKeySequence.NativeText)[:-1]
        self.modifier_label = plain_label(ltr(modifier), "compact-chords", selectable=False)
        self.modifier_label.setWordWrap(False)
        row.addWidget(self.modifier_label)
        self.chord_buttons = []
        for index, title in enumerate(titles):
            keys = QKeySequence(f"Ctrl+{index + 1}").toString(QKeySequence.NativeText)
            button = QToolButton()
            button.setObjectName(f"compact-panel-{index + 1}")
            button.setText(str(index + 1))
            button.setAutoRaise(True)
            button.setToolTip(_("{action} ({key})").format(action=title, key=ltr(keys)))
            button.setAccessibleName(title)
            button.setFocusPolicy(Qt.NoFocus)  # a glance bar: the chords are the keyboard's way
            button.clicked.connect(lambda _checked=False, i=index: self.panel_requested.emit(i))
            row.addWidget(button)
            self.chord_buttons.append(button)
        services.customer.changed.connect(self._customer_changed)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.refresh()

    def _customer_changed(self, _context) -> None:
        self.refresh()

    def refresh(self, at=None) -> None:
        if not self.isVisible():
            return
        if not self.customer_bar.ready:  # the clock modules load after the first paint
            self.time_label.setText("—")
            self.status_label.hide()
            QTimer.singleShot(READY_POLL_MS, self, self.refresh)
            return
        if self.ticker is None:
            from ui.clock_widget import MinuteTicker

            self.ticker = MinuteTicker(self.customer_bar._now, self)
            self.ticker.tick.connect(self.refresh)
            self.ticker.start()
        from assistant.clock.details import STATUS_SHORT, clock_details
        from assistant.clock.errors import ClockError
        from ui.clock_widget import style_status

        context = self.services.customer.context
        details = None
        if context.zone:
            try:
                details = clock_details(context, self.customer_bar.agent_zone(), at or self.customer_bar._now(),
                                        current_language(), self.services.db)
            except ClockError:  # a stored zone this tzdata no longer knows: the full bar says why
                details = None
        if details is None:
            self.time_label.setText("—")
            self.time_label.setToolTip(_("Set the customer to see their local time."))
            self.status_label.hide()
            return
        self.time_label.setText(ltr(details.time_text))
        self.time_label.setToolTip(plain_tooltip(context.label))  # the customer's name: plain
        self.status_label.setText(_(STATUS_SHORT[details.status.status]))
        style_status(self.status_label, details.status.status)
        self.status_label.show()
