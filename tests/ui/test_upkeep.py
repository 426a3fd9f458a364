"""The database's upkeep while the app is quiet (ui/upkeep.py, issue 18): the app's own
commits never checkpoint nor merge; once the app wrote and was quiet, a thread does both."""

import logging
import sqlite3

import pytest

from assistant.tasks.model import Task
from assistant.tasks.store import TaskStore
from assistant.tasks.timeutil import utc
from ui import upkeep as upkeep_module
from ui.upkeep import LONGEST_WAIT_S, Upkeep, app_upkeep

NOW = utc(2026, 11, 23, 14)


@pytest.fixture
def kept(qapp, runtime):
    clock = [0.0]
    keeper = Upkeep(runtime.conn, runtime.data_dir.database, clock=lambda: clock[0])
    keeper.clock = clock
    yield keeper
    keeper.stop()


@pytest.fixture
def started(monkeypatch):
    """Each upkeep started, instead of run."""
    calls = []
    monkeypatch.setattr(upkeep_module, "upkeep_in_thread", lambda path, done: calls.append(path))
    return calls


def _index_rows(runtime) -> int:
    return runtime.conn.execute("SELECT count(*) FROM tasks_fts_data").fetchone()[0]


def _add(runtime, count: int) -> None:
    store = TaskStore(runtime.db)
    for n in range(count):
        store.add(Task(f"refund {n}"), NOW)


def test_the_apps_commits_leave_the_checkpoint_to_the_upkeep(kept, runtime, qtbot):
    path = runtime.data_dir.database
    runtime.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    runtime.db.execute("CREATE TABLE big (text TEXT)")
    with runtime.conn:  # past SQLite's 1,000 pages: a connection that checkpoints does it in this commit
        runtime.conn.executemany("INSERT INTO big VALUES (?)", (("x" * 3000,) for _ in range(2000)))
    assert path.stat().st_size == size
    _add(runtime, 30)
    rows = _index_rows(runtime)
    kept.look()  # it has written since the last look: not quiet yet
    assert not kept.running
    kept.look()  # quiet since: the upkeep runs, on its thread
    assert kept.running
    qtbot.waitUntil(lambda: not kept.running, timeout=30_000)
    assert path.stat().st_size > size + 5_000_000 and _index_rows(runtime) < rows


def test_no_write_no_upkeep_and_one_per_quiet_spell(kept, runtime, started):
    for _ in range(3):
        kept.look()
    assert started == []
    _add(runtime, 1)
    kept.look()
    kept.look()
    assert started == [runtime.data_dir.database]
    kept.running = False  # as when that upkeep finished
    kept.look()
    kept.look()
    assert len(started) == 1  # nothing written since


def test_writes_that_keep_coming_are_kept_up_within_the_longest_wait(kept, runtime, started):
    for second in range(0, int(LONGEST_WAIT_S) + 4, 2):
        kept.clock[0] = float(second)
        _add(runtime, 1)  # a write between every two looks: never quiet
        kept.look()
    assert len(started) == 1


def test_an_upkeep_that_fails_is_logged_and_the_next_quiet_spell_tries_again(kept, runtime, qtbot, monkeypatch,
                                                                             caplog):
    from assistant.storage import database

    def full(_path):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database, "upkeep", full)
    _add(runtime, 1)
    with caplog.at_level(logging.WARNING, logger="ui.workers"):
        kept.look()
        kept.look()
        qtbot.waitUntil(lambda: not kept.running, timeout=10_000)
    assert "Upkeep of" in caplog.text and "disk is full" in caplog.text
    monkeypatch.undo()
    _add(runtime, 1)
    kept.look()
    kept.look()
    assert kept.running
    qtbot.waitUntil(lambda: not kept.running, timeout=30_000)


def test_the_upkeeps_commits_are_not_taken_for_another_programs_writes(qtbot, services):
    """The merge's commits move PRAGMA data_version, the hall's sign of another program:
    the hall looks before the upkeep starts, so what the app announced is not reported
    again (a whole reload)."""
    hall = services.hall
    hall.watch(services.runtime.conn)
    keeper = app_upkeep(services)
    relayed = []
    hall.tasks_changed.connect(relayed.append)
    _add(services.runtime, 30)
    hall.tasks_changed.emit(frozenset({1}))  # as the writer announces its write
    rows = _index_rows(services.runtime)
    keeper.look()
    keeper.look()
    qtbot.waitUntil(lambda: not keeper.running, timeout=30_000)
    assert _index_rows(services.runtime) < rows  # the merge committed
    hall.check()
    assert relayed == [frozenset({1})]  # the app's announcement only, nothing reported again
    keeper.stop()


def test_tasks_another_program_wrote_are_kept_up_at_the_next_quiet_look(services, started):
    hall = services.hall
    hall.watch(services.runtime.conn)
    keeper = app_upkeep(services)
    keeper.look()
    keeper.look()
    assert started == []  # the app wrote nothing
    other = sqlite3.connect(services.runtime.data_dir.database)  # the CLI, say
    other.execute("INSERT INTO tasks (uid, title, priority_rank, status, created_at, updated_at) VALUES "
                  "('u-cli', 'from the CLI', 2, 'open', '2026-11-23T14:00:00Z', '2026-11-23T14:00:00Z')")
    other.commit()
    other.close()
    hall.check()  # relays tasks_changed(None)
    keeper.look()
    assert started == [services.runtime.data_dir.database]
    keeper.stop()
