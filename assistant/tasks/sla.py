"""SLA deadlines of a task: per-priority targets counted in business or calendar hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.tasks.config import QueueConfig
from assistant.tasks.schedule import TeamSchedule


@dataclass(frozen=True)
class Deadlines:
    response_due_at: datetime
    resolution_due_at: datetime


def schedule_of(config: QueueConfig) -> TeamSchedule:
    return TeamSchedule.from_settings(config.schedule, config.team_zone)


def deadlines(config: QueueConfig, priority: str, start: datetime,
              schedule: TeamSchedule | None = None) -> Deadlines:
    target = config.sla[priority]
    response = timedelta(hours=target["response_hours"])
    resolution = timedelta(hours=target["resolution_hours"])
    if target["clock"] == "calendar":
        return Deadlines(start + response, start + resolution)
    schedule = schedule or schedule_of(config)
    return Deadlines(schedule.add_business_time(start, response),
                     schedule.add_business_time(start, resolution))
