"""The one base class for errors meant for the user.

A ``UserError``'s message says what went wrong and, where there is something to do, what to
do; the CLI prints it on one line and the window shows it as plain text. Any other exception
that reaches an entry point is a bug: it is logged with its traceback and reported as an
internal error (qutebrowser's ``KnownError`` idea). Feature errors subclass this, keeping
their older base (``ValueError``, ``LookupError``) where callers rely on it.
"""

from __future__ import annotations


class UserError(Exception):
    """Expected failure with a message written for the person using the app."""
