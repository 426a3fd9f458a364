"""What the command line writes to a terminal: outside text (task titles, template and pack
names, customers, translations, the arguments echoed in a message) may hold control
characters or bidi overrides that a terminal would obey, so whatever reaches a terminal goes
through :func:`assistant.plaintext.for_terminal` (``\\x1b[2J`` is printed, not run). Output
to a file or a pipe is left exact (an export must round-trip)."""

from __future__ import annotations

from assistant.plaintext import for_terminal


class TerminalStream:
    """A text stream that escapes what a terminal would act on, for every writer at once
    (print, argparse's messages, json.dump)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(for_terminal(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def protect(stream):
    """``stream`` wrapped when it is a terminal; as it is otherwise (or already wrapped)."""
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):
        return stream
    if is_terminal and not isinstance(stream, TerminalStream):
        return TerminalStream(stream)
    return stream
