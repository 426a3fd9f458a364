"""Hidden characters in pack text.

Three kinds of field, three rules (documented in docs/pack-format.md):

- **identifiers** (pack id, template ids, shortcuts, variable and section names, language
  codes, key ids): printable characters only. Any control, format (Cf), separator other
  than the plain space, or bidirectional character is an error.
- **names** (pack title, publisher, template titles, variable labels): one line. Control
  characters are errors; bidi embeddings/overrides/isolates and invisible characters are
  errors too, because a name is what a user relies on to know what they are installing.
  Ordinary direction marks (LRM, RLM, ALM) and joiners (ZWJ, ZWNJ, needed by Arabic,
  Persian, Indic scripts and emoji) stay valid.
- **text** (bodies, choices, glossary, cards): tab and line breaks allowed; other control
  characters are errors. Bidi embeddings/overrides/isolates and invisible characters are
  *flagged* (a warning that names the character and where it is) and :func:`visible` shows
  them as ``⟦U+202E RIGHT-TO-LEFT OVERRIDE⟧`` wherever pack text is reviewed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from assistant.plaintext import describe
from assistant.plaintext import is_surrogate as _is_surrogate

# Explicit bidi formatting: embeddings, overrides, their terminator, and isolates.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Direction marks an Arabic or Hebrew writer uses in ordinary text.
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")
# Invisible characters with no business in support replies (besides Cf, checked below).
INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")

IDENTIFIER, NAME, TEXT = "identifier", "name", "text"

# Every character a rule below may flag (a superset: each match is then judged one by one),
# so clean text, in any script, is checked by one regex search instead of a Python loop.
# tests/assistant/packs/test_textsafety.py checks that it covers every Cc and Cf character.
_SUSPECT = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
            "\u08e2\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufeff\uffa0"
            "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
            "\U0001d173-\U0001d17a\U000e0000-\U000e007f\ud800-\udfff")
_SUSPECT_RANGES = tuple((m.group(1), m.group(2) or m.group(1))
                        for m in re.finditer("(.)(?:-(.))?", _SUSPECT, re.DOTALL))
# No identifier (ids, codes, keys) is longer than this; a longer one is refused for its length
# before its characters are looked at one by one.
MAX_IDENTIFIER_CHARS = 256
_TEXT_SUSPECT_RE = re.compile(f"[{_SUSPECT}]")
_ASCII_PRINTABLE_RUNS = re.compile("[\x20-\x7e]+")
_ANY_CHAR = re.compile(".", re.DOTALL)
_NAME_SUSPECT_RE = re.compile(f"[{_SUSPECT}\t\n\r]")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    char: str
    index: int  # -1: the finding is about the whole text
    message: str


def _is_invisible(char: str) -> bool:
    if char in DIRECTION_MARKS or char in JOINERS:
        return False
    if char in INVISIBLE_EXTRA:
        return True
    category = unicodedata.category(char)
    return category == "Cf" or 0xE0000 <= ord(char) <= 0xE007F


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _without_breaks(text: str) -> str:
    text = text.replace("\n", "")
    if "\t" in text:
        text = text.replace("\t", "")
    if "\r" in text:
        text = text.replace("\r", "")
    return text


def is_plain(text: str) -> bool:
    """True when ``text`` has nothing any rule could flag, in any kind of field."""
    return text.isprintable() and (text.isascii() or not any(char in text for char in INVISIBLE_EXTRA))


# What text may hold that no rule flags, besides printable characters: line breaks, tabs,
# direction marks and joiners (an Arabic body has them); printable ASCII is taken out first.
_ASCII_TEXT_BYTES = bytes(range(0x20, 0x7f)) + b"\t\n\r"
_TEXT_MARKS = tuple(sorted(DIRECTION_MARKS | JOINERS))


def is_clean_text(text: str) -> bool:
    """True when :func:`scan` finds nothing in ``text`` as a TEXT field (False may still
    mean nothing is found: then ask :func:`scan`). At C speed whatever the script, for many
    bodies joined: printable ASCII and line breaks are dropped from the UTF-8 bytes in one
    pass, and what is left (the other characters) must be printable once the direction marks
    and joiners are taken out, and hold no invisible filler."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    rest = data.translate(None, _ASCII_TEXT_BYTES).decode("utf-8")
    for mark in _TEXT_MARKS:
        if mark in rest:
            rest = rest.replace(mark, "")
    return rest.isprintable() and not any(char in rest for char in INVISIBLE_EXTRA)


def _judge(char: str, kind: str) -> tuple[str, str] | None:
    """(severity, message) when ``char`` is flagged in a field of ``kind``; None when it is fine."""
    if _is_surrogate(char):
        return "error", f"a lone surrogate {describe(char)}: not Unicode text, it cannot be stored as UTF-8"
    if _is_control(char):
        if kind == TEXT and char in TEXT_CONTROLS_ALLOWED:
            return None
        if kind == NAME and char == "\t":
            return "error", f"a tab ({describe(char)}) is not allowed in a name"
        return "error", f"control character {describe(char)}"
    if char in BIDI_CONTROLS:
        return ("warning" if kind == TEXT else "error"), f"bidirectional override character {describe(char)}"
    if kind == IDENTIFIER and (not char.isprintable() or char.isspace()
                               or char in DIRECTION_MARKS or char in JOINERS):
        return "error", f"invisible or spacing character {describe(char)}"
    if _is_invisible(char):
        return ("warning" if kind == TEXT else "error"), f"invisible character {describe(char)}"
    if unicodedata.category(char) in ("Zl", "Zp") and kind != TEXT:
        return "error", f"line separator {describe(char)}"
    return None


def _clean_for(text: str, kind: str) -> bool:
    # Printable text (no Cc, Cf, Cs, Zl, Zp, nor spaces other than U+0020) is clean for every
    # kind; so is text whose only non-printables are tabs and line breaks, in TEXT fields.
    # (A few invisible fillers are letters to Python, hence the second test.)
    return (text.isprintable() or (kind == TEXT and _without_breaks(text).isprintable())) and (
        text.isascii() or not any(char in text for char in INVISIBLE_EXTRA))


def scan(text: str, kind: str, limit: int | None = None) -> list[Finding]:
    """Problems with the hidden characters of ``text`` used as a field of ``kind``, at most
    ``limit`` of them (:func:`count` tells how many there are in all).
    Fast path: plain printable text returns at once (the 5,000-template benchmark)."""
    if kind == IDENTIFIER and len(text) > MAX_IDENTIFIER_CHARS:  # the length is the finding
        return [Finding("error", "", -1, f"an identifier of {len(text):,} characters "
                                         f"(at most {MAX_IDENTIFIER_CHARS})")]
    if _clean_for(text, kind):
        return []
    if kind == IDENTIFIER:
        candidates = ((i, c) for i, c in enumerate(text) if not (c.isascii() and c.isprintable()))
    else:
        regex = _TEXT_SUSPECT_RE if kind == TEXT else _NAME_SUSPECT_RE
        candidates = ((m.start(), m.group()) for m in regex.finditer(text))
    findings: list[Finding] = []
    for index, char in candidates:
        verdict = _verdict(char, kind)
        if verdict is not None:
            findings.append(Finding(verdict[0], char, index, verdict[1]))
            if limit is not None and len(findings) >= limit:
                break
    return findings


def count(text: str, kind: str) -> tuple[int, int]:
    """(errors, warnings): the characters :func:`scan` would flag one by one in ``text`` (the
    length rule for identifiers aside), counted at the regex engine's speed, so a hostile
    field of millions of flagged characters is counted, never listed. Counts add up over
    concatenation: many fields of one kind are counted in one call."""
    totals = {"error": 0, "warning": 0}
    if kind == IDENTIFIER:
        text = _ASCII_PRINTABLE_RUNS.sub("", text)  # what is left are the candidates
        search = _ANY_CHAR.search
    elif _clean_for(text, kind):
        return 0, 0
    else:
        search = (_TEXT_SUSPECT_RE if kind == TEXT else _NAME_SUSPECT_RE).search
    # The few characters a hostile field repeats are counted with str.count (100x faster than
    # a regex substitution per match); whatever else remains, by the exact classes.
    for _ in range(8):
        match = search(text)
        if match is None:
            return totals["error"], totals["warning"]
        char = match.group()
        verdict = _verdict(char, kind)
        if verdict is not None:
            totals[verdict[0]] += text.count(char)
        text = text.replace(char, "")
    if kind == IDENTIFIER:  # candidates are not bounded to a small set: judged one by one
        for char in text:
            verdict = _verdict(char, kind)
            if verdict is not None:
                totals[verdict[0]] += 1
        return totals["error"], totals["warning"]
    errors_re, warnings_re = _exact_classes(kind)
    return (totals["error"] + errors_re.subn("", text)[1],
            totals["warning"] + (warnings_re.subn("", text)[1] if warnings_re else 0))


@lru_cache(maxsize=8192)
def _verdict(char: str, kind: str) -> tuple[str, str] | None:
    return _judge(char, kind)


@lru_cache(maxsize=None)
def _exact_classes(kind: str) -> tuple[re.Pattern, re.Pattern | None]:
    """Regexes matching exactly the characters :func:`_judge` flags as errors, and as
    warnings, in a TEXT or NAME field (every candidate is in the suspect set)."""
    by_severity: dict[str, list[str]] = {"error": [], "warning": []}
    for first, last in _SUSPECT_RANGES + (("\t", "\t"), ("\n", "\n"), ("\r", "\r")):
        for code in range(ord(first), ord(last) + 1):
            verdict = _judge(chr(code), kind)
            if verdict is not None:
                by_severity[verdict[0]].append(chr(code))

    def klass(chars: list[str]) -> re.Pattern | None:
        return re.compile("[" + "".join(re.escape(c) for c in chars) + "]") if chars else None

    return klass(by_severity["error"]), klass(by_severity["warning"])


def visible(text: str) -> str:
    """``text`` with every flagged or control character replaced by a visible marker, for
    review screens. Line breaks and tabs stay as they are."""
    if (text.isascii() and text.isprintable()) or _TEXT_SUSPECT_RE.search(text) is None:
        return text
    out = []
    for char in text:
        if char in TEXT_CONTROLS_ALLOWED:
            out.append(char)
        elif _is_control(char) or char in BIDI_CONTROLS or _is_invisible(char) or _is_surrogate(char):
            out.append(f"⟦{describe(char)}⟧")
        else:
            out.append(char)
    return "".join(out)


def has_hidden(text: str) -> bool:
    return any(f.char in BIDI_CONTROLS or _is_invisible(f.char) for f in scan(text, TEXT))
