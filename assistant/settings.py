"""User settings: JSON values in the ``settings`` table, one row per key."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


def get(db: sqlite_utils.Database | sqlite3.Connection, key: str, default: Any = None) -> Any:
    """``default`` when the key is unset, its value is not JSON, or (a database not yet
    migrated, read before the first paint) there is no settings table yet."""
    try:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return default
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except json.JSONDecodeError:
        return default


def put(db: sqlite_utils.Database, key: str, value: Any) -> None:
    with db.atomic():
        db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")
