"""Open the app's SQLite database without ever losing data.

- WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a crash of the
  process; see the durability test), foreign keys on.
- Only damage is repaired: a file SQLite calls "not a database", or one whose ``PRAGMA
  quick_check`` names a problem, is moved aside with a timestamp and reported; a fresh one is
  created. It is never silently replaced.
- Opening reads what every start needs (the header and the schema: constant time); SQLite's
  quick check reads every page (110-130 ms at 134 MB, growing with the data), so it runs on a
  thread once the app is up (``check_and_back_up``), before every automatic backup. Damage it
  names is told to the agent at once and left in a mark beside the file (``mark_damaged``):
  the next open runs the check first and moves the file aside if SQLite still names damage.
- A fault is not damage. A lock held by another program (a backup agent, a database browser)
  is waited for ``BUSY_TIMEOUT_S``, then refused with "in use by another program"; a full or
  failing disk, a missing permission: refused with the reason. Nothing is moved or changed.
- Every database the app opens carries its marker (``PRAGMA application_id``), set before the
  first migration backup so backups carry it too; a database marked by another program, or
  written by a newer version (a migration this version does not know), is refused untouched.
- Before any migration of an existing database, a copy is taken with the backup API.

Opening is two steps so the window can paint before sqlite-utils and the feature schemas
load: ``open_database(..., complete=False)`` checks the file and connects with plain
``sqlite3`` (enough for ``assistant.settings.get``); ``OpenedDatabase.complete()`` then
refuses a newer schema and migrates. ``OpenedDatabase.db`` completes on first use.
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserError
from assistant.i18n import _
from assistant.storage import backup

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


class DatabaseError(UserError):
    """The database cannot be used; the message says why and what to do."""


class NewerSchemaError(DatabaseError):
    pass


class CorruptDatabaseError(DatabaseError):
    pass


class DatabaseBusyError(DatabaseError):
    """Another program holds a lock on the database: a fault to report, not damage."""


class DiskFullError(DatabaseError):
    """The disk is full: the write was rolled back, nothing was moved."""


class ForeignDatabaseError(DatabaseError):
    """The file carries another program's marker (``application_id``)."""


# "AgAs": stored in the database header (offset 68) by ``PRAGMA application_id``
APPLICATION_ID = 0x41674173

BUSY_TIMEOUT_S = 10.0  # how long a lock held by another program is waited for

# SQLite's primary result codes (the low byte of an extended code)
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 5, 6, 10, 11, 13, 26
# ...and those that say the machine failed, not the app: permission, memory, read-only file,
# input/output, damage, full disk, cannot open, locking protocol, not a database
FAULT_CODES = {3, SQLITE_BUSY, SQLITE_LOCKED, 7, 8, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, 14, 15, SQLITE_NOTADB}
NO_SPACE_BELOW = 64 * 1024  # an I/O error with less free space than this is a full disk


def result_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of ``exc``, or None when it has none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_fault(exc: BaseException) -> bool:
    """An SQLite error caused by the machine or another program, not by the app's own SQL
    (a wrong statement or value is a bug)."""
    return result_code(exc) in FAULT_CODES


def is_busy(exc: BaseException) -> bool:
    """A lock held by another program, as SQLite reports it or as this module does."""
    return isinstance(exc, DatabaseBusyError) or result_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED)


def is_damage(exc: BaseException) -> bool:
    """True only for SQLite's own verdict that the file is damaged or not a database."""
    return result_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def fault(exc: BaseException, path: Path | str | None = None) -> DatabaseError:
    """The user's message for a database that cannot be used right now: a lock, a full or
    failing disk, a permission. ``exc``: a ``sqlite3.Error`` or an ``OSError``."""
    where = str(path) if path else _("the database")
    code = result_code(exc)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return DatabaseBusyError(_(
            "The database is in use by another program: {path} stayed locked for {seconds} s. "
            "Close the program that holds it (a database browser, a backup or sync tool) and "
            "try again; nothing was changed.").format(path=where, seconds=f"{BUSY_TIMEOUT_S:g}"))
    if code == SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC or (code == SQLITE_IOERR and _no_space(path)):
        return DiskFullError(_(
            "The disk is full: {path} could not be written ({error}). Free some space and try "
            "again; the change was rolled back and nothing was moved.").format(path=where, error=_reason(exc)))
    if is_damage(exc):
        return damaged(where, _reason(exc))
    return DatabaseError(_(
        "The database {path} cannot be used: {error}. Check the disk and the folder's "
        "permissions; nothing was changed.").format(path=where, error=_reason(exc)))


def damaged(path: Path | str, problem: str) -> CorruptDatabaseError:
    """The user's message for damage SQLite names in the database at ``path``."""
    return CorruptDatabaseError(_(
        "The database {path} is damaged ({error}). Run 'assistant doctor', then restore a "
        "backup with 'assistant backup restore'.").format(path=path, error=problem))


def _no_space(path: Path | str | None) -> bool:
    """SQLite reports a full disk met while growing its shared-memory file as an I/O error."""
    if not path:
        return False
    try:
        return shutil.disk_usage(Path(path).parent).free < NO_SPACE_BELOW
    except OSError:
        return False


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__


class OpenedDatabase:
    """The database as opened: its connection, files, and what the agent must be told. A
    plain class, not a dataclass: made before the first paint (see assistant.policy.Policy)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, backups_dir: Path,
                 notices: list[str] | None = None, moved_aside: Path | None = None):
        self.conn = conn
        self.path = path
        self.backups_dir = backups_dir
        self.notices: list[str] = [] if notices is None else notices  # things the user must be told
        self.moved_aside = moved_aside
        self.pre_migration_backup: Path | None = None
        self._db: sqlite_utils.Database | None = None
        self._failure: DatabaseError | None = None

    @property
    def completed(self) -> bool:
        return self._db is not None

    @property
    def db(self) -> sqlite_utils.Database:
        """The database through sqlite-utils, its schema checked and migrated."""
        self.complete()
        return self._db

    def complete(self) -> None:
        """Refuse a database written by a newer version, else apply pending migrations.
        Raises DatabaseError (every time it is called) when the database cannot be used."""
        if self._db is not None:
            return
        if self._failure is not None:
            raise self._failure
        import sqlite_utils

        from assistant.storage import notices as kept_notices

        db = sqlite_utils.Database(self.conn, execute_plugins=False)
        try:
            _check_marker(application_id(db.conn), self.path)  # also what the WAL holds
            _check_not_newer(db, self.path)
            _claim(db)
            _migrate(self, db)
            for notice in self.notices:  # kept in the new database until the window has shown it
                kept_notices.record(db, notice)
        except (NewerSchemaError, ForeignDatabaseError) as exc:
            self._failure = exc  # a verdict on the file: the same every time
            raise
        except (sqlite3.Error, OSError) as exc:  # a lock or the disk: may pass, not remembered
            if self.conn.in_transaction:
                self.conn.rollback()
            raise fault(exc, self.path) from exc
        self._db = db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "OpenedDatabase":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


@contextmanager
def triggers_set_aside(conn: sqlite3.Connection, name_like: str, tables: tuple[str, ...]):
    """For a bulk write inside the caller's transaction: the triggers named like
    ``name_like`` (an SQL LIKE pattern) on ``tables`` are dropped, then put back exactly as
    they were, in the same transaction: a rollback restores them with the data, and no other
    connection ever sees the tables without them (it sees the commit or nothing). The caller
    does in bulk what the triggers would have done row by row."""
    if not conn.in_transaction:
        raise RuntimeError("triggers_set_aside needs the caller's transaction")
    marks = ",".join("?" * len(tables))
    saved = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? "
                         f"AND tbl_name IN ({marks})", (name_like, *tables)).fetchall()
    for name, _ in saved:
        conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        # else SQLite rolled it back itself (a full disk, an I/O error), the triggers with
        # it: putting them back would hide that fault behind "trigger already exists"
        if conn.in_transaction:
            for _, sql in saved:
                conn.execute(sql)


@contextmanager
def indexes_set_aside(conn: sqlite3.Connection, table: str):
    """For a bulk write inside the caller's transaction: the secondary indexes of ``table``
    that a statement created (not those of its UNIQUE and PRIMARY KEY constraints) are
    dropped, then created again from the rows, exactly as they were, in the same transaction:
    a rollback restores them with the data, and no other connection ever sees the table
    without them. Building an index from its rows in one sort costs less than keeping it
    row by row, when the rows written are many next to those already there."""
    if not conn.in_transaction:
        raise RuntimeError("indexes_set_aside needs the caller's transaction")
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                         "AND sql IS NOT NULL ORDER BY name", (table,)).fetchall()
    for name, _ in saved:
        conn.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        if conn.in_transaction:  # else SQLite rolled it back, and the indexes with it
            for _, sql in saved:
                conn.execute(sql)


def timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the app's pragmas. The busy timeout lets a second reader (the CLI
    while the app runs) wait for a lock instead of failing at once. Raises sqlite3.Error."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("SQLite refused WAL mode for %s (got %s)", path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def checkpoint_later(conn: sqlite3.Connection):
    """Leave this connection's commits in the write-ahead log. SQLite otherwise copies the log
    into the database file inside the commit that takes it past 1,000 pages (4 MB): for a
    5,000-template pack, 135 ms of the 0.9 s the agent waits for its result. The caller
    shows the result, then runs :func:`checkpoint` off the GUI thread. Left undone, the next
    commit past 1,000 pages on any connection does it: it costs time, never data."""
    previous = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")


def leave_checkpoints_to_upkeep(conn: sqlite3.Connection) -> None:
    """This connection's commits never copy the log into the file (its automatic checkpoint
    off for good): the caller runs :func:`upkeep` after them. SQLite still checkpoints when
    the last connection closes."""
    conn.execute("PRAGMA wal_autocheckpoint = 0")


MERGE_STEP_PAGES = 64  # FTS5's work per merge step: 4-8 ms of writing on the 2-core machine
MERGE_STEP_PAUSE_S = 0.02  # between steps, the write lock is free: a write of the app's waiting goes first
MAX_MERGE_STEPS = 2000  # bounded: 57 steps merge 256 writes' segments into 100,000 tasks' index


def upkeep(path: Path) -> None:
    """What SQLite would otherwise do inside one of the agent's commits (issue 18), done on
    connections of its own while the app is quiet: merge the full-text indexes' segments
    (each write leaves one; their ``automerge`` is off, see ``assistant.tasks.schema``), in
    short steps with the lock free between them, then :func:`checkpoint`. Raises sqlite3.Error."""
    conn = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        leave_checkpoints_to_upkeep(conn)  # not in a step's commit, with the lock held: after the merge
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'")]
        for table in tables:
            for _step in range(MAX_MERGE_STEPS):
                before = conn.total_changes
                with conn:
                    conn.execute(f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'merge\', ?)', [MERGE_STEP_PAGES])
                if conn.total_changes - before < 2:  # SQLite's sign that nothing was left to merge
                    break
                time.sleep(MERGE_STEP_PAUSE_S)
    finally:
        conn.close()
    checkpoint(path)


def checkpoint(path: Path) -> None:
    """Copy the write-ahead log into the database file, on a connection of its own (SQLite's
    PASSIVE checkpoint: it waits for no reader and no writer; what a reader still needs is
    copied next time). A missing file is an error, not a new database. Raises sqlite3.Error."""
    conn = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()


def read_only_uri(path: Path, immutable: bool = False) -> str:
    """An SQLite URI that opens ``path`` read-only (whatever characters its name holds).
    ``immutable``: no locks and no WAL, for a file no one else writes (a private copy)."""
    return Path(path).absolute().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")


@contextmanager
def read_only(path: Path):
    """The database at ``path`` on a read-only connection of its own: what a worker thread
    reads with, so however large the data, the GUI thread only receives the result."""
    import sqlite_utils

    conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        yield sqlite_utils.Database(conn, execute_plugins=False)
    finally:
        conn.close()


def check_integrity(path: Path, full: bool = False) -> str:
    """'ok', or the damage SQLite's own check names (or "file is not a database").
    Anything else is a fault, not damage, and raises DatabaseError: a lock held by another
    program past ``BUSY_TIMEOUT_S`` (DatabaseBusyError), a full or failing disk, a permission.
    Reads every page: see ``check_readable`` for what an open can afford."""
    return _verdict(path, "PRAGMA integrity_check" if full else "PRAGMA quick_check")


def check_readable(path: Path) -> str:
    """As ``check_integrity``, for what every open reads: the header and the schema (garbage,
    a file of another kind, a damaged schema). Constant time, whatever the data."""
    return _verdict(path, "SELECT count(*) FROM sqlite_master", lists_problems=False)


def _verdict(path: Path, sql: str, lists_problems: bool = True) -> str:
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if is_damage(exc):
            return str(exc)
        raise fault(exc, path) from exc
    if not lists_problems or rows == [("ok",)]:
        return "ok"
    return "; ".join(str(r[0]) for r in rows[:5])


def damage_mark(path: Path) -> Path:
    """Where damage found while the database was in use waits for the next open."""
    return path.with_name(path.name + ".damage-found")


def mark_damaged(path: Path, problem: str) -> None:
    """Leave SQLite's verdict for the next open, which then checks every page before
    connecting. A mark that cannot be written is logged: the agent was told already."""
    try:
        damage_mark(path).write_text(problem + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not leave the damage found in %s for the next start: %s", path, exc)


def check_and_back_up(path: Path, backups_dir: Path, backup_due: bool = True) -> str:
    """SQLite's quick check of the database at ``path``, then (``backup_due``) the automatic
    backup if one is due, both on a read-only connection of their own: for a thread, while
    the app goes on writing (WAL). A backup is taken only of a database the check passed, so
    the kept copies are never of a damaged file. Returns 'ok' or the damage, which is also
    marked for the next open; a lock or the disk raises DatabaseError, as ``check_integrity``."""
    problem = check_integrity(path)
    if problem != "ok":
        log.error("SQLite found damage in %s: %s", path, problem)
        mark_damaged(path, problem)
        return problem
    if backup_due:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            backup.rolling_backup(conn, backups_dir)
        finally:
            conn.close()
    return "ok"


def move_aside(path: Path, reason: str) -> Path:
    """Rename a damaged database (and its WAL/SHM files) so nothing is lost. Raises
    DatabaseError (nothing renamed) when the file cannot be renamed."""
    stamp = timestamp()
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        path.rename(target)
    except OSError as exc:
        raise DatabaseError(_(
            "The database {path} is damaged ({problem}) but could not be moved aside: {error}. "
            "Nothing was changed.").format(path=path, problem=reason, error=_reason(exc))) from exc
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        try:
            side.rename(path.with_name(f"{path.name}.corrupt-{stamp}{suffix}"))
        except FileNotFoundError:
            pass
        except OSError as exc:  # the main file is aside already: a stale side file is harmless
            log.warning("could not move %s aside: %s", side, exc)
    log.error("Database %s moved aside to %s: %s", path, target, reason)
    return target


def applied_migrations(db: sqlite_utils.Database) -> set[tuple[str, str]]:
    from sqlite_utils.migrations import Migrations

    table = Migrations.migrations_table
    if not db[table].exists():
        return set()
    return {(r["migration_set"], r["name"]) for r in db[table].rows}


def schema_version(db: sqlite_utils.Database) -> int:
    """Number of migrations applied: grows with every schema change the app ships."""
    return len(applied_migrations(db))


def open_database(path: Path, backups_dir: Path | None = None, complete: bool = True) -> OpenedDatabase:
    """Check the file and connect; with ``complete`` also check the schema and migrate
    (else that happens on the first use of ``.db`` or an explicit ``complete()``)."""
    path = Path(path)
    backups_dir = backups_dir or path.parent / "backups"
    notices: list[str] = []
    moved: Path | None = None
    try:
        exists = path.exists() and path.stat().st_size > 0
    except OSError as exc:
        raise fault(exc, path) from exc
    if exists:
        marked = damage_mark(path)
        asked = marked.exists()  # damage was found in use: check every page before connecting
        # a lock or the disk raises: never moved aside
        problem = check_integrity(path) if asked else check_readable(path)
        if asked:
            log.info("damage found earlier in %s; SQLite's check now says: %s", path, problem)
        if problem == "ok":
            _check_marker(header_marker(path), path)  # before connecting turns on WAL
        else:
            moved = move_aside(path, problem)
            notices.append(_(
                "The database was damaged ({problem}). It was moved aside to {moved} and a new, "
                "empty database was created. Restore a backup with 'assistant backup restore'."
            ).format(problem=problem, moved=moved))
        if asked:  # the verdict is taken (and acted on): a lock or a failed move keeps the mark
            marked.unlink(missing_ok=True)
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        raise fault(exc, path) from exc
    opened = OpenedDatabase(conn, path, backups_dir, notices, moved)
    if complete:
        try:
            opened.complete()
        except BaseException:
            opened.close()
            raise
    return opened


def application_id(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA application_id").fetchone()[0] & 0xFFFFFFFF


def header_marker(path: Path) -> int:
    """The application id in the file's header (what ``PRAGMA application_id`` says once
    the WAL is checkpointed), read without SQLite: reading changes nothing."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise fault(exc, path) from exc
    return int.from_bytes(header[68:72], "big") if len(header) == 100 else 0


def _check_marker(marker: int, path: Path) -> None:
    if marker not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(_(
            "The database {path} belongs to another program (application id {marker}); it was "
            "left untouched. Start the app with another data folder.").format(
                path=path, marker=f"{marker:#010x}"))


def _claim(db: sqlite_utils.Database) -> None:
    """Mark the database as this app's (a new one, or one written before the marker existed)
    before anything else writes to it, so every backup taken from now on carries it."""
    if application_id(db.conn) != APPLICATION_ID:
        db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _check_not_newer(db: sqlite_utils.Database, path: Path) -> None:
    from assistant.storage.schema import known_migrations

    unknown = applied_migrations(db) - known_migrations()
    if unknown:
        names = ", ".join(f"{s}/{n}" for s, n in sorted(unknown)[:5])
        raise NewerSchemaError(
            f"The database {path} was written by a newer version of Agent Assistant "
            f"(unknown schema changes: {names}). Update the app, or start it with another "
            f"data folder; the database was left untouched.")


def _migrate(opened: OpenedDatabase, db: sqlite_utils.Database) -> None:
    from assistant.storage.schema import migration_sets

    sets = migration_sets()
    pending = [(s, s.pending(db)) for s in sets]
    if not any(p for _, p in pending):
        return
    if db.table_names():  # an existing database: keep a copy before changing its schema
        opened.pre_migration_backup = backup.backup_to(
            db.conn, opened.backups_dir / f"pre-migration-{timestamp()}.db")
        log.info("Backed up %s to %s before migrating", opened.path, opened.pre_migration_backup)
    for migration_set, _ in pending:
        migration_set.apply(db)
