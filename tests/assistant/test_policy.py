"""The deployment policy IT writes: validation, merging of machine files, a user file that
can only tighten, and the safest settings whenever a file is wrong."""

from __future__ import annotations

import base64
import json
import os

import pytest

from assistant import policy as policy_module
from assistant.policy import (BOOL_KEYS, DEFAULT, MACHINE, MACHINE_ONLY_KEYS, SAFEST, SAFEST_SOURCE, USER, Policy,
                              PolicyError, key_id, load_policy, machine_policy_paths, parse_policy)

KEY_ID = bytes.fromhex("0102030405060708")
PUBLIC_KEY = base64.b64encode(b"Ed" + KEY_ID + bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(b"Ed" + bytes(8) + bytes(32)).decode()
LOOSE = {"allow_downloads": True, "require_signatures": False, "allow_downgrade": True,
         "allow_translation_history": True, "trust_only_policy_keys": False,
         "allow_global_shortcuts": True, "allow_synthetic_paste": True, "allow_link_handler": True}
STRICT = {key: safe for key, safe in BOOL_KEYS.items()}
FOLDERS = {"pack_inbox": "/srv/inbox", "shared_models_dir": "/srv/models", "data_dir": "/srv/data",
           "download_mirror_url": "https://mirror.example/models"}


@pytest.fixture
def write(tmp_path):
    def write(name: str, content) -> object:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path
    return write


def _bools(policy: Policy) -> dict:
    return {key: getattr(policy, key) for key in BOOL_KEYS}


def test_no_file_gives_builtin_defaults(tmp_path):
    policy = load_policy([tmp_path / "missing.json"], None)
    assert _bools(policy) == _bools(Policy())
    assert policy.allow_downloads is False  # offline by default
    assert policy.describe()["sources"] == ["(none: built-in defaults)"]
    assert policy.errors == ()
    assert [(f.kind, f.status) for f in policy.files] == [(MACHINE, "absent")]  # a standard location may be empty
    assert all(entry["from"] == DEFAULT for entry in policy.describe()["effective"].values()
               if not isinstance(entry["from"], list))


def test_valid_file_applies_every_key(write, tmp_path):
    path = write("policy.json", {
        "version": 1, "allow_downloads": True, "require_signatures": True, "allow_downgrade": True,
        "allow_translation_history": False, "trust_only_policy_keys": True, "trusted_publisher_keys": [PUBLIC_KEY],
        "allow_global_shortcuts": False, "allow_synthetic_paste": False,
        "allow_link_handler": False,
        "pack_inbox": r"\\server\packs", "shared_models_dir": "/srv/models", "data_dir": "%APPDATA%/AA",
        "download_mirror_url": "https://mirror.example/models", "max_pack_mb": 160,
    })
    policy = load_policy([path], None)
    assert policy.errors == ()
    assert policy.max_pack_mb == 160
    assert policy.sources == (str(path),)
    assert _bools(policy) == {"allow_downloads": True, "require_signatures": True, "allow_downgrade": True,
                              "allow_translation_history": False, "trust_only_policy_keys": True,
                              "allow_global_shortcuts": False, "allow_synthetic_paste": False, "allow_link_handler": False}
    assert policy.trusted_publisher_keys == (PUBLIC_KEY,)
    assert policy.pack_inbox == r"\\server\packs"
    assert policy.shared_models_dir == "/srv/models"
    assert policy.data_dir == "%APPDATA%/AA"
    assert policy.describe()["trusted_key_ids"] == ["0807060504030201"]
    assert {key: entry["from"] for key, entry in policy.describe()["effective"].items()} == \
        {key: (str(path) if key != "trusted_publisher_keys" else [str(path)])
         for key in (*BOOL_KEYS, *MACHINE_ONLY_KEYS, "max_pack_mb", "trusted_publisher_keys")}


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON (line 1"),
    ("[]", "must be a JSON object"),
    ({"allow_downloads": "yes"}, "'allow_downloads' must be true or false"),
    ({"require_signatures": 1}, "'require_signatures' must be true or false"),
    ({"trust_only_policy_keys": "true"}, "'trust_only_policy_keys' must be true or false"),
    ({"pack_inbox": 3}, "'pack_inbox' must be a non-empty string or null"),
    ({"data_dir": "  "}, "'data_dir' must be a non-empty string or null"),
    ({"trusted_publisher_keys": PUBLIC_KEY}, "must be a list of minisign public keys"),
    ({"trusted_publisher_keys": ["not a key"]}, "trusted_publisher_keys[0] is not a minisign public key"),
    ({"allow_download": True}, "unknown setting(s) allow_download"),
    ({"version": 2}, "'version' must be 1"),
    ({"version": True}, "'version' must be 1"),
    ('{"allow_downloads": false, "allow_downloads": true}', "the key 'allow_downloads' appears twice"),
    ('{"version": 1, "pack_inbox": {"a": 1, "a": 2}}', "the key 'a' appears twice"),
])
def test_invalid_policy_is_reported_and_safest_settings_apply(write, content, message):
    path = write("policy.json", content)
    policy = load_policy([path], None)
    assert len(policy.errors) == 1
    assert str(path) in policy.errors[0] and message in policy.errors[0]
    assert _bools(policy) == _bools(SAFEST)
    assert policy.sources == ()
    assert policy.describe()["errors"] == list(policy.errors)
    assert {policy.origin(key) for key in BOOL_KEYS} == {SAFEST_SOURCE}


def test_invalid_second_file_cannot_loosen_a_valid_first(write):
    good = write("system.json", {"allow_downloads": True, "require_signatures": False,
                                 "pack_inbox": "/srv/inbox", "trusted_publisher_keys": [PUBLIC_KEY]})
    bad = write("beside.json", "{oops")
    policy = load_policy([good, bad], None)
    assert _bools(policy) == _bools(SAFEST)
    # what the valid file provides stays: the agents still find their packs and trusted keys
    assert policy.pack_inbox == "/srv/inbox"
    assert policy.trusted_publisher_keys == (PUBLIC_KEY,)
    assert policy.sources == (str(good),) and len(policy.errors) == 1


@pytest.mark.parametrize("order", ["system-first", "beside-first"])
def test_two_machine_files_the_safer_value_wins(write, order):
    loose, strict = write("loose.json", LOOSE), write("strict.json", STRICT)
    policy = load_policy([loose, strict] if order == "system-first" else [strict, loose], None)
    assert policy.errors == ()
    assert _bools(policy) == STRICT
    assert {policy.origin(key) for key in BOOL_KEYS} == {str(strict)}
    assert len(policy.sources) == 2


def test_two_machine_files_a_key_set_only_once_is_taken_as_is(write):
    first = write("a.json", {"allow_downloads": True})
    second = write("b.json", {"allow_translation_history": False})
    policy = load_policy([first, second], None)
    assert policy.allow_downloads is True and policy.origin("allow_downloads") == str(first)
    assert policy.allow_translation_history is False and policy.origin("allow_translation_history") == str(second)


def test_two_machine_files_keys_are_merged_and_the_system_wide_folders_win(write):
    system = write("system.json", {"trusted_publisher_keys": [PUBLIC_KEY], "data_dir": "/srv/data"})
    beside = write("beside.json", {"trusted_publisher_keys": [OTHER_KEY, PUBLIC_KEY],
                                   "data_dir": "/tmp/elsewhere", "pack_inbox": "/srv/inbox"})
    policy = load_policy([system, beside], None)
    assert policy.trusted_publisher_keys == (PUBLIC_KEY, OTHER_KEY)
    assert policy.origin("trusted_publisher_keys") == (str(system), str(beside))
    assert policy.data_dir == "/srv/data" and policy.origin("data_dir") == str(system)
    assert policy.pack_inbox == "/srv/inbox" and policy.origin("pack_inbox") == str(beside)


def test_null_folder_in_the_first_file_does_not_block_the_second(write):
    system = write("system.json", {"pack_inbox": None})
    beside = write("beside.json", {"pack_inbox": "/srv/inbox"})
    assert load_policy([system, beside], None).pack_inbox == "/srv/inbox"


# -- a user file (AGENT_ASSISTANT_POLICY) only tightens -------------------------------------

@pytest.mark.parametrize("machine_place", ["system", "beside"])
def test_machine_file_strict_and_user_file_loose_keeps_every_key_strict(write, tmp_path, machine_place):
    machine = write("machine.json", {**STRICT, **FOLDERS, "trusted_publisher_keys": [PUBLIC_KEY], "max_pack_mb": 20})
    user = write("user.json", {**LOOSE, "pack_inbox": "/home/me/inbox", "shared_models_dir": "/home/me/models",
                               "data_dir": "/home/me/data", "download_mirror_url": "https://evil.example/",
                               "trusted_publisher_keys": [OTHER_KEY], "max_pack_mb": 500})
    absent = tmp_path / "nothing-here.json"
    policy = load_policy([machine, absent] if machine_place == "system" else [absent, machine], user)
    assert policy.errors == ()
    assert _bools(policy) == STRICT
    assert {key: getattr(policy, key) for key in MACHINE_ONLY_KEYS} == FOLDERS
    assert policy.trusted_publisher_keys == (PUBLIC_KEY,)  # a user file adds no trusted key
    assert policy.max_pack_mb == 20  # nor raises the pack cap
    described = policy.describe()
    assert {key: entry["from"] for key, entry in described["effective"].items()} == \
        {key: (str(machine) if key != "trusted_publisher_keys" else [str(machine)])
         for key in (*BOOL_KEYS, *MACHINE_ONLY_KEYS, "max_pack_mb", "trusted_publisher_keys")}
    user_entry = [f for f in described["files"] if f["kind"] == USER][0]
    assert user_entry["status"] == "read"
    assert sorted(user_entry["ignored"]) == sorted([*MACHINE_ONLY_KEYS, "trusted_publisher_keys"])


def test_user_file_cannot_loosen_the_defaults_of_keys_machine_files_leave_unset(write):
    machine = write("machine.json", {"pack_inbox": "/srv/inbox"})
    user = write("user.json", LOOSE)
    policy = load_policy([machine], user)
    assert _bools(policy) == _bools(Policy())  # allow_downloads/allow_downgrade stay off
    assert policy.allow_downloads is False and policy.allow_downgrade is False
    assert {policy.origin(key) for key in BOOL_KEYS} == {DEFAULT}


@pytest.mark.parametrize("key", list(BOOL_KEYS))
def test_user_file_tightens_any_key_the_machine_left_loose_or_unset(write, key):
    machine = write("machine.json", LOOSE)
    user = write("user.json", {key: BOOL_KEYS[key]})
    policy = load_policy([machine], user)
    assert getattr(policy, key) == BOOL_KEYS[key] and policy.origin(key) == str(user)
    assert all(getattr(policy, other) == LOOSE[other] for other in BOOL_KEYS if other != key)
    unset = load_policy([], user)
    assert getattr(unset, key) == BOOL_KEYS[key]


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "typo.json", "no such file"),
    (lambda tmp: (tmp / "a-folder").mkdir() or tmp / "a-folder", "a folder, not a policy file"),
    (lambda tmp: (tmp / "dup.json").write_text('{"allow_downloads": false, "allow_downloads": true}')
     and tmp / "dup.json", "appears twice"),
])
def test_named_user_file_missing_a_folder_or_with_duplicates_is_an_error_in_force(write, tmp_path, make, message):
    machine = write("machine.json", {**LOOSE, "pack_inbox": "/srv/inbox"})
    policy = load_policy([machine], make(tmp_path))
    assert len(policy.errors) == 1 and message in policy.errors[0]
    assert _bools(policy) == _bools(SAFEST)
    assert policy.pack_inbox == "/srv/inbox"  # what the valid machine file provides stays
    assert [f["status"] for f in policy.describe()["files"]] == ["read", "error"]


def test_machine_location_that_is_a_folder_or_a_dangling_link_is_an_error(tmp_path):
    folder = tmp_path / "etc" / "policy.json"
    folder.mkdir(parents=True)
    dangling = tmp_path / "beside" / "policy.json"
    dangling.parent.mkdir()
    os.symlink(tmp_path / "gone.json", dangling)
    policy = load_policy([folder, dangling], None)
    assert len(policy.errors) == 2
    assert "a folder" in policy.errors[0] and "does not exist" in policy.errors[1]
    assert _bools(policy) == _bools(SAFEST)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions (not root)")
def test_unreadable_machine_file_is_an_error(write):
    path = write("policy.json", {"allow_downloads": True})
    path.chmod(0)
    try:
        policy = load_policy([path], None)
    finally:
        path.chmod(0o644)
    assert "cannot be read" in policy.errors[0] and policy.allow_downloads is False


def test_undecodable_and_oversized_files_are_errors(write, tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    huge = write("huge.json", '{"pack_inbox": "' + "x" * 300_000 + '"}')
    policy = load_policy([binary, huge], None)
    assert len(policy.errors) == 2
    assert "cannot be read" in policy.errors[0]
    assert "larger than" in policy.errors[1]
    assert policy.require_signatures is True


def test_the_variable_adds_a_user_file_and_never_replaces_the_machine_files(machine_policy, tmp_path, monkeypatch):
    system = machine_policy("system", {"require_signatures": True, "pack_inbox": "/srv/inbox"})
    beside = machine_policy("beside", {"allow_downloads": True})
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"require_signatures": False, "allow_downloads": True}), encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(user))
    policy = load_policy()
    assert [(f.path, f.kind) for f in policy.files] == [(str(system), MACHINE), (str(beside), MACHINE),
                                                        (str(user), USER)]
    assert policy.require_signatures is True and policy.pack_inbox == "/srv/inbox"
    assert policy.allow_downloads is True and policy.origin("allow_downloads") == str(beside)


def test_machine_locations_are_the_system_file_then_beside_the_executable(tmp_path, monkeypatch):
    monkeypatch.setattr(policy_module, "system_policy_paths", lambda: [tmp_path / "etc" / "policy.json"])
    assert machine_policy_paths(tmp_path) == [tmp_path / "etc" / "policy.json", tmp_path / "policy.json"]


def test_parse_policy_rejects_before_anything_changes():
    with pytest.raises(PolicyError):
        parse_policy('{"allow_downloads": true, "unknown": 1}', "x")


def test_a_policy_is_a_hashable_value(write):
    path = write("policy.json", {**STRICT, "trusted_publisher_keys": [PUBLIC_KEY, OTHER_KEY]})
    assert hash(load_policy([path], None)) == hash(load_policy([path], None))


def test_key_id_of_a_malformed_key():
    assert key_id("garbage") == "?"


def test_a_user_file_can_switch_global_shortcuts_and_paste_off_never_on(write):
    machine = write("machine.json", {"allow_global_shortcuts": False})
    user_off = write("user-off.json", {"allow_synthetic_paste": False})
    user_on = write("user-on.json", {"allow_global_shortcuts": True, "allow_synthetic_paste": True})
    assert Policy().allow_global_shortcuts and Policy().allow_synthetic_paste  # allowed unless IT says no
    tightened = load_policy([], user_off)
    assert (tightened.allow_global_shortcuts, tightened.allow_synthetic_paste) == (True, False)
    kept = load_policy([machine], user_on)  # the agent's file cannot turn IT's "no" into a yes
    assert (kept.allow_global_shortcuts, kept.allow_synthetic_paste) == (False, True)
    assert kept.origin("allow_global_shortcuts") == str(machine)
    broken = load_policy([write("broken.json", "{")], None)  # an error: the safest value, both off
    assert (broken.allow_global_shortcuts, broken.allow_synthetic_paste) == (False, False)


# -- the pack size cap: only machine files raise it, anyone lowers it --------------------------

def test_the_pack_cap_defaults_to_the_built_in_one(tmp_path):
    assert load_policy([tmp_path / "missing.json"], None).max_pack_mb == 14


def test_a_machine_file_raises_the_pack_cap_and_a_user_file_cannot_raise_it_further(write):
    machine = write("machine.json", {"max_pack_mb": 160})
    assert load_policy([machine], None).max_pack_mb == 160
    policy = load_policy([machine], write("user.json", {"max_pack_mb": 400}))
    assert policy.max_pack_mb == 160 and policy.origin("max_pack_mb") == str(machine)


def test_a_user_file_may_lower_the_pack_cap_but_not_raise_the_default(write):
    machine = write("machine.json", {"max_pack_mb": 160})
    assert load_policy([machine], write("user.json", {"max_pack_mb": 10})).max_pack_mb == 10
    assert load_policy([write("empty.json", {})], write("loose.json", {"max_pack_mb": 50})).max_pack_mb == 14


def test_two_machine_files_the_first_sets_the_cap_the_second_may_only_lower_it(write):
    system, beside = write("system.json", {"max_pack_mb": 100}), write("beside.json", {"max_pack_mb": 200})
    assert load_policy([system, beside], None).max_pack_mb == 100
    assert load_policy([system, write("lower.json", {"max_pack_mb": 20})], None).max_pack_mb == 20


@pytest.mark.parametrize("value", [0, 513, "160", True, 16.5])
def test_a_pack_cap_that_is_not_a_whole_number_in_range_is_an_error(write, value):
    with pytest.raises(PolicyError, match="max_pack_mb"):
        parse_policy(json.dumps({"max_pack_mb": value}), "p.json")
    policy = load_policy([write("machine.json", {"max_pack_mb": value})], None)
    assert policy.errors and policy.max_pack_mb == 14


def test_an_error_anywhere_takes_a_raised_cap_back_to_the_default_and_keeps_a_lower_one(write):
    raised = write("machine.json", {"max_pack_mb": 160})
    broken = write("user.json", "{ not json")
    policy = load_policy([raised], broken)
    assert policy.max_pack_mb == 14 and policy.origin("max_pack_mb") == SAFEST_SOURCE
    lowered = write("low.json", {"max_pack_mb": 5})
    assert load_policy([lowered], broken).max_pack_mb == 5


def test_doctor_shows_the_pack_cap_and_where_it_came_from(write):
    machine = write("machine.json", {"max_pack_mb": 160})
    described = load_policy([machine], None).describe()
    assert described["effective"]["max_pack_mb"] == {"value": 160, "from": str(machine)}
    assert described["max_pack_mb"] == 160
