"""The settings registry: every key declared once, unknown keys and invalid values refused on
put, a stored invalid value read as the default with a warning and a reason."""

import json
import logging

import pytest

from assistant import settings
from assistant.settings import SettingError


def test_every_declared_setting_has_a_valid_default_and_a_description():
    for setting in settings.declared(include_internal=True):
        assert setting.description.strip(), setting.key
        assert setting.check(setting.default) == setting.default, setting.key
        assert setting.group, setting.key


def test_unknown_keys_are_refused_both_ways(db):
    with pytest.raises(SettingError, match="no setting 'ui.colour'"):
        settings.put(db, "ui.colour", "blue")
    with pytest.raises(SettingError):
        settings.get(db, "ui.colour")
    assert settings.stored_keys(db) == {}


def test_values_are_checked_and_stored_canonical(db):
    assert settings.put(db, "clock.agent_zone", "Asia/Calcutta")
    assert settings.get(db, "clock.agent_zone") == "Asia/Kolkata"
    assert settings.put(db, "customer.default_region", " mx ")
    assert settings.get(db, "customer.default_region") == "MX"
    assert settings.put(db, "profile.agent_name", "  Ana Souza ")
    assert settings.get(db, "profile.agent_name") == "Ana Souza"
    for key, value, why in (("clock.agent_zone", "Mars/Olympus", "Unknown time zone"),
                            ("customer.default_region", "XX", "not a country"),
                            ("ui.compact", "yes", "true or false"),
                            ("ui.language", "tlh", "one of the app's languages"),
                            ("translation.history.retention_days", 0, "from 1 to 365"),
                            ("profile.company", "x" * 121, "longer than 120"),
                            ("tasks.sla", {"urgent": {"clock": "lunar"}}, "business")):
        with pytest.raises(SettingError, match=why) as caught:
            settings.put(db, key, value)
        assert str(caught.value).startswith(key)
    assert settings.get(db, "ui.compact") is False


def test_put_reports_whether_anything_changed(db):
    assert settings.put(db, "ui.compact", True)
    assert not settings.put(db, "ui.compact", True)
    assert settings.put(db, "ui.compact", False)


def test_put_many_is_all_or_nothing(db):
    with pytest.raises(SettingError, match="clock.agent_zone"):
        settings.put_many(db, {"profile.agent_name": "Ana", "clock.agent_zone": "Nowhere/Land"})
    assert not settings.is_set(db, "profile.agent_name")
    assert settings.put_many(db, {"profile.agent_name": "Ana", "profile.company": ""}) == ["profile.agent_name"]


def test_a_stored_invalid_value_reads_as_the_default_with_a_warning(db, hand_edit_setting, caplog):
    hand_edit_setting(db, "translation.history.retention_days", 9999)
    hand_edit_setting(db, "ui.always_on_top", raw="{not json")
    with caplog.at_level(logging.WARNING, logger="assistant.settings"):
        assert settings.get(db, "translation.history.retention_days") == 7
        assert settings.get(db, "translation.history.retention_days") == 7
        assert settings.get(db, "ui.always_on_top") is False
    warnings = [r.getMessage() for r in caplog.records]
    assert sum("retention_days" in w for w in warnings) == 1  # once, not at every read
    assert "from 1 to 365" in settings.problem(db, "translation.history.retention_days")
    assert "not JSON" in settings.problem(db, "ui.always_on_top")
    assert settings.problem(db, "ui.compact") is None


def test_reset_brings_the_default_back(db):
    settings.put(db, "replies.copy_rich_text", True)
    assert settings.reset(db, "replies.copy_rich_text")
    assert settings.get(db, "replies.copy_rich_text") is False
    assert not settings.reset(db, "replies.copy_rich_text")


def test_values_handed_out_are_copies(db):
    settings.put(db, "tasks.schedule", {"zone": "Europe/Paris"})
    first = settings.get(db, "tasks.schedule")
    first["zone"] = "Asia/Tokyo"
    assert settings.get(db, "tasks.schedule") == {"zone": "Europe/Paris"}


def test_policy_decides_what_it_controls():
    from assistant.policy import Policy

    history = settings.spec("translation.history.enabled")
    assert history.policy_note(Policy(allow_translation_history=False), True)
    assert history.policy_note(Policy(allow_translation_history=False), False) is None
    inbox = settings.spec("packs.inbox")
    assert "policy" in inbox.policy_note(Policy(pack_inbox="/srv/packs"), "/home/me/packs")


def test_the_cli_lists_gets_sets_and_resets(run_cli, runtime):
    code, out, _ = run_cli("settings", "list", "--json")
    rows = {row["key"]: row for row in json.loads(out)}
    assert code == 0 and "clock.agent_zone" in rows and "ui.geometry" not in rows
    assert rows["customer.default_region"]["description"]
    code, out, err = run_cli("settings", "set", "clock.agent_zone", "Asia/Calcutta")
    assert code == 0, err
    assert json.loads(out) == "Asia/Kolkata"
    code, out, err = run_cli("settings", "set", "clock.agent_zone", "Mars/Olympus")
    assert code == 2 and out == "" and "Nothing was changed" in err
    code, out, _ = run_cli("settings", "get", "clock.agent_zone")
    assert json.loads(out) == "Asia/Kolkata"
    code, out, _ = run_cli("settings", "set", "ui.compact", "true")
    assert json.loads(out) is True
    code, out, _ = run_cli("settings", "reset", "ui.compact")
    assert json.loads(out) is False
    code, out, err = run_cli("settings", "get", "no.such.key")
    assert code == 2 and "no setting" in err
    code, out, _ = run_cli("settings", "list")
    assert "clock.agent_zone = \"Asia/Kolkata\"" in out and "ui.compact = false  (default)" in out


def test_the_cli_refuses_what_the_policy_forbids(run_cli, tmp_path, monkeypatch):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"allow_translation_history": False}), encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(policy))
    code, out, err = run_cli("settings", "set", "translation.history.enabled", "true")
    assert code == 2 and "policy" in err
    code, out, _ = run_cli("settings", "get", "translation.history.enabled")
    assert json.loads(out) is False
