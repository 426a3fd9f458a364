"""The pack inbox: a folder (the policy's ``pack_inbox``, else the setting ``packs.inbox``),
often a shared drive, checked at start and periodically. A *newer, signed, trusted* pack
found there installs automatically; everything else waits for the agent:

- unsigned packs never install from the inbox (they need an explicit confirmation);
- packs signed by an untrusted key, invalid, expired or older are reported once per file
  version, not retried until the file changes.

Work is split so the app can run the slow part on a worker thread: :meth:`Inbox.collect`
reads, parses and verifies files with a snapshot of the trusted keys and version marks (no
database), :meth:`Inbox.install` applies the results on the thread that owns the
connection. :meth:`Inbox.check` does both, for the CLI and tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from assistant import settings
from assistant.packs import format as fmt
from assistant.packs import install, trust
from assistant.policy import Policy

log = logging.getLogger(__name__)

SETTING_KEY = "packs.inbox"
CHECK_INTERVAL_S = 15 * 60
MAX_FILES = 200


def inbox_folder(db: sqlite_utils.Database, policy: Policy) -> Path | None:
    folder = policy.pack_inbox or settings.get(db, SETTING_KEY)
    return Path(folder).expanduser() if folder else None


@dataclass
class Snapshot:
    """What collect() needs from the database, read on the database's thread."""
    keys: list[trust.TrustedKey]
    marks: dict[str, int]
    policy: Policy


@dataclass
class Collected:
    path: Path
    verified: install.Verified | None = None
    rejected: fmt.PackRejected | None = None


@dataclass
class InboxReport:
    installed: list[install.InstallResult] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    up_to_date: list[str] = field(default_factory=list)

    def message(self) -> str:
        lines = [f"{r.title} {r.version}: {r.merge.summary()}" for r in self.installed]
        lines += [f"{name}: {reason}" for name, reason in self.rejected]
        return "\n".join(lines)


class Inbox:
    def __init__(self) -> None:
        self._seen: dict[Path, tuple[float, int, int]] = {}  # file -> (mtime, size, sig size)

    def forget(self, paths: list[Path]) -> None:
        """Look at these files again next time (their install could not run)."""
        for path in paths:
            self._seen.pop(path, None)

    def snapshot(self, db: sqlite_utils.Database, policy: Policy) -> Snapshot:
        marks = {r[0]: r[1] for r in db.execute("SELECT pack_id, version FROM pack_high_water")}
        return Snapshot(trust.trusted_keys(db, policy), marks, policy)

    def _stamp(self, path: Path) -> tuple[float, int, int]:
        stat = path.stat()
        sig = install.signature_path(path)
        return stat.st_mtime, stat.st_size, sig.stat().st_size if sig.exists() else -1

    def collect(self, folder: Path, snapshot: Snapshot, now: datetime) -> list[Collected]:
        """Files that are new or changed since the last look, read and verified."""
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*" + fmt.PACK_SUFFIX))[:MAX_FILES]:
            try:
                stamp = self._stamp(path)
            except OSError:
                continue
            if self._seen.get(path) == stamp:
                continue
            self._seen[path] = stamp
            try:
                raw, signature = install.read_files(path)
                if signature is None:
                    fmt.reject(fmt.SIGNATURE, "unsigned packs are not installed from the inbox; "
                                              "install it by hand if you trust it")
                verified = install.prepare(raw, signature, snapshot.keys, snapshot.policy, now=now,
                                           source=str(path))
            except fmt.PackRejected as exc:
                found.append(Collected(path, rejected=exc))
                continue
            found.append(Collected(path, verified=verified))
        return found

    def install(self, db: sqlite_utils.Database, policy: Policy, collected: list[Collected],
                now: datetime) -> InboxReport:
        report = InboxReport()
        marks = {r[0]: r[1] for r in db.execute("SELECT pack_id, version FROM pack_high_water")}
        # the highest version of each pack id first, so an old copy next to a new one is quiet
        ordered = sorted(collected, key=lambda c: -(c.verified.pack.version if c.verified else 0))
        for item in ordered:
            if item.rejected is not None:
                report.rejected.append((item.path.name, str(item.rejected)))
                log.warning("Inbox pack %s refused: %s", item.path, item.rejected)
                continue
            pack = item.verified.pack
            if pack.version <= marks.get(pack.id, 0):
                report.up_to_date.append(item.path.name)
                continue
            try:
                result = install.apply(db, item.verified, policy, now=now)
            except fmt.PackRejected as exc:
                report.rejected.append((item.path.name, str(exc)))
                log.warning("Inbox pack %s refused: %s", item.path, exc)
                continue
            marks[pack.id] = pack.version
            report.installed.append(result)
        return report

    def check(self, db: sqlite_utils.Database, policy: Policy, now: datetime,
              folder: Path | None = None) -> InboxReport:
        folder = folder or inbox_folder(db, policy)
        if folder is None:
            return InboxReport()
        return self.install(db, policy, self.collect(folder, self.snapshot(db, policy), now), now)
