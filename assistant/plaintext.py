"""Outside text (imports, packs, customers, the command line) checked before it is stored and
made harmless before it is echoed: one place for what every feature refuses or escapes.

- A lone surrogate (``"\\ud800"``, which JSON and YAML escapes can produce) is not Unicode
  text: it cannot be encoded as UTF-8, so SQLite would refuse it at insert time. It is
  refused when the text is validated, with the field named.
- Control characters other than tab and line breaks have no place in stored text, and a
  terminal would obey them (clear the screen, move the cursor, retitle the window).
- Quoted in a message, outside text is cut short and shown with escapes (:func:`quoted`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BACKSPACE TAB LINE-FEED VT FORM-FEED CARRIAGE-RETURN SO SI "
             "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESCAPE FS GS RS US").split()
_STORED_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What a terminal must never be sent raw: controls (tab and line feed excepted, carriage
# return included: it overwrites the line), bidi overrides and isolates (they reorder what is
# shown), and lone surrogates (they cannot be written at all).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def describe(char: str) -> str:
    """'U+001B ESCAPE', 'U+200B ZERO WIDTH SPACE', 'U+D800 SURROGATE'."""
    name = unicodedata.name(char, None)
    if name is None:
        code = ord(char)
        name = (_C0_NAMES[code].replace("-", " ") if code < 32 else "DELETE" if code == 127
                else "SURROGATE" if 0xD800 <= code <= 0xDFFF else "CONTROL")
    return f"U+{ord(char):04X} {name}"


def is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str, controls: bool = True) -> str | None:
    """Why ``text`` cannot be stored (a lone surrogate; with ``controls``, a control character
    other than tab and line breaks), naming the character and where it is; None when it can."""
    match = (_STORED_UNSAFE if controls else _SURROGATE).search(text)
    if match is None:
        return None
    char = match.group()
    what = "a lone surrogate" if is_surrogate(char) else "the control character"
    reason = " (not Unicode text)" if is_surrogate(char) else ""
    return f"contains {what} {describe(char)}{reason} at character {match.start() + 1}"


def first_text_problem(value: Any, path: str = "", controls: bool = True) -> tuple[str, str] | None:
    """(field path, problem) for the first string (key or value) in nested JSON-like data
    that :func:`text_problem` refuses."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node, controls)
            if problem:
                return where, problem
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                field = f"{where}.{key}" if where else str(key)
                problem = text_problem(key, controls) if isinstance(key, str) else None
                if problem:
                    return quoted(field), "the name " + problem
                stack.append((item, field))
        elif isinstance(node, (list, tuple)):
            stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(node))))
    return None


def for_terminal(text: str) -> str:
    """``text`` with everything a terminal would act on written as a visible escape."""
    if text.isprintable() or _TERMINAL_UNSAFE.search(text) is None:
        return text
    return _TERMINAL_UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quoted(value: Any, limit: int = 40) -> str:
    """``value`` as a message quotes it: repr (escapes included), cut to about ``limit``."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value):,} characters)"
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value):,} items"
    text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "…"
