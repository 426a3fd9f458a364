"""The agent's own time zone, one detector for the whole app: the setting ``clock.agent_zone``
when set, else the system's. The clock, the queue (its times and the team hours' default
zone), the CLI and task times all ask here, so they never disagree.

The system zone is found without tzlocal: the hint the window gives once at start (Qt's
``QTimeZone.systemTimeZoneId``, see :func:`use_system_hint`), the TZ variable, on Windows the
registry's zone name through CLDR's Windows-to-IANA table (so the CLI, which has no Qt, finds
the same zone as the window), /etc/localtime's link target, then /etc/timezone. Failing all
of those, the fixed offset of datetime.now().astimezone() is used (as an Etc/GMT zone when it
is a whole hour, else UTC)."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from assistant.clock.errors import UnknownZoneError
from assistant.clock.zones import canonical_zone

log = logging.getLogger(__name__)

SETTING = "clock.agent_zone"

_system_hint: str | None = None


def use_system_hint(hint: str | None) -> None:
    """Remember the platform's own answer (the GUI passes Qt's system zone id once at start);
    :func:`system_zone` prefers it from then on."""
    global _system_hint
    _system_hint = hint or None


def _valid(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return canonical_zone(name)
    except UnknownZoneError:
        return None


def windows_zone(name: str | None = None) -> str | None:
    """The IANA zone of a Windows zone name ("W. Europe Standard Time" -> Europe/Berlin), by
    CLDR's table; without ``name``, this Windows machine's own (None elsewhere)."""
    if name is None:
        if os.name != "nt":
            return None
        try:
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                                r"SYSTEM\CurrentControlSet\Control\TimeZoneInformation") as key:
                name = str(winreg.QueryValueEx(key, "TimeZoneKeyName")[0]).strip("\x00 ")
        except OSError:
            return None
    from babel.core import get_global

    return get_global("windows_zone_mapping").get(name)


def system_zone(hint: str | None = None) -> str:
    """The IANA id of the machine's zone. ``hint`` (default: the one given at start) wins
    when it is a zone we know."""
    candidates = [hint or _system_hint, os.environ.get("TZ", "").lstrip(":"), windows_zone()]
    localtime = Path("/etc/localtime")
    try:
        if localtime.is_symlink():
            target = str(localtime.resolve())
            if "zoneinfo/" in target:
                candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for candidate in candidates:
        zone = _valid(candidate)
        if zone:
            return zone
    offset = datetime.now().astimezone().utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes % 60 == 0 and minutes:
        hours = minutes // 60
        # Etc/GMT signs are inverted (POSIX): UTC+2 is Etc/GMT-2
        return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    return "Etc/UTC"


def agent_zone(db=None, hint: str | None = None) -> str:
    """The zone the agent's clock shows: the ``clock.agent_zone`` setting when set (a stored
    value that is not a zone is logged and ignored by the settings registry), else
    :func:`system_zone`."""
    if db is not None:
        from assistant import settings

        configured = settings.get(db, SETTING)
        if configured:
            return configured
    return system_zone(hint)
