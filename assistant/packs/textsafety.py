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

import unicodedata
from dataclasses import dataclass

# Explicit bidi formatting: embeddings, overrides, their terminator, and isolates.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Direction marks an Arabic or Hebrew writer uses in ordinary text.
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")
# Invisible characters with no business in support replies (besides Cf, checked below).
INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")

IDENTIFIER, NAME, TEXT = "identifier", "name", "text"


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    char: str
    index: int
    message: str


_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BACKSPACE TAB LINE-FEED VT FORM-FEED CARRIAGE-RETURN SO SI "
             "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESCAPE FS GS RS US").split()


def describe(char: str) -> str:
    name = unicodedata.name(char, None)
    if name is None:
        code = ord(char)
        name = (_C0_NAMES[code].replace("-", " ") if code < 32 else "DELETE" if code == 127
                else "CONTROL")
    return f"U+{ord(char):04X} {name}"


def _is_invisible(char: str) -> bool:
    if char in DIRECTION_MARKS or char in JOINERS:
        return False
    if char in INVISIBLE_EXTRA:
        return True
    category = unicodedata.category(char)
    return category == "Cf" or 0xE0000 <= ord(char) <= 0xE007F


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def scan(text: str, kind: str) -> list[Finding]:
    """Problems with the hidden characters of ``text`` used as a field of ``kind``.
    Fast path: plain printable text returns at once (the 5,000-template benchmark)."""
    if text.isprintable() and text.isascii():
        return []
    findings: list[Finding] = []
    for index, char in enumerate(text):
        if char.isascii() and char.isprintable():
            continue
        label = describe(char)
        if _is_control(char):
            if kind == TEXT and char in TEXT_CONTROLS_ALLOWED:
                continue
            if kind == NAME and char == "\t":
                findings.append(Finding("error", char, index, f"a tab ({label}) is not allowed in a name"))
                continue
            findings.append(Finding("error", char, index, f"control character {label}"))
        elif char in BIDI_CONTROLS:
            severity = "warning" if kind == TEXT else "error"
            findings.append(Finding(severity, char, index, f"bidirectional override character {label}"))
        elif kind == IDENTIFIER and (not char.isprintable() or char.isspace()
                                     or char in DIRECTION_MARKS or char in JOINERS):
            findings.append(Finding("error", char, index, f"invisible or spacing character {label}"))
        elif _is_invisible(char):
            severity = "warning" if kind == TEXT else "error"
            findings.append(Finding(severity, char, index, f"invisible character {label}"))
        elif unicodedata.category(char) in ("Zl", "Zp") and kind != TEXT:
            findings.append(Finding("error", char, index, f"line separator {label}"))
    return findings


def visible(text: str) -> str:
    """``text`` with every flagged or control character replaced by a visible marker, for
    review screens. Line breaks and tabs stay as they are."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if char in TEXT_CONTROLS_ALLOWED:
            out.append(char)
        elif _is_control(char) or char in BIDI_CONTROLS or _is_invisible(char):
            out.append(f"⟦{describe(char)}⟧")
        else:
            out.append(char)
    return "".join(out)


def has_hidden(text: str) -> bool:
    return any(f.char in BIDI_CONTROLS or _is_invisible(f.char) for f in scan(text, TEXT))
