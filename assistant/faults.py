"""What an entry point tells the user when a command or an action fails: one line, never a
traceback. The command line (``assistant.cli.main``) and the window (``ui.error_report``)
both ask here, so a failure reads the same in both.

- A :class:`~assistant.errors.UserError` says what went wrong itself.
- Faults of the machine and bad input are expected, not bugs: a database lock, a full disk or
  damage (``storage.database.fault``; a wrong statement is a bug), a file that cannot be read or written, text that is not valid
  UTF-8, a number or date out of range, input nested too deeply, memory running out. One line
  each; the traceback goes to the log for support.
- Anything else is a bug: logged with its traceback, and the user is told "internal error, see
  the log FILE".

Damage SQLite reports while the database is in use is also left for the next open
(``storage.database.mark_damaged``), which then checks every page before connecting.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import _

log = logging.getLogger(__name__)


def describe(exc: BaseException, database: Path | None = None) -> str | None:
    """The one line for an expected failure; None for a bug. ``database``: the database the
    command was using, named in database faults."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        from assistant.storage.database import fault, is_fault

        return str(fault(exc, database)) if is_fault(exc) else None
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        if exc.errno == errno.ENOSPC:
            return _("The disk is full: {path} could not be written. Free some space and try again.").format(
                path=where or _("a file"))
        if where:
            return _("{path}: {error}").format(path=where, error=reason)
        return _("A file could not be read or written: {error}").format(error=reason)
    if isinstance(exc, UnicodeError):
        return _("The text is not valid UTF-8 or cannot be encoded ({error}).").format(error=exc)
    if isinstance(exc, OverflowError):
        return _("A number or a date is out of range ({error}).").format(error=exc)
    if isinstance(exc, RecursionError):
        return _("The input is nested too deeply to be read.")
    if isinstance(exc, MemoryError):
        return _("There is not enough memory to finish: the input is too large.")
    return None


def explain(exc: BaseException, log_file: Path | None, database: Path | None = None) -> str:
    """The line to show for ``exc``. An expected failure is logged at info level (with its
    traceback, for support; a UserError without one); a bug is logged with its traceback as
    an error, only into ``log_file``: never to stderr, where logging's last resort would
    print it when no file is attached."""
    message = describe(exc, database)
    if database is not None and isinstance(exc, sqlite3.Error):
        from assistant.storage.database import is_damage, mark_damaged

        if is_damage(exc):  # the next open checks every page first (and moves the file aside)
            mark_damaged(Path(database), str(exc))
    if message is not None:
        log.info("refused: %s", message, exc_info=None if isinstance(exc, UserError) else exc)
        return message
    kind = type(exc).__name__
    from assistant.logging_setup import log_file_failure

    if log_file is not None:
        log.error("internal error", exc_info=exc)
    if log_file is None or log_file_failure() is not None:
        return _("Internal error ({kind}: {error}); it could not be written to the log.").format(
            kind=kind, error=exc)
    return _("Internal error ({kind}), see the log {file}").format(kind=kind, file=log_file)
