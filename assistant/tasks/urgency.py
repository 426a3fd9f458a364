"""Why a task is where it is: breached tasks first, then an urgency score that is a sum of
named terms (time to breach, priority, follow-up due, age, waiting, customer's business
hours now) with coefficients from settings. Each term keeps its value and a sentence, so
the queue can show "why it is here"."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from assistant.i18n import N_, _
from assistant.tasks.model import PRIORITIES, PRIORITY_LABELS, Task
from assistant.tasks.timeutil import format_duration, zone

_RANKS = {p: i for i, p in enumerate(PRIORITIES)}
TERM_LABELS = {
    "time_to_breach": N_("Time to breach"),
    "priority": N_("Priority"),
    "follow_up_due": N_("Follow-up due"),
    "age": N_("Age"),
    "waiting": N_("Waiting on customer"),
    "customer_open_now": N_("Customer's business hours"),
}


@dataclass(frozen=True)
class Term:
    """One addend of the score. ``seconds`` (a duration) or ``text`` feed the sentence,
    which is only written when asked for: the queue scores many more tasks than it explains."""
    name: str
    value: float
    seconds: float | None = None
    text: str = ""

    @property
    def label(self) -> str:
        return _(TERM_LABELS[self.name])

    @property
    def detail(self) -> str:
        if self.name == "time_to_breach":
            if self.seconds <= 0:
                return _("breached {ago} ago").format(ago=format_duration(-self.seconds))
            return _("breaches in {left}").format(left=format_duration(self.seconds))
        if self.name == "follow_up_due":
            return _("was due {ago} ago").format(ago=format_duration(self.seconds))
        if self.name == "age":
            return _("open for {age}").format(age=format_duration(self.seconds))
        if self.name == "priority":
            return _(PRIORITY_LABELS[self.text])
        if self.name == "waiting":
            return _("the next step is the customer's")
        if self.name == "customer_open_now":
            return _("{time} for the customer").format(time=self.text)
        return self.text


@dataclass(frozen=True)
class Score:
    breached: bool
    total: float
    terms: tuple[Term, ...]

    def explain(self) -> str:
        """Plain text for the tooltip: the verdict, then one line per term."""
        lines = [_("Breached: shown before every task still within its SLA.")] if self.breached else []
        for term in self.terms:
            lines.append(_("{label}: {value:+.1f} ({detail})").format(
                label=term.label, value=term.value, detail=term.detail))
        lines.append(_("Urgency score: {total:.1f}").format(total=self.total))
        return "\n".join(lines)


class UrgencyModel:
    """Scores tasks at one instant. Cheap to build; build one per refresh. ``hours`` gives a
    country's business hours: the clock's provider (assistant.clock.status), which the task
    store binds to the database so team packs' cards count here as on the clock."""

    def __init__(self, urgency: dict, now: datetime, hours: Callable | None = None):
        if hours is None:
            from assistant.clock.status import BusinessHoursCache

            hours = BusinessHoursCache()
        self.hours = hours
        self.c = urgency
        # whole seconds, as stored: scores then match the SQL arithmetic exactly
        self.now = now.replace(microsecond=0)
        self.horizon = urgency["breach_horizon_hours"] * 3600.0
        self.age_cap = urgency["age_cap_hours"] * 3600.0
        self.priority_weights = [float(urgency["priority"][p]) for p in PRIORITIES]
        self._open_cache: dict[tuple[str | None, str | None], tuple[bool, str]] = {}
        # the most a task can gain from terms other than priority and time to breach:
        # used to stop reading the queue once no unread task can make the top
        self.max_other = (max(0.0, urgency["follow_up_due"]) + max(0.0, urgency["age"])
                          + max(0.0, urgency["customer_open_now"]))

    # -- the terms -----------------------------------------------------------------
    def breach_factor(self, due_epoch: float) -> float:
        """0 until the horizon before the deadline, 1 at it, 2 a horizon after: never
        decreasing as the deadline comes closer, so deadlines can be read in index order."""
        remaining = due_epoch - self.now.timestamp()
        return min(2.0, max(0.0, 1.0 - remaining / self.horizon))

    def customer_open(self, zone_name: str | None, country: str | None) -> tuple[bool, str]:
        key = (zone_name, country)
        if key not in self._open_cache:
            self._open_cache[key] = self._customer_open(zone_name, country)
        return self._open_cache[key]

    def _customer_open(self, zone_name, country) -> tuple[bool, str]:
        """Business hours as the clock panel sees them: the country's card (a pack's first)
        or CLDR working week, and its public holidays."""
        from assistant.clock.status import holiday_on

        if not zone_name:
            return False, ""
        try:
            local = self.now.astimezone(zone(zone_name))
        except ValueError:
            return False, ""
        hours = self.hours(country.upper() if country else None)
        is_open = (local.isoweekday() in hours.days and hours.is_open_at(local.time().replace(tzinfo=None))
                   and holiday_on(country, local.date()) is None)
        from assistant.clock.details import format_time
        from assistant.i18n import current_language

        return is_open, format_time(local, current_language(), country)

    def score(self, task: Task) -> Score:
        now = self.now
        terms: list[Term] = []
        breached = False
        if task.status != "done":
            terms.append(Term("priority", self.priority_weights[_RANKS[task.priority]], text=task.priority))
            due = task.due_at
            if due is not None:
                breached = due <= now
                factor = self.breach_factor(due.timestamp())
                terms.append(Term("time_to_breach", self.c["time_to_breach"] * factor,
                                  seconds=(due - now).total_seconds()))
            if task.follow_up_at is not None and task.follow_up_at <= now:
                terms.append(Term("follow_up_due", self.c["follow_up_due"],
                                  seconds=(now - task.follow_up_at).total_seconds()))
            if task.created_at is not None:
                age = max(0.0, (now - task.created_at).total_seconds())
                terms.append(Term("age", self.c["age"] * min(1.0, age / self.age_cap), seconds=age))
            if task.status == "waiting":
                terms.append(Term("waiting", self.c["waiting"]))
            is_open, clock = self.customer_open(task.customer.zone, task.customer.country)
            if is_open:
                terms.append(Term("customer_open_now", self.c["customer_open_now"], text=clock))
        terms = [t for t in terms if t.value != 0 or t.name in ("priority", "time_to_breach")]
        # a plain left-to-right sum, in the order above: the Now view's SQL adds the same
        # terms in the same order, so both give bit-identical scores
        total = 0.0
        for term in terms:
            total += term.value
        return Score(breached, total, tuple(terms))

    # -- ordering ------------------------------------------------------------------
    @staticmethod
    def sort_key(task: Task, score: Score) -> tuple:
        """Breached first, then higher score, then earlier deadline, then older id."""
        due = task.due_at
        return (not score.breached, -score.total, due.timestamp() if due else math.inf, task.id or 0)

    def bound(self, rank: int, due_epoch: float) -> tuple:
        """The best sort key any unread task of this priority with a deadline at or after
        ``due_epoch`` can reach (for early stopping; compared with sort_key's first two)."""
        breached = due_epoch <= self.now.timestamp()
        best = self.priority_weights[rank] + self.c["time_to_breach"] * self.breach_factor(due_epoch) + self.max_other
        return (not breached, -best)
