"""Typed times in the core: relative, day + clock, weekdays, the customer's zone, ISO, and
wall times that clock changes skip or repeat."""

from datetime import timedelta

import pytest

from assistant.tasks.timephrase import (AmbiguousTimeError, NonexistentTimeError, TimePhraseError,
                                        parse_time_phrase)
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 16, 0)  # Monday 17:00 Paris, Tuesday 01:00 Tokyo
PARIS, TOKYO = "Europe/Paris", "Asia/Tokyo"


def at(text, now=NOW, customer=TOKYO, **kw):
    return parse_time_phrase(text, now, PARIS, customer, **kw).instant


@pytest.mark.parametrize("text, delta", [
    ("in 2h", timedelta(hours=2)),
    ("in 2 h", timedelta(hours=2)),
    ("in 30 min", timedelta(minutes=30)),
    ("in 30m", timedelta(minutes=30)),
    ("in 1h30", timedelta(minutes=90)),
    ("in 1 hour 15 minutes", timedelta(minutes=75)),
    ("in 1.5 hours", timedelta(minutes=90)),
    ("in 2 days", timedelta(days=2)),
    ("In an hour", timedelta(hours=1)),
    ("in half an hour", timedelta(minutes=30)),
])
def test_relative(text, delta):
    parsed = parse_time_phrase(text, NOW, PARIS, TOKYO)
    assert parsed.instant == NOW + delta and parsed.relative


@pytest.mark.parametrize("text, expected", [
    ("tomorrow 10:00", utc(2026, 11, 24, 9)),
    ("tomorrow at 9", utc(2026, 11, 24, 8)),
    ("today 17:30", utc(2026, 11, 23, 16, 30)),
    ("18:00", utc(2026, 11, 23, 17)),          # still ahead today
    ("10:00", utc(2026, 11, 24, 9)),           # passed today: tomorrow
    ("3pm", utc(2026, 11, 24, 14)),
    ("3:30 pm", utc(2026, 11, 24, 14, 30)),
    ("fri 15:00", utc(2026, 11, 27, 14)),
    ("Friday 15:00", utc(2026, 11, 27, 14)),
    ("next monday 9", utc(2026, 11, 30, 8)),
    ("mon 18:00", utc(2026, 11, 23, 17)),      # today, still ahead
    ("mon 09:00", utc(2026, 11, 30, 8)),       # today but passed: next week
    ("10:00 my time", utc(2026, 11, 24, 9)),
])
def test_day_and_clock_in_the_agent_zone(text, expected):
    assert at(text) == expected


@pytest.mark.parametrize("text", ["10:00 their time", "10:00 her time", "10:00 his time",
                                  "10:00 customer time", "10:00 in the customer's time"])
def test_their_time_reads_the_customer_zone(text):
    parsed = parse_time_phrase(text, NOW, PARIS, TOKYO)
    # it is already Tuesday 01:00 in Tokyo: 10:00 their time is later that Tuesday
    assert parsed.instant == utc(2026, 11, 24, 1)  # Tuesday 10:00 JST
    assert parsed.zone_name == TOKYO and parsed.side == "customer"


def test_tomorrow_their_time_is_the_customers_tomorrow():
    assert at("tomorrow 10:00 her time") == utc(2026, 11, 25, 1)  # Wednesday 10:00 JST


def test_customer_time_by_default_for_the_cli_flag():
    assert parse_time_phrase("2026-11-25T10:00", NOW, PARIS, TOKYO, default_side="customer").instant \
        == utc(2026, 11, 25, 1)


def test_iso_forms():
    assert at("2026-11-24T10:00") == utc(2026, 11, 24, 9)
    assert at("2026-11-24 10:00") == utc(2026, 11, 24, 9)
    assert at("2026-11-24T10:00Z") == utc(2026, 11, 24, 10)
    assert at("2026-11-24T10:00+09:00") == utc(2026, 11, 24, 1)


def test_their_time_without_a_customer_zone_is_explained():
    with pytest.raises(TimePhraseError, match="customer's time zone is not known"):
        at("10:00 their time", customer=None)


@pytest.mark.parametrize("text", ["", "soon", "in 2 parsecs", "tomorrow", "25:00", "in 0 min",
                                  "2026-13-01T10:00", "2026-11-24", "tue wed 10:00", "in 2000 days"])
def test_bad_phrases_get_a_message(text):
    with pytest.raises(TimePhraseError) as info:
        at(text)
    assert str(info.value)


def test_a_time_the_clocks_skip_is_reported():
    with pytest.raises(NonexistentTimeError) as info:
        at("2026-03-29T02:30", now=utc(2026, 3, 27, 12))
    assert "does not exist" in str(info.value) and "03:00" in str(info.value)
    with pytest.raises(NonexistentTimeError):
        at("sun 02:30", now=utc(2026, 3, 27, 12))


def test_a_time_that_happens_twice_is_reported_or_chosen():
    now = utc(2026, 10, 23, 12)
    with pytest.raises(AmbiguousTimeError) as info:
        at("sun 02:30", now=now)
    assert "twice" in str(info.value)
    assert at("sun 02:30", now=now, fold=0) == utc(2026, 10, 25, 0, 30)
    assert at("sun 02:30", now=now, fold=1) == utc(2026, 10, 25, 1, 30)


def test_customer_clock_change_is_checked_in_their_zone():
    # 02:30 on 8 March 2026 does not exist in New York, though it does in Paris
    now = utc(2026, 3, 6, 12)
    with pytest.raises(NonexistentTimeError):
        parse_time_phrase("sun 02:30 their time", now, PARIS, "America/New_York")
    assert parse_time_phrase("sun 02:30", now, PARIS, "America/New_York").instant == utc(2026, 3, 8, 1, 30)


# Monday 17:00 in Paris: "tomorrow 10:00" is Tuesday 09:00 UTC in every UI language
@pytest.mark.parametrize("text", [
    "morgen 10:00", "Morgen um 10 Uhr", "mañana 10:00", "mañana a las 10", "manana 10:00",
    "demain 10h", "Demain à 10h00", "amanhã 10:00", "amanha às 10h", "कल 10:00", "कल 10 बजे",
    "غدًا 10:00", "غدا الساعة 10:00", "غدًا ١٠:٠٠", "कल १०:००",
])
def test_tomorrow_in_every_ui_language(text):
    assert at(text) == utc(2026, 11, 24, 9)


@pytest.mark.parametrize("text", [
    "vendredi 15h", "ven. 15h", "am Freitag um 15 Uhr", "Fr 15:00", "viernes 15:00", "el viernes a las 15",
    "sexta 15:00", "sexta-feira 15h", "शुक्रवार 15:00", "الجمعة 15:00",
])
def test_weekdays_in_every_ui_language(text):
    assert at(text) == utc(2026, 11, 27, 14)


@pytest.mark.parametrize("text", ["heute 17:30", "hoy 17:30", "aujourd'hui 17h30", "hoje 17:30",
                                  "आज 17:30", "اليوم 17:30"])
def test_today_in_every_ui_language(text):
    assert at(text) == utc(2026, 11, 23, 16, 30)


@pytest.mark.parametrize("text, delta", [
    ("in 2 Std", timedelta(hours=2)), ("en 2 horas", timedelta(hours=2)),
    ("dans 30 minutes", timedelta(minutes=30)), ("em 2 dias", timedelta(days=2)),
])
def test_in_some_time_in_the_ui_languages(text, delta):
    assert at(text) == NOW + delta


def test_10_am_is_still_english_and_am_freitag_german():
    assert at("tomorrow 10 am") == utc(2026, 11, 24, 9)
    assert at("am Freitag 10:00") == utc(2026, 11, 27, 9)


@pytest.mark.parametrize("language", ["de", "es", "fr", "pt_BR", "hi", "ar"])
def test_error_notes_give_examples_in_the_ui_language_and_no_command_line(language):
    from assistant import i18n
    from assistant.tasks.timephrase import examples

    english = examples()
    i18n.set_language(language)
    try:
        with pytest.raises(TimePhraseError) as info:
            at("soon")
        message = str(info.value)
        assert examples() in message and examples() != english
        assert "assistant " not in message and "--" not in message
        for example in examples().split(", "):  # each example given is one the parser reads
            assert parse_time_phrase(example, NOW, PARIS, TOKYO)
    finally:
        i18n.set_language("en")
