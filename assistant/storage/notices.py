"""Things that happened to the database that the agent must be told, kept in the database
until the window has shown them: a damaged database moved aside (by whichever entry point
opened it), a backup restored (from the command line, perhaps while the window runs).

The command line prints what its own run did on stderr; the window shows every notice it has
not shown yet, at start and while it runs, then marks it shown. ``assistant doctor`` lists
them all. Stored as one JSON list in ``settings`` (the newest ``KEEP``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from assistant import settings

if TYPE_CHECKING:
    import sqlite_utils

KEY = "storage.notices"
KEEP = 20


@dataclass(frozen=True)
class Notice:
    at: str    # UTC ISO-8601
    text: str
    shown: bool = False

    def to_dict(self) -> dict:
        return {"at": self.at, "text": self.text, "shown": self.shown}


def all_notices(db: sqlite_utils.Database | sqlite3.Connection) -> list[Notice]:
    """Oldest first. A value that is not a list of notices reads as none."""
    stored = settings.get(db, KEY, [])
    if not isinstance(stored, list):
        return []
    return [Notice(str(item.get("at", "")), str(item.get("text", "")), bool(item.get("shown")))
            for item in stored if isinstance(item, dict) and item.get("text")]


def unshown(db: sqlite_utils.Database | sqlite3.Connection) -> list[Notice]:
    return [notice for notice in all_notices(db) if not notice.shown]


def record(db: sqlite_utils.Database, text: str, now: datetime | None = None) -> Notice:
    now = now or datetime.now(timezone.utc)
    notice = Notice(now.isoformat(timespec="seconds"), text)
    _store(db, [*all_notices(db), notice])
    return notice


def mark_shown(db: sqlite_utils.Database, shown: list[Notice]) -> None:
    texts = {(n.at, n.text) for n in shown}
    _store(db, [Notice(n.at, n.text, True) if (n.at, n.text) in texts else n for n in all_notices(db)])


def _store(db: sqlite_utils.Database, notices: list[Notice]) -> None:
    settings.put(db, KEY, [n.to_dict() for n in notices[-KEEP:]])
