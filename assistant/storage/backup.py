"""Backups with SQLite's online backup API: before migrations, rolling automatic
copies, and restore (which accepts only a database this app wrote, see ``verify``, and itself
keeps a copy of what it replaces)."""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from assistant.errors import UserError

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
KEEP_AUTO = 7
AUTO_INTERVAL_S = 24 * 3600
STALE_PARTIAL_S = 3600  # a backup takes seconds: a partial copy this old was left by a killed process


class BackupError(UserError):
    pass


def backup_to(source: sqlite3.Connection, target: Path) -> Path:
    """Copy ``source`` to ``target``; a backup file exists only once it is complete (on a
    failure, a full disk say, nothing is left behind). Raises sqlite3.Error or OSError."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        dest = sqlite3.connect(str(partial))
        try:
            copy_database(source, dest)
        finally:
            dest.close()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def copy_database(source: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    """SQLite's online backup of ``source`` into ``dest``, waiting at most BUSY_TIMEOUT_S for
    a lock another program holds on either: Python's own loop would wait forever (a rolling
    backup behind a database browser's lock would freeze the window for good)."""
    from assistant.storage.database import BUSY_TIMEOUT_S, SQLITE_BUSY, SQLITE_LOCKED

    deadline = time.monotonic() + BUSY_TIMEOUT_S

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (SQLITE_BUSY, SQLITE_LOCKED) and time.monotonic() > deadline:
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode, locked.sqlite_errorname = SQLITE_BUSY, "SQLITE_BUSY"
            raise locked

    source.backup(dest, progress=progress, sleep=min(0.1, BUSY_TIMEOUT_S))


def list_backups(backups_dir: Path) -> list[Path]:
    if not backups_dir.is_dir():
        return []
    return sorted((p for p in backups_dir.glob("*.db")), key=lambda p: p.stat().st_mtime, reverse=True)


def rolling_backup(source: sqlite3.Connection, backups_dir: Path, keep: int = KEEP_AUTO,
                   min_interval_s: float = AUTO_INTERVAL_S, now: float | None = None) -> Path | None:
    """Take an automatic backup if the newest one is older than ``min_interval_s``;
    keep the ``keep`` newest automatic backups."""
    now = time.time() if now is None else now
    if not backup_due(backups_dir, min_interval_s, now):
        return None
    for left in backups_dir.glob(f"{AUTO_PREFIX}*.partial"):  # by a process that was killed while copying
        try:
            if now - left.stat().st_mtime > STALE_PARTIAL_S:
                left.unlink()
        except OSError as exc:
            log.warning("could not remove the unfinished backup %s: %s", left, exc)
    made = backup_to(source, backups_dir / f"{AUTO_PREFIX}{datetime.fromtimestamp(now, timezone.utc):{_STAMP}}.db")
    for old in _automatic(backups_dir)[keep:]:
        old.unlink(missing_ok=True)
    return made


def backup_due(backups_dir: Path, min_interval_s: float = AUTO_INTERVAL_S, now: float | None = None) -> bool:
    """The newest automatic backup is older than ``min_interval_s`` (or there is none)."""
    autos = _automatic(backups_dir)
    return not autos or (time.time() if now is None else now) - _taken_at(autos[0]) >= min_interval_s


_STAMP = "%Y%m%d-%H%M%S-%f"


def _automatic(backups_dir: Path) -> list[Path]:
    """Automatic backups, newest first (their names sort by the time they were taken)."""
    if not backups_dir.is_dir():
        return []
    return sorted(backups_dir.glob(f"{AUTO_PREFIX}*.db"), reverse=True)


def _taken_at(path: Path) -> float:
    try:
        stamp = path.stem[len(AUTO_PREFIX):]
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return path.stat().st_mtime


def restore(backup_file: Path, database: Path, backups_dir: Path) -> Path | None:
    """Replace ``database`` by ``backup_file`` if it is a database this app wrote at a schema
    this version knows (``verify.check_candidate``); else raise BackupError with the reason,
    the database untouched. The file is checked and copied from a private copy, so what was
    checked is what is restored. The current database is first copied to
    ``pre-restore-*.db``; returns that copy (None if there was no database). A lock or a full
    disk raises DatabaseError, nothing changed. The restore is kept as a notice for the window."""
    from assistant.storage.database import damage_mark, fault, timestamp
    from assistant.storage.verify import check_candidate, read_marker, refuse

    backup_file, database = Path(backup_file), Path(database)
    read_marker(backup_file, backup_file)  # cheap refusals before any copy
    staged = backups_dir / f".restoring-{timestamp()}.partial"
    try:
        try:
            backups_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(backup_file, staged)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise fault(exc, backups_dir) from exc
            raise refuse(backup_file, str(exc.strerror or exc)) from exc
        check_candidate(staged, shown_as=backup_file)
        try:
            saved = _replace(staged, database, backups_dir, timestamp())
        except (sqlite3.Error, OSError) as exc:
            raise fault(exc, database) from exc
    finally:
        staged.unlink(missing_ok=True)
    damage_mark(database).unlink(missing_ok=True)  # what replaced it passed SQLite's full check
    log.info("Restored %s from %s", database, backup_file)
    _keep_notice(database, backups_dir, backup_file, saved)
    return saved


def _replace(staged: Path, database: Path, backups_dir: Path, stamp: str) -> Path | None:
    from assistant.storage.database import BUSY_TIMEOUT_S, read_only_uri

    saved = None
    if database.exists():
        current = sqlite3.connect(str(database), timeout=BUSY_TIMEOUT_S)
        try:
            saved = backup_to(current, backups_dir / f"pre-restore-{stamp}.db")
        finally:
            current.close()
    src = sqlite3.connect(read_only_uri(staged, immutable=True), uri=True)
    try:
        dst = sqlite3.connect(str(database), timeout=BUSY_TIMEOUT_S)
        try:
            copy_database(src, dst)  # one transaction on the database: all of it or nothing
        finally:
            dst.close()
    except BaseException:
        if saved:  # nothing was replaced: no copy of a replaced database either
            saved.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return saved


def _keep_notice(database: Path, backups_dir: Path, backup_file: Path, saved: Path | None) -> None:
    """Tell the window (running now or at its next start). Opening also marks and migrates
    the restored database; a failure here leaves the restore done, and is logged."""
    from assistant.i18n import _
    from assistant.storage import notices
    from assistant.storage.database import DatabaseError, open_database

    if saved:
        text = _("The database was restored from {backup}. The database it replaced was kept as {saved}.").format(
            backup=backup_file, saved=saved)
    else:
        text = _("The database was restored from {backup}.").format(backup=backup_file)
    try:
        opened = open_database(database, backups_dir)
        try:
            notices.record(opened.db, text)
        finally:
            opened.close()
    except (DatabaseError, sqlite3.Error, OSError) as exc:
        log.warning("the restore of %s could not be noted for the window: %s", database, exc)
