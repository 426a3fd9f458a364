"""The search index's housekeeping left out of the agent's writes and done by the upkeep
(issue 18): a write does no merge work, the upkeep merges and checkpoints, searches find the
same tasks before and after."""

import sqlite3

import pytest

from assistant.storage.database import upkeep
from assistant.tasks.model import Task
from assistant.tasks.store import Filters
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 14)


def _index_rows(db) -> int:
    """The index's stored pages: each write's own segment adds at least one."""
    return db.execute("SELECT count(*) FROM tasks_fts_data").fetchone()[0]


def _found(store, text: str) -> list[str]:
    return sorted(r.task.title for r in store.view("active", NOW, Filters(text=text)))


def _integrity(db) -> None:
    db.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('integrity-check')")  # raises on damage


def test_the_index_merges_off_the_writer_with_a_bound_for_when_nobody_merges(db):
    config = dict(db.execute("SELECT k, v FROM tasks_fts_config").fetchall())
    assert config["automerge"] == 0 and config["crisismerge"] == 256


def test_writes_leave_segments_and_the_upkeep_merges_them_finding_the_same_tasks(store, db, runtime):
    store.add(Task("first refund"), NOW)
    upkeep(runtime.data_dir.database)
    merged = _index_rows(db)
    for n in range(40):
        store.add(Task(f"call back about the refund {n}"), NOW)
    added = _index_rows(db)
    assert added >= merged + 40  # one segment per write
    before = _found(store, "refund")
    upkeep(runtime.data_dir.database)
    assert _index_rows(db) < merged + 10
    assert _found(store, "refund") == before and len(before) == 41
    _integrity(db)


def test_the_upkeep_checkpoints_what_a_connection_without_checkpoints_left(db, runtime):
    path = runtime.data_dir.database
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")  # as the app's own connection (ui.upkeep)
    before = path.stat().st_size
    db.execute("CREATE TABLE big (text TEXT)")
    with db.conn:
        db.conn.executemany("INSERT INTO big VALUES (?)", (("x" * 3000,) for _ in range(2000)))
    assert path.stat().st_size == before  # all of it in the log
    upkeep(path)
    assert path.stat().st_size > before + 5_000_000


def test_a_merge_step_waits_for_the_agents_write_and_the_upkeep_then_finishes(store, db, runtime):
    """The app's connection holds the write lock (an add in progress): the upkeep's merge
    waits for it (SQLite's busy timeout) instead of failing, and merges once it is free."""
    import threading

    for n in range(30):
        store.add(Task(f"refund {n}"), NOW)
    rows = _index_rows(db)
    db.conn.execute("BEGIN IMMEDIATE")
    worker = threading.Thread(target=upkeep, args=(runtime.data_dir.database,))
    worker.start()
    worker.join(0.3)
    assert worker.is_alive()  # waiting for the lock
    db.conn.execute("INSERT INTO tasks (uid, title, priority_rank, status, created_at, updated_at) "
                    "VALUES ('u-held', 'held refund', 2, 'open', '2026-11-23T14:00:00Z', '2026-11-23T14:00:00Z')")
    db.conn.commit()
    worker.join(30)
    assert not worker.is_alive() and _index_rows(db) < rows
    assert len(_found(store, "refund")) == 31
    _integrity(db)


def test_the_upkeep_of_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    missing = tmp_path / "gone" / "a.db"
    with pytest.raises(sqlite3.Error):
        upkeep(missing)
    assert not missing.exists()
