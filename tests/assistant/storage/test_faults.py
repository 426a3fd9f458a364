"""Faults are not damage: a database locked by another process, a full disk (a real one where
the test may mount it, and SQLite's own SQLITE_FULL always) and an unwritable log are
reported in one line, the database byte-for-byte as it was, nothing moved aside. Only
SQLite's verdict of damage moves a database aside, and every command then says so."""

import logging
import re
import sqlite3
from pathlib import Path

import pytest

from assistant.runtime import start
from assistant.storage import database
from assistant.storage.database import (APPLICATION_ID, DatabaseBusyError, DiskFullError,
                                        ForeignDatabaseError, application_id, open_database)

BUSY = ("The database is in use by another program: {path} stayed locked for 0.5 s. Close the "
        "program that holds it (a database browser, a backup or sync tool) and try again; nothing "
        "was changed.")
FULL = ("The disk is full: {path} could not be written ({error}). Free some space and try again; "
        "the change was rolled back and nothing was moved.")

# what other programs do to a database they open (a DB browser, a backup or sync agent)
READERS_BLOCKED = {
    "exclusive locking mode": ("PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE"),
    "rollback journal, exclusive transaction": ("PRAGMA journal_mode = DELETE", "BEGIN EXCLUSIVE"),
}
WRITERS_BLOCKED = {
    "write transaction": ("BEGIN IMMEDIATE",),
    "exclusive transaction in WAL mode": ("BEGIN EXCLUSIVE",),
}


@pytest.fixture
def app_db(fresh_data_dir):
    """The app's database holding one task, every connection closed (its WAL checkpointed)."""
    run = start()
    try:
        from assistant.tasks.model import Task
        from assistant.tasks.store import TaskStore
        from datetime import datetime, timezone

        TaskStore(run.db).add(Task(title="call Ana back"), datetime.now(timezone.utc))
    finally:
        run.close()
    return fresh_data_dir / "assistant.db"


def task_titles(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT title FROM tasks ORDER BY id")]
    finally:
        conn.close()


def nothing_moved(folder):
    return not list(folder.glob("*.corrupt-*"))


@pytest.mark.parametrize("statements", READERS_BLOCKED.values(), ids=READERS_BLOCKED.keys())
def test_a_lock_that_blocks_reading_is_reported_never_moved_aside(
        app_db, statements, lock_from_another_process, short_busy_timeout, digest):
    lock_from_another_process(app_db, *statements)
    before = digest(app_db)
    with pytest.raises(DatabaseBusyError) as raised:
        open_database(app_db)
    assert str(raised.value) == BUSY.format(path=app_db)
    assert digest(app_db) == before
    assert nothing_moved(app_db.parent)


@pytest.mark.parametrize("statements", READERS_BLOCKED.values(), ids=READERS_BLOCKED.keys())
def test_every_command_says_the_database_is_in_use(
        app_db, statements, lock_from_another_process, short_busy_timeout, digest, run_cli):
    holder = lock_from_another_process(app_db, *statements)
    before = digest(app_db)
    for argv in (("tasks", "list"), ("doctor",), ("templates", "list"), ("glossary", "list")):
        code, out, err = run_cli(*argv)
        assert (code, out, err) == (75, "", f"assistant: {BUSY.format(path=app_db)}\n"), argv
    assert digest(app_db) == before
    holder.release()
    assert nothing_moved(app_db.parent) and task_titles(app_db) == ["call Ana back"]


@pytest.mark.parametrize("statements", WRITERS_BLOCKED.values(), ids=WRITERS_BLOCKED.keys())
def test_a_write_waits_for_the_lock_then_says_so_and_changes_nothing(
        app_db, statements, lock_from_another_process, short_busy_timeout, digest, run_cli):
    holder = lock_from_another_process(app_db, *statements)
    before = digest(app_db)
    code, out, err = run_cli("tasks", "list")  # reading still works
    assert code == 0 and "call Ana back" in out
    code, out, err = run_cli("tasks", "add", "a new task")
    assert (code, out, err) == (75, "", f"assistant: {BUSY.format(path=app_db)}\n")
    assert digest(app_db) == before
    holder.release()
    assert task_titles(app_db) == ["call Ana back"] and nothing_moved(app_db.parent)


def test_a_lock_released_in_time_is_simply_waited_for(app_db, lock_from_another_process, run_cli):
    import threading

    holder = lock_from_another_process(app_db, "BEGIN IMMEDIATE")
    threading.Timer(0.5, holder.release).start()  # well within the app's 10 s
    code, out, err = run_cli("tasks", "add", "after the lock")
    assert code == 0, err
    assert task_titles(app_db) == ["call Ana back", "after the lock"]


def limited_to_current_size(monkeypatch):
    """Every connection the app opens may not grow the database: SQLite's own SQLITE_FULL,
    exactly as a full disk reports it, on any machine."""
    real = database.connect

    def connect(path):
        conn = real(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(database, "connect", connect)


def test_a_full_database_rolls_the_write_back_and_says_so(app_db, monkeypatch, run_cli, digest):
    before = digest(app_db)
    limited_to_current_size(monkeypatch)
    terms = [f"ProductName{i:04d}" + "x" * 30 for i in range(400)]  # needs pages it may not add
    code, out, err = run_cli("glossary", "add", *terms)
    assert (code, out) == (2, "")
    assert err == f"assistant: {FULL.format(path=app_db, error='database or disk is full')}\n"
    assert digest(app_db) == before
    assert nothing_moved(app_db.parent)
    monkeypatch.undo()
    code, out, _err = run_cli("glossary", "list", "--json")
    assert not any(t.startswith("ProductName") for t in out.split('"'))


def test_a_real_full_disk_is_reported_not_moved(small_filesystem, monkeypatch, fill_up, run_cli, digest):
    data = small_filesystem / "data"
    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(data))
    code, _out, err = run_cli("tasks", "add", "call Ana back")
    assert code == 0, err
    logging.getLogger().handlers[-1].close()  # the CLI's log file, as when its process ends
    path = data / "assistant.db"
    before = digest(path)
    filler = fill_up(small_filesystem)

    code, out, err = run_cli("tasks", "add", "a task the disk has no room for")
    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert re.fullmatch(r"assistant: The disk is full: .* could not be written \(.*\)\. Free some space "
                        r"and try again; the change was rolled back and nothing was moved\.", lines[-1])
    assert str(path) in lines[-1]
    # the log file on the same disk cannot be written either: noted once, never a traceback
    assert all(line == f"assistant: cannot write the log file {data / 'logs' / 'assistant.log'}: "
                       f"[Errno 28] No space left on device" for line in lines[:-1])
    assert "Traceback" not in err
    assert digest(path) == before and nothing_moved(data)
    filler.unlink()
    assert task_titles(path) == ["call Ana back"]


def test_a_real_full_disk_while_the_database_is_open(small_filesystem, monkeypatch, fill_up, digest):
    from assistant.faults import describe

    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(small_filesystem / "data"))
    run = start()
    try:
        fill_up(small_filesystem)
        with pytest.raises(sqlite3.Error) as raised:
            with run.db.atomic():
                run.db["settings"].insert_all({"key": f"k{i}", "value": "x" * 900} for i in range(3000))
        assert describe(raised.value, run.data_dir.database) == FULL.format(
            path=run.data_dir.database, error="database or disk is full")
        assert not run.conn.in_transaction
        assert run.db.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone()[0] == 0
    finally:
        run.close()
    assert nothing_moved(small_filesystem / "data")


def test_an_unwritable_log_never_prints_a_traceback(tmp_path, capsys):
    from assistant.logging_setup import configure, log_file_failure

    log_file = configure(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log_file))

    class FullDisk:
        def seek(self, *_args):
            return 0

        tell = seek

        def write(self, _text):
            raise OSError(28, "No space left on device")

        def flush(self):
            raise OSError(28, "No space left on device")

    real, handler.stream = handler.stream, FullDisk()
    try:
        for i in range(5):
            logging.getLogger("assistant.test").warning("record %d", i)
    finally:
        handler.stream = real
    err = capsys.readouterr().err
    assert err == f"assistant: cannot write the log file {log_file}: [Errno 28] No space left on device\n"
    assert log_file_failure() == "[Errno 28] No space left on device"


# -- the app's marker --------------------------------------------------------------------

def test_every_database_and_backup_the_app_writes_carries_its_marker(app_db, run_cli):
    conn = sqlite3.connect(app_db)
    assert application_id(conn) == APPLICATION_ID
    conn.close()
    code, out, _ = run_cli("backup", "now")
    backup = sqlite3.connect(out.strip())
    assert application_id(backup) == APPLICATION_ID
    backup.close()


def test_a_database_marked_by_another_program_is_refused_untouched(tmp_path, digest):
    path = tmp_path / "a.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {0x464C5543}")
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(ForeignDatabaseError) as raised:
        open_database(path)
    assert str(raised.value) == (f"The database {path} belongs to another program (application id 0x464c5543); "
                                 "it was left untouched. Start the app with another data folder.")
    assert digest(path) == before


# -- damage: moved aside, and every entry point says so ---------------------------------

NOTICE = re.compile(r"assistant: The database was damaged \(file is not a database\)\. It was moved aside to "
                    r"(?P<moved>.*assistant\.db\.corrupt-\d{8}-\d{6}-\d{6}) and a new, empty database was "
                    r"created\. Restore a backup with 'assistant backup restore'\.")


@pytest.mark.parametrize("argv", [("tasks", "list"), ("templates", "list"), ("glossary", "list"),
                                  ("pack", "list"), ("backup", "now"), ("country", "DE")])
def test_every_command_says_when_the_database_was_moved_aside(fresh_data_dir, run_cli, argv):
    fresh_data_dir.mkdir(parents=True)
    (fresh_data_dir / "assistant.db").write_bytes(b"not a database " * 300)
    code, _out, err = run_cli(*argv)
    assert code == 0, err
    notice = NOTICE.fullmatch(err.splitlines()[0])
    assert notice, err
    assert Path(notice["moved"]).read_bytes() == b"not a database " * 300
    from assistant.storage import notices

    run = start()
    try:  # kept for the window, which shows it at its next start
        assert [n.text for n in notices.unshown(run.db)] == [err.splitlines()[0].removeprefix("assistant: ")]
    finally:
        run.close()


def test_disk_full_is_not_damage_even_when_sqlite_says_io_error(tmp_path, monkeypatch):
    """SQLite reports a full disk met while growing its shared memory as an I/O error."""
    import shutil
    from collections import namedtuple

    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode, error.sqlite_errorname = 4874, "SQLITE_IOERR_SHMSIZE"
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(100, 100, 0))
    assert isinstance(database.fault(error, tmp_path / "a.db"), DiskFullError)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10 ** 12, 0, 10 ** 12))
    assert str(database.fault(error, tmp_path / "a.db")) == (
        f"The database {tmp_path / 'a.db'} cannot be used: disk I/O error. Check the disk and the "
        "folder's permissions; nothing was changed.")


def test_a_backup_behind_another_programs_lock_gives_up_in_bounded_time(
        tmp_path, lock_from_another_process, short_busy_timeout):
    """Python's backup loop alone waits forever for a lock: the hourly backup would freeze
    the window behind a database browser's transaction."""
    from assistant.storage.backup import backup_to

    path = tmp_path / "a.db"
    source = sqlite3.connect(path)  # a rollback journal: an exclusive lock keeps readers out
    source.execute("CREATE TABLE t (x)")
    source.commit()
    try:
        lock_from_another_process(path, "BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as raised:
            backup_to(source, tmp_path / "backups" / "b.db")
        assert str(database.fault(raised.value, path)) == BUSY.format(path=path)
        assert not list((tmp_path / "backups").glob("*"))  # no partial file left behind
    finally:
        source.close()
