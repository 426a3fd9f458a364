"""Plain-text wording of facts and cards."""

from __future__ import annotations

import datetime as dt
from datetime import date

import holidays
from babel.dates import format_date, get_day_names

from assistant.countries import cards, facts, presentation

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def test_day_lists():
    assert presentation.day_list([7, 1, 2, 3, 4], "en") == "Sun–Thu"
    assert presentation.day_list([5, 6], "en") == "Fri, Sat"
    assert presentation.day_list([1, 3], "en") == "Mon, Wed"
    assert presentation.day_list([1, 2, 3, 4, 5], "de") == "Mo.–Fr."


def test_business_hours_text():
    text = presentation.business_hours_text(
        {"days": [1, 2, 3, 4, 5], "open": "09:00", "close": "18:00", "lunch": ["12:00", "14:00"]}, "en")
    assert text == "Mon–Fri 09:00–18:00; lunch 12:00–14:00"


def test_holiday_runs_group_consecutive_days():
    runs = presentation.holiday_runs([
        {"date": "2027-03-09", "name": "Eid al-Fitr Holiday"},
        {"date": "2027-03-10", "name": "Eid al-Fitr Holiday"},
        {"date": "2027-03-11", "name": "Eid al-Fitr Holiday (observed)"},
        {"date": "2027-05-15", "name": "Day of Arafah"},
        {"date": "2027-09-23", "name": "National Day (observed)"},
    ], "en")
    def medium(day):  # the installed CLDR's medium English date ("Mar 9, 2027")
        return format_date(day, "medium", locale="en")

    assert runs == [(f"{medium(date(2027, 3, 9))} – {medium(date(2027, 3, 11))}", "Eid al-Fitr Holiday"),
                    (medium(date(2027, 5, 15)), "Day of Arafah"),
                    (medium(date(2027, 9, 23)), "National Day (observed)")]


def test_fact_lines_for_saudi_arabia():
    lines = dict(presentation.fact_lines(facts.country_facts("SA", NOW, "en").to_dict(), "en"))
    assert lines["Working week"] == "Sun–Thu"  # starts on the country's first day of the week
    assert lines["Weekend"] == "Fri, Sat"
    assert lines["Week starts"] == get_day_names("wide", locale="en")[6]
    assert lines["Calling code"] == "+966"
    assert lines["Today"] == "not a public holiday"
    founding = holidays.country_holidays("SA", years=2027)[date(2027, 2, 22)]  # this release's name
    assert lines["Next holidays"].startswith(f"{format_date(date(2027, 2, 22), 'medium', locale='en')}: {founding}")
    assert "Asia/Riyadh (UTC+03:00)" in lines["Time zones"]


def test_fact_lines_for_a_country_without_holiday_data_or_locale():
    lines = dict(presentation.fact_lines(facts.country_facts("AQ", NOW, "en").to_dict(), "en"))
    assert lines["Currency"] == "unknown"
    assert "Date" not in lines
    many = facts.country_facts("RU", NOW, "en").to_dict()
    assert "more" in dict(presentation.fact_lines(many, "en"))["Time zones"]


def test_card_sections_cover_every_field_and_notes():
    card = cards.load_card("CH")
    card["team_notes"] = [{"pack_id": "emea", "text": "Ask which canton."}]
    sections = dict(presentation.card_sections(card, "en"))
    for title in ("Greeting and opening", "Formality and pronouns", "Names and honorifics",
                  "Directness", "Time and callbacks", "Typical business hours",
                  "Holidays and seasons", "Phone and chat", "Do", "Don't", "Taboos", "Sources",
                  "Team notes (emea)", "Review"):
        assert title in sections, title
    assert sections["Directness"].startswith("4 of 5: ")
    assert "Hello: Grüezi  [GRUE-tsee]" in sections["Key phrases (German (Switzerland))"]
    assert "Key phrases (French (Switzerland))" in sections
    assert sections["Do"].startswith("• ")
    assert "Last reviewed 2026-11-23" in sections["Review"]
