"""Is a file a database this app wrote, at a schema this version knows? Asked before a backup
replaces the agent's database (``backup.restore``).

A candidate is accepted only when all of these hold, checked cheapest first, without ever
writing to it (read-only, ``immutable``, ``trusted_schema=OFF``):

1. it is a regular, non-empty file that starts with SQLite's header;
2. it carries this app's marker (``application_id``), or none (see below), never another's;
3. its schema record (``_sqlite_migrations``) names only migrations this version knows, each
   set applied in order from its first migration: a known schema version, not a newer one;
4. its tables, their columns, its indexes, and its triggers and views are exactly those that
   version's migrations create (SQLite's planner statistics aside): no extra table, and no
   trigger or view the app does not create itself, since those would run inside the agent's
   database from then on;
5. SQLite's full ``integrity_check`` finds no damage.

Backups written before the marker existed (the rolling daily copies, ``backup now``, the copies
taken before a migration or a restore) are accepted without it, because refusing them would
make every backup an agent took before this version useless. They must pass every other check,
and their schema may only be one that versions without the marker wrote
(``MIGRATIONS_BEFORE_THE_MARKER``): a file without the marker that claims a later schema was
not written by this app. The marker is set when the restored database is next opened.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.i18n import _
from assistant.storage.backup import BackupError
from assistant.storage.database import APPLICATION_ID, is_damage, read_only_uri

SQLITE_HEADER = b"SQLite format 3\x00"
MIN_SIZE = 512  # one page of the smallest page size

# Every migration of the versions that did not set the marker yet: frozen history, never edited.
MIGRATIONS_BEFORE_THE_MARKER = frozenset({
    ("core", "m001_settings"),
    ("clock", "m001_recents_and_pins"),
    ("templates", "m001_template_layers"),
    ("packs", "m001_packs"),
    ("packs", "m002_template_fingerprints"),
    ("tasks", "m001_tasks"),
    ("translation", "m001_glossary_and_history"),
})

PLANNER_TABLES = {"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"}
MAX_OBJECTS = 10_000  # far more than any version's schema: a bound on reading a hostile file


@dataclass(frozen=True)
class Candidate:
    path: Path
    marked: bool                              # carries this app's application_id
    applied: frozenset[tuple[str, str]]       # its schema version: the migrations applied


def refuse(path: Path, reason: str) -> BackupError:
    return BackupError(_("{path} was not restored: {reason}. The current database was not changed.").format(
        path=path, reason=reason))


def check_candidate(path: Path, shown_as: Path | None = None) -> Candidate:
    """Raise BackupError with the reason unless ``path`` is a database this app wrote at a
    schema this version knows. ``shown_as``: the name to use in messages (the user's file
    when ``path`` is a private copy of it)."""
    path = Path(path)
    name = shown_as or path
    marker = read_marker(path, name)
    if marker not in (0, APPLICATION_ID):
        raise refuse(name, _("it was written by another program (application id {marker}), "
                             "not by Agent Assistant").format(marker=f"{marker:#010x}"))
    try:
        conn = sqlite3.connect(read_only_uri(path, immutable=True), uri=True)
    except sqlite3.Error as exc:
        raise refuse(name, str(exc)) from exc
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        applied = _schema_version(conn, name, marked=marker == APPLICATION_ID)
        problem = compare(schema_of(conn), expected_schema(applied))
        if problem:
            raise refuse(name, problem)
        rows = conn.execute("PRAGMA integrity_check").fetchmany(5)
        if rows != [("ok",)]:
            raise refuse(name, _("it is damaged ({problem})").format(problem="; ".join(str(r[0]) for r in rows)))
    except sqlite3.Error as exc:
        reason = (_("it is damaged ({problem})").format(problem=exc) if is_damage(exc)
                  else _("it cannot be read ({problem})").format(problem=exc))
        raise refuse(name, reason) from exc
    finally:
        conn.close()
    return Candidate(path, marker == APPLICATION_ID, applied)


def read_marker(path: Path, name: Path) -> int:
    """The application id from the file's header, after checking it is an SQLite file."""
    try:
        if not path.is_file():
            raise refuse(name, _("there is no such file") if not path.exists() else _("it is not a regular file"))
        size = path.stat().st_size
        if size == 0:
            raise refuse(name, _("the file is empty (0 bytes)"))
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise refuse(name, _("it cannot be read ({problem})").format(problem=exc.strerror or exc)) from exc
    if size < MIN_SIZE or not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise refuse(name, _("it is not an SQLite database"))
    return int.from_bytes(header[68:72], "big")


def _schema_version(conn: sqlite3.Connection, name: Path, marked: bool) -> frozenset[tuple[str, str]]:
    from assistant.storage.schema import migration_sets

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
        raise refuse(name, _("it has no record of Agent Assistant's schema: it is not a database this app wrote"))
    rows = conn.execute("SELECT migration_set, name FROM _sqlite_migrations LIMIT ?", [MAX_OBJECTS + 1]).fetchall()
    applied = frozenset((str(s), str(n)) for s, n in rows)
    if not applied or len(rows) > MAX_OBJECTS or len(applied) != len(rows):
        raise refuse(name, _("its schema record is not one Agent Assistant writes"))
    sets = migration_sets()
    known = {(s.name, m.name) for s in sets for m in s._migrations}
    newer = sorted(applied - known)
    if newer:
        raise refuse(name, _("it was written by a newer version of Agent Assistant (unknown schema changes: "
                             "{changes}); update the app first").format(
            changes=", ".join(f"{s}/{n}" for s, n in newer[:5])))
    for migration_set in sets:  # each set is applied in order: what is applied is a prefix
        names = [m.name for m in migration_set._migrations]
        done = {n for s, n in applied if s == migration_set.name}
        if done != set(names[:len(done)]):
            raise refuse(name, _("its schema record is not one Agent Assistant writes"))
    if not marked and not applied <= MIGRATIONS_BEFORE_THE_MARKER:
        raise refuse(name, _("it has no Agent Assistant marker but a schema only marked databases have"))
    return applied


@lru_cache(maxsize=8)
def expected_schema(applied: frozenset[tuple[str, str]]) -> dict:
    """The schema this app's migrations create at that version, built in memory."""
    import sqlite_utils

    from assistant.storage.schema import migration_sets

    db = sqlite_utils.Database(memory=True, execute_plugins=False)
    try:
        for migration_set in migration_sets():
            pending = [m.name for m in migration_set._migrations if (migration_set.name, m.name) not in applied]
            migration_set.apply(db, stop_before=pending[0] if pending else None)
        return schema_of(db.conn)
    finally:
        db.close()


def schema_of(conn: sqlite3.Connection) -> dict:
    """(type, name) -> what defines it: for tables their columns and foreign keys, for
    indexes their table and key columns, for triggers and views their SQL."""
    objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master LIMIT ?", [MAX_OBJECTS + 1]).fetchall()
    if len(objects) > MAX_OBJECTS:
        return {("table", "(too many objects)"): None}
    shape = {}
    for kind, name, table, sql in objects:
        if kind == "table" and name in PLANNER_TABLES:
            continue
        try:
            shape[(kind, name)] = _definition(conn, kind, name, table, sql)
        except sqlite3.Error as exc:  # e.g. a virtual table of a module this app does not load
            shape[(kind, name)] = ("unreadable", str(exc))
    return shape


def _definition(conn: sqlite3.Connection, kind: str, name: str, table: str, sql: str | None):
    if kind == "table":
        virtual = bool(sql) and normal_sql(sql).startswith("create virtual table")
        columns = conn.execute("SELECT name, upper(type), \"notnull\", dflt_value, pk, hidden "
                               "FROM pragma_table_xinfo(?)", [name]).fetchall()
        keys = conn.execute("SELECT \"table\", \"from\", \"to\", on_update, on_delete, \"match\" "
                            "FROM pragma_foreign_key_list(?) ORDER BY id, seq", [name]).fetchall()
        return ("virtual" if virtual else "table", tuple(columns), tuple(keys))
    if kind == "index":
        flags = conn.execute("SELECT \"unique\", origin, partial FROM pragma_index_list(?) WHERE name = ?",
                             [table, name]).fetchall()
        columns = conn.execute("SELECT seqno, cid, name, \"desc\", coll FROM pragma_index_xinfo(?) WHERE key",
                               [name]).fetchall()
        return (table, tuple(flags), tuple(columns), normal_sql(sql) if sql else None)
    return (table, normal_sql(sql or ""))  # triggers and views: their code itself


def normal_sql(sql: str) -> str:
    """SQL compared whatever its spacing, case and identifier quoting (these vary with the
    sqlite-utils version that wrote it, not with what it does)."""
    return re.sub(r"\s+", " ", re.sub(r'["`\[\]]', "", sql)).strip().lower()


def compare(actual: dict, expected: dict) -> str | None:
    """The first difference that makes ``actual`` not the expected schema, worst first
    (code that would run: triggers and views). Objects are named by their SQL kind."""
    extra = sorted(set(actual) - set(expected), key=lambda k: (k[0] not in ("trigger", "view"), k))
    if extra:
        kind, name = extra[0]
        return _("it has something Agent Assistant does not create: {kind} '{name}'").format(kind=kind, name=name)
    missing = sorted(set(expected) - set(actual), key=lambda k: (k[0] != "table", k))
    if missing:
        kind, name = missing[0]
        return _("something Agent Assistant creates is missing: {kind} '{name}'").format(kind=kind, name=name)
    for key in sorted(expected):
        if actual[key] != expected[key]:
            return _("something is not as Agent Assistant creates it: {kind} '{name}'").format(
                kind=key[0], name=key[1])
    return None
