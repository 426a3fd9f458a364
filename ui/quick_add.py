"""Quick add (Ctrl+N from anywhere) and editing of a task, and the snooze prompt.

Times are typed naturally ("in 2h", "tomorrow 10:00", "10:00 their time"); the core reads
them and the dialog previews the resolved instant in both zones before anything is saved.
Dialogs open window-modal without blocking (``open()``), so timers keep running."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget)

from assistant.customer import CustomerContext
from assistant.customer.session import for_task
from assistant.errors import UserError
from assistant.i18n import _
from assistant.tasks.model import (CHANNEL_LABELS, CHANNELS, PRIORITIES, PRIORITY_LABELS, STATUS_LABELS,
                                   STATUSES, Task)
from assistant.tasks.present import late_follow_up, read_time_input


def _now() -> datetime:
    return datetime.now(timezone.utc)


def customer_summary(customer: CustomerContext) -> str:
    parts = [p for p in (customer.name, customer.phone, customer.country, customer.zone) if p]
    return " · ".join(parts) if parts else _("No customer")


class TimeField(QWidget):
    """A natural-language time input with a live preview and, for a time that happens twice,
    a choice of which occurrence."""

    changed = Signal()

    def __init__(self, agent_zone: str, customer_zone: str | None, placeholder: str, parent=None,
                 clock=_now):
        super().__init__(parent)
        self.agent_zone, self.customer_zone, self.clock = agent_zone, customer_zone, clock
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.input = QLineEdit()
        self.input.setPlaceholderText(placeholder)
        self.fold = QComboBox()
        self.fold.addItem(_("First occurrence (before the clocks go back)"), 0)
        self.fold.addItem(_("Second occurrence (after the clocks go back)"), 1)
        self.fold.setVisible(False)
        self.preview = QLabel()
        self.preview.setTextFormat(Qt.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setObjectName("time-preview")
        layout.addWidget(self.input)
        layout.addWidget(self.fold)
        layout.addWidget(self.preview)
        self.parsed = None
        self.error = ""
        self.input.textChanged.connect(self.update_preview)
        self.fold.currentIndexChanged.connect(self.update_preview)

    def set_customer_zone(self, zone: str | None) -> None:
        self.customer_zone = zone
        self.update_preview()

    def update_preview(self) -> None:
        text, now = self.input.text(), self.clock()
        parsed, message, ambiguous = read_time_input(text, now, self.agent_zone, self.customer_zone)
        self.fold.setVisible(ambiguous)
        if ambiguous:  # the agent picks which of the two instants is meant
            parsed, message, _twice = read_time_input(text, now, self.agent_zone, self.customer_zone,
                                                      self.fold.currentData())
        self.parsed = parsed
        self.error = "" if parsed is not None or not text.strip() else message
        self.preview.setText(message)
        self.changed.emit()

    @property
    def valid(self) -> bool:
        return not self.error

    def instant(self) -> datetime | None:
        return self.parsed.instant if self.parsed else None


class TaskDialog(QDialog):
    """New task (pre-filled with the current customer) or edit of an existing one."""

    saved = Signal(object)  # the stored Task

    def __init__(self, store, customer: CustomerContext, task: Task | None = None, parent=None,
                 clock=_now):
        super().__init__(parent)
        self.store, self.task, self.clock = store, task, clock
        self.setObjectName("task-dialog")
        self.setWindowTitle(_("Edit task") if task else _("New task"))
        self.customer = task.customer if task else customer
        agent_zone = store.config.agent_zone

        form = QFormLayout()
        self.title = QLineEdit(task.title if task else "")
        self.title.setPlaceholderText(_("What to do, e.g. Call back about the refund"))
        form.addRow(_("Task"), self.title)

        self.priority = QComboBox()
        for p in PRIORITIES:
            self.priority.addItem(_(PRIORITY_LABELS[p]), p)
        self.priority.setCurrentIndex(PRIORITIES.index(task.priority if task else "normal"))
        form.addRow(_("Priority"), self.priority)

        self.channel = QComboBox()
        self.channel.addItem("—", None)
        for ch in CHANNELS:
            self.channel.addItem(_(CHANNEL_LABELS[ch]), ch)
        if task and task.channel:
            self.channel.setCurrentIndex(CHANNELS.index(task.channel) + 1)
        form.addRow(_("Channel"), self.channel)

        self.status = None
        if task:
            self.status = QComboBox()
            for s in STATUSES:
                self.status.addItem(_(STATUS_LABELS[s]), s)
            self.status.setCurrentIndex(STATUSES.index(task.status))
            form.addRow(_("Status"), self.status)

        self.link_customer = QCheckBox(customer_summary(self.customer))
        self.link_customer.setChecked(not self.customer.is_empty)
        self.link_customer.setEnabled(not self.customer.is_empty)
        form.addRow(_("Customer"), self.link_customer)

        self.follow_up = TimeField(agent_zone, self.customer.zone,
                                   _("in 2h · tomorrow 10:00 · 10:00 their time"), clock=clock)
        if task and task.follow_up_at:
            self.follow_up.input.setText(task.follow_up_at.isoformat().replace("+00:00", "Z"))
        form.addRow(_("Follow up"), self.follow_up)

        self.tags = QLineEdit(", ".join(task.tags) if task else "")
        self.tags.setPlaceholderText(_("refund, vip"))
        form.addRow(_("Tags"), self.tags)
        self.reference = QLineEdit((task.external_ref or "") if task else "")
        self.reference.setPlaceholderText(_("Ticket id or CRM link"))
        form.addRow(_("Reference"), self.reference)
        self.notes = QPlainTextEdit(task.notes if task else "")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        form.addRow(_("Notes"), self.notes)

        self.problem = QLabel()
        self.problem.setTextFormat(Qt.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setObjectName("task-dialog-problem")
        self.late = QLabel()  # flagged before saving: a follow-up the SLA will not wait for
        self.late.setTextFormat(Qt.PlainText)
        self.late.setWordWrap(True)
        self.late.setObjectName("task-dialog-late")
        self.late.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.late)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)

        self.title.textChanged.connect(self._update_state)
        self.follow_up.changed.connect(self._update_state)
        self.priority.currentIndexChanged.connect(self._update_state)
        self.link_customer.toggled.connect(
            lambda on: self.follow_up.set_customer_zone(self.customer.zone if on else None))
        self._update_state()
        self.resize(400, self.sizeHint().height())

    def _update_state(self) -> None:
        ok = bool(self.title.text().strip()) and self.follow_up.valid
        self.buttons.button(QDialogButtonBox.Save).setEnabled(ok)
        self._flag_late_follow_up()

    def _flag_late_follow_up(self) -> None:
        from ui.theme import set_error_style

        follow_up, now = self.follow_up.instant(), self.clock()
        base = self.task or Task(title="")
        deadline = (self.store.deadline_for(base.with_changes(priority=self.priority.currentData()), now)
                    if follow_up is not None else None)
        customer_zone = self.customer.zone if self.link_customer.isChecked() else None
        warning = late_follow_up(follow_up, deadline, self.store.config.agent_zone, customer_zone, now)
        self.late.setText(warning)
        self.late.setVisible(bool(warning))
        set_error_style(self.late, bool(warning))

    def values(self) -> Task:
        customer = self.customer if self.link_customer.isChecked() else CustomerContext()
        base = self.task or Task(title="")
        return base.with_changes(
            title=self.title.text(), priority=self.priority.currentData(),
            channel=self.channel.currentData(), external_ref=self.reference.text(),
            notes=self.notes.toPlainText(), tags=self.tags.text(),
            customer=for_task(customer),
            follow_up_at=self.follow_up.instant(),
            status=self.status.currentData() if self.status else base.status)

    def save(self) -> None:
        if not self.buttons.button(QDialogButtonBox.Save).isEnabled():
            return
        try:
            task = self.values()
            now = self.clock()
            stored = self.store.update(task, now) if self.task else self.store.add(task, now)
        except UserError as exc:
            self.problem.setText(str(exc))
            return
        self.saved.emit(stored)
        self.accept()


class SnoozeDialog(QDialog):
    """Until when to hide a task; its SLA keeps running."""

    chosen = Signal(object)  # UTC datetime

    def __init__(self, store, task: Task, parent=None, clock=_now):
        super().__init__(parent)
        self.setObjectName("snooze-dialog")
        self.setWindowTitle(_("Snooze"))
        layout = QVBoxLayout(self)
        label = QLabel(_("Hide “{title}” until… (its SLA keeps running)").format(title=task.title))
        label.setTextFormat(Qt.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.when = TimeField(store.config.agent_zone, task.customer.zone,
                              _("in 1h · tomorrow 09:00 · mon 10:00"), clock=clock)
        self.when.input.setText(_("in 1h"))
        layout.addWidget(self.when)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.when.changed.connect(lambda: self.buttons.button(QDialogButtonBox.Ok).setEnabled(
            self.when.instant() is not None))
        self.when.update_preview()
        self.when.input.selectAll()

    def _accept(self) -> None:
        if self.when.instant() is not None:
            self.chosen.emit(self.when.instant())
            self.accept()


def open_quick_add(window) -> None:
    """Ctrl+N: the queue panel's quick add, wherever the focus is."""
    window.panel_by_id("queue").quick_add()
