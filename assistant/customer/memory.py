"""Recent customers (the last 20) and pinned clocks (up to 5), stored in SQLite: the customer
session's memory (:mod:`assistant.customer.session` decides when to remember).

Each row keeps the whole CustomerContext as JSON under its identity key, so picking a
recent customer again restores exactly what was set. Times are UTC ISO-8601."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils.migrations import Migrations

from assistant.customer import CustomerContext
from assistant.errors import UserError
from assistant.i18n import _

log = logging.getLogger(__name__)

# the set keeps the name it shipped with (these tables began in the clock feature): a
# migration set is known by its name in every database already created
migrations = Migrations("clock")

MAX_RECENTS = 20
MAX_PINS = 5


@migrations()
def m001_recents_and_pins(db):
    db["customer_recents"].create({"key": str, "context": str, "used_at": str}, pk="key")
    db["customer_recents"].create_index(["used_at"])
    db["customer_pins"].create({"key": str, "context": str, "position": int, "pinned_at": str},
                               pk="key")


class PinError(UserError, ValueError):
    """A customer cannot be pinned (no zone chosen yet, or five pinned already)."""


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("store timestamps must be aware instants")
    return at.astimezone(timezone.utc).isoformat()


def _load(rows) -> list[CustomerContext]:
    contexts = []
    for row in rows:
        try:
            contexts.append(CustomerContext.from_dict(json.loads(row["context"])))
        except (ValueError, TypeError) as exc:  # a damaged row is skipped, not fatal
            log.warning("Skipping unreadable customer row %r: %s", row["key"], exc)
    return contexts


def remember(db: sqlite_utils.Database, context: CustomerContext, at: datetime) -> None:
    """Put ``context`` at the top of the recents, dropping the oldest beyond 20. Empty
    contexts are not remembered."""
    if context.is_empty:
        return
    with db.atomic():  # on the GUI thread at every customer change: plain SQL (sqlite-utils' upsert: 0.4 ms more)
        db.execute(
            "INSERT INTO customer_recents (key, context, used_at) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET context = excluded.context, used_at = excluded.used_at",
            [context.key, json.dumps(context.to_dict()), _stamp(at)])
        db.execute(
            "DELETE FROM customer_recents WHERE key NOT IN "
            "(SELECT key FROM customer_recents ORDER BY used_at DESC, rowid DESC LIMIT ?)",
            [MAX_RECENTS])


def recents(db: sqlite_utils.Database, limit: int = MAX_RECENTS) -> list[CustomerContext]:
    """Recent customers, most recently used first."""
    rows = db.execute_returning_dicts(
        "SELECT key, context FROM customer_recents ORDER BY used_at DESC, rowid DESC LIMIT ?",
        [limit])
    return _load(rows)


def forget(db: sqlite_utils.Database, key: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM customer_recents WHERE key = ?", [key])


def clear_recents(db: sqlite_utils.Database) -> None:
    """Forget every recent customer (pins stay: the agent pinned them on purpose)."""
    with db.atomic():
        db.execute("DELETE FROM customer_recents")


def pins(db: sqlite_utils.Database) -> list[CustomerContext]:
    """Pinned customers in the order they were pinned."""
    rows = db.execute_returning_dicts(
        "SELECT key, context FROM customer_pins ORDER BY position, pinned_at")
    return _load(rows)


def pin(db: sqlite_utils.Database, context: CustomerContext, at: datetime) -> None:
    """Pin ``context`` (already pinned: its stored copy is refreshed). Raises
    :class:`PinError` without changing anything when it has no zone or 5 are pinned."""
    if not context.zone:
        raise PinError(_("Choose the customer's time zone before pinning their clock."))
    with db.atomic():
        existing = db.execute("SELECT position FROM customer_pins WHERE key = ?",
                              [context.key]).fetchone()
        if existing is None:
            count, top = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(position), -1) FROM customer_pins").fetchone()
            if count >= MAX_PINS:
                raise PinError(_("At most {count} clocks can be pinned: unpin one first.").format(
                    count=MAX_PINS))
            position = top + 1
        else:
            position = existing[0]
        db["customer_pins"].upsert(
            {"key": context.key, "context": json.dumps(context.to_dict()),
             "position": position, "pinned_at": _stamp(at)}, pk="key")


def unpin(db: sqlite_utils.Database, key: str) -> None:
    with db.atomic():
        db.execute("DELETE FROM customer_pins WHERE key = ?", [key])


def is_pinned(db: sqlite_utils.Database, key: str) -> bool:
    return db.execute("SELECT 1 FROM customer_pins WHERE key = ?", [key]).fetchone() is not None
