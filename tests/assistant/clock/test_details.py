from datetime import datetime, timedelta, timezone

import pytest

from assistant.clock.details import (
    change_dates_note, change_within, clock_details, describe_change, format_duration,
    offset_from_agent,
)
from assistant.customer import CustomerContext

UTC = timezone.utc


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_offset_from_agent_with_day_change():
    offset = offset_from_agent("Europe/London", "Asia/Kolkata", at(2025, 1, 15, 20, 0))
    assert offset.delta == timedelta(hours=5, minutes=30) and offset.day == 1
    assert offset.text == "+5 h 30 min, tomorrow"
    west = offset_from_agent("Europe/London", "America/Los_Angeles", at(2025, 1, 15, 2, 0))
    assert west.text == "-8 h, yesterday"
    assert offset_from_agent("Europe/Paris", "Europe/Berlin", at(2025, 1, 15)).text == "same time as you"
    assert offset_from_agent("Asia/Kolkata", "Asia/Kathmandu", at(2025, 1, 15, 12)).text == "+15 min"


def test_format_duration():
    assert format_duration(timedelta(hours=6, minutes=30)) == "+6 h 30 min"
    assert format_duration(timedelta(minutes=-45)) == "-45 min"
    assert format_duration(timedelta(hours=-1), signed=False) == "1 h"


def test_change_warning_within_14_days():
    assert change_within("Europe/Berlin", at(2025, 3, 15)) is None
    change = change_within("Europe/Berlin", at(2025, 3, 20))
    assert change.instant == at(2025, 3, 30, 1, 0)
    assert describe_change(change, "en", "DE") == "Clock goes forward 1 h on Sunday 30 Mar at 02:00"
    back = change_within("Australia/Sydney", at(2025, 3, 25))
    assert describe_change(back, "en", "AU").startswith("Clock goes back 1 h on Sunday 6 Apr")
    assert change_within("Asia/Kolkata", at(2025, 3, 20)) is None


def test_note_when_clocks_change_on_different_dates():
    # US changes on 9 March, Europe on 30 March
    note = change_dates_note("Europe/Paris", "America/New_York", at(2025, 3, 1))
    assert note == "From Sunday Mar 9 the difference is -5 h (your clocks change on different dates)."
    # both change at the same instant: no note
    assert change_dates_note("Europe/Paris", "Europe/London", at(2025, 3, 20)) is None
    # only the agent's clock changes
    note = change_dates_note("Europe/London", "Asia/Kolkata", at(2025, 3, 20))
    assert "theirs does not" in note and "+4 h 30 min" in note
    # nothing within 14 days
    assert change_dates_note("Europe/Paris", "America/New_York", at(2025, 1, 10)) is None


def test_clock_details_bundle():
    ctx = CustomerContext(country="IN", zone="Asia/Kolkata")
    d = clock_details(ctx, "Europe/London", at(2025, 3, 20, 20, 0))
    assert d.time_text == "1:30\u202fam"  # Indian English: 12-hour clock (CLDR narrow space)
    assert d.date_text == "Friday, 21 March 2025"
    assert d.weekday == "Friday"
    assert d.status.status == "night"
    assert d.offset.text == "+5 h 30 min, tomorrow"
    assert d.change is None and d.change_text is None
    assert "theirs does not" in d.note
    assert d.next_good == at(2025, 3, 21, 3, 30)
    german = clock_details(CustomerContext(country="DE", zone="Europe/Berlin"), "Europe/Paris",
                           at(2025, 3, 25, 12))
    assert german.time_text == "13:00"
    assert german.change_text.startswith("Clock goes forward 1 h")
    with pytest.raises(ValueError):
        clock_details(CustomerContext(country="ES"), "Europe/Paris", at(2025, 3, 25))
