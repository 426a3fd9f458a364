"""The team's working time: zone, working hours, workdays and holidays, and the
arithmetic of SLA deadlines on it.

A business hour is a real elapsed hour inside an opening window. Windows are laid out in
the team's wall time and converted to UTC day by day, so a clock change moves the window
with the wall clock; on the night of a change the window still spans its real length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from assistant.errors import UserError
from assistant.tasks.config import parse_hhmm
from assistant.tasks.timeutil import UTC, wall_to_utc_lenient, zone

# a guard against a schedule with no working time at all (every day a holiday)
MAX_DAYS_SCANNED = 3 * 366


class ScheduleError(UserError, ValueError):
    pass


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdiv: str | None, year: int):
    from assistant.public_holidays import library

    return library().country_holidays(country, subdiv=subdiv, years=year)


@dataclass(frozen=True)
class TeamSchedule:
    zone_name: str
    start: time = time(9, 0)
    end: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays_country: str | None = None
    holidays_subdiv: str | None = None
    extra_holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, value: dict, fallback_zone: str) -> "TeamSchedule":
        return cls(
            zone_name=value.get("zone") or fallback_zone,
            start=time(*parse_hhmm(value["start"], "start")),
            end=time(*parse_hhmm(value["end"], "end")),
            workdays=frozenset(value["workdays"]),
            holidays_country=value.get("holidays_country"),
            holidays_subdiv=value.get("holidays_subdiv"),
            extra_holidays=frozenset(date.fromisoformat(d) for d in value.get("extra_holidays", [])),
        )

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        if self.holidays_country:
            return day in _holiday_calendar(self.holidays_country, self.holidays_subdiv, day.year)
        return False

    def is_workday(self, day: date) -> bool:
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC opening window of a local date, or None on a day off (remembered: a bulk
        import computes deadlines for thousands of tasks over the same few hundred days)."""
        return _window(self, day)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(zone(self.zone_name)).date()

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time has passed since ``start``."""
        if duration <= timedelta(0):
            return start.astimezone(UTC)
        remaining = duration
        day = self.local_date(start) - timedelta(days=1)  # a window may start the local day before in UTC terms
        cursor = start.astimezone(UTC)
        for _ in range(MAX_DAYS_SCANNED):
            bounds = self.window(day)
            day += timedelta(days=1)
            if bounds is None:
                continue
            opens, closes = bounds
            if closes <= cursor:
                continue
            begin = max(opens, cursor)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            cursor = closes
        raise ScheduleError("The team schedule has no working time in the next three years.")

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from ``start`` to ``end`` (zero if end is not later)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = self.local_date(start) - timedelta(days=1)
        last = self.local_date(end)
        while day <= last:
            bounds = self.window(day)
            day += timedelta(days=1)
            if bounds is None:
                continue
            begin, finish = max(bounds[0], start), min(bounds[1], end)
            if finish > begin:
                total += finish - begin
        return total

    def is_open(self, instant: datetime) -> bool:
        day = self.local_date(instant)
        bounds = self.window(day)
        return bounds is not None and bounds[0] <= instant < bounds[1]


@lru_cache(maxsize=4096)
def _window(schedule: TeamSchedule, day: date) -> tuple[datetime, datetime] | None:
    # the schedule is frozen (hashable, never changes): its windows can be remembered
    if not schedule.is_workday(day):
        return None
    opens = wall_to_utc_lenient(schedule.zone_name, datetime.combine(day, schedule.start))
    closes = wall_to_utc_lenient(schedule.zone_name, datetime.combine(day, schedule.end))
    return (opens, closes) if closes > opens else None
