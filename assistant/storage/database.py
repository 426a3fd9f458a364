"""Open the app's SQLite database without ever losing data.

- WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a crash of the
  process; see the durability test), foreign keys on.
- A database that is not SQLite or fails ``PRAGMA quick_check`` is moved aside with a
  timestamp and reported; a fresh one is created. It is never silently replaced.
- A database written by a newer version (a migration this version does not know) is refused.
- Before any migration of an existing database, a copy is taken with the backup API.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from assistant.storage import backup
from assistant.storage.schema import known_migrations, migration_sets

log = logging.getLogger(__name__)


class DatabaseError(Exception):
    """The database cannot be used; the message says why and what to do."""


class NewerSchemaError(DatabaseError):
    pass


class CorruptDatabaseError(DatabaseError):
    pass


@dataclass
class OpenedDatabase:
    db: sqlite_utils.Database
    path: Path
    notices: list[str] = field(default_factory=list)  # things the user must be told
    moved_aside: Path | None = None
    pre_migration_backup: Path | None = None

    def close(self) -> None:
        self.db.close()


def timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")


def connect(path: Path) -> sqlite_utils.Database:
    """A connection with the app's pragmas. The busy timeout lets a second reader
    (the CLI while the app runs) wait instead of failing."""
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("SQLite refused WAL mode for %s (got %s)", path, mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


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
    table = Migrations.migrations_table
    if not db[table].exists():
        return set()
    return {(r["migration_set"], r["name"]) for r in db[table].rows}


def schema_version(db: sqlite_utils.Database) -> int:
    """Number of migrations applied: grows with every schema change the app ships."""
    return len(applied_migrations(db))


def open_database(path: Path, backups_dir: Path | None = None) -> OpenedDatabase:
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
        db = connect(path)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}") from exc
    opened = OpenedDatabase(db, path, notices, moved)
    try:
        _check_not_newer(db, path)
        _migrate(opened, backups_dir)
    except BaseException:
        db.close()
        raise
    return opened


def _check_not_newer(db: sqlite_utils.Database, path: Path) -> None:
    unknown = applied_migrations(db) - known_migrations()
    if unknown:
        names = ", ".join(f"{s}/{n}" for s, n in sorted(unknown)[:5])
        raise NewerSchemaError(
            f"The database {path} was written by a newer version of Agent Assistant "
            f"(unknown schema changes: {names}). Update the app, or start it with another "
            f"data folder; the database was left untouched.")


def _migrate(opened: OpenedDatabase, backups_dir: Path) -> None:
    db = opened.db
    sets = migration_sets()
    pending = [(s, s.pending(db)) for s in sets]
    if not any(p for _, p in pending):
        return
    if db.table_names():  # an existing database: keep a copy before changing its schema
        opened.pre_migration_backup = backup.backup_to(
            db.conn, backups_dir / f"pre-migration-{timestamp()}.db")
        log.info("Backed up %s to %s before migrating", opened.path, opened.pre_migration_backup)
    for migration_set, _ in pending:
        migration_set.apply(db)
