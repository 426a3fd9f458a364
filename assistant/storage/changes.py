"""What changed in the database, by topic: how the running app hears writes made by another
process (the CLI, IT's scripts, a second tool) and announces them in its hall like its own.

Two cheap signals, read on the app's own connection:

- ``PRAGMA data_version`` changes when another connection commits (never for the app's own
  writes);
- a counter per topic in ``change_counters``, bumped by triggers on the topic's tables (the
  triggers are created by the migration below, nowhere else), tells which topics changed;
  for settings, the changed keys are found by comparing the (small) table with the last look.

:class:`ChangeWatch` reads both (a few microseconds; ``benchmarks/hall.py`` measures it) and
returns what changed since its last look. Changes the app made itself were announced by their
writers already and are not reported again; one that nobody announced is reported anyway and
logged as a bug (a writer that forgot to announce), so views still follow within a tick.

Topics (the app's hall has one signal per topic, ``ui.hall.Hall``):
``tasks``, ``library`` (reply templates, their layers and flags), ``packs`` (installed packs,
their cards, glossaries and trusted keys, and the translation glossary's terms), ``settings``
(per key) and ``customers`` (recent customers and pinned clocks).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlite_utils.migrations import Migrations

from assistant.storage.database import triggers_set_aside

log = logging.getLogger(__name__)

TASKS = "tasks"
LIBRARY = "library"
PACKS = "packs"
SETTINGS = "settings"
CUSTOMERS = "customers"
TOPICS = (TASKS, LIBRARY, PACKS, SETTINGS, CUSTOMERS)

migrations = Migrations("changes")


@migrations()
def m001_change_counters(db):
    """One counter per topic and the triggers that keep them. Frozen as shipped: a table
    that joins a topic later gets its triggers from a new migration in this set (which runs
    after every feature's set, so their tables exist)."""
    tables = {
        TASKS: ("tasks",),
        LIBRARY: ("team_templates", "personal_templates", "pack_template_prefs"),
        PACKS: ("packs", "pack_cards", "pack_glossary", "trusted_keys"),
        SETTINGS: ("settings",),
        CUSTOMERS: ("customer_recents", "customer_pins"),
    }
    db.execute("CREATE TABLE change_counters (topic TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0) "
               "WITHOUT ROWID")
    for topic, names in tables.items():
        db.execute("INSERT INTO change_counters (topic, n) VALUES (?, 0)", [topic])
        for table in names:
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute(f"CREATE TRIGGER changes_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN UPDATE change_counters SET n = n + 1 WHERE topic = '{topic}'; END")


@migrations()
def m002_user_glossary_terms(db):
    """The translation glossary's terms (a pack's do-not-translate terms, and the agent's
    own, added with the CLI) join the ``packs`` topic, as the packs' glossaries did: what
    keeps a copy of the glossary (the Translate panel's worker, issue 18) hears of every
    change to it."""
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER changes_glossary_terms_{event.lower()} AFTER {event} ON glossary_terms "
                   f"BEGIN UPDATE change_counters SET n = n + 1 WHERE topic = '{PACKS}'; END")


def counter(conn: sqlite3.Connection, topic: str) -> int:
    """The topic's change counter: it moves with every commit that changed the topic, by
    any connection or process."""
    return conn.execute("SELECT n FROM change_counters WHERE topic = ?", (topic,)).fetchone()[0]


@contextmanager
def one_bump_per_write(conn: sqlite3.Connection, topic: str, tables: tuple[str, ...]):
    """For a bulk write inside the caller's transaction: the topic's counter is bumped once
    instead of once per row (on 100,000 rows the per-row triggers cost as much as the
    inserts). The change triggers of ``tables`` are set aside and put back exactly as they
    were, in the same transaction (:func:`database.triggers_set_aside`)."""
    with triggers_set_aside(conn, "changes_%", tables):
        yield
    conn.execute("UPDATE change_counters SET n = n + 1 WHERE topic = ?", (topic,))


@dataclass
class Found:
    """What a look found: the topics that changed and, for settings, the keys."""
    topics: set[str] = field(default_factory=set)
    settings_keys: set[str] = field(default_factory=set)
    external: bool = False       # another process committed since the last look

    def __bool__(self) -> bool:
        return bool(self.topics)


class ChangeWatch:
    """Looks at the counters of one connection (the app's). :meth:`look` returns what
    changed since the last look, leaving out what the app ``announced`` itself."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._version = self._data_version()
        self._counters = self._read_counters()
        self._settings = self._read_settings()

    def _data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _read_counters(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT topic, n FROM change_counters").fetchall())

    def _read_settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings").fetchall())

    def look(self, announced: set[str] = frozenset(), announced_keys: set[str] = frozenset()) -> Found:
        """What changed since the last look. ``announced``/``announced_keys``: the topics and
        setting keys the app announced itself since then (not reported again unless another
        process changed the database meanwhile: then every changed topic is reported)."""
        before = self._data_version()
        counters = self._read_counters()
        after = self._data_version()
        # another process committed since the last look (data_version never moves for this
        # connection's own commits); a commit between the two reads is seen again next time,
        # because the version remembered is the one read before the counters
        external = after != self._version
        self._version = before
        topics = {t for t, n in counters.items() if self._counters.get(t) != n}
        self._counters = counters
        keys: set[str] = set()
        if SETTINGS in topics:
            now = self._read_settings()
            keys = {k for k in now.keys() | self._settings.keys() if now.get(k) != self._settings.get(k)}
            self._settings = now
        if not external:
            keys -= set(announced_keys)
            topics -= set(announced) - ({SETTINGS} if keys else set())
            if SETTINGS in topics and not keys:
                topics.discard(SETTINGS)
            if topics:
                log.error("Written by this app but not announced (a bug, views follow anyway): %s%s",
                          ", ".join(sorted(topics)), f" ({', '.join(sorted(keys))})" if keys else "")
        return Found(topics, keys, external)
