"""Reading and writing tasks. Every write is one transaction; ``due_at`` (the next SLA
deadline) is derived from the task in one place, ``_row``, so it never disagrees with the
targets it comes from.

The "Now" view is read without scoring every open task: each priority's deadlines are read
in index order and reading stops once no unread task can enter the top N (the score only
grows as a deadline comes closer, the other terms are bounded). Filtered views are small
enough to score in full."""

from __future__ import annotations

import heapq
import math
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from assistant.customer import CustomerContext
from assistant.tasks import sla
from assistant.tasks.config import QueueConfig
from assistant.tasks.model import PRIORITIES, Task, TaskError
from assistant.tasks.timeutil import from_iso, to_iso
from assistant.tasks.urgency import Score, UrgencyModel

VIEWS = ("now", "upcoming", "waiting", "done", "active", "all")
COLUMNS = ("id", "uid", "title", "notes", "channel", "external_ref", "customer_name",
           "customer_phone", "customer_country", "customer_zone", "customer_language",
           "priority_rank", "status", "tags", "created_at", "updated_at", "response_due_at",
           "resolution_due_at", "responded_at", "due_at", "follow_up_at", "snoozed_until", "done_at")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM tasks"
_INSERT = (f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})")
_UPDATE = (f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])} WHERE id = ?")


class TaskNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Ranked:
    task: Task
    score: Score


@dataclass(frozen=True)
class Filters:
    text: str = ""        # words in title, notes, reference or customer name
    tag: str | None = None
    channel: str | None = None
    customer: str | None = None  # part of the customer's name or phone
    country: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.tag or self.channel or self.customer or self.country)


def _row(task: Task) -> tuple:
    c = task.customer
    iso = lambda v: to_iso(v) if v is not None else None  # noqa: E731
    tags = f",{','.join(task.tags)}," if task.tags else ""
    return (task.id, task.uid, task.title, task.notes, task.channel, task.external_ref,
            c.name, c.phone, c.country, c.zone, c.language, task.rank, task.status, tags,
            iso(task.created_at), iso(task.updated_at), iso(task.response_due_at),
            iso(task.resolution_due_at), iso(task.responded_at), iso(task.due_at),
            iso(task.follow_up_at), iso(task.snoozed_until), iso(task.done_at))


def _task(row) -> Task:
    (id_, uid, title, notes, channel, ref, c_name, c_phone, c_country, c_zone, c_lang, rank,
     status, tags, created, updated, response_due, resolution_due, responded, _due, follow_up,
     snoozed, done) = row
    return Task(
        id=id_, uid=uid, title=title, notes=notes, channel=channel, external_ref=ref,
        customer=CustomerContext(name=c_name, phone=c_phone, country=c_country, zone=c_zone,
                                 language=c_lang),
        priority=PRIORITIES[rank], status=status,
        tags=tuple(t for t in tags.split(",") if t),
        created_at=from_iso(created), updated_at=from_iso(updated),
        response_due_at=from_iso(response_due), resolution_due_at=from_iso(resolution_due),
        responded_at=from_iso(responded), follow_up_at=from_iso(follow_up),
        snoozed_until=from_iso(snoozed), done_at=from_iso(done))


def _second(instant: datetime | None) -> datetime | None:
    """Stored precision is the second; keep returned tasks equal to what is stored."""
    return instant.replace(microsecond=0) if instant is not None else None


class TaskStore:
    def __init__(self, db, config: QueueConfig | None = None):
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self._config = config

    @property
    def config(self) -> QueueConfig:
        if self._config is None:
            self._config = QueueConfig.load(self.db)
        return self._config

    def reload_config(self) -> None:
        self._config = None

    # -- writes --------------------------------------------------------------------
    def add(self, task: Task, now: datetime) -> Task:
        """Store a new task; SLA deadlines are computed from ``now`` unless given."""
        task = self._prepared_new(task, now)
        with self.db.atomic():
            cursor = self.conn.execute(_INSERT, _row(task))
        return replace(task, id=cursor.lastrowid)

    def _prepared_new(self, task: Task, now: datetime) -> Task:
        task = task.validated()
        now = _second(now)
        created = _second(task.created_at) or now
        if task.response_due_at is None or task.resolution_due_at is None:
            deadlines = sla.deadlines(self.config, task.priority, created, self._schedule())
            task = replace(task,
                           response_due_at=task.response_due_at or deadlines.response_due_at,
                           resolution_due_at=task.resolution_due_at or deadlines.resolution_due_at)
        return replace(
            task, id=None, uid=task.uid or uuid.uuid4().hex, created_at=created,
            updated_at=_second(task.updated_at) or now,
            response_due_at=_second(task.response_due_at),
            resolution_due_at=_second(task.resolution_due_at),
            responded_at=_second(task.responded_at), follow_up_at=_second(task.follow_up_at),
            snoozed_until=_second(task.snoozed_until),
            done_at=_second(task.done_at) or (now if task.status == "done" else None))

    def _schedule(self):
        if getattr(self, "_schedule_cache", None) is None or self._schedule_config is not self._config:
            self._schedule_cache = sla.schedule_of(self.config)
            self._schedule_config = self._config
        return self._schedule_cache

    def update(self, task: Task, now: datetime) -> Task:
        """Save an edited task. A new priority re-computes the SLA from the creation time."""
        if task.id is None:
            raise TaskError("Cannot update a task that was never stored.")
        old = self.get(task.id)
        task = task.validated()
        if task.priority != old.priority:
            deadlines = sla.deadlines(self.config, task.priority, old.created_at, self._schedule())
            task = replace(task, response_due_at=deadlines.response_due_at,
                           resolution_due_at=deadlines.resolution_due_at)
        task = self._status_side_effects(old, task, now)
        task = replace(task, uid=old.uid, created_at=old.created_at, updated_at=_second(now),
                       follow_up_at=_second(task.follow_up_at),
                       snoozed_until=_second(task.snoozed_until))
        with self.db.atomic():
            self.conn.execute(_UPDATE, (*_row(task)[1:], task.id))
        return task

    @staticmethod
    def _status_side_effects(old: Task, new: Task, now: datetime) -> Task:
        now = _second(now)
        if new.status == "done" and old.status != "done":
            new = replace(new, done_at=now)
        elif new.status != "done":
            new = replace(new, done_at=None)
        if new.status != "open" and new.responded_at is None:
            new = replace(new, responded_at=now)  # waiting on the customer means they got an answer
        return new

    def set_status(self, task_id: int, status: str, now: datetime) -> Task:
        return self.update(replace(self.get(task_id), status=status), now)

    def mark_done(self, task_id: int, now: datetime) -> Task:
        return self.set_status(task_id, "done", now)

    def mark_responded(self, task_id: int, now: datetime) -> Task:
        return self.update(replace(self.get(task_id), responded_at=_second(now)), now)

    def snooze(self, task_id: int, until: datetime | None, now: datetime) -> Task:
        """Hide the task until ``until`` (None: wake it now). The SLA keeps running."""
        return self.update(replace(self.get(task_id), snoozed_until=until), now)

    def delete(self, task_id: int) -> Task:
        """Remove a task; returns it so the caller can offer undo (``restore``)."""
        task = self.get(task_id)
        with self.db.atomic():
            self.conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
        return task

    def restore(self, task: Task) -> Task:
        """Put back a deleted task exactly as it was, same id."""
        with self.db.atomic():
            self.conn.execute(_INSERT, _row(task))
        return task

    # -- reads ---------------------------------------------------------------------
    def get(self, task_id: int) -> Task:
        row = self.conn.execute(f"{_SELECT} WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise TaskNotFound(f"No task with id {task_id}.")
        return _task(row)

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM tasks").fetchone()[0]

    def all_tasks(self) -> list[Task]:
        return [_task(r) for r in self.conn.execute(f"{_SELECT} ORDER BY id")]

    def tags(self) -> list[str]:
        found: set[str] = set()
        for (tags,) in self.conn.execute("SELECT DISTINCT tags FROM tasks WHERE tags != ''"):
            found.update(t for t in tags.split(",") if t)
        return sorted(found)

    def countries(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT customer_country FROM tasks WHERE customer_country IS NOT NULL "
            "ORDER BY customer_country")]

    def _window(self, now: datetime) -> datetime:
        return now + timedelta(hours=self.config.urgency["now_window_hours"])

    def count_now(self, now: datetime) -> int:
        """The badge: open, not snoozed, deadline within the Now window or follow-up due."""
        return self.conn.execute(
            "SELECT count(*) FROM tasks WHERE status = 'open' "
            "AND (snoozed_until IS NULL OR snoozed_until <= :now) "
            "AND (due_at <= :win OR follow_up_at <= :now)",
            {"now": to_iso(now), "win": to_iso(self._window(now))}).fetchone()[0]

    def view(self, name: str, now: datetime, filters: Filters | None = None,
             limit: int | None = 200) -> list[Ranked]:
        if name not in VIEWS:
            raise ValueError(f"Unknown view {name!r}; use one of: {', '.join(VIEWS)}.")
        filters = filters or Filters()
        model = UrgencyModel(self.config.urgency, now)
        if name == "now" and filters.empty and limit is not None:
            return self._top_now(model, limit)
        where, params = self._view_condition(name, now)
        f_where, f_params = self._filter_condition(filters)
        sql = f"{_SELECT} WHERE {where}{f_where}"
        params.update(f_params)
        if name == "done":
            sql += " ORDER BY done_at DESC, id DESC"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            return [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]
        ranked = [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]
        if name == "upcoming":
            ranked.sort(key=lambda r: (self.appears_at(r.task, now), r.task.id))
        else:
            ranked.sort(key=lambda r: model.sort_key(r.task, r.score))
        return ranked if limit is None else ranked[:limit]

    def appears_at(self, task: Task, now: datetime) -> float:
        """When an upcoming task enters Now (epoch seconds), for ordering Upcoming."""
        window = self._window(now) - now
        times = [t for t in (task.follow_up_at, task.due_at - window if task.due_at else None) if t]
        when = min(times).timestamp() if times else math.inf
        if task.is_snoozed(now):
            when = max(when, task.snoozed_until.timestamp())
        return when

    def _view_condition(self, name: str, now: datetime) -> tuple[str, dict]:
        params = {"now": to_iso(now), "win": to_iso(self._window(now))}
        awake = "(snoozed_until IS NULL OR snoozed_until <= :now)"
        in_now = "(due_at <= :win OR follow_up_at <= :now)"
        return {
            "now": f"status = 'open' AND {awake} AND {in_now}",
            # coalesce: a NULL follow-up must not make the whole test NULL (three-valued logic)
            "upcoming": f"status = 'open' AND NOT coalesce({awake} AND {in_now}, 0)",
            "waiting": "status = 'waiting'",
            "done": "status = 'done'",
            "active": "status != 'done'",
            "all": "1",
        }[name], params

    @staticmethod
    def _filter_condition(filters: Filters) -> tuple[str, dict]:
        parts, params = [], {}
        for i, word in enumerate(filters.text.split()):
            key = f"w{i}"
            params[key] = f"%{_escape_like(word)}%"
            parts.append(f"(title LIKE :{key} ESCAPE '\\' OR notes LIKE :{key} ESCAPE '\\' "
                         f"OR external_ref LIKE :{key} ESCAPE '\\' OR customer_name LIKE :{key} ESCAPE '\\')")
        if filters.tag:
            params["tag"] = f"%,{_escape_like(filters.tag.strip().lower().lstrip('#'))},%"
            parts.append("tags LIKE :tag ESCAPE '\\'")
        if filters.channel:
            params["channel"] = filters.channel
            parts.append("channel = :channel")
        if filters.customer:
            params["customer"] = f"%{_escape_like(filters.customer.strip())}%"
            parts.append("(customer_name LIKE :customer ESCAPE '\\' OR customer_phone LIKE :customer ESCAPE '\\')")
        if filters.country:
            params["country"] = filters.country.strip().upper()
            parts.append("customer_country = :country")
        return ("".join(f" AND {p}" for p in parts), params)

    def _top_now(self, model: UrgencyModel, limit: int) -> list[Ranked]:
        """The exact top ``limit`` of the Now view, reading as few rows as the bounds allow."""
        now = model.now
        params = {"now": to_iso(now), "win": to_iso(self._window(now))}
        win_epoch = self._window(now).timestamp()
        awake = "(snoozed_until IS NULL OR snoozed_until <= :now)"
        streams = []  # [bound, cursor, rank, ordered]
        for rank in range(len(PRIORITIES)):
            deadlines = self.conn.execute(
                f"{_SELECT} INDEXED BY tasks_queue WHERE status = 'open' AND priority_rank = {rank} "
                f"AND due_at <= :win AND {awake} ORDER BY due_at, id", params)
            streams.append([model.bound(rank, -math.inf), deadlines, rank, True])
            # follow-ups due now on tasks whose deadline is beyond the window: their
            # time-to-breach term is at most the window's, a constant bound
            follow_ups = self.conn.execute(
                f"{_SELECT} INDEXED BY tasks_follow_up WHERE status = 'open' AND priority_rank = {rank} "
                f"AND follow_up_at IS NOT NULL AND follow_up_at <= :now "
                f"AND (due_at IS NULL OR due_at > :win) AND {awake}", params)
            streams.append([model.bound(rank, win_epoch), follow_ups, rank, False])
        best: list[tuple] = []  # max-heap of the best ``limit`` by sort key (negated)
        found: dict[int, Ranked] = {}
        while streams:
            stream = min(streams, key=lambda s: s[0])
            if len(best) >= limit and _neg(best[0])[:2] < stream[0]:
                break  # nothing unread can beat the current last of the top
            row = stream[1].fetchone()
            if row is None:
                streams.remove(stream)
                continue
            task = _task(row)
            score = model.score(task)
            if stream[3] and task.due_at is not None:
                stream[0] = model.bound(stream[2], task.due_at.timestamp())
            key = model.sort_key(task, score)
            if len(best) < limit:
                heapq.heappush(best, _neg(key))
                found[task.id] = Ranked(task, score)
            elif key < _neg(best[0]):
                dropped = heapq.heapreplace(best, _neg(key))
                found.pop(int(-dropped[3]), None)
                found[task.id] = Ranked(task, score)
        for stream in streams:
            stream[1].close()
        return [found[int(-k[3])] for k in sorted(best, reverse=True)]


def _neg(key: tuple) -> tuple:
    return tuple(-float(k) for k in key)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
