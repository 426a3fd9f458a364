"""What to tell the agent now: a deadline about to pass, a follow-up that is due. Each
notice is shown once (remembered in ``task_notices``, so a restart does not repeat it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.i18n import _
from assistant.tasks.model import PRIORITIES
from assistant.tasks.store import TaskStore, _task, _SELECT
from assistant.tasks.timeutil import format_duration, from_iso, to_iso

# a follow-up missed while the app was closed for longer than this is not announced late
FOLLOW_UP_GRACE = timedelta(hours=12)
# every priority, spelled out so each query is a few ranges of the queue's indexes (status,
# priority, time) instead of a scan of the open tasks: the minute tick stays flat (issue 18)
RANKS = "(" + ", ".join(str(rank) for rank in range(len(PRIORITIES))) + ")"


@dataclass(frozen=True)
class Notice:
    task_id: int
    kind: str        # "breach_soon" or "follow_up"
    instant: datetime  # the deadline or follow-up time it is about
    title: str
    message: str


def pending_notices(store: TaskStore, now: datetime) -> list[Notice]:
    """Notices due at ``now`` and not shown yet, soonest deadline first."""
    settings = store.config.notices
    if not settings["enabled"]:
        return []
    lead = timedelta(minutes=settings["breach_lead_minutes"])
    params = {"now": to_iso(now), "lead": to_iso(now + lead), "since": to_iso(now - FOLLOW_UP_GRACE)}
    awake = "(snoozed_until IS NULL OR snoozed_until <= :now)"
    found: list[Notice] = []
    for row in store.conn.execute(
            f"{_SELECT} WHERE status = 'open' AND priority_rank IN {RANKS} AND due_at > :now AND due_at <= :lead "
            f"AND {awake} "
            "AND NOT EXISTS (SELECT 1 FROM task_notices n WHERE n.task_id = tasks.id "
            "AND n.kind = 'breach_soon' AND n.instant = tasks.due_at) ORDER BY due_at", params):
        task = _task(row)
        found.append(Notice(task.id, "breach_soon", task.due_at, _("SLA breach soon"),
                            _("{title}: breaches in {left}").format(
                                title=task.title,
                                left=format_duration((task.due_at - now).total_seconds()))))
    for row in store.conn.execute(
            f"{_SELECT} WHERE status IN ('open', 'waiting') AND priority_rank IN {RANKS} "
            "AND follow_up_at <= :now AND follow_up_at > :since "
            "AND NOT EXISTS (SELECT 1 FROM task_notices n WHERE n.task_id = tasks.id "
            "AND n.kind = 'follow_up' AND n.instant = tasks.follow_up_at) ORDER BY follow_up_at", params):
        task = _task(row)
        who = task.customer.name or task.customer.phone or ""
        found.append(Notice(task.id, "follow_up", task.follow_up_at, _("Follow-up due"),
                            _("{title} {who}").format(title=task.title, who=f"({who})" if who else "").strip()))
    return found


def mark_shown(store: TaskStore, notices: list[Notice], now: datetime) -> None:
    with store.db.atomic():
        store.conn.executemany(
            "INSERT OR IGNORE INTO task_notices (task_id, kind, instant, shown_at) VALUES (?, ?, ?, ?)",
            [(n.task_id, n.kind, to_iso(n.instant), to_iso(now)) for n in notices])


def shown(store: TaskStore) -> list[tuple[int, str, datetime]]:
    return [(r[0], r[1], from_iso(r[2])) for r in store.conn.execute(
        "SELECT task_id, kind, instant FROM task_notices ORDER BY task_id, kind")]


def forget(conn, task_ids) -> None:
    """Forget the notices shown for ``task_ids``, in the caller's transaction: an import
    replaces those tasks in place (what deleting the tasks did, by the table's cascade)."""
    conn.execute("DELETE FROM task_notices WHERE task_id IN (SELECT value FROM json_each(?))",
                 (json.dumps(list(task_ids)),))
