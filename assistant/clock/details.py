"""Everything the clock shows for a customer at one instant, as data plus ready-made
sentences: their local time in their country's format, the offset from the agent
("+6 h 30 min, tomorrow"), the status, a clock change within 14 days, a note when the
agent's and the customer's clocks change on different dates, and the next good time to call.

Dates and times are formatted with babel in the agent's UI language and the customer's
country conventions (en_IN: "1:30 pm"; en_DE: "13:30"): the agent must be able to read the
weekday, while the 12/24-hour habit and date order are the customer's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from assistant.clock.convert import Transition, next_transition
from assistant.clock.status import ClockStatus, customer_status, next_good_time
from assistant.clock.zones import canonical_zone, zone_info
from assistant.customer import CustomerContext
from assistant.i18n import _

CHANGE_WARNING_DAYS = 14
UTC = timezone.utc


@functools.cache
def display_locale(ui_language: str, country: str | None):
    """babel Locale: the UI language with the customer's territory when CLDR has it."""
    from babel import Locale, UnknownLocaleError

    language = (ui_language or "en").replace("-", "_").split("_")[0]
    for tag in ([f"{language}_{country}"] if country else []) + [ui_language, language, "en"]:
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale.parse("en")


def format_time(local: datetime, ui_language: str = "en", country: str | None = None) -> str:
    from babel.dates import format_time as babel_time

    return babel_time(local, "short", locale=display_locale(ui_language, country))


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
                  ui_language: str = "en") -> ClockDetails:
    """All the clock shows for ``context`` (which must have a zone) at the instant ``at``."""
    if not context.zone:
        raise ValueError("the customer has no time zone chosen")
    status = customer_status(context.country, context.zone, at)
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
