"""The app's own strings go through gettext (catalogues in ``locales/``, compiled by Babel).
English is the source language; a missing catalogue falls back to it."""

from __future__ import annotations

import gettext as _gettext
import locale
import os

from assistant.paths import locales_path

DOMAIN = "agent_assistant"
SUPPORTED = ("en", "es", "fr", "de", "pt_BR", "hi", "ar")
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_current = "en"


def system_language() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return value.split(":")[0].split(".")[0] or "en"
    try:
        return (locale.getlocale()[0] or "en")
    except ValueError:
        return "en"


def best_match(requested: str | None) -> str:
    requested = (requested or system_language()).replace("-", "_")
    if requested in SUPPORTED:
        return requested
    base = requested.split("_")[0]
    for code in SUPPORTED:
        if code.split("_")[0] == base:
            return code
    return "en"


def set_language(code: str | None) -> str:
    """Install the catalogue for ``code`` (or the system language); returns the one used."""
    global _translation, _current
    _current = best_match(code)
    try:
        _translation = _gettext.translation(DOMAIN, localedir=str(locales_path()), languages=[_current])
    except (OSError, FileNotFoundError):
        _translation = _gettext.NullTranslations()
    return _current


def current_language() -> str:
    return _current


def is_rtl(code: str | None = None) -> bool:
    return (code or _current).split("_")[0] in RTL_LANGUAGES


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message
