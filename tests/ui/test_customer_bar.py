import re
from datetime import datetime, timedelta, timezone

import pytest
from babel import Locale
from babel.dates import get_day_names
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QToolButton

from assistant import settings
from assistant.customer import memory as store
from assistant.clock.ticks import ms_to_next_minute
from assistant.customer import CustomerContext

UTC = timezone.utc
NOW = datetime(2025, 3, 20, 9, 30, 20, tzinfo=UTC)  # a Thursday


@pytest.fixture
def bar(qtbot, services):
    from ui.customer_bar import CustomerBar

    settings.put(services.db, "clock.agent_zone", "Europe/London")
    services.put_setting("clock.hour_cycle", "24")  # most tests read 24-hour times
    widget = CustomerBar(services, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(460, 480)
    widget.show()
    widget.start()  # what the window does after its first paint
    qtbot.waitUntil(lambda: widget.ready, timeout=10000)
    return widget


def type_customer(qtbot, bar, text):
    bar.input.clear()
    if text.isascii():
        qtbot.keyClicks(bar.input, text)
    else:  # QTest can only type ASCII keys
        bar.input.setText(text)
    qtbot.keyClick(bar.input, Qt.Key_Return)
    qtbot.waitUntil(lambda: not bar.entering, timeout=5000)  # read ahead on a thread, then set


def test_typing_a_number_sets_the_customer_and_shows_their_clock(qtbot, bar, services):
    with qtbot.waitSignal(services.customer.changed) as changed:
        type_customer(qtbot, bar, "+55 11 91234 5678")
    context = changed.args[0]
    assert (context.country, context.zone, context.language) == ("BR", "America/Sao_Paulo", "pt")
    assert context.phone == "+5511912345678"
    assert "mobile number in Brazil" in bar.how_label.text()
    assert not bar.zone_choice.isVisible()
    assert bar.clock.time_label.text() == "06:30"
    assert bar.clock.time_label.textFormat() == Qt.PlainText
    assert "-3 h from you" == bar.clock.offset_label.text()
    assert "UTC-03:00" in bar.clock.zone_label.text()
    assert [c.zone for c in store.recents(services.db)] == ["America/Sao_Paulo"]


def test_several_zones_show_the_likely_clock_at_once(qtbot, bar, services):
    type_customer(qtbot, bar, "+34 612 345 678")
    context = services.customer.context
    assert context.country == "ES" and context.zone == "Europe/Madrid" and context.zone_likely
    assert bar.zone_choice.isVisible()
    offered = [bar.zone_choice.itemData(i) for i in range(bar.zone_choice.count())]
    assert set(offered) == {"Europe/Madrid", "Atlantic/Canary"}  # no "Choose…" item
    assert bar.zone_choice.currentData() == "Europe/Madrid"
    assert "likely" in bar.zone_choice.currentText()
    assert bar.clock.time_label.isVisibleTo(bar.clock) and not bar.clock.message_label.isVisibleTo(bar.clock)
    assert re.fullmatch(r"10:30", bar.clock.time_label.text())
    assert "likely" in bar.clock.zone_label.text()
    # the Canaries show another hour: a chip, one click away
    chips = bar.zone_chips.findChildren(QToolButton, "zone-chip")
    assert bar.zone_chips.isVisibleTo(bar) and len(chips) == 1
    assert re.search(r"0?9:30", chips[0].text())
    with qtbot.waitSignal(services.customer.changed) as changed:
        chips[0].click()
    assert changed.args[0].zone == "Atlantic/Canary" and not changed.args[0].zone_likely
    assert "likely" not in bar.clock.zone_label.text()
    # now Madrid is the other hour
    chips = [c for c in bar.zone_chips.findChildren(QToolButton, "zone-chip") if c.isVisibleTo(bar)]
    assert len(chips) == 1 and "10:30" in chips[0].text()
    assert [c.zone for c in store.recents(services.db)] == ["Atlantic/Canary"]  # the choice replaced the guess


def test_chips_only_for_clocks_that_show_another_hour(qtbot, bar, services):
    type_customer(qtbot, bar, "Madrid")
    assert not bar.zone_chips.isVisibleTo(bar)
    type_customer(qtbot, bar, "Russia")
    chips = bar.zone_chips.findChildren(QToolButton, "zone-chip")
    assert 0 < len(chips) <= bar.MAX_CHIPS  # a few; the rest is in the zone choice


def test_choosing_among_several_zones(qtbot, bar, services):
    type_customer(qtbot, bar, "+34 612 345 678")
    offered = [bar.zone_choice.itemData(i) for i in range(bar.zone_choice.count())]
    canary = offered.index("Atlantic/Canary")
    with qtbot.waitSignal(services.customer.changed) as changed:
        bar.zone_choice.setCurrentIndex(canary)
        bar.zone_choice.activated.emit(canary)
    assert changed.args[0].zone == "Atlantic/Canary"
    assert changed.args[0].phone == "+34612345678"
    assert re.fullmatch(r"0?9:30", bar.clock.time_label.text())  # 24-hour; a leading zero is CLDR's choice
    assert "time zone Atlantic/Canary" in bar.how_label.text()
    assert [c.zone for c in store.recents(services.db)] == ["Atlantic/Canary"]


def test_invalid_input_keeps_the_previous_customer(qtbot, bar, services):
    type_customer(qtbot, bar, "Manila")
    before = services.customer.context
    assert before.zone == "Asia/Manila"
    with qtbot.assertNotEmitted(services.customer.changed):
        type_customer(qtbot, bar, "Atlantis")
    assert services.customer.context == before
    assert bar.error_label.isVisible()
    assert "not a phone number, country, city or time zone" in bar.error_label.text()
    assert "Still showing" in bar.error_label.text()
    assert bar.error_label.textFormat() == Qt.PlainText
    type_customer(qtbot, bar, "India")
    assert not bar.error_label.isVisible()


def test_recents_can_be_picked_again(qtbot, bar, services):
    type_customer(qtbot, bar, "Ana Gómez, +55 11 91234 5678")
    type_customer(qtbot, bar, "Kathmandu")
    bar.fill_recents_menu()
    actions = [a for a in bar.recents_menu.actions() if not a.isSeparator()]
    en = Locale("en")
    city = en.time_zones.get("America/Sao_Paulo", {}).get("city") or "Sao Paulo"  # CLDR's spelling ("São Paulo")
    kathmandu = en.time_zones.get("Asia/Kathmandu", {}).get("city") or "Kathmandu"
    assert [a.text() for a in actions] == [f"{kathmandu}, {en.territories['NP']}",
                                           f"Ana Gómez — {city}, {en.territories['BR']}", "Clear recent customers"]
    actions[1].trigger()
    context = services.customer.context
    assert (context.name, context.zone) == ("Ana Gómez", "America/Sao_Paulo")
    assert bar.input.text() == "Ana Gómez, +5511912345678"  # reads back as the same customer


def test_empty_recents_menu_says_so(bar):
    bar.fill_recents_menu()
    [action] = bar.recents_menu.actions()
    assert not action.isEnabled()


def test_pinned_clocks_row(qtbot, bar, services):
    services.put_setting("clock.hour_cycle", "12")  # every clock in one cycle
    assert not bar.pins_row.isVisible()
    for text in ("Priya, +91 98765 43210", "Sydney", "Kathmandu"):
        type_customer(qtbot, bar, text)
        qtbot.mouseClick(bar.pin_button, Qt.LeftButton)
    assert bar.pin_button.isChecked()
    clocks = bar.pinned_clocks
    assert bar.pins_row.isVisible() and len(clocks) == 3
    assert [c.name_label.text() for c in clocks] == ["Priya", "Sydney", "Kathmandu"]
    assert clocks[0].time_label.text().startswith("3:00")   # 09:30 UTC in India
    # 20:30 in Sydney: a 12-hour clock, its PM marker and Thursday, as the
    # installed CLDR spells them ("pm" or "PM", a narrow space or not)
    sydney = Locale.parse("en_AU")
    assert clocks[1].time_label.text().startswith("8:30")
    assert sydney.day_periods["format"]["abbreviated"]["pm"] in clocks[1].time_label.text()
    assert clocks[1].time_label.text().endswith(" " + get_day_names("abbreviated", locale=sydney)[3])
    assert clocks[2].time_label.text().startswith("3:15")  # Nepal too: the agent's one cycle
    # a pinned clock makes its customer current again
    qtbot.mouseClick(clocks[0], Qt.LeftButton)
    assert services.customer.context.name == "Priya"
    assert bar.pin_button.isChecked()
    # unpinning from the row
    qtbot.mouseClick(clocks[1].unpin_button, Qt.LeftButton)
    assert [c.zone for c in store.pins(services.db)] == ["Asia/Kolkata", "Asia/Kathmandu"]
    assert len(bar.pinned_clocks) == 2


def test_at_most_five_pins(qtbot, bar, services):
    for text in ("Manila", "Sydney", "Kathmandu", "India", "Japan"):
        type_customer(qtbot, bar, text)
        bar.toggle_pin()
    type_customer(qtbot, bar, "Chile, Santiago")
    bar.toggle_pin()
    assert "5" in bar.error_label.text() and bar.error_label.isVisible()
    assert not bar.pin_button.isChecked()
    assert len(bar.pinned_clocks) == 5


def test_pin_needs_a_zone(qtbot, bar, services):
    services.customer.set(CustomerContext(country="ES", zones=("Atlantic/Canary", "Europe/Madrid")))
    assert not bar.pin_button.isEnabled()
    type_customer(qtbot, bar, "+34 612 345 678")  # the likely zone can be pinned
    assert bar.pin_button.isEnabled()


def test_context_set_elsewhere_updates_the_clock(qtbot, bar, services):
    type_customer(qtbot, bar, "+34 612 345 678")
    services.customer.set(CustomerContext(country="JP", zone="Asia/Tokyo"))
    assert not bar.zone_choice.isVisible()
    assert bar.clock.time_label.text() == "18:30"


def test_converter_both_ways_with_gap_and_fold(qtbot, bar, services):
    type_customer(qtbot, bar, "Berlin")
    qtbot.mouseClick(bar.convert_button, Qt.LeftButton)
    converter = bar.converter
    assert converter.isVisible()
    converter.set_their_time(datetime(2025, 1, 17, 15, 0))
    assert converter.mine.dateTime().time().hour() == 14
    friday = get_day_names("wide", locale="en")[4]
    assert converter.result_label.text() == f"Their {friday} 15:00 is your {friday} 14:00."
    converter.set_my_time(datetime(2025, 1, 17, 23, 30))
    assert converter.theirs.dateTime().date().day() == 18
    converter.set_their_time(datetime(2025, 3, 30, 2, 30))   # clocks jump 02:00 -> 03:00
    assert "does not exist" in converter.result_label.text()
    converter.set_their_time(datetime(2025, 10, 26, 2, 30))  # shown twice
    assert not converter.fold_choice.isHidden() and converter.fold_choice.count() == 2
    assert "twice" in converter.result_label.text()
    converter.fold_choice.setCurrentIndex(1)
    converter.fold_choice.activated.emit(1)
    # the second 02:30 (UTC+01:00) is 01:30 UTC, which is 01:30 in London in winter
    assert converter.mine.dateTime().time().hour() == 1
    assert converter.mine.dateTime().time().minute() == 30


def test_minute_ticker_fires_at_most_once_a_minute(qtbot):
    from ui.clock_widget import MinuteTicker

    clock = {"now": datetime(2025, 1, 15, 10, 0, 59, 900_000, tzinfo=UTC)}
    ticker = MinuteTicker(lambda: clock["now"])
    ticks = []
    ticker.tick.connect(ticks.append)
    ticker.start()
    assert ticker.timer.isSingleShot()
    assert ticker.timer.timerType() == Qt.PreciseTimer
    assert ticker.timer.interval() >= 100  # the time left to 10:01:00
    # a timer firing a little early must not show the old minute twice
    clock["now"] = datetime(2025, 1, 15, 10, 0, 59, 990_000, tzinfo=UTC)
    ticker.timer.timeout.emit()
    assert ticks == []
    assert ticker.timer.interval() >= 10
    clock["now"] = datetime(2025, 1, 15, 10, 1, 0, 40_000, tzinfo=UTC)
    ticker.timer.timeout.emit()
    assert ticks == [clock["now"]]
    # re-armed for the next boundary, a whole minute away
    assert ticker.timer.interval() >= 59_960 and ticker.timer.isActive()
    ticker.timer.timeout.emit()  # a spurious wake-up in the same minute
    ticker.timer.timeout.emit()
    assert len(ticks) == 1
    # simulate an hour of wake-ups every 7 s: never more than one tick per minute
    start = clock["now"]
    for step in range(1, 520):  # to 11:01:40
        clock["now"] = start + timedelta(seconds=7 * step)
        ticker.timer.timeout.emit()
    minutes = {(t.hour, t.minute) for t in ticks}
    assert len(ticks) == len(minutes) == 61
    ticker.stop()


def test_bar_wakes_up_once_a_minute_without_polling(bar):
    from ui.clock_widget import MinuteTicker

    timer = bar.ticker.timer
    assert timer.isActive() and timer.isSingleShot()
    assert timer.interval() >= ms_to_next_minute(NOW) - 1
    assert timer.interval() <= 60_000 + 1000
    # no other timer of the bar repeats (no polling)
    repeating = [t for t in bar.findChildren(QTimer) if t.isActive() and not t.isSingleShot()]
    assert repeating == []
    assert isinstance(bar.ticker, MinuteTicker)


def test_zone_choice_by_keyboard(qtbot, bar, services):
    type_customer(qtbot, bar, "+34 612 345 678")
    assert bar.zone_choice.hasFocus() or not bar.window().isActiveWindow()
    bar.zone_choice.setFocus()
    assert services.customer.context.zone == "Europe/Madrid"  # likely, shown at once
    # one Down arrow no longer picks the Canaries: the list starts on Madrid (west to east,
    # the Canaries come first), so Up is the one key to them
    qtbot.keyClick(bar.zone_choice, Qt.Key_Down)
    assert services.customer.context.zone == "Europe/Madrid"
    qtbot.keyClick(bar.zone_choice, Qt.Key_Up)
    assert services.customer.context.zone == "Atlantic/Canary"
    assert services.customer.context.phone == "+34612345678"


def test_a_context_from_elsewhere_that_needs_a_zone_offers_the_choice(qtbot, bar, services):
    services.customer.set(CustomerContext(name="Olga", country="RU",
                                          zones=("Europe/Moscow", "Asia/Vladivostok")))
    assert not bar.zone_choice.isHidden()
    assert [bar.zone_choice.itemData(i) for i in (1, 2)] == ["Europe/Moscow", "Asia/Vladivostok"]
    bar.choose_zone("Asia/Vladivostok")
    assert services.customer.context.zone == "Asia/Vladivostok"
    assert services.customer.context.name == "Olga"
    assert bar.clock.time_label.text() == "19:30"


def test_empty_field_clears_the_customer(qtbot, bar, services):
    type_customer(qtbot, bar, "Manila")
    bar.input.clear()
    qtbot.keyClick(bar.input, Qt.Key_Return)
    assert services.customer.context.is_empty
    assert not bar.error_label.isVisible()
    assert "Set the customer" in bar.clock.message_label.text()


def test_clear_recents_and_escape(qtbot, bar, services):
    type_customer(qtbot, bar, "Kathmandu")
    bar.fill_recents_menu()
    clear = [a for a in bar.recents_menu.actions() if a.text() == "Clear recent customers"]
    clear[0].trigger()
    assert store.recents(services.db) == []
    assert services.customer.context.zone == "Asia/Kathmandu"  # the customer stays
    qtbot.keyClicks(bar.input, "xyz")
    qtbot.keyClick(bar.input, Qt.Key_Escape)
    assert bar.input.text() == "Kathmandu"  # as the current customer was typed


def test_the_clock_takes_the_place_kept_for_it_without_moving_anything(qtbot, services):
    """The window paints before the clock is built: the bar keeps its place, so the tabs
    below do not jump when it arrives."""
    from ui.customer_bar import CustomerBar

    widget = CustomerBar(services, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(460, 200)
    widget.show()
    before = widget.sizeHint().height()
    assert widget.clock is None
    widget.start()
    qtbot.waitUntil(lambda: widget.ready, timeout=10000)
    assert widget.sizeHint().height() == before
    assert widget.clock.message_label.text() == "Set the customer to see their local time."


def test_the_converter_reads_left_to_right_in_a_right_to_left_ui(qtbot, qapp):
    from ui.clock_widget import ConverterWidget

    qapp.setLayoutDirection(Qt.RightToLeft)
    try:
        converter = ConverterWidget()
        qtbot.addWidget(converter)
        converter.set_zones("Asia/Tokyo", "Europe/Paris", datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
        assert converter.theirs.text() == "Mon 2026-01-05 18:30"  # not "30:18 05-01-2026 Mon"
    finally:
        qapp.setLayoutDirection(Qt.LeftToRight)


def test_the_hour_cycle_setting_redraws_every_time_at_once(qtbot, bar, services):
    type_customer(qtbot, bar, "+55 11 91234 5678")
    assert bar.clock.time_label.text() == "06:30"
    services.put_setting("clock.hour_cycle", "12")
    assert bar.clock.time_label.text().startswith("6:30") and bar.clock.time_label.text() != "6:30"
    good = bar.clock.good_label.text()
    # both times in the next-good-time line in the same cycle
    assert len(re.findall(r"\d:\d\d\s?\S*[AP]M", good)) in (0, 2)
    services.put_setting("clock.hour_cycle", None)  # unset: the UI language's (English: 12-hour)
    assert bar.clock.time_label.text() != "06:30"


def test_a_ready_greeting_beside_the_clock(qtbot, bar, services):
    type_customer(qtbot, bar, "Tokyo")  # 18:30 there: an evening greeting, in Japanese
    assert bar.clock.greeting_label.isVisibleTo(bar.clock)
    assert bar.clock.greeting_label.text().endswith("こんばんは")
    assert bar.clock.greeting_label.textFormat() == Qt.PlainText
    assert "-san" in bar.clock.summary_label.text()  # the card's form of address
    type_customer(qtbot, bar, "Ana, Madrid")  # 10:30: a morning greeting with her first name
    assert bar.clock.greeting_label.text().endswith("Buenos días, Ana")
    services.customer.set(CustomerContext(country="ES", zones=("Atlantic/Canary", "Europe/Madrid")))
    assert not bar.clock.greeting_label.isVisibleTo(bar.clock)  # no zone: no time of day


def test_once_ready_the_bar_compares_every_zones_clock_off_the_gui_thread(qtbot, services, monkeypatch):
    """Issue 18: a new country's first customer compared its zones' clocks on the GUI
    thread (the United States' 29: 35 ms here, 130 ms with the daily walk). Once the bar is
    ready, every zone's signature is made on the worker, and a country's first customer
    makes none."""
    import functools
    import threading

    from assistant.clock import zones
    from ui.customer_bar import CustomerBar

    made_on = []
    real = zones._clock_signature.__wrapped__

    @functools.cache
    def recording(zone):
        made_on.append(threading.current_thread() is threading.main_thread())
        return real(zone)

    monkeypatch.setattr(zones, "_clock_signature", recording)
    widget = CustomerBar(services, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.show()
    widget.start()
    qtbot.waitUntil(lambda: widget.ready, timeout=10000)
    qtbot.waitUntil(lambda: recording.cache_info().currsize == len(zones.zone_countries()), timeout=20000)
    assert made_on and not any(made_on)
    made_on.clear()
    type_customer(qtbot, widget, "United States")
    assert services.customer.context.country == "US" and len(services.customer.context.zones) > 5
    assert made_on == []


def test_enter_reads_the_customer_off_the_gui_thread_then_sets_it(qtbot, bar, services, monkeypatch):
    """Issue 18: a country's first customer cost 10-30 ms of the GUI thread (its number's
    patterns, CLDR formats, holidays). Enter reads the text on a thread of its own; the GUI
    thread sets the customer from that reading, without reading it again."""
    import threading

    from assistant.customer import session as rules

    readers = []
    real_read = rules.read

    def read(*args, **kwargs):
        readers.append(threading.current_thread() is threading.main_thread())
        return real_read(*args, **kwargs)
    monkeypatch.setattr(rules, "read", read)
    with qtbot.waitSignal(services.customer.changed) as changed:
        type_customer(qtbot, bar, "+91 22 2345 6789")
    assert changed.args[0].country == "IN" and bar.clock.time_label.text() == "15:00"
    assert readers == [False]  # once, on the read-ahead's thread
    type_customer(qtbot, bar, "no such place 123")  # not understood: said, customer kept
    assert bar.error_label.isVisibleTo(bar) and services.customer.context.country == "IN"


def blocked_read_ahead(monkeypatch, services):
    """Read-aheads that wait for the returned event before they finish."""
    import threading

    release = threading.Event()
    real = services.session.read_ahead

    def read_ahead(text):
        job = real(text)
        return lambda: (release.wait(5), job())[1]
    monkeypatch.setattr(services.session, "read_ahead", read_ahead)
    return release


def test_a_customer_set_while_enter_reads_ahead_wins(qtbot, bar, services, monkeypatch):
    """A call pop or a task that sets a customer after Enter was pressed comes after it:
    the read-ahead's customer is not set over it when it finishes."""
    release = blocked_read_ahead(monkeypatch, services)
    bar.input.setText("Manila")
    qtbot.keyClick(bar.input, Qt.Key_Return)
    assert bar.entering and services.customer.context.is_empty
    services.session.set(CustomerContext(name="Olga", country="RU", zone="Europe/Moscow",
                                         zones=("Europe/Moscow",)))
    assert not bar.entering
    release.set()
    qtbot.wait(bar.READ_AHEAD_MS + 100)
    assert services.customer.context.name == "Olga"
    assert bar.input.text() == services.session.text


def test_enter_sets_the_customer_when_the_read_ahead_is_slow(qtbot, bar, services, monkeypatch):
    """A read-ahead stuck behind other work delays Enter by READ_AHEAD_MS at most."""
    release = blocked_read_ahead(monkeypatch, services)
    try:
        bar.input.setText("Kathmandu")
        qtbot.keyClick(bar.input, Qt.Key_Return)
        assert bar.entering
        qtbot.waitUntil(lambda: not bar.entering, timeout=bar.READ_AHEAD_MS * 4)
        assert services.customer.context.zone == "Asia/Kathmandu"
    finally:
        release.set()
    qtbot.wait(50)  # the late read-ahead sets nothing again
    assert services.customer.context.zone == "Asia/Kathmandu"


def test_zone_chips_are_kept_and_relabelled(qtbot, bar, services):
    """Issue 18: each customer made its chips again (each new button shown laid the window
    out again, and the old ones waited for deletion). They are kept: a customer with fewer
    other clocks hides the rest, and a kept chip chooses its new zone."""
    type_customer(qtbot, bar, "Russia")
    made = bar.zone_chips.findChildren(QToolButton, "zone-chip")
    assert len(made) == bar.MAX_CHIPS and all(c.isVisibleTo(bar) for c in made)
    type_customer(qtbot, bar, "+34 612 345 678")
    chips = bar.zone_chips.findChildren(QToolButton, "zone-chip")
    assert chips == made  # the same buttons
    shown = [c for c in chips if c.isVisibleTo(bar)]
    assert len(shown) == 1 and re.search(r"0?9:30", shown[0].text())
    with qtbot.waitSignal(services.customer.changed) as changed:
        shown[0].click()
    assert changed.args[0].zone == "Atlantic/Canary"


class Hides(QObject):
    """Counts a widget's hide events."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Hide:
            self.count += 1
        return False


def test_a_call_s_first_customer_is_laid_out_once_and_the_keyboard_stays(qtbot, bar, services):
    """Issue 18: Qt lays the window out again at each widget shown; a call's first customer
    showed the zone choice, the description, a chip and the clock's rows one by one. They
    show together (the details hidden meanwhile, once), not for later customers, and never
    while the keyboard is in the details: the agent's focus stays where it was."""
    hides = Hides(bar.details)
    type_customer(qtbot, bar, "+34 612 345 678")
    assert hides.count == 1 and bar.clock.time_label.isVisibleTo(bar) and bar.zone_chips.isVisibleTo(bar)
    type_customer(qtbot, bar, "Cairo")
    bar.refresh()  # the minute's redraw
    assert hides.count == 1
    services.session.set(CustomerContext(name="Olga", country="RU",
                                         zones=("Europe/Moscow", "Asia/Vladivostok")))
    assert bar.clock.details is None  # a zone to choose: the clock says so
    bar.zone_choice.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is bar.zone_choice)
    bar.choose_zone("Asia/Vladivostok")
    assert hides.count == 1 and QApplication.focusWidget() is bar.zone_choice
    assert bar.clock.time_label.text() == "19:30"
