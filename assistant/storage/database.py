"""Open the app's SQLite database without ever losing data.

- WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a crash of the
  process; see the durability test), foreign keys on.
- A database that is not SQLite or fails ``PRAGMA quick_check`` is moved aside with a
  timestamp and reported; a fresh one is created. It is never silently replaced.
- A database written by a newer version (a migration this version does not know) is refused.
- Before any migration of an existing database, a copy is taken with the backup API.

Opening is two steps so the window can paint before sqlite-utils and the feature schemas
load: ``open_database(..., complete=False)`` checks the file and connects with plain
``sqlite3`` (enough for ``assistant.settings.get``); ``OpenedDatabase.complete()`` then
refuses a newer schema and migrates. ``OpenedDatabase.db`` completes on first use.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserError
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


@dataclass
class OpenedDatabase:
    conn: sqlite3.Connection
    path: Path
    backups_dir: Path
    notices: list[str] = field(default_factory=list)  # things the user must be told
    moved_aside: Path | None = None
    pre_migration_backup: Path | None = None
    _db: sqlite_utils.Database | None = field(default=None, repr=False)
    _failure: DatabaseError | None = field(default=None, repr=False)

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

        db = sqlite_utils.Database(self.conn, execute_plugins=False)
        try:
            _check_not_newer(db, self.path)
            _migrate(self, db)
        except DatabaseError as exc:
            self._failure = exc
            raise
        self._db = db

    def close(self) -> None:
        self.conn.close()


def timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the app's pragmas. The busy timeout lets a second reader
    (the CLI while the app runs) wait instead of failing."""
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("SQLite refused WAL mode for %s (got %s)", path, mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def check_integrity(path: Path, full: bool = False) -> str:
    """'ok' or the first problem SQLite reports. Never raises for a bad file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            pragma = "integrity_check" if full else "quick_check"
            rows = conn.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])


def move_aside(path: Path, reason: str) -> Path:
    """Rename a damaged database (and its WAL/SHM files) so nothing is lost."""
    stamp = timestamp()
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(path.with_name(f"{path.name}.corrupt-{stamp}{suffix}"))
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
    if path.exists() and path.stat().st_size > 0:
        problem = check_integrity(path)
        if problem != "ok":
            moved = move_aside(path, problem)
            notices.append(
                f"The database was damaged ({problem}). It was moved aside to {moved} and a new, "
                f"empty database was created. Restore a backup with 'assistant backup restore'.")
    try:
        conn = connect(path)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}") from exc
    opened = OpenedDatabase(conn, path, backups_dir, notices, moved)
    if complete:
        try:
            opened.complete()
        except BaseException:
            opened.close()
            raise
    return opened


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
