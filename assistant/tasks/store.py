"""Reading and writing tasks. Every write is one transaction; ``due_at`` (the next SLA
deadline) is derived from the task in one place, ``_row``, so it never disagrees with the
targets it comes from.

The "Now" view is read without scoring every open task: each priority's deadlines are read
in index order and reading stops once no unread task can enter the top N (the score only
grows as a deadline comes closer, the other terms are bounded). Filtered views are small
enough to score in full.

The search box (issue 18): words of 3+ characters are looked up in ``tasks_fts``, a trigram
full-text index kept by triggers (migration tasks/m002), when they find few tasks
(``FEW_FOUND``): only those are read and scored. A word found almost everywhere, or shorter
than a trigram, is tested on each task as the view reads them in its order (LIKE), which
stops soon because matches are everywhere. Tags and countries are read by skipping through
their indexes. A shown view follows a change of a few tasks by reading only those
(:meth:`TaskStore.ranked_in_view`, ordered by :meth:`TaskStore.order_key`)."""

from __future__ import annotations

import contextlib
import heapq
import json
import math
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from assistant.customer import CustomerContext
from assistant.errors import UserError
from assistant.tasks import sla
from assistant.tasks.config import QueueConfig
from assistant.tasks.model import PRIORITIES, Task, TaskError
from assistant.tasks.timeutil import UTC, from_iso, to_iso
from assistant.tasks.urgency import Score, UrgencyModel

VIEWS = ("now", "upcoming", "waiting", "done", "active", "all")
COLUMNS = ("id", "uid", "title", "notes", "channel", "external_ref", "customer_name",
           "customer_phone", "customer_country", "customer_zone", "customer_language",
           "priority_rank", "status", "tags", "created_at", "updated_at", "response_due_at",
           "resolution_due_at", "responded_at", "due_at", "follow_up_at", "snoozed_until", "done_at")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM tasks"
_MAX_ROWID = 2**63 - 1  # SQLite's INTEGER
_INSERT = (f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})")
_UPDATE = (f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])} WHERE id = ?")
# the columns in the search index, tasks_fts (migration m002), in its order
_SEARCHED_COLUMNS = ("title", "notes", "external_ref", "customer_name")
_SEARCHED = ", ".join(_SEARCHED_COLUMNS)

# FTS5's merges of the index's segments, left to the app's upkeep (migration m003)
INDEX_MERGE_SETTINGS = (("automerge", 0), ("crisismerge", 256))


def leave_index_merges_to_upkeep(db) -> None:
    """The search index's segments merged while the app is quiet, not inside the agent's
    commit (issue 18). FTS5 merged them in the write that reached its thresholds: 12-20 ms of
    one add in about twenty, on the GUI thread. With ``automerge`` off a write does no merge
    work; the app's upkeep merges (``assistant.storage.database.upkeep``). ``crisismerge`` is
    the bound when nobody does (the CLI alone): a write that leaves 256 segments on one level
    merges them (searching 256 small segments: 2-4 ms, on the Queue's worker)."""
    for name, value in INDEX_MERGE_SETTINGS:
        db.execute("INSERT INTO tasks_fts (tasks_fts, rank) VALUES (?, ?)", [name, value])


VIEW_LIMIT = 200  # the rows a view shows
TRIGRAM = 3  # the shortest word the full-text index can look up
FEW_FOUND = 2000  # a search finding at most this many tasks reads only those (see _filter_condition)
_NEVER = 1e18  # epoch seconds standing for "no such time", after every real one
# when an upcoming task enters Now (as ``TaskStore.appears_at``), in epoch seconds
_APPEARS_SQL = (
    "max(CASE WHEN snoozed_until > :now THEN unixepoch(snoozed_until) ELSE 0 END, "
    "min(ifnull(unixepoch(follow_up_at), 1e18), ifnull(unixepoch(due_at) - :win_s, 1e18)))")


class TaskNotFound(UserError, LookupError):
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

    @classmethod
    def parse(cls, text: str) -> "Filters":
        """A search box: words, plus ``tag:``, ``channel:``, ``customer:`` and ``country:``
        (also ``#tag``). Unknown prefixes are searched as words."""
        words, fields = [], {}
        for token in text.split():
            key, sep, value = token.partition(":")
            if sep and value and key.lower() in ("tag", "channel", "customer", "country"):
                fields[key.lower()] = value
            elif token.startswith("#") and len(token) > 1:
                fields["tag"] = token[1:]
            else:
                words.append(token)
        if "channel" in fields:
            from assistant.tasks.model import CHANNEL_ALIASES

            value = fields["channel"].lower()
            fields["channel"] = CHANNEL_ALIASES.get(value, value)
        return cls(text=" ".join(words), **fields)

    def merged(self, **fields) -> "Filters":
        """These filters with the non-empty ``fields`` added (drop-downs over typed tokens)."""
        return replace(self, **{k: v for k, v in fields.items() if v})


def _row(task: Task, iso=to_iso) -> tuple:
    """``task`` as its row, in ``COLUMNS`` order. ``iso``: how an instant becomes its stored
    text, ``to_iso`` or a memo of it (the import's)."""
    c = task.customer
    tags = f",{','.join(task.tags)}," if task.tags else ""
    times = [None if t is None else iso(t) for t in (
        task.created_at, task.updated_at, task.response_due_at, task.resolution_due_at,
        task.responded_at, task.due_at, task.follow_up_at, task.snoozed_until, task.done_at)]
    return (task.id, task.uid, task.title, task.notes, task.channel, task.external_ref,
            c.name, c.phone, c.country, c.zone, c.language, task.rank, task.status, tags, *times)


_UID, _UPDATED = COLUMNS.index("uid"), COLUMNS.index("updated_at")
_SEARCHED_AT = tuple(COLUMNS.index(c) for c in _SEARCHED_COLUMNS)


def _searched(task: Task) -> tuple:
    """The values of ``task``'s row in the search index's columns."""
    row = _row(task)
    return tuple(row[i] for i in _SEARCHED_AT)


def _imported_row(task: Task, task_id: int, uid: str, updated_at: datetime, iso) -> tuple:
    """The row of ``task`` with this id, uid and update time (what ``_row`` gives for the
    task with those three changed, without copying the task)."""
    row = _row(task, iso)
    return (task_id, uid, *row[_UID + 1:_UPDATED], None if updated_at is None else iso(updated_at),
            *row[_UPDATED + 1:])


def _iso_memo(known: dict[datetime, str] | None = None):
    """``to_iso`` remembering its answers: an import's tasks share a few instants each.
    ``known``: answers known already (each ``to_iso`` of its instant)."""
    memo: dict[datetime, str] = dict(known or ())

    def iso(instant: datetime) -> str:
        if instant.tzinfo is not UTC:  # in one zone, equal times can be two instants (fold)
            return to_iso(instant)
        text = memo.get(instant)
        if text is None:
            text = memo[instant] = to_iso(instant)
        return text
    return iso


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
    if instant is None or not instant.microsecond:  # nothing to cut (the usual case)
        return instant
    return instant.replace(microsecond=0)


class TaskStore:
    def __init__(self, db, config: QueueConfig | None = None):
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self._config = config
        self._pairs: set[tuple[str, str | None]] | None = None  # customers' (zone, country)
        self._schedule_cache = None
        self._schedule_config = None
        from assistant.clock.status import BusinessHoursCache

        self.hours = BusinessHoursCache(db)  # customers' business hours, as on the clock
        # Connect the search index now, outside any transaction: connecting it reads its
        # configuration, and a write transaction that began by reading could not wait for
        # another program's lock (SQLite answers "busy" at once instead of waiting).
        self.conn.execute("SELECT rowid FROM tasks_fts WHERE rowid = 0").fetchall()

    @property
    def config(self) -> QueueConfig:
        if self._config is None:
            self._config = QueueConfig.load(self.db)
        return self._config

    def reload_config(self) -> None:
        self._config = None

    def forget_caches(self) -> None:
        """After writes that bypass the store's methods (a bulk import, another process), or
        when packs changed (their cards give customers' business hours)."""
        self._pairs = None
        self.hours.forget()

    def urgency_model(self, now: datetime) -> UrgencyModel:
        return UrgencyModel(self.config.urgency, now, self.hours)

    # -- writes --------------------------------------------------------------------
    def add(self, task: Task, now: datetime) -> Task:
        """Store a new task; SLA deadlines are computed from ``now`` unless given."""
        task = self._prepared_new(task, now)
        with self.db.atomic():
            cursor = self.conn.execute(_INSERT, _row(task))
        self._remember_customer(task)
        return replace(task, id=cursor.lastrowid)

    def _prepared_new(self, task: Task, now: datetime) -> Task:
        return self.completed_new(task.validated(), now)

    def completed_new(self, task: Task, now: datetime) -> Task:
        """A validated new task with what it lacks filled in as of ``now``: its SLA deadlines,
        uid, times at the stored precision (an import calls this for rows without deadlines)."""
        now = _second(now)
        created = _second(task.created_at) or now
        response_due_at, resolution_due_at = task.response_due_at, task.resolution_due_at
        if response_due_at is None or resolution_due_at is None:
            deadlines = sla.deadlines(self.config, task.priority, created, self._schedule())
            response_due_at = response_due_at or deadlines.response_due_at
            resolution_due_at = resolution_due_at or deadlines.resolution_due_at
        return replace(  # one copy (an import completes 10,000s of tasks)
            task, id=None, uid=task.uid or uuid.uuid4().hex, created_at=created,
            updated_at=_second(task.updated_at) or now,
            response_due_at=_second(response_due_at),
            resolution_due_at=_second(resolution_due_at),
            follow_up_at=_second(task.follow_up_at), snoozed_until=_second(task.snoozed_until),
            done_at=_second(task.done_at) or (now if task.status == "done" else None),
            # created as waiting or done: the customer already had an answer
            responded_at=_second(task.responded_at) or (now if task.status != "open" else None))

    def _schedule(self):
        if self._schedule_cache is None or self._schedule_config is not self.config:
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
        self._remember_customer(task)
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
        self._remember_customer(task)
        return task

    def import_all(self, tasks: list[Task], progress=None, batch: int = 5_000,
                   stored_texts: dict[datetime, str] | None = None) -> tuple[int, int]:
        """Write imported tasks in one transaction, ``batch`` rows per statement: a task
        whose ``uid`` is already here replaces it (same id); a new one keeps its id when it is
        free, else gets the one SQLite would give it (one above the highest). Linear in the
        number of tasks, with one change notice for the whole import.

        The per-row triggers are set aside for the import, in its transaction (restored
        exactly, with the data on a rollback): the change counter is bumped once, and the
        search index (``tasks_fts``) is kept in bulk: a replaced task's old entry is deleted
        before its row is replaced, only when its searched text changes, and the written rows
        are indexed at the end in one statement, in rowid order (FTS5 appends them without
        flushing), which costs about half of what the row-by-row triggers did.
        ``progress(done, total)`` is called after every batch. ``stored_texts``: the stored
        text (``to_iso``) of instants the tasks hold, known already (the reader's, from the
        file). Returns (added, replaced)."""
        from assistant.storage import changes
        from assistant.storage.database import indexes_set_aside, triggers_set_aside

        conn = self.conn
        with self.db.atomic():
            existing = dict(conn.execute("SELECT uid, id FROM tasks"))
            taken_ids = set(existing.values())
            # many rows next to those stored: the queue's indexes are built once at the end
            # (one sort each) rather than kept row by row; the work stays linear in the import
            bulk = indexes_set_aside(conn, "tasks") if len(tasks) >= len(taken_ids) else contextlib.nullcontext()
            with changes.one_bump_per_write(conn, changes.TASKS, ("tasks",)), \
                    triggers_set_aside(conn, "tasks_fts_%", ("tasks",)), bulk:
                to_index: set[int] = set()
                result = self._write_imported(tasks, taken_ids, existing, progress, batch, to_index,
                                              _iso_memo(stored_texts))
                conn.execute(f"INSERT INTO tasks_fts (rowid, {_SEARCHED}) SELECT id, {_SEARCHED} FROM tasks "
                             "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                             (json.dumps(sorted(to_index)),))
        self.forget_caches()
        return result

    def _write_imported(self, tasks, taken_ids: set[int], existing: dict[str, int], progress,
                        batch: int, to_index: set[int], iso) -> tuple[int, int]:
        """Rows are made straight from the tasks (``_imported_row``): no copy of a task per
        row. A replaced task's row is updated in place: what deleting it and inserting the new
        version did, for less (its shown notices are forgotten, as the delete's cascade did),
        and a task new in this batch that a later one of the batch replaces is written once."""
        from assistant.tasks import notices  # it reads the queue through this module

        conn = self.conn
        total = len(tasks)
        highest = max(taken_ids, default=0)
        added = replaced = 0
        for start in range(0, total, batch):
            replacing: dict[int, tuple] = {}  # id -> row, of tasks stored before this batch
            adding: dict[int, tuple] = {}  # id -> row, of tasks new in this batch
            for task in tasks[start:start + batch]:
                uid = task.uid or uuid.uuid4().hex
                updated_at = task.updated_at or task.created_at
                if uid in existing:
                    task_id = existing[uid]
                    (adding if task_id in adding else replacing)[task_id] = _imported_row(
                        task, task_id, uid, updated_at, iso)
                    replaced += 1
                    continue
                task_id = task.id if task.id is not None and task.id not in taken_ids else highest + 1
                if task.response_due_at is None or task.resolution_due_at is None:
                    task = self.completed_new(task, task.created_at)  # validated by the reader
                row = _imported_row(task, task_id, uid, updated_at, iso)
                if task_id > _MAX_ROWID:  # SQLite picks a free id at random then: ask it
                    task_id = conn.execute(_INSERT, (None, *row[1:])).lastrowid
                else:
                    adding[task_id] = row
                if task_id > highest:
                    highest = task_id
                taken_ids.add(task_id)
                existing[uid] = task_id
                to_index.add(task_id)
                added += 1
            if replacing:
                self._unindex_replaced(replacing, to_index)
                notices.forget(conn, replacing)
                conn.executemany(_UPDATE, [(*row[1:], task_id) for task_id, row in replacing.items()])
            if adding:
                conn.executemany(_INSERT, adding.values())
            if progress is not None:
                progress(added + replaced, total)
        return added, replaced

    def _unindex_replaced(self, replacing: dict[int, tuple], to_index: set[int]) -> None:
        """Delete from ``tasks_fts`` the entries of the stored tasks that the rows
        ``replacing`` (by id) replace whose searched text changes (with the values they were
        indexed with, as the external content table's 'delete' needs), and mark them to be
        indexed again. A row written earlier in this import is not in the index yet: it is
        only indexed at the end."""
        new_text = {task_id: tuple(row[i] for i in _SEARCHED_AT)
                    for task_id, row in replacing.items() if task_id not in to_index}
        if not new_text:
            return
        old = self.conn.execute(f"SELECT id, {_SEARCHED} FROM tasks WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(list(new_text)),)).fetchall()
        stale = [row for row in old if tuple(row[1:]) != new_text[row[0]]]
        self.conn.executemany(f"INSERT INTO tasks_fts (tasks_fts, rowid, {_SEARCHED}) "
                              "VALUES ('delete', ?, ?, ?, ?, ?)", stale)
        to_index.update(row[0] for row in stale)

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
        """Every tag in the queue. The distinct tag sets are few: they are read by skipping
        through the ``tasks_tags`` index, one seek per set, not by reading every task."""
        found: set[str] = set()
        for (tags,) in self.conn.execute(
                "WITH RECURSIVE sets(tags) AS (SELECT min(tags) FROM tasks WHERE tags != '' "
                "UNION ALL SELECT (SELECT min(tags) FROM tasks WHERE tags != '' AND tags > sets.tags) "
                "FROM sets WHERE sets.tags IS NOT NULL) SELECT tags FROM sets WHERE tags IS NOT NULL"):
            found.update(t for t in tags.split(",") if t)
        return sorted(found)

    def countries(self) -> list[str]:
        """The customers' countries, skipping through their index like :meth:`tags`."""
        return [r[0] for r in self.conn.execute(
            "WITH RECURSIVE c(v) AS (SELECT min(customer_country) FROM tasks "
            "UNION ALL SELECT (SELECT min(customer_country) FROM tasks WHERE customer_country > c.v) "
            "FROM c WHERE c.v IS NOT NULL) SELECT v FROM c WHERE v IS NOT NULL")]

    def _window(self, now: datetime) -> datetime:
        return now + timedelta(hours=self.config.urgency["now_window_hours"])

    def count_now(self, now: datetime) -> int:
        """The badge: open, not snoozed, deadline within the Now window or follow-up due."""
        params = {"now": to_iso(now), "win": to_iso(self._window(now))}
        awake = "(snoozed_until IS NULL OR snoozed_until <= :now)"
        total = 0
        # per priority and in two disjoint parts, so each count is a range of one index
        for rank in range(len(PRIORITIES)):
            total += self.conn.execute(
                f"SELECT count(*) FROM tasks INDEXED BY tasks_queue WHERE status = 'open' "
                f"AND priority_rank = {rank} AND due_at <= :win AND {awake}", params).fetchone()[0]
            total += self.conn.execute(
                f"SELECT count(*) FROM tasks INDEXED BY tasks_follow_up WHERE status = 'open' "
                f"AND priority_rank = {rank} AND follow_up_at IS NOT NULL AND follow_up_at <= :now "
                f"AND (due_at IS NULL OR due_at > :win) AND {awake}", params).fetchone()[0]
        return total

    def view(self, name: str, now: datetime, filters: Filters | None = None,
             limit: int | None = VIEW_LIMIT) -> list[Ranked]:
        if name not in VIEWS:
            raise ValueError(f"Unknown view {name!r}; use one of: {', '.join(VIEWS)}.")
        filters = filters or Filters()
        model = self.urgency_model(now)
        where, params = self._view_condition(name, now)
        f_where, f_params = self._filter_condition(filters)
        params.update(f_params)
        if limit is not None:
            # ordered by SQLite, only ``limit`` tasks built in Python
            if name == "now" and "fts" not in f_params:
                return self._top_now(model, limit, f_where, f_params)
            if name == "now":  # the found tasks are few next to the queue: score them all
                return self._top_scored(model, f"{where}{f_where}", params, limit)
            if name in ("waiting", "active", "all"):
                return self._top_scored(model, f"{where}{f_where}", params, limit)
        sql = f"{_SELECT} WHERE {where}{f_where}"
        if name == "done":
            sql += " ORDER BY done_at DESC, id DESC"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            return [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]
        if name == "upcoming" and limit is not None:
            params["win_s"] = (self._window(now) - now).total_seconds()
            params["now_e"] = int(model.now.timestamp())
            sql += f" ORDER BY {_APPEARS_SQL}, id LIMIT {int(limit)}"
            return [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]
        # the reference order, scored in Python (used without a limit, and by the tests
        # that check the SQLite orderings above against it)
        ranked = [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]
        if name == "upcoming":
            ranked.sort(key=lambda r: (self.appears_at(r.task, now), r.task.id))
        else:
            ranked.sort(key=lambda r: model.sort_key(r.task, r.score))
        return ranked if limit is None else ranked[:limit]

    def view_of(self, task: Task, now: datetime) -> str:
        """The view ``task`` shows in now: the rule of ``_view_condition``, for one task."""
        if task.status != "open":
            return task.status
        in_now = ((task.due_at is not None and task.due_at <= self._window(now))
                  or (task.follow_up_at is not None and task.follow_up_at <= now))
        return "now" if in_now and not task.is_snoozed(now) else "upcoming"

    def deadline_for(self, task: Task, now: datetime) -> datetime | None:
        """The resolution deadline ``task`` will have once saved (added now, or edited: a new
        priority re-computes it from the creation time, as ``add`` and ``update`` do)."""
        if task.id is not None and task.resolution_due_at is not None and task.priority == self.get(task.id).priority:
            return task.resolution_due_at
        if task.id is None and task.resolution_due_at is not None:
            return task.resolution_due_at
        return sla.deadlines(self.config, task.priority, task.created_at or now, self._schedule()).resolution_due_at

    def ranked_in_view(self, name: str, now: datetime, filters: Filters | None, ids) -> list[Ranked]:
        """Those of the tasks ``ids`` that the view shows at ``now`` with ``filters``, scored:
        what a shown view needs after a few tasks changed, instead of reading it again."""
        ids = [int(i) for i in ids]
        if not ids:
            return []
        model = self.urgency_model(now)
        where, params = self._view_condition(name, now)
        f_where, f_params = self._filter_condition(filters or Filters())
        params.update(f_params)
        params.update({f"id{k}": task_id for k, task_id in enumerate(ids)})
        listed = ", ".join(f":id{k}" for k in range(len(ids)))
        sql = f"{_SELECT} WHERE id IN ({listed}) AND {where}{f_where}"
        return [Ranked(t, model.score(t)) for t in map(_task, self.conn.execute(sql, params))]

    def order_key(self, name: str, now: datetime):
        """The order of a view as a sort key on its rows (the order :meth:`view` returns)."""
        if name == "done":
            return lambda r: (-(r.task.done_at.timestamp() if r.task.done_at else 0.0), -r.task.id)
        if name == "upcoming":
            return lambda r: (self.appears_at(r.task, now), r.task.id)
        model = self.urgency_model(now)
        return lambda r: model.sort_key(r.task, r.score)

    def appears_at(self, task: Task, now: datetime) -> float:
        """When an upcoming task enters Now (epoch seconds), for ordering Upcoming."""
        window = (self._window(now) - now).total_seconds()
        times = [t for t in (task.follow_up_at.timestamp() if task.follow_up_at else None,
                             task.due_at.timestamp() - window if task.due_at else None) if t is not None]
        when = min(times) if times else _NEVER
        if task.is_snoozed(now.replace(microsecond=0)):
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

    def _filter_condition(self, filters: Filters) -> tuple[str, dict]:
        """SQL for the search and filters. Words of 3+ characters are looked up in the
        trigram index (the same matches as LIKE '%word%' over the four columns, in any case)
        when they are rare enough that the found tasks are few (``FEW_FOUND``): then only
        those tasks are read and scored. A word found in many tasks (or shorter than a
        trigram) is tested on the tasks as the view reads them in its order, which stops soon
        because matches are everywhere."""
        parts, params = [], {}
        indexed, scanned = [], []
        for word in filters.text.split():
            (indexed if len(word) >= TRIGRAM else scanned).append(word)
        if indexed:
            query = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
            found = self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM tasks_fts WHERE tasks_fts "
                                      "MATCH ? LIMIT ?)", (query, FEW_FOUND + 1)).fetchone()[0]
            if found <= FEW_FOUND:
                params["fts"] = query
                parts.append("id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH :fts)")
            else:
                scanned += indexed
        for i, word in enumerate(scanned):
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

    def _score_sql(self, model: UrgencyModel) -> tuple[dict, dict]:
        """Parameters and SQL pieces that compute UrgencyModel.score in SQLite: the same
        terms, added in the same order (left to right, no grouping), so the results are
        bit-identical and SQLite can order rows exactly as Python would."""
        now, c = model.now, model.c
        now_e = int(now.timestamp())
        p = {"now": to_iso(now), "now_e": now_e, "horizon": model.horizon, "w_t": c["time_to_breach"],
             "w_a": c["age"], "age_cap": model.age_cap, "w_h": c["customer_open_now"]}
        open_pairs = self._open_customer_pairs(model)
        pairs_sql = ", ".join(f":pair{i}" for i in range(len(open_pairs))) or "NULL"
        p.update({f"pair{i}": pair for i, pair in enumerate(open_pairs)})
        sql = {
            "time": "(:w_t * min(2.0, max(0.0, 1.0 - (unixepoch(due_at) - :now_e) / :horizon)))",
            "age": "(:w_a * min(1.0, max(0.0, (:now_e - unixepoch(created_at)) / :age_cap)))",
            "customer": (f"(CASE WHEN customer_zone || '|' || ifnull(customer_country, '') IN ({pairs_sql})"
                         " THEN :w_h ELSE 0.0 END)"),
        }
        return p, sql

    def _top_scored(self, model: UrgencyModel, where: str, params: dict, limit: int) -> list[Ranked]:
        """Any set of tasks in queue order, scored and ordered by SQLite, top ``limit``."""
        c = model.c
        p, sql = self._score_sql(model)
        p.update(params)
        weights = " ".join(f"WHEN {rank} THEN {w!r}" for rank, w in enumerate(model.priority_weights))
        score = (f"(CASE WHEN status = 'done' THEN 0.0 ELSE "
                 f"(CASE priority_rank {weights} END) + ifnull({sql['time']}, 0.0)"
                 f" + (CASE WHEN follow_up_at <= :now THEN {c['follow_up_due']!r} ELSE 0.0 END)"
                 f" + {sql['age']} + (CASE WHEN status = 'waiting' THEN {c['waiting']!r} ELSE 0.0 END)"
                 f" + {sql['customer']} END)")
        ids = [r[0] for r in self.conn.execute(
            f"SELECT id, coalesce(due_at <= :now, 0) AS late, {score} AS s FROM tasks WHERE {where} "
            f"ORDER BY late DESC, s DESC, ifnull(unixepoch(due_at), {_NEVER!r}), id LIMIT {int(limit)}", p)]
        return self._ranked_by_id(model, ids)

    def _ranked_by_id(self, model: UrgencyModel, ids: list[int]) -> list[Ranked]:
        rows = self.conn.execute(f"{_SELECT} WHERE id IN ({','.join('?' * len(ids))})", ids)
        ranked = [Ranked(t, model.score(t)) for t in map(_task, rows)]
        ranked.sort(key=lambda r: model.sort_key(r.task, r.score))
        return ranked

    def _top_now(self, model: UrgencyModel, limit: int, f_where: str = "",
                 f_params: dict | None = None) -> list[Ranked]:
        """The exact top ``limit`` of the Now view without scoring every task in it.

        Each priority's tasks are cut into bands by deadline (breached more than a horizon
        ago, breached within it, due within it, due later) and by whether a follow-up is
        due; within a band the time-to-breach term has a known maximum, so each band has a
        best possible score. Bands are read best bound first; SQLite scores a band and
        returns its best rows; reading stops when no unread band can reach the current
        last place. Python then re-scores the few rows returned (for the explanation) and
        makes the final order, so it is the same as scoring everything."""
        now = model.now
        c = model.c
        window = self._window(now)
        horizon = model.horizon
        p, sql = self._score_sql(model)
        now_e = p["now_e"]
        p.update(f_params or {})
        p.update({"win": to_iso(window),
                  "past_h": to_iso(datetime.fromtimestamp(now_e - horizon, now.tzinfo)),
                  "next_h": to_iso(min(window, datetime.fromtimestamp(now_e + horizon, now.tzinfo)))})
        time_term = sql["time"]
        other = f"{sql['age']} + {sql['customer']}"
        w_t, gain = c["time_to_breach"], (max(0.0, c["age"]) + max(0.0, c["customer_open_now"]))
        win_factor = model.breach_factor(window.timestamp())
        # (condition on due_at, breached?, best time-to-breach term, SQL for that term)
        due_bands = [
            ("due_at <= :past_h", True, 2 * w_t, f"{2 * w_t!r}"),
            ("due_at > :past_h AND due_at <= :now", True, 2 * w_t, time_term),
            ("due_at > :now AND due_at <= :next_h", False, w_t, time_term),
            ("due_at > :next_h AND due_at <= :win", False, w_t * model.breach_factor(
                now_e + horizon), time_term),
        ]
        follow_due = "follow_up_at <= :now"
        awake = "(snoozed_until IS NULL OR snoozed_until <= :now)"
        bands = []  # (bound, sql)
        for rank in range(len(PRIORITIES)):
            weight = model.priority_weights[rank]
            base = f"status = 'open' AND priority_rank = {rank} AND {awake}{f_where}"
            for due_sql, breached, t_max, t_sql in due_bands:
                for follows in (True, False):
                    f_sql = follow_due if follows else f"NOT coalesce({follow_due}, 0)"
                    f_gain = max(0.0, c["follow_up_due"]) if follows else 0.0
                    f_term = f"{c['follow_up_due']!r}" if follows else "0.0"
                    # the deadline index holds snooze and follow-up: rows are filtered
                    # before they are visited
                    bands.append(((not breached, -(weight + t_max + f_gain + gain)),
                                  f"tasks INDEXED BY tasks_queue WHERE {base} AND {due_sql} AND {f_sql}",
                                  f"{weight!r} + {t_sql} + {f_term} + {other}"))
            # follow-ups due on tasks whose deadline is beyond the window (or none)
            bands.append(((True, -(weight + w_t * win_factor + max(0.0, c["follow_up_due"]) + gain)),
                          f"tasks INDEXED BY tasks_follow_up WHERE {base} AND follow_up_at IS NOT NULL "
                          f"AND {follow_due} AND (due_at IS NULL OR due_at > :win)",
                          f"{weight!r} + coalesce({time_term}, 0.0) + {c['follow_up_due']!r} + {other}"))
        bands.sort(key=lambda b: b[0])
        # SQLite scores the bands best bound first and keeps the best ``limit`` keys; it
        # computes the same sum in the same order as UrgencyModel.score
        best: list[tuple] = []  # max-heap (negated) of (not breached, -score, due, id)
        for bound, where, score_sql in bands:
            if len(best) >= limit and _neg(best[0])[:2] < bound:
                break  # no task in this band or any later one can make the top
            breached = not bound[0]
            sql = (f"SELECT id, {score_sql} AS s, unixepoch(due_at) FROM {where} "
                   f"ORDER BY s DESC, due_at, id LIMIT {int(limit)}")
            for task_id, score, due_e in self.conn.execute(sql, p):
                key = (not breached, -score, math.inf if due_e is None else float(due_e), task_id)
                if len(best) < limit:
                    heapq.heappush(best, _neg(key))
                elif key < _neg(best[0]):
                    heapq.heapreplace(best, _neg(key))
                else:
                    break  # the band is in key order: the rest of it is worse
        return self._ranked_by_id(model, [int(-k[3]) for k in best])

    def _open_customer_pairs(self, model: UrgencyModel) -> list[str]:
        """'zone|country' of the queue's customers for whom it is business hours now."""
        if self._pairs is None:
            self._pairs = {(z, c) for z, c in self.conn.execute(
                "SELECT DISTINCT customer_zone, customer_country FROM tasks "
                "WHERE customer_zone IS NOT NULL")}
        return sorted(f"{z}|{c or ''}" for z, c in self._pairs if model.customer_open(z, c)[0])

    def _remember_customer(self, task: Task) -> None:
        if self._pairs is not None and task.customer.zone:
            self._pairs.add((task.customer.zone, task.customer.country))


def _neg(key: tuple) -> tuple:
    return tuple(-float(k) for k in key)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
