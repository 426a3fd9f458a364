"""The customer bar at the top of the window: who the agent is talking to.

One field takes a phone number, country, city or zone (optionally "Name, ..."); the bar
says how it resolved, offers a choice when several time zones fit, keeps the previous
customer when the input is not understood, and shows the customer's clock, the recent
customers and the pinned clocks. Every rule lives in the core's customer session
(``services.session``, assistant.customer.session) and assistant.clock; this is wiring. The
field, the zone choice, the pin button and the clocks follow the current customer whoever set
it (a task, a pin, a recent, a call pop), through ``services.customer.changed``.

The field and its buttons are built before the window's first paint; the clocks, their
modules (zones, CLDR, holidays, phone numbers) and the store load in ``start()``, which
the window calls right after that paint."""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QApplication, QComboBox, QFrame, QHBoxLayout, QLineEdit, QMenu,
                               QToolButton, QVBoxLayout, QWidget)

from assistant.clock.ticks import utc_now
from assistant.customer import CustomerContext
from assistant.i18n import _, current_language
from ui.services import AppServices, Command
from ui.theme import set_error_style
from ui.widgets import FlowLayout, one_layout_pass, plain_label, plain_tooltip
from ui.workers import run_in_pool, run_in_thread

if TYPE_CHECKING:
    from assistant.clock.resolve import Resolution
    from ui.clock_widget import PinnedClock

log = logging.getLogger(__name__)


def _warm_up() -> None:
    """First use of phonenumbers, babel's locale data, holidays and the zone tables costs
    about half a second: pay it on the worker pool after the window shows."""
    from assistant.clock.details import clock_details as details
    from assistant.clock.resolve import resolve

    resolve("+34 612 345 678")
    resolve("Manila")
    details(CustomerContext(country="US", zone="America/New_York"), "Etc/UTC", utc_now())


class CustomerField(QLineEdit):
    """The customer field; Escape puts back what the current customer was typed as."""

    escaped = Signal()

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class CustomerBar(QWidget):
    """Sets ``services.customer`` from what the agent types; shows the customer's clock."""

    resolved = Signal(object)   # Resolution, after each successful resolve
    failed = Signal(str)        # the message shown for input that was not understood

    def __init__(self, services: AppServices, parent: QWidget | None = None,
                 now: Callable[[], datetime] = utc_now):
        super().__init__(parent)
        self.services = services
        self.session = services.session
        self.now = now
        self.ready = False
        self._pin_widgets: list[PinnedClock] = []
        self._pins_loaded = False
        self._offered: tuple[str, ...] = ()
        self._entered: tuple[str, Callable[[bool], None] | None] | None = None  # while read ahead
        self._read_ahead_timer = QTimer(self, singleShot=True, interval=self.READ_AHEAD_MS,
                                        timeout=self._apply_entered)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)

        row = QHBoxLayout()
        self.input = CustomerField()
        self.input.setPlaceholderText(_("Customer: phone, country, city or time zone"))
        self.input.setAccessibleName(_("Customer"))
        self.input.returnPressed.connect(self._enter_pressed)
        self.input.escaped.connect(self.revert_text)
        row.addWidget(self.input, 1)

        self.zone_choice = QComboBox()
        self.zone_choice.setAccessibleName(_("Customer's time zone"))
        self.zone_choice.setToolTip(_("This number or country has several time zones: choose one"))
        self.zone_choice.activated.connect(self._zone_chosen)
        self.zone_choice.hide()

        self.recents_button = QToolButton()
        self.recents_button.setText("🕘")
        self.recents_button.setToolTip(_("Recent customers"))
        self.recents_button.setAccessibleName(_("Recent customers"))
        self.recents_button.setPopupMode(QToolButton.InstantPopup)
        self.recents_menu = QMenu(self)
        self.recents_menu.aboutToShow.connect(self.fill_recents_menu)
        self.recents_button.setMenu(self.recents_menu)
        row.addWidget(self.recents_button)

        self.pin_button = QToolButton()
        self.pin_button.setText("☆")
        self.pin_button.setCheckable(True)
        self.pin_button.setAccessibleName(_("Pin this customer's clock"))
        self.pin_button.clicked.connect(self.toggle_pin)
        row.addWidget(self.pin_button)

        self.convert_button = QToolButton()
        self.convert_button.setText("⇄")
        self.convert_button.setCheckable(True)
        self.convert_button.setToolTip(_("Convert a time between theirs and yours"))
        self.convert_button.setAccessibleName(_("Time converter"))
        self.convert_button.toggled.connect(self.show_converter)
        row.addWidget(self.convert_button)
        layout.addLayout(row)
        # what follows the customer, below the field: shown in one layout pass for a call's
        # first customer (_one_layout_pass)
        self.details = QWidget()
        self.details.setObjectName("customer-details")
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(layout.spacing())
        layout.addWidget(self.details)
        # own row: the field keeps its width in a narrow (compact) window
        details.addWidget(self.zone_choice)
        # the other clocks of a number or country with several, when they show another hour
        # than the customer's: one click (or Up/Down in the zone choice) away
        self.zone_chips = QWidget()
        self.zone_chips.setObjectName("zone-chips")
        self.zone_chips.setAccessibleName(_("Other time zones of this customer"))
        FlowLayout(self.zone_chips)  # chips wrap onto a second line: never wider than the window
        self.zone_chips.hide()
        details.addWidget(self.zone_chips)

        self.how_label = plain_label("", "customer-resolution", selectable=False)
        self.how_label.setForegroundRole(QPalette.PlaceholderText)  # secondary text, theme's colour
        self.how_label.hide()
        details.addWidget(self.how_label)
        self.error_label = plain_label("", "customer-error", selectable=False)
        set_error_style(self.error_label)
        self.error_label.hide()
        details.addWidget(self.error_label)
        self.clock = self.converter = self.pins_row = self.ticker = None  # built by start()
        # the clock's place until then, looking as the clock does with no customer: nothing
        # moves when the clock arrives
        self._clock_placeholder = QFrame()
        self._clock_placeholder.setFrameShape(QFrame.StyledPanel)
        placeholder = QVBoxLayout(self._clock_placeholder)
        placeholder.setContentsMargins(8, 8, 8, 6)  # the clock card with its empty rows
        placeholder.addWidget(plain_label(_("Set the customer to see their local time."), selectable=False))
        details.addWidget(self._clock_placeholder)

        services.customer.changed.connect(self._context_changed)
        services.hall.customers_changed.connect(self._memory_changed)
        # the clocks show business hours from cards (team packs' too) and the agent's zone
        services.hall.packs_changed.connect(self._packs_changed)
        services.hall.settings_changed.connect(self._setting_changed)
        self._update_pin_button()

    def start(self) -> None:
        """Build the clocks and warm up the slow first resolve and holiday lookup on the
        worker pool (the window calls this right after its first paint)."""
        if self.ticker is not None:
            return
        from ui.clock_widget import ClockCard, ConverterWidget, MinuteTicker

        layout = self.layout()
        self.clock = ClockCard()
        self.details.layout().replaceWidget(self._clock_placeholder, self.clock)
        self._clock_placeholder.hide()
        self._clock_placeholder.deleteLater()
        self._clock_placeholder = None
        self.converter = ConverterWidget()
        self.converter.hide()
        layout.addWidget(self.converter)

        self.pins_row = QWidget()
        self.pins_row.setObjectName("pinned-clocks")
        self.pins_row.setAccessibleName(_("Pinned clocks"))
        self.pins_layout = QHBoxLayout(self.pins_row)
        self.pins_layout.setContentsMargins(0, 0, 0, 0)
        self.pins_layout.addStretch(1)
        self.grid_button = QToolButton()  # the pinned customers' next 24 hours, side by side
        self.grid_button.setObjectName("hour-grid-button")
        self.grid_button.setText("▦")
        self.grid_button.setToolTip(_("Pinned customers' hours"))
        self.grid_button.setAccessibleName(_("Pinned customers' hours"))
        self.grid_button.clicked.connect(self.show_hour_grid)
        self.pins_layout.addWidget(self.grid_button)
        self.pins_row.hide()
        layout.addWidget(self.pins_row)

        self.ticker = MinuteTicker(self._now, self)
        self.ticker.tick.connect(self.refresh)
        self._update_pin_button()
        run_in_pool(_warm_up, self._warmed, self._warmed, pool=self.services.pool)

    # -- time and settings ---------------------------------------------------------
    def _now(self) -> datetime:
        return self.now()

    def agent_zone(self) -> str:
        return self.session.agent_zone()

    def _setting_changed(self, key: str) -> None:
        if key in ("clock.agent_zone", "clock.hour_cycle"):
            self.refresh()

    def _packs_changed(self) -> None:
        self.refresh()

    # -- start-up ------------------------------------------------------------------
    def _warmed(self, _outcome=None) -> None:
        """The warm-up finished (or failed: the first resolve is then just slower). Then the
        clock signatures of every zone, with pauses, so a new country's zones are not
        compared on the GUI thread at its first customer (issue 18)."""
        from assistant.clock.zones import warm_clock_signatures

        self.ready = True
        self.ticker.start()
        quitting = threading.Event()  # the app's end waits for its worker: not for this
        QCoreApplication.instance().aboutToQuit.connect(quitting.set)
        run_in_pool(lambda: warm_clock_signatures(stop=quitting.is_set), pool=self.services.pool)
        if self.isVisible():
            self._show_all()

    def _show_all(self) -> None:
        if not self._pins_loaded:
            self.reload_pins()
        self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        if self.ready:  # clocks are not redrawn while hidden (e.g. in the tray)
            self._show_all()

    # -- resolving -----------------------------------------------------------------
    READ_AHEAD_MS = 250  # the longest Enter waits for its read-ahead before setting anyway

    def _enter_pressed(self) -> None:
        self.enter(self.input.text())

    def enter(self, text: str, then: Callable[[bool], None] | None = None) -> None:
        """Set ``text`` as Enter in the field does (a call pop too): what the customer's
        country needs (its number's patterns, CLDR formats, holidays, zones) is read on a
        thread of its own first, then the customer is set on the GUI thread at the cost of a
        country seen before (a new country cost 10-30 ms of the GUI thread, issue 18).
        ``then(understood)`` once it is set or refused; not if another customer is set
        meanwhile (a call pop, a task: they came after). Before the clocks are warmed up, or
        for an empty field, it is set at once."""
        if text != self.input.text():
            self.input.setText(text)
        if not self.ready or not text.strip():
            self._entered = None
            self._read_ahead_timer.stop()
            understood = self.apply_text(text)
            if then is not None:
                then(understood)
            return
        self._entered = (text, then)
        self._read_ahead_timer.start()
        job = self.session.read_ahead(text)
        run_in_thread(lambda: (text, job()), self._read_ahead_done, self._read_ahead_failed,
                      name="customer read-ahead")

    @property
    def entering(self) -> bool:
        """Enter was pressed and the customer is not set yet (its read-ahead runs)."""
        return self._entered is not None

    def _read_ahead_done(self, result: tuple[str, Resolution | None]) -> None:
        text, resolution = result
        if self._entered is not None and text == self._entered[0]:  # not one for earlier text
            self._apply_entered(resolution)

    def _read_ahead_failed(self, exc: Exception) -> None:
        log.warning("Reading ahead for a customer failed (they are set all the same): %s", exc)
        self._apply_entered()

    def _apply_entered(self, resolution: Resolution | None = None) -> None:
        """Set the entered customer: its read-ahead is done (``resolution``: how it read),
        failed or took too long."""
        if self._entered is None:
            return
        (text, then), self._entered = self._entered, None
        self._read_ahead_timer.stop()
        understood = self.apply_text(text, resolution)
        if then is not None:
            then(understood)

    def focus_input(self) -> None:
        self.input.setFocus()
        self.input.selectAll()

    def apply_text(self, text: str | None = None, resolution: Resolution | None = None) -> bool:
        """Read ``text`` (default: the field) and make it the current customer. On failure
        the message is shown and the current customer stays; returns success. An empty field
        clears the customer (the call is over). ``resolution``: how ``text`` was read ahead."""
        from assistant.errors import UserError

        text = self.input.text() if text is None else text
        if text != self.input.text():
            self.input.setText(text)
        before = self.services.customer.context
        try:
            resolution = self.session.set_text(text, resolution)
        except UserError as exc:
            self.show_error(str(exc))
            return False
        self.error_label.hide()
        if self.session.context == before:  # the same customer again: nothing was announced
            self._context_changed(before)
        if resolution is not None:
            if resolution.needs_choice:
                self.zone_choice.setFocus()
            self.resolved.emit(resolution)
        return True

    @property
    def resolution(self) -> Resolution | None:
        """How the field's text was read, while it is the current customer's."""
        return self.session.resolution

    def revert_text(self) -> None:
        """Undo unsent typing: the field shows the current customer again."""
        self.input.setText(self.session.text)
        self.error_label.hide()

    def show_error(self, message: str) -> None:
        keep = self.services.customer.context
        if not keep.is_empty:
            message += " " + _("Still showing {customer}.").format(customer=keep.label)
        self.error_label.setText(message)
        self.error_label.show()
        self.failed.emit(message)

    def _offer_zones(self) -> None:
        """Show the session's zone choice for the current customer, or hide it. It stays
        after a choice so the agent can change it."""
        offered = self.session.zone_options
        if offered and offered == self._offered:
            self._select_offered()
            return
        self._offered = offered
        self.zone_choice.clear()
        if len(offered) < 2:
            self.zone_choice.hide()
            return
        if self.services.customer.context.zone is None:
            self.zone_choice.addItem(_("Choose the time zone…"), None)
        for choice in self.session.zone_choices(self._now()):
            self.zone_choice.addItem(choice.label, choice.zone)
        self._select_offered()
        self.zone_choice.show()

    MAX_CHIPS = 3

    def _update_chips(self, at: datetime) -> None:
        """Small buttons for the customer's other clocks that show another hour. The
        buttons are kept and relabelled (each minute, each customer); only a change in their
        number shows or hides any, with the row hidden meanwhile: Qt lays the window out
        again at each widget shown, so the row shows once, not once a chip."""
        others = [c for c in self.session.zone_choices(at) if c.other_hour][:self.MAX_CHIPS]
        chips = self.zone_chips.findChildren(QToolButton, "zone-chip")
        while len(chips) < len(others):
            chip = QToolButton(self.zone_chips)
            chip.setObjectName("zone-chip")
            chip.setAutoRaise(False)
            chip.setFocusPolicy(Qt.NoFocus)  # the zone choice has the keys; chips are for the mouse
            chip.clicked.connect(lambda _checked=False, chip=chip: self.choose_zone(chip.property("zone")))
            chip.hide()
            self.zone_chips.layout().addWidget(chip)
            chips.append(chip)
        if sum(not chip.isHidden() for chip in chips) != len(others):
            self.zone_chips.hide()
        for chip, choice in zip(chips, others):
            chip.setProperty("zone", choice.zone)
            chip.setText(_("{city} {time}").format(city=choice.city, time=choice.time))
            chip.setToolTip(plain_tooltip(choice.label))
            chip.setAccessibleName(choice.label)
            chip.setVisible(True)
        for chip in chips[len(others):]:
            chip.hide()
        self.zone_chips.setVisible(bool(others))

    def _select_offered(self) -> None:
        index = self.zone_choice.findData(self.services.customer.context.zone)
        self.zone_choice.setCurrentIndex(max(index, 0))

    def choose_zone(self, zone: str) -> None:
        """Pick one of the candidate zones (what the combo box does)."""
        index = self.zone_choice.findData(zone)
        if index < 0:
            raise ValueError(f"{zone} is not offered")
        self.zone_choice.setCurrentIndex(index)
        self._zone_chosen(index)

    def _zone_chosen(self, index: int) -> None:
        zone = self.zone_choice.itemData(index)
        if zone and zone != self.services.customer.context.zone:
            self.session.choose_zone(zone)

    # -- the current customer ------------------------------------------------------
    def _context_changed(self, context: CustomerContext) -> None:
        """The current customer changed, whoever set it: the field, the zone choice, the
        description, the pin button and the clocks follow. An Enter still reading ahead is
        dropped: whoever set the customer since (a call pop, a task) came after it."""
        self._entered = None
        self._read_ahead_timer.stop()
        if self.input.text() != self.session.text:
            self.input.setText(self.session.text)
        with self._one_layout_pass():
            self._offer_zones()
            if context.resolved_from:
                self.how_label.setText(context.resolved_from)
                self.how_label.show()
            else:
                self.how_label.hide()
            self.error_label.hide()  # a message about earlier typing no longer applies
            self._update_pin_button()
            self.refresh()

    def pick_recent(self, context: CustomerContext) -> None:
        self.error_label.hide()
        self.session.set(context)

    def fill_recents_menu(self) -> None:
        from assistant.clock.details import customer_entry

        self.recents_menu.clear()
        recents = self.session.recents()
        if not recents:
            action = self.recents_menu.addAction(_("No recent customers yet"))
            action.setEnabled(False)
            return
        language = current_language()
        for context in recents:
            text = customer_entry(context, language)
            action = self.recents_menu.addAction(text)
            action.triggered.connect(lambda _checked=False, c=context: self.pick_recent(c))
        self.recents_menu.addSeparator()
        self.recents_menu.addAction(_("Clear recent customers"), self.clear_recents)

    def clear_recents(self) -> None:
        self.session.clear_recents()

    # -- pins ----------------------------------------------------------------------
    def _update_pin_button(self) -> None:
        context = self.services.customer.context
        pinned = bool(context.zone) and self.session.is_pinned(context)
        self.pin_button.setEnabled(bool(context.zone))
        self.pin_button.setChecked(pinned)
        self.pin_button.setText("★" if pinned else "☆")
        self.pin_button.setToolTip(_("Unpin this clock") if pinned else _("Pin this customer's clock"))

    def toggle_pin(self) -> None:
        from assistant.errors import UserError

        try:
            self.session.toggle_pin()
        except UserError as exc:  # no zone yet, or five pinned already
            self.error_label.setText(str(exc))
            self.error_label.show()
        self._update_pin_button()

    def unpin(self, context: CustomerContext) -> None:
        self.session.unpin(context)

    def _memory_changed(self) -> None:
        """Recents or pins changed (here or elsewhere): the pins row and button follow."""
        self._update_pin_button()
        if self.pins_row is not None and self._pins_loaded:
            if [w.context.key for w in self._pin_widgets] != [c.key for c in self.session.pins()]:
                self.reload_pins()

    def reload_pins(self) -> None:
        from ui.clock_widget import PinnedClock

        self.start()
        self._pins_loaded = True
        for widget in self._pin_widgets:
            self.pins_layout.removeWidget(widget)
            widget.hide()  # deleteLater waits for the event loop; do not show it meanwhile
            widget.deleteLater()
        self._pin_widgets = []
        for context in self.session.pins():
            widget = PinnedClock(context)
            widget.selected.connect(self.pick_recent)
            widget.unpinned.connect(self.unpin)
            self.pins_layout.insertWidget(self.pins_layout.count() - 2, widget, 1)
            widget.show()  # a child added to a visible parent stays hidden unless shown
            self._pin_widgets.append(widget)
        self.pins_row.setVisible(bool(self._pin_widgets))
        self._refresh_pins(self._now())

    @property
    def pinned_clocks(self) -> list[PinnedClock]:
        return list(self._pin_widgets)

    # -- the clock -----------------------------------------------------------------
    def show_converter(self, visible: bool) -> None:
        self.start()
        self.converter.setVisible(visible)
        if visible:
            self.converter.set_zones(self.services.customer.context.zone, self.agent_zone(),
                                     self._now())

    def _refresh_clock(self, context: CustomerContext, agent: str, at: datetime) -> None:
        from assistant.clock.details import clock_details
        from assistant.clock.errors import ClockError

        if context.zone:
            try:
                self.clock.show_details(
                    clock_details(context, agent, at, current_language(), self.services.db), at,
                    likely=context.zone_likely)
                self.clock.show_greeting(self._greeting(context, at))
            except ClockError as exc:  # a stored zone this tzdata no longer knows
                self.clock.show_message(str(exc))
        elif context.needs_zone_choice:
            self.clock.show_message(_("Choose the customer's time zone to see their clock."))
        elif context.is_empty:
            self.clock.show_message(_("Set the customer to see their local time."))
        else:
            self.clock.show_message(_("Type the customer's country or city to see their clock."))

    def _one_layout_pass(self):
        """From the clock's message (no customer yet, a zone to choose) to a customer, the
        zone choice, the description, chips and the clock's rows show: the details are hidden
        meanwhile, so the window is laid out once for all of them (issue 18: a call's first
        customer laid it out once a widget, 10.7 -> 6.1 ms). Not while the keyboard is in
        there."""
        focus = QApplication.focusWidget()
        if (self.clock is None or self.clock.details is not None
                or (focus is not None and self.details.isAncestorOf(focus))):
            return nullcontext()
        return one_layout_pass(self.details)

    def refresh(self, at: datetime | None = None) -> None:
        """Redraw every clock for the instant ``at`` (the ticker passes the minute). A
        hidden bar skips the work, as does one whose clocks are not warmed up yet: they
        draw everything once ready."""
        if not self.isVisible() or not self.ready:
            return
        at = at or self._now()
        context = self.services.customer.context
        agent = self.agent_zone()
        with self._one_layout_pass():
            self._update_chips(at)
            self._refresh_clock(context, agent, at)
        if self.converter.isVisibleTo(self):
            self.converter.set_zones(context.zone, agent, at)
        self._refresh_pins(at)

    def _greeting(self, context: CustomerContext, at: datetime):
        from assistant.countries.cards import load_card
        from assistant.countries.greeting import ready_greeting

        card = load_card(context.country, self.services.db) if context.country else None
        return ready_greeting(context, at, current_language(), card)

    def _refresh_pins(self, at: datetime) -> None:
        from assistant.clock.details import clock_details
        from assistant.clock.errors import ClockError

        agent = self.agent_zone() if self._pin_widgets else None
        for widget in self._pin_widgets:
            try:
                widget.show_details(clock_details(widget.context, agent, at, current_language(),
                                                  self.services.db))
            except (ClockError, ValueError) as exc:
                log.warning("Cannot show the pinned clock for %s: %s", widget.context.label, exc)

    def commands(self) -> list[Command]:
        return [
            Command(_("Pin or unpin this customer's clock"), self.toggle_pin, "",
                    "pin clock customer"),
            Command(_("Time converter"), self.convert_button.toggle, "", "convert time zone"),
            Command(_("Pinned customers' hours"), self.show_hour_grid, "",
                    "hours grid pinned world time follow-up"),
        ]

    def show_hour_grid(self):
        from ui.hour_grid import open_hour_grid

        return open_hour_grid(self.window(), self._now)
