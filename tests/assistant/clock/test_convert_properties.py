"""Round trips over many instants: whatever the zone and the date, reading the wall clock
and converting back gives the same instant, and refused times really are gaps or folds."""

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from assistant.clock.convert import local_to_utc
from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError
from assistant.clock.zones import zone_info

ZONES = ["Asia/Kolkata", "Asia/Kathmandu", "Australia/Eucla", "Australia/Lord_Howe",
         "Australia/Sydney", "America/Santiago", "America/Mexico_City", "Europe/Kyiv",
         "America/New_York", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tehran"]

instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30),
                        timezones=st.just(timezone.utc))


@settings(max_examples=300, deadline=None)
@given(instant=instants, zone=st.sampled_from(ZONES))
def test_wall_time_of_an_instant_converts_back_to_it(instant, zone):
    instant = instant.replace(microsecond=0)
    local = instant.astimezone(zone_info(zone))
    assert local_to_utc(zone, local.replace(tzinfo=None), fold=local.fold) == instant


@settings(max_examples=300, deadline=None)
@given(local=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)),
       zone=st.sampled_from(ZONES))
def test_refusals_are_real_gaps_and_folds(local, zone):
    local = local.replace(second=0, microsecond=0)
    tz = zone_info(zone)
    try:
        result = local_to_utc(zone, local)
    except NonexistentTimeError as exc:
        # no instant shows this wall time: the zone's offset jumps over it
        assert exc.before < local < exc.after or local == exc.gap_start
        for probe in (exc.transition - timedelta(hours=3), exc.transition + timedelta(hours=3)):
            assert probe.astimezone(tz).replace(tzinfo=None) != local
    except AmbiguousTimeError as exc:
        first, second = exc.candidates
        assert first < second
        for candidate in exc.candidates:
            assert candidate.astimezone(tz).replace(tzinfo=None) == local
    else:
        assert result.astimezone(tz).replace(tzinfo=None) == local
