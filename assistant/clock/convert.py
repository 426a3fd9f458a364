"""Conversions between local wall times and instants, with DST gaps and folds refused
rather than guessed, plus the zone transitions (clock changes) the clock warns about.

Instants are aware datetimes; wall times typed by a person are naive datetimes plus a zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError
from assistant.clock.zones import canonical_zone, zone_info

__all__ = [
    "canonical_zone", "local_to_utc", "utc_to_local", "format_offset", "Transition",
    "next_transition", "transitions_between", "NonexistentTimeError", "AmbiguousTimeError",
]

UTC = timezone.utc


def format_offset(offset: timedelta | None) -> str:
    """A UTC offset as "+05:30" / "-03:00" / "+00:00" (seconds, as in LMT, are dropped)."""
    if offset is None:
        return ""
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an instant must be timezone-aware (got a naive datetime)")
    return at


def utc_to_local(zone: str, at: datetime) -> datetime:
    """The aware local time in ``zone`` at the instant ``at`` (which must be aware)."""
    return _require_aware(at).astimezone(zone_info(zone))


def local_to_utc(zone: str, local: datetime, fold: int | None = None) -> datetime:
    """The UTC instant at which the wall clocks in ``zone`` show ``local`` (a naive datetime).

    - A time in a DST gap (skipped when the clocks go forward) raises
      :class:`NonexistentTimeError`, whose message names the valid times either side.
    - A time in a fold (shown twice when the clocks go back) raises
      :class:`AmbiguousTimeError` carrying both candidate instants, unless ``fold`` says
      which: 0 = the first (earlier) occurrence, 1 = the second.
    - An aware ``local`` is refused (ValueError): it is already an instant.

    Returns an aware datetime in UTC.
    """
    if local.tzinfo is not None:
        raise ValueError("local_to_utc takes a naive wall time; convert aware instants directly")
    if fold not in (None, 0, 1):
        raise ValueError("fold must be None, 0 or 1")
    name = canonical_zone(zone)
    tz = zone_info(name)
    first = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    first_ok = first.astimezone(tz).replace(tzinfo=None) == local
    second_ok = second.astimezone(tz).replace(tzinfo=None) == local
    if not first_ok and not second_ok:
        # PEP 495 gap: fold=0 used the offset before the jump, fold=1 the one after; the
        # jump itself lies between the two results.
        instant = _find_change(tz, min(first, second), max(first, second))
        gap_start = (instant - timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None)
        gap_start = _ceil_minute(gap_start)
        after = instant.astimezone(tz).replace(tzinfo=None)
        raise NonexistentTimeError(name, local, gap_start, after, instant)
    if first_ok and second_ok and first != second:
        if fold is None:
            earlier, later = sorted((first, second))
            offsets = (format_offset(earlier.astimezone(tz).utcoffset()),
                       format_offset(later.astimezone(tz).utcoffset()))
            raise AmbiguousTimeError(name, local, (earlier, later), offsets)
        return min(first, second) if fold == 0 else max(first, second)
    return first if first_ok else second


def _ceil_minute(dt: datetime) -> datetime:
    if dt.second or dt.microsecond:
        return dt.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return dt


def _find_change(tz, lo: datetime, hi: datetime) -> datetime:
    """The first instant in (lo, hi] whose UTC offset differs from lo's (one change in the
    span; tz transitions are on whole seconds). Whole hours are searched first, as a zone's
    rules nearly always name the hour: then one look at the second before the hour found
    confirms it, instead of bisecting the last hour to the second (21 look-ups in two
    weeks -> 10; a new customer's country has its zones' changes found on the GUI thread)."""
    base = lo.astimezone(tz).utcoffset()

    def same(second: int) -> bool:
        return datetime.fromtimestamp(second, UTC).astimezone(tz).utcoffset() == base

    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    first_hour, last_hour = lo_s // 3600 + 1, (hi_s - 1) // 3600  # the hours inside (lo_s, hi_s)
    while first_hour <= last_hour:
        mid = (first_hour + last_hour) // 2
        if same(mid * 3600):
            lo_s, first_hour = mid * 3600, mid + 1
        else:
            hi_s, last_hour = mid * 3600, mid - 1
    if hi_s - lo_s > 1 and same(hi_s - 1):
        return datetime.fromtimestamp(hi_s, UTC)
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if same(mid):
            lo_s = mid
        else:
            hi_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


@dataclass(frozen=True)
class Transition:
    """A change of a zone's UTC offset (a clock change)."""
    zone: str
    instant: datetime          # aware UTC: the first instant with the new offset
    offset_before: timedelta
    offset_after: timedelta
    abbreviation_before: str
    abbreviation_after: str

    @property
    def delta(self) -> timedelta:
        """How far the wall clocks move: positive = forward (a gap), negative = back."""
        return self.offset_after - self.offset_before

    @property
    def local_before(self) -> datetime:
        """The wall time (naive) at which the clocks change, as read before the change."""
        return (self.instant + self.offset_before).replace(tzinfo=None)

    @property
    def local_after(self) -> datetime:
        """The wall time (naive) the clocks show right after the change."""
        return (self.instant + self.offset_after).replace(tzinfo=None)


# Daily steps find every real transition: no zone changes its offset twice within a day.
_STEP = timedelta(days=1)
# From 2020 to 2040 no zone changes twice within 28 days (Fiji's 2020 pair is the closest;
# Morocco's Ramadan pairs are 35 days apart), so offsets two weeks apart miss no change there,
# with a fourteenth of the look-ups. A new customer's clock details and status look 400 days
# ahead, and a country's zones are compared over 2020-2031, on the GUI thread (issue 18: the
# United States' 29 zones took 130 ms). The tests check every zone of the installed tzdata
# against the daily walk; history keeps the daily step.
_WIDE_SPAN = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))
_WIDE_STEP = timedelta(days=14)


def next_transition(zone: str, after: datetime, within: timedelta = timedelta(days=400),
                    *, step: timedelta | None = None) -> Transition | None:
    """The first offset change in ``zone`` strictly after the instant ``after`` and no later
    than ``after + within``, or None (zones without DST, like Asia/Kolkata). ``step``: how
    far apart the offset is looked at before the change is searched for to the second
    (by default two weeks within 2020-2040, a day elsewhere)."""
    name = canonical_zone(zone)
    tz = zone_info(name)
    start = _require_aware(after).astimezone(UTC)
    end = start + within
    if step is None:
        step = _WIDE_STEP if _WIDE_SPAN[0] <= start and end <= _WIDE_SPAN[1] else _STEP
    base = start.astimezone(tz).utcoffset()
    cursor = start
    while cursor < end:
        probe = min(cursor + step, end)
        if probe.astimezone(tz).utcoffset() != base:
            instant = _find_change(tz, cursor, probe)
            before = (instant - timedelta(seconds=1)).astimezone(tz)
            after_local = instant.astimezone(tz)
            return Transition(name, instant, before.utcoffset(), after_local.utcoffset(),
                              before.tzname() or "", after_local.tzname() or "")
        cursor = probe
    return None


def transitions_between(zone: str, start: datetime, end: datetime, *, step: timedelta | None = None
                        ) -> list[Transition]:
    """Every offset change in ``zone`` in (start, end] (``step`` as for next_transition)."""
    found = []
    cursor = _require_aware(start)
    while True:
        change = next_transition(zone, cursor, end - cursor, step=step)
        if change is None:
            return found
        found.append(change)
        cursor = change.instant
