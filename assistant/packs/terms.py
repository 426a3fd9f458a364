"""The team's preferred translations of terms, from the glossaries of installed packs.

They are offered as hints next to a machine translation ("refund → reembolso"), never
substituted into it: a term replaced in place breaks the sentence wherever it is inflected
or used as another part of speech ("We will refund you" is not "reembolso")."""

from __future__ import annotations

import json
import re

from assistant.templates.model import base_language
from assistant.translation.glossary import term_pattern


def _for_language(translations: dict, target: str) -> str | None:
    if translations.get(target):
        return translations[target]
    base = base_language(target)
    for code, value in sorted(translations.items()):
        if value and base_language(code) == base:
            return value
    return None


def preferred_translations(db, text: str, target: str) -> list[tuple[str, str]]:
    """(term, the team's translation into ``target``) for each pack term ``text`` mentions,
    in the order of the text; each term once."""
    if not text.strip():
        return []
    rows = db.execute("SELECT term, translations FROM pack_glossary "
                      "WHERE translations IS NOT NULL AND translations != '{}'").fetchall()
    found: dict[str, tuple[int, str, str]] = {}
    for term, raw in rows:
        try:
            translations = json.loads(raw)
        except (TypeError, json.JSONDecodeError):
            continue
        preferred = _for_language(translations, target) if isinstance(translations, dict) else None
        if (not preferred or not term or term.lower() in found
                or not re.search(term_pattern(term), text, re.IGNORECASE)):
            continue
        found[term.lower()] = (text.lower().find(term.lower()), term, preferred)
    return [(term, preferred) for _pos, term, preferred in sorted(found.values())]
