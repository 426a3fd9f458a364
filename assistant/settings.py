"""User settings: one declared registry (key, default, validator, description, group), stored
as JSON values in the ``settings`` table, one row per key (Picard's ``options.py`` idea).

Every key the app reads or writes is declared below, once. :func:`put` refuses a key that is
not declared and a value its validator refuses, and stores the value the validator returns
(canonical: ``Asia/Calcutta`` is stored as ``Asia/Kolkata``). :func:`get` returns the declared
default for a key that is unset, and also for a stored value that is no longer valid (a hand
edit, an older version's value): that case is logged once and :func:`problem` says why, so a
window or the CLI can show it. The settings dialog, the queue settings, ``assistant settings``
and every feature go through here; none writes the table itself.

Importing this module is cheap (it is read before the window's first paint): validators import
what they need when they run. A validator takes the JSON value and returns the value to store,
or raises ``ValueError`` (any ``UserError`` with a message) saying what is wrong.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import sqlite3
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from assistant.errors import UserError

if TYPE_CHECKING:
    import sqlite_utils

    from assistant.policy import Policy

log = logging.getLogger(__name__)


class SettingError(UserError, ValueError):
    """An unknown key, or a value its setting refuses; the message names both."""


class Setting(NamedTuple):
    """A setting the app knows: its key, default, description and check."""
    key: str
    default: Any
    description: str
    validate: Callable[[Any], Any]
    group: str = ""
    # kept by the app itself (window geometry, a digest): not listed by `assistant settings list`
    internal: bool = False
    # the deployment policy's say over this setting: a message when the policy overrides or
    # forbids ``value`` (the setting can never loosen a policy), else None
    policy: Callable[[Policy, Any], str | None] | None = None

    def check(self, value: Any) -> Any:
        """The value to store for ``value``; SettingError saying why it is refused."""
        try:
            return self.validate(value)
        except ValueError as exc:  # UserErrors of the features are ValueErrors too
            message = str(exc)
            raise SettingError(message if message.startswith(self.key) else f"{self.key}: {message}") from exc

    def policy_note(self, policy: Policy | None, value: Any) -> str | None:
        return self.policy(policy, value) if self.policy is not None and policy is not None else None


REGISTRY: dict[str, Setting] = {}


def declare(key: str, default: Any, description: str, validate: Callable[[Any], Any], *,
            group: str = "", internal: bool = False, policy=None) -> Setting:
    if key in REGISTRY:
        raise ValueError(f"setting {key} is declared twice")
    setting = Setting(key, default, description, validate, group or key.split(".")[0], internal, policy)
    REGISTRY[key] = setting
    return setting


def spec(key: str) -> Setting:
    try:
        return REGISTRY[key]
    except KeyError:
        raise SettingError(f"There is no setting {key!r}. See: assistant settings list") from None


def declared(include_internal: bool = False) -> list[Setting]:
    return [s for s in REGISTRY.values() if include_internal or not s.internal]


# -- reading and writing ---------------------------------------------------------------------

_UNSET = object()
_checked: dict[tuple[str, str], tuple[Any, str | None]] = {}  # (key, stored JSON) -> (value, problem)


def _stored(db, key: str) -> str | None:
    """The stored JSON text, or None (unset, or no settings table yet: a database not yet
    migrated, read before the first paint)."""
    try:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return None
    return None if row is None else row[0]


def _read(setting: Setting, raw: str) -> tuple[Any, str | None]:
    """(value, None) for a valid stored value, (default, why) for an invalid one. Cached per
    stored text: validators may be slow (a holiday calendar) and a setting is read often."""
    cache_key = (setting.key, raw)
    if cache_key not in _checked:
        try:
            result = (setting.check(json.loads(raw)), None)
        except json.JSONDecodeError:
            result = (setting.default, f"{setting.key}: the stored value is not JSON")
        except SettingError as exc:
            result = (setting.default, str(exc))
        if result[1] is not None:
            log.warning("Ignoring the stored setting %s, the default applies: %s", setting.key, result[1])
        if len(_checked) > 512:
            _checked.clear()
        _checked[cache_key] = result
    value, problem = _checked[cache_key]
    return copy.deepcopy(value), problem


def get(db: sqlite_utils.Database | sqlite3.Connection, key: str, default: Any = _UNSET) -> Any:
    """The value of a declared setting: what is stored when it is valid, else the declared
    default (or ``default`` when given)."""
    setting = spec(key)
    raw = _stored(db, key)
    if raw is not None:
        value, problem = _read(setting, raw)
        if problem is None:
            return value
    return copy.deepcopy(setting.default) if default is _UNSET else default


def problem(db, key: str) -> str | None:
    """Why the stored value of ``key`` is ignored, or None (unset or valid)."""
    raw = _stored(db, key)
    return None if raw is None else _read(spec(key), raw)[1]


def is_set(db, key: str) -> bool:
    spec(key)
    return _stored(db, key) is not None


def validate(key: str, value: Any) -> Any:
    """The value ``put`` would store for ``value``; SettingError when it is refused."""
    return spec(key).check(value)


def put(db: sqlite_utils.Database, key: str, value: Any) -> bool:
    """Validate and store one setting; returns whether its value changed. Raises
    SettingError (and changes nothing) for an unknown key or an invalid value."""
    return bool(put_many(db, {key: value}))


def put_many(db: sqlite_utils.Database, values: dict[str, Any]) -> list[str]:
    """Validate every value first, then store them in one transaction: all or nothing.
    Returns the keys whose value changed (the ones to announce); a value equal to the one in
    effect is not written."""
    texts = {key: json.dumps(validate(key, value), ensure_ascii=False) for key, value in values.items()}
    changed = [key for key, text in texts.items() if _effective_text(db, key) != text]
    if changed:
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(key, texts[key]) for key in changed])
    return changed


def _effective_text(db, key: str) -> str | None:
    """The JSON of the value in effect (None when an invalid value is stored: any put
    replaces it); storing the default over an unset key changes nothing."""
    setting = spec(key)
    raw = _stored(db, key)
    if raw is None:
        return json.dumps(setting.default, ensure_ascii=False)
    return raw if _read(setting, raw)[1] is None else None


def reset(db: sqlite_utils.Database, key: str) -> bool:
    """Forget the stored value (the default applies again); returns whether one was stored."""
    spec(key)
    with db.atomic():
        return db.conn.execute("DELETE FROM settings WHERE key = ?", [key]).rowcount > 0


def stored_keys(db) -> dict[str, str]:
    """Every stored row, key -> JSON text (declared or not): for change detection."""
    try:
        return dict(db.execute("SELECT key, value FROM settings").fetchall())
    except sqlite3.OperationalError:
        return {}


# -- validators --------------------------------------------------------------------------------

def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingError(f"{value!r} is not true or false")
    return value


def text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise SettingError(f"{value!r} is not text")
        value = value.strip()
        if len(value) > max_length:
            raise SettingError(f"longer than {max_length} characters")
        if any(ord(ch) < 32 for ch in value):
            raise SettingError("control characters are not allowed")
        return value
    return check


def optional_text(max_length: int) -> Callable[[Any], str | None]:
    plain = text(max_length)

    def check(value: Any) -> str | None:
        return plain(value) or None
    return check


def integer(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SettingError(f"{value!r} is not a whole number from {low} to {high}")
        return value
    return check


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4})?$")


def optional_language(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise SettingError(f"{value!r} is not a language code such as es or pt_BR")
    return value


def ui_language(value: Any) -> str | None:
    from assistant.i18n import SUPPORTED

    if value in (None, "", "system"):
        return None
    if value not in SUPPORTED:
        raise SettingError(f"{value!r} is not one of the app's languages: {', '.join(SUPPORTED)}")
    return value


def optional_zone(value: Any) -> str | None:
    """None (or "system"): this computer's zone; else a known IANA zone, canonical."""
    if value in (None, "", "system"):
        return None
    if not isinstance(value, str):
        raise SettingError(f"{value!r} is not a time zone")
    from assistant.clock.zones import canonical_zone

    return canonical_zone(value)  # UnknownZoneError says what is wrong, with suggestions


def optional_region(value: Any) -> str | None:
    """None: the country of the agent's zone; else a region code that has time zones."""
    if value in (None, ""):
        return None
    from assistant.clock.zones import countries

    if not isinstance(value, str) or value.strip().upper() not in countries():
        raise SettingError(f"{value!r} is not a country or region code such as ES, MX or IN")
    return value.strip().upper()


def hour_cycle(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text not in ("12", "24"):
        raise SettingError(f"{value!r} is not 12 or 24.")
    return text


def queue_part(key: str) -> Callable[[Any], dict | None]:
    """A part of the queue settings: JSON merged over its defaults, checked merged, stored as
    given (so a later version's new defaults still apply to what the agent did not set)."""
    def check(value: Any) -> dict | None:
        if value is None:
            return None
        from assistant.tasks import config

        config.resolve(key, value)
        return value
    return check


def notice_list(value: Any) -> list[dict]:
    """The storage notices (assistant.storage.notices): a list of {at, text, shown}."""
    if not isinstance(value, list) or not all(
            isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(item.get("at"), str)
            for item in value):
        raise SettingError("not a list of notices")
    return [{"at": item["at"], "text": item["text"], "shown": bool(item.get("shown"))} for item in value]


def _history_policy(policy: Policy, value: Any) -> str | None:
    if value and not policy.allow_translation_history:
        return "the deployment policy does not allow a translation history"
    return None


def _inbox_policy(policy: Policy, value: Any) -> str | None:
    if policy.pack_inbox:
        return f"the deployment policy sets the pack inbox: {policy.pack_inbox}"
    return None


def _shortcuts_policy(policy: Policy, value: Any) -> str | None:
    if value and not policy.allow_global_shortcuts:
        return "the deployment policy does not allow global shortcuts"
    return None


def _paste_policy(policy: Policy, value: Any) -> str | None:
    if value and not policy.allow_synthetic_paste:
        return "the deployment policy does not allow pasting into other applications"
    return None


def chord(value: Any) -> str:
    from assistant.integration.shortcuts import chord_setting

    return chord_setting(value)


# -- the settings ------------------------------------------------------------------------------

declare("ui.language", None, "UI language (en, es, fr, de, pt_BR, hi, ar); none: the system's",
        ui_language)
declare("ui.always_on_top", False, "Keep the window above other windows", boolean)
declare("ui.compact", False, "Compact mode: a narrow window", boolean)
declare("ui.geometry", None, "The window's size and place", optional_text(4096), internal=True)
declare("ui.last_panel", None, "The panel shown when the app closed", optional_text(40),
        internal=True)
declare("profile.agent_name", "", "Your name, for {{agent_name}} in replies", text(120))
declare("profile.company", "", "Your company, for {{company}} in replies", text(120))
declare("customer.default_region", None,
        "Country for phone numbers typed without +code; none: the country of your time zone",
        optional_region)
declare("clock.agent_zone", None, "Your time zone (IANA, e.g. Europe/Berlin); none: this "
        "computer's", optional_zone)
declare("clock.hour_cycle", None, "Times in 12 or 24 hours (12, 24); none: as the UI language "
        "writes them", hour_cycle)
declare("replies.copy_rich_text", False, "Also copy replies as rich text", boolean)
declare("templates.starter_sha256", None, "Digest of the installed starter pack",
        optional_text(64), internal=True)
declare("storage.notices", [], "What happened to the database (moved aside, restored) and "
        "whether the window has shown it", notice_list, internal=True)
declare("packs.inbox", None, "Folder checked for team packs every 15 minutes",
        optional_text(1024), policy=_inbox_policy)
declare("packs.news_read", 0, "The last team pack change the agent has read in Replies",
        integer(0, 2**62), internal=True)
declare("translation.my_language", None, "The language you read and write in translations",
        optional_language)
declare("translation.history.enabled", False, "Keep a translation history on this computer",
        boolean, policy=_history_policy)
declare("translation.history.retention_days", 7, "Days the translation history is kept",
        integer(1, 365))
declare("tasks.schedule", None, "Team hours: zone, start, end, workdays, holidays (JSON over the "
        "defaults; see 'assistant tasks settings')", queue_part("tasks.schedule"), group="queue")
declare("tasks.sla", None, "SLA targets per priority (JSON over the defaults)",
        queue_part("tasks.sla"), group="queue")
declare("tasks.urgency", None, "Urgency coefficients (JSON over the defaults)",
        queue_part("tasks.urgency"), group="queue")
declare("tasks.notifications", None, "Breach warnings (JSON over the defaults)",
        queue_part("tasks.notifications"), group="queue")
declare("shortcuts.enabled", True, "Global shortcuts: keys that work while another application "
        "has focus (see the shortcuts.* chords)", boolean, policy=_shortcuts_policy)
declare("shortcuts.show_hide", "Ctrl+Alt+Space", "Global shortcut: show or hide the window; empty: off",
        chord, policy=_shortcuts_policy)
declare("shortcuts.translate_clipboard", "Ctrl+Alt+Shift+E", "Global shortcut: translate the selected "
        "text (or the clipboard) into your language and show it; empty: off", chord,
        policy=_shortcuts_policy)
declare("shortcuts.translate_reply", "Ctrl+Alt+Shift+T", "Global shortcut: translate your selected text "
        "(or the clipboard) into the customer's language and copy it (and paste it back when "
        "shortcuts.paste_back is on); empty: off", chord, policy=_shortcuts_policy)
declare("shortcuts.reply_search", "Ctrl+Alt+Shift+R", "Global shortcut: a reply search popup over any "
        "application; the chosen reply is filled for the customer and copied (and pasted back "
        "when shortcuts.paste_back is on); empty: off", chord, policy=_shortcuts_policy)
declare("shortcuts.use_selection", True, "Global shortcuts read the selected text where the "
        "system has a selection (X11), and the clipboard when nothing is selected", boolean)
declare("shortcuts.paste_back", False, "Paste the result into the application that had focus "
        "(one paste keystroke: Ctrl+V, Cmd+V on macOS), not only copy it", boolean, policy=_paste_policy)
