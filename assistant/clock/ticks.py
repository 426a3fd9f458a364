"""When the minute clock should wake up next: exactly once per minute, just after the
minute boundary, so an idle app costs one timer wake-up a minute and no polling."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Waking a little after the boundary keeps a timer that fires a few ms early from showing
# the old minute; a person cannot see 50 ms.
SLACK_MS = 50


def utc_now() -> datetime:
    """The current instant, aware, in UTC: the default clock every view takes as ``now``."""
    return datetime.now(timezone.utc)


def ms_to_next_minute(now: datetime) -> int:
    """Milliseconds from ``now`` to the next minute boundary plus the slack (>= SLACK_MS,
    <= 60000 + SLACK_MS)."""
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    remaining = boundary - now
    return int(remaining.total_seconds() * 1000) + (1 if remaining.microseconds % 1000 else 0) + SLACK_MS


def minute_key(now: datetime) -> tuple:
    """Identifies the wall minute (in UTC) an instant falls in."""
    return now.replace(second=0, microsecond=0).timetuple()[:5]
