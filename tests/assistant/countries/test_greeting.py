"""The ready-to-say greeting and the translated first-ten-seconds summaries."""

import json
from datetime import datetime, timezone

import pytest

from assistant.countries.cards import cards_dir, load_card, shipped_codes
from assistant.countries.greeting import card_summary, ready_greeting
from assistant.customer import CustomerContext
from assistant.i18n import SUPPORTED
from assistant.templates.values import GREETINGS

UTC = timezone.utc
TOKYO = CustomerContext(country="JP", zone="Asia/Tokyo", language="ja")


def test_the_greeting_follows_their_time_of_day_in_their_language():
    late = datetime(2025, 3, 20, 14, 41, tzinfo=UTC)  # 23:41 in Tokyo
    greeting = ready_greeting(TOKYO, late, "en", load_card("JP"))
    assert greeting.text == "こんばんは" and greeting.language == "ja"  # not a daytime greeting
    morning = ready_greeting(TOKYO, datetime(2025, 3, 20, 0, 30, tzinfo=UTC), "en")  # 09:30
    assert morning.text == dict(GREETINGS["ja"])[5]
    # the greeting table's own rule: the last entry whose hour has come
    for hour in range(24):
        at = datetime(2025, 3, 20, (hour - 9) % 24, 0, tzinfo=UTC)
        expected = [text for start, text in GREETINGS["ja"] if start <= hour] or [GREETINGS["ja"][-1][1]]
        assert ready_greeting(TOKYO, at, "en").text == expected[-1]


def test_first_names_where_polite_and_none_without_a_zone():
    at = datetime(2025, 3, 20, 15, 0, tzinfo=UTC)  # 16:00 in Madrid
    ana = CustomerContext(name="Ana Gómez", country="ES", zone="Europe/Madrid", language="es")
    assert ready_greeting(ana, at, "en").text == "Buenas tardes, Ana"
    jonas = CustomerContext(name="Jonas Weber", country="DE", zone="Europe/Berlin", language="de")
    assert ready_greeting(jonas, at, "en").text == "Guten Tag"  # Herr Weber, not Jonas
    assert ready_greeting(CustomerContext(country="ES"), at, "en") is None
    # a language without greetings here: English, which support speaks everywhere
    assert ready_greeting(CustomerContext(zone="Asia/Bangkok", language="th"), at, "en").language == "en"


def test_the_card_summary_carries_the_form_of_address():
    card = load_card("JP")
    greeting = ready_greeting(TOKYO, datetime(2025, 3, 20, 14, 41, tzinfo=UTC), "en", card)
    assert greeting.summary == card["compact"] and "-san" in greeting.summary


@pytest.mark.parametrize("language", [code for code in SUPPORTED if code != "en"])
def test_every_shipped_summary_is_translated_into_every_ui_language(language):
    table = json.loads((cards_dir() / "summaries" / f"{language}.json").read_text(encoding="utf-8"))
    assert set(table) == set(shipped_codes())
    for code in shipped_codes():
        card = load_card(code)
        text, translated = card_summary(card, language)
        assert translated and text == table[code] and text != card["compact"]
        assert len(text) <= 400  # the card schema's bound for a summary


def test_a_pack_card_stays_as_written_and_english_needs_no_table():
    card = dict(load_card("JP"), origin="pack:team")
    assert card_summary(card, "es") == (card["compact"], False)
    assert card_summary(load_card("JP"), "en") == (load_card("JP")["compact"], True)
    assert card_summary(None, "es") == ("", False)
