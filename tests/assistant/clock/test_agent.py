from assistant import settings
from assistant.clock.agent import SETTING, agent_zone, system_zone
from assistant.clock.zones import canonical_zone


def test_setting_wins_and_is_canonicalised(db):
    settings.put(db, SETTING, "Asia/Calcutta")
    assert agent_zone(db) == "Asia/Kolkata"


def test_invalid_setting_is_refused_and_a_stored_one_ignored(db, monkeypatch, hand_edit_setting):
    import pytest

    monkeypatch.setenv("TZ", "America/Santiago")
    with pytest.raises(settings.SettingError, match="Mars/Olympus"):
        settings.put(db, SETTING, "Mars/Olympus")
    hand_edit_setting(db, SETTING, "Mars/Olympus")
    assert agent_zone(db) == "America/Santiago"
    assert "Mars/Olympus" in settings.problem(db, SETTING)
    hand_edit_setting(db, SETTING, 42)
    assert agent_zone(db) == "America/Santiago"


def test_the_hint_given_once_at_start_is_the_system_zone(monkeypatch):
    from assistant.clock import agent

    monkeypatch.setenv("TZ", "not a zone")
    monkeypatch.setattr(agent, "_system_hint", None)
    agent.use_system_hint("Europe/Berlin")  # what Qt finds on Windows, where TZ says nothing
    assert system_zone() == "Europe/Berlin" == agent_zone()


def test_system_zone_from_hint_or_tz(monkeypatch):
    monkeypatch.setenv("TZ", ":Europe/Kiev")
    assert system_zone() == "Europe/Kyiv"
    assert system_zone(hint="Asia/Kathmandu") == "Asia/Kathmandu"
    monkeypatch.setenv("TZ", "not a zone")
    fallback = system_zone(hint="also not")  # /etc/localtime, or a fixed offset
    assert canonical_zone(fallback) == fallback


def test_windows_zone_names_map_to_iana():
    from assistant.clock.agent import windows_zone

    assert windows_zone("W. Europe Standard Time") == "Europe/Berlin"
    assert canonical_zone(windows_zone("India Standard Time")) == "Asia/Kolkata"
    assert windows_zone("Not A Windows Zone") is None


def test_the_clock_the_queue_and_the_cli_find_one_zone(db, monkeypatch, run_cli):
    """As on Windows: no TZ variable, no /etc/localtime to trust; the registry names the zone.
    The clock, the queue's times and the CLI all find it (the queue used to fall back to UTC)."""
    import json

    from assistant.clock import agent
    from assistant.tasks.config import QueueConfig

    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(agent, "_system_hint", None)
    monkeypatch.setattr(agent, "windows_zone", lambda name=None: "Europe/Berlin")
    assert agent_zone(db) == "Europe/Berlin"
    assert QueueConfig.load(db).agent_zone == "Europe/Berlin" == QueueConfig.load(db).team_zone
    code, out, err = run_cli("convert", "--zone", "Asia/Tokyo", "--local", "2026-01-15T18:00", "--json")
    assert code == 0, err
    assert json.loads(out)["agent_zone"] == "Europe/Berlin"
