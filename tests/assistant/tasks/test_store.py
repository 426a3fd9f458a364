"""Storing tasks: validation, status changes, snooze, delete and undo, views and filters,
and the database's own guards."""

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from assistant.customer import CustomerContext
from assistant.tasks.model import Task, TaskError
from assistant.tasks.store import Filters, TaskNotFound
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 14)  # Monday 15:00 Paris
H = timedelta(hours=1)


def test_add_computes_sla_and_stores_utc_iso(store, db):
    task = store.add(Task("  Call   back ", priority="high"), NOW)
    assert task.title == "Call back" and task.id == 1 and task.uid
    assert task.response_due_at == NOW + 2 * H and task.resolution_due_at == utc(2026, 11, 24, 14)
    row = db.execute("SELECT created_at, due_at, priority_rank FROM tasks").fetchone()
    assert row == ("2026-11-23T14:00:00Z", "2026-11-23T16:00:00Z", 1)
    assert store.get(task.id) == task


@pytest.mark.parametrize("bad, message", [
    (Task(""), "title"), (Task("x", priority="critical"), "priority"),
    (Task("x", channel="fax"), "channel"), (Task("x", status="later"), "status"),
    (Task("x", tags=("a,b",)), "comma"),
])
def test_invalid_tasks_are_refused(store, bad, message):
    with pytest.raises(TaskError, match=message):
        store.add(bad, NOW)
    assert store.count() == 0


def test_the_database_refuses_an_out_of_range_priority(store, db):
    store.add(Task("x"), NOW)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE tasks SET priority_rank = 7")


def test_status_changes(store):
    task = store.add(Task("x"), NOW)
    waiting = store.set_status(task.id, "waiting", NOW + H)
    assert waiting.responded_at == NOW + H
    assert waiting.due_at == waiting.resolution_due_at  # responded: the resolution deadline counts
    done = store.mark_done(task.id, NOW + 2 * H)
    assert done.done_at == NOW + 2 * H and done.due_at is None
    reopened = store.set_status(task.id, "open", NOW + 3 * H)
    assert reopened.done_at is None and store.get(task.id).updated_at == NOW + 3 * H


def test_changing_priority_recomputes_the_sla_from_creation(store):
    task = store.add(Task("x", priority="low"), NOW)
    urgent = store.update(task.with_changes(priority="urgent"), NOW + H)
    assert urgent.resolution_due_at == NOW + 4 * H


def test_snooze_hides_without_pausing_the_sla(store):
    task = store.add(Task("x", priority="urgent"), NOW)
    store.snooze(task.id, NOW + 2 * H, NOW)
    assert store.view("now", NOW + H) == []
    assert [r.task.id for r in store.view("upcoming", NOW + H)] == [task.id]
    assert store.get(task.id).resolution_due_at == NOW + 4 * H
    later = store.view("now", NOW + 3 * H)
    assert [r.task.id for r in later] == [task.id]


def test_delete_and_undo_restore_the_same_task(store):
    task = store.add(Task("x", tags=("a",)), NOW)
    removed = store.delete(task.id)
    with pytest.raises(TaskNotFound):
        store.get(task.id)
    store.restore(removed)
    assert store.get(task.id) == task


def test_views(store):
    due = store.add(Task("due soon", resolution_due_at=NOW + H, response_due_at=NOW + H), NOW)
    later = store.add(Task("later", resolution_due_at=NOW + 48 * H, response_due_at=NOW + 48 * H), NOW)
    follow = store.add(Task("follow-up now", resolution_due_at=NOW + 48 * H,
                            response_due_at=NOW + 48 * H, follow_up_at=NOW - H), NOW)
    waiting = store.add(Task("waiting"), NOW)
    store.set_status(waiting.id, "waiting", NOW)
    done = store.add(Task("done"), NOW)
    store.mark_done(done.id, NOW)
    ids = lambda name: [r.task.id for r in store.view(name, NOW)]  # noqa: E731
    assert set(ids("now")) == {due.id, follow.id}
    assert ids("upcoming") == [later.id]
    assert ids("waiting") == [waiting.id]
    assert ids("done") == [done.id]
    assert store.count_now(NOW) == 2
    with pytest.raises(ValueError):
        store.view("someday", NOW)


def test_filters(store):
    store.add(Task("Refund for Ito", tags=("refund", "vip"), channel="call",
                   customer=CustomerContext(name="Ito Hana", country="JP", zone="Asia/Tokyo")), NOW)
    store.add(Task("Password reset", tags=("account",), channel="email", notes="100% urgent_ish",
                   customer=CustomerContext(name="Jean", phone="+33612345678", country="FR")), NOW)
    titles = lambda **f: [r.task.title for r in store.view("active", NOW, Filters(**f))]  # noqa: E731
    assert titles(tag="VIP") == ["Refund for Ito"]
    assert titles(tag="ref") == []  # whole tags only
    assert titles(channel="email") == ["Password reset"]
    assert titles(country="jp") == ["Refund for Ito"]
    assert titles(customer="+3361") == ["Password reset"]
    assert titles(customer="ito") == ["Refund for Ito"]
    assert titles(text="refund ito") == ["Refund for Ito"]
    assert titles(text="100%") == ["Password reset"]
    assert titles(text="%urgent") == []  # % and _ are literal, not wildcards
    assert titles(text="t_i") == ["Password reset"]
    assert titles(text="t_h") == []
    assert store.tags() == ["account", "refund", "vip"]
    assert store.countries() == ["FR", "JP"]


def test_invalid_stored_settings_read_as_the_defaults_and_are_reported(db, hand_edit_setting):
    from assistant import settings
    from assistant.tasks import config
    from assistant.tasks.config import SCHEDULE_KEY, QueueConfig, SettingsError

    with pytest.raises(SettingsError, match="Mars/Olympus"):
        config.save(db, SCHEDULE_KEY, {"zone": "Mars/Olympus"})
    with pytest.raises(settings.SettingError, match="end after it starts"):
        settings.put(db, SCHEDULE_KEY, {"start": "18:00", "end": "09:00"})
    hand_edit_setting(db, SCHEDULE_KEY, {"zone": "Mars/Olympus"})  # e.g. an IT script's edit
    assert QueueConfig.load(db).schedule == config.DEFAULT_SCHEDULE
    [problem] = config.problems(db)
    assert "Mars/Olympus" in problem and problem.startswith(SCHEDULE_KEY)


def test_search_box_tokens():
    assert Filters.parse("refund  tag:vip channel:e-mail country:jp customer:ito") == Filters(
        text="refund", tag="vip", channel="email", country="jp", customer="ito")
    assert Filters.parse("#vip late") == Filters(text="late", tag="vip")
    assert Filters.parse("time:10 x") == Filters(text="time:10 x")
    assert Filters.parse("tag:a").merged(tag="b", channel=None) == Filters(tag="b")


def test_view_of_agrees_with_the_views(store):
    """The one-task rule used to say where an added task went matches the views' SQL."""
    from datetime import timedelta

    from assistant.tasks.model import Task
    from assistant.tasks.timeutil import utc

    now = utc(2026, 11, 24, 9)
    h = timedelta(hours=1)
    tasks = [Task("due soon", resolution_due_at=now + h, response_due_at=now + h),
             Task("follow-up later", follow_up_at=now + 30 * h, resolution_due_at=now + 99 * h,
                  response_due_at=now + 99 * h),
             Task("follow-up passed", follow_up_at=now - h, resolution_due_at=now + 99 * h,
                  response_due_at=now + 99 * h),
             Task("snoozed", snoozed_until=now + 2 * h, resolution_due_at=now + h, response_due_at=now + h),
             Task("waiting", status="waiting"), Task("done", status="done")]
    stored = [store.add(task, now) for task in tasks]
    for task in stored:
        members = {name for name in ("now", "upcoming", "waiting", "done")
                   if task.id in {r.task.id for r in store.view(name, now)}}
        assert members == {store.view_of(task, now)}, task.title


def test_deadline_for_a_new_task_is_the_one_it_gets(store):
    from assistant.tasks.model import Task
    from assistant.tasks.timeutil import utc

    now = utc(2026, 11, 24, 9)
    for priority in ("urgent", "low"):
        task = Task("x", priority=priority)
        assert store.deadline_for(task, now) == store.add(task, now).resolution_due_at
    saved = store.add(Task("y", priority="low"), now)
    assert store.deadline_for(saved, now) == saved.resolution_due_at
    assert store.deadline_for(saved.with_changes(priority="urgent"), now) < saved.resolution_due_at


@pytest.mark.parametrize("few_found", [2000, 0], ids=["through the index", "tested row by row"])
def test_the_search_finds_what_like_finds_through_the_index_or_row_by_row(store, db, monkeypatch, few_found):
    """Words of 3+ characters are looked up in the trigram index when they are rare, tested
    on each task when common (``FEW_FOUND``): the same tasks either way, kept in step with
    every write (edit, delete, undo)."""
    monkeypatch.setattr("assistant.tasks.store.FEW_FOUND", few_found)
    ito = store.add(Task("Refund for Ito", notes="Parcel lost in Ōsaka", external_ref="ORD-4471",
                         resolution_due_at=NOW + H, response_due_at=NOW + H, customer=CustomerContext(name="Ito Hana", country="JP", zone="Asia/Tokyo")), NOW)
    store.add(Task('Say "hello" to Jean', notes="100% sure", customer=CustomerContext(name="Jean")), NOW)
    store.add(Task("Refund for Jean's order", status="done"), NOW)
    titles = lambda text, view="all": sorted(  # noqa: E731
        r.task.title for r in store.view(view, NOW, Filters(text=text)))
    assert titles("refund") == ["Refund for Ito", "Refund for Jean's order"]
    assert titles("REFUND ito") == ["Refund for Ito"]            # any case, every word
    assert titles("Ōsaka") == titles("parcel") == ["Refund for Ito"]  # in the notes
    assert titles("4471") == titles("ord-44") == ["Refund for Ito"]   # the reference
    assert titles("hana") == ["Refund for Ito"]                      # the customer's name
    assert titles('"hello"') == ['Say "hello" to Jean']              # quotes are plain text
    assert titles("100%") == ['Say "hello" to Jean']
    assert titles("refund", "done") == ["Refund for Jean's order"]
    assert titles("refund", "now") == titles("refund", "active") == ["Refund for Ito"]
    assert titles("nowhere") == []
    store.update(replace(ito, title="Replacement for Ito"), NOW)
    assert titles("refund") == ["Refund for Jean's order"] and titles("replacement") == ["Replacement for Ito"]
    gone = store.delete(ito.id)
    assert titles("ito") == []
    store.restore(gone)
    assert titles("ito") == ["Replacement for Ito"]


def test_tags_and_countries_are_read_without_scanning_the_queue(store, db):
    for i, tags in enumerate([(), ("vip", "refund"), ("refund",), ("billing",), ("vip", "refund")]):
        store.add(Task(f"t{i}", tags=tags, customer=CustomerContext(
            name="x", country=[None, "JP", "FR", "JP", "BR"][i])), NOW)
    assert store.tags() == ["billing", "refund", "vip"]
    assert store.countries() == ["BR", "FR", "JP"]
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN SELECT min(tags) FROM tasks "
                                              "WHERE tags != '' AND tags > 'x'"))
    assert "INDEX tasks_tags" in plan and "SCAN" not in plan
