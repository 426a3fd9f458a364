"""The app's own strings go through gettext (catalogues in ``locales/``, compiled by Babel).
English is the source language; a missing catalogue falls back to it. When only the ``.po``
source is present (a checkout before ``make catalogs``) it is compiled in memory."""

from __future__ import annotations

import gettext as _gettext
import io
import locale
import logging
import os
from pathlib import Path

from assistant.paths import locales_path

DOMAIN = "agent_assistant"
SUPPORTED = ("en", "es", "fr", "de", "pt_BR", "hi", "ar")
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_current = "en"
log = logging.getLogger(__name__)


def system_language() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return value.split(":")[0].split(".")[0] or "en"
    if os.name == "nt":  # Windows sets no LANG: ask for the user's display language
        try:
            import ctypes

            lang_id = ctypes.windll.kernel32.GetUserDefaultUILanguage()
            return locale.windows_locale.get(lang_id, "en")
        except (AttributeError, OSError):
            pass
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
    _translation = load_catalogue(_current)
    return _current


def _catalogue_files(code: str) -> tuple[Path, Path] | None:
    try:
        folder = locales_path() / code / "LC_MESSAGES"
    except FileNotFoundError:
        return None
    return folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"


def has_catalogue(code: str) -> bool:
    files = _catalogue_files(code)
    return files is not None and any(f.is_file() for f in files)


def load_catalogue(code: str) -> _gettext.NullTranslations:
    """The compiled catalogue, else the .po compiled in memory, else English."""
    files = None if code == "en" else _catalogue_files(code)
    if files is None:
        return _gettext.NullTranslations()
    mo, po = files
    try:
        # a .mo older than its .po is stale (strings changed since `make catalogs`)
        if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
            with mo.open("rb") as fp:
                return _gettext.GNUTranslations(fp)
        if po.is_file():
            return _gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    except Exception:  # a damaged catalogue must not stop the app: English it is
        log.exception("UI catalogue for %s cannot be loaded", code)
    return _gettext.NullTranslations()


def compile_po(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=po.parent.parent.name, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def current_language() -> str:
    return _current


def is_rtl(code: str | None = None) -> bool:
    return (code or _current).split("_")[0] in RTL_LANGUAGES


# Left-to-right embedding (LRE ... PDF). Not the isolates (U+2066...U+2069) Unicode now
# prefers: Qt 6.11's text engine does not honour them (it still paints "+81 3-1234-5678"
# backwards in Arabic, and drops the glyphs after the isolate), while embeddings lay out
# correctly. Catalogues use the same marks around such placeholders (tests/test_catalogues.py).
LTR_START, LTR_END = "\u202a", "\u202c"
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def ltr(text: str) -> str:
    """``text`` (a phone number, a time, a shortcut, a code) as one left-to-right run, so a
    right-to-left UI shows "+81 3-1234-5678" and "Ctrl+K", not "5678-1234-3 81+" and ",Ctrl+".
    In a left-to-right UI the text is returned as it is. Bidi controls already in the text
    are dropped, so outside text cannot unbalance the run. The one place for this rule."""
    text = str(text)
    if not is_rtl() or not text:
        return text
    return LTR_START + text.translate(_BIDI_CONTROLS) + LTR_END


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message
