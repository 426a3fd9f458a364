"""Is it a good moment to reach this customer? Business hours, weekend, night and public
holidays for a country at an instant, and the next good time to call.

The one business-hours provider of the app (:func:`business_hours_for`, and
:class:`BusinessHoursCache` for views that ask about many customers): the country's
etiquette card when it has a valid ``business_hours`` entry (the app's own card, else one a
team pack brought; assistant.countries.cards.load_card), else CLDR week data (babel) with
09:00-18:00. The clock and
the queue's urgency both ask here, so they agree. Public holidays come from the ``holidays``
package. Everything takes the instant as an argument.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from assistant.clock.convert import Transition, format_offset, local_to_utc, next_transition
from assistant.clock.errors import AmbiguousTimeError, NonexistentTimeError
from assistant.clock.zones import canonical_zone, zone_info

log = logging.getLogger(__name__)

UTC = timezone.utc

BUSINESS_HOURS = "business_hours"
OUTSIDE_HOURS = "outside_hours"
NIGHT = "night"
WEEKEND = "weekend"
HOLIDAY = "holiday"
STATUSES = (BUSINESS_HOURS, OUTSIDE_HOURS, NIGHT, WEEKEND, HOLIDAY)

# Local hours treated as night (nobody should be called): from NIGHT_START to NIGHT_END.
NIGHT_START = time(21, 0)
NIGHT_END = time(7, 0)

DEFAULT_OPEN = time(9, 0)
DEFAULT_CLOSE = time(18, 0)


@dataclass(frozen=True)
class BusinessHours:
    """A country's usual working week: ISO weekdays (1 = Monday) and opening hours."""
    days: frozenset[int]
    open: time = DEFAULT_OPEN
    close: time = DEFAULT_CLOSE
    lunch: tuple[time, time] | None = None
    source: str = "default"   # "card", "cldr" or "default"

    def windows(self) -> list[tuple[time, time]]:
        """The working intervals of a working day, lunch taken out."""
        if self.lunch and self.open <= self.lunch[0] < self.lunch[1] <= self.close:
            return [(self.open, self.lunch[0]), (self.lunch[1], self.close)]
        return [(self.open, self.close)]

    def is_open_at(self, moment: time) -> bool:
        return any(start <= moment < end for start, end in self.windows())


def _parse_hhmm(value) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value):
        raise ValueError(f"expected HH:MM, got {value!r}")
    return time.fromisoformat(value)


def hours_from_card(data) -> BusinessHours:
    """A card's ``business_hours`` entry as :class:`BusinessHours`; ValueError if malformed."""
    if not isinstance(data, dict):
        raise ValueError("business_hours must be an object")
    days = data.get("days")
    if not isinstance(days, list) or not days or not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days):
        raise ValueError("business_hours.days must list ISO weekdays 1-7")
    opening, closing = _parse_hhmm(data.get("open")), _parse_hhmm(data.get("close"))
    if not opening < closing:
        raise ValueError("business_hours.open must be before close")
    lunch = data.get("lunch")
    if lunch is not None:
        if not isinstance(lunch, list) or len(lunch) != 2:
            raise ValueError("business_hours.lunch must be [start, end] or null")
        lunch = (_parse_hhmm(lunch[0]), _parse_hhmm(lunch[1]))
    return BusinessHours(frozenset(days), opening, closing, lunch, "card")


@functools.cache
def cldr_working_days(country: str | None) -> frozenset[int]:
    """ISO weekdays that are not weekend days in CLDR's week data for ``country``
    (Saturday-Sunday for most, Friday-Saturday in much of the Gulf, Friday alone in Iran)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(f"und_{country}") if country else Locale.parse("und_001")
        start, end = locale.weekend_start, locale.weekend_end  # 0 = Monday
    except (UnknownLocaleError, ValueError, KeyError):
        start, end = 5, 6
    weekend = {start}
    day = start
    while day != end:
        day = (day + 1) % 7
        weekend.add(day)
    return frozenset(d + 1 for d in range(7) if d not in weekend)


def business_hours_for(country: str | None, db=None) -> BusinessHours:
    """The working week for ``country``: the card's when valid (``db`` lets pack cards
    count), else CLDR's weekend with default hours. A malformed card entry is logged and
    ignored, never fatal."""
    if country:
        try:
            from assistant.countries.cards import load_card

            card = load_card(country, db=db)
        except Exception:  # a broken card must not take the clock down
            log.exception("Loading the card for %s failed", country)
            card = None
        if card and card.get("business_hours"):
            try:
                return hours_from_card(card["business_hours"])
            except ValueError as exc:
                log.warning("Ignoring business_hours of the %s card: %s", country, exc)
    return BusinessHours(cldr_working_days(country), source="cldr" if country else "default")


class BusinessHoursCache:
    """:func:`business_hours_for` with its answers kept, for a view that asks about many
    customers (the queue). Call :meth:`forget` when packs change (their cards may)."""

    def __init__(self, db=None):
        self.db = db
        self._known: dict[str | None, BusinessHours] = {}

    def __call__(self, country: str | None) -> BusinessHours:
        key = country.upper() if country else None
        if key not in self._known:
            self._known[key] = business_hours_for(key, self.db)
        return self._known[key]

    def forget(self) -> None:
        self._known.clear()


@dataclass(frozen=True)
class Holiday:
    name: str
    approximate: bool = False  # the library estimates the date (lunar calendars)


def _holiday_language(available: tuple[str, ...], default: str | None) -> str | None:
    from assistant.i18n import current_language

    ui = current_language()
    for wanted in (ui, ui.split("_")[0], "en_US", "en"):
        if wanted in available:
            return wanted
    return default


@functools.lru_cache(maxsize=64)
def _holidays_for(country: str, year: int, language: str | None) -> dict[date, Holiday]:
    from assistant.public_holidays import library

    try:
        shown = library().country_holidays(country, years=year, language=language)
    except NotImplementedError:  # no data for this country
        return {}
    # Where the library estimates a date (Islamic and other lunar calendars beyond its
    # known dates) the name carries an "estimated" label; building the same calendar with
    # the label switched off tells which names carry it, in any language. (Through the
    # country's class: country_holidays() passes the option on only since holidays 0.109.)
    try:
        plain = type(shown)(years=year, language=language, islamic_show_estimated=False)
    except (TypeError, ValueError):  # a calendar with no estimated dates refuses the option
        plain = shown
    result = {}
    for day in shown:
        names = shown.get_list(day)
        plain_names = plain.get_list(day) if day in plain else names
        approximate = bool(set(names) - set(plain_names))
        result[day] = Holiday("; ".join(plain_names or names), approximate)
    return result


@functools.cache
def _language_for(country: str, ui_language: str) -> tuple[bool, str | None]:
    """(the library knows the country, the language to name its holidays in)."""
    from assistant.public_holidays import library

    try:
        probe = library().country_holidays(country, years=[])
    except NotImplementedError:
        return False, None
    return True, _holiday_language(tuple(probe.supported_languages), probe.default_language)


def holiday_on(country: str | None, day: date) -> Holiday | None:
    """The public holiday in ``country`` on the local date ``day``, or None. Names are in
    the UI language when the library has it, else English, else the country's language."""
    if not country:
        return None
    from assistant.i18n import current_language

    known, language = _language_for(country.upper(), current_language())
    if not known:
        return None
    return _holidays_for(country.upper(), day.year, language).get(day)


@dataclass(frozen=True)
class ClockStatus:
    """What the clock shows for a customer at one instant."""
    zone: str
    country: str | None
    at: datetime                  # the instant asked about (UTC)
    local_time: datetime          # aware, in the customer's zone
    utc_offset: str               # "+05:30"
    abbreviation: str             # "IST", "AEDT", or "+0545" where the zone has none
    status: str                   # one of STATUSES
    holiday: str | None = None
    approximate: bool = False     # the holiday's date is estimated by the library
    transition: Transition | None = None  # the next clock change (within ~400 days)
    hours: BusinessHours = field(default_factory=lambda: BusinessHours(frozenset(range(1, 6))))

    @property
    def next_transition(self) -> datetime | None:
        """The UTC instant of the next clock change, or None."""
        return self.transition.instant if self.transition else None

    @property
    def offset_after(self) -> str | None:
        """The UTC offset after the next clock change ("+11:00"), or None."""
        return format_offset(self.transition.offset_after) if self.transition else None

    @property
    def is_working_day(self) -> bool:
        return self.status not in (WEEKEND, HOLIDAY)


def _status_at(local: datetime, hours: BusinessHours, holiday: Holiday | None) -> str:
    if holiday is not None:
        return HOLIDAY
    if local.isoweekday() not in hours.days:
        return WEEKEND
    moment = local.time()
    if hours.is_open_at(moment):
        return BUSINESS_HOURS
    if moment >= NIGHT_START or moment < NIGHT_END:
        return NIGHT
    return OUTSIDE_HOURS


def customer_status(country: str | None, zone: str, at: datetime,
                    hours: BusinessHours | None = None) -> ClockStatus:
    """The clock status in ``zone`` (a customer in ``country``) at the aware instant ``at``.

    Precedence: a public holiday, then the weekend, then business hours, then night
    (21:00-07:00), else daytime outside business hours."""
    if at.tzinfo is None:
        raise ValueError("customer_status needs an aware instant")
    name = canonical_zone(zone)
    country = country.upper() if country else None
    local = at.astimezone(zone_info(name))
    hours = hours or business_hours_for(country)
    holiday = holiday_on(country, local.date())
    return ClockStatus(
        zone=name, country=country, at=at.astimezone(UTC), local_time=local,
        utc_offset=format_offset(local.utcoffset()), abbreviation=local.tzname() or "",
        status=_status_at(local, hours, holiday),
        holiday=holiday.name if holiday else None,
        approximate=holiday.approximate if holiday else False,
        transition=next_transition(name, at), hours=hours)


def _to_instant(zone: str, local: datetime) -> datetime:
    """A wall time as an instant, for scheduling: a time in a gap moves to the end of the
    gap, a time in a fold takes its first occurrence."""
    try:
        return local_to_utc(zone, local)
    except NonexistentTimeError as exc:
        return exc.transition
    except AmbiguousTimeError as exc:
        return exc.candidates[0]


def next_good_time(country: str | None, zone: str, after: datetime, *,
                   hours: BusinessHours | None = None, horizon_days: int = 31) -> datetime | None:
    """The first instant at or after ``after`` inside the customer's business hours on a
    working day that is not a public holiday (UTC), or None within ``horizon_days``."""
    if after.tzinfo is None:
        raise ValueError("next_good_time needs an aware instant")
    name = canonical_zone(zone)
    country = country.upper() if country else None
    hours = hours or business_hours_for(country)
    start_local = after.astimezone(zone_info(name))
    for offset in range(horizon_days + 1):
        day = start_local.date() + timedelta(days=offset)
        if day.isoweekday() not in hours.days or holiday_on(country, day):
            continue
        for opening, closing in hours.windows():
            window_start = _to_instant(name, datetime.combine(day, opening))
            window_end = _to_instant(name, datetime.combine(day, closing))
            if after < window_end:
                return max(after, window_start).astimezone(UTC)
    return None
