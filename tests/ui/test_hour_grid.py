"""The pinned customers' hour grid: the agent's next 24 hours against each pin's, business
hours shaded, now marked, an hour clicked pre-fills a follow-up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt

from assistant import settings
from assistant.clock.grid import hour_grid, start_of_hour
from assistant.clock.status import BusinessHoursCache, customer_status
from assistant.customer import CustomerContext

UTC = timezone.utc
NOW = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)  # a Thursday
PRIYA = CustomerContext(name="Priya", country="IN", zone="Asia/Kolkata")
NEW_YORK = CustomerContext(country="US", zone="America/New_York")


def test_the_grid_is_every_hour_in_every_pinned_zone_with_its_status():
    rows = hour_grid("Europe/London", "GB", [PRIYA, NEW_YORK, CustomerContext(country="ES")], NOW,
                     BusinessHoursCache(), "en")
    assert [r.title for r in rows] == ["You", "Priya", "New York"]  # a pin without a zone is left out
    first = start_of_hour(NOW, "Europe/London")
    for row in rows:
        assert len(row.cells) == 24
        assert [c.instant for c in row.cells] == [first + timedelta(hours=n) for n in range(24)]
        for cell in row.cells:
            assert cell.status == customer_status(row.customer.country if row.customer else "GB",
                                                  row.zone, cell.instant).status
    assert rows[1].cells[0].label.startswith("2:30")  # India's half hour shows its minutes
    assert rows[0].cells[0].new_day and not rows[0].cells[1].new_day  # the weekday where a day starts


def test_labels_follow_the_hour_cycle():
    from assistant.clock import hours

    hours.set_hour_cycle("24")
    rows = hour_grid("Europe/London", "GB", [NEW_YORK], NOW, BusinessHoursCache(), "en", count=2)
    assert [c.label for c in rows[1].cells] == ["5", "6"]


@pytest.fixture
def pinned(services):
    settings.put(services.db, "clock.agent_zone", "Europe/London")
    for pin in (PRIYA, NEW_YORK):
        services.session.pin(pin)
    return services


def test_the_grid_view_shades_business_hours_marks_now_and_prefills_a_follow_up(qtbot, pinned):
    from ui.hour_grid import HourGridDialog

    dialog = HourGridDialog(pinned, now=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    assert table.columnCount() == 3 and table.rowCount() == 24
    assert table.verticalHeaderItem(0).text() == "now" and table.item(0, 0).font().bold()
    for row in range(24):
        for column in range(3):
            item = table.item(row, column)
            shaded = item.background().style() != Qt.NoBrush
            assert shaded == (item.data(Qt.UserRole) != "outside_hours")
            if item.data(Qt.UserRole) == "business_hours":
                assert item.background().color().alpha() < 255  # blends with the theme
    assert not table.horizontalScrollBar().isVisibleTo(table) or table.horizontalScrollBar().maximum() == 0
    picked = []
    dialog.picked.connect(lambda customer, instant: picked.append((customer, instant)))
    table.cellClicked.emit(3, 2)  # New York's column, three hours from now
    assert picked == [(NEW_YORK, start_of_hour(NOW, "Europe/London") + timedelta(hours=3))]


def test_an_hour_clicked_opens_a_new_task_for_that_customer_then(qtbot, main_window):
    from ui.hour_grid import open_hour_grid
    from ui.quick_add import TaskDialog

    window = main_window
    settings.put(window.services.db, "clock.agent_zone", "Europe/London")
    window.services.session.pin(PRIYA)
    dialog = open_hour_grid(window, now=lambda: NOW)
    dialog.table.cellClicked.emit(1, 1)
    task_dialog = next(d for d in window.findChildren(TaskDialog) if d.isVisible())
    assert task_dialog.customer == PRIYA
    assert task_dialog.follow_up.instant() == start_of_hour(NOW, "Europe/London") + timedelta(hours=1)
    task_dialog.reject()
