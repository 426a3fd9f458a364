from datetime import datetime, timedelta, timezone

import pytest

from assistant.policy import Policy
from assistant.translation import history

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
ALLOWING = Policy(allow_translation_history=True)
FORBIDDING = Policy(allow_translation_history=False)


def _record(db, policy, when=NOW, text="Hola"):
    return history.record(db, policy, now=when, direction="incoming", source_lang="es", target_lang="en",
                          source_text=text, translated_text="Hello")


def test_off_by_default_nothing_is_kept(db):
    assert not history.is_enabled(db, ALLOWING)
    assert not _record(db, ALLOWING)
    assert history.entries(db) == []


def test_kept_when_enabled_and_cleared(db):
    history.set_enabled(db, ALLOWING, True)
    assert _record(db, ALLOWING)
    assert [e["source_text"] for e in history.entries(db)] == ["Hola"]
    assert history.clear(db) == 1
    assert history.entries(db) == []


def test_retention_prunes_old_entries(db):
    history.set_enabled(db, ALLOWING, True, retention=3)
    _record(db, ALLOWING, NOW - timedelta(days=10), "old")
    _record(db, ALLOWING, NOW - timedelta(days=1), "recent")
    _record(db, ALLOWING, NOW, "now")
    assert [e["source_text"] for e in history.entries(db)] == ["now", "recent"]


def test_entry_cap(db, monkeypatch):
    monkeypatch.setattr(history, "MAX_ENTRIES", 2)
    history.set_enabled(db, ALLOWING, True)
    for minute in range(4):
        _record(db, ALLOWING, NOW + timedelta(minutes=minute), f"m{minute}")
    assert [e["source_text"] for e in history.entries(db)] == ["m3", "m2"]


def test_policy_forbids_it_even_if_the_setting_is_on(db):
    history.set_enabled(db, ALLOWING, True)
    assert not history.is_enabled(db, FORBIDDING)
    assert not _record(db, FORBIDDING)
    with pytest.raises(history.HistoryForbidden, match="policy"):
        history.set_enabled(db, FORBIDDING, True)


def test_turning_it_off_deletes_what_was_kept(db):
    history.set_enabled(db, ALLOWING, True)
    _record(db, ALLOWING)
    history.set_enabled(db, ALLOWING, False)
    assert history.entries(db) == []


def test_safest_policy_forbids_history():
    from assistant.policy import SAFEST

    assert not history.allowed(SAFEST._replace())
