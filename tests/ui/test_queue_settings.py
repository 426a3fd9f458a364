"""Queue settings dialog: shows what is stored, stores what is edited after validating all of
it, and refuses an invalid entry without changing anything."""

from __future__ import annotations

from PySide6.QtCore import QTime

from assistant import settings
from assistant.tasks import config


def make_dialog(qtbot, services):
    from ui.queue_settings import QueueSettingsDialog

    dialog = QueueSettingsDialog(services)
    qtbot.addWidget(dialog)
    return dialog


def test_shows_the_stored_settings(qtbot, services, db):
    config.save(db, config.SCHEDULE_KEY, {"zone": "Europe/Paris", "start": "08:30", "end": "17:30",
                                          "workdays": [0, 1, 2, 3], "holidays_country": "FR"})
    config.save(db, config.NOTICES_KEY, {"enabled": False, "breach_lead_minutes": 40})
    dialog = make_dialog(qtbot, services)
    assert dialog.zone.text() == "Europe/Paris"
    assert dialog.start.time().toString("HH:mm") == "08:30" and dialog.end.time().toString("HH:mm") == "17:30"
    assert [box.isChecked() for box in dialog.workdays] == [True, True, True, True, False, False, False]
    assert [box.text() for box in dialog.workdays][:2] == ["Mon", "Tue"]
    assert dialog.holidays.text() == "FR"
    respond, resolve, clock = dialog.targets["urgent"]
    assert (respond.value(), resolve.value(), clock.currentData()) == (1, 4, "calendar")
    assert not dialog.warn.isChecked() and dialog.lead.value() == 40 and not dialog.lead.isEnabled()


def test_saving_stores_all_three_and_the_queue_uses_them(qtbot, services, db):
    dialog = make_dialog(qtbot, services)
    dialog.zone.setText("Asia/Tokyo")
    dialog.start.setTime(QTime(10, 0))
    dialog.workdays[5].setChecked(True)
    respond, resolve, clock = dialog.targets["high"]
    respond.setValue(3.5)
    clock.setCurrentIndex(clock.findData("calendar"))
    dialog.lead.setValue(25)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    loaded = config.QueueConfig.load(db)
    assert loaded.schedule["zone"] == "Asia/Tokyo" and loaded.schedule["start"] == "10:00"
    assert loaded.schedule["workdays"] == [0, 1, 2, 3, 4, 5]
    assert loaded.sla["high"] == {"response_hours": 3.5, "resolution_hours": 8, "clock": "calendar"}
    assert loaded.notices == {"enabled": True, "breach_lead_minutes": 25}
    assert loaded.team_zone == "Asia/Tokyo"


def test_an_invalid_entry_is_explained_and_nothing_is_stored(qtbot, services, db):
    config.save(db, config.NOTICES_KEY, {"enabled": True, "breach_lead_minutes": 15})
    before = {key: settings.get(db, key) for key in (config.SCHEDULE_KEY, config.SLA_KEY, config.NOTICES_KEY)}
    for edit, expected in ((lambda d: d.end.setTime(QTime(8, 0)), "must end after it starts"),
                           (lambda d: d.zone.setText("Mars/Olympus_Mons"), "tasks.schedule.zone"),
                           (lambda d: [box.setChecked(False) for box in d.workdays], "workdays"),
                           (lambda d: d.holidays.setText("QQ"), "no holiday calendar")):
        dialog = make_dialog(qtbot, services)
        dialog.lead.setValue(99)  # a valid change in the same save must not be stored either
        edit(dialog)
        dialog.save()
        assert dialog.result() != dialog.DialogCode.Accepted
        assert not dialog.error.isHidden() and expected in dialog.error.text()
        assert {key: settings.get(db, key) for key in before} == before


def test_invalid_stored_settings_open_on_the_defaults_with_a_note(qtbot, services, db, hand_edit_setting):
    hand_edit_setting(db, config.SLA_KEY, {"urgent": {"clock": "lunar"}})
    dialog = make_dialog(qtbot, services)
    assert "invalid" in dialog.error.text() and not dialog.error.isHidden()
    assert dialog.targets["urgent"][2].currentData() == "calendar"  # the default
    dialog.save()  # saving the defaults repairs them
    assert config.load(db, config.SLA_KEY)["urgent"]["clock"] == "calendar"


def test_the_queue_panel_opens_them_and_follows(qtbot, services, monkeypatch):
    from ui.panels.queue import QueuePanel
    from ui.queue_settings import QueueSettingsDialog

    panel = QueuePanel(services)
    qtbot.addWidget(panel)
    assert any(c.title == "Queue settings…" for c in panel.commands())

    def accept(dialog):
        dialog.zone.setText("America/Chicago")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(QueueSettingsDialog, "exec", accept)
    with qtbot.waitSignal(services.hall.settings_changed) as announced:
        panel.settings_button.click()
    assert announced.args == ["tasks.schedule"]
    assert panel.store.config.team_zone == "America/Chicago"  # the team's hours: SLA clocks


def test_times_read_left_to_right_in_a_right_to_left_ui(qtbot, services, qapp):
    from PySide6.QtCore import Qt

    qapp.setLayoutDirection(Qt.RightToLeft)
    try:
        dialog = make_dialog(qtbot, services)
        assert dialog.start.text() == "09:00" and dialog.end.text() == "17:00"
    finally:
        qapp.setLayoutDirection(Qt.LeftToRight)
