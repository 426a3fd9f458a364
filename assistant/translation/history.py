"""Optional translation history, kept only on this computer.

Off by default: customer messages are personal data. A deployment policy can forbid it
(``allow_translation_history: false``); then nothing is recorded even if the setting was on.
When on, entries older than the retention period or beyond the entry cap are pruned at each
write; turning it off deletes what was kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from assistant import settings
from assistant.errors import UserError

ENABLED_KEY = "translation.history.enabled"
RETENTION_KEY = "translation.history.retention_days"
DEFAULT_RETENTION_DAYS = 7
MAX_ENTRIES = 1000


class HistoryForbidden(UserError, PermissionError):
    pass


def allowed(policy) -> bool:
    return bool(policy.allow_translation_history)


def is_enabled(db: sqlite_utils.Database, policy) -> bool:
    return allowed(policy) and bool(settings.get(db, ENABLED_KEY, False))


def retention_days(db: sqlite_utils.Database) -> int:
    value = settings.get(db, RETENTION_KEY, DEFAULT_RETENTION_DAYS)
    return value if isinstance(value, int) and 1 <= value <= 365 else DEFAULT_RETENTION_DAYS


def set_enabled(db: sqlite_utils.Database, policy, on: bool, retention: int | None = None) -> None:
    if on and not allowed(policy):
        raise HistoryForbidden("Translation history is turned off by your organisation's policy.")
    if retention is not None and not 1 <= retention <= 365:
        raise ValueError("Keep the history between 1 and 365 days.")
    with db.atomic():
        settings.put(db, ENABLED_KEY, bool(on))
        if retention is not None:
            settings.put(db, RETENTION_KEY, retention)
        if not on:
            clear(db)


def record(db: sqlite_utils.Database, policy, *, now: datetime, direction: str, source_lang: str,
           target_lang: str, source_text: str, translated_text: str) -> bool:
    """Keep one translation if the history is on; returns whether it was kept."""
    if not is_enabled(db, policy):
        return False
    with db.atomic():
        db["translation_history"].insert({
            "created_at": now.isoformat(timespec="seconds"), "direction": direction,
            "source_lang": source_lang, "target_lang": target_lang,
            "source_text": source_text, "translated_text": translated_text})
        prune(db, now)
    return True


def prune(db: sqlite_utils.Database, now: datetime) -> None:
    cutoff = (now - timedelta(days=retention_days(db))).isoformat(timespec="seconds")
    db.execute("DELETE FROM translation_history WHERE created_at < ?", [cutoff])
    db.execute("DELETE FROM translation_history WHERE id NOT IN "
               "(SELECT id FROM translation_history ORDER BY created_at DESC, id DESC LIMIT ?)", [MAX_ENTRIES])


def entries(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT * FROM translation_history ORDER BY created_at DESC, id DESC LIMIT ?", [limit]))


def clear(db: sqlite_utils.Database) -> int:
    return db.execute("DELETE FROM translation_history").rowcount
