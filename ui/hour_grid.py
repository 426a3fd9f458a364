"""The pinned customers' hour grid (as World Time Buddy does): the agent's next 24 hours
down the side, one column for the agent and one per pinned customer, business hours shaded,
the current hour marked; clicking an hour opens a new task with its follow-up at that
instant (for that customer). Rules in assistant.clock.grid; this is the view. Columns, not
rows, per person, so it fits the companion's width."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

from assistant.clock.ticks import utc_now
from assistant.i18n import _, current_language
from ui.narrow import fit_columns
from ui.widgets import plain_label, plain_tooltip

# Shades blend with the theme's base colour (alpha), so they read on light and dark palettes;
# the status is also in each cell's tooltip, so colour is never the only signal.
SHADES = {
    "business_hours": QColor(46, 125, 50, 90),
    "night": QColor(55, 71, 79, 70),
    "weekend": QColor(93, 64, 55, 50),
    "holiday": QColor(106, 27, 154, 50),
}


class HourGridDialog(QDialog):
    picked = Signal(object, object)  # CustomerContext or None (the agent's column), UTC instant

    def __init__(self, services, parent=None, now: Callable[[], datetime] = utc_now):
        super().__init__(parent)
        self.services = services
        self.now = now
        self.setObjectName("hour-grid")
        self.setWindowTitle(_("Pinned customers' hours"))
        layout = QVBoxLayout(self)
        self.hint = plain_label(_("Shaded: business hours. Click an hour to add a follow-up then."),
                                "hour-grid-hint", selectable=False)
        layout.addWidget(self.hint)
        self.table = QTableWidget()
        self.table.setObjectName("hour-grid-table")
        self.table.setAccessibleName(_("Pinned customers' hours"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.cellActivated.connect(self._pick)
        self.table.cellClicked.connect(self._pick)
        layout.addWidget(self.table, 1)
        self.rows = []
        self.reload()
        self.resize(440, 640)

    def reload(self) -> None:
        from assistant.clock.grid import hour_grid
        from assistant.clock.details import STATUS_LABELS
        from assistant.clock.status import BusinessHoursCache
        from assistant.clock.zones import country_of_zone

        session = self.services.session
        agent = session.agent_zone()
        self.rows = hour_grid(agent, country_of_zone(agent), session.pins(), self.now(),
                              BusinessHoursCache(self.services.db), current_language())
        count = len(self.rows[0].cells)
        self.table.clear()
        self.table.setRowCount(count)
        self.table.setColumnCount(len(self.rows))
        self.table.setHorizontalHeaderLabels([row.title for row in self.rows])
        self.table.setVerticalHeaderLabels([_("now")] + [""] * (count - 1))
        for column, row in enumerate(self.rows):
            for index, cell in enumerate(row.cells):
                text = f"{cell.new_day} {cell.label}" if cell.new_day else cell.label
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, cell.status)
                item.setToolTip(plain_tooltip(_(STATUS_LABELS.get(cell.status, cell.status))))
                shade = SHADES.get(cell.status)
                if shade is not None:
                    item.setBackground(shade)
                if index == 0:  # now
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(index, column, item)
        fit_columns(self.table)

    def _pick(self, row: int, column: int) -> None:
        if not self.rows or column >= len(self.rows):
            return
        grid_row = self.rows[column]
        self.picked.emit(grid_row.customer, grid_row.cells[row].instant)
        self.accept()


def open_hour_grid(window, now: Callable[[], datetime] = utc_now) -> HourGridDialog:
    """The grid; an hour clicked opens the queue's new task with that follow-up."""
    dialog = HourGridDialog(window.services, window, now)
    queue = window.panel_by_id("queue") if hasattr(window, "panel_by_id") else None
    if queue is not None:
        dialog.picked.connect(lambda customer, instant: queue.quick_add(customer, instant))
    dialog.open()
    return dialog
