"""Computed country facts against what CLDR, holidays, phonenumbers and tzdata say."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale

from assistant.countries import facts

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)  # a Monday


@pytest.mark.parametrize("code, weekend", [
    ("SA", [5, 6]),   # Friday-Saturday
    ("IR", [5]),      # Friday only
    ("IN", [7]),      # Sunday only
    ("AE", [6, 7]),   # Saturday-Sunday since 2022
    ("EG", [5, 6]),
    ("IL", [5, 6]),
    ("DE", [6, 7]),
    ("US", [6, 7]),
])
def test_weekend_follows_cldr(code, weekend):
    assert facts.weekend_days(code) == weekend


@pytest.mark.parametrize("code, first", [("US", 7), ("EG", 6), ("DE", 1), ("SA", 7),
                                         ("GB", 1), ("BR", 7), ("IR", 6)])
def test_first_day_of_week_follows_cldr(code, first):
    assert facts.first_day_of_week(code) == first


def test_first_day_of_week_follows_the_installed_cldr_where_it_changed():
    # The UAE moved its week in 2022; CLDR followed in a later release (Saturday -> Monday)
    from babel import Locale

    assert facts.first_day_of_week("AE") == Locale.parse("ar_AE").first_week_day + 1
    assert facts.first_day_of_week("AE") in (1, 6)


def test_territory_without_own_week_data_gets_world_default_not_a_parents():
    # babel lets pt_AO inherit Portugal's Sunday start; CLDR does not list Angola, so the
    # world default (Monday, Sat-Sun) applies
    data, source = facts.week_data("AO")
    assert facts.first_day_of_week("AO") == 1
    assert facts.weekend_days("AO") == [6, 7]
    assert source == "CLDR world default"
    assert facts.week_data("SA")[1] == "CLDR SA"


def test_reading_week_data_does_not_poison_babels_locale_cache():
    facts.week_data.cache_clear()
    facts.week_data("SA")
    # a Locale built afterwards still has its inherited formats
    assert Locale.parse("ar_SA").time_formats["short"].pattern
    assert Locale.parse("ar_SA").weekend_start == 4


def test_every_territory_is_described_without_error():
    codes = facts.all_codes()
    assert 240 <= len(codes) <= 260
    assert {"XK", "DE", "AQ", "HK"} <= set(codes)
    assert not {"EU", "UN", "ZZ", "001"} & set(codes)
    for code in codes:
        f = facts.country_facts(code, NOW)
        assert f.code == code and f.name
        assert 1 <= f.first_day_of_week <= 7
        assert f.weekend and all(1 <= d <= 7 for d in f.weekend)


def test_germany_facts():
    f = facts.country_facts("de", NOW, "en")
    assert f.code == "DE"
    assert f.name == "Germany" and f.native_name == "Deutschland"
    assert f.locale == "de_DE"
    assert f.calling_code == "+49"
    assert f.currency["code"] == "EUR"
    assert "Europe/Berlin" in f.zones
    assert f.zone_offsets["Europe/Berlin"] == "UTC+01:00"
    assert f.languages[0].code == "de" and f.languages[0].official == "official"
    assert f.languages[0].share > 50
    assert f.clock == "24h"
    assert f.formats["number"] == "1.234.567,89"
    assert f.formats["date_short"] == "23.11.26"
    assert f.formats["time"] == "13:00"  # 12:00 UTC in Berlin, winter time


def test_us_facts():
    f = facts.country_facts("US", NOW, "en")
    assert f.clock == "12h"
    assert f.formats["date_short"] == "11/23/26"
    assert f.calling_code == "+1"
    assert "America/New_York" in f.zones and "America/Los_Angeles" in f.zones
    assert f.holidays_next[0].date == "2026-11-26"
    assert "Thanksgiving" in f.holidays_next[0].name
    assert f.holiday_today == []


def test_names_follow_the_ui_language():
    assert facts.country_facts("DE", NOW, "fr").name == "Allemagne"
    assert facts.country_facts("JP", NOW, "es").name == "Japón"
    assert facts.country_facts("JP", NOW, "en").native_name == "日本"
    langs = facts.country_facts("CH", NOW, "de").languages
    assert "Deutsch" in [l.name for l in langs]


def test_holiday_today_uses_the_countrys_date():
    # 23:30 UTC on Christmas Eve is already Christmas Day in Tokyo but not in New York
    late = dt.datetime(2026, 12, 24, 23, 30, tzinfo=dt.timezone.utc)
    de = facts.country_facts("DE", dt.datetime(2026, 12, 25, 9, 0, tzinfo=dt.timezone.utc), "de")
    assert de.holiday_today and de.holiday_today[0].name == "Erster Weihnachtstag"
    us = facts.country_facts("US", late, "en")
    assert us.holiday_today == []
    assert us.holidays_next[0].date == "2026-12-25"


def test_holidays_next_are_ordered_and_after_today():
    f = facts.country_facts("SA", NOW, "en")
    dates = [h.date for h in f.holidays_next]
    assert dates == sorted(dates)
    assert all(d > "2026-11-23" for d in dates)
    assert dates[0] == "2027-02-22"  # Founding Day


def test_india_languages_and_zone():
    f = facts.country_facts("IN", NOW, "en")
    codes = [l.code for l in f.languages]
    assert codes[:2] == ["hi", "en"]
    assert f.zones == ["Asia/Kolkata"]
    assert f.zone_offsets["Asia/Kolkata"] == "UTC+05:30"


def test_territory_with_little_data_is_honest():
    f = facts.country_facts("AQ", NOW, "en")
    assert f.currency is None and f.calling_code is None and f.locale is None
    assert f.formats == {} and f.clock is None
    assert [l.code for l in f.languages] == []


def test_alias_and_unknown_codes():
    assert facts.normalize_code("uk") == "GB"
    with pytest.raises(facts.UnknownCountryError):
        facts.normalize_code("QQ")
    with pytest.raises(facts.UnknownCountryError):
        facts.country_facts("", NOW)


def test_naive_instant_is_refused():
    with pytest.raises(ValueError):
        facts.country_facts("DE", dt.datetime(2026, 1, 1))
