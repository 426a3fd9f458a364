"""Global shortcuts, the Qt-free part: the chord grammar, what gets registered, and the status
``assistant integration status`` reads from the data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant import settings
from assistant.integration import shortcuts
from assistant.integration.shortcuts import ChordError, canonical_chord, parse_chord, plan, reported, write_status
from assistant.policy import Policy


@pytest.mark.parametrize("typed, canonical", [
    ("Ctrl+Alt+R", "Ctrl+Alt+R"),
    ("alt+ctrl+r", "Ctrl+Alt+R"),
    ("Control + Alt + space", "Ctrl+Alt+Space"),
    ("Super+Shift+.", "Shift+Meta+Period"),
    ("Win+PgDown", "Meta+PageDown"),
    ("Cmd+Option+9", "Alt+Meta+9"),
    ("F9", "F9"),
    ("Shift+f12", "Shift+F12"),
])
def test_chords_are_read_in_any_order_and_spelling_and_stored_one_way(typed, canonical):
    assert canonical_chord(typed) == canonical
    assert canonical_chord(canonical) == canonical


@pytest.mark.parametrize("typed, why", [
    ("R", "needs Ctrl, Alt or Meta"),
    ("Shift+R", "needs Ctrl, Alt or Meta"),   # would take a capital R from every application
    ("Ctrl+Alt+", "not a key chord"),
    ("Ctrl++", "cannot be the key"),
    ("Ctrl+Ctrl+R", "Ctrl appears twice"),
    ("Hyper+R", "not a modifier"),
    ("Ctrl+Alt+Enter", "not a key a global shortcut can use"),
    ("Ctrl+Alt+é", "not a key a global shortcut can use"),
    ("Ctrl+F0", "not a key a global shortcut can use"),
    ("Ctrl+F25", "not a key a global shortcut can use"),
    ("", "not a key chord"),
])
def test_chords_that_cannot_be_global_say_why(typed, why):
    with pytest.raises(ChordError, match=why):
        parse_chord(typed)


def test_chords_are_settings_stored_canonical_and_empty_turns_one_off(db):
    assert settings.get(db, "shortcuts.reply_search") == "Ctrl+Alt+Shift+R"
    settings.put(db, "shortcuts.reply_search", "alt+ctrl+j")
    assert settings.get(db, "shortcuts.reply_search") == "Ctrl+Alt+J"
    settings.put(db, "shortcuts.reply_search", "")
    assert settings.get(db, "shortcuts.reply_search") == ""
    with pytest.raises(settings.SettingError, match="shortcuts.show_hide: .*needs Ctrl, Alt or Meta"):
        settings.put(db, "shortcuts.show_hide", "Q")
    with pytest.raises(settings.SettingError):
        settings.put(db, "shortcuts.show_hide", ["Ctrl", "Q"])
    defaults = [settings.spec(shortcuts.setting_key(a)).default for a in shortcuts.ACTIONS]
    assert len(set(defaults)) == len(defaults) and all(parse_chord(d) for d in defaults)


def test_the_policy_notes_on_shortcut_and_paste_settings():
    strict = Policy(allow_global_shortcuts=False, allow_synthetic_paste=False)
    assert "does not allow global shortcuts" in settings.spec("shortcuts.enabled").policy_note(strict, True)
    assert "does not allow global shortcuts" in settings.spec("shortcuts.reply_search").policy_note(strict, "Ctrl+Alt+R")
    assert "pasting" in settings.spec("shortcuts.paste_back").policy_note(strict, True)
    assert settings.spec("shortcuts.paste_back").policy_note(Policy(), True) is None
    assert settings.spec("shortcuts.paste_back").default is False  # paste back only when enabled


def test_plan_binds_each_chord_once_and_says_why_not():
    chords = {"show_hide": "Ctrl+Alt+Space", "translate_clipboard": "Ctrl+Alt+E",
              "translate_reply": "Ctrl+Alt+E", "reply_search": ""}
    bindings, refused, off = plan(chords, enabled=True, allowed=True)
    assert off is None
    assert bindings == {"show_hide": (frozenset({"Ctrl", "Alt"}), "Space"),
                        "translate_clipboard": (frozenset({"Ctrl", "Alt"}), "E")}
    assert refused == {"translate_reply": "the same keys as “Translate the selection or clipboard”",
                       "reply_search": "off"}
    assert plan(chords, enabled=True, allowed=False) == (
        {}, {}, "off: the deployment policy does not allow global shortcuts")
    assert plan(chords, enabled=False, allowed=True)[2] == "off: global shortcuts are turned off in the settings"


def entries(registered=True):
    return [{"action": action, "chord": chord, "registered": registered, "error": None if registered else "taken"}
            for action, chord in zip(shortcuts.ACTIONS, ("Ctrl+Alt+Space", "Ctrl+Alt+E", "Ctrl+Alt+O", ""))]


def test_reported_gives_each_action_of_the_running_app(tmp_path):
    rows = entries()
    rows[1] = {**rows[1], "registered": False, "error": "taken by another application"}
    rows[3] = {**rows[3], "registered": False, "error": None}
    write_status(tmp_path, rows, backend="x11")
    assert reported(tmp_path) == [
        {"action": "show_hide", "chord": "Ctrl+Alt+Space", "registered": True, "running": True, "backend": "x11"},
        {"action": "translate_clipboard", "chord": "Ctrl+Alt+E", "registered": False, "running": True,
         "backend": "x11", "error": "taken by another application"},
        {"action": "translate_reply", "chord": "Ctrl+Alt+O", "registered": True, "running": True, "backend": "x11"},
        {"action": "reply_search", "chord": "", "registered": False, "running": True, "backend": "x11",
         "error": "off"},
    ]
    json.dumps(reported(tmp_path))  # what the CLI prints as --json


def test_reported_is_stale_when_the_app_is_gone_and_empty_when_none_ran(tmp_path):
    assert [(r["action"], r["registered"], r["running"]) for r in reported(tmp_path)] == [
        (action, False, False) for action in shortcuts.ACTIONS]
    assert reported(tmp_path)[0]["error"] == "the app is not running"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    write_status(tmp_path, entries(), backend="x11", pid=int(gone.stdout))
    stale = reported(tmp_path)
    assert all(r["running"] is False and r["registered"] is False for r in stale)
    assert stale[0]["chord"] == "Ctrl+Alt+Space"  # what it had, for the record
    assert stale[0]["error"] == "the app that registered it is no longer running"


def test_quitting_clears_only_its_own_status(tmp_path):
    write_status(tmp_path, entries(), backend="x11", pid=os.getppid())  # another process's file
    shortcuts.clear_status(tmp_path)
    assert (tmp_path / shortcuts.STATUS_FILE).exists()
    write_status(tmp_path, entries(), backend="x11")
    shortcuts.clear_status(tmp_path)
    assert not (tmp_path / shortcuts.STATUS_FILE).exists()
    assert not list(tmp_path.glob(".shortcuts-*"))  # no temporary file left behind


@pytest.mark.parametrize("content", [
    b"", b"{", b"[]", b"\xff\xfe", b'{"pid": "1", "shortcuts": "x"}', b'{"pid": true, "shortcuts": []}',
    b'{"pid": 1, "shortcuts": [1, {"action": "rm -rf"}, {"action": "show_hide", "chord": 5}]}',
    b"{" + b" " * (shortcuts.MAX_STATUS_BYTES + 1) + b"}",
])
def test_a_damaged_status_file_reads_as_nothing_registered(tmp_path, content):
    (tmp_path / shortcuts.STATUS_FILE).write_bytes(content)
    result = reported(tmp_path)
    assert [r["action"] for r in result] == list(shortcuts.ACTIONS)
    assert not any(r["registered"] for r in result)
    assert all(isinstance(r["chord"], str) for r in result)
