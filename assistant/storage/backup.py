"""Backups with SQLite's online backup API: before migrations, rolling automatic
copies, and restore (which itself keeps a copy of what it replaces)."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from assistant.errors import UserError

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
KEEP_AUTO = 7
AUTO_INTERVAL_S = 24 * 3600


class BackupError(UserError):
    pass


def backup_to(source: sqlite3.Connection, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    dest = sqlite3.connect(str(partial))
    try:
        source.backup(dest)
    finally:
        dest.close()
    partial.replace(target)  # a backup file exists only once it is complete
    return target


def list_backups(backups_dir: Path) -> list[Path]:
    if not backups_dir.is_dir():
        return []
    return sorted((p for p in backups_dir.glob("*.db")), key=lambda p: p.stat().st_mtime, reverse=True)


def rolling_backup(source: sqlite3.Connection, backups_dir: Path, keep: int = KEEP_AUTO,
                   min_interval_s: float = AUTO_INTERVAL_S, now: float | None = None) -> Path | None:
    """Take an automatic backup if the newest one is older than ``min_interval_s``;
    keep the ``keep`` newest automatic backups."""
    now = time.time() if now is None else now
    autos = _automatic(backups_dir)
    if autos and now - _taken_at(autos[0]) < min_interval_s:
        return None
    made = backup_to(source, backups_dir / f"{AUTO_PREFIX}{datetime.fromtimestamp(now, timezone.utc):{_STAMP}}.db")
    for old in _automatic(backups_dir)[keep:]:
        old.unlink(missing_ok=True)
    return made


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
    """Replace ``database`` by ``backup_file``. The current database is first copied to
    ``pre-restore-*.db``; returns that copy (None if there was no database)."""
    from assistant.storage.database import check_integrity, timestamp

    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"No backup file at {backup_file}")
    problem = check_integrity(backup_file, full=True)
    if problem != "ok":
        raise BackupError(f"The backup {backup_file} is damaged ({problem}); nothing was changed.")
    saved = None
    if database.exists():
        current = sqlite3.connect(str(database), timeout=10)
        try:
            saved = backup_to(current, backups_dir / f"pre-restore-{timestamp()}.db")
        finally:
            current.close()
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    dst = sqlite3.connect(str(database), timeout=10)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    log.info("Restored %s from %s", database, backup_file)
    return saved
