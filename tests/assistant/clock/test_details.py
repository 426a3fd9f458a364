from datetime import date, datetime, timedelta, timezone

import pytest
from babel import Locale
import holidays
from babel.dates import format_date as babel_format_date, format_skeleton, format_time as babel_format_time
from babel.dates import get_day_names

from assistant.clock.details import (
    change_dates_note, change_within, clock_details, describe_change, format_duration,
    offset_from_agent,
)
from assistant.customer import CustomerContext

UTC = timezone.utc


def at(*args):
    return datetime(*args, tzinfo=UTC)


def cldr_city(zone: str, language: str) -> str:
    """The installed CLDR's exemplar city, else the zone id's own city part."""
    return Locale.parse(language).time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")


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
    from assistant.clock import hours

    hours.set_hour_cycle("24")
    assert change_within("Europe/Berlin", at(2025, 3, 15)) is None
    change = change_within("Europe/Berlin", at(2025, 3, 20))
    assert change.instant == at(2025, 3, 30, 1, 0)
    # the words are CLDR's (en_DE: the weekday, "30 Mar", the 24-hour time before the change)
    before = datetime(2025, 3, 30, 2, 0)
    assert describe_change(change, "en", "DE") == (
        f"Clock goes forward 1 h on {get_day_names('wide', locale='en_DE')[6]} "
        f"{format_skeleton('MMMd', before, locale='en_DE')} at {babel_format_time(before, 'HH:mm', locale='en_DE')}")
    back = change_within("Australia/Sydney", at(2025, 3, 25))
    assert describe_change(back, "en", "AU").startswith(
        f"Clock goes back 1 h on {get_day_names('wide', locale='en_AU')[6]} "
        f"{format_skeleton('MMMd', datetime(2025, 4, 6), locale='en_AU')} at ")
    assert change_within("Asia/Kolkata", at(2025, 3, 20)) is None


def test_note_when_clocks_change_on_different_dates():
    # US changes on 9 March, Europe on 30 March
    note = change_dates_note("Europe/Paris", "America/New_York", at(2025, 3, 1))
    sunday_march_9 = (f"{get_day_names('wide', locale='en')[6]} "
                      f"{format_skeleton('MMMd', datetime(2025, 3, 9), locale='en')}")
    assert note == f"From {sunday_march_9} the difference is -5 h (your clocks change on different dates)."
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
    # Indian English: a 12-hour clock with CLDR's morning marker (its spelling and casing
    # change between CLDR releases: "am", "AM"), the full date with its weekday
    india = Locale.parse("en_IN")
    assert d.time_text.startswith("1:30") and d.time_text.endswith(india.day_periods["format"]["abbreviated"]["am"])
    friday = get_day_names("wide", locale=india)[4]
    assert d.weekday == friday
    assert d.date_text == babel_format_date(date(2025, 3, 21), "full", locale=india)
    assert friday in d.date_text and "21" in d.date_text and "2025" in d.date_text
    assert d.status.status == "night"
    assert d.offset.text == "+5 h 30 min, tomorrow"
    assert d.change is None and d.change_text is None
    assert "theirs does not" in d.note
    assert d.next_good == at(2025, 3, 21, 3, 30)
    german = clock_details(CustomerContext(country="DE", zone="Europe/Berlin"), "Europe/Paris",
                           at(2025, 3, 25, 12))
    # one 12/24-hour choice for every time the agent reads (an English UI: 12-hour)
    assert german.time_text.startswith("1:00") and german.time_text.endswith(
        babel_format_time(datetime(2025, 3, 25, 13), "a", locale="en_DE"))
    assert german.change_text.startswith("Clock goes forward 1 h")
    with pytest.raises(ValueError):
        clock_details(CustomerContext(country="ES"), "Europe/Paris", at(2025, 3, 25))


def test_status_and_next_good_texts():
    from assistant.clock.details import next_good_text, status_text
    from assistant.clock.status import customer_status

    # holiday names are the installed holidays release's; an estimated date is flagged, not labelled
    christmas = holidays.country_holidays("US", years=2025)[date(2025, 12, 25)]
    assert status_text(customer_status("US", "America/New_York", at(2025, 12, 25, 15))) == \
        f"Public holiday: {christmas}"
    egypt = holidays.country_holidays("EG", years=2045)
    [eid] = [name for day, name in egypt.items() if day == date(2045, 8, 14)]
    plain_eid = type(egypt)(years=2045, islamic_show_estimated=False)[date(2045, 8, 14)]
    assert eid != plain_eid and "Fitr" in plain_eid  # the library marks this date as estimated
    assert status_text(customer_status("EG", "Africa/Cairo", at(2045, 8, 14, 10))) == \
        f"Public holiday: {plain_eid} (date approximate)"
    now = at(2025, 1, 17, 16, 0)  # Friday 20:00 in Dubai
    d = clock_details(CustomerContext(country="AE", zone="Asia/Dubai"), "Europe/London", now)
    # Monday 09:00 in Dubai is 05:00 in London; the 12-hour clock and its AM are en_AE's and en's
    monday_9 = datetime(2025, 1, 20, 9, 0)
    theirs = babel_format_time(monday_9, Locale.parse("en_AE").time_formats["short"], locale="en_AE")
    mine = babel_format_time(monday_9.replace(hour=5), Locale.parse("en").time_formats["short"], locale="en")
    assert theirs.startswith("9:00") and mine.startswith("5:00")
    assert next_good_text(d, now) == \
        f"Next good time to call: {get_day_names('wide', locale='en_AE')[0]} {theirs} their time ({mine} yours)"
    busy = at(2025, 1, 15, 6, 0)
    d = clock_details(CustomerContext(country="IN", zone="Asia/Kolkata"), "Europe/London", busy)
    assert next_good_text(d, busy) == "Good time to call now"


def test_convert_wall_time_both_ways():
    from assistant.clock.details import convert_wall_time
    from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError

    theirs = convert_wall_time("Australia/Sydney", datetime(2025, 1, 17, 15, 0), "Europe/London")
    assert theirs.target.replace(tzinfo=None) == datetime(2025, 1, 17, 4, 0)
    assert theirs.day_difference == 0
    mine = convert_wall_time("Europe/London", datetime(2025, 1, 17, 18, 0), "Australia/Sydney")
    assert mine.target.replace(tzinfo=None) == datetime(2025, 1, 18, 5, 0)
    assert mine.day_difference == 1
    with pytest.raises(NonexistentTimeError):
        convert_wall_time("Europe/London", datetime(2025, 3, 30, 1, 30), "Asia/Kolkata")
    with pytest.raises(AmbiguousTimeError):
        convert_wall_time("Europe/London", datetime(2025, 10, 26, 1, 30), "Asia/Kolkata")


def test_customer_titles_for_lists():
    from assistant.clock.details import customer_entry, customer_title

    # the city and country names are CLDR's in the installed release ("Sao Paulo", "São Paulo")
    assert customer_entry(CustomerContext(name="Ana", country="BR", zone="America/Sao_Paulo")) == \
        f"Ana — {cldr_city('America/Sao_Paulo', 'en')}, {Locale('en').territories['BR']}"
    assert customer_entry(CustomerContext(country="NP", zone="Asia/Kathmandu")) == \
        f"{cldr_city('Asia/Kathmandu', 'en')}, {Locale('en').territories['NP']}"
    assert customer_entry(CustomerContext(phone="+34612345678")) == "+34612345678"
    assert customer_title(CustomerContext(country="ES")) == Locale("en").territories["ES"]
    assert customer_title(CustomerContext(zone="America/Sao_Paulo"), "es") == cldr_city("America/Sao_Paulo", "es")
    assert "Paulo" in cldr_city("America/Sao_Paulo", "es")


def test_clock_details_asks_the_card_with_the_database(monkeypatch):
    import assistant.countries.cards as cards

    seen = []
    card = {"business_hours": {"days": [1, 2, 3, 4, 5, 6], "open": "10:00", "close": "19:00",
                               "lunch": None}}
    monkeypatch.setattr(cards, "load_card", lambda code, db=None: seen.append((code, db)) or card)
    saturday = at(2025, 1, 18, 9, 0)  # 10:00 in Berlin: open on Saturdays per this card
    d = clock_details(CustomerContext(country="DE", zone="Europe/Berlin"), "Europe/London",
                      saturday, db="the-db")
    assert ("DE", "the-db") in seen
    assert d.status.status == "business_hours" and d.status.hours.source == "card"


def test_one_hour_cycle_for_every_time(monkeypatch):
    """"9:00 their time (1:00 AM yours)" never mixes cycles: both times follow the one
    setting, which defaults from the UI language."""
    from assistant.clock import hours
    from assistant.clock.details import format_time, next_good_text

    evening = datetime(2025, 3, 25, 21, 0, tzinfo=UTC)
    assert hours.uses_24_hours("de") and not hours.uses_24_hours("en")  # the UI language's habit
    assert not any(ch.isalpha() for ch in format_time(evening, "de", "US"))  # 24-hour in a German UI
    assert format_time(evening, "en", "DE").startswith("9:00")               # 12-hour in an English UI
    d = clock_details(CustomerContext(country="BR", zone="America/Sao_Paulo"), "Europe/Berlin",
                      at(2025, 3, 22, 3, 0))  # a Saturday: the next good time is Monday
    twelve = next_good_text(d, at(2025, 3, 22, 3, 0), "en")
    assert twelve.count(babel_format_time(datetime(2025, 1, 1, 9), "a", locale="en")) == 1
    assert twelve.count(babel_format_time(datetime(2025, 1, 1, 13), "a", locale="en")) == 1
    hours.set_hour_cycle("24")
    assert format_time(evening, "en", "US") == "21:00"
    twenty_four = next_good_text(d, at(2025, 3, 22, 3, 0), "en")
    assert "09:00 their time (13:00 yours)" in twenty_four
    hours.set_hour_cycle("12")
    assert format_time(evening, "de", "DE").startswith("9:00")
