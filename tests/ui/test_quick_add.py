"""Quick add (Ctrl+N from anywhere): pre-filled with the current customer, natural times
previewed in both zones before saving, bad or ambiguous times caught."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import get_day_names, get_month_names
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from assistant import settings
from assistant.customer import CustomerContext
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 24, 9)  # Tuesday 10:00 Paris, 18:00 Tokyo
ITO = CustomerContext(name="Ito Hana", country="JP", zone="Asia/Tokyo", language="ja")


@pytest.fixture
def window(main_window, services, monkeypatch):
    import ui.panels.queue as queue

    settings.put(services.db, "tasks.schedule", {"zone": "Europe/Paris"})
    settings.put(services.db, "clock.agent_zone", "Europe/Paris")  # the agent's times
    monkeypatch.setattr(queue, "utc_now", lambda: NOW)
    return main_window


def queue_panel(window):
    return window.panel_by_id("queue")


def open_with_ctrl_n(window, press_shortcut, qtbot):
    window.show_panel(0)  # from another panel: Ctrl+N works anywhere in the window
    press_shortcut(window, Qt.Key_N, Qt.ControlModifier)
    panel = queue_panel(window)
    qtbot.waitUntil(lambda: panel.active_dialog is not None)
    return panel, panel.active_dialog


def test_ctrl_n_prefilled_with_customer_previews_and_saves(window, services, press_shortcut, qtbot):
    services.customer.set(ITO)
    panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    assert dialog.link_customer.isChecked() and "Ito Hana" in dialog.link_customer.text()
    save = dialog.buttons.button(QDialogButtonBox.Save)
    assert not save.isEnabled()  # no title yet
    dialog.title.setText("Call back Mrs Ito about the refund")
    dialog.follow_up.input.setText("tomorrow 10:00 her time")
    preview = dialog.follow_up.preview.text()
    # the customer's 10:00 tomorrow, and the agent's 02:00; names and zone abbreviations are the
    # installed CLDR's and tz database's
    paris = datetime(2026, 11, 25, 2, 0, tzinfo=ZoneInfo("Europe/Paris"))
    tokyo = paris.astimezone(ZoneInfo("Asia/Tokyo"))
    wed, nov = get_day_names("abbreviated", locale="en")[2], get_month_names("abbreviated", locale="en")[11]
    # both in the one 12/24-hour choice (an English UI: 12-hour)
    assert f"You: {wed} 25 {nov} 2:00 AM {paris.tzname()}" in preview
    assert f"Customer: {wed} 25 {nov} 10:00 AM {tokyo.tzname()}" in preview and tokyo.hour == 10
    assert save.isEnabled()
    dialog.priority.setCurrentIndex(1)
    dialog.tags.setText("refund, VIP")
    qtbot.keyClick(dialog.title, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: panel.active_dialog is None)
    task = panel.store.get(1)
    assert task.title == "Call back Mrs Ito about the refund" and task.priority == "high"
    assert task.follow_up_at == utc(2026, 11, 25, 1)
    assert task.customer.zone == "Asia/Tokyo" and task.customer.name == "Ito Hana"
    assert task.tags == ("refund", "vip")
    assert "Added" in panel.status.text()


def test_bad_time_blocks_saving_with_a_message(window, press_shortcut, qtbot):
    _panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    dialog.title.setText("x")
    dialog.follow_up.input.setText("someday soon")
    assert "Cannot read" in dialog.follow_up.preview.text()
    assert not dialog.buttons.button(QDialogButtonBox.Save).isEnabled()
    dialog.follow_up.input.setText("10:00 their time")  # no customer set
    assert "set the customer first" in dialog.follow_up.preview.text()
    assert not dialog.buttons.button(QDialogButtonBox.Save).isEnabled()
    dialog.follow_up.input.setText("in 30 min")
    assert dialog.buttons.button(QDialogButtonBox.Save).isEnabled()
    dialog.reject()


def test_nonexistent_and_ambiguous_times(window, press_shortcut, qtbot):
    panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    dialog.title.setText("x")
    dialog.follow_up.input.setText("2027-03-28T02:30")
    assert "does not exist" in dialog.follow_up.preview.text()
    assert not dialog.buttons.button(QDialogButtonBox.Save).isEnabled()
    dialog.follow_up.input.setText("2027-10-31T02:30")
    assert not dialog.follow_up.fold.isHidden()  # which of the two 02:30s?
    summer = datetime(2027, 10, 31, 2, 30, tzinfo=ZoneInfo("Europe/Paris")).tzname()  # "CEST"
    winter = datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")).tzname()  # "CET"
    assert summer != winter
    assert f" {summer}" in dialog.follow_up.preview.text()  # the first, before the clocks go back
    dialog.follow_up.fold.setCurrentIndex(1)
    assert f" {winter}" in dialog.follow_up.preview.text() and f" {summer}" not in dialog.follow_up.preview.text()
    dialog.buttons.button(QDialogButtonBox.Save).click()
    assert panel.store.get(1).follow_up_at == utc(2027, 10, 31, 1, 30)
    dialog = None
    panel.quick_add()
    panel.active_dialog.follow_up.input.setText("in 2h")
    assert panel.active_dialog.follow_up.fold.isHidden()
    panel.active_dialog.reject()


def test_unchecking_the_customer_saves_without_one(window, services, press_shortcut, qtbot):
    services.customer.set(ITO)
    panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    dialog.title.setText("Internal note")
    dialog.link_customer.setChecked(False)
    dialog.buttons.button(QDialogButtonBox.Save).click()
    assert panel.store.get(1).customer.is_empty


def test_palette_offers_new_task(window):
    titles = [c.title for c in window.commands()]
    assert "New task…" in titles and "Queue: Done" in titles


def test_adding_says_where_it_went_and_selects_it_there(window, services, press_shortcut, qtbot):
    from assistant.clock import hours

    hours.set_hour_cycle("24")  # the message follows the one 12/24-hour setting
    services.customer.set(ITO)
    panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    dialog.title.setText("Send the refund form")
    dialog.follow_up.input.setText("fri 10:00 their time")
    dialog.priority.setCurrentIndex(3)  # low: the deadline is days away
    assert not dialog.late.isVisible()
    qtbot.keyClick(dialog.title, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: panel.active_dialog is None)
    fri = get_day_names("abbreviated", locale="en")[4]
    assert panel.status.text() == f"Added to Upcoming — follow-up {fri} 10:00 their time"
    assert panel.view_name == "upcoming"
    qtbot.waitUntil(lambda: not panel.reading)  # the view is read on the panel's worker
    assert panel.current_task().title == "Send the refund form"  # selected once shown


def test_a_follow_up_after_the_sla_deadline_is_flagged_before_saving(window, press_shortcut, qtbot):
    _panel, dialog = open_with_ctrl_n(window, press_shortcut, qtbot)
    dialog.title.setText("Urgent callback")
    dialog.priority.setCurrentIndex(0)  # urgent: a deadline within hours
    dialog.follow_up.input.setText("in 3 days")
    assert dialog.late.isVisibleTo(dialog) and "after the SLA deadline" in dialog.late.text()
    assert dialog.buttons.button(QDialogButtonBox.Save).isEnabled()  # flagged, not forbidden
    dialog.follow_up.input.setText("in 10 min")
    assert not dialog.late.isVisibleTo(dialog)
    dialog.reject()
