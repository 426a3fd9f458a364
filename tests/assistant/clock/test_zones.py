from datetime import datetime, timedelta, timezone

import pytest

from assistant.clock.errors import UnknownZoneError
from assistant.clock.zones import (
    canonical_zone, city_of_zone, country_of_zone, distinct_clocks, localized_city,
    zones_of_country,
)


@pytest.mark.parametrize("name, expected", [
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Asia/Katmandu", "Asia/Kathmandu"),
    ("US/Eastern", "America/New_York"),
    ("asia/kolkata", "Asia/Kolkata"),
    ("Asia/Kolkata", "Asia/Kolkata"),
    ("UTC", "Etc/UTC"),
    # tzdata links Oslo to Berlin, but Norway keeps its own zone for the agent
    ("Europe/Oslo", "Europe/Oslo"),
])
def test_canonical_zone(name, expected):
    assert canonical_zone(name) == expected


def test_unknown_zone_is_a_clear_error_with_suggestions():
    with pytest.raises(UnknownZoneError) as info:
        canonical_zone("Europe/Madird")
    assert "Europe/Madird" in str(info.value)
    assert "Europe/Madrid" in info.value.suggestions


def test_unknown_zone_without_suggestions_says_what_to_type():
    with pytest.raises(UnknownZoneError, match="IANA zone"):
        canonical_zone("Qqqq/Zzzz")


def test_zone_countries_and_cities():
    assert country_of_zone("Asia/Calcutta") == "IN"
    assert country_of_zone("Etc/UTC") is None
    assert "Europe/Kyiv" in zones_of_country("UA")
    assert city_of_zone("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert localized_city("America/Sao_Paulo", "es") == "São Paulo"
    assert localized_city("Asia/Manila", "en") == "Manila"


def test_distinct_clocks_collapses_zones_with_the_same_clock():
    assert distinct_clocks(["Europe/Busingen", "Europe/Berlin"]) == ("Europe/Berlin",)
    # Sydney, not Macquarie Island, stands for Australian Eastern time; west to east order
    au = distinct_clocks(zones_of_country("AU"))
    assert "Australia/Sydney" in au and "Antarctica/Macquarie" not in au
    assert au.index("Australia/Perth") < au.index("Australia/Sydney")
    # Brisbane (no DST) and Sydney (DST) share an offset in winter but are different clocks
    assert "Australia/Brisbane" in au
    # Madrid and the Canaries really differ
    assert distinct_clocks(["Europe/Madrid", "Atlantic/Canary"]) == ("Atlantic/Canary", "Europe/Madrid")


def test_a_signature_is_the_offset_then_each_change_in_whole_seconds():
    from assistant.clock import zones
    from assistant.clock.convert import transitions_between

    start = datetime(zones._SAME_CLOCK_SPAN[0], 1, 1, tzinfo=timezone.utc)
    end = datetime(zones._SAME_CLOCK_SPAN[1], 1, 1, tzinfo=timezone.utc)
    for zone in ("America/New_York", "Africa/Casablanca", "Asia/Kolkata"):
        tz = __import__("zoneinfo").ZoneInfo(zone)
        daily = transitions_between(zone, start, end, step=timedelta(days=1))
        expected = [int(start.astimezone(tz).utcoffset().total_seconds())]
        for change in daily:
            expected += (int(change.instant.timestamp()), int(change.offset_after.total_seconds()))
        assert zones._clock_signature(zone) == tuple(expected)


def test_mexico_city_dropped_dst_in_2022():
    tz = __import__("zoneinfo").ZoneInfo(canonical_zone("America/Mexico_City"))
    assert datetime(2021, 7, 1, 12, tzinfo=timezone.utc).astimezone(tz).utcoffset().total_seconds() == -5 * 3600
    assert datetime(2023, 7, 1, 12, tzinfo=timezone.utc).astimezone(tz).utcoffset().total_seconds() == -6 * 3600


def test_the_signatures_warm_up_stops_when_asked():
    """A quit right after the start waits for the worker: the warm-up ends at the next zone."""
    from assistant.clock import zones

    zones._clock_signature.cache_clear()
    asked = []
    zones.warm_clock_signatures(pause=0, stop=lambda: asked.append(1) or len(asked) > 3)
    assert zones._clock_signature.cache_info().currsize == 3
    zones.warm_clock_signatures(pause=0)
    assert zones._clock_signature.cache_info().currsize == len(zones.zone_countries())
