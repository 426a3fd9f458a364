"""The placeholder renderer: a tiny syntax, not a template language.

Syntax inside template text:

* ``{{name}}`` -- the value of ``name``; ``{{ name }}`` (spaces) is the same.
* ``{{name|fallback}}`` -- the value, or the literal ``fallback`` text when the value is
  missing or empty (``{{name|}}`` means "or nothing").
* An optional value left empty (``{{name|}}`` with no value) takes its adjoining space and
  punctuation with it, so the text reads as if a person wrote it: "Hello {{name|}}," gives
  "Hello,", "Hello, {{name|}}!" gives "Hello!", "Dear {{title|}} {{name}}" gives "Dear Ana",
  and "{{name|}}, thanks" at the start of a line gives "Thanks" (see :func:`_close_gaps`).
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
_GAP = "gap"  # an empty optional value, while rendering only: closed by _close_gaps

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


_LEFT_RE = re.compile(r"([,;:]?)([ \t]*)\Z")
_RIGHT_RE = re.compile(r"\A([ \t]*)([,.;:!?…)]?)([ \t]*)")


def _close_gaps(segments: list[Segment]) -> list[Segment]:
    """Remove each empty optional value with the separators around it. Only literal text
    next to it is trimmed (a neighbouring value counts as a word). By what follows the gap
    on its line:

    * punctuation (``,.;:!?…)``) or the end of the line: the comma and spaces before the gap
      go ("Hello {{n|}}," -> "Hello,"; "Hello, {{n|}}!" -> "Hello!"; "Hi, {{n|}}, how" ->
      "Hi, how"; "Thanks, {{n|}}" -> "Thanks");
    * a word: one of the two spaces around it goes ("Dear {{t|}} Ana" -> "Dear Ana");
    * at the start of a line, the punctuation and spaces after it go and the next letter is
      capitalised ("{{n|}}, thanks" -> "Thanks").
    """
    out = list(segments)
    i = 0
    while i < len(out):
        if out[i].kind != _GAP:
            i += 1
            continue
        before = out[i - 1] if i > 0 else None
        after = out[i + 1] if i + 1 < len(out) else None
        left = before.text if before is not None and before.kind == TEXT else None
        right = after.text if after is not None and after.kind == TEXT else None
        if right is None:
            follows = "end" if after is None else "word"
            spaces = ""
        else:
            match = _RIGHT_RE.match(right)
            spaces, rest = match.group(1), right[len(match.group(1)):]
            if match.group(2):
                follows = "punct"
            elif rest[:1] == "\n" or (rest == "" and i + 2 >= len(out)):
                follows = "end"
            else:
                follows = "word"
        head = left.rstrip(" \t") if left is not None else None
        line_start = before is None or (head is not None and (head.endswith("\n") or (head == "" and i == 1)))
        if line_start:
            if right is not None and follows == "punct":
                match = _RIGHT_RE.match(right)
                rest = right[match.end():]
                out[i + 1] = Segment(TEXT, rest[:1].upper() + rest[1:])
            elif right is not None and follows == "word":
                out[i + 1] = Segment(TEXT, right[len(spaces):])
        elif left is not None:
            if follows in ("punct", "end"):
                out[i - 1] = Segment(TEXT, left[:_LEFT_RE.search(left).start()])
            elif left[-1:] in (" ", "\t") and spaces:
                out[i + 1] = Segment(TEXT, right[1:])
        del out[i]
        if 0 < i < len(out) and out[i - 1].kind == TEXT and out[i].kind == TEXT:
            out[i - 1:i + 1] = [Segment(TEXT, out[i - 1].text + out[i].text)]  # for the next gap
    return [seg for seg in out if seg.text]


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
        elif fallback:
            emit(VALUE, fallback, name)
        elif fallback is not None:
            if hidden_depth == 0:
                segments.append(Segment(_GAP, "", name))
        else:
            emit(UNRESOLVED, token.group(0), name)
            if hidden_depth == 0 and name not in unresolved:
                unresolved.append(name)
    emit(TEXT, text[pos:])
    segments = _close_gaps(segments)
    merged: list[Segment] = []
    for seg in segments:  # adjacent literal text in one piece: simpler for views and tests
        if merged and seg.kind == TEXT and merged[-1].kind == TEXT:
            merged[-1] = Segment(TEXT, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return RenderResult("".join(s.text for s in merged), unresolved, used, merged, problems, visible)
