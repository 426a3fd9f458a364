"""The pack inbox: a folder (the policy's ``pack_inbox``, else the setting ``packs.inbox``),
often a shared drive, checked at start and periodically. A *newer, signed, trusted* pack
found there installs automatically; everything else waits for the agent:

- unsigned packs never install from the inbox (they need an explicit confirmation);
- packs signed by an untrusted key, invalid, expired or older are reported once per file
  version, not retried until the file changes (its size, times or content);
- a pack republished under an installed version with other content is reported;
- every file is considered; only regular files are read (a link only if it stays inside
  the folder), each with a stall timeout, and one bad file never stops the others.

Work is split so the app can run the slow part away from the GUI thread: :meth:`Inbox.collect`
reads, parses and verifies files with a snapshot of the trusted keys and version marks (no
database), :meth:`Inbox.install` applies the results on the thread that owns the
connection. :meth:`Inbox.check` does both, for the CLI and tests. A share that stops
answering can hold ``collect`` (listing a folder cannot be timed out), so the app runs it on
a thread of its own, never on the worker thread translation and indexing share.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
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
INTERNAL = "internal"


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
        self._seen: dict[Path, tuple] = {}  # file -> its stamp when last judged
        self._digests: dict[Path, str] = {}  # file -> digest of what was judged
        self._stalled: set[Path] = set()  # files whose read stalled, already reported

    def forget(self, paths: list[Path]) -> None:
        """Look at these files again next time (their install could not run)."""
        for path in paths:
            self._seen.pop(path, None)
            self._digests.pop(path, None)

    def snapshot(self, db: sqlite_utils.Database, policy: Policy) -> Snapshot:
        marks = {r[0]: r[1] for r in db.execute("SELECT pack_id, version FROM pack_high_water")}
        return Snapshot(trust.trusted_keys(db, policy), marks, policy)

    @staticmethod
    def _stamp(path: Path) -> tuple:
        """What changes when the pack or its signature is replaced or rewritten."""
        stamp: tuple = ()
        for name in (path, install.signature_path(path)):
            try:
                st = os.stat(name)
                stamp += (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode)
            except FileNotFoundError:
                stamp += (None,)
        return stamp

    def collect(self, folder: Path, snapshot: Snapshot, now: datetime) -> list[Collected]:
        """Files that are new or changed since the last look, read and verified; a file that
        cannot be judged now (a read that stalled) is reported once and tried again."""
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(p for p in folder.iterdir() if p.name.endswith(fmt.PACK_SUFFIX)):
            try:
                item = self._collect_one(folder, path, snapshot, now)
            except Exception:  # a bug must not stop the other files
                log.exception("Inbox pack %s could not be checked", path)
                item = Collected(path, rejected=fmt.PackRejected([fmt.Problem(
                    INTERNAL, "could not be checked because of an internal error (see the log)")]))
            if item is not None:
                found.append(item)
        return found

    def _collect_one(self, folder: Path, path: Path, snapshot: Snapshot, now: datetime) -> Collected | None:
        try:
            stamp = self._stamp(path)
        except OSError as exc:
            stamp = ("unreadable", str(exc))
        if self._seen.get(path) == stamp:
            return None
        try:
            raw, signature = install.read_files(path, snapshot.policy, within=folder)
        except fmt.ReadStalled as exc:  # passing: tried again at every check, reported once
            if path in self._stalled:
                return None
            self._stalled.add(path)
            return Collected(path, rejected=exc)
        except fmt.PackRejected as exc:
            self._seen[path] = stamp
            self._digests.pop(path, None)
            return Collected(path, rejected=exc)
        self._stalled.discard(path)
        hasher = hashlib.sha256(raw)  # the joined bytes' digest, without a copy of the file
        hasher.update(b"\0" + (signature or b""))
        digest = hasher.hexdigest()
        self._seen[path] = stamp
        if self._digests.get(path) == digest:
            return None  # touched or copied again, the same bytes: already judged
        self._digests[path] = digest
        try:
            if signature is None:
                fmt.reject(fmt.SIGNATURE, "unsigned packs are not installed from the inbox; "
                                          "install it by hand if you trust it")
            verified = install.prepare(raw, signature, snapshot.keys, snapshot.policy, now=now,
                                       source=str(path))
        except fmt.PackRejected as exc:
            return Collected(path, rejected=exc)
        return Collected(path, verified=verified)

    def install(self, db: sqlite_utils.Database, policy: Policy, collected: list[Collected],
                now: datetime) -> InboxReport:
        report = InboxReport()
        marks = {r[0]: r[1] for r in db.execute("SELECT pack_id, version FROM pack_high_water")}
        # the highest version of each pack id first, so an old copy next to a new one is quiet
        ordered = sorted(collected, key=lambda c: -(c.verified.pack.version if c.verified else 0))
        try:
            for item in ordered:
                if item.rejected is not None:
                    report.rejected.append((item.path.name, str(item.rejected)))
                    log.warning("Inbox pack %s refused: %s", item.path, item.rejected)
                    continue
                pack = item.verified.pack
                if pack.version <= marks.get(pack.id, 0):
                    changed = _republished(db, item.verified)
                    if changed:
                        report.rejected.append((item.path.name, changed))
                        log.warning("Inbox pack %s refused: %s", item.path, changed)
                    else:
                        report.up_to_date.append(item.path.name)
                    continue
                try:
                    result = install.apply(db, item.verified, policy, now=now)
                except fmt.PackRejected as exc:
                    report.rejected.append((item.path.name, str(exc)))
                    log.warning("Inbox pack %s refused: %s", item.path, exc)
                    continue
                except sqlite3.OperationalError:
                    raise  # the database is busy or failing: the whole batch is tried again later
                except Exception:  # a bug in one pack's install must not stop the others
                    log.exception("Inbox pack %s could not be installed", item.path)
                    report.rejected.append((item.path.name, f"{INTERNAL}: could not be installed because of "
                                                             f"an internal error (see the log)"))
                    continue
                marks[pack.id] = pack.version
                report.installed.append(result)
        finally:
            for item in collected:  # freed here, on this thread, a slice at a time (install.release)
                if item.verified is not None:
                    install.release(item.verified)
        return report

    def check(self, db: sqlite_utils.Database, policy: Policy, now: datetime,
              folder: Path | None = None) -> InboxReport:
        folder = folder or inbox_folder(db, policy)
        if folder is None:
            return InboxReport()
        return self.install(db, policy, self.collect(folder, self.snapshot(db, policy), now), now)


def _republished(db: sqlite_utils.Database, verified: install.Verified) -> str | None:
    """Why a pack at the installed version but with other bytes is refused (None when it is
    the installed file, or an older copy)."""
    pack = verified.pack
    row = db.execute("SELECT version, sha256 FROM packs WHERE pack_id = ?", [pack.id]).fetchone()
    if row is None or row[0] != pack.version or row[1] == pack.sha256:
        return None
    return (f"{fmt.VERSION} (field version): version {pack.version} of '{pack.id}' is installed with other "
            f"content; the publisher changed the pack without raising its version (ask for version "
            f"{pack.version + 1})")
