from datetime import date, datetime, time, timezone

import holidays
import pytest

from assistant.clock import status as status_module
from assistant.clock.status import (
    BusinessHours, business_hours_for, cldr_working_days, customer_status, holiday_on,
    hours_from_card, next_good_time,
)

UTC = timezone.utc


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_half_hour_zone_in_business_hours():
    s = customer_status("IN", "Asia/Calcutta", at(2025, 1, 15, 6, 0))  # Wednesday
    assert s.zone == "Asia/Kolkata"
    assert s.local_time.isoformat() == "2025-01-15T11:30:00+05:30"
    # the abbreviation is the tz database's (its releases rename some): what zoneinfo says
    assert (s.utc_offset, s.status) == ("+05:30", "business_hours")
    assert s.abbreviation == s.local_time.tzname() and s.abbreviation
    assert s.holiday is None and s.next_transition is None and s.offset_after is None


def test_quarter_hour_zones():
    s = customer_status("NP", "Asia/Kathmandu", at(2025, 1, 15, 20, 0))
    assert s.local_time.isoformat() == "2025-01-16T01:45:00+05:45"
    assert s.status == "night"
    eucla = customer_status("AU", "Australia/Eucla", at(2025, 1, 15, 3, 0))
    assert eucla.utc_offset == "+08:45"
    assert eucla.local_time.hour == 11 and eucla.local_time.minute == 45


def test_southern_hemisphere_dst_runs_the_other_way():
    summer = customer_status("AU", "Australia/Sydney", at(2025, 1, 15, 0, 0))
    assert (summer.utc_offset, summer.abbreviation) == ("+11:00", "AEDT")
    assert summer.next_transition == at(2025, 4, 5, 16, 0)
    assert summer.offset_after == "+10:00"
    winter = customer_status("AU", "Australia/Sydney", at(2025, 7, 15, 0, 0))
    assert winter.utc_offset == "+10:00" and winter.offset_after == "+11:00"
    santiago = customer_status("CL", "America/Santiago", at(2025, 1, 15, 15, 0))
    assert santiago.utc_offset == "-03:00" and santiago.offset_after == "-04:00"


def test_outside_hours_and_night():
    assert customer_status("DE", "Europe/Berlin", at(2025, 1, 15, 18, 30)).status == "outside_hours"
    assert customer_status("DE", "Europe/Berlin", at(2025, 1, 15, 21, 0)).status == "night"
    assert customer_status("DE", "Europe/Berlin", at(2025, 1, 15, 5, 59)).status == "night"
    assert customer_status("DE", "Europe/Berlin", at(2025, 1, 15, 6, 0)).status == "outside_hours"
    assert customer_status("DE", "Europe/Berlin", at(2025, 1, 15, 8, 0)).status == "business_hours"


def test_weekend_follows_cldr_week_data():
    assert cldr_working_days("US") == frozenset({1, 2, 3, 4, 5})
    assert cldr_working_days("IR") == frozenset({1, 2, 3, 4, 6, 7})  # Friday only
    assert cldr_working_days("AF") == frozenset({1, 2, 3, 6, 7})     # Thursday-Friday
    friday_noon_tehran = at(2025, 1, 17, 8, 30)
    assert customer_status("IR", "Asia/Tehran", friday_noon_tehran).status == "weekend"
    assert customer_status("IR", "Asia/Tehran", at(2025, 1, 18, 8, 30)).status == "business_hours"
    assert customer_status("US", "America/New_York", at(2025, 1, 18, 16, 0)).status == "weekend"


def test_the_local_date_decides_the_weekend_not_utc():
    # Friday 23:00 UTC is already Saturday in Auckland
    assert customer_status("NZ", "Pacific/Auckland", at(2025, 1, 17, 23, 0)).status == "weekend"


def test_public_holiday_with_its_name():
    s = customer_status("US", "America/New_York", at(2025, 12, 25, 15, 0))
    christmas = holidays.country_holidays("US", years=2025)[date(2025, 12, 25)]  # this release's name
    assert (s.status, s.holiday, s.approximate) == ("holiday", christmas, False)
    cny = customer_status("CN", "Asia/Shanghai", at(2025, 1, 29, 3, 0))
    assert cny.status == "holiday" and "Spring Festival" in cny.holiday


def test_estimated_lunar_holiday_is_marked_approximate():
    s = customer_status("EG", "Africa/Cairo", at(2045, 8, 14, 10, 0))
    assert s.status == "holiday"
    # the "(estimated)" label becomes the flag: the name is the one without it
    labelled = holidays.country_holidays("EG", years=2045)[date(2045, 8, 14)]
    assert "Fitr" in s.holiday and s.holiday != labelled and s.holiday in labelled
    assert s.approximate is True


def test_holiday_on_unknown_country_is_none():
    assert holiday_on("ZZ", date(2025, 12, 25)) is None  # no calendar for it
    assert holiday_on(None, date(2025, 12, 25)) is None


def test_zone_without_country_uses_default_week():
    s = customer_status(None, "Etc/UTC", at(2025, 1, 15, 10, 0))
    assert s.status == "business_hours" and s.holiday is None


def test_card_business_hours_win(monkeypatch):
    import assistant.countries.cards as cards

    card = {"business_hours": {"days": [1, 2, 3, 4, 5], "open": "08:00", "close": "17:00",
                               "lunch": ["13:00", "15:00"]}}
    monkeypatch.setattr(cards, "load_card", lambda code, db=None: card if code == "ES" else None)
    hours = business_hours_for("ES")
    assert hours.source == "card" and hours.lunch == (time(13), time(15))
    # 14:00 in Madrid: siesta lunch break
    assert customer_status("ES", "Europe/Madrid", at(2025, 1, 15, 13, 0)).status == "outside_hours"
    assert customer_status("ES", "Europe/Madrid", at(2025, 1, 15, 15, 0)).status == "business_hours"
    assert customer_status("ES", "Europe/Madrid", at(2025, 1, 15, 16, 30)).status == "outside_hours"


@pytest.mark.parametrize("bad", [
    "09-17", {"days": [], "open": "09:00", "close": "17:00"},
    {"days": [1, 8], "open": "09:00", "close": "17:00"},
    {"days": [1], "open": "9", "close": "17:00"},
    {"days": [1], "open": "18:00", "close": "17:00"},
    {"days": [1], "open": "09:00", "close": "17:00", "lunch": ["12:00"]},
])
def test_malformed_card_hours_are_refused(bad):
    with pytest.raises(ValueError):
        hours_from_card(bad)


def test_malformed_card_falls_back_to_cldr(monkeypatch):
    import assistant.countries.cards as cards

    monkeypatch.setattr(cards, "load_card", lambda code, db=None: {"business_hours": {"days": "x"}})
    assert business_hours_for("AE").source == "cldr"

    def broken(code, db=None):
        raise RuntimeError("card file unreadable")

    monkeypatch.setattr(cards, "load_card", broken)
    assert business_hours_for("AE").days == cldr_working_days("AE")


def test_next_good_time():
    # Friday 20:00 in Dubai (weekend Sat-Sun): next good time is Monday 09:00 local
    assert next_good_time("AE", "Asia/Dubai", at(2025, 1, 17, 16, 0)) == at(2025, 1, 20, 5, 0)
    # already inside business hours: now
    now = at(2025, 1, 15, 6, 0)
    assert next_good_time("IN", "Asia/Kolkata", now) == now
    # Christmas in New York is skipped
    assert next_good_time("US", "America/New_York", at(2025, 12, 24, 23, 30)) == at(2025, 12, 26, 14, 0)
    # before opening, same day
    assert next_good_time("NP", "Asia/Kathmandu", at(2025, 1, 15, 1, 0)) == at(2025, 1, 15, 3, 15)


def test_next_good_time_skips_lunch():
    hours = BusinessHours(frozenset({1, 2, 3, 4, 5}), time(9), time(18), (time(12), time(14)))
    assert next_good_time(None, "Europe/Madrid", at(2025, 1, 15, 11, 30), hours=hours) == at(2025, 1, 15, 13, 0)


def test_instants_must_be_aware():
    with pytest.raises(ValueError):
        customer_status("IN", "Asia/Kolkata", datetime(2025, 1, 15))
    with pytest.raises(ValueError):
        next_good_time("IN", "Asia/Kolkata", datetime(2025, 1, 15))


def test_statuses_are_the_documented_ones():
    assert status_module.STATUSES == ("business_hours", "outside_hours", "night", "weekend", "holiday")
