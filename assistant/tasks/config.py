"""The queue's settings, with shipped defaults: the team schedule, SLA targets, urgency
coefficients and notification lead time. Stored through the settings registry
(``assistant.settings``, one JSON value per key) whose validators are the ones here: a value
is merged over the defaults and validated before it is stored. A stored value that is no
longer valid (a hand edit) reads as the defaults, and :func:`problems` says why, so the queue
shows a clear note instead of computing a wrong deadline."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from assistant import settings
from assistant.errors import UserError
from assistant.tasks.model import PRIORITIES

SCHEDULE_KEY = "tasks.schedule"
SLA_KEY = "tasks.sla"
URGENCY_KEY = "tasks.urgency"
NOTICES_KEY = "tasks.notifications"

DEFAULT_SCHEDULE = {
    "zone": None,               # None: the agent's own zone (assistant.clock.agent)
    "start": "09:00",
    "end": "17:00",
    "workdays": [0, 1, 2, 3, 4],  # Monday = 0
    "holidays_country": None,   # ISO code for the `holidays` package, e.g. "FR"
    "holidays_subdiv": None,
    "extra_holidays": [],       # "YYYY-MM-DD" team days off
}

# hours; "business" counts only the team's working hours, "calendar" counts every hour
DEFAULT_SLA = {
    "urgent": {"response_hours": 1, "resolution_hours": 4, "clock": "calendar"},
    "high": {"response_hours": 2, "resolution_hours": 8, "clock": "business"},
    "normal": {"response_hours": 8, "resolution_hours": 24, "clock": "business"},
    "low": {"response_hours": 24, "resolution_hours": 72, "clock": "business"},
}

DEFAULT_URGENCY = {
    "priority": {"urgent": 40.0, "high": 25.0, "normal": 10.0, "low": 0.0},
    "time_to_breach": 30.0,      # full weight at the deadline, twice it a horizon later
    "breach_horizon_hours": 8.0,  # starts counting this long before the deadline
    "follow_up_due": 30.0,
    "age": 10.0,                 # full weight at age_cap_hours
    "age_cap_hours": 72.0,
    "waiting": -20.0,            # waiting on the customer: less to do for now
    "customer_open_now": 10.0,   # business hours where the customer is (as on the clock)
    "now_window_hours": 4.0,     # "Now" shows deadlines up to this far ahead
}

DEFAULT_NOTICES = {"enabled": True, "breach_lead_minutes": 15}


class SettingsError(UserError, ValueError):
    """A stored queue setting is invalid; the message names the key and the problem."""


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\Z")


def parse_hhmm(value: Any, key: str) -> tuple[int, int]:
    match = _HHMM.match(str(value))
    if not match:
        raise SettingsError(f"{key}: {value!r} is not a time of day like 09:00.")
    return int(match.group(1)), int(match.group(2))


def _merged(default: dict, stored: Any, key: str) -> dict:
    result = copy.deepcopy(default)
    if stored is None:
        return result
    if not isinstance(stored, dict):
        raise SettingsError(f"{key} must be an object, not {type(stored).__name__}.")
    for name, value in stored.items():
        if name not in default:
            raise SettingsError(f"{key}: unknown setting {name!r}.")
        if isinstance(default[name], dict):
            result[name] = _merged(default[name], value, f"{key}.{name}")
        else:
            result[name] = value
    return result


LARGEST = 1_000_000  # far beyond any sensible hours, minutes or weight; keeps date sums in range


def _number(value: Any, key: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{key}: {value!r} is not a number.")
    if not -LARGEST <= value <= LARGEST:  # also refuses NaN and the infinities JSON may carry
        raise SettingsError(f"{key}: {value!r} is not a number between {-LARGEST} and {LARGEST}.")
    if minimum is not None and value < minimum:
        raise SettingsError(f"{key}: {value!r} is below {minimum}.")
    return float(value)


def validate_schedule(value: dict) -> dict:
    from assistant.tasks.timeutil import zone

    if value["zone"] is not None:
        try:
            zone(value["zone"])
        except ValueError as exc:
            raise SettingsError(f"{SCHEDULE_KEY}.zone: {exc}") from exc
    start = parse_hhmm(value["start"], f"{SCHEDULE_KEY}.start")
    end = parse_hhmm(value["end"], f"{SCHEDULE_KEY}.end")
    if end <= start:
        raise SettingsError(f"{SCHEDULE_KEY}: the working day must end after it starts.")
    days = value["workdays"]
    if not isinstance(days, list) or not days or any(d not in range(7) for d in days):
        raise SettingsError(f"{SCHEDULE_KEY}.workdays: a non-empty list of 0 (Monday) to 6.")
    if value["holidays_country"] is not None:
        from assistant.public_holidays import library

        try:
            library().country_holidays(value["holidays_country"], subdiv=value["holidays_subdiv"])
        except (NotImplementedError, KeyError) as exc:
            raise SettingsError(f"{SCHEDULE_KEY}.holidays_country: no holiday calendar for "
                                f"{value['holidays_country']!r}/{value['holidays_subdiv']!r}.") from exc
    from datetime import date

    for day in value["extra_holidays"]:
        try:
            date.fromisoformat(day)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{SCHEDULE_KEY}.extra_holidays: {day!r} is not YYYY-MM-DD.") from exc
    return value


def validate_sla(value: dict) -> dict:
    for priority in PRIORITIES:
        target = value[priority]
        for name in ("response_hours", "resolution_hours"):
            _number(target[name], f"{SLA_KEY}.{priority}.{name}", minimum=0)
        if target["clock"] not in ("business", "calendar"):
            raise SettingsError(f"{SLA_KEY}.{priority}.clock: 'business' or 'calendar'.")
    return value


def validate_urgency(value: dict) -> dict:
    for name, number in value.items():
        if name == "priority":
            for p in PRIORITIES:
                _number(number[p], f"{URGENCY_KEY}.priority.{p}")
        else:
            # a negative time_to_breach would make a later deadline more urgent, which the
            # queue's early-stopping read of deadlines in order cannot honour
            minimum = 0.01 if name.endswith("_hours") else (0 if name == "time_to_breach" else None)
            _number(number, f"{URGENCY_KEY}.{name}", minimum=minimum)
    return value


def validate_notices(value: dict) -> dict:
    if not isinstance(value["enabled"], bool):
        raise SettingsError(f"{NOTICES_KEY}.enabled: true or false.")
    _number(value["breach_lead_minutes"], f"{NOTICES_KEY}.breach_lead_minutes", minimum=0)
    return value


_SPECS = {
    SCHEDULE_KEY: (DEFAULT_SCHEDULE, validate_schedule),
    SLA_KEY: (DEFAULT_SLA, validate_sla),
    URGENCY_KEY: (DEFAULT_URGENCY, validate_urgency),
    NOTICES_KEY: (DEFAULT_NOTICES, validate_notices),
}


def resolve(key: str, stored: Any) -> dict:
    default, validate = _SPECS[key]
    return validate(_merged(default, stored, key))


KEYS = tuple(_SPECS)


def load(db, key: str) -> dict:
    """The effective value: what is stored merged over the defaults (the defaults alone when
    what is stored is invalid; see :func:`problems`)."""
    return resolve(key, settings.get(db, key))


def problems(db) -> list[str]:
    """Why stored queue settings are ignored (empty when all are valid or unset)."""
    return [p for p in (settings.problem(db, key) for key in KEYS) if p]


def save(db, key: str, value: dict) -> dict:
    """Validate first; an invalid value changes nothing."""
    checked = resolve(key, value)
    settings.put(db, key, value)
    return checked


@dataclass(frozen=True)
class QueueConfig:
    schedule: dict
    sla: dict
    urgency: dict
    notices: dict
    # the agent's own zone (assistant.clock.agent, the clock's): times shown and typed in the
    # queue are the agent's, and the team hours default to it
    agent_zone: str = ""

    def __post_init__(self):
        if not self.agent_zone:
            from assistant.clock.agent import system_zone

            object.__setattr__(self, "agent_zone", system_zone())

    @classmethod
    def defaults(cls, **overrides) -> "QueueConfig":
        return cls(schedule=resolve(SCHEDULE_KEY, overrides.get("schedule")),
                   sla=resolve(SLA_KEY, overrides.get("sla")),
                   urgency=resolve(URGENCY_KEY, overrides.get("urgency")),
                   notices=resolve(NOTICES_KEY, overrides.get("notices")),
                   agent_zone=overrides.get("agent_zone") or "")

    @classmethod
    def load(cls, db) -> "QueueConfig":
        from assistant.clock.agent import agent_zone

        return cls(schedule=load(db, SCHEDULE_KEY), sla=load(db, SLA_KEY),
                   urgency=load(db, URGENCY_KEY), notices=load(db, NOTICES_KEY),
                   agent_zone=agent_zone(db))

    @property
    def team_zone(self) -> str:
        """The zone of the team's working hours (SLA clocks): the schedule's, else the agent's."""
        return self.schedule["zone"] or self.agent_zone
