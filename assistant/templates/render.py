"""The placeholder renderer: a tiny syntax, not a template language.

Syntax inside template text:

* ``{{name}}`` -- the value of ``name``; ``{{ name }}`` (spaces) is the same.
* ``{{name|fallback}}`` -- the value, or the literal ``fallback`` text when the value is
  missing or empty (``{{name|}}`` means "or nothing").
* ``{{#section}}...{{/section}}`` -- text kept only when the section is ticked in
  (sections may nest; an unknown section counts as ticked in).

Rules, all deliberate: names are ``[A-Za-z_][A-Za-z0-9_]*`` and nothing else (no dots, no
attributes, no expressions, no calls). The text is scanned once, left to right; a substituted
value is copied to the output and never scanned again, so a customer named ``{{agent_name}}``
stays exactly that. A placeholder without a value or fallback stays visible, verbatim, and is
reported in ``unresolved``; unbalanced section markers stay visible as text. Rendering never
raises on any string. ``str.format``, Jinja and ``string.Template`` are never used on template
text.

The result carries ``segments`` (literal text, filled values, unresolved placeholders) so a
view can highlight unresolved names while showing everything as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

TEXT = "text"
VALUE = "value"
UNRESOLVED = "unresolved"

# One token kind for everything between {{ and }}: an optional section sigil, a name, an
# optional |fallback without braces. Anything else between braces is plain text.
TOKEN_RE = re.compile(r"\{\{\s*([#/]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*))?\}\}")
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Segment:
    kind: str          # TEXT, VALUE or UNRESOLVED
    text: str
    name: str = ""


@dataclass
class RenderResult:
    text: str
    unresolved: list[str] = field(default_factory=list)   # unique names, first-seen order
    used: list[str] = field(default_factory=list)         # names whose value was substituted
    segments: list[Segment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # e.g. unbalanced section markers
    visible: list[str] = field(default_factory=list)      # value placeholders outside
                                                          # ticked-out sections

    def unresolved_spans(self) -> list[tuple[int, int, str]]:
        """(start, end, name) of each unresolved placeholder in ``text``."""
        spans, pos = [], 0
        for seg in self.segments:
            if seg.kind == UNRESOLVED:
                spans.append((pos, pos + len(seg.text), seg.name))
            pos += len(seg.text)
        return spans


def placeholders(text: str) -> list[str]:
    """Names of the value placeholders in ``text`` (not section markers), unique, in order."""
    names: list[str] = []
    for match in TOKEN_RE.finditer(text or ""):
        if not match.group(1) and match.group(2) not in names:
            names.append(match.group(2))
    return names


def section_ids(text: str) -> list[str]:
    names: list[str] = []
    for match in TOKEN_RE.finditer(text or ""):
        if match.group(1) == "#" and match.group(2) not in names:
            names.append(match.group(2))
    return names


def _matched_sections(tokens: list[re.Match]) -> set[int]:
    """Indices of section tokens that open or close a properly nested pair."""
    matched: set[int] = set()
    stack: list[tuple[str, int]] = []
    for i, token in enumerate(tokens):
        sigil, name = token.group(1), token.group(2)
        if sigil == "#":
            stack.append((name, i))
        elif sigil == "/":
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == name:
                    # anything opened inside and not closed is unbalanced: leave it as text
                    matched.update((stack[depth][1], i))
                    del stack[depth:]
                    break
    return matched


def render(text: str, values: Mapping[str, object] | None = None,
           sections: Mapping[str, bool] | None = None) -> RenderResult:
    """Fill ``text``. ``values`` maps names to text (None or "" counts as missing);
    ``sections`` maps section ids to ticked in/out. Never raises for any ``text``."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    values = values or {}
    sections = sections or {}
    tokens = list(TOKEN_RE.finditer(text))
    matched = _matched_sections(tokens)
    segments: list[Segment] = []
    unresolved: list[str] = []
    used: list[str] = []
    visible: list[str] = []
    problems: list[str] = []
    hidden_depth = 0  # > 0 while inside a section that is ticked out
    pos = 0

    def emit(kind: str, piece: str, name: str = "") -> None:
        if hidden_depth == 0 and piece:
            segments.append(Segment(kind, piece, name))

    for i, token in enumerate(tokens):
        emit(TEXT, text[pos:token.start()])
        pos = token.end()
        sigil, name, fallback = token.group(1), token.group(2), token.group(3)
        if sigil:
            if i not in matched:
                emit(TEXT, token.group(0))
                problems.append(f"unbalanced section marker {token.group(0)}")
            elif sigil == "#":
                if hidden_depth or not sections.get(name, True):
                    hidden_depth += 1
            elif hidden_depth:
                hidden_depth -= 1
            continue
        if hidden_depth == 0 and name not in visible:
            visible.append(name)
        value = values.get(name)
        value = "" if value is None else (value if isinstance(value, str) else str(value))
        if value:
            emit(VALUE, value, name)
            if hidden_depth == 0 and name not in used:
                used.append(name)
        elif fallback is not None:
            emit(VALUE if fallback else TEXT, fallback, name)
        else:
            emit(UNRESOLVED, token.group(0), name)
            if hidden_depth == 0 and name not in unresolved:
                unresolved.append(name)
    emit(TEXT, text[pos:])
    merged: list[Segment] = []
    for seg in segments:  # adjacent literal text in one piece: simpler for views and tests
        if merged and seg.kind == TEXT and merged[-1].kind == TEXT:
            merged[-1] = Segment(TEXT, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return RenderResult("".join(s.text for s in merged), unresolved, used, merged, problems, visible)
