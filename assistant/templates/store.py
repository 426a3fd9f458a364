"""Template storage in SQLite: a team layer, the agent's personal layer over it, and usage.

Layers
------
* **Team** (``team_templates``): templates installed from packs, the starter pack included.
  One row per template id (ids are global: packs namespace them, e.g. ``starter.refund.ok``),
  with the owning ``pack_id``, the template JSON, its :func:`~assistant.templates.model.content_hash`,
  and flags: ``locked`` (from the pack: no personal version allowed), ``disabled`` (switched off
  by the pack/team lead), ``hidden`` (the agent chose not to see it), ``retired_at`` (the pack
  no longer ships it; the row is kept so a later pack version can bring it back).
* **Personal** (``personal_templates``): the agent's own templates, and *personal versions* of
  team templates (same id). A personal version records the team content it was based on
  (``base_pack_id``, ``base_hash`` and the full ``base_data``), which is what a three-way merge
  needs (base = ``base_data``, theirs = new team data, ours = personal data). When the team
  version changes under it, ``team_updated`` is set.
* **Effective library** (:func:`library`): personal versions layered over team templates, plus
  personal-only templates; disabled and retired team templates are left out, hidden ones too
  unless asked. A personal version of a *locked* team template is ignored (the team wins), and a
  personal version whose team template was retired or removed stays visible as personal: the
  agent's work is never lost.

API for the packs feature (call these inside your own ``with db.atomic():``; they nest as
savepoints, so a failure anywhere rolls the whole install back):

* :func:`upsert_team_template` (db, pack_id, template, now=) -> "added" | "updated" |
  "unchanged" | "restored". Raises :class:`TemplateConflict` if another active pack owns the id.
  If content changed and a personal version exists whose base differs, it sets ``team_updated``.
* :func:`retire_team_template`, :func:`retire_missing` (db, pack_id, keep_ids, now=) -> retired ids,
  :func:`remove_pack` (delete a pack's team rows; personal versions survive).
* :func:`get_team`, :func:`list_team` -> :class:`TeamRecord`;
  :func:`set_team_flags` (db, template_id, locked=, disabled=, hidden=);
  :func:`set_pack_flags` (a pack's hidden/disabled flags with the agent's per-template ones).
* For a merge of thousands of templates, without parsing them: :func:`team_index`,
  :func:`personal_index`, :func:`team_ids`; :func:`detach_personal` (a pack was removed:
  its personal versions become plain personal templates); :func:`team_updates` (personal
  versions whose team version changed, with both contents and the base).

Only this module writes the template tables (tests/test_layers.py holds it).
* :func:`personal_overrides` -> :class:`PersonalRecord` list (``base_hash``, ``base_data``,
  ``team_updated``); :func:`rebase_personal` (db, template, now=) stores a merged personal
  version and records the *current* team content as its new base (clears ``team_updated``);
  :func:`mark_team_updated` sets or clears the flag by hand.

API for the app: :func:`library`, :func:`get_entry`, :func:`save_personal` (editing a team
template creates a personal version), :func:`delete_personal` (a personal version: back to the
team's), :func:`duplicate`, :func:`new_personal_id`, :func:`record_use`, :func:`set_favourite`,
:func:`usage`, :func:`usage_of`, :func:`usage_report`; for an import of thousands,
:func:`ids_in_use`, :func:`new_personal_ids` and :func:`add_personal` (one write, all or none);
:func:`library_rows` (how large the library is, nothing read). Every write runs in one ``db.atomic()`` block. Times are
UTC ISO-8601; pass ``now`` (tests use fixed instants), else the current time is used.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import NamedTuple

import sqlite_utils

from assistant.errors import UserError
from assistant.templates import validation
from assistant.templates.model import Template, TemplateError, content_hash, declare_placeholders, encode

log = logging.getLogger(__name__)

TEAM = "team"
PERSONAL = "personal"
OVERRIDE = "override"  # a personal version of a team template


class StoreError(UserError):
    """A template operation cannot be done; the message says why."""


class TemplateConflict(StoreError):
    """The template id already belongs to another installed pack."""


class LockedTemplateError(StoreError):
    """The team locked this template: it cannot have a personal version."""


@dataclass(frozen=True)
class TeamRecord:
    template: Template
    pack_id: str
    content_hash: str
    locked: bool
    disabled: bool
    hidden: bool
    retired_at: str | None
    installed_at: str | None
    updated_at: str | None

    @property
    def template_id(self) -> str:
        return self.template.id

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class PersonalRecord:
    template: Template
    content_hash: str
    base_pack_id: str | None
    base_hash: str | None
    base_data: dict | None
    team_updated: bool
    created_at: str | None
    updated_at: str | None

    @property
    def template_id(self) -> str:
        return self.template.id

    @property
    def is_override(self) -> bool:
        return self.base_pack_id is not None


@dataclass(frozen=True)
class LibraryEntry:
    """One template as the agent sees it."""
    template: Template
    layer: str                    # TEAM, PERSONAL or OVERRIDE
    pack_id: str | None = None    # the team template's pack (TEAM and OVERRIDE)
    locked: bool = False
    hidden: bool = False
    team_updated: bool = False    # OVERRIDE: the team changed its version since

    @property
    def id(self) -> str:
        return self.template.id

    @property
    def editable_in_place(self) -> bool:
        """Personal templates and versions are edited directly; team ones get a personal version."""
        return self.layer in (PERSONAL, OVERRIDE)


@dataclass(frozen=True)
class Usage:
    count: int = 0
    last_used: str | None = None
    favourite: bool = False


def _now(now: datetime | None) -> str:
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _dump(template: Template) -> str:
    # sorted keys, no spaces: the same encoding gives the content hash (model.encode)
    return encode(template.to_dict())[0]


def _load(data: str, origin: str, where: str) -> Template | None:
    # rows were validated when written: read them without validating again (fast), but a
    # damaged row (edited by hand, a bug) must not hide the others
    try:
        return Template.from_dict(json.loads(data), origin=origin, validate=False)
    except (ValueError, TemplateError, KeyError, TypeError, AttributeError) as exc:
        log.error("Skipping unreadable template %s: %s", where, exc)
        return None


def _team_from_row(row: dict) -> TeamRecord | None:
    template = _load(row["data"], TEAM, row["template_id"])
    if template is None:
        return None
    template.locked = bool(row["locked"])
    return TeamRecord(template, row["pack_id"], row["content_hash"], bool(row["locked"]),
                      bool(row["disabled"]), bool(row["hidden"]), row["retired_at"],
                      row["installed_at"], row["updated_at"])


def _personal_from_row(row: dict) -> PersonalRecord | None:
    template = _load(row["data"], PERSONAL, row["template_id"])
    if template is None:
        return None
    base = None
    if row["base_data"]:
        try:
            base = json.loads(row["base_data"])
        except ValueError:
            base = None
    return PersonalRecord(template, row["content_hash"], row["base_pack_id"], row["base_hash"],
                          base, bool(row["team_updated"]), row["created_at"], row["updated_at"])


# -- team layer --------------------------------------------------------------------------

def get_team(db: sqlite_utils.Database, template_id: str) -> TeamRecord | None:
    rows = list(db["team_templates"].rows_where("template_id = ?", [template_id]))
    return _team_from_row(rows[0]) if rows else None


def list_team(db: sqlite_utils.Database, pack_id: str | None = None,
              include_retired: bool = False) -> list[TeamRecord]:
    where, params = [], []
    if pack_id is not None:
        where.append("pack_id = ?")
        params.append(pack_id)
    if not include_retired:
        where.append("retired_at IS NULL")
    rows = db["team_templates"].rows_where(" AND ".join(where) or None, params,
                                           order_by="template_id")
    return [r for r in map(_team_from_row, rows) if r is not None]


def team_records(db: sqlite_utils.Database, template_ids) -> list[TeamRecord]:
    """The team rows of ``template_ids``, retired ones too, reading only those."""
    rows = db["team_templates"].rows_where("template_id IN (SELECT value FROM json_each(?))",
                                           [json.dumps(sorted(set(template_ids)))], order_by="template_id")
    return [r for r in map(_team_from_row, rows) if r is not None]


# a team row taken over by a pack's (new) version: updated_at moves only when the content did
_REWRITE_TEAM_ROW = (
    "UPDATE team_templates SET pack_id = ?, data = ?, content_hash = ?, locked = ?, retired_at = NULL, "
    "updated_at = CASE WHEN content_hash = ? AND retired_at IS NULL THEN updated_at ELSE ? END "
    "WHERE template_id = ?")


def upsert_team_template(db: sqlite_utils.Database, pack_id: str, template: Template,
                         *, now: datetime | None = None, encoded: tuple[str, str] | None = None) -> str:
    """Install or update one team template. ``template.locked`` is stored as the lock flag;
    ``disabled``/``hidden`` keep their current values. Returns what happened. ``encoded``:
    the team template's :func:`~assistant.templates.model.encode` (stored JSON, content hash),
    when the caller has it already."""
    stamp = _now(now)
    template = replace(template, origin=TEAM)  # judged already: no second validation
    data, digest = encoded or encode(template.to_dict())
    with db.atomic():
        existing = db.execute(
            "SELECT pack_id, content_hash, retired_at FROM team_templates WHERE template_id = ?",
            [template.id]).fetchone()
        if existing and existing[0] != pack_id and existing[2] is None:
            raise TemplateConflict(
                f"The template id '{template.id}' already belongs to the pack '{existing[0]}'.")
        if existing is None:
            outcome = "added"
            db["team_templates"].insert({
                "template_id": template.id, "pack_id": pack_id, "data": data,
                "content_hash": digest, "locked": int(template.locked), "disabled": 0,
                "hidden": 0, "retired_at": None, "installed_at": stamp, "updated_at": stamp})
        else:
            if existing[2] is not None:
                outcome = "restored"
            elif existing[1] == digest:
                outcome = "unchanged"
            else:
                outcome = "updated"
            db.execute(_REWRITE_TEAM_ROW, [pack_id, data, digest, int(template.locked), digest, stamp, template.id])
        # a personal version based on other team content now has an update waiting
        db.execute(
            "UPDATE personal_templates SET team_updated = 1 WHERE template_id = ? "
            "AND (base_hash IS NULL OR base_hash != ?)", [template.id, digest])
        db.execute(
            "UPDATE personal_templates SET base_pack_id = ? WHERE template_id = ? "
            "AND base_pack_id IS NULL", [pack_id, template.id])
    return outcome


def insert_new_team_templates(db: sqlite_utils.Database, pack_id: str,
                              templates: list[tuple[str, str, str, bool]], *, now: datetime | None = None) -> None:
    """Add team templates whose ids have no row yet (the caller checked: a pack's first
    install), in one statement: what :func:`upsert_team_template` does for an added template,
    without its per-template lookups. Each is (id, stored JSON, content hash, locked) of a
    validated team template, from :func:`~assistant.templates.model.encode` of its
    :func:`~assistant.templates.model.template_dict` with origin ``team``."""
    stamp = _now(now)
    db.conn.executemany(
        "INSERT INTO team_templates (template_id, pack_id, data, content_hash, locked, disabled, hidden, "
        "retired_at, installed_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)",
        [(tid, pack_id, data, digest, int(locked), stamp, stamp) for tid, data, digest, locked in templates])


def rewrite_team_templates(db: sqlite_utils.Database, pack_id: str,
                           templates: list[tuple[str, str, str, bool]], *, now: datetime | None = None) -> None:
    """Write new versions of team templates that have a row already and no personal version
    (the caller checked: a pack's update), in one statement: what :func:`upsert_team_template`
    does for them (the caller tells "updated", "unchanged" or "restored" from the row it read),
    without its per-template lookups. Each is (id, stored JSON, content hash, locked), as for
    :func:`insert_new_team_templates`."""
    stamp = _now(now)
    db.conn.executemany(_REWRITE_TEAM_ROW, [(pack_id, data, digest, int(locked), digest, stamp, tid)
                                           for tid, data, digest, locked in templates])


def retire_team_template(db: sqlite_utils.Database, template_id: str,
                         *, now: datetime | None = None) -> bool:
    with db.atomic():
        cursor = db.execute(
            "UPDATE team_templates SET retired_at = ? WHERE template_id = ? AND retired_at IS NULL",
            [_now(now), template_id])
    return cursor.rowcount > 0


def retire_missing(db: sqlite_utils.Database, pack_id: str, keep_ids,
                   *, now: datetime | None = None) -> list[str]:
    """Retire the pack's active templates whose ids are not in ``keep_ids``."""
    keep = set(keep_ids)
    retired = []
    with db.atomic():
        for record in list_team(db, pack_id):
            if record.template_id not in keep:
                retire_team_template(db, record.template_id, now=now)
                retired.append(record.template_id)
    return retired


def remove_pack(db: sqlite_utils.Database, pack_id: str) -> int:
    """Delete every team row of a pack (uninstall). Personal versions stay, as personal."""
    with db.atomic():
        cursor = db.execute("DELETE FROM team_templates WHERE pack_id = ?", [pack_id])
    return cursor.rowcount


def set_team_flags(db: sqlite_utils.Database, template_id: str, *, locked: bool | None = None,
                   disabled: bool | None = None, hidden: bool | None = None) -> None:
    changes = {k: int(v) for k, v in (("locked", locked), ("disabled", disabled),
                                      ("hidden", hidden)) if v is not None}
    if not changes:
        return
    with db.atomic():
        if get_team(db, template_id) is None:
            raise StoreError(f"There is no team template '{template_id}'.")
        db["team_templates"].update(template_id, changes)


def set_pack_flags(db: sqlite_utils.Database, pack_id: str, hidden: bool, disabled: bool,
                   per_template: dict[str, tuple[bool, bool]], only: str | None = None) -> None:
    """The effective hidden/disabled flags of a pack's team templates: the pack's own, or
    the agent's choice for one template (``per_template``: id -> (hidden, disabled)).
    ``only``: of that one template (the agent ticked it), not of the whole pack."""
    one = " AND template_id = ?" if only is not None else ""
    with db.atomic():
        db.execute("UPDATE team_templates SET hidden = ?, disabled = ? WHERE pack_id = ? "
                   f"AND (hidden != ? OR disabled != ?){one}",  # rows already right are not rewritten
                   [int(hidden), int(disabled), pack_id, int(hidden), int(disabled)] + ([only] if one else []))
        db.conn.executemany("UPDATE team_templates SET hidden = MAX(hidden, ?), disabled = MAX(disabled, ?) "
                            "WHERE template_id = ? AND pack_id = ?",
                            [(int(h), int(d), tid, pack_id) for tid, (h, d) in per_template.items()
                             if (h or d) and only in (None, tid)])


def team_index(db: sqlite_utils.Database) -> dict[str, tuple[str, str, str | None, bool]]:
    """Every team row, unparsed: id -> (pack_id, content_hash, retired_at, locked)."""
    return {r[0]: (r[1], r[2], r[3], bool(r[4])) for r in db.execute(
        "SELECT template_id, pack_id, content_hash, retired_at, locked FROM team_templates")}


def personal_index(db: sqlite_utils.Database) -> dict[str, tuple[str, str | None, str | None, str]]:
    """Every personal row, unparsed: id -> (content_hash, base_pack_id, base_hash, data JSON)."""
    return {r[0]: r[1:] for r in db.execute(
        "SELECT template_id, content_hash, base_pack_id, base_hash, data FROM personal_templates")}


def library_fingerprint(db: sqlite_utils.Database) -> dict[str, int]:
    """A number per template id, taken from every column of its team and personal rows that
    :func:`library` reads, so two fingerprints differ at every template whose library entry
    may differ: how the app finds which templates another program changed without reading
    and parsing them all (0.2 s at 50,000 templates; issue 18). Python's ``hash``: compare
    only fingerprints taken by the same process."""
    prints = {r[0]: hash(r[1:]) for r in db.execute(
        "SELECT template_id, pack_id, data, content_hash, locked, disabled, hidden, retired_at FROM team_templates")}
    for r in db.execute("SELECT template_id, data, content_hash, base_pack_id, base_hash, base_data, team_updated "
                        "FROM personal_templates"):
        prints[r[0]] = hash((prints.get(r[0]), r[1:]))
    return prints


def changed_ids(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """The templates whose fingerprint (:func:`library_fingerprint`) differs, added or gone."""
    return {tid for tid, _ in before.items() ^ after.items()}


def team_ids(db: sqlite_utils.Database, pack_id: str) -> list[str]:
    """The ids of a pack's team templates, retired ones included."""
    return [r[0] for r in db.execute("SELECT template_id FROM team_templates WHERE pack_id = ? "
                                     "ORDER BY template_id", [pack_id])]


def detach_personal(db: sqlite_utils.Database, pack_id: str) -> None:
    """The pack is gone: personal versions based on it become plain personal templates."""
    with db.atomic():
        db.execute("UPDATE personal_templates SET base_pack_id = NULL, base_hash = NULL, base_data = NULL, "
                   "team_updated = 0 WHERE base_pack_id = ?", [pack_id])


def team_updates(db: sqlite_utils.Database) -> list[tuple[str, str, dict, dict, dict | None]]:
    """Personal versions whose active team version changed since they were made:
    (template id, pack id, personal data, team data, base data or None).
    The flagged personal versions (a few) are listed first and each team version is found by
    its key. Written as a join, SQLite scanned every team template instead, or built a Bloom
    filter over all of them (19 ms at 50,000, on each opening of the Packs window)."""
    rows = db.execute(
        "SELECT p.template_id, t.pack_id, p.data, t.data, p.base_data "
        "FROM personal_templates p, team_templates t "
        "WHERE t.template_id IN (SELECT template_id FROM personal_templates WHERE team_updated = 1) "
        "AND p.template_id = t.template_id AND t.retired_at IS NULL ORDER BY p.template_id").fetchall()
    return [(r[0], r[1], json.loads(r[2]), json.loads(r[3]), _json_or_none(r[4])) for r in rows]


def _json_or_none(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


# -- personal layer ----------------------------------------------------------------------

def get_personal(db: sqlite_utils.Database, template_id: str) -> PersonalRecord | None:
    rows = list(db["personal_templates"].rows_where("template_id = ?", [template_id]))
    return _personal_from_row(rows[0]) if rows else None


def list_personal(db: sqlite_utils.Database) -> list[PersonalRecord]:
    rows = db["personal_templates"].rows_where(order_by="template_id")
    return [r for r in map(_personal_from_row, rows) if r is not None]


def personal_overrides(db: sqlite_utils.Database) -> list[PersonalRecord]:
    """Personal versions of team templates, with the team content they were based on."""
    return [r for r in list_personal(db) if r.is_override]


def save_personal(db: sqlite_utils.Database, template: Template,
                  *, now: datetime | None = None) -> PersonalRecord:
    """Save the agent's template. If its id is an active team template, this is a personal
    version of it: the first save records the team content as its base; later saves keep
    that base (so a three-way merge stays possible). Locked team templates refuse."""
    problems = validation.errors(template.validate())
    if problems:
        raise TemplateError(problems)
    stamp = _now(now)
    template = replace(template, origin=PERSONAL, locked=False)
    with db.atomic():
        team = get_team(db, template.id)
        if team is not None and team.active and team.locked:
            raise LockedTemplateError(
                f"The team locked '{team.template.title}': it cannot be edited. Duplicate it "
                f"to make your own template.")
        existing = get_personal(db, template.id)
        row = {"template_id": template.id, "data": _dump(template),
               "content_hash": content_hash(template), "updated_at": stamp}
        if existing is None:
            row["created_at"] = stamp
            row["team_updated"] = 0
            if team is not None and team.active:
                row.update(base_pack_id=team.pack_id, base_hash=team.content_hash,
                           base_data=_dump(team.template))
        db["personal_templates"].upsert(row, pk="template_id")
    return get_personal(db, template.id)


def rebase_personal(db: sqlite_utils.Database, template: Template,
                    *, now: datetime | None = None) -> PersonalRecord:
    """Store a merged personal version and take the current team content as its base
    (for the packs' three-way merge); clears ``team_updated``."""
    with db.atomic():
        team = get_team(db, template.id)
        if team is None:
            raise StoreError(f"There is no team template '{template.id}' to rebase on.")
        save_personal(db, template, now=now)
        db["personal_templates"].update(template.id, {
            "base_pack_id": team.pack_id, "base_hash": team.content_hash,
            "base_data": _dump(team.template), "team_updated": 0})
    return get_personal(db, template.id)


def mark_team_updated(db: sqlite_utils.Database, template_id: str, flag: bool = True) -> None:
    with db.atomic():
        db.execute("UPDATE personal_templates SET team_updated = ? WHERE template_id = ?",
                   [int(flag), template_id])


def delete_personal(db: sqlite_utils.Database, template_id: str) -> bool:
    """Delete a personal template, or drop a personal version (the team's shows again)."""
    with db.atomic():
        cursor = db.execute("DELETE FROM personal_templates WHERE template_id = ?", [template_id])
        if not db.execute("SELECT 1 FROM team_templates WHERE template_id = ?",
                          [template_id]).fetchone():
            db.execute("DELETE FROM template_usage WHERE template_id = ?", [template_id])
    return cursor.rowcount > 0


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:60] or "template"


def new_personal_id(db: sqlite_utils.Database, title: str) -> str:
    """A fresh id ``my.<slug>[-n]`` not used by any layer."""
    return new_personal_ids(db, [title])[0]


def new_personal_ids(db: sqlite_utils.Database, titles, reserved=()) -> list[str]:
    """A fresh id ``my.<slug>[-n]`` for each of ``titles``, used by no layer, not in
    ``reserved`` and not given to another of them; a title that repeats goes on from the last
    number it was given (an import of thousands, many alike, probes each number once)."""
    taken = set(reserved)
    next_number: dict[str, int] = {}
    ids = []
    for title in titles:
        base = f"my.{_slug(title)}"
        n = next_number.get(base, 1)
        while True:
            candidate = base if n == 1 else f"{base}-{n}"
            n += 1
            if candidate not in taken and not db.execute(
                    "SELECT 1 FROM personal_templates WHERE template_id = ? UNION "
                    "SELECT 1 FROM team_templates WHERE template_id = ?", [candidate, candidate]).fetchone():
                break
        next_number[base] = n
        taken.add(candidate)
        ids.append(candidate)
    return ids


def ids_in_use(db: sqlite_utils.Database, template_ids) -> set[str]:
    """Those of ``template_ids`` that a row of either layer has (retired, damaged or not)."""
    ids = json.dumps(sorted(set(template_ids)))
    return {r[0] for r in db.execute(
        "SELECT template_id FROM personal_templates WHERE template_id IN (SELECT value FROM json_each(?)) "
        "UNION SELECT template_id FROM team_templates WHERE template_id IN (SELECT value FROM json_each(?))",
        [ids, ids])}


def add_personal(db: sqlite_utils.Database, templates: list[Template], *,
                 now: datetime | None = None) -> None:
    """Store ``templates`` as new personal templates, all or none, in one write: an import
    of thousands (a read and an upsert each took 0.48 ms; 20,000 in 9.6 s). Each is checked
    as :func:`save_personal` checks it (TemplateError); an id any layer has already, or two
    of them share, is refused (StoreError)."""
    stamp = _now(now)
    rows = []
    for template in templates:
        problems = validation.errors(template.validate())
        if problems:
            raise TemplateError(problems)
        data, digest = encode(replace(template, origin=PERSONAL, locked=False).to_dict())
        rows.append((template.id, data, digest, stamp, stamp))
    ids = [row[0] for row in rows]
    seen: set[str] = set()
    for tid in ids:
        if tid in seen:
            raise StoreError(f"The template id '{tid}' is given twice.")
        seen.add(tid)
    from assistant.storage import changes

    with db.atomic(), changes.one_bump_per_write(db.conn, changes.LIBRARY, ("personal_templates",)):
        clash = ids_in_use(db, ids)
        if clash:
            raise StoreError(f"A template with the id '{min(clash)}' already exists.")
        db.conn.executemany(
            "INSERT INTO personal_templates (template_id, data, content_hash, team_updated, created_at, "
            "updated_at) VALUES (?, ?, ?, 0, ?, ?)", rows)


def duplicate(db: sqlite_utils.Database, template_id: str, *, suffix: str = " (copy)",
              now: datetime | None = None) -> Template:
    """A personal copy of any template in the library, with a new id and titles."""
    entry = get_entry(db, template_id, include_hidden=True)
    if entry is None:
        raise StoreError(f"There is no template '{template_id}'.")
    data = entry.template.to_dict()
    for variant in data["variants"].values():
        variant["title"] = (variant["title"] + suffix)[:200]
    data["id"] = new_personal_id(db, entry.template.title)
    data["shortcut"] = None  # two templates answering the same shortcut would be ambiguous
    data["locked"] = False
    copy = Template.from_dict(declare_placeholders(data), origin=PERSONAL)
    save_personal(db, copy, now=now)
    return copy


# -- the effective library ---------------------------------------------------------------

def library(db: sqlite_utils.Database, include_hidden: bool = False) -> list[LibraryEntry]:
    """Every template the agent can use, personal versions layered over team ones."""
    return _layered(list_team(db), list_personal(db), include_hidden)


def library_rows(db: sqlite_utils.Database) -> int:
    """How many rows the library is layered from (live team templates and personal ones):
    never fewer than it lists. Counted, nothing read: what tells a small library, that may
    be read at once, from one that has just grown (an import, a first pack)."""
    return db.execute("SELECT (SELECT count(*) FROM team_templates WHERE retired_at IS NULL) + "
                      "(SELECT count(*) FROM personal_templates)").fetchone()[0]


def library_entries(db: sqlite_utils.Database, template_ids, include_hidden: bool = False) -> list[LibraryEntry]:
    """What :func:`library` lists of the templates ``template_ids``, reading only their rows
    (the team's news names a few templates of a library of tens of thousands)."""
    ids = json.dumps(sorted(set(template_ids)))
    where = "template_id IN (SELECT value FROM json_each(?))"
    team = db["team_templates"].rows_where(f"retired_at IS NULL AND {where}", [ids])
    personal = db["personal_templates"].rows_where(where, [ids], order_by="template_id")
    return _layered([r for r in map(_team_from_row, team) if r is not None],
                    [r for r in map(_personal_from_row, personal) if r is not None], include_hidden)


# A stored template's title as Template.title gives it (the default language's variant's),
# taken by SQLite from the JSON without parsing it; NULL where the row holds no text there.
TITLE_SQL = ("json_extract(data, '$.variants.' || json_quote(json_extract(data, '$.default_language')) "
             "|| '.title')")


class _Titled(NamedTuple):
    """What :func:`library_titles` reads of a template: its id and title, not the template."""
    id: str
    title: str


def library_titles(db: sqlite_utils.Database, template_ids) -> dict[str, tuple[str, bool]]:
    """Of ``template_ids``, those the library lists, hidden ones included (as
    :func:`library_entries` with ``include_hidden``, by the same layering): id -> (the title
    the agent sees, their own version's where they have one; whether the team changed its
    version since their own was made). Titles only (:func:`_titled_library`): the team's
    news after a pack of 50,000 templates names them all (3.5 s to parse them)."""
    ids = json.dumps(sorted(set(template_ids)))
    return {entry.id: (entry.template.title, entry.team_updated) for entry in _titled_library(
        db, "template_id IN (SELECT value FROM json_each(?))", [ids])}


def _titled_library(db: sqlite_utils.Database, where: str = "1", params=()) -> list[LibraryEntry]:
    """What :func:`library` lists with ``include_hidden`` of the rows ``where`` selects, by the
    same layering, each template standing for its id and title only: the titles are read by
    SQLite from the stored JSON, nothing is parsed (186 ms at 50,000 templates, where
    :func:`library` takes 2 s). A row that is not JSON is left out, as the library leaves it."""
    where = f"({where}) AND json_valid(data)"
    team = [TeamRecord(_Titled(tid, title if isinstance(title, str) else tid), pack_id, "", bool(locked),
                       bool(disabled), bool(hidden), None, None, None)
            for tid, title, pack_id, locked, disabled, hidden in db.execute(
                f"SELECT template_id, {TITLE_SQL}, pack_id, locked, disabled, hidden FROM team_templates "
                f"WHERE retired_at IS NULL AND {where}", list(params))]
    personal = [PersonalRecord(_Titled(tid, title if isinstance(title, str) else tid), "", None, None, None,
                               bool(updated), None, None)
                for tid, title, updated in db.execute(
                    f"SELECT template_id, {TITLE_SQL}, team_updated FROM personal_templates WHERE {where} "
                    "ORDER BY template_id", list(params))]
    return _layered(team, personal, include_hidden=True)


def _layered(team_records: list[TeamRecord], personal_records: list[PersonalRecord],
             include_hidden: bool) -> list[LibraryEntry]:
    team = {r.template_id: r for r in team_records}
    entries: dict[str, LibraryEntry] = {}
    for tid, record in team.items():
        if record.disabled or (record.hidden and not include_hidden):
            continue
        entries[tid] = LibraryEntry(record.template, TEAM, record.pack_id, record.locked,
                                    record.hidden)
    for personal in personal_records:
        tid = personal.template_id
        record = team.get(tid)
        if record is None:
            entries[tid] = LibraryEntry(personal.template, PERSONAL)
        elif record.locked or record.disabled or (record.hidden and not include_hidden):
            continue  # the team's rule wins; the personal row is kept for the packs merge
        else:
            entries[tid] = LibraryEntry(personal.template, OVERRIDE, record.pack_id, False,
                                        record.hidden, personal.team_updated)
    return [entries[k] for k in sorted(entries)]


def get_entry(db: sqlite_utils.Database, template_id: str,
              include_hidden: bool = True) -> LibraryEntry | None:
    """What :func:`library` lists for ``template_id``, reading only its rows (duplicating a
    template read the whole library on the GUI thread: seconds at 50,000 templates)."""
    found = library_entries(db, [template_id], include_hidden)
    return found[0] if found else None


# -- usage -------------------------------------------------------------------------------

def record_use(db: sqlite_utils.Database, template_id: str, *, now: datetime | None = None) -> None:
    stamp = _now(now)
    with db.atomic():
        db.execute(
            "INSERT INTO template_usage (template_id, use_count, last_used, favourite) "
            "VALUES (?, 1, ?, 0) ON CONFLICT(template_id) DO UPDATE SET "
            "use_count = use_count + 1, last_used = excluded.last_used", [template_id, stamp])


def set_favourite(db: sqlite_utils.Database, template_id: str, on: bool) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO template_usage (template_id, use_count, last_used, favourite) "
            "VALUES (?, 0, NULL, ?) ON CONFLICT(template_id) DO UPDATE SET "
            "favourite = excluded.favourite", [template_id, int(on)])


def usage(db: sqlite_utils.Database) -> dict[str, Usage]:
    return {row[0]: Usage(row[1] or 0, row[2], bool(row[3])) for row in db.execute(
        "SELECT template_id, use_count, last_used, favourite FROM template_usage")}


def usage_of(db: sqlite_utils.Database, template_id: str) -> Usage:
    """One template's usage (after the agent used it or changed its favourite mark)."""
    row = db.execute("SELECT use_count, last_used, favourite FROM template_usage WHERE template_id = ?",
                     [template_id]).fetchone()
    return Usage(row[0] or 0, row[1], bool(row[2])) if row else Usage()


def usage_report(db: sqlite_utils.Database) -> list[dict]:
    """Rows for the team-lead report: id, title, layer, pack, count, last used; most used first."""
    counts = usage(db)
    rows = []
    for entry in _titled_library(db):  # titles only: the whole library parsed took 2 s at 50,000
        use = counts.get(entry.id, Usage())
        rows.append({"id": entry.id, "title": entry.template.title, "layer": entry.layer,
                     "pack_id": entry.pack_id, "count": use.count, "last_used": use.last_used,
                     "favourite": use.favourite})
    rows.sort(key=lambda r: (-r["count"], r["id"]))
    return rows
