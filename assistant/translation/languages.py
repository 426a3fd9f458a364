"""Display names of translation languages, in the UI language (CLDR data through Babel)."""

from __future__ import annotations

from functools import lru_cache

# Argos package codes that are not CLDR codes.
_CLDR = {"pb": "pt_BR", "zt": "zh_Hant", "zh": "zh_Hans"}


@lru_cache(maxsize=512)
def language_name(code: str, ui_language: str = "en", fallback: str = "") -> str:
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(_CLDR.get(code, code)).get_display_name(Locale.parse(ui_language))
    except (ValueError, UnknownLocaleError):
        name = None
    return (name[:1].upper() + name[1:]) if name else (fallback or code)
