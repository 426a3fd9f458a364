"""IT pins trust (``trust_only_policy_keys``): only the policy's publisher keys are trusted,
no key can be added, and keys the agent trusted before stay listed but trust nothing."""

from __future__ import annotations

import json

import pytest

from assistant.packs import inbox, install, manage, trust
from assistant.policy import Policy, load_policy


@pytest.fixture
def pinned(machine_policy, other_key):
    """A machine policy that pins trust to ``other_key``; returns its path."""
    return machine_policy("system", {"trust_only_policy_keys": True,
                                     "trusted_publisher_keys": [other_key.info.public_key]})


def test_pack_trust_is_refused_naming_the_policy(run_cli, pinned, publisher_key, db):
    code, out, err = run_cli("pack", "trust", str(publisher_key.public_path),
                             "--fingerprint", publisher_key.info.fingerprint)
    assert code == 2 and out == ""
    assert str(pinned) in err and "trust_only_policy_keys" in err
    assert trust.agent_keys(db) == []


def test_a_user_file_may_pin_trust_too(run_cli, tmp_path, monkeypatch, publisher_key):
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"trust_only_policy_keys": True}), encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(mine))
    code, _out, err = run_cli("pack", "trust", str(publisher_key.public_path),
                              "--fingerprint", publisher_key.info.fingerprint)
    assert code == 2 and str(mine) in err


def test_keys_trusted_before_stay_listed_but_inactive(run_cli, db, trusted, pinned, other_key, publisher_key):
    code, out, err = run_cli("pack", "keys", "--json")
    assert code == 0, err
    rows = {r["key_id"]: (r["source"], r["active"]) for r in json.loads(out)}
    assert rows == {other_key.info.key_id: (trust.POLICY, True), publisher_key.info.key_id: (trust.AGENT, False)}
    code, out, _err = run_cli("pack", "keys")
    assert "inactive" in out and str(pinned) in out


def test_packs_signed_only_by_an_agent_key_are_not_trusted(run_cli, db, trusted, pinned, packs, make_pack, now):
    path = packs.write(make_pack(1))
    code, out, err = run_cli("pack", "install", str(path))
    assert code == 2 and "not a trusted publisher key" in err and "trust_only_policy_keys" in err
    assert manage.list_packs(db) == []
    policy = load_policy()._replace(pack_inbox=str(packs.folder))
    report = inbox.Inbox().check(db, policy, now)
    assert report.installed == [] and manage.list_packs(db) == []


def test_packs_signed_by_a_policy_key_still_install(db, trusted, pinned, packs, make_pack, other_key, now):
    policy = load_policy()
    result = install.install_file(db, policy, packs.write(make_pack(1), key=other_key), now=now)
    assert [p.pack_id for p in manage.list_packs(db)] == ["acme.refunds"] and result.key_id == other_key.info.key_id


def test_without_the_pin_the_agent_key_is_active_again(db, trusted, publisher_key, packs, make_pack, now):
    assert trust.inactive_keys(db, Policy()) == []
    assert [k.key_id for k in trust.trusted_keys(db, Policy())] == [publisher_key.info.key_id]
    pinned = Policy(trust_only_policy_keys=True)
    assert trust.trusted_keys(db, pinned) == []
    with pytest.raises(trust.TrustPinned):
        trust.ensure_keys_may_be_added(pinned)
