"""The starter pack shipped in ``resources/packs/starter.agentpack.json``: loaded into the
team layer on first start, so the app is useful before any team pack arrives, and updated
when a new app version ships a newer starter pack (personal edits are kept by the merge).

The file is part of the application, so it is trusted without a signature. It goes through
the same validation and three-way merge as any pack (a pack feature: templates know nothing
of packs). A digest of the installed file is kept in settings so the check at start costs one
file read and one settings lookup.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone

import sqlite_utils

from assistant import settings
from assistant.errors import UserError
from assistant.packs import format as fmt
from assistant.paths import resource_path
from assistant.policy import Policy

log = logging.getLogger(__name__)

STARTER_FILE = "starter.agentpack.json"
STARTER_PACK_ID = fmt.RESERVED_PACK_ID  # no other pack may use it or "starter.*"
BUILTIN_SOURCE = "built-in"
DIGEST_KEY = "templates.starter_sha256"


class StarterPackError(UserError):
    """The shipped starter pack is broken (a packaging bug, reported, never fatal)."""


def starter_path():
    return resource_path("packs", STARTER_FILE)


def ensure_starter_pack(db: sqlite_utils.Database, *, policy=None, now: datetime | None = None) -> str:
    """Install or update the starter pack if the shipped file changed since last time.
    Returns "current", "installed", "updated" or "skipped" (a newer version is installed)."""
    if starter_is_current(db):
        return "current"
    return install_loaded(db, load_shipped(), policy=policy, now=now)


def starter_is_current(db: sqlite_utils.Database) -> bool:
    """Whether the shipped file is the one installed (one file read, one settings lookup):
    the check at every start."""
    return settings.get(db, DIGEST_KEY) == hashlib.sha256(starter_path().read_bytes()).hexdigest()


class LoadedStarter:
    """The shipped file, read, parsed and checked: what a worker thread can prepare, so
    the writer only merges (issue 18: the checks are most of a first start's install)."""

    def __init__(self, digest: str, pack):
        self.digest, self.pack = digest, pack


def load_shipped() -> LoadedStarter:
    """Read and check the shipped starter pack (no database: safe on any thread).
    Raises StarterPackError."""
    from assistant.packs import install  # noqa: F401  (loaded here, where it costs no one: the merge needs it)

    raw = starter_path().read_bytes()
    try:
        pack = fmt.load_pack(raw, builtin=True)
    except fmt.PackRejected as exc:
        raise StarterPackError(f"The shipped starter pack is invalid: {exc}") from exc
    return LoadedStarter(hashlib.sha256(raw).hexdigest(), pack)


def install_loaded(db: sqlite_utils.Database, loaded: LoadedStarter, *, policy=None,
                   now: datetime | None = None) -> str:
    """Merge a :func:`load_shipped` starter pack on the caller's connection (the app's
    one writer) and remember its digest. Returns "installed", "updated" or "skipped"."""
    outcome = _install(db, loaded.pack, policy, now or datetime.now(timezone.utc))
    settings.put(db, DIGEST_KEY, loaded.digest)
    log.info("Starter pack: %s", outcome)
    return outcome


def _install(db, pack, policy, now: datetime) -> str:
    from assistant.packs import install  # only when the shipped file changed: it loads the signing code

    row = db.execute("SELECT version FROM packs WHERE pack_id = ? AND source = ?",
                     [pack.id, BUILTIN_SOURCE]).fetchone()
    if row is not None and row[0] >= pack.version:
        return "skipped"  # this or a newer starter is installed: never roll back
    verified = install.Verified(pack, signed=False, key=None, source=BUILTIN_SOURCE, builtin=True)
    try:
        result = install.apply(db, verified, policy or Policy(), install.InstallOptions(), now)
    except fmt.PackRejected as exc:  # e.g. a pack installed before ids were reserved owns one of ours
        raise StarterPackError(f"The starter pack cannot be installed: {exc}") from exc
    return "installed" if result.previous_version is None else "updated"
