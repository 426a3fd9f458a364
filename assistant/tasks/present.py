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
    """"Tue 24 Nov 10:00 JST" in the UI language and the agent's 12/24-hour choice."""
    from babel.dates import format_datetime

    from assistant.clock.hours import hour_minute

    local = instant.astimezone(zone(zone_name))
    try:
        text = format_datetime(local, f"EEE d MMM {hour_minute()}", locale=current_language())
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


def read_time_input(text: str, now: datetime, agent_zone: str, customer_zone: str | None,
                    fold: int | None = None) -> tuple[ParsedTime | None, str, bool]:
    """What a time field shows as the agent types: (resolved time or None, the preview or
    the problem, whether the time happens twice and a choice is needed). Empty is valid."""
    from assistant.tasks.timephrase import AmbiguousTimeError, parse_time_phrase

    if not text.strip():
        return None, "", False
    try:
        parsed = parse_time_phrase(text, now, agent_zone, customer_zone, fold=fold)
    except AmbiguousTimeError as exc:
        return None, str(exc), True
    except ValueError as exc:
        return None, str(exc), False
    return parsed, preview(parsed, now, agent_zone, customer_zone), False


def short_time(instant: datetime, zone_name: str, now: datetime) -> str:
    """"10:00" today, "Tue 10:00" within a week, "24 Nov 10:00" further (in ``zone_name``)."""
    from babel.dates import format_datetime

    tz = zone(zone_name)
    local, today = instant.astimezone(tz), now.astimezone(tz)
    days = (local.date() - today.date()).days
    from assistant.clock.hours import hour_minute

    hm = hour_minute()
    pattern = hm if days == 0 else (f"EEE {hm}" if -7 < days < 7 else f"d MMM {hm}")
    try:
        return format_datetime(local, pattern, locale=current_language())
    except (ValueError, LookupError):
        return local.strftime("%H:%M")


def short_both(instant: datetime | None, agent_zone: str, customer_zone: str | None, now: datetime) -> str:
    """A compact cell: the agent's time, then the customer's when their clock differs."""
    if instant is None:
        return ""
    mine = short_time(instant, agent_zone, now)
    if not customer_zone or zone(customer_zone).utcoffset(instant) == zone(agent_zone).utcoffset(instant):
        return mine
    return _("{mine} · their {theirs}").format(mine=mine, theirs=short_time(instant, customer_zone, now))


def _follow_up_words(instant: datetime, agent_zone: str, customer_zone: str | None, now: datetime) -> str:
    """"Fri 10:00 their time" when the customer's clock differs from the agent's, else "Fri 10:00"."""
    if customer_zone and zone(customer_zone).utcoffset(instant) != zone(agent_zone).utcoffset(instant):
        return _("{time} their time").format(time=short_time(instant, customer_zone, now))
    return short_time(instant, agent_zone, now)


def added_message(task: Task, view_label: str, now: datetime, agent_zone: str) -> str:
    """What the agent reads once a task is added: where it went and, if any, when its
    follow-up is ("Added to Upcoming — follow-up Fri 10:00 their time")."""
    if task.follow_up_at is None:
        return _("Added to {view}: “{title}”.").format(view=view_label, title=task.title)
    return _("Added to {view} — follow-up {when}").format(
        view=view_label, when=_follow_up_words(task.follow_up_at, agent_zone, task.customer.zone, now))


def late_follow_up(follow_up: datetime | None, deadline: datetime | None, agent_zone: str,
                   customer_zone: str | None, now: datetime) -> str:
    """A warning before saving when the follow-up is promised after the SLA deadline, or ""."""
    if follow_up is None or deadline is None or follow_up <= deadline:
        return ""
    return _("This follow-up is after the SLA deadline ({deadline}): the target will be missed. "
             "Choose an earlier time, or save anyway.").format(
        deadline=_follow_up_words(deadline, agent_zone, customer_zone, now))


def details(task: Task, now: datetime, agent_zone: str) -> str:
    """The selected task in full, as plain text."""
    from assistant.tasks.model import CHANNEL_LABELS, PRIORITY_LABELS, STATUS_LABELS

    lines = [task.title]
    who = " · ".join(p for p in (task.customer.name, task.customer.phone, task.customer.country,
                                 task.customer.zone) if p)
    if who:
        lines.append(_("Customer: {who}").format(who=who))
    facts = [_(PRIORITY_LABELS[task.priority]), _(STATUS_LABELS[task.status])]
    if task.channel:
        facts.append(_(CHANNEL_LABELS[task.channel]))
    if task.external_ref:
        facts.append(task.external_ref)
    lines.append(" · ".join(facts))
    if task.due_at:
        lines.append(_("SLA: {countdown} (due {when})").format(
            countdown=countdown(task, now), when=both_times(task.due_at, agent_zone, task.customer.zone)))
    if task.follow_up_at:
        lines.append(_("Follow-up: {when}").format(
            when=both_times(task.follow_up_at, agent_zone, task.customer.zone)))
    if task.is_snoozed(now):
        lines.append(_("Snoozed until {when}").format(when=local_text(task.snoozed_until, agent_zone)))
    if task.tags:
        lines.append(_("Tags: {tags}").format(tags=", ".join(task.tags)))
    if task.notes.strip():
        lines.append(task.notes.strip())
    return "\n".join(lines)
