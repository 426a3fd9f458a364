"""Notifications computed in the core: shortly before a breach and at follow-up time,
each once."""

from datetime import timedelta

from assistant.customer import CustomerContext
from assistant.tasks.model import Task
from assistant.tasks.notices import mark_shown, pending_notices
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 14)
M = timedelta(minutes=1)


def test_breach_soon_and_follow_up_are_announced_once(store):
    soon = store.add(Task("Refund", resolution_due_at=NOW + 10 * M, response_due_at=NOW + 10 * M), NOW - 60 * M)
    store.add(Task("Far", resolution_due_at=NOW + 60 * M, response_due_at=NOW + 60 * M), NOW - 60 * M)
    follow = store.add(Task("Call Ito", follow_up_at=NOW - M,
                            customer=CustomerContext(name="Ito")), NOW - 60 * M)
    notices = pending_notices(store, NOW)
    assert [(n.task_id, n.kind) for n in notices] == [(soon.id, "breach_soon"), (follow.id, "follow_up")]
    assert notices[0].message == "Refund: breaches in 10 min"
    assert notices[1].message == "Call Ito (Ito)"
    mark_shown(store, notices, NOW)
    assert pending_notices(store, NOW + M) == []
    # a new follow-up time is a new notice
    store.update(store.get(follow.id).with_changes(follow_up_at=NOW + 5 * M), NOW)
    assert [n.kind for n in pending_notices(store, NOW + 6 * M)] == ["follow_up"]


def test_no_notice_for_breached_done_or_snoozed_tasks(store):
    store.add(Task("Breached", resolution_due_at=NOW - M, response_due_at=NOW - M), NOW - 60 * M)
    done = store.add(Task("Done", resolution_due_at=NOW + 5 * M, response_due_at=NOW + 5 * M), NOW)
    store.mark_done(done.id, NOW)
    snoozed = store.add(Task("Snoozed", resolution_due_at=NOW + 5 * M, response_due_at=NOW + 5 * M), NOW)
    store.snooze(snoozed.id, NOW + 60 * M, NOW)
    assert pending_notices(store, NOW) == []


def test_notices_can_be_switched_off(db):
    from assistant.tasks import config
    from assistant.tasks.store import TaskStore

    config.save(db, config.NOTICES_KEY, {"enabled": False})
    store = TaskStore(db)
    store.add(Task("x", follow_up_at=NOW - M), NOW)
    assert pending_notices(store, NOW) == []
