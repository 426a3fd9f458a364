"""The deployment policy IT writes: validation, merging of two files, safest fallback."""

from __future__ import annotations

import base64
import json

import pytest

from assistant.policy import SAFEST, Policy, candidate_paths, key_id, load_policy, parse_policy, PolicyError

KEY_ID = bytes.fromhex("0102030405060708")
PUBLIC_KEY = base64.b64encode(b"Ed" + KEY_ID + bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(b"Ed" + bytes(8) + bytes(32)).decode()


@pytest.fixture
def write(tmp_path):
    def write(name: str, content) -> object:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path
    return write


def test_no_file_gives_builtin_defaults(tmp_path):
    policy = load_policy([tmp_path / "missing.json"])
    assert policy == Policy()
    assert policy.allow_downloads is False  # offline by default
    assert policy.describe()["sources"] == ["(none: built-in defaults)"]
    assert policy.errors == ()


def test_valid_file_applies_every_key(write, tmp_path):
    path = write("policy.json", {
        "version": 1, "allow_downloads": True, "require_signatures": True, "allow_downgrade": True,
        "allow_translation_history": False, "trusted_publisher_keys": [PUBLIC_KEY],
        "pack_inbox": r"\\server\packs", "shared_models_dir": "/srv/models", "data_dir": "%APPDATA%/AA",
        "download_mirror_url": "https://mirror.example/models",
    })
    policy = load_policy([path])
    assert policy.errors == ()
    assert policy.sources == (str(path),)
    assert (policy.allow_downloads, policy.require_signatures, policy.allow_downgrade,
            policy.allow_translation_history) == (True, True, True, False)
    assert policy.trusted_publisher_keys == (PUBLIC_KEY,)
    assert policy.pack_inbox == r"\\server\packs"
    assert policy.shared_models_dir == "/srv/models"
    assert policy.data_dir == "%APPDATA%/AA"
    assert policy.describe()["trusted_key_ids"] == ["0807060504030201"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON (line 1"),
    ("[]", "must be a JSON object"),
    ({"allow_downloads": "yes"}, "'allow_downloads' must be true or false"),
    ({"require_signatures": 1}, "'require_signatures' must be true or false"),
    ({"pack_inbox": 3}, "'pack_inbox' must be a non-empty string or null"),
    ({"data_dir": "  "}, "'data_dir' must be a non-empty string or null"),
    ({"trusted_publisher_keys": PUBLIC_KEY}, "must be a list of minisign public keys"),
    ({"trusted_publisher_keys": ["not a key"]}, "trusted_publisher_keys[0] is not a minisign public key"),
    ({"allow_download": True}, "unknown setting(s) allow_download"),
    ({"version": 2}, "'version' must be 1"),
    ({"version": True}, "'version' must be 1"),
])
def test_invalid_policy_is_reported_and_safest_settings_apply(write, content, message):
    path = write("policy.json", content)
    policy = load_policy([path])
    assert len(policy.errors) == 1
    assert str(path) in policy.errors[0] and message in policy.errors[0]
    for key in ("allow_downloads", "require_signatures", "allow_downgrade", "allow_translation_history"):
        assert getattr(policy, key) == getattr(SAFEST, key)
    assert policy.sources == ()
    assert policy.describe()["errors"] == list(policy.errors)


def test_invalid_second_file_cannot_loosen_a_valid_first(write):
    good = write("system.json", {"allow_downloads": True, "require_signatures": False,
                                 "pack_inbox": "/srv/inbox", "trusted_publisher_keys": [PUBLIC_KEY]})
    bad = write("beside.json", "{oops")
    policy = load_policy([good, bad])
    assert policy.allow_downloads is False and policy.require_signatures is True
    assert policy.allow_translation_history is False
    # what the valid file provides stays: the agents still find their packs and trusted keys
    assert policy.pack_inbox == "/srv/inbox"
    assert policy.trusted_publisher_keys == (PUBLIC_KEY,)
    assert policy.sources == (str(good),) and len(policy.errors) == 1


@pytest.mark.parametrize("order", ["system-first", "beside-first"])
def test_two_files_the_safer_value_wins(write, order):
    loose = write("loose.json", {"allow_downloads": True, "require_signatures": False,
                                 "allow_downgrade": True, "allow_translation_history": True})
    strict = write("strict.json", {"allow_downloads": False, "require_signatures": True,
                                   "allow_downgrade": False, "allow_translation_history": False})
    paths = [loose, strict] if order == "system-first" else [strict, loose]
    policy = load_policy(paths)
    assert policy.errors == ()
    assert (policy.allow_downloads, policy.require_signatures, policy.allow_downgrade,
            policy.allow_translation_history) == (False, True, False, False)
    assert len(policy.sources) == 2


def test_two_files_a_key_set_only_once_is_taken_as_is(write):
    first = write("a.json", {"allow_downloads": True})
    second = write("b.json", {"allow_translation_history": False})
    policy = load_policy([first, second])
    assert policy.allow_downloads is True
    assert policy.allow_translation_history is False


def test_two_files_keys_are_merged_and_the_system_wide_folders_win(write):
    system = write("system.json", {"trusted_publisher_keys": [PUBLIC_KEY], "data_dir": "/srv/data"})
    beside = write("beside.json", {"trusted_publisher_keys": [OTHER_KEY, PUBLIC_KEY],
                                   "data_dir": "/tmp/elsewhere", "pack_inbox": "/srv/inbox"})
    policy = load_policy([system, beside])
    assert policy.trusted_publisher_keys == (PUBLIC_KEY, OTHER_KEY)
    assert policy.data_dir == "/srv/data"
    assert policy.pack_inbox == "/srv/inbox"


def test_null_folder_in_the_first_file_does_not_block_the_second(write):
    system = write("system.json", {"pack_inbox": None})
    beside = write("beside.json", {"pack_inbox": "/srv/inbox"})
    assert load_policy([system, beside]).pack_inbox == "/srv/inbox"


def test_unreadable_and_oversized_files_are_errors(write, tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    huge = write("huge.json", '{"pack_inbox": "' + "x" * 300_000 + '"}')
    policy = load_policy([binary, huge])
    assert len(policy.errors) == 2
    assert "cannot be read" in policy.errors[0]
    assert "larger than" in policy.errors[1]
    assert policy.require_signatures is True


def test_environment_variable_replaces_the_standard_locations(monkeypatch, tmp_path):
    target = tmp_path / "explicit.json"
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(target))
    assert candidate_paths(tmp_path) == [target]
    monkeypatch.delenv("AGENT_ASSISTANT_POLICY")
    paths = candidate_paths(tmp_path)
    assert paths[-1] == tmp_path / "policy.json"  # beside the executable, read last
    assert len(paths) == 2


def test_parse_policy_rejects_before_anything_changes():
    with pytest.raises(PolicyError):
        parse_policy('{"allow_downloads": true, "unknown": 1}', "x")


def test_key_id_of_a_malformed_key():
    assert key_id("garbage") == "?"
