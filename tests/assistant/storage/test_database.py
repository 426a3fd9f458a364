import os
import sqlite3

import pytest

from assistant.storage import schema
from assistant.storage.backup import list_backups, restore, rolling_backup, BackupError
from assistant.storage.database import (APPLICATION_ID, DatabaseBusyError, NewerSchemaError, application_id,
                                        check_and_back_up, check_integrity, checkpoint, checkpoint_later,
                                        damage_mark, mark_damaged, open_database, read_only_uri,
                                        schema_version)


def test_new_database_uses_wal_and_normal_sync(tmp_path):
    opened = open_database(tmp_path / "a.db")
    try:
        conn = opened.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] >= 1  # NORMAL or stronger
        assert "settings" in opened.db.table_names()
        assert schema_version(opened.db) == len(schema.known_migrations())
        assert opened.pre_migration_backup is None  # nothing to protect in a new file
    finally:
        opened.close()


def test_migration_takes_a_backup_first_and_keeps_data(tmp_path, extra_migration):
    path = tmp_path / "a.db"
    # written by the "previous version": no test-extra migration yet
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, "
                 "name TEXT, applied_at TEXT)")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('core', 'm001_settings', 'x')")
    conn.execute("INSERT INTO settings VALUES ('keep', '\"me\"')")
    conn.commit()
    conn.close()

    opened = open_database(path, tmp_path / "backups")
    try:
        assert "notes" in opened.db.table_names()
        assert opened.db.execute("SELECT value FROM settings WHERE key='keep'").fetchone()[0] == '"me"'
        backup = opened.pre_migration_backup
        assert backup is not None and backup.name.startswith("pre-migration-")
        old = sqlite3.connect(backup)
        assert "notes" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
        assert old.execute("SELECT value FROM settings").fetchone()[0] == '"me"'
        # written before the marker existed: marked first, so its own backup can be told ours
        assert application_id(old) == application_id(opened.conn) == APPLICATION_ID
        old.close()
    finally:
        opened.close()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path, newer_database):
    path = newer_database(tmp_path / "a.db")
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError, match="newer version"):
        open_database(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("garbage", [b"this is not a database at all" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_database_is_moved_aside_and_reported(tmp_path, garbage):
    path = tmp_path / "a.db"
    path.write_bytes(garbage)
    opened = open_database(path)
    try:
        assert opened.moved_aside is not None and opened.moved_aside.read_bytes() == garbage
        assert ".corrupt-" in opened.moved_aside.name
        assert "moved aside" in opened.notices[0]
        assert check_integrity(path) == "ok"
    finally:
        opened.close()


def scribbled_database(path):
    """A database of the app's whose table pages are damaged past its schema: only SQLite's
    check of every page finds it."""
    opened = open_database(path)
    with opened.db.atomic():
        opened.db["settings"].insert_all(({"key": f"k{i}", "value": "x" * 500} for i in range(500)))
    opened.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3:page * 3 + 200] = b"\x07" * 200  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    return bytes(data)


def test_damaged_pages_are_found_after_the_start_and_the_file_moved_aside_at_the_next_open(tmp_path):
    path, backups = tmp_path / "a.db", tmp_path / "backups"
    damaged = scribbled_database(path)
    opened = open_database(path, backups)  # the header and the schema read fine: it opens
    try:
        assert opened.moved_aside is None and not opened.notices
        problem = check_and_back_up(path, backups)  # what the app runs on a thread once up
        assert problem != "ok" and problem == check_integrity(path)
        assert not list_backups(backups)  # no kept copy is of a damaged file
        assert damage_mark(path).read_text(encoding="utf-8").strip() == problem
    finally:
        opened.close()
    reopened = open_database(path, backups)
    try:
        assert reopened.moved_aside is not None and reopened.moved_aside.read_bytes() == damaged
        assert reopened.notices and problem in reopened.notices[0]
        assert not damage_mark(path).exists()
        assert check_integrity(path) == "ok"
    finally:
        reopened.close()


def test_a_mark_on_a_sound_database_is_cleared_by_the_full_check(tmp_path):
    path = tmp_path / "a.db"
    open_database(path).close()
    mark_damaged(path, "database disk image is malformed")
    before = path.read_bytes()
    opened = open_database(path)
    try:
        assert opened.moved_aside is None and not opened.notices
        assert not damage_mark(path).exists()
    finally:
        opened.close()
    assert path.read_bytes()[:100] == before[:100]


def test_a_lock_keeps_the_mark_for_the_next_open(tmp_path, lock_from_another_process, short_busy_timeout):
    path = tmp_path / "a.db"
    open_database(path).close()
    mark_damaged(path, "database disk image is malformed")
    holder = lock_from_another_process(path, "PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE")
    with pytest.raises(DatabaseBusyError):
        open_database(path)
    assert damage_mark(path).exists() and not list(tmp_path.glob("*.corrupt-*"))
    holder.release()
    open_database(path).close()
    assert not damage_mark(path).exists()


def test_the_check_takes_the_backup_of_a_sound_database_when_one_is_due(tmp_path):
    path, backups = tmp_path / "a.db", tmp_path / "backups"
    opened = open_database(path, backups)
    try:
        from assistant import settings

        settings.put(opened.db, "profile.agent_name", "Ana")  # in the WAL, not yet in the file
        assert check_and_back_up(path, backups) == "ok"
        made = list_backups(backups)
        assert len(made) == 1 and check_integrity(made[0]) == "ok"
        copy = sqlite3.connect(made[0])
        assert copy.execute("SELECT value FROM settings WHERE key = 'profile.agent_name'").fetchone() == ('"Ana"',)
        copy.close()
        assert application_id(sqlite3.connect(made[0])) == APPLICATION_ID
        assert check_and_back_up(path, backups) == "ok" and list_backups(backups) == made  # not due again
        assert check_and_back_up(path, backups, backup_due=False) == "ok"
    finally:
        opened.close()


def test_damage_reported_in_use_is_marked_for_the_next_open(tmp_path):
    from assistant.faults import explain

    path = tmp_path / "a.db"
    open_database(path).close()
    error = sqlite3.DatabaseError("database disk image is malformed")
    error.sqlite_errorcode, error.sqlite_errorname = 11, "SQLITE_CORRUPT"
    assert "is damaged" in explain(error, None, path)
    assert damage_mark(path).exists()
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode, busy.sqlite_errorname = 5, "SQLITE_BUSY"
    damage_mark(path).unlink()
    explain(busy, None, path)  # a lock is a fault, not damage
    assert not damage_mark(path).exists()


def test_an_unfinished_automatic_backup_left_by_a_killed_process_is_removed(tmp_path):
    backups = tmp_path / "b"
    backups.mkdir()
    old, fresh = backups / "auto-20260101-000000-000000.db.partial", backups / "auto-20260102-000000-000000.db.partial"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    now = old.stat().st_mtime + 2 * 3600
    os.utime(fresh, (now - 60, now - 60))  # a backup another process is taking right now
    opened = open_database(tmp_path / "a.db")
    try:
        assert rolling_backup(opened.db.conn, backups, now=now) is not None
    finally:
        opened.close()
    assert not old.exists() and fresh.exists()


def test_rolling_backups_keep_the_newest(tmp_path):
    opened = open_database(tmp_path / "a.db")
    try:
        made = [rolling_backup(opened.db.conn, tmp_path / "b", keep=3, min_interval_s=10, now=1000 + i * 20)
                for i in range(5)]
        assert all(made)
        # within the interval nothing new is taken
        assert rolling_backup(opened.db.conn, tmp_path / "b", keep=3, min_interval_s=10, now=1085) is None
        assert len(list_backups(tmp_path / "b")) == 3
        assert all(check_integrity(p) == "ok" for p in list_backups(tmp_path / "b"))
    finally:
        opened.close()


def test_restore_keeps_the_replaced_database(tmp_path):
    path, backups = tmp_path / "a.db", tmp_path / "b"
    opened = open_database(path)
    from assistant import settings
    settings.put(opened.db, "profile.agent_name", "before")
    snapshot = rolling_backup(opened.db.conn, backups, min_interval_s=0)
    settings.put(opened.db, "profile.agent_name", "after")
    opened.close()

    saved = restore(snapshot, path, backups)
    reopened = open_database(path)
    try:
        assert settings.get(reopened.db, "profile.agent_name") == "before"
    finally:
        reopened.close()
    kept = sqlite3.connect(saved)
    assert kept.execute("SELECT value FROM settings WHERE key='profile.agent_name'").fetchone()[0] == '"after"'
    kept.close()


def test_restore_refuses_a_damaged_backup(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"nope" * 1000)
    path = tmp_path / "a.db"
    open_database(path).close()
    before = path.read_bytes()
    with pytest.raises(BackupError, match="it is not an SQLite database"):
        restore(bad, path, tmp_path / "b")
    assert path.read_bytes() == before


def test_opening_in_two_steps_reads_settings_before_the_schema_check(tmp_path):
    from assistant import settings

    path = tmp_path / "a.db"
    opened = open_database(path, complete=False)
    try:
        assert not opened.completed
        assert settings.get(opened.conn, "ui.language", "en") == "en"  # no settings table yet
        settings.put(opened.db, "ui.language", "fr")  # first use completes: migrated
        assert opened.completed and schema_version(opened.db) > 0
        assert settings.get(opened.conn, "ui.language") == "fr"
    finally:
        opened.close()


def test_a_newer_database_opened_in_two_steps_is_refused_at_the_second(tmp_path, newer_database):
    path = newer_database(tmp_path / "a.db")
    before = path.read_bytes()
    opened = open_database(path, complete=False)
    try:
        for _attempt in range(2):  # refused every time it is asked for, never half-opened
            with pytest.raises(NewerSchemaError):
                opened.complete()
        with pytest.raises(NewerSchemaError):
            opened.db
        assert not opened.completed
    finally:
        opened.close()
    assert path.read_bytes() == before


def test_settings_read_raises_other_database_errors(tmp_path):
    from assistant import settings

    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("CREATE TABLE settings (key TEXT)")  # no value column: not "no such table"
    with pytest.raises(sqlite3.OperationalError):
        settings.get(conn, "ui.language")
    conn.close()


def test_sqlite_utils_loads_without_numpy_wherever_it_is_first_imported():
    import json
    import subprocess
    import sys

    code = ("import json, sys, assistant\n"
            "import sqlite_utils\n"
            "first = {'numpy': 'numpy' in sys.modules, 'np': sqlite_utils.db.np is not None}\n"
            "import numpy\n"
            "print(json.dumps({'first': first, 'numpy_after': numpy.__name__}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result == {"first": {"numpy": False, "np": False}, "numpy_after": "numpy"}


def test_numpy_imported_on_another_thread_meanwhile_is_unharmed():
    """sqlite-utils' first import hides numpy from its own thread only: a worker importing
    numpy at the same moment gets the real module."""
    import json
    import subprocess
    import sys

    code = """
import json, sys, threading, assistant
barrier = threading.Barrier(2)
results = {}
def load(name):
    barrier.wait()
    try:
        __import__(name)
        results[name] = "ok"
    except BaseException as exc:
        results[name] = repr(exc)
threads = [threading.Thread(target=load, args=(n,)) for n in ("numpy", "sqlite_utils")]
for t in threads: t.start()
for t in threads: t.join()
import numpy
results["numpy works"] = float(numpy.arange(4).sum())
results["module"] = type(sys.modules["numpy"]).__name__
print(json.dumps(results))
"""
    for _attempt in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"numpy": "ok", "sqlite_utils": "ok", "numpy works": 6.0,
                                          "module": "module"}


def _big_write(conn: sqlite3.Connection) -> None:
    """About 6 MB: past SQLite's 1,000-page mark, where a commit copies the log into the file."""
    conn.execute("CREATE TABLE IF NOT EXISTS big (n INTEGER PRIMARY KEY, text TEXT)")
    with conn:
        conn.executemany("INSERT INTO big (text) VALUES (?)", (("x" * 3000,) for _ in range(2000)))


def test_a_commit_under_checkpoint_later_stays_in_the_log_until_checkpoint(tmp_path):
    path = tmp_path / "a.db"
    opened = open_database(path)
    try:
        conn = opened.db.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = path.stat().st_size
        with checkpoint_later(conn):
            _big_write(conn)
        assert path.stat().st_size == before  # committed, but only in the write-ahead log
        with sqlite3.connect(read_only_uri(path), uri=True) as reader:  # and readable by others
            assert reader.execute("SELECT count(*) FROM big").fetchone()[0] == 2000
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # as it was
        checkpoint(path)
        assert path.stat().st_size > before + 5_000_000
    finally:
        opened.close()


def test_without_checkpoint_later_the_big_commit_copies_the_log_itself(tmp_path):
    """What checkpoint_later takes out of the commit (if SQLite stops doing this, it has no use)."""
    path = tmp_path / "a.db"
    opened = open_database(path)
    try:
        opened.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = path.stat().st_size
        _big_write(opened.db.conn)
        assert path.stat().st_size > before + 5_000_000
    finally:
        opened.close()


def test_checkpoint_later_puts_the_setting_back_after_a_failed_write(tmp_path):
    opened = open_database(tmp_path / "a.db")
    try:
        conn = opened.db.conn
        conn.execute("PRAGMA wal_autocheckpoint = 250")
        with pytest.raises(sqlite3.OperationalError), checkpoint_later(conn):
            assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            conn.execute("INSERT INTO no_such_table VALUES (1)")
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 250
    finally:
        opened.close()


def test_checkpoint_of_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    for missing in (tmp_path / "a.db", tmp_path / "gone" / "a.db"):
        with pytest.raises(sqlite3.Error):
            checkpoint(missing)
        assert not missing.exists()
