"""Installed packs as the agent manages them: list with publisher, key, version and
changelog; hide or disable a pack or one template; remove a pack; resolve "team version
updated" conflicts (side-by-side diff, use the team version or keep mine)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlite_utils

from assistant.errors import UserError
from assistant.packs import install


class ManageError(UserError):
    pass


@dataclass(frozen=True)
class InstalledPack:
    pack_id: str
    title: str
    publisher: str
    version: int
    signed: bool
    key_id: str | None
    fingerprint: str | None
    created: str
    expires: str | None
    installed_at: str
    updated_at: str
    hidden: bool
    disabled: bool
    template_count: int
    languages: list[str]
    warnings: list[dict]
    release_notes: str | None
    source: str | None

    def expired(self, now: datetime) -> bool:
        from assistant.packs.format import parse_datetime

        return bool(self.expires) and parse_datetime(self.expires) <= now

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def list_packs(db: sqlite_utils.Database) -> list[InstalledPack]:
    packs = []
    for row in db.execute(
            "SELECT pack_id, title, publisher, version, signed, key_id, fingerprint, created, expires, "
            "installed_at, updated_at, hidden, disabled, template_count, languages, warnings, "
            "release_notes, source FROM packs ORDER BY title COLLATE NOCASE, pack_id"):
        packs.append(InstalledPack(row[0], row[1], row[2] or "", row[3], bool(row[4]), row[5], row[6],
                                   row[7], row[8], row[9], row[10], bool(row[11]), bool(row[12]),
                                   row[13] or 0, _json(row[14], []), _json(row[15], []), row[16], row[17]))
    return packs


def get_pack(db: sqlite_utils.Database, pack_id: str) -> InstalledPack | None:
    return next((p for p in list_packs(db) if p.pack_id == pack_id), None)


def _json(text: str | None, default):
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


@dataclass(frozen=True)
class HistoryEntry:
    pack_id: str
    action: str
    version: int | None
    previous_version: int | None
    at: str
    signed: bool
    fingerprint: str | None
    changes: dict

    def summary(self) -> str:
        c = self.changes
        parts = []
        for key, label in (("added", "added"), ("updated", "updated"), ("kept_local", "kept your version"),
                           ("conflicts", "team version updated"), ("retired", "retired"),
                           ("converged", "now the same as yours")):
            if c.get(key):
                parts.append(f"{len(c[key])} {label}")
        return ", ".join(parts) or "no template changes"

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def history(db: sqlite_utils.Database, pack_id: str | None = None) -> list[HistoryEntry]:
    where, params = ("WHERE pack_id = ?", [pack_id]) if pack_id else ("", [])
    return [HistoryEntry(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], _json(r[7], {}))
            for r in db.execute(f"SELECT pack_id, action, version, previous_version, at, signed, "
                                f"fingerprint, changes FROM pack_history {where} ORDER BY id DESC", params)]


def set_pack_flags(db: sqlite_utils.Database, pack_id: str, *, hidden: bool | None = None,
                   disabled: bool | None = None) -> None:
    with db.atomic():
        if db.execute("SELECT 1 FROM packs WHERE pack_id = ?", [pack_id]).fetchone() is None:
            raise ManageError(f"There is no installed pack '{pack_id}'.")
        install.set_flags(db, pack_id, hidden=hidden, disabled=disabled)


def set_template_flags(db: sqlite_utils.Database, template_id: str, *, hidden: bool | None = None,
                       disabled: bool | None = None) -> None:
    with db.atomic():
        team = db.execute("SELECT pack_id FROM team_templates WHERE template_id = ?", [template_id]).fetchone()
        if team is None:
            raise ManageError(f"There is no team template '{template_id}'.")
        current = db.execute("SELECT hidden, disabled FROM pack_template_prefs WHERE template_id = ?",
                             [template_id]).fetchone() or (0, 0)
        db["pack_template_prefs"].upsert({
            "template_id": template_id,
            "hidden": int(hidden) if hidden is not None else current[0],
            "disabled": int(disabled) if disabled is not None else current[1]}, pk="template_id")
        install.apply_flags(db, team[0], only=template_id)  # one row, not the pack's 50,000


class PackListing(NamedTuple):
    """An installed pack's templates as the Packs window lists them: their ids in order and
    the agent's own ticks for the few that have one (hidden, disabled; the pack's flags are
    the pack's). Strings in one list, not an object per template: 50,000 listed in ~10 ms,
    and nothing the garbage collector walks (50,000 tuples made each refresh cost a full
    collection pass every few refreshes, 150-200 ms on the GUI thread). The titles are read
    for the rows shown, :func:`pack_template_titles`."""
    ids: list[str]
    ticks: dict[str, tuple[bool, bool]]

    def flags(self, template_id: str) -> tuple[bool, bool]:
        return self.ticks.get(template_id, (False, False))


def pack_templates(db: sqlite_utils.Database, pack_id: str) -> PackListing:
    """The templates ``pack_id`` ships (not retired), by id, with the agent's ticks."""
    with db.atomic():  # one snapshot for both reads
        # one string split in C, not a row object per template (50,000: 9 ms, not 14); ids
        # hold no control characters (validation.ID_RE); sorted here, whatever order SQLite
        # concatenated them in (already in order, the sort is one pass)
        (joined,) = db.execute("SELECT group_concat(template_id, char(31)) FROM team_templates "
                               "WHERE pack_id = ? AND retired_at IS NULL", [pack_id]).fetchone()
        ids = sorted(joined.split("\x1f")) if joined else []
        # from the ticks (a few rows), each looked up by its template's key. Written as a join,
        # SQLite built a Bloom filter over the pack's rows first (162 ms at 50,000, issue 18)
        ticks = {tid: (bool(hidden), bool(disabled)) for tid, hidden, disabled in db.execute(
            "SELECT p.template_id, p.hidden, p.disabled FROM pack_template_prefs AS p "
            "WHERE (p.hidden OR p.disabled) AND EXISTS (SELECT 1 FROM team_templates AS t "
            "WHERE t.template_id = p.template_id AND t.pack_id = ? AND t.retired_at IS NULL)", [pack_id])}
    return PackListing(ids, ticks)


def pack_templates_at(path, pack_id: str) -> PackListing:
    """:func:`pack_templates` on a read-only connection of its own: the Packs window reads a
    pack's templates on a thread, so however large the pack, the GUI thread only receives
    the listing."""
    from assistant.storage.database import read_only

    with read_only(path) as db:
        return pack_templates(db, pack_id)


def pack_template_titles(db: sqlite_utils.Database, template_ids) -> dict[str, str]:
    """The team version's title of each of ``template_ids``, as Template.title gives it (the
    default language's variant's), taken by SQLite from the stored JSON without loading the
    template; a row that is not JSON or has no text there (damaged by hand), or an id that is
    no team template, is left out."""
    from assistant.templates.store import TITLE_SQL

    # One row, the titles as one JSON object, not a row each: the Packs window reads a page
    # of 200 on the GUI thread, and each row fetched gave the interpreter lock away and
    # waited to take it back; while a pack's install read the library on the workers, a
    # page took 30-80 ms (issue 18). One step: one wait.
    (found,) = db.execute(
        "SELECT json_group_object(template_id, title) FROM ("
        f"SELECT template_id, {TITLE_SQL} AS title FROM team_templates "
        "WHERE template_id IN (SELECT value FROM json_each(?)) AND json_valid(data)) "
        "WHERE typeof(title) = 'text'", [json.dumps(sorted(set(template_ids)))]).fetchone()
    return json.loads(found)


def template_flags(db: sqlite_utils.Database, template_id: str) -> tuple[bool, bool]:
    row = db.execute("SELECT hidden, disabled FROM pack_template_prefs WHERE template_id = ?",
                     [template_id]).fetchone()
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def remove_pack(db: sqlite_utils.Database, pack_id: str, now: datetime) -> None:
    """Uninstall: the pack's team templates, cards and glossary go; personal versions stay
    as personal templates; the version high-water mark stays (no rollback by reinstall)."""
    from assistant.templates import store

    with db.atomic():
        if db.execute("SELECT 1 FROM packs WHERE pack_id = ?", [pack_id]).fetchone() is None:
            raise ManageError(f"There is no installed pack '{pack_id}'.")
        ids = store.team_ids(db, pack_id)
        store.remove_pack(db, pack_id)
        store.detach_personal(db, pack_id)
        if ids:
            db.execute(f"DELETE FROM pack_template_prefs WHERE template_id IN ({','.join('?' * len(ids))})", ids)
        install.forget(db, pack_id, ids, now)


# -- conflicts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Conflict:
    template_id: str
    pack_id: str
    mine: dict
    team: dict
    base: dict | None

    @property
    def title(self) -> str:
        variant = self.mine["variants"].get(self.mine["default_language"]) or {}
        return variant.get("title") or self.template_id

    def languages(self) -> list[str]:
        return sorted(set(self.mine["variants"]) | set(self.team["variants"]))

    def side_by_side(self, language: str) -> list[tuple[str, str, str]]:
        """Rows (tag, mine, team) with tag in 'equal', 'replace', 'delete', 'insert'."""
        mine = _variant_lines(self.mine, language)
        team = _variant_lines(self.team, language)
        rows = []
        matcher = difflib.SequenceMatcher(a=mine, b=team, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            left, right = mine[i1:i2], team[j1:j2]
            for k in range(max(len(left), len(right))):
                rows.append((tag, left[k] if k < len(left) else "", right[k] if k < len(right) else ""))
        return rows


def _variant_lines(data: dict, language: str) -> list[str]:
    variant = data["variants"].get(language)
    if variant is None:
        return []
    return [variant["title"], ""] + variant["body"].split("\n")


def conflicts(db: sqlite_utils.Database) -> list[Conflict]:
    from assistant.templates import store

    return [Conflict(*row) for row in store.team_updates(db)]


def use_team_version(db: sqlite_utils.Database, template_id: str) -> None:
    from assistant.templates import store

    with db.atomic():
        if not store.delete_personal(db, template_id):
            raise ManageError(f"There is no personal version of '{template_id}'.")


def keep_mine(db: sqlite_utils.Database, template_id: str, now: datetime) -> None:
    """Keep the agent's version and take the current team version as its new base."""
    from assistant.templates import store

    with db.atomic():
        record = store.get_personal(db, template_id)
        if record is None:
            raise ManageError(f"There is no personal version of '{template_id}'.")
        store.rebase_personal(db, record.template, now=now)
