"""Trusted publisher keys: the deployment policy's (``trusted_publisher_keys``, set by IT)
plus the keys the agent added after seeing the fingerprint. A policy key cannot be removed
from the app; an agent's key can. With ``trust_only_policy_keys`` IT pins trust to the
policy's keys: the agent's keys stay listed but trust nothing, and none can be added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from assistant.packs.signing import PublicKeyInfo, SignatureError, parse_public_key
from assistant.errors import UserError
from assistant.policy import Policy

POLICY, AGENT = "policy", "agent"


@dataclass(frozen=True)
class TrustedKey:
    info: PublicKeyInfo
    source: str  # POLICY or AGENT
    added_at: str | None = None

    @property
    def key_id(self) -> str:
        return self.info.key_id

    @property
    def fingerprint(self) -> str:
        return self.info.fingerprint


def policy_keys(policy: Policy) -> tuple[list[TrustedKey], list[str]]:
    """The policy's keys, and a message for each one that cannot be read."""
    keys, errors = [], []
    for text in policy.trusted_publisher_keys:
        try:
            _, info = parse_public_key(text)
        except SignatureError as exc:
            errors.append(f"policy key {text[:20]}…: {exc}")
            continue
        keys.append(TrustedKey(info, POLICY))
    return keys, errors


def agent_keys(db: sqlite_utils.Database) -> list[TrustedKey]:
    keys = []
    for row in db.execute("SELECT public_key, comment, added_at FROM trusted_keys ORDER BY added_at, key_id"):
        try:
            _, info = parse_public_key(row[0])
        except SignatureError:
            continue  # a damaged row trusts nothing
        keys.append(TrustedKey(PublicKeyInfo(info.public_key, info.key_id, info.fingerprint, row[1] or ""),
                               AGENT, row[2]))
    return keys


def trusted_keys(db: sqlite_utils.Database, policy: Policy) -> list[TrustedKey]:
    """The keys packs are checked against (install, inbox, verify)."""
    keys = policy_keys(policy)[0]
    if policy.trust_only_policy_keys:
        return keys
    seen = {k.info.public_key for k in keys}
    return keys + [k for k in agent_keys(db) if k.info.public_key not in seen]


def find_key(keys: list[TrustedKey], key_id: str) -> TrustedKey | None:
    for key in keys:
        if key.key_id == key_id:
            return key
    return None


def refuse_key_id_collision(keys: list[TrustedKey], info: PublicKeyInfo) -> None:
    """A signature names its key by key id only, so two trusted keys with one id would let
    either stand for the other: a new key whose id is taken by another trusted key is refused."""
    for key in keys:
        if key.key_id == info.key_id and key.info.public_key != info.public_key:
            raise SignatureError(f"the key id {info.key_id} is already used by another trusted key "
                                 f"(fingerprint {key.fingerprint}); two trusted keys cannot share a key "
                                 f"id. Ask the publisher to make a new key")


def add_key(db: sqlite_utils.Database, public_key_text: str, comment: str = "",
            expected_fingerprint: str | None = None, now: datetime | None = None,
            policy: Policy | None = None) -> PublicKeyInfo:
    """Trust a key. ``expected_fingerprint`` (what the user was shown and confirmed) must
    match the key, so a key swapped between showing and trusting is refused; so is a key
    whose id another trusted key (the policy's included) already has."""
    _, info = parse_public_key(public_key_text)
    if expected_fingerprint is not None and \
            "".join(expected_fingerprint.split()).upper() != "".join(info.fingerprint.split()):
        raise SignatureError(f"the key's fingerprint is {info.fingerprint}, not the one confirmed")
    refuse_key_id_collision(trusted_keys(db, policy or Policy()), info)
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    with db.atomic():
        db["trusted_keys"].upsert({"public_key": info.public_key, "key_id": info.key_id,
                                   "fingerprint": info.fingerprint, "comment": comment[:200],
                                   "added_at": stamp}, pk="public_key")
    return info


def remove_key(db: sqlite_utils.Database, key_id_or_fingerprint: str) -> int:
    needle = "".join(key_id_or_fingerprint.split()).upper()
    removed = 0
    with db.atomic():
        for key in agent_keys(db):
            if needle in (key.key_id, "".join(key.fingerprint.split())):
                db.execute("DELETE FROM trusted_keys WHERE public_key = ?", [key.info.public_key])
                removed += 1
    return removed


# -- IT's pin: trust_only_policy_keys ------------------------------------------------------

class TrustPinned(UserError):
    """The deployment policy trusts only its own publisher keys."""


def pin_notice(policy: Policy) -> str:
    return (f"the deployment policy ({policy.origin('trust_only_policy_keys')}) sets trust_only_policy_keys: "
            f"only its own publisher keys are trusted")


def ensure_keys_may_be_added(policy: Policy) -> None:
    """Every way an agent trusts a key asks this first."""
    if policy.trust_only_policy_keys:
        raise TrustPinned(f"Cannot trust another key: {pin_notice(policy)}. Ask IT to add the key to the policy.")


def inactive_keys(db: sqlite_utils.Database, policy: Policy) -> list[TrustedKey]:
    """The agent's keys that trust nothing while the pin is on (kept, listed, and active
    again if IT lifts it)."""
    if not policy.trust_only_policy_keys:
        return []
    active = {k.info.public_key for k in policy_keys(policy)[0]}
    return [k for k in agent_keys(db) if k.info.public_key not in active]
