"""Typed times, read in the agent's or the customer's zone and stored in UTC.

Understood: "in 2h", "in 30 min", "in 1h30", "in 2 days"; "10:00", "3pm", "tomorrow 10:00",
"today 17:30", "fri 15:00", "next monday 9"; any of those followed by "their time" (also
"her", "his", "customer('s) time") or "my time"; ISO-8601 ("2026-11-24T10:00", with or
without an offset). A wall time that a clock change skips or repeats is reported, never
guessed (pass ``fold`` to pick one of a repeated time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from assistant.errors import UserError
from assistant.i18n import _
from assistant.tasks.timeutil import UTC, AmbiguousTimeError, NonexistentTimeError, local_to_utc, zone

__all__ = ["TimePhraseError", "NonexistentTimeError", "AmbiguousTimeError", "ParsedTime",
           "parse_time_phrase"]


class TimePhraseError(UserError, ValueError):
    """The text is not a time this parser understands; the message gives examples."""


@dataclass(frozen=True)
class ParsedTime:
    instant: datetime      # UTC
    zone_name: str         # the zone the wall time was read in
    side: str              # "agent", "customer" or "absolute"
    relative: bool = False

    def local(self, zone_name: str) -> datetime:
        return self.instant.astimezone(zone(zone_name))


WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
UNITS = {
    "d": 86400, "day": 86400, "days": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "w": 604800, "week": 604800, "weeks": 604800,
}
_CUSTOMER_SUFFIX = re.compile(
    r"\s*(?:(?:in|at)\s+)?(?:their|her|his|the\s+customer'?s?|customer'?s?|client'?s?)\s+(?:local\s+)?time$")
_AGENT_SUFFIX = re.compile(r"\s*(?:(?:in|at)\s+)?(?:my|our|agent'?s?)\s+(?:local\s+)?time$")
_RELATIVE = re.compile(r"^in\s+(.+)$")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)?")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_MAX_RELATIVE = timedelta(days=366)

EXAMPLES = "in 2h, in 30 min, tomorrow 10:00, fri 15:00, 10:00 their time, 2026-11-24T10:00"


def _error(text: str) -> TimePhraseError:
    return TimePhraseError(_("Cannot read {text!r} as a time. Try: {examples}.").format(
        text=text, examples=EXAMPLES))


def parse_time_phrase(text: str, now: datetime, agent_zone: str, customer_zone: str | None = None,
                      default_side: str = "agent", fold: int | None = None) -> ParsedTime:
    """Resolve ``text`` to a UTC instant. ``now`` is a UTC-aware instant."""
    original = text
    text = " ".join(str(text).strip().lower().split())
    if not text:
        raise TimePhraseError(_("Type a time, e.g. {examples}.").format(examples=EXAMPLES))
    side = default_side
    if _CUSTOMER_SUFFIX.search(text):
        side, text = "customer", _CUSTOMER_SUFFIX.sub("", text).strip()
    elif _AGENT_SUFFIX.search(text):
        side, text = "agent", _AGENT_SUFFIX.sub("", text).strip()

    relative = _RELATIVE.match(text)
    if relative:
        if side != default_side and side == "customer":
            raise TimePhraseError(_("'in …' is the same for everyone; leave out 'their time'."))
        return ParsedTime(now + _duration(relative.group(1), original), "UTC", "absolute", relative=True)

    iso = _iso(text)
    if isinstance(iso, datetime) and iso.tzinfo is not None:
        return ParsedTime(iso.astimezone(UTC), "UTC", "absolute")

    zone_name = _zone_for(side, agent_zone, customer_zone)
    local_now = now.astimezone(zone(zone_name))
    if isinstance(iso, datetime):
        naive = iso
    else:
        naive = _day_and_clock(text, local_now, original, zone_name)
    return ParsedTime(local_to_utc(zone_name, naive, fold=fold), zone_name, side)


def _zone_for(side: str, agent_zone: str, customer_zone: str | None) -> str:
    if side == "customer":
        if not customer_zone:
            raise TimePhraseError(_("The customer's time zone is not known; set the customer first."))
        return customer_zone
    return agent_zone


def _duration(text: str, original: str) -> timedelta:
    text = text.replace("half an hour", "30 min").replace("an hour", "1 h").replace("a day", "1 d")
    rest = text.replace(" and ", " ")
    total = 0.0
    position = 0
    pairs = list(_AMOUNT.finditer(rest))
    if not pairs:
        raise _error(original)
    previous_unit = None
    for match in pairs:
        if rest[position:match.start()].strip():
            raise _error(original)
        position = match.end()
        amount = float(match.group(1).replace(",", "."))
        unit = match.group(2)
        if unit is None:
            # "1h30": a bare number after hours means minutes
            if previous_unit == 3600:
                unit_seconds = 60
            else:
                raise _error(original)
        elif unit not in UNITS:
            raise _error(original)
        else:
            unit_seconds = UNITS[unit]
        previous_unit = unit_seconds
        total += amount * unit_seconds
    if rest[position:].strip():
        raise _error(original)
    # compared before building the timedelta: "in 99999999999 days" overflows it
    if not 0 < total <= _MAX_RELATIVE.total_seconds():
        raise TimePhraseError(_("{text!r} is not between a minute and a year from now.").format(text=original))
    return timedelta(seconds=round(total))


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    candidate = text.upper().replace(" ", "T", 1)
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise TimePhraseError(_("{text!r} is not a valid date and time (YYYY-MM-DDTHH:MM).").format(
            text=text)) from None
    if len(text) == 10:  # a date alone: no time to keep
        raise TimePhraseError(_("Add a time to the date, e.g. {text}T10:00.").format(text=text))
    return value


def _clock(text: str, original: str) -> time:
    match = _CLOCK.match(text)
    if not match:
        raise _error(original)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise _error(original)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None and not text.isdigit():
        raise _error(original)
    if hour > 23 or minute > 59:
        raise TimePhraseError(_("{text!r} is not a time of day.").format(text=original))
    return time(hour, minute)


def _day_and_clock(text: str, local_now: datetime, original: str, zone_name: str) -> datetime:
    words = text.replace(" at ", " ").split()
    if words and words[0] == "next":
        words = words[1:]
    day_word = None
    clock_words = []
    for word in words:
        if word in ("today", "tomorrow", "tmrw", "tomorow") or word in WEEKDAYS:
            if day_word is not None:
                raise _error(original)
            day_word = word
        else:
            clock_words.append(word)
    if not clock_words:
        raise TimePhraseError(_("Add a time of day, e.g. {text} 10:00.").format(text=text))
    at = _clock(" ".join(clock_words).replace(" am", "am").replace(" pm", "pm"), original)
    today = local_now.date()
    if day_word is None:
        # a bare time means its next occurrence
        day = today if at > local_now.time().replace(tzinfo=None) else today + timedelta(days=1)
    elif day_word == "today":
        day = today
    elif day_word in ("tomorrow", "tmrw", "tomorow"):
        day = today + timedelta(days=1)
    else:
        ahead = (WEEKDAYS[day_word] - today.weekday()) % 7
        day = today + timedelta(days=ahead)
        if ahead == 0 and at <= local_now.time().replace(tzinfo=None):
            day += timedelta(days=7)
    return datetime.combine(day, at)

