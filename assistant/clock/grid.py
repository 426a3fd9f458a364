"""The pinned customers' hour grid (as World Time Buddy shows it): the agent's next 24
hours, and for each pinned customer the same instants in their local time, each hour with
its status (business hours, outside hours, night, weekend, public holiday) so a good moment
for everyone shows at a glance. Qt-free; the view shades and marks it.

Hours start at the current hour of the agent's clock; in a zone with a half-hour offset the
customer's cell shows its own minutes ("14:30"). Labels follow the one 12/24-hour choice
(:mod:`assistant.clock.hours`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from assistant.customer import CustomerContext

HOURS = 24


@dataclass(frozen=True)
class GridCell:
    instant: datetime     # UTC, the start of the agent's hour
    local: datetime       # that instant in the row's zone
    label: str            # "14", "2 PM", "14:30"
    status: str           # ClockStatus.status: business_hours, outside_hours, night, weekend, holiday
    new_day: str = ""     # the weekday, on the row's first cell and where its local date changes


@dataclass(frozen=True)
class GridRow:
    title: str                       # "You", or the pinned customer's name / city
    zone: str
    customer: CustomerContext | None  # None for the agent's own row
    cells: tuple[GridCell, ...]


def start_of_hour(now: datetime, zone: str) -> datetime:
    """The start of the agent's current hour (UTC)."""
    from assistant.clock.zones import zone_info

    local = now.astimezone(zone_info(zone))
    return local.replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def hour_label(local: datetime, ui_language: str) -> str:
    from babel.dates import format_time

    from assistant.clock.details import display_locale
    from assistant.clock.hours import uses_24_hours

    twenty_four = uses_24_hours(ui_language)
    if local.minute:
        pattern = "H:mm" if twenty_four else "h:mm a"
    else:
        pattern = "H" if twenty_four else "h a"
    return format_time(local, pattern, locale=display_locale(ui_language, None))


def _row(title: str, zone: str, country: str | None, customer: CustomerContext | None,
         instants: list[datetime], hours_for: Callable, ui_language: str) -> GridRow:
    from assistant.clock.details import short_weekday
    from assistant.clock.status import customer_status

    hours = hours_for(country)
    cells, day = [], None
    for instant in instants:
        status = customer_status(country, zone, instant, hours=hours)
        local = status.local_time
        new_day = short_weekday(local, ui_language) if local.date() != day else ""
        day = local.date()
        cells.append(GridCell(instant, local, hour_label(local, ui_language), status.status, new_day))
    return GridRow(title, zone, customer, tuple(cells))


def hour_grid(agent_zone: str, agent_country: str | None, pins: list[CustomerContext], now: datetime,
              hours_for: Callable, ui_language: str, count: int = HOURS) -> list[GridRow]:
    """The agent's row, then one per pinned customer with a zone. ``hours_for(country)``
    gives business hours (a :class:`assistant.clock.status.BusinessHoursCache`)."""
    from assistant.clock.details import customer_title
    from assistant.i18n import _

    first = start_of_hour(now, agent_zone)
    instants = [first + timedelta(hours=n) for n in range(count)]
    rows = [_row(_("You"), agent_zone, agent_country, None, instants, hours_for, ui_language)]
    for pin in pins:
        if pin.zone:
            rows.append(_row(customer_title(pin, ui_language), pin.zone, pin.country, pin, instants,
                             hours_for, ui_language))
    return rows
