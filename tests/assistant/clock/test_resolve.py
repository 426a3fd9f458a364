import pytest

from assistant.clock.errors import ClockError, ResolveError, UnknownZoneError
from assistant.clock.resolve import languages_for_country, looks_like_phone, resolve


def test_spanish_mobile_maps_to_two_zones_and_shows_the_likely_one():
    r = resolve("+34 612 345 678")
    assert (r.kind, r.country) == ("phone", "ES")
    assert set(r.zones) == {"Europe/Madrid", "Atlantic/Canary"}
    assert r.needs_choice and r.context.zone == "Europe/Madrid" and r.context.zone_likely
    assert not r.context.needs_zone_choice  # a clock shows at once
    assert r.context.phone == "+34612345678"
    assert r.context.language == "es"
    assert "Spain" in r.description and "most likely" in r.description
    chosen = r.choose("Atlantic/Canary")
    assert chosen.zone == "Atlantic/Canary" and chosen.phone == "+34612345678"
    assert not chosen.zone_likely
    assert chosen.resolved_from == "+34 612 34 56 78: mobile number in Spain, time zone Atlantic/Canary"
    assert [c.zone for c in r.candidates()] == list(r.zones)


def test_choice_must_be_a_candidate():
    r = resolve("+34 612 345 678")
    with pytest.raises(ResolveError):
        r.choose("Asia/Tokyo")


def test_us_toll_free_number_lists_us_clocks_only():
    r = resolve("+1 800 555 0199")
    assert r.country == "US" and r.context.zone == "America/New_York" and r.context.zone_likely
    assert {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
            "America/Phoenix", "Pacific/Honolulu"} <= set(r.zones)
    # no Caribbean zones of the wider numbering plan, no duplicate clocks (Detroit = New York)
    assert "America/Anguilla" not in r.zones and "America/Detroit" not in r.zones
    assert "toll-free" in r.description


def test_russian_mobile_offers_a_choice_but_a_moscow_landline_does_not():
    mobile = resolve("+7 912 345 67 89")
    assert mobile.country == "RU" and len(mobile.zones) > 5
    assert mobile.context.zone == "Europe/Moscow" and mobile.context.zone_likely
    landline = resolve("+7 495 123 45 67")
    assert landline.zones == ("Europe/Moscow",) and landline.context.zone == "Europe/Moscow"
    assert not landline.context.zone_likely
    assert landline.context.language == "ru"


def test_brazilian_number_with_a_single_zone_is_chosen():
    r = resolve("+55 11 91234 5678")
    assert r.zones == ("America/Sao_Paulo",) and r.context.zone == "America/Sao_Paulo"
    assert r.context.language == "pt"


def test_indian_number_gets_the_canonical_zone():
    r = resolve("0091 98765 43210")
    assert r.context.zone == "Asia/Kolkata" and r.context.country == "IN"
    assert r.languages[:2] == ("hi", "en")


def test_national_number_needs_a_region():
    with pytest.raises(ResolveError, match="country code"):
        resolve("612 345 678")
    r = resolve("612 345 678", default_region="ES")
    assert r.country == "ES" and r.context.phone == "+34612345678"


def test_non_geographic_number_has_no_zone():
    r = resolve("+800 1234 5678")
    assert r.country is None and r.zones == () and r.context.zone is None
    assert r.choose("Europe/Paris").zone == "Europe/Paris"


@pytest.mark.parametrize("text", ["+1 555", "+34 12", "+99 123 456 789"])
def test_invalid_numbers_are_clear_errors(text):
    with pytest.raises(ResolveError) as info:
        resolve(text)
    assert text in str(info.value)


@pytest.mark.parametrize("text, country, zone", [
    ("India", "IN", "Asia/Kolkata"),
    ("in", "IN", "Asia/Kolkata"),
    ("Germany", "DE", "Europe/Berlin"),          # Busingen keeps the same clock
    ("Deutschland", "DE", "Europe/Berlin"),
    ("united kingdom", "GB", "Europe/London"),
    ("UK", "GB", "Europe/London"),
    ("Philippines", "PH", "Asia/Manila"),
])
def test_countries_with_one_clock(text, country, zone):
    r = resolve(text)
    assert (r.kind, r.country, r.context.zone) == ("country", country, zone)


def test_country_with_several_clocks_shows_the_likely_one():
    r = resolve("Australia")
    assert r.context.zone == "Australia/Sydney" and r.context.zone_likely
    assert {"Australia/Sydney", "Australia/Perth", "Australia/Adelaide", "Australia/Eucla",
            "Australia/Brisbane", "Australia/Darwin", "Australia/Lord_Howe"} == set(r.zones)


def test_country_in_the_ui_language():
    assert resolve("Alemania", ui_language="es").country == "DE"
    assert resolve("Inde", ui_language="fr").country == "IN"
    assert resolve("España").country == "ES"


@pytest.mark.parametrize("text, zone", [
    ("Manila", "Asia/Manila"),
    ("São Paulo", "America/Sao_Paulo"),
    ("sao paulo", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("Kathmandu", "Asia/Kathmandu"),
    ("Calcutta", "Asia/Kolkata"),
    ("Kiev", "Europe/Kyiv"),
    ("new york", "America/New_York"),
])
def test_cities(text, zone):
    r = resolve(text)
    assert (r.kind, r.context.zone) == ("city", zone)
    assert r.country


def test_iana_zones_and_legacy_ids():
    r = resolve("Asia/Calcutta")
    assert (r.kind, r.context.zone, r.country) == ("zone", "Asia/Kolkata", "IN")
    assert resolve("UTC").context.zone == "Etc/UTC"
    # bare legacy ids name a clock, not a country (EST links to Panama, CET to Brussels)
    est = resolve("EST")
    assert (est.context.zone, est.country) == ("America/Panama", None)
    assert resolve("CET").country is None
    with pytest.raises(UnknownZoneError):
        resolve("Europe/Atlantis")


def test_unknown_input_suggests_close_names():
    with pytest.raises(ResolveError) as info:
        resolve("Frnace")
    assert "France" in str(info.value)
    with pytest.raises(ClockError):
        resolve("   ")


def test_phone_detection():
    assert looks_like_phone("+34 612 345 678")
    assert looks_like_phone("(212) 555-0123")
    assert looks_like_phone("tel:+441234567890")
    assert not looks_like_phone("1234")
    assert not looks_like_phone("Manila")


def test_languages_for_country():
    assert languages_for_country("ES") == ("es",)
    assert languages_for_country("CH")[0] == "de"
    assert "fr" in languages_for_country("CA")
    assert languages_for_country(None) == ()


@pytest.mark.parametrize("text, zone, country", [
    ("Mumbai", "Asia/Kolkata", "IN"),
    ("barcelona", "Europe/Madrid", "ES"),
    ("München", "Europe/Berlin", "DE"),
    ("Montréal", "America/Toronto", "CA"),
    ("Rio de Janeiro", "America/Sao_Paulo", "BR"),
    ("Tenerife", "Atlantic/Canary", "ES"),
])
def test_major_cities_that_are_not_zone_names(text, zone, country):
    r = resolve(text)
    assert (r.kind, r.context.zone, r.country) == ("city", zone, country)


def test_every_major_city_maps_to_a_canonical_zone_with_a_country():
    from assistant.clock.cities import MAJOR_CITIES
    from assistant.clock.zones import canonical_zone, country_of_zone

    for city, zone in MAJOR_CITIES.items():
        assert canonical_zone(zone) == zone, city
        assert country_of_zone(zone), city


def test_names_in_the_other_ui_languages_are_loaded_only_when_needed():
    """Issue 18: a country in the UI language or English, or a city, resolves without the
    locale data of the app's other UI languages (about 6.6 MB); a name in one of them still
    resolves, loading them then."""
    from assistant.clock import resolve as module

    module._other_country_index.cache_clear()
    assert resolve("Germany").country == "DE"
    assert resolve("Manila").zones == ("Asia/Manila",)
    assert module._other_country_index.cache_info().currsize == 0
    assert resolve("Allemagne").country == "DE"  # French, in an English UI
    assert module._other_country_index.cache_info().currsize == 1
