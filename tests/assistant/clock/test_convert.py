from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from assistant.clock.convert import (
    format_offset, local_to_utc, next_transition, transitions_between, utc_to_local,
)
from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError, UnknownZoneError

UTC = timezone.utc


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("zone, local, expected_utc", [
    ("Asia/Kolkata", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 3, 30)),
    ("Asia/Calcutta", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 3, 30)),
    ("Asia/Kathmandu", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 3, 15)),
    ("Australia/Eucla", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 0, 15)),
    ("Asia/Tehran", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 5, 30)),
    # southern hemisphere: summer time in January
    ("Australia/Sydney", datetime(2025, 1, 15, 9, 0), at(2025, 1, 14, 22, 0)),
    ("Australia/Sydney", datetime(2025, 7, 15, 9, 0), at(2025, 7, 14, 23, 0)),
    ("America/Santiago", datetime(2025, 1, 15, 9, 0), at(2025, 1, 15, 12, 0)),
    ("America/Santiago", datetime(2025, 7, 15, 9, 0), at(2025, 7, 15, 13, 0)),
    # Mexico City: DST until 2022, none since
    ("America/Mexico_City", datetime(2021, 7, 1, 9, 0), at(2021, 7, 1, 14, 0)),
    ("America/Mexico_City", datetime(2024, 7, 1, 9, 0), at(2024, 7, 1, 15, 0)),
    ("Europe/Kyiv", datetime(2025, 7, 1, 9, 0), at(2025, 7, 1, 6, 0)),
    ("Europe/Kiev", datetime(2025, 7, 1, 9, 0), at(2025, 7, 1, 6, 0)),
    # far dates: future rules and 1970s history
    ("Europe/Paris", datetime(2090, 7, 1, 12, 0), at(2090, 7, 1, 10, 0)),
    ("America/New_York", datetime(1974, 1, 15, 12, 0), at(1974, 1, 15, 16, 0)),  # 1974 emergency DST
])
def test_local_to_utc(zone, local, expected_utc):
    result = local_to_utc(zone, local)
    assert result == expected_utc
    assert result.utcoffset() == timedelta(0)
    assert utc_to_local(zone, result).replace(tzinfo=None) == local


def test_gap_is_refused_with_the_valid_times():
    with pytest.raises(NonexistentTimeError) as info:
        local_to_utc("Europe/Berlin", datetime(2024, 3, 31, 2, 30))
    err = info.value
    assert err.before == datetime(2024, 3, 31, 1, 59)
    assert err.after == datetime(2024, 3, 31, 3, 0)
    assert err.transition == at(2024, 3, 31, 1, 0)
    message = str(err)
    assert "does not exist" in message and "01:59" in message and "03:00" in message


def test_gap_in_the_southern_hemisphere_is_in_october():
    with pytest.raises(NonexistentTimeError) as info:
        local_to_utc("Australia/Sydney", datetime(2024, 10, 6, 2, 15))
    assert info.value.after == datetime(2024, 10, 6, 3, 0)
    # Santiago jumps at midnight: 00:xx does not exist
    with pytest.raises(NonexistentTimeError) as info:
        local_to_utc("America/Santiago", datetime(2024, 9, 8, 0, 30))
    assert info.value.after == datetime(2024, 9, 8, 1, 0)


def test_gap_of_a_half_hour_zone():
    # Lord Howe Island moves its clocks by 30 minutes only
    with pytest.raises(NonexistentTimeError) as info:
        local_to_utc("Australia/Lord_Howe", datetime(2024, 10, 6, 2, 15))
    assert info.value.after == datetime(2024, 10, 6, 2, 30)


def test_fold_asks_which_one_and_carries_both_instants():
    with pytest.raises(AmbiguousTimeError) as info:
        local_to_utc("Europe/Berlin", datetime(2024, 10, 27, 2, 30))
    err = info.value
    assert err.candidates == (at(2024, 10, 27, 0, 30), at(2024, 10, 27, 1, 30))
    assert err.offsets == ("+02:00", "+01:00")
    assert "twice" in str(err)
    assert local_to_utc("Europe/Berlin", datetime(2024, 10, 27, 2, 30), fold=0) == err.candidates[0]
    assert local_to_utc("Europe/Berlin", datetime(2024, 10, 27, 2, 30), fold=1) == err.candidates[1]


def test_fold_in_the_southern_hemisphere_is_in_april():
    with pytest.raises(AmbiguousTimeError) as info:
        local_to_utc("Australia/Sydney", datetime(2025, 4, 6, 2, 30))
    assert info.value.candidates == (at(2025, 4, 5, 15, 30), at(2025, 4, 5, 16, 30))


def test_fold_argument_is_harmless_for_ordinary_times():
    assert local_to_utc("Asia/Kolkata", datetime(2025, 1, 15, 9, 0), fold=1) == at(2025, 1, 15, 3, 30)


def test_bad_arguments():
    with pytest.raises(ValueError):
        local_to_utc("Europe/Berlin", datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        local_to_utc("Europe/Berlin", datetime(2024, 1, 1), fold=2)
    with pytest.raises(UnknownZoneError):
        local_to_utc("Mars/Olympus_Mons", datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        utc_to_local("Europe/Berlin", datetime(2024, 1, 1))


def test_format_offset():
    assert format_offset(timedelta(hours=5, minutes=30)) == "+05:30"
    assert format_offset(timedelta(hours=-3)) == "-03:00"
    assert format_offset(timedelta(hours=-9, minutes=-30)) == "-09:30"
    assert format_offset(timedelta(0)) == "+00:00"


def test_next_transition_northern_and_southern():
    berlin = next_transition("Europe/Berlin", at(2025, 1, 1))
    assert berlin.instant == at(2025, 3, 30, 1, 0)
    assert (berlin.offset_before, berlin.offset_after) == (timedelta(hours=1), timedelta(hours=2))
    assert berlin.delta == timedelta(hours=1)
    assert berlin.local_before == datetime(2025, 3, 30, 2, 0)
    assert berlin.abbreviation_after == "CEST"
    sydney = next_transition("Australia/Sydney", at(2025, 1, 1))
    assert sydney.instant == at(2025, 4, 5, 16, 0)
    assert sydney.delta == timedelta(hours=-1)
    assert sydney.local_before == datetime(2025, 4, 6, 3, 0)


def test_no_transition_for_zones_without_dst():
    assert next_transition("Asia/Kolkata", at(2025, 1, 1)) is None
    assert next_transition("America/Mexico_City", at(2023, 1, 1)) is None
    last = next_transition("America/Mexico_City", at(2022, 6, 1))
    assert last.instant == at(2022, 10, 30, 7, 0)


def test_transition_is_strictly_after_and_within_the_horizon():
    change = at(2025, 3, 30, 1, 0)
    assert next_transition("Europe/Berlin", change).instant == at(2025, 10, 26, 1, 0)
    assert next_transition("Europe/Berlin", at(2025, 3, 1), timedelta(days=14)) is None
    assert next_transition("Europe/Berlin", at(2025, 3, 20), timedelta(days=14)).instant == change


def test_transitions_between():
    changes = transitions_between("America/Santiago", at(2024, 1, 1), at(2025, 1, 1))
    assert [c.instant for c in changes] == [at(2024, 4, 7, 3, 0), at(2024, 9, 8, 4, 0)]


@pytest.mark.parametrize("zone, after", [
    ("Africa/Monrovia", datetime(1971, 6, 1, tzinfo=UTC)),   # -0:44:30 to GMT: off the minute
    ("Asia/Kathmandu", datetime(1985, 6, 1, tzinfo=UTC)),    # +5:30 to +5:45, on a half hour
    ("America/New_York", datetime(2025, 1, 1, tzinfo=UTC)),  # on the hour
])
def test_a_change_off_the_whole_hour_is_found_to_the_second(zone, after):
    """The search looks at whole hours first (issue 18); a change between them is still
    found to the second (the properties, not tzdata's instants), whatever the step."""
    tz = ZoneInfo(zone)
    found = {next_transition(zone, after, step=step) for step in (timedelta(days=1), timedelta(days=14))}
    assert len(found) == 1
    change = found.pop()
    assert (change.instant - timedelta(seconds=1)).astimezone(tz).utcoffset() == change.offset_before
    assert change.instant.astimezone(tz).utcoffset() == change.offset_after != change.offset_before
    assert after.astimezone(tz).utcoffset() == change.offset_before


def test_two_week_looks_find_every_change_the_daily_walk_finds_from_2020_to_2040():
    """Issue 18: within 2020-2040 the offset is looked at two weeks apart (a new customer's
    clocks were found a day at a time on the GUI thread: the United States' 29 zones took
    130 ms). That holds only while no zone changes twice within four weeks there: checked
    for every zone of the installed tzdata, so a release that breaks it fails this test."""
    from assistant.clock import convert
    from assistant.clock.zones import zone_countries

    start, end = convert._WIDE_SPAN
    for zone in zone_countries():
        fast = transitions_between(zone, start, end)
        assert fast == transitions_between(zone, start, end, step=timedelta(days=1)), zone
        assert all((b.instant - a.instant) >= 2 * convert._WIDE_STEP for a, b in zip(fast, fast[1:])), zone
