"""Global shortcuts, the Qt-free part: the actions, their chords (grammar, defaults, the
settings' validator) and the status the running app reports.

The window registers the chords with the platform's own hotkey API (ui/global_keys.py) and
writes what came of it to ``shortcuts-status.json`` in the data folder; ``reported`` reads that
file for ``assistant integration status --json``, and says when the app that wrote it is no
longer running (the file is then stale: nothing is registered)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from assistant.errors import UserError

SHOW_HIDE, TRANSLATE_CLIPBOARD, TRANSLATE_REPLY, REPLY_SEARCH = (
    "show_hide", "translate_clipboard", "translate_reply", "reply_search")
ACTIONS = (SHOW_HIDE, TRANSLATE_CLIPBOARD, TRANSLATE_REPLY, REPLY_SEARCH)
# The chords' defaults are declared with the settings (assistant/settings.py: shortcuts.*).
SETTING_PREFIX = "shortcuts."
STATUS_FILE = "shortcuts-status.json"
MAX_STATUS_BYTES = 64 * 1024

MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
_MODIFIER_NAMES = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "option": "Alt", "shift": "Shift",
                   "meta": "Meta", "super": "Meta", "win": "Meta", "cmd": "Meta", "command": "Meta"}
# Keys a global chord may end with (besides A-Z, 0-9 and F1-F24): the same on every platform
# and keyboard layout's base level.
NAMED_KEYS = ("Space", "Insert", "Home", "End", "PageUp", "PageDown", "Pause", "Period", "Comma",
              "Slash", "Semicolon", "Minus", "Equal")
_KEY_NAMES = {name.lower(): name for name in NAMED_KEYS} | {".": "Period", ",": "Comma", "/": "Slash",
                                                              ";": "Semicolon", "-": "Minus", "=": "Equal",
                                                              "pgup": "PageUp", "pgdown": "PageDown",
                                                              "ins": "Insert"}


class ChordError(UserError, ValueError):
    """A chord that cannot be a global shortcut; the message says why."""


def parse_chord(text: str) -> tuple[frozenset[str], str]:
    """("Ctrl+Alt+R") -> ({"Ctrl", "Alt"}, "R"). Modifiers: Ctrl, Alt, Shift, Meta (also Super,
    Win, Cmd); the key: a letter, a digit, F1-F24 or one of NAMED_KEYS. A chord needs Ctrl, Alt
    or Meta (or is an F-key): a global Shift+letter would take that letter from every app."""
    parts = [p.strip() for p in text.split("+")] if text else []
    if text.endswith("++") or text.strip() == "+":  # "Ctrl++" is not a key we take
        raise ChordError(f"{text!r}: '+' cannot be the key; use Equal or another key")
    if not parts or any(not p for p in parts):
        raise ChordError(f"{text!r} is not a key chord such as Ctrl+Alt+R")
    *mods, key = parts
    modifiers = set()
    for mod in mods:
        name = _MODIFIER_NAMES.get(mod.lower())
        if name is None:
            raise ChordError(f"{text!r}: {mod!r} is not a modifier (Ctrl, Alt, Shift, Meta)")
        if name in modifiers:
            raise ChordError(f"{text!r}: {name} appears twice")
        modifiers.add(name)
    canonical = _key_name(key)
    if canonical is None:
        raise ChordError(f"{text!r}: {key!r} is not a key a global shortcut can use "
                         "(a letter, a digit, F1-F24, or " + ", ".join(NAMED_KEYS) + ")")
    function_key = canonical[:1] == "F" and canonical[1:].isdigit()
    if not modifiers & {"Ctrl", "Alt", "Meta"} and not function_key:
        raise ChordError(f"{text!r}: a global shortcut needs Ctrl, Alt or Meta, "
                         "or it would take that key from every application")
    return frozenset(modifiers), canonical


def _key_name(key: str) -> str | None:
    if len(key) == 1 and key.isascii() and key.isalnum():
        return key.upper()
    if key[:1] in "fF" and key[1:].isdigit() and 1 <= int(key[1:]) <= 24 and key[1:2] != "0":
        return f"F{int(key[1:])}"
    return _KEY_NAMES.get(key.lower())


def canonical_chord(text: str) -> str:
    modifiers, key = parse_chord(text)
    return "+".join([m for m in MODIFIERS if m in modifiers] + [key])


def chord_setting(value) -> str:
    """The settings' validator: "" (this shortcut off) or a chord, stored canonical."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 64:
        raise ChordError(f"{value!r} is not a key chord such as Ctrl+Alt+R")
    return canonical_chord(value.strip())


def setting_key(action: str) -> str:
    return SETTING_PREFIX + action


def action_names() -> dict[str, str]:
    from assistant.i18n import _

    return {SHOW_HIDE: _("Show / hide the window"),
            TRANSLATE_CLIPBOARD: _("Translate the selection or clipboard"),
            TRANSLATE_REPLY: _("Translate my reply for the customer"),
            REPLY_SEARCH: _("Search replies")}


def plan(chords: dict[str, str], *, enabled: bool, allowed: bool):
    """What to register: ``(bindings, refused, off)``. ``bindings``: action -> parsed chord;
    ``refused``: action -> why it is not registered (no chord, the same chord as another
    action); ``off``: why nothing is registered at all (the policy, the setting), or None."""
    from assistant.i18n import _

    if not allowed:
        return {}, {}, _("off: the deployment policy does not allow global shortcuts")
    if not enabled:
        return {}, {}, _("off: global shortcuts are turned off in the settings")
    bindings, refused, seen = {}, {}, {}
    for action in ACTIONS:
        chord = chords.get(action) or ""
        if not chord:
            refused[action] = _("off")
        elif chord in seen:
            refused[action] = _("the same keys as “{other}”").format(other=action_names()[seen[chord]])
        else:
            seen[chord] = action
            bindings[action] = parse_chord(chord)
    return bindings, refused, None


# -- the status the running app reports ---------------------------------------------------

def write_status(data_dir: Path, entries: list[dict], *, backend: str, note: str = "",
                 pid: int | None = None) -> None:
    """Written by the running app after each (re-)registration: atomically, so a reader never
    sees half a file. ``entries``: {"action", "chord", "registered", "error"?, "trigger"?} per
    action; ``trigger``: the keys as the system describes them where it may change them (the
    desktop portal on Wayland)."""
    status = {"pid": os.getpid() if pid is None else pid, "backend": backend, "note": note,
              "shortcuts": [{"action": e["action"], "chord": e["chord"], "registered": bool(e["registered"]),
                             **({"error": e["error"]} if e.get("error") else {}),
                             **({"trigger": e["trigger"]} if e.get("trigger") else {})} for e in entries]}
    path = Path(data_dir) / STATUS_FILE
    fd, temp = tempfile.mkstemp(prefix=".shortcuts-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(status, out, ensure_ascii=False, indent=1)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def clear_status(data_dir: Path, pid: int | None = None) -> None:
    """The app is quitting: nothing is registered any more (only its own file is removed)."""
    path = Path(data_dir) / STATUS_FILE
    status = _load(path)
    if status is not None and status.get("pid") == (os.getpid() if pid is None else pid):
        path.unlink(missing_ok=True)


def _load(path: Path) -> dict | None:
    try:
        if path.stat().st_size > MAX_STATUS_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def process_alive(pid: int) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def reported(data_dir: Path) -> list[dict]:
    """Each action's global shortcut as the running app registered it:
    ``[{"action": "show_hide", "chord": "Ctrl+Alt+Space", "registered": true, "running": true}, ...]``
    (``error`` says why one is not registered; ``backend`` names the hotkey API; ``trigger``,
    where the system may change the keys, is what it says they are). With no app
    running (no status file, or its writer is gone) every action says ``"running": false`` and
    ``"registered": false``: a chord that nobody holds."""
    status = _load(Path(data_dir) / STATUS_FILE)
    running = status is not None and process_alive(status.get("pid"))
    listed = {}
    if status is not None and isinstance(status.get("shortcuts"), list):
        for entry in status["shortcuts"]:
            if isinstance(entry, dict) and entry.get("action") in ACTIONS:
                listed[entry["action"]] = entry
    result = []
    for action in ACTIONS:
        entry = listed.get(action, {})
        chord = entry.get("chord") if isinstance(entry.get("chord"), str) else ""
        item = {"action": action, "chord": chord, "registered": bool(running and entry.get("registered") is True),
                "running": running}
        if running:
            item["backend"] = str(status.get("backend", ""))
            if isinstance(entry.get("error"), str) and entry["error"]:
                item["error"] = entry["error"]
            elif not chord:
                item["error"] = "off"
            if item["registered"] and isinstance(entry.get("trigger"), str) and entry["trigger"]:
                item["trigger"] = entry["trigger"][:200]
        elif status is not None:
            item["error"] = "the app that registered it is no longer running"
        else:
            item["error"] = "the app is not running"
        result.append(item)
    return result
