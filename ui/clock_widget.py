"""Clock views: the minute ticker, the current customer's clock card, a pinned clock and the
wall-time converter. Layout and wiring only; every rule lives in assistant.clock."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import QDate, QDateTime, QObject, Qt, QTime, QTimer, QTimeZone, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QComboBox, QDateTimeEdit, QFrame, QGridLayout, QHBoxLayout,
                               QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from assistant.clock.details import (STATUS_SHORT, ClockDetails, convert_wall_time,
                                     customer_title, format_time, next_good_text, short_weekday,
                                     status_text,
                                     weekday_name)
from assistant.clock.errors import AmbiguousTimeError
from assistant.errors import UserError
from assistant.clock.ticks import minute_key, ms_to_next_minute, utc_now
from assistant.clock.zones import country_of_zone, localized_city
from assistant.customer import CustomerContext
from assistant.i18n import _, current_language
from ui.theme import set_error_style
from ui.widgets import plain_label, plain_tooltip



class MinuteTicker(QObject):
    """Emits ``tick(now)`` once per wall-clock minute, just after the boundary.

    One single-shot timer is re-armed after every tick with the time left to the next
    minute: no polling, one wake-up a minute, and a clock change or a suspended laptop
    only delays the next tick, never doubles it (a minute already ticked is skipped)."""

    tick = Signal(object)  # aware UTC datetime

    def __init__(self, now: Callable[[], datetime] = utc_now, parent: QObject | None = None):
        super().__init__(parent)
        self.now = now
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        # a coarse timer may fire up to 5% early (3 s on a minute); precise costs nothing idle
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self._fire)
        self._last_minute: tuple | None = None
        self.ticks = 0

    def start(self) -> None:
        self._last_minute = minute_key(self.now())
        self._arm()

    def stop(self) -> None:
        self.timer.stop()

    def _arm(self) -> None:
        self.timer.start(ms_to_next_minute(self.now()))

    def _fire(self) -> None:
        now = self.now()
        key = minute_key(now)
        if key != self._last_minute:
            self._last_minute = key
            self.ticks += 1
            self.tick.emit(now)
        self._arm()


def _label(text: str = "", name: str = "") -> QLabel:
    return plain_label(text, name, selectable=False)  # customer and card text is never markup


# Colours carry meaning twice (the text says the same), so they only help a glance. Chips
# set both their background and their text, so they read the same on light, dark and
# high-contrast themes; they go through QPalette, not style sheets, so a theme can still
# restyle everything else.
# The colours come from ui.theme, per palette (light, dark, high contrast).
def style_status(label: QLabel, status: str) -> None:
    from ui.theme import status_chip_colours

    palette = label.palette()
    background, text = status_chip_colours(status)  # on the window the chip sits on
    palette.setColor(QPalette.Window, background)
    palette.setColor(QPalette.WindowText, text)
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setMargin(2)
    label.setProperty("status", status)


class ClockCard(QFrame):
    """The current customer's clock: time, date, offset from the agent, status, clock
    change warning and the next good time to call."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("customer-clock")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAccessibleName(_("Customer's clock"))
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.time_label = _label("", "clock-time")
        self.time_label.setWordWrap(False)
        font = self.time_label.font()
        if font.pointSizeF() > 0:  # a pixel-sized application font has no point size
            font.setPointSizeF(font.pointSizeF() * 2.0)
        else:
            font.setPixelSize(font.pixelSize() * 2)
        font.setBold(True)
        self.time_label.setFont(font)
        self.date_label = _label("", "clock-date")
        self.zone_label = _label("", "clock-zone")
        self.offset_label = _label("", "clock-offset")
        self.status_label = _label("", "clock-status")
        self.status_label.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Preferred)
        self.change_label = _label("", "clock-change")
        self.note_label = _label("", "clock-note")
        self.good_label = _label("", "clock-next-good")
        self.message_label = _label("", "clock-message")
        # what to say first: the greeting for their time of day, in their language, and the
        # card's first-ten-seconds summary (form of address) in the UI language
        self.greeting_label = _label("", "clock-greeting")
        self.greeting_label.setWordWrap(False)
        self.greeting_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        bold = self.greeting_label.font()
        bold.setBold(True)
        self.greeting_label.setFont(bold)
        self.summary_label = _label("", "clock-summary")
        self.summary_label.setForegroundRole(QPalette.PlaceholderText)  # secondary text
        grid.addWidget(self.time_label, 0, 0, 2, 1)
        grid.addWidget(self.date_label, 0, 1)
        grid.addWidget(self.offset_label, 1, 1)
        grid.addWidget(self.zone_label, 2, 0, 1, 2)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label)
        status_row.addStretch(1)
        grid.addLayout(status_row, 3, 0, 1, 2)
        for row, label in enumerate((self.change_label, self.note_label, self.good_label,
                                     self.greeting_label, self.summary_label,
                                     self.message_label), start=4):
            grid.addWidget(label, row, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.details: ClockDetails | None = None
        self.show_message(_("Set the customer to see their local time."))

    def _set_rows_visible(self, visible: bool) -> None:
        for label in (self.time_label, self.date_label, self.zone_label, self.offset_label,
                      self.status_label, self.good_label):
            label.setVisible(visible)

    def show_message(self, message: str) -> None:
        """No clock to show (no customer, or no zone chosen yet): say what to do."""
        self.details = None
        self._set_rows_visible(False)
        self.change_label.hide()
        self.note_label.hide()
        self.show_greeting(None)
        self.message_label.setText(message)
        self.message_label.show()

    def show_details(self, details: ClockDetails, at: datetime, likely: bool = False) -> None:
        """``likely``: the zone is the most likely of several, not one the agent chose."""
        self.details = details
        language = current_language()
        status = details.status
        self._set_rows_visible(True)
        self.message_label.hide()
        self.time_label.setText(details.time_text)
        self.date_label.setText(details.date_text)
        self.offset_label.setText(_("{offset} from you").format(offset=details.offset.text)
                                  if details.offset.delta else details.offset.text)
        zone_text = _("{city} · {abbreviation} · UTC{offset}").format(
            city=localized_city(status.zone, language), abbreviation=status.abbreviation,
            offset=status.utc_offset)
        self.zone_label.setText(_("{zone} · likely").format(zone=zone_text) if likely else zone_text)
        self.status_label.setText(status_text(status))
        style_status(self.status_label, status.status)
        self.change_label.setText(details.change_text or "")
        self.change_label.setVisible(bool(details.change_text))
        self.note_label.setText(details.note or "")
        self.note_label.setVisible(bool(details.note))
        self.good_label.setText(next_good_text(details, at, language))
        self.setToolTip(plain_tooltip(status.zone))


    def show_greeting(self, greeting) -> None:
        """``greeting``: an assistant.countries.greeting.ReadyGreeting, or None (no zone)."""
        if greeting is None:
            self.greeting_label.hide()
            self.summary_label.hide()
            return
        self.greeting_label.setText(_("Say: {greeting}").format(greeting=greeting.text))
        self.greeting_label.setToolTip(plain_tooltip(
            _("A greeting for their time of day, in their language ({language}).").format(
                language=greeting.language)))
        self.greeting_label.show()
        summary = greeting.summary
        if summary and not greeting.summary_translated:
            summary = _("{summary} (in English)").format(summary=summary)
        self.summary_label.setText(summary)
        self.summary_label.setVisible(bool(summary))


class PinnedClock(QFrame):
    """One pinned customer's clock in the pins row: name, time, status; click to make
    them the current customer, ✕ to unpin."""

    selected = Signal(object)   # CustomerContext
    unpinned = Signal(object)   # CustomerContext

    def __init__(self, context: CustomerContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setObjectName("pinned-clock")
        self.setFrameShape(QFrame.StyledPanel)
        self.setCursor(Qt.PointingHandCursor)
        self.setFocusPolicy(Qt.TabFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 3, 3)
        layout.setSpacing(0)
        top = QHBoxLayout()
        title = customer_title(context, current_language())
        self.name_label = _label(title, "pinned-name")
        self.name_label.setWordWrap(False)
        # five pins share a narrow window: labels may be clipped, the tooltip has it all
        self.name_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        top.addWidget(self.name_label, 1)
        self.unpin_button = QToolButton()
        self.unpin_button.setText("✕")
        self.unpin_button.setAutoRaise(True)
        self.unpin_button.setToolTip(_("Unpin"))
        self.unpin_button.setAccessibleName(_("Unpin {name}").format(name=context.label))
        self.unpin_button.clicked.connect(lambda: self.unpinned.emit(self.context))
        top.addWidget(self.unpin_button)
        layout.addLayout(top)
        self.time_label = _label("", "pinned-time")
        self.time_label.setWordWrap(False)
        self.time_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        font = self.time_label.font()
        font.setBold(True)
        self.time_label.setFont(font)
        layout.addWidget(self.time_label)
        self.status_label = _label("", "pinned-status")
        self.status_label.setWordWrap(False)
        self.status_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        layout.addWidget(self.status_label)
        self.setAccessibleName(_("Pinned clock: {name}").format(name=context.label))

    def show_details(self, details: ClockDetails) -> None:
        language = current_language()
        self.time_label.setText(_("{time} {weekday}").format(
            time=details.time_text,
            weekday=short_weekday(details.local_time, language, self.context.country)))
        self.status_label.setText(_(STATUS_SHORT[details.status.status]))
        style_status(self.status_label, details.status.status)
        self.setToolTip(plain_tooltip("\n".join((self.context.label, details.status.zone,  # the customer's name
                                                 status_text(details.status), details.offset.text))))

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.LeftButton:
            self.selected.emit(self.context)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space):
            self.selected.emit(self.context)
            return
        super().keyPressEvent(event)


def _to_qdatetime(value: datetime) -> QDateTime:
    # UTC spec: the edits hold naive wall times; a local spec would let the machine's own
    # DST rules bend times that are valid in the customer's zone
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute),
                     QTimeZone.utc())


def _from_qdatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


class ConverterWidget(QFrame):
    """"Their 15:00 on Friday is my ..." both ways. Times that do not exist (DST gap) are
    refused with the reason; a time shown twice (fold) asks which one."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("time-converter")
        self.setFrameShape(QFrame.StyledPanel)
        self.customer_zone: str | None = None
        self.agent_zone: str | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        self.theirs_label = _label(_("Their time"))
        self.theirs = self._edit(_("Customer's local time"))
        self.mine_label = _label(_("Your time"))
        self.mine = self._edit(_("Your local time"))
        self.fold_choice = QComboBox()
        self.fold_choice.setAccessibleName(_("Which occurrence"))
        self.fold_choice.hide()
        self.result_label = _label("", "converter-result")
        grid.addWidget(self.theirs_label, 0, 0)
        grid.addWidget(self.theirs, 0, 1)
        grid.addWidget(self.mine_label, 1, 0)
        grid.addWidget(self.mine, 1, 1)
        grid.addWidget(self.fold_choice, 2, 0, 1, 2)
        grid.addWidget(self.result_label, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self._source = "theirs"   # which edit the agent typed in last
        self._updating = False
        self.theirs.dateTimeChanged.connect(lambda _v: self._edited("theirs"))
        self.mine.dateTimeChanged.connect(lambda _v: self._edited("mine"))
        self.fold_choice.activated.connect(lambda _i: self.convert())

    def _edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setTimeZone(QTimeZone.utc())
        # before the format: a right-to-left edit would lay its sections out backwards
        # ("30:18 05-01-2026 Mon" in Arabic)
        edit.setLayoutDirection(Qt.LeftToRight)
        edit.setDisplayFormat("ddd yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        edit.setAccessibleName(name)
        return edit

    def set_zones(self, customer_zone: str | None, agent_zone: str, at: datetime) -> None:
        """Point the converter at a customer; both edits start at the current time."""
        changed = (customer_zone, agent_zone) != (self.customer_zone, self.agent_zone)
        self.customer_zone, self.agent_zone = customer_zone, agent_zone
        self.setEnabled(customer_zone is not None)
        if customer_zone and changed:
            from assistant.clock.zones import zone_info

            self._updating = True
            self.theirs.setDateTime(_to_qdatetime(at.astimezone(zone_info(customer_zone))))
            self.mine.setDateTime(_to_qdatetime(at.astimezone(zone_info(agent_zone))))
            self._updating = False
            self._source = "theirs"
            self.fold_choice.hide()
            self.convert()

    def set_their_time(self, local: datetime) -> None:
        self.theirs.setDateTime(_to_qdatetime(local))

    def set_my_time(self, local: datetime) -> None:
        self.mine.setDateTime(_to_qdatetime(local))

    def _edited(self, source: str) -> None:
        if self._updating:
            return
        self._source = source
        self.fold_choice.clear()
        self.fold_choice.hide()
        self.convert()

    def convert(self) -> None:
        if not self.customer_zone or not self.agent_zone:
            return
        from_theirs = self._source == "theirs"
        source_edit, target_edit = (self.theirs, self.mine) if from_theirs else (self.mine, self.theirs)
        from_zone, to_zone = ((self.customer_zone, self.agent_zone) if from_theirs
                              else (self.agent_zone, self.customer_zone))
        local = _from_qdatetime(source_edit.dateTime())
        fold = None if self.fold_choice.isHidden() else self.fold_choice.currentData()
        try:
            result = convert_wall_time(from_zone, local, to_zone, fold)
        except AmbiguousTimeError as exc:
            self._offer_folds(exc)
            return
        except UserError as exc:
            self._show_result(str(exc), error=True)
            return
        self._updating = True
        target_edit.setDateTime(_to_qdatetime(result.target.replace(tzinfo=None)))
        self._updating = False
        language = current_language()
        theirs, mine = (result.source, result.target) if from_theirs else (result.target, result.source)
        their_country = country_of_zone(self.customer_zone)
        my_country = country_of_zone(self.agent_zone)
        self._show_result(_("Their {their_day} {their_time} is your {my_day} {my_time}.").format(
            their_day=weekday_name(theirs, language),
            their_time=format_time(theirs, language, their_country),
            my_day=weekday_name(mine, language),
            my_time=format_time(mine, language, my_country)))

    def _show_result(self, text: str, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("error", error)
        set_error_style(self.result_label, error)

    def _offer_folds(self, exc: AmbiguousTimeError) -> None:
        self.fold_choice.clear()
        for fold, (instant, offset) in enumerate(zip(exc.candidates, exc.offsets)):
            self.fold_choice.addItem(
                _("{which} (UTC{offset})").format(
                    which=_("First occurrence") if fold == 0 else _("Second occurrence"),
                    offset=offset), fold)
        self.fold_choice.show()
        self._show_result(str(exc), error=True)
