"""How tasks read to the agent: countdowns, an instant in both the agent's and the
customer's zone, and the preview of a typed time. Shared by the queue panel, quick add and
the CLI so they all say the same thing."""

from __future__ import annotations

from datetime import datetime

from assistant.i18n import _, current_language
from assistant.tasks.model import Task
from assistant.tasks.timephrase import ParsedTime
from assistant.tasks.timeutil import format_duration, zone


def local_text(instant: datetime, zone_name: str, with_zone: bool = True) -> str:
    """"Tue 24 Nov 10:00 JST" in the UI language."""
    from babel.dates import format_datetime

    local = instant.astimezone(zone(zone_name))
    try:
        text = format_datetime(local, "EEE d MMM HH:mm", locale=current_language())
    except (ValueError, LookupError):
        text = local.strftime("%a %d %b %H:%M")
    return f"{text} {local.tzname()}" if with_zone else text


def countdown(task: Task, now: datetime) -> str:
    """Real remaining time to the next SLA deadline, or how long ago it passed."""
    due = task.due_at
    if due is None:
        return ""
    seconds = (due - now).total_seconds()
    if seconds > 0:
        return _("{left} left").format(left=format_duration(seconds))
    return _("breached {ago} ago").format(ago=format_duration(-seconds))


def both_times(instant: datetime | None, agent_zone: str, customer_zone: str | None) -> str:
    """The instant for the agent, and for the customer when their zone differs."""
    if instant is None:
        return ""
    mine = local_text(instant, agent_zone)
    if not customer_zone or zone(customer_zone).utcoffset(instant) == zone(agent_zone).utcoffset(instant):
        return mine
    return _("{mine} · customer {theirs}").format(mine=mine, theirs=local_text(instant, customer_zone))


def preview(parsed: ParsedTime, now: datetime, agent_zone: str, customer_zone: str | None) -> str:
    """What a typed time resolved to, before it is saved: both zones and how far away."""
    seconds = (parsed.instant - now).total_seconds()
    when = (_("in {left}").format(left=format_duration(seconds)) if seconds >= 0
            else _("{ago} ago, in the past").format(ago=format_duration(-seconds)))
    yours = _("You: {time}").format(time=local_text(parsed.instant, agent_zone))
    if customer_zone:
        theirs = _("Customer: {time}").format(time=local_text(parsed.instant, customer_zone))
        return f"{yours}\n{theirs}\n{when}"
    return f"{yours}\n{when}"
