"""Do-not-translate protection: product names, order numbers, e-mail addresses, URLs and
template placeholders like ``{{order_id}}`` survive translation unchanged.

Before translation each protected span is replaced by a slot marker ``⟦N⟧`` that models copy
through (the test model learns to; real models mostly do); after translation the markers are
put back. When a model drops, duplicates or invents a marker, :func:`restore` raises and the
engine falls back to translating the text between protected spans piece by piece, which
always keeps them.

Glossary terms are stored in ``glossary_terms`` with a ``source`` ("user" or a pack id).
:func:`add_terms`, :func:`remove_source` and :func:`all_terms` run inside the caller's
transaction (the pack installer changes terms and templates in one).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

import sqlite_utils

SLOT = "⟦{}⟧"
SLOT_RE = re.compile(r"⟦\s*(\d+)\s*⟧")
MAX_TERM_LENGTH = 100

# Order matters only for overlaps: the earliest, then longest span wins.
_PATTERNS = [
    re.compile(r"⟦\s*\d+\s*⟧"),                                   # a marker already in the text
    re.compile(r"\{\{\s*[\w.\-]+\s*\}\}"),                        # template placeholders
    re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\.[^\s<>\"]+", re.IGNORECASE),  # URLs
    re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),               # e-mail addresses
    # order / ticket / invoice numbers: "#12345", "A-10023", "ORD-2024-0042", "INV20240042", long digit runs
    re.compile(r"#\d{3,}\b|\b(?=[A-Z0-9\-]*\d)(?=[A-Z0-9\-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+\b"
               r"|\b[A-Z]{2,}\d{3,}\b|\b\d{6,}\b"),
]
_TRAILING = ".,;:!?)]}'\""


class RestoreError(ValueError):
    """The translation lost, duplicated or invented a slot marker."""


@dataclass(frozen=True)
class Protected:
    text: str                   # the text with slot markers
    originals: tuple[str, ...]  # what each marker stands for, by number

    @property
    def has_slots(self) -> bool:
        return bool(self.originals)


def term_pattern(term: str) -> str:
    """A regular expression for ``term`` as a whole word. The word boundary applies at an
    end that is a letter or digit: ".NET" in "on.NET" and "Yahoo!" in "Yahoo!Mail" are still
    the term, "Acme" in "Acmeology" is not."""
    before = r"(?<!\w)" if re.match(r"\w", term[0]) else ""
    after = r"(?!\w)" if re.match(r"\w", term[-1]) else ""
    return before + re.escape(term) + after


class TermIndex:
    """Terms by their first ``KEY`` characters (shorter ones apart), so that a text is
    searched only for the terms it contains: a pattern per term, tried on every message,
    took 155 ms at one pack's 5,000 terms and 0.95 s at six packs' 30,000 (Python's pattern
    cache holds 512). ``fold``: a ``str.translate`` table applied to terms and texts alike,
    one character to one (assistant.packs.terms matches ignoring case)."""

    KEY = 3

    def __init__(self, terms: Iterable[str], fold=None):
        self.fold = fold
        self.keys = [str(term or "").translate(fold) if fold else str(term or "") for term in terms]
        self.short: list[int] = []
        self.by_key: dict[str, list[int]] = {}
        for position, key in enumerate(self.keys):
            if not key:
                continue
            if len(key) < self.KEY:
                self.short.append(position)
            else:
                self.by_key.setdefault(key[:self.KEY], []).append(position)

    def found_in(self, text: str) -> list[int]:
        """The positions of the terms that occur in ``text`` as any substring (the patterns
        then judge), in order."""
        text = text.translate(self.fold) if self.fold else text
        keys, get, size = self.keys, self.by_key.get, self.KEY
        found = {position for position in self.short if keys[position] in text}
        for at in range(len(text) - size + 1):
            bucket = get(text[at:at + size])
            if bucket:
                found.update(position for position in bucket if text.startswith(keys[position], at))
        return sorted(found)


@functools.lru_cache(maxsize=4)
def _term_index(terms: tuple[str, ...]) -> tuple[tuple[str, ...], TermIndex]:
    distinct = tuple(dict.fromkeys(t for t in terms if t and t.strip()))
    return distinct, TermIndex(distinct)


def find_protected_spans(text: str, terms: Iterable[str] = ()) -> list[tuple[int, int]]:
    candidates: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            while end > start and text[end - 1] in _TRAILING and pattern is _PATTERNS[2]:
                end -= 1  # "see https://x.example/a." : the full stop ends the sentence
            candidates.append((start, end))
    distinct, index = _term_index(tuple(terms)) if terms else ((), None)
    present = [distinct[position] for position in index.found_in(text)] if index else []
    for term in sorted(present, key=len, reverse=True):
        # case-sensitive: "Acme" is a name, "acme" may be a word
        for m in re.finditer(term_pattern(term), text):
            candidates.append(m.span())
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda s: (s[0], -(s[1] - s[0]))):
        if end > start and all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def protect(text: str, terms: Iterable[str] = ()) -> Protected:
    parts: list[str] = []
    originals: list[str] = []
    last = 0
    for start, end in find_protected_spans(text, terms):
        parts.append(text[last:start])
        parts.append(SLOT.format(len(originals)))
        originals.append(text[start:end])
        last = end
    parts.append(text[last:])
    return Protected("".join(parts), tuple(originals))


def restore(translated: str, protected: Protected) -> str:
    """Put the originals back; raises RestoreError unless every marker appears exactly once."""
    seen = [int(n) for n in SLOT_RE.findall(translated)]
    expected = list(range(len(protected.originals)))
    if "⟦x" in translated:  # the engine's mark for a marker the model invented
        raise RestoreError("the translation has a slot marker its sentence did not have")
    if sorted(seen) != expected:
        raise RestoreError(f"slot markers {sorted(seen)} in the translation, expected {expected}")
    return SLOT_RE.sub(lambda m: protected.originals[int(m.group(1))], translated)


def segments(protected: Protected) -> list[tuple[str, bool]]:
    """The masked text as (piece, is_protected) runs, protected pieces as their originals:
    the fallback translates the unprotected runs one by one."""
    out: list[tuple[str, bool]] = []
    last = 0
    for m in SLOT_RE.finditer(protected.text):
        out.append((protected.text[last:m.start()], False))
        out.append((protected.originals[int(m.group(1))], True))
        last = m.end()
    out.append((protected.text[last:], False))
    return [(piece, flag) for piece, flag in out if piece]


# -- storage -------------------------------------------------------------------------------

def clean_term(term: str) -> str:
    return " ".join(str(term).split())[:MAX_TERM_LENGTH]


def add_terms(db: sqlite_utils.Database, terms: Iterable[str], source: str,
              now: datetime | None = None) -> int:
    """Add terms for ``source`` (duplicates ignored); runs in the caller's transaction.
    Returns how many were new."""
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    added = 0
    for term in dict.fromkeys(clean_term(t) for t in terms):
        if term:
            cursor = db.execute(
                "INSERT OR IGNORE INTO glossary_terms (term, source, created_at) VALUES (?, ?, ?)",
                [term, source, stamp])
            added += cursor.rowcount
    return added


def remove_source(db: sqlite_utils.Database, source: str) -> int:
    """Remove every term ``source`` added; runs in the caller's transaction."""
    return db.execute("DELETE FROM glossary_terms WHERE source = ?", [source]).rowcount


def remove_term(db: sqlite_utils.Database, term: str, source: str = "user") -> int:
    return db.execute("DELETE FROM glossary_terms WHERE term = ? AND source = ?",
                      [clean_term(term), source]).rowcount


def all_terms(db: sqlite_utils.Database) -> list[str]:
    """Distinct terms from every source, longest first (the order protection tries them)."""
    rows = db.execute("SELECT DISTINCT term FROM glossary_terms").fetchall()
    return sorted((r[0] for r in rows), key=lambda t: (-len(t), t))


def terms_by_source(db: sqlite_utils.Database) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for term, source in db.execute("SELECT term, source FROM glossary_terms ORDER BY source, term"):
        out.setdefault(source, []).append(term)
    return out
