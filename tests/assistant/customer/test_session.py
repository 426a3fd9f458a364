"""The customer session: one place reads what the agent typed, chooses zones, remembers
recents and pins, and makes the snapshot a task keeps; every entry point agrees."""

from datetime import datetime, timezone

import pytest

from assistant import settings
from assistant.clock.errors import ResolveError
from assistant.customer import CustomerContext
from assistant.customer import session as rules
from assistant.customer.memory import PinError
from assistant.customer.session import CustomerSession

AT = datetime(2026, 3, 4, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(db):
    settings.put(db, "clock.agent_zone", "Europe/London")
    return CustomerSession(lambda: db, now=lambda: AT)


def events(session):
    seen = {"customer": [], "memory": 0}
    session.subscribe(customer=seen["customer"].append,
                      memory=lambda: seen.__setitem__("memory", seen["memory"] + 1))
    return seen


def test_a_name_before_a_comma_is_the_customer_s_name():
    resolution = rules.read("Lucía, +52 55 1234 5678")
    context = resolution.context
    assert (context.name, context.phone, context.country) == ("Lucía", "+525512345678", "MX")
    assert resolution.description.startswith("Lucía: ")
    spain = rules.read("Ana Gómez, +34 612 345 678")
    assert spain.context.zone_likely and spain.choose("Atlantic/Canary").name == "Ana Gómez"
    assert rules.read("Manila").context.zone == "Asia/Manila"  # no comma, no name
    with pytest.raises(ResolveError):
        rules.read("Ana, Atlantis")


def test_a_name_and_a_phone_number_are_read_without_trying_the_whole_text_as_a_place(monkeypatch):
    """Issue 18: "Ana, +34 …" was first read whole, as a country, a city and a zone: the
    first time that loaded every UI language's country names (42 ms on the GUI thread), and
    each time it ranked guesses for a message nobody saw (5 ms). No place has a phone number
    in its name, so the phone number after the comma is read at once, to the same result."""
    from assistant.clock import resolve

    def refuse(*_args, **_kwargs):
        raise AssertionError("the whole text was read as a place")
    for name in ("_country_index", "_city_index", "_other_country_index", "_unknown_message"):
        monkeypatch.setattr(resolve, name, refuse)
    spain = rules.read("Ana, +34 612 345 678")
    assert (spain.context.name, spain.context.country, spain.context.phone) == ("Ana", "ES", "+34612345678")
    mexico = rules.read("Lucía Pérez, Soporte,  0052 55 1234 5678")  # the last comma parts the name
    assert (mexico.context.name, mexico.context.country) == ("Lucía Pérez, Soporte", "MX")
    monkeypatch.undo()
    assert rules.read("Ana, Madrid").context.name == "Ana"  # a place after the comma: tried whole first


def test_national_numbers_use_the_default_region(db):
    with pytest.raises(ResolveError, match="country code"):
        rules.read("612 345 678")
    settings.put(db, "clock.agent_zone", "Europe/Madrid")  # no region set: the agent's zone's
    assert rules.default_region(db) == "ES"
    settings.put(db, "customer.default_region", "MX")
    assert rules.default_region(db) == "MX"
    assert rules.read_customer("55 1234 5678", db).country == "MX"


def test_typed_text_with_several_zones_shows_the_likely_one_and_offers_the_rest(session, db):
    seen = events(session)
    resolution = session.set_text("Ana, +34 612 345 678")
    assert resolution.needs_choice and not session.context.needs_zone_choice
    assert session.context.zone == "Europe/Madrid" and session.context.zone_likely
    assert session.text == "Ana, +34 612 345 678"
    assert set(session.zone_options) == {"Europe/Madrid", "Atlantic/Canary"}
    assert session.recents() == [session.context]
    choices = {c.zone: c for c in session.zone_choices(datetime(2025, 1, 15, 10, 0, tzinfo=timezone.utc))}
    assert "UTC+01:00" in choices["Europe/Madrid"].label and "UTC+00:00" in choices["Atlantic/Canary"].label
    assert choices["Europe/Madrid"].likely and not choices["Atlantic/Canary"].likely
    assert "likely" in choices["Europe/Madrid"].label
    # the Canaries show another hour than Madrid: a chip
    assert choices["Atlantic/Canary"].other_hour and not choices["Europe/Madrid"].other_hour
    chosen = session.choose_zone("Atlantic/Canary")
    assert chosen.zone == "Atlantic/Canary" and chosen.name == "Ana" and not chosen.zone_likely
    assert session.zone_options  # still offered: the agent may change it
    # the choice replaces the guess in the recents: one customer, one entry
    assert session.recents() == [chosen] and seen["memory"] == 2
    assert seen["customer"][-1] == chosen
    with pytest.raises(ResolveError):
        session.choose_zone("Asia/Tokyo")


def test_text_that_does_not_read_changes_nothing(session):
    session.set_text("Tokyo")
    before = session.context
    with pytest.raises(ResolveError):
        session.set_text("Atlantis")
    assert session.context == before and session.text == "Tokyo"


def test_a_customer_set_from_elsewhere_reads_back_in_the_field_and_is_remembered(session):
    from assistant.tasks.model import Task

    task = Task(title="Call back", customer=CustomerContext(name="Lucía", phone="+525512345678",
                                                           country="MX", zone="America/Mexico_City"))
    seen = events(session)
    session.set(rules.from_task(task.customer, task.title))
    assert session.context.resolved_from == "task: Call back"
    assert session.text == "Lucía, +525512345678"
    assert session.read(session.text).context.phone == "+525512345678"  # the field reads back
    assert [c.name for c in session.recents()] == ["Lucía"] and seen["memory"] == 1
    assert session.zone_options == ()


def test_a_recent_with_a_zone_choice_keeps_it_offered(session):
    session.set_text("ES")
    canary = session.choose_zone("Atlantic/Canary")
    session.set(canary)  # picking what is already chosen (e.g. from the recents)
    assert session.zone_options
    session.set(CustomerContext(country="RU", zones=("Europe/Moscow", "Asia/Vladivostok")))
    assert session.zone_options == ("Europe/Moscow", "Asia/Vladivostok")  # its own choice
    session.clear()
    assert session.context.is_empty and session.text == "" and session.zone_options == ()


def test_the_snapshot_a_task_keeps():
    context = rules.read("Ana, +34 612 345 678").choose("Europe/Madrid")
    kept = rules.for_task(context)
    assert kept == CustomerContext(name="Ana", phone="+34612345678", country="ES",
                                   zone="Europe/Madrid", language=context.language)
    assert kept.resolved_from is None and kept.zones == ()


def test_command_line_customers(db):
    assert rules.read_customer(None, db) == CustomerContext()
    paris = rules.read_customer(None, db, zone="Europe/Paris", name="Jean")
    assert (paris.zone, paris.country, paris.name) == ("Europe/Paris", "FR", "Jean")
    likely = rules.read_customer("ES", db)  # the command line gets the likely zone too
    assert likely.zone == "Europe/Madrid" and likely.zone_likely and not likely.needs_zone_choice
    assert rules.read_customer("ES", db, zone="Atlantic/Canary").zone == "Atlantic/Canary"
    assert rules.read_customer("Lucía, +52 55 1234 5678", db, name="Lucía Pérez").name == "Lucía Pérez"
    with pytest.raises(ResolveError):
        rules.read_customer("ES", db, zone="Asia/Tokyo")


def test_pins_through_the_session(session):
    seen = events(session)
    session.set(CustomerContext(country="ES", zones=("Atlantic/Canary", "Europe/Madrid")))
    with pytest.raises(PinError):
        session.pin()  # no zone chosen yet (an old stored customer)
    session.choose_zone("Europe/Madrid")
    assert session.toggle_pin() and session.is_pinned()
    assert [c.zone for c in session.pins()] == ["Europe/Madrid"]
    assert not session.toggle_pin() and session.pins() == []
    assert seen["memory"] >= 3
    session.clear_recents()
    assert session.recents() == []


def test_field_text():
    assert rules.field_text(CustomerContext(name="Ana", zone="Europe/Madrid")) == "Ana, Europe/Madrid"
    assert rules.field_text(CustomerContext(country="JP")) == "JP"
    assert rules.field_text(CustomerContext(name="Ana")) == "Ana"
    assert rules.field_text(CustomerContext()) == ""


def test_read_ahead_reads_as_set_text_does_and_makes_the_country_s_clock_data(session, db):
    """Issue 18: Enter reads the customer off the GUI thread first. The read-ahead gives the
    resolution ``set_text`` would make, and leaves the country's data made: the holidays
    the clock then looks up are a cache hit, and the number's patterns stay compiled."""
    import phonenumbers
    from phonenumbers import re_util

    from assistant.clock import status

    status._holidays_for.cache_clear()
    status._language_for.cache_clear()
    job = session.read_ahead("Ana, +34 612 345 678")
    resolution = job()
    assert resolution == session.read("Ana, +34 612 345 678")
    spain = phonenumbers.PhoneMetadata.metadata_for_region("ES")
    assert spain.general_desc.national_number_pattern in (re_util._COMPILED_PATTERNS or {})
    misses = status._holidays_for.cache_info().misses
    session.set_text("Ana, +34 612 345 678", resolution)
    assert session.context == resolution.context
    status.holiday_on("ES", AT.date())
    assert status._holidays_for.cache_info().misses == misses  # made ahead
    assert session.read_ahead("no such place 123")() is None  # set_text says why
    with pytest.raises(ResolveError):
        session.set_text("no such place 123")


def test_read_ahead_touches_no_database(session, db):
    """The job runs on another thread: what it needs from the settings is read when it is
    made, and the job itself never opens the database."""
    calls = []
    job = rules.CustomerSession(lambda: calls.append(1) or db, now=lambda: AT).read_ahead("Manila")
    before = len(calls)
    assert job().context.zone == "Asia/Manila"
    assert len(calls) == before
