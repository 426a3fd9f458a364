"""The change counters: which topics another process changed, seen on the app's connection."""

import logging
import sqlite3

import pytest

from assistant.storage import changes
from assistant.storage.changes import ChangeWatch


@pytest.fixture
def other(runtime):
    """A second connection to the same file: the CLI or an IT script."""
    conn = sqlite3.connect(runtime.data_dir.database, timeout=10)
    yield conn
    conn.close()


def test_the_migration_creates_the_triggers_and_nothing_else_does(db):
    everything = {name: table for name, table in db.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    # the only other triggers keep the queue's search index (tasks.m002_search_and_counts)
    triggers = {n: t for n, t in everything.items() if not n.startswith("tasks_fts_")}
    assert set(everything) - set(triggers) == {"tasks_fts_insert", "tasks_fts_update", "tasks_fts_delete"}
    watched = {"tasks", "team_templates", "personal_templates", "pack_template_prefs", "packs",
               "pack_cards", "pack_glossary", "trusted_keys", "settings", "customer_recents",
               "customer_pins", "glossary_terms"}
    assert set(triggers.values()) == watched
    assert set(triggers) == {f"changes_{t}_{e}" for t in watched for e in ("insert", "update", "delete")}
    assert {t for (t,) in db.execute("SELECT topic FROM change_counters")} == set(changes.TOPICS)
    assert {("changes", "m001_change_counters"), ("changes", "m002_user_glossary_terms")} <= {
        (r["migration_set"], r["name"]) for r in db["_sqlite_migrations"].rows}


def test_another_process_s_writes_are_found_by_topic(runtime, other):
    watch = ChangeWatch(runtime.conn)
    assert not watch.look()
    other.execute("INSERT INTO settings (key, value) VALUES ('ui.compact', 'true')")
    other.execute("INSERT INTO customer_pins (key, context, position, pinned_at) VALUES ('k', '{}', 0, 'x')")
    other.commit()
    found = watch.look()
    assert found.external and found.topics == {"settings", "customers"}
    assert found.settings_keys == {"ui.compact"}
    assert not watch.look()  # each change is reported once
    other.execute("UPDATE settings SET value = 'false' WHERE key = 'ui.compact'")
    other.execute("DELETE FROM customer_pins")
    other.commit()
    found = watch.look()
    assert found.topics == {"settings", "customers"} and found.settings_keys == {"ui.compact"}


def test_own_announced_writes_are_not_reported_again(runtime, db):
    from assistant import settings

    watch = ChangeWatch(runtime.conn)
    settings.put(db, "ui.compact", True)
    assert not watch.look(announced={"settings"}, announced_keys={"ui.compact"})


def test_an_own_write_nobody_announced_is_reported_and_logged(runtime, db, caplog):
    from assistant import settings

    watch = ChangeWatch(runtime.conn)
    settings.put(db, "ui.compact", True)
    settings.put(db, "profile.company", "Acme")
    with caplog.at_level(logging.ERROR, logger="assistant.storage.changes"):
        found = watch.look(announced={"settings"}, announced_keys={"ui.compact"})
    assert not found.external and found.settings_keys == {"profile.company"}
    assert "not announced" in caplog.text and "profile.company" in caplog.text


def test_own_and_external_writes_together_report_everything(runtime, db, other):
    from assistant import settings

    watch = ChangeWatch(runtime.conn)
    settings.put(db, "ui.compact", True)
    other.execute("INSERT INTO pack_template_prefs (template_id, hidden) VALUES ('t', 1)")
    other.execute("INSERT INTO tasks (uid, title, priority_rank, status, created_at, updated_at) "
                  "VALUES ('u', 'From a script', 2, 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    other.commit()
    found = watch.look(announced={"settings"}, announced_keys={"ui.compact"})
    assert found.external and {"tasks", "library"} <= found.topics


def test_the_queue_search_index_announces_nothing_of_its_own(runtime, other):
    """Its triggers write the index's shadow tables: a task written by another process is one
    change of the tasks topic, and work on the index alone (a rebuild, an optimize) is none."""
    watch = ChangeWatch(runtime.conn)
    other.execute("INSERT INTO tasks (uid, title, priority_rank, status, created_at, updated_at) "
                  "VALUES ('u1', 'Call Ana back', 2, 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    other.commit()
    found = watch.look()
    assert found.topics == {"tasks"}
    before = dict(runtime.conn.execute("SELECT topic, n FROM change_counters"))
    for command in ("optimize", "rebuild"):
        other.execute(f"INSERT INTO tasks_fts (tasks_fts) VALUES ('{command}')")
        other.commit()
        assert not watch.look()
    other.execute("UPDATE tasks SET status = 'done'")  # a column the index does not hold
    other.commit()
    assert watch.look().topics == {"tasks"}
    after = dict(runtime.conn.execute("SELECT topic, n FROM change_counters"))
    assert after == {**before, "tasks": before["tasks"] + 1}
    assert runtime.conn.execute("SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH '\"ana\"'").fetchall() == [(1,)]


def test_a_bulk_write_that_fills_the_disk_says_so_and_keeps_every_trigger(runtime, db):
    """A bulk write sets the change triggers aside in its transaction. When the disk fills
    (SQLite's own SQLITE_FULL, as a full disk gives it), SQLite rolls the transaction back
    itself, the triggers with it: putting them back again failed with "trigger already
    exists", which hid the full disk behind an error of the app's own, and not a fault. Now
    the fault is what the caller hears, and the triggers are all there."""
    import sqlite3

    from assistant.storage.database import is_fault

    def triggers():
        return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    before = triggers()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    rows = [(f"my.t{i}", "{}" + "x" * 2000, "h", "now", "now") for i in range(500)]  # pages it may not add
    try:
        with pytest.raises(sqlite3.OperationalError, match="full") as raised:
            with db.atomic(), changes.one_bump_per_write(db.conn, changes.LIBRARY, ("personal_templates",)):
                db.conn.executemany("INSERT INTO personal_templates (template_id, data, content_hash, "
                                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?)", rows)
    finally:
        db.execute("PRAGMA max_page_count = 4294967294")
    assert is_fault(raised.value)
    assert triggers() == before and not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM personal_templates WHERE template_id LIKE 'my.t%'").fetchone()[0] == 0
