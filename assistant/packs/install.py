"""Installing and updating a pack: all or nothing.

Order (each stage names itself in a rejection):
read (a regular file) and size caps → signature over the raw bytes against trusted keys, before
anything is parsed (or, for an unsigned pack, the policy and an explicit confirmation) → parse
→ schema and content → expiry and minimum app version → version above the high-water mark for
the pack id (a rollback needs both the policy's ``allow_downgrade`` and an explicit request) →
three-way merge per template id with the agent's layer → glossary, cards, pack record,
history. Every write happens inside one ``db.atomic()``: a rejection raises
:class:`PackRejected` and the database is unchanged.

The first stages need no database (:func:`prepare`), so the inbox can run them on a worker
thread and only :func:`apply` on the thread that owns the connection.

Merge, per template id (base = the team content the agent's personal version was made from):
- no personal version → take the pack's version;
- personal version, pack content equal to its base → keep the agent's version;
- personal version equal to the pack's new content → both made the same change: the personal
  copy is dropped, nothing to resolve;
- both changed → the agent's version stays active, flagged "team version updated"
  (``personal_templates.team_updated``), resolved in the packs dialog;
- template gone from the pack → retired; a personal version stays as a personal template;
- template now ``locked`` with a personal version → the agent's text is kept as a new
  personal template (a locked template cannot have a personal version).
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from assistant import __version__
from assistant.packs import format as fmt
from assistant.packs import signing, trust
from assistant.packs.format import Pack, PackRejected, Problem, reject
from assistant.policy import Policy
from assistant.storage import changes

log = logging.getLogger(__name__)

GLOSSARY_SOURCE_PREFIX = "pack:"


@dataclass(frozen=True)
class InstallOptions:
    allow_unsigned: bool = False  # the user explicitly confirmed an unsigned pack
    allow_downgrade: bool = False  # the user explicitly asked for an older version


@dataclass
class Verified:
    """A pack that passed every check that needs no database."""
    pack: Pack
    signed: bool
    key: trust.TrustedKey | None
    source: str = ""
    builtin: bool = False  # the starter pack shipped with the app (assistant.packs.starter)


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_local: list[str] = field(default_factory=list)
    converged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept_as_personal: list[str] = field(default_factory=list)
    locked_copies: dict[str, str] = field(default_factory=dict)  # team id -> new personal id
    written: set[str] = field(default_factory=set)  # every template whose rows the merge wrote

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "kept_local": self.kept_local, "converged": self.converged,
                "conflicts": self.conflicts, "retired": self.retired,
                "kept_as_personal": self.kept_as_personal, "locked_copies": self.locked_copies}

    def template_ids(self) -> frozenset[str]:
        """Every template whose place in the library this merge may have changed: those whose
        rows it wrote (a lock changed alone counts as unchanged, and is written) and the
        agent's copies it made. What the app announces, so that a list of 50,000 templates
        reads only those (issue 18)."""
        return frozenset({*self.written, *self.locked_copies.values()})

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated"]
        for label, items in (("kept your version", self.kept_local), ("team version updated", self.conflicts),
                             ("retired", self.retired)):
            if items:
                parts.append(f"{len(items)} {label}")
        return ", ".join(parts)


@dataclass
class InstallResult:
    pack_id: str
    title: str
    version: int
    previous_version: int | None
    action: str  # "install", "update" or "downgrade"
    signed: bool
    key_id: str | None
    fingerprint: str | None
    merge: MergeReport
    warnings: list[Problem]

    def to_dict(self) -> dict:
        return {"pack_id": self.pack_id, "title": self.title, "version": self.version,
                "previous_version": self.previous_version, "action": self.action,
                "signed": self.signed, "key_id": self.key_id, "fingerprint": self.fingerprint,
                "changes": self.merge.to_dict(), "warnings": [w.to_dict() for w in self.warnings]}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _now(now: datetime | None) -> datetime:
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment


# the tables a merge writes whose change triggers count for the library topic
_LIBRARY_TABLES = ("team_templates", "personal_templates")

# -- stages without the database ---------------------------------------------------------

def signature_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + signing.SIG_SUFFIX)


def read_files(path: Path, policy: Policy, within: Path | None = None) -> tuple[bytes, bytes | None]:
    """The pack's bytes and its signature's (None when there is no ``.minisig``), each read
    as :func:`assistant.packs.format.read_capped` reads, the pack under the policy's size cap
    (``within``: the inbox folder)."""
    raw = fmt.read_capped(path, fmt.caps_for(policy).max_bytes, within)
    sig_file = signature_path(path)
    if not os.path.lexists(sig_file):
        return raw, None
    try:
        return raw, fmt.read_capped(sig_file, signing.MAX_SIGNATURE_BYTES, within)
    except fmt.ReadStalled:
        raise
    except PackRejected as exc:
        reject(fmt.SIGNATURE, f"the signature file {sig_file.name}: {exc.problems[0].message}")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def check_signature(raw: bytes, signature: bytes | None, keys: list[trust.TrustedKey],
                    policy: Policy, options: InstallOptions) -> tuple[bool, trust.TrustedKey | None]:
    """Whether the raw bytes are signed, and by which trusted key; runs before the bytes are
    parsed, so an unsigned or forged file costs no more than hashing it."""
    if signature is None:
        if policy.require_signatures:
            reject(fmt.SIGNATURE, "the deployment policy requires signed packs and this pack has no "
                                  "signature file (.minisig)")
        if not options.allow_unsigned:
            reject(fmt.SIGNATURE, "the pack is not signed; an unsigned pack installs only after you "
                                  "confirm it explicitly")
        return False, None
    try:
        parsed = signing.parse_signature(signature)
    except signing.SignatureError as exc:
        reject(fmt.SIGNATURE, str(exc))
    key = trust.find_key(keys, parsed.key_id)
    if key is None:
        reject(fmt.SIGNATURE, f"signed by key {parsed.key_id}, which is not a trusted publisher key; " + (
            trust.pin_notice(policy) if policy.trust_only_policy_keys
            else "check its fingerprint with the publisher and trust it first"))
    minisign_key, _ = signing.parse_public_key(key.info.public_key)
    try:
        signing.verify(raw, parsed, minisign_key)
    except signing.SignatureError:
        reject(fmt.SIGNATURE, f"the signature by key {parsed.key_id} does not match this file: it "
                              f"was changed after signing, or the signature belongs to another file")
    return True, key


def check_publisher_key(pack: Pack, key: trust.TrustedKey | None) -> None:
    """The key the pack names (if any) is the one that signed it."""
    if key is not None and pack.key_id and pack.key_id != key.key_id:
        reject(fmt.SIGNATURE, f"the pack names the publisher key {pack.key_id} but is signed by key "
                              f"{key.key_id}", field="publisher_key_id")


def check_dates(pack: Pack, now: datetime) -> None:
    expires = pack.expires_at()
    if expires is not None and expires <= now:
        reject(fmt.EXPIRY, f"the pack expired on {utc_text(expires)}", field="expires")
    needed = pack.data["min_app_version"]
    if _version_tuple(needed) > _version_tuple(__version__):
        reject(fmt.APP_VERSION, f"the pack needs Agent Assistant {needed} or later (this is {__version__})",
               field="min_app_version")


def prepare(raw: bytes, signature: bytes | None, keys: list[trust.TrustedKey], policy: Policy,
            options: InstallOptions = InstallOptions(), now: datetime | None = None,
            source: str = "") -> Verified:
    """Caps (the policy's), signature, then parse and validate, and dates. Raises PackRejected."""
    caps = fmt.caps_for(policy)
    if len(raw) > caps.max_bytes:
        reject(fmt.SIZE, f"the pack is {len(raw):,} bytes; packs are limited to {caps.max_bytes:,} bytes")
    signed, key = check_signature(raw, signature, keys, policy, options)
    pack = fmt.load_pack(raw, caps=caps)
    check_publisher_key(pack, key)
    check_dates(pack, _now(now))
    return Verified(pack, signed, key, source)


# -- stages in the database --------------------------------------------------------------

def _high_water(db: sqlite_utils.Database, pack_id: str) -> tuple[int, str | None] | None:
    row = db.execute("SELECT version, fingerprint FROM pack_high_water WHERE pack_id = ?", [pack_id]).fetchone()
    return (row[0], row[1]) if row else None


def check_version(db: sqlite_utils.Database, verified: Verified, policy: Policy,
                  options: InstallOptions) -> tuple[str, int | None]:
    """('install' | 'update' | 'downgrade', installed version)."""
    pack = verified.pack
    row = db.execute("SELECT version FROM packs WHERE pack_id = ?", [pack.id]).fetchone()
    installed = row[0] if row else None
    if verified.builtin:
        # the app's own starter: the app decides when it changes (by its digest), and no mark
        # left by a pack that claimed the reserved id can freeze it
        return ("update" if installed is not None else "install"), installed
    reserved = fmt.reserved_id_problems(pack.data)
    if reserved:
        raise PackRejected(reserved)
    high = _high_water(db, pack.id)
    if high is not None:
        mark, fingerprint = high
        if pack.version == mark:
            reject(fmt.VERSION, f"version {pack.version} of '{pack.id}' is already installed or was "
                                f"installed before; a new release needs a higher version", field="version")
        if pack.version < mark:
            if not policy.allow_downgrade:
                reject(fmt.VERSION, f"version {pack.version} is older than version {mark} already seen "
                                    f"for '{pack.id}': rollbacks are refused (the deployment policy "
                                    f"does not allow downgrades)", field="version")
            if not options.allow_downgrade:
                reject(fmt.VERSION, f"version {pack.version} is older than version {mark} already seen "
                                    f"for '{pack.id}': a downgrade must be asked for explicitly",
                       field="version")
        current = verified.key.fingerprint if verified.key else None
        if fingerprint and current != fingerprint:
            if current is None:
                reject(fmt.SIGNATURE, f"'{pack.id}' was installed from a pack signed with key "
                                      f"{fingerprint}; an unsigned pack cannot replace it")
            if verified.key.source != trust.POLICY:
                reject(fmt.SIGNATURE, f"'{pack.id}' was published with the key {fingerprint}; this "
                                      f"version is signed by another key ({current}). Only a key from "
                                      f"the deployment policy may take over an existing pack")
        action = "downgrade" if pack.version < mark else ("update" if installed is not None else "install")
        return action, installed
    return ("update" if installed is not None else "install"), installed


def raw_fingerprint(data: dict) -> str:
    """A digest of a template as parsed from the pack file. ``marshal`` (format 2: no
    back-references, so the bytes depend only on the values and key order) is exact for JSON
    values and 3x cheaper than JSON. Equal bytes mean equal templates; a different Python
    version or reordered keys only make the merge take the slow path once."""
    return hashlib.blake2b(marshal.dumps(data, 2), digest_size=16).hexdigest()


MERGE_PROGRESS_EVERY = 500  # templates between two progress reports of a merge
# New and rewritten rows are written this many at a time, in the merge's one transaction: a
# 50,000-template pack held every stored text at once (130 MB more at the merge's peak)
MERGE_WRITE_EVERY = 1000
MERGING = "merging"


def merge_templates(db: sqlite_utils.Database, pack: Pack, now: datetime, progress=None) -> MergeReport:
    """``progress(MERGING, templates done, total)``: every MERGE_PROGRESS_EVERY templates."""
    from assistant.templates import store
    from assistant.templates.model import Template, encode, template_dict

    report = MergeReport()
    team = store.team_index(db)
    sources = {r[0]: r[1:] for r in db.execute(
        "SELECT template_id, pack_id, fingerprint, content_hash FROM pack_template_sources")}
    personal = store.personal_index(db)
    new_ids = set()
    new_sources = []
    fresh = []  # templates with no row at all (a first install): inserted together
    rewritten = []  # new content for rows with no personal version (an update): written together too
    total = len(pack.templates)
    for index, data in enumerate(pack.templates):
        if progress is not None and index % MERGE_PROGRESS_EVERY == 0 and index:
            progress(MERGING, index, total)
        if len(fresh) >= MERGE_WRITE_EVERY:
            store.insert_new_team_templates(db, pack.id, fresh, now=now)
            fresh = []
        if len(rewritten) >= MERGE_WRITE_EVERY:
            store.rewrite_team_templates(db, pack.id, rewritten, now=now)
            rewritten = []
        tid = data["id"]
        new_ids.add(tid)
        existing = team.get(tid)
        if existing and existing[0] != pack.id and existing[2] is None:
            reject(fmt.MERGE, f"the template id '{tid}' already belongs to the installed pack "
                              f"'{existing[0]}'", tid, f"templates[{index}].id")
        fingerprint = raw_fingerprint(data)
        source = sources.get(tid)
        if (source is not None and source[0] == pack.id and source[1] == fingerprint and existing is not None
                and existing[0] == pack.id and existing[1] == source[2] and existing[2] is None):
            # the same JSON as last time and the team row untouched since: nothing to rebuild
            digest, locked, outcome = source[2], bool(existing[3]), "unchanged"
        else:
            # judged by the same validator when the pack was loaded (format.validate_document):
            # the team template as Template.from_dict(...).to_dict() gives it, encoded once
            team_data = template_dict(data, store.TEAM)
            stored, digest = encode(team_data, in_order=True)
            locked = team_data["locked"]
            unchanged = (existing is not None and existing[0] == pack.id and existing[1] == digest
                         and existing[2] is None and bool(existing[3]) == locked)
            if not unchanged:
                report.written.add(tid)
            if existing is None and tid not in personal:  # ids are unique in a valid pack
                fresh.append((tid, stored, digest, locked))
                outcome = "added"
            elif unchanged:
                outcome = "unchanged"
            elif existing is not None and tid not in personal:
                # as upsert_team_template tells it from the same row (another pack's active row
                # was refused above)
                outcome = ("restored" if existing[2] is not None else
                           "unchanged" if existing[1] == digest else "updated")
                rewritten.append((tid, stored, digest, locked))
            else:
                template = Template.from_dict(team_data, origin=store.TEAM, validate=False)
                outcome = store.upsert_team_template(db, pack.id, template, now=now, encoded=(stored, digest))
            new_sources.append((tid, pack.id, fingerprint, digest))
        mine = personal.get(tid)
        if mine is None:
            _count(report, outcome, tid)
            continue
        mine_hash, _base_pack, base_hash, mine_data = mine
        if locked and mine_hash != digest:
            # a locked template cannot have a personal version: keep the agent's text apart
            report.locked_copies[tid] = _keep_as_personal_copy(db, mine_data, now)
            store.delete_personal(db, tid)
            report.written.add(tid)
            _count(report, outcome, tid)
        elif mine_hash == digest:
            store.delete_personal(db, tid)  # the personal version now equals the team's
            report.written.add(tid)
            if outcome == "unchanged":
                report.unchanged += 1
            else:
                report.converged.append(tid)
        elif base_hash == digest:
            report.kept_local.append(tid)
        else:
            store.mark_team_updated(db, tid, True)
            report.written.add(tid)
            report.conflicts.append(tid)
    if fresh:
        store.insert_new_team_templates(db, pack.id, fresh, now=now)
    if rewritten:
        store.rewrite_team_templates(db, pack.id, rewritten, now=now)
    if new_sources:
        db.conn.executemany(
            "INSERT INTO pack_template_sources (template_id, pack_id, fingerprint, content_hash) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (template_id) DO UPDATE SET pack_id = excluded.pack_id, "
            "fingerprint = excluded.fingerprint, content_hash = excluded.content_hash", new_sources)
    for tid, (owner, _, retired_at, _) in team.items():
        if owner == pack.id and retired_at is None and tid not in new_ids:
            store.retire_team_template(db, tid, now=now)
            report.retired.append(tid)
            report.written.add(tid)
            if tid in personal:
                report.kept_as_personal.append(tid)
    return report


def _count(report: MergeReport, outcome: str, tid: str) -> None:
    if outcome == "added":
        report.added.append(tid)
    elif outcome in ("updated", "restored"):
        report.updated.append(tid)
    else:
        report.unchanged += 1


def _keep_as_personal_copy(db, data_json: str, now: datetime) -> str:
    from assistant.templates import store
    from assistant.templates.model import Template, declare_placeholders

    data = declare_placeholders(json.loads(data_json))  # a row saved before names were declared
    data["id"] = store.new_personal_id(db, Template.from_dict(data).title)
    data["shortcut"] = None  # the team template keeps the shortcut
    data["locked"] = False
    copy = Template.from_dict(data, origin=store.PERSONAL)
    store.save_personal(db, copy, now=now)
    return copy.id


def store_glossary(db: sqlite_utils.Database, pack_id: str, terms: list[dict]) -> None:
    """Every term is kept in ``pack_glossary`` (with its preferred translations); the
    do-not-translate terms are also handed to the translation feature's glossary (source
    ``pack:<id>``) when it is installed, so translations protect them."""
    db.execute("DELETE FROM pack_glossary WHERE pack_id = ?", [pack_id])
    if terms:
        db["pack_glossary"].insert_all([{
            "pack_id": pack_id, "term": t["term"], "do_not_translate": int(t.get("do_not_translate", False)),
            "translations": json.dumps(t.get("translations") or {}, ensure_ascii=False),
            "note": t.get("note")} for t in terms])
    try:
        from assistant.translation import glossary
    except ImportError:
        return
    if not db["glossary_terms"].exists():
        return
    source = GLOSSARY_SOURCE_PREFIX + pack_id
    glossary.remove_source(db, source)
    keep = [t["term"] for t in terms if t.get("do_not_translate")]
    if keep:
        glossary.add_terms(db, keep, source)


def store_cards(db: sqlite_utils.Database, pack_id: str, cards: list[dict]) -> None:
    db.execute("DELETE FROM pack_cards WHERE pack_id = ?", [pack_id])
    if cards:
        db["pack_cards"].insert_all([{
            "pack_id": pack_id, "country": c["country"], "kind": c["kind"],
            "card_json": json.dumps(c["content"], ensure_ascii=False, sort_keys=True)} for c in cards])


def apply_flags(db: sqlite_utils.Database, pack_id: str, only: str | None = None) -> None:
    """Write the effective hidden/disabled flags of a pack's templates (``only``: of that
    template): the pack's flag or the agent's per-template choice."""
    from assistant.templates import store

    row = db.execute("SELECT hidden, disabled FROM packs WHERE pack_id = ?", [pack_id]).fetchone()
    if row is None:
        return
    prefs = {r[0]: (bool(r[1]), bool(r[2])) for r in db.execute(
        "SELECT template_id, hidden, disabled FROM pack_template_prefs WHERE (hidden OR disabled)"
        + (" AND template_id = ?" if only is not None else ""), [only] if only is not None else [])}
    store.set_pack_flags(db, pack_id, bool(row[0]), bool(row[1]), prefs, only)


def set_flags(db: sqlite_utils.Database, pack_id: str, *, hidden: bool | None = None,
              disabled: bool | None = None) -> None:
    """The pack-wide hidden/disabled flags, and the effective flags of its templates."""
    with db.atomic():
        changes = {k: int(v) for k, v in (("hidden", hidden), ("disabled", disabled)) if v is not None}
        if changes:
            db["packs"].update(pack_id, changes)
        apply_flags(db, pack_id)


def forget(db: sqlite_utils.Database, pack_id: str, template_ids: list[str], now: datetime) -> None:
    """The records of an uninstalled pack (its templates already left the template store);
    the high-water mark stays, so reinstalling an old version is still a rollback."""
    with db.atomic():
        row = db.execute("SELECT version, signed, fingerprint FROM packs WHERE pack_id = ?", [pack_id]).fetchone()
        db.execute("DELETE FROM pack_template_sources WHERE pack_id = ?", [pack_id])
        store_cards(db, pack_id, [])
        store_glossary(db, pack_id, [])
        db.execute("DELETE FROM packs WHERE pack_id = ?", [pack_id])
        db["pack_history"].insert({"pack_id": pack_id, "action": "remove", "version": None,
                                   "previous_version": row[0] if row else None, "at": utc_text(now),
                                   "signed": row[1] if row else 0, "fingerprint": row[2] if row else None,
                                   "changes": json.dumps({"removed": template_ids})})


def release(verified: Verified) -> None:
    """Free the pack's parsed templates a slice at a time, on the calling thread; the pack
    is of no use afterwards. Freed at once, when the last reference went, the millions of
    objects of a 50,000-template pack held the interpreter lock 51-95 ms in one stretch (the
    Packs window froze right after its merge); a slice frees in about a millisecond, and
    other threads run between slices."""
    templates = verified.pack.data.get("templates")
    while isinstance(templates, list) and templates:
        del templates[-500:]


def apply(db: sqlite_utils.Database, verified: Verified, policy: Policy,
          options: InstallOptions = InstallOptions(), now: datetime | None = None,
          progress=None) -> InstallResult:
    """Version check, merge and records, in one transaction. ``progress``: see
    :func:`merge_templates` (the app runs this on a thread of its own and shows it)."""
    now = _now(now)
    pack = verified.pack
    stamp = utc_text(now)
    # one library notice for the thousands of rows a merge may write (not one per row)
    with db.atomic(), changes.one_bump_per_write(db.conn, changes.LIBRARY, _LIBRARY_TABLES):
        action, installed = check_version(db, verified, policy, options)
        report = merge_templates(db, pack, now, progress)
        store_glossary(db, pack.id, pack.data.get("glossary") or [])
        store_cards(db, pack.id, pack.data.get("cards") or [])
        key = verified.key
        existing = db.execute("SELECT installed_at FROM packs WHERE pack_id = ?", [pack.id]).fetchone()
        record = {
            "pack_id": pack.id, "title": pack.title, "publisher": pack.publisher,
            "description": pack.data.get("description"), "version": pack.version,
            "created": pack.data["created"], "expires": pack.data.get("expires"),
            "min_app_version": pack.data["min_app_version"], "default_language": pack.data["default_language"],
            "languages": json.dumps(pack.data["languages"]), "signed": int(verified.signed),
            "key_id": key.key_id if key else None, "fingerprint": key.fingerprint if key else None,
            "public_key": key.info.public_key if key else None, "sha256": pack.sha256,
            "source": verified.source, "installed_at": existing[0] if existing else stamp,
            "updated_at": stamp, "template_count": len(pack.templates),
            "warnings": json.dumps([w.to_dict() for w in pack.warnings], ensure_ascii=False),
            "release_notes": pack.data.get("release_notes"),
        }
        if existing:
            db["packs"].update(pack.id, record)
        else:
            db["packs"].insert(record)
        apply_flags(db, pack.id)
        high = _high_water(db, pack.id)
        db["pack_high_water"].upsert({
            "pack_id": pack.id,
            "version": max(pack.version, high[0]) if high and not verified.builtin else pack.version,
            "fingerprint": key.fingerprint if key else (high[1] if high else None),
            "updated_at": stamp}, pk="pack_id")
        db["pack_history"].insert({
            "pack_id": pack.id, "action": action, "version": pack.version,
            "previous_version": installed, "at": stamp, "signed": int(verified.signed),
            "fingerprint": key.fingerprint if key else None,
            "changes": json.dumps(report.to_dict(), ensure_ascii=False)})
    log.info("Pack %s version %s: %s (%s)", pack.id, pack.version, action, report.summary())
    return InstallResult(pack.id, pack.title, pack.version, installed, action, verified.signed,
                         key.key_id if key else None, key.fingerprint if key else None, report, pack.warnings)


def install_file(db: sqlite_utils.Database, policy: Policy, path: Path,
                 options: InstallOptions = InstallOptions(), now: datetime | None = None) -> InstallResult:
    """The whole pipeline for a file (and its ``.minisig`` beside it)."""
    path = Path(path)
    raw, signature = read_files(path, policy)
    verified = prepare(raw, signature, trust.trusted_keys(db, policy), policy, options, now, str(path))
    del raw  # the file's bytes are not needed by the merge (130 MB at 50,000 templates)
    return apply(db, verified, policy, options, now)


__all__ = ["InstallOptions", "InstallResult", "MergeReport", "PackRejected", "Verified",
           "apply", "install_file", "prepare"]
