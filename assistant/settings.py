"""User settings: JSON values in the ``settings`` table, one row per key."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def get(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except json.JSONDecodeError:
        return default


def put(db: sqlite_utils.Database, key: str, value: Any) -> None:
    with db.atomic():
        db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")
