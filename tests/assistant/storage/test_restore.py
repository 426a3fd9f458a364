"""``backup restore`` accepts only a database this app wrote, at a schema this version knows:
a corpus of candidates, each refused with its exact reason while the current database stays
byte-for-byte as it was, and the backups the app really writes (marked, from before the
marker, older schemas) restored."""

import os
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant import settings
from assistant.runtime import start
from assistant.storage import notices, schema
from assistant.storage.backup import BackupError, restore
from assistant.storage.database import APPLICATION_ID, DatabaseBusyError, application_id

TAIL = ". The current database was not changed."


@pytest.fixture
def current(fresh_data_dir):
    """The agent's database, holding what a restore must not lose by mistake."""
    run = start()
    try:
        settings.put(run.db, "profile.agent_name", "current")
    finally:
        run.close()
    return fresh_data_dir / "assistant.db"


@pytest.fixture
def good_backup(current, run_cli, tmp_path):
    """A backup the app wrote (``backup now``) of a database that said "backed up"."""
    run = start()
    try:
        settings.put(run.db, "profile.agent_name", "backed up")
    finally:
        run.close()
    code, out, err = run_cli("backup", "now")
    assert code == 0, err
    made = tmp_path / "good.db"
    made.write_bytes(Path(out.strip()).read_bytes())
    run = start()
    try:
        settings.put(run.db, "profile.agent_name", "current")
    finally:
        run.close()
    return made


def edited(source: Path, target: Path, *statements: str, marker: int | None = None) -> Path:
    target.write_bytes(source.read_bytes())
    conn = sqlite3.connect(target)
    try:
        for statement in statements:
            conn.execute(statement)
        if marker is not None:
            conn.execute(f"PRAGMA application_id = {marker}")
        conn.commit()
    finally:
        conn.close()
    return target


def before_the_marker(source: Path, target: Path, *statements: str) -> Path:
    """What a version without the marker wrote: ``source`` cut back to the migrations of
    those versions (later objects and their schema records dropped), marker 0."""
    from assistant.storage.verify import MIGRATIONS_BEFORE_THE_MARKER, expected_schema, schema_of

    target.write_bytes(source.read_bytes())
    conn = sqlite3.connect(target)
    try:
        keep = expected_schema(MIGRATIONS_BEFORE_THE_MARKER)
        for kind, name in sorted(set(schema_of(conn)) - set(keep), key=lambda o: o[0] != "trigger"):
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        for migration_set, name in conn.execute("SELECT migration_set, name FROM _sqlite_migrations").fetchall():
            if (migration_set, name) not in MIGRATIONS_BEFORE_THE_MARKER:
                conn.execute("DELETE FROM _sqlite_migrations WHERE migration_set = ? AND name = ?",
                             [migration_set, name])
        for statement in statements:
            conn.execute(statement)
        conn.execute("PRAGMA application_id = 0")
        conn.commit()
    finally:
        conn.close()
    return target


def other_program(target: Path, marker: int = 0) -> Path:
    conn = sqlite3.connect(target)
    conn.execute(f"PRAGMA application_id = {marker}")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO contacts (name) VALUES (?)", [(f"n{i}",) for i in range(100)])
    conn.commit()
    conn.close()
    return target


# name -> (how to make it from the good backup, the reason given)
CANDIDATES = {
    "zero bytes": (lambda good, t: (t.write_bytes(b""), t)[1], "the file is empty (0 bytes)"),
    "a text file": (lambda good, t: (t.write_bytes(b"not a backup\n" * 100), t)[1], "it is not an SQLite database"),
    "the header alone": (lambda good, t: (t.write_bytes(good.read_bytes()[:100]), t)[1],
                         "it is not an SQLite database"),
    "a folder": (lambda good, t: (t.mkdir(), t)[1], "it is not a regular file"),
    "a named pipe": (lambda good, t: (os.mkfifo(t), t)[1], "it is not a regular file"),
    "nothing there": (lambda good, t: t, "there is no such file"),
    "another program's database": (lambda good, t: other_program(t),
                                   "it has no record of Agent Assistant's schema: it is not a database this app wrote"),
    "another program's marked database": (
        lambda good, t: other_program(t, 0x464C5543),
        "it was written by another program (application id 0x464c5543), not by Agent Assistant"),
    "a newer app's database": (
        lambda good, t: edited(good, t, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                                        "VALUES ('tasks', 'm999_from_the_future', 'x')"),
        "it was written by a newer version of Agent Assistant (unknown schema changes: "
        "tasks/m999_from_the_future); update the app first"),
    "a trigger": (
        lambda good, t: edited(good, t, "CREATE TRIGGER wipe AFTER INSERT ON tasks BEGIN DELETE FROM tasks; END"),
        "it has something Agent Assistant does not create: trigger 'wipe'"),
    "a view": (lambda good, t: edited(good, t, "CREATE VIEW everything AS SELECT * FROM settings"),
               "it has something Agent Assistant does not create: view 'everything'"),
    "a trigger in a backup from before the marker": (
        lambda good, t: before_the_marker(good, t, "CREATE TRIGGER wipe AFTER INSERT ON tasks "
                                                   "BEGIN DELETE FROM tasks; END"),
        "it has something Agent Assistant does not create: trigger 'wipe'"),
    "an extra table": (lambda good, t: edited(good, t, "CREATE TABLE payload (x)"),
                       "it has something Agent Assistant does not create: table 'payload'"),
    "an extra index": (lambda good, t: edited(good, t, "CREATE INDEX by_value ON settings (value)"),
                       "it has something Agent Assistant does not create: index 'by_value'"),
    "a virtual table": (lambda good, t: edited(good, t, "CREATE VIRTUAL TABLE search USING fts5(x)"),
                        "it has something Agent Assistant does not create: table 'search'"),
    "a missing table": (lambda good, t: edited(good, t, "DROP TABLE translation_history"),
                        "something Agent Assistant creates is missing: table 'translation_history'"),
    "a changed table": (
        lambda good, t: edited(good, t, "ALTER TABLE settings ADD COLUMN extra TEXT DEFAULT 'x'"),
        "something is not as Agent Assistant creates it: table 'settings'"),
    "a schema record with a gap": (
        lambda good, t: edited(good, t, "DELETE FROM _sqlite_migrations WHERE migration_set = 'packs' "
                                        "AND name = 'm001_packs'"),
        "its schema record is not one Agent Assistant writes"),
    "an empty schema record": (lambda good, t: edited(good, t, "DELETE FROM _sqlite_migrations"),
                               "its schema record is not one Agent Assistant writes"),
}


@pytest.mark.parametrize("make, reason", CANDIDATES.values(), ids=CANDIDATES.keys())
def test_a_candidate_that_is_not_the_apps_is_refused_and_nothing_changes(
        make, reason, current, good_backup, tmp_path, run_cli, digest):
    candidate = make(good_backup, tmp_path / "candidate.db")
    before = digest(current)
    code, out, err = run_cli("backup", "restore", str(candidate))
    assert (code, out, err) == (2, "", f"assistant: {candidate} was not restored: {reason}{TAIL}\n")
    assert digest(current) == before
    backups = current.parent / "backups"
    assert not list(backups.glob("pre-restore-*")) and not list(backups.glob(".restoring-*"))


def test_a_damaged_backup_is_refused(current, good_backup, tmp_path, digest):
    data = bytearray(good_backup.read_bytes())
    page = 4096
    data[page * 3:page * 3 + 300] = b"\x07" * 300  # scribble over a b-tree page
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    before = digest(current)
    with pytest.raises(BackupError) as raised:
        restore(damaged, current, current.parent / "backups")
    assert re.fullmatch(rf"{re.escape(str(damaged))} was not restored: it (is damaged|cannot be read) \(.+\)"
                        rf"{re.escape(TAIL)}", str(raised.value), re.S), str(raised.value)
    assert digest(current) == before


def who(path: Path) -> str:
    run = start()
    try:
        assert run.data_dir.database == path
        return settings.get(run.db, "profile.agent_name")
    finally:
        run.close()


def test_a_backup_the_app_wrote_is_restored_and_the_window_will_be_told(current, good_backup, run_cli):
    code, out, err = run_cli("backup", "restore", str(good_backup))
    assert code == 0, err
    saved = Path(re.search(r"kept as (.*)\.$", out.strip()).group(1))
    assert out.splitlines() == [f"Restored {current} from {good_backup}.",
                                f"The database it replaced was kept as {saved}."]
    assert who(current) == "backed up"
    kept = sqlite3.connect(saved)
    assert application_id(kept) == APPLICATION_ID
    assert kept.execute("SELECT value FROM settings WHERE key = 'profile.agent_name'").fetchone()[0] == '"current"'
    kept.close()
    run = start()
    try:
        text = f"The database was restored from {good_backup}. The database it replaced was kept as {saved}."
        assert [n.text for n in notices.unshown(run.db)] == [text]
    finally:
        run.close()
    code, out, _err = run_cli("doctor", "--json")
    [event] = __import__("json").loads(out)["database_events"]
    assert event.endswith(f" {text} (not shown in the window yet)")


def test_a_backup_from_before_the_marker_is_restored_and_then_marked(current, good_backup, tmp_path):
    legacy = before_the_marker(good_backup, tmp_path / "legacy.db")
    restore(legacy, current, current.parent / "backups")
    assert who(current) == "backed up"
    conn = sqlite3.connect(current)
    assert application_id(conn) == APPLICATION_ID
    conn.close()


def test_a_backup_of_an_older_schema_is_restored_then_migrated(current, tmp_path):
    """What an earlier version wrote: some migrations not there yet."""
    import sqlite_utils

    older = tmp_path / "older.db"
    db = sqlite_utils.Database(older)
    for migration_set in schema.migration_sets():
        if migration_set.name == "packs":
            migration_set.apply(db, stop_before="m002_template_fingerprints")
        elif migration_set.name == "templates":
            migration_set.apply(db, stop_before="m002_pack_listing_index")
        elif migration_set.name == "tasks":
            migration_set.apply(db, stop_before="m002_search_and_counts")
        elif migration_set.name not in ("translation", "changes"):
            migration_set.apply(db)
    settings.put(db, "profile.agent_name", "older")
    db.close()
    restore(older, current, current.parent / "backups")
    assert who(current) == "older"
    assert list((current.parent / "backups").glob("pre-migration-*.db"))


def test_without_the_marker_only_a_schema_from_before_the_marker_is_accepted(
        extra_migration, fresh_data_dir, tmp_path, digest):
    start().close()  # the current database, with the later set
    current = fresh_data_dir / "assistant.db"
    backup = tmp_path / "later.db"
    conn = sqlite3.connect(current)
    conn.execute(f"VACUUM INTO '{backup}'")
    conn.close()
    edited(backup, backup, marker=0)
    before = digest(current)
    with pytest.raises(BackupError) as raised:
        restore(backup, current, current.parent / "backups")
    assert str(raised.value) == (f"{backup} was not restored: it has no Agent Assistant marker but a schema "
                                 f"only marked databases have{TAIL}")
    assert digest(current) == before
    edited(backup, backup, marker=APPLICATION_ID)
    restore(backup, current, current.parent / "backups")


def test_restoring_into_a_database_another_program_holds_changes_nothing(
        current, good_backup, lock_from_another_process, short_busy_timeout, run_cli, digest):
    holder = lock_from_another_process(current, "BEGIN IMMEDIATE")
    before = digest(current)
    code, out, err = run_cli("backup", "restore", str(good_backup))
    assert (code, out) == (75, "")
    assert err == (f"assistant: The database is in use by another program: {current} stayed locked for 0.5 s. "
                   "Close the program that holds it (a database browser, a backup or sync tool) and try again; "
                   "nothing was changed.\n")
    assert digest(current) == before
    assert not list((current.parent / "backups").glob("pre-restore-*"))
    holder.release()
    assert who(current) == "current"


def test_restoring_onto_a_full_disk_changes_nothing(small_filesystem, monkeypatch, fill_up, tmp_path, digest):
    data = small_filesystem / "data"
    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(data))
    run = start()
    try:
        settings.put(run.db, "profile.agent_name", "current")
        big = tmp_path / "big.db"  # a backup larger than the room left, on another disk
        run.db.conn.execute(f"VACUUM INTO '{big}'")
    finally:
        run.close()
    conn = sqlite3.connect(big)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()
    current = data / "assistant.db"
    before = digest(current)
    filler = fill_up(small_filesystem)
    with pytest.raises(Exception) as raised:
        restore(big, current, data / "backups")
    assert str(raised.value) == (f"The disk is full: {data / 'backups'} could not be written (No space left "
                                 "on device). Free some space and try again; the change was rolled back and "
                                 "nothing was moved.")
    assert digest(current) == before
    filler.unlink()
    assert who(current) == "current"
    assert not list((data / "backups").glob(".restoring-*"))


def test_a_lock_that_blocks_reading_the_current_database_refuses_the_restore(
        current, good_backup, lock_from_another_process, short_busy_timeout, digest):
    lock_from_another_process(current, "PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE")
    before = digest(current)
    with pytest.raises(DatabaseBusyError):
        restore(good_backup, current, current.parent / "backups")
    assert digest(current) == before
