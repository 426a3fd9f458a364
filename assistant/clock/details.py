"""Everything the clock shows for a customer at one instant, as data plus ready-made
sentences: their local time in their country's format, the offset from the agent
("+6 h 30 min, tomorrow"), the status, a clock change within 14 days, a note when the
agent's and the customer's clocks change on different dates, and the next good time to call.

Dates and times are formatted with babel in the agent's UI language and the customer's
country conventions (date order), with the agent's one 12/24-hour choice
(:mod:`assistant.clock.hours`), so "9:00 PM their time (1:00 AM yours)" never mixes them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from assistant.clock.convert import Transition, next_transition
from assistant.clock.status import ClockStatus, customer_status, next_good_time
from assistant.clock.zones import canonical_zone, zone_info
from assistant.customer import CustomerContext
from assistant.i18n import N_, _

CHANGE_WARNING_DAYS = 14
UTC = timezone.utc


def _parse_locale(tag: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@functools.cache
def display_locale(ui_language: str, country: str | None):
    """babel Locale: the UI language with the customer's territory when CLDR has it
    (en_IN, fr_CA), else the UI language."""
    language = (ui_language or "en").replace("-", "_").split("_")[0]
    for tag in ([f"{language}_{country}"] if country else []) + [ui_language, language, "en"]:
        locale = _parse_locale(tag)
        if locale is not None:
            return locale
    return _parse_locale("en")


def format_time(local: datetime, ui_language: str = "en", country: str | None = None) -> str:
    """The wall time in the agent's one 12/24-hour choice (:mod:`assistant.clock.hours`),
    with the UI language's names (am/pm) and the customer's territory where it has that
    cycle."""
    from babel.dates import format_time as babel_time

    from assistant.clock.hours import time_pattern

    return babel_time(local, time_pattern(ui_language, country),
                      locale=display_locale(ui_language, country))


def format_date(local: datetime, ui_language: str = "en", country: str | None = None) -> str:
    """The local date with its weekday, e.g. "Friday, 17 January 2025"."""
    from babel.dates import format_date as babel_date

    return babel_date(local.date(), "full", locale=display_locale(ui_language, country))


def weekday_name(local: datetime, ui_language: str = "en", country: str | None = None) -> str:
    from babel.dates import format_date as babel_date

    return babel_date(local.date(), "EEEE", locale=display_locale(ui_language, country))


def format_duration(delta: timedelta, signed: bool = True) -> str:
    """"+6 h 30 min", "-45 min", "+1 h"; zero is "0 h"."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours:
        parts.append(_("{hours} h").format(hours=hours))
    if rest:
        parts.append(_("{minutes} min").format(minutes=rest))
    text = " ".join(parts) or _("{hours} h").format(hours=0)
    return (sign + text) if signed and minutes else text


@dataclass(frozen=True)
class OffsetFromAgent:
    delta: timedelta   # customer's UTC offset minus the agent's
    day: int           # customer's local date minus the agent's: -1, 0 or +1

    @property
    def text(self) -> str:
        """"+6 h 30 min, tomorrow", "-3 h", "same time as you"."""
        if not self.delta:
            base = _("same time as you")
        else:
            base = format_duration(self.delta)
        if self.day > 0:
            return _("{offset}, tomorrow").format(offset=base)
        if self.day < 0:
            return _("{offset}, yesterday").format(offset=base)
        return base


def offset_from_agent(agent_zone: str, customer_zone: str, at: datetime) -> OffsetFromAgent:
    agent = at.astimezone(zone_info(agent_zone))
    customer = at.astimezone(zone_info(customer_zone))
    return OffsetFromAgent(customer.utcoffset() - agent.utcoffset(),
                           (customer.date() - agent.date()).days)


def change_within(zone: str, at: datetime, days: int = CHANGE_WARNING_DAYS) -> Transition | None:
    """The zone's next clock change if it happens within ``days`` of ``at``."""
    return next_transition(zone, at, timedelta(days=days))


def describe_change(change: Transition, ui_language: str = "en", country: str | None = None
                    ) -> str:
    """"Clock goes forward 1 h on Sunday 30 March at 02:00" (local wall time before it)."""
    local = change.local_before
    when = _("{weekday} {date} at {time}").format(
        weekday=weekday_name(local, ui_language, country),
        date=_short_date(local, ui_language, country),
        time=format_time(local, ui_language, country))
    amount = format_duration(change.delta, signed=False)
    if change.delta > timedelta(0):
        return _("Clock goes forward {amount} on {when}").format(amount=amount, when=when)
    return _("Clock goes back {amount} on {when}").format(amount=amount, when=when)


def _short_date(local: datetime, ui_language: str, country: str | None) -> str:
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", local, locale=display_locale(ui_language, country))


def change_dates_note(agent_zone: str, customer_zone: str, at: datetime,
                      days: int = CHANGE_WARNING_DAYS, ui_language: str = "en") -> str | None:
    """A note when the difference between the agent and the customer changes within
    ``days`` because their clocks do not change together (different DST dates, or only one
    of them changes); None when they change at the same instant or not at all."""
    agent_zone, customer_zone = canonical_zone(agent_zone), canonical_zone(customer_zone)
    end = at + timedelta(days=days)
    current = offset_from_agent(agent_zone, customer_zone, at).delta
    cursor = at
    while True:
        changes = [c for c in (next_transition(agent_zone, cursor, end - cursor),
                               next_transition(customer_zone, cursor, end - cursor)) if c]
        if not changes:
            return None
        first = min(c.instant for c in changes)
        after = offset_from_agent(agent_zone, customer_zone, first).delta
        if after != current:
            break
        cursor = first
    local = first.astimezone(zone_info(agent_zone))
    when = _("{weekday} {date}").format(weekday=weekday_name(local, ui_language),
                                       date=_short_date(local, ui_language, None))
    mine = next_transition(agent_zone, at, timedelta(days=400))
    theirs = next_transition(customer_zone, at, timedelta(days=400))
    if mine and theirs:
        reason = _("your clocks change on different dates")
    elif mine:
        reason = _("your clock changes, theirs does not")
    else:
        reason = _("their clock changes, yours does not")
    difference = format_duration(after) if after else _("none")
    return _("From {when} the difference is {difference} ({reason}).").format(
        when=when, difference=difference, reason=reason)


@dataclass(frozen=True)
class ClockDetails:
    context: CustomerContext
    agent_zone: str
    status: ClockStatus
    offset: OffsetFromAgent
    time_text: str
    date_text: str
    weekday: str
    change: Transition | None       # within CHANGE_WARNING_DAYS
    change_text: str | None
    note: str | None
    next_good: datetime | None      # UTC; equal to ``at`` when now is good

    @property
    def local_time(self) -> datetime:
        return self.status.local_time


def clock_details(context: CustomerContext, agent_zone: str, at: datetime,
                  ui_language: str = "en", db=None) -> ClockDetails:
    """All the clock shows for ``context`` (which must have a zone) at the instant ``at``.
    ``db`` lets cards from installed packs supply business hours."""
    from assistant.clock.status import business_hours_for

    if not context.zone:
        raise ValueError("the customer has no time zone chosen")
    status = customer_status(context.country, context.zone, at,
                             hours=business_hours_for(context.country, db))
    local = status.local_time
    change = change_within(status.zone, at)
    return ClockDetails(
        context=context, agent_zone=canonical_zone(agent_zone), status=status,
        offset=offset_from_agent(agent_zone, status.zone, at),
        time_text=format_time(local, ui_language, context.country),
        date_text=format_date(local, ui_language, context.country),
        weekday=weekday_name(local, ui_language, context.country),
        change=change,
        change_text=describe_change(change, ui_language, context.country) if change else None,
        note=change_dates_note(agent_zone, status.zone, at, ui_language=ui_language),
        next_good=next_good_time(context.country, status.zone, at, hours=status.hours))


def customer_title(context: CustomerContext, ui_language: str = "en") -> str:
    """How a customer is named in lists: their name, else phone, else city, else country."""
    from assistant.clock.resolve import country_name
    from assistant.clock.zones import localized_city

    if context.name or context.phone:
        return context.name or context.phone
    if context.zone:
        return localized_city(context.zone, ui_language)
    return country_name(context.country, ui_language)


def customer_place(context: CustomerContext, ui_language: str = "en") -> str:
    """"Sao Paulo, Brazil", "Brazil", or "" when nothing is known."""
    from assistant.clock.resolve import country_name
    from assistant.clock.zones import localized_city

    parts = []
    if context.zone:
        parts.append(localized_city(context.zone, ui_language))
    if context.country:
        parts.append(country_name(context.country, ui_language))
    return ", ".join(parts)


def customer_entry(context: CustomerContext, ui_language: str = "en") -> str:
    """One line for the recents menu: "Ana Gómez — Sao Paulo, Brazil", "Kathmandu, Nepal"."""
    title = customer_title(context, ui_language)
    place = customer_place(context, ui_language)
    if context.name or context.phone:
        return _("{customer} — {place}").format(customer=title, place=place) if place else title
    return place or title


STATUS_LABELS = {
    "business_hours": N_("Business hours"),
    "outside_hours": N_("Outside business hours"),
    "night": N_("Night"),
    "weekend": N_("Weekend"),
    "holiday": N_("Public holiday"),
}


# Pinned clocks are small: one word each.
STATUS_SHORT = {
    "business_hours": N_("open"),
    "outside_hours": N_("closed"),
    "night": N_("night"),
    "weekend": N_("weekend"),
    "holiday": N_("holiday"),
}


def short_weekday(local: datetime, ui_language: str = "en", country: str | None = None) -> str:
    from babel.dates import format_date as babel_date

    return babel_date(local.date(), "EEE", locale=display_locale(ui_language, country))


def status_text(status: ClockStatus) -> str:
    """"Public holiday: Christmas Day", "Public holiday: Eid al-Fitr (date approximate)",
    "Business hours"..."""
    label = _(STATUS_LABELS[status.status])
    if status.holiday:
        name = status.holiday
        if status.approximate:
            name = _("{holiday} (date approximate)").format(holiday=name)
        return _("{status}: {holiday}").format(status=label, holiday=name)
    return label


def next_good_text(details: ClockDetails, at: datetime, ui_language: str = "en") -> str:
    """"Good time to call now", or when the next slot in their business hours starts, in
    their time and the agent's."""
    good = details.next_good
    if good is None:
        return _("No business hours in the next month")
    if good <= at:
        return _("Good time to call now")
    theirs = good.astimezone(zone_info(details.status.zone))
    mine = good.astimezone(zone_info(details.agent_zone))
    country = details.context.country
    return _("Next good time to call: {weekday} {time} their time ({my_time} yours)").format(
        weekday=weekday_name(theirs, ui_language, country),
        time=format_time(theirs, ui_language, country),
        my_time=format_time(mine, ui_language))


@dataclass(frozen=True)
class WallTimeConversion:
    instant: datetime      # UTC
    source: datetime       # aware, in the source zone
    target: datetime       # aware, in the target zone

    @property
    def day_difference(self) -> int:
        return (self.target.date() - self.source.date()).days


def convert_wall_time(from_zone: str, local: datetime, to_zone: str, fold: int | None = None
                      ) -> WallTimeConversion:
    """"Their 15:00 on Friday is my ...": a wall time in one zone as the wall time in
    another. Raises NonexistentTimeError / AmbiguousTimeError from :func:`local_to_utc`."""
    from assistant.clock.convert import local_to_utc

    instant = local_to_utc(from_zone, local, fold)
    return WallTimeConversion(instant, instant.astimezone(zone_info(from_zone)),
                              instant.astimezone(zone_info(to_zone)))
