"""UTC instants as stored text, and the one check for typed-in local wall times.

Stored timestamps are fixed-width ``YYYY-MM-DDTHH:MM:SSZ`` so that text order is time
order: indexes on them answer range queries without parsing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

from assistant.clock.convert import local_to_utc as _clock_local_to_utc
from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError


def to_iso(instant: datetime) -> str:
    # isoformat is C and several times faster than strftime (a bulk import writes 100,000s);
    # the same text as ISO_FORMAT for the years stored (four digits)
    if instant.tzinfo is UTC:  # the usual case: "YYYY-MM-DDTHH:MM:SS+00:00" cut at the offset
        return instant.isoformat(timespec="seconds")[:19] + "Z"
    if instant.tzinfo is None:
        raise ValueError("naive datetime where a UTC instant was expected")
    return instant.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


_STORED_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def in_stored_form(text: str) -> bool:
    """True when ``text`` is written as ``to_iso`` writes (``YYYY-MM-DDTHH:MM:SSZ``): then
    for a time ``from_iso`` accepts, ``to_iso(from_iso(text)) == text``."""
    return _STORED_FORM.fullmatch(text) is not None


def from_iso(text: str | None) -> datetime | None:
    """Parse a stored or exported instant; accepts any ISO-8601 form with an offset."""
    if text is None or text == "":
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """A ZoneInfo for an IANA id (legacy ids accepted); UnknownZoneError (a ValueError)
    with suggestions for an unknown one."""
    from assistant.clock.zones import zone_info

    return zone_info(name)


def local_to_utc(zone_name: str, naive: datetime, fold: int | None = None) -> datetime:
    """The UTC instant of wall time ``naive`` in ``zone_name`` (the clock feature's rules:
    NonexistentTimeError in a DST gap, AmbiguousTimeError in a fold unless ``fold``)."""
    return _clock_local_to_utc(zone_name, naive.replace(tzinfo=None), fold=fold).astimezone(UTC)


def wall_to_utc_lenient(tz_name: str, naive: datetime) -> datetime:
    """For schedule boundaries (09:00 opening) rather than typed times: a skipped wall time
    becomes the instant of the jump, a repeated one its first occurrence."""
    try:
        return local_to_utc(tz_name, naive, fold=0)
    except NonexistentTimeError as exc:
        return exc.transition.astimezone(UTC)


def format_duration(seconds: float) -> str:
    """A compact human duration: '2 d 3 h', '1 h 05 min', '12 min', '< 1 min'."""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    from assistant.i18n import _

    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes} min").format(minutes=minutes)
    return _("< 1 min")


def utc(year, month, day, hour=0, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


__all__ = ["UTC", "AmbiguousTimeError", "NonexistentTimeError", "to_iso", "from_iso", "zone",
           "local_to_utc", "wall_to_utc_lenient", "format_duration", "utc",
           "timedelta"]
