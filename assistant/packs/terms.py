"""The team's preferred translations of terms, from the glossaries of installed packs.

They are offered as hints next to a machine translation ("refund → reembolso"), never
substituted into it: a term replaced in place breaks the sentence wherever it is inflected
or used as another part of speech ("We will refund you" is not "reembolso")."""

from __future__ import annotations

import functools
import json
import re
import threading

from assistant.templates.model import base_language
from assistant.translation.glossary import TermIndex, all_terms, term_pattern


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
    return hints(team_rows(db), text, target) if text.strip() else []


_read_lock = threading.Lock()
_read: dict[tuple[str, bool], tuple[int, tuple]] = {}  # (database, team) -> (packs counter, what was read)


def read_glossaries(path, team: bool) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """What a translation reads on the worker, on a read-only connection of its own: the
    glossary's terms to protect and (``team``) :func:`team_rows` for the hints. On the GUI
    thread the terms alone took 26 ms at six packs' 30,000, and the hints 1.07 s. Read
    again only when a glossary changed (the ``packs`` change counter moved): each message
    read them, 12 ms (21 with the hints) at 30,000 terms."""
    from assistant.storage.changes import PACKS, counter
    from assistant.storage.database import read_only

    key = (str(path), team)
    with read_only(path) as db:
        version = counter(db.conn, PACKS)  # before the read: a change meanwhile is read next time
        with _read_lock:
            kept = _read.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        read = all_terms(db), (team_rows(db) if team else ())
    with _read_lock:
        _read[key] = (version, read)
    return read


def team_rows(db) -> tuple[tuple[str, str], ...]:
    """The installed packs' glossary terms that have translations: (term, translations as JSON)."""
    return tuple(db.execute("SELECT term, translations FROM pack_glossary "
                            "WHERE translations IS NOT NULL AND translations != '{}'").fetchall())


def hints(rows: tuple[tuple[str, str], ...], text: str, target: str) -> list[tuple[str, str]]:
    """:func:`preferred_translations` from the glossary's (term, translations as JSON) rows;
    the first row of a term (ignoring case) with a translation for ``target`` gives it."""
    if not rows or not text.strip():
        return []
    found: dict[str, tuple[int, str, str]] = {}
    for term, raw in (rows[position] for position in _team_terms(rows).found_in(text)):
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


class _Fold(dict):
    """A ``str.translate`` table: each character to one character, the same for any two that
    ``re.IGNORECASE`` matches: the first of its case folding, and the dotless ı as i (the one
    pair of those that case folding keeps apart; every cased character checked in
    tests/assistant/packs/test_terms.py). One character each, so positions are kept."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = self[code] = "i" if char == "ı" else char.casefold()[:1]
        return folded


_FOLD = _Fold()


@functools.lru_cache(maxsize=2)
def _team_terms(rows: tuple[tuple[str, str], ...]) -> TermIndex:
    """The rows' terms indexed ignoring case: a pattern per row, tried after every outgoing
    translation on the GUI thread, took 170 ms at one pack's 5,000 terms and 1.07 s at six
    packs' 30,000."""
    return TermIndex((term for term, _raw in rows), fold=_FOLD)
