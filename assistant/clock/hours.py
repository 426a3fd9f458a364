"""The one 12/24-hour choice: every time the app shows the agent (the customer's clock, the
next good time "9:00 their time (10:00 yours)", zone choices, the converter, the queue) uses
it, so two times side by side never mix the cycles.

The setting ``clock.hour_cycle`` is "12", "24" or unset; unset follows the UI language's
own habit (CLDR: English 12-hour, German 24-hour). The app and the CLI load it with
:func:`load` when they open the database and again when the setting changes; until then the
UI language decides. Replies written to the customer keep the customer's own locale.
"""

from __future__ import annotations

SETTING = "clock.hour_cycle"
CYCLES = ("12", "24")

_cycle: str | None = None


def set_hour_cycle(value: str | None) -> None:
    """Use ``value`` ("12", "24" or None: the UI language's habit) from now on."""
    global _cycle
    _cycle = value if value in CYCLES else None


def load(db) -> None:
    """Take the setting from ``db`` (a bad stored value counts as unset)."""
    from assistant import settings

    set_hour_cycle(settings.get(db, SETTING))


def uses_24_hours(ui_language: str | None = None) -> bool:
    if _cycle is not None:
        return _cycle == "24"
    return locale_uses_24_hours(ui_language)


def locale_uses_24_hours(ui_language: str | None = None) -> bool:
    """The UI language's own habit (CLDR's short time pattern)."""
    from assistant.clock.details import display_locale
    from assistant.i18n import current_language

    return _is_24(display_locale(ui_language or current_language(), None).time_formats["short"].pattern)


def _is_24(pattern: str) -> bool:
    return "H" in pattern or "k" in pattern


def time_pattern(ui_language: str | None = None, country: str | None = None) -> str:
    """A short time pattern in the chosen cycle: the UI language's pattern in the customer's
    territory when it has the cycle (fr_CA "HH 'h' mm"), else the UI language's, else plain
    "HH:mm" / "h:mm a" (the am/pm names stay the UI language's)."""
    from assistant.clock.details import display_locale
    from assistant.i18n import current_language

    language = ui_language or current_language()
    twenty_four = uses_24_hours(language)
    for locale in (display_locale(language, country), display_locale(language, None)):
        pattern = locale.time_formats["short"].pattern
        if _is_24(pattern) == twenty_four:
            return pattern
    return "HH:mm" if twenty_four else "h:mm a"


def hour_minute(ui_language: str | None = None) -> str:
    """The bare hour-and-minute pattern for building others ("EEE HH:mm")."""
    return "HH:mm" if uses_24_hours(ui_language) else "h:mm a"
