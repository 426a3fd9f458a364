"""Trusting keys: a key whose id another trusted key already has is refused at trust time
(a signature names its key by id only), from the command line and the library alike."""

from __future__ import annotations

import base64

import pytest

from assistant.packs import signing, trust
from assistant.policy import Policy

from .test_hostile_packs import db_state


def _same_id_other_key(original: signing.GeneratedKey, other: signing.GeneratedKey) -> str:
    """A public key line with ``original``'s key id and ``other``'s Ed25519 key: anyone can
    make one, since the key id is chosen by the key's owner."""
    mine = base64.b64decode(original.info.public_key)
    theirs = base64.b64decode(other.info.public_key)
    return base64.b64encode(mine[:10] + theirs[10:]).decode("ascii")


def test_a_colliding_key_id_is_refused_and_nothing_changes(runtime, trusted, other_key, now):
    forged = _same_id_other_key(trusted, other_key)
    _, info = signing.parse_public_key(forged)
    assert info.key_id == trusted.info.key_id and info.fingerprint != trusted.info.fingerprint
    before = db_state(runtime)
    with pytest.raises(signing.SignatureError) as caught:
        trust.add_key(runtime.db, forged, expected_fingerprint=info.fingerprint, now=now)
    assert str(caught.value) == (
        f"the key id {info.key_id} is already used by another trusted key (fingerprint "
        f"{trusted.info.fingerprint}); two trusted keys cannot share a key id. Ask the publisher to make a new key")
    assert db_state(runtime) == before
    # trusting the same key again is not a collision
    trust.add_key(runtime.db, trusted.public_path.read_text(), now=now)


def test_a_key_colliding_with_a_policy_key_is_refused(runtime, publisher_key, other_key, now):
    policy = Policy()._replace(trusted_publisher_keys=(publisher_key.info.public_key,))
    forged = _same_id_other_key(publisher_key, other_key)
    with pytest.raises(signing.SignatureError, match="is already used by another trusted key"):
        trust.add_key(runtime.db, forged, policy=policy, now=now)
    assert trust.agent_keys(runtime.db) == []


def test_pack_trust_refuses_a_colliding_key_id(run_cli, runtime, trusted, other_key, tmp_path):
    forged = _same_id_other_key(trusted, other_key)
    _, info = signing.parse_public_key(forged)
    data_dir = str(runtime.data_dir.path)
    before = db_state(runtime)
    code, out, err = run_cli("--data-dir", data_dir, "pack", "trust", forged, "--fingerprint", info.fingerprint)
    assert (code, out) == (2, "")
    assert err == (f"assistant: the key id {info.key_id} is already used by another trusted key (fingerprint "
                   f"{trusted.info.fingerprint}); two trusted keys cannot share a key id. Ask the publisher to "
                   f"make a new key\n")
    assert db_state(runtime) == before
