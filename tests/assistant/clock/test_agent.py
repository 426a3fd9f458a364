from assistant import settings
from assistant.clock.agent import SETTING, agent_zone, system_zone
from assistant.clock.zones import canonical_zone


def test_setting_wins_and_is_canonicalised(db):
    settings.put(db, SETTING, "Asia/Calcutta")
    assert agent_zone(db) == "Asia/Kolkata"


def test_invalid_setting_is_ignored(db, monkeypatch):
    monkeypatch.setenv("TZ", "America/Santiago")
    settings.put(db, SETTING, "Mars/Olympus")
    assert agent_zone(db) == "America/Santiago"
    settings.put(db, SETTING, 42)
    assert agent_zone(db) == "America/Santiago"


def test_system_zone_from_hint_or_tz(monkeypatch):
    monkeypatch.setenv("TZ", ":Europe/Kiev")
    assert system_zone() == "Europe/Kyiv"
    assert system_zone(hint="Asia/Kathmandu") == "Asia/Kathmandu"
    monkeypatch.setenv("TZ", "not a zone")
    fallback = system_zone(hint="also not")  # /etc/localtime, or a fixed offset
    assert canonical_zone(fallback) == fallback
