"""Queue settings: the team's working hours, the SLA targets per priority and the breach
warning. The same settings as ``assistant tasks settings``, through the settings registry
(assistant.settings, whose validators are assistant.tasks.config's): all of them are checked
before anything is stored, so an invalid entry changes nothing; a save is announced in the
hall (``settings_changed``), so the queue follows."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QSpinBox, QTimeEdit, QVBoxLayout, QWidget)

from assistant import settings
from assistant.i18n import _, current_language
from assistant.tasks import config
from assistant.tasks.model import PRIORITIES, PRIORITY_LABELS
from ui.theme import set_error_style
from ui.widgets import plain_label, zone_completer

MAX_HOURS = 24 * 365


def weekday_names(language: str) -> list[str]:
    """Monday first, abbreviated, in the UI language (CLDR)."""
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=language)
    return [names[day] for day in range(7)]


def _hours_box(value: float, name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, MAX_HOURS)
    box.setDecimals(1)
    box.setSingleStep(0.5)
    box.setValue(float(value))
    box.setAccessibleName(name)
    return box


class QueueSettingsDialog(QDialog):
    def __init__(self, services, parent=None):
        super().__init__(parent)
        self.services = services
        self.db = services.db
        self.setWindowTitle(_("Queue settings"))
        self.setObjectName("queue-settings")
        layout = QVBoxLayout(self)
        self.error = plain_label("", "queue-settings-error")
        set_error_style(self.error)
        self.error.hide()
        self.schedule, self.sla, self.notices = self._load()

        hours = QGroupBox(_("Team hours"))
        form = QFormLayout(hours)
        self.zone = QLineEdit(self.schedule["zone"] or "")
        from assistant.clock.agent import agent_zone

        self.zone.setPlaceholderText(_("Your time zone ({zone})").format(zone=agent_zone(self.db)))
        self.zone.setAccessibleName(_("Team time zone"))
        self.zone.setCompleter(zone_completer(self.zone))
        form.addRow(_("Time zone:"), self.zone)
        span = QHBoxLayout()
        self.start = self._time_edit(self.schedule["start"], _("Working day starts"))
        self.end = self._time_edit(self.schedule["end"], _("Working day ends"))
        span.addWidget(self.start)
        span.addWidget(QLabel("–"))
        span.addWidget(self.end)
        span.addStretch(1)
        form.addRow(_("Hours:"), span)
        days = QHBoxLayout()
        self.workdays: list[QCheckBox] = []
        for day, name in enumerate(weekday_names(current_language())):
            box = QCheckBox(name)
            box.setChecked(day in self.schedule["workdays"])
            days.addWidget(box)
            self.workdays.append(box)
        days.addStretch(1)
        days_widget = QWidget()
        days_widget.setLayout(days)
        days.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("Working days:"), days_widget)
        self.holidays = QLineEdit(self.schedule["holidays_country"] or "")
        self.holidays.setPlaceholderText(_("Country code, e.g. FR"))
        self.holidays.setAccessibleName(_("Public holidays of"))
        self.holidays.setMaxLength(2)
        form.addRow(_("Public holidays of:"), self.holidays)
        layout.addWidget(hours)

        targets = QGroupBox(_("Targets (hours)"))
        grid = QGridLayout(targets)
        for column, title in enumerate((_("Respond"), _("Resolve"), _("Counted in")), start=1):
            grid.addWidget(QLabel(title), 0, column)
        self.targets: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox, QComboBox]] = {}
        for row, priority in enumerate(PRIORITIES, start=1):
            label = _(PRIORITY_LABELS[priority])
            target = self.sla[priority]
            respond = _hours_box(target["response_hours"], f"{label}: " + _("Respond"))
            resolve = _hours_box(target["resolution_hours"], f"{label}: " + _("Resolve"))
            clock = QComboBox()
            clock.addItem(_("Team hours"), "business")
            clock.addItem(_("All hours"), "calendar")
            clock.setCurrentIndex(max(clock.findData(target["clock"]), 0))
            clock.setAccessibleName(f"{label}: " + _("Counted in"))
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(respond, row, 1)
            grid.addWidget(resolve, row, 2)
            grid.addWidget(clock, row, 3)
            self.targets[priority] = (respond, resolve, clock)
        layout.addWidget(targets)

        warn = QHBoxLayout()
        self.warn = QCheckBox(_("Warn before a target is missed, minutes ahead:"))
        self.warn.setChecked(bool(self.notices["enabled"]))
        self.lead = QSpinBox()
        self.lead.setRange(0, 24 * 60)
        self.lead.setValue(int(self.notices["breach_lead_minutes"]))
        self.lead.setAccessibleName(_("Minutes ahead"))
        self.lead.setEnabled(self.warn.isChecked())
        self.warn.toggled.connect(self.lead.setEnabled)
        warn.addWidget(self.warn)
        warn.addWidget(self.lead)
        warn.addStretch(1)
        layout.addLayout(warn)

        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _load(self) -> tuple[dict, dict, dict]:
        """The settings in effect; a note when a stored one is invalid (its defaults apply)."""
        keys = (config.SCHEDULE_KEY, config.SLA_KEY, config.NOTICES_KEY)
        problems = [p for p in (settings.problem(self.db, key) for key in keys) if p]
        if problems:
            self._show_error(_("The stored queue settings are invalid, so the defaults are shown: "
                               "{problem}").format(problem="; ".join(problems)))
        return tuple(copy.deepcopy(config.load(self.db, key)) for key in keys)

    @staticmethod
    def _time_edit(hhmm: str, name: str) -> QTimeEdit:
        edit = QTimeEdit()
        # before the format: a right-to-left edit lays its sections out as "00:09"
        edit.setLayoutDirection(Qt.LeftToRight)
        edit.setDisplayFormat("HH:mm")
        edit.setTime(QTime.fromString(hhmm, "HH:mm"))
        edit.setAccessibleName(name)
        return edit

    def values(self) -> tuple[dict, dict, dict]:
        """What the dialog would store: the loaded settings with the edited fields."""
        schedule = dict(self.schedule)
        schedule["zone"] = self.zone.text().strip() or None
        schedule["start"] = self.start.time().toString("HH:mm")
        schedule["end"] = self.end.time().toString("HH:mm")
        schedule["workdays"] = [day for day, box in enumerate(self.workdays) if box.isChecked()]
        country = self.holidays.text().strip().upper() or None
        if country != schedule["holidays_country"]:
            schedule["holidays_subdiv"] = None  # a region belongs to the old country
        schedule["holidays_country"] = country
        sla = {priority: {"response_hours": respond.value(), "resolution_hours": resolve.value(),
                          "clock": clock.currentData()}
               for priority, (respond, resolve, clock) in self.targets.items()}
        notices = {"enabled": self.warn.isChecked(), "breach_lead_minutes": self.lead.value()}
        return schedule, sla, notices

    def save(self) -> None:
        """Store all three, or (any invalid) none and say why."""
        values = dict(zip((config.SCHEDULE_KEY, config.SLA_KEY, config.NOTICES_KEY), self.values()))
        try:
            self.services.put_settings(values)
        except settings.SettingError as exc:
            self._show_error(str(exc))
            return
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
