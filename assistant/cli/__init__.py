"""The headless command line: ``assistant <command> ...`` (also ``python -m assistant``).

Each feature adds a module to COMMAND_MODULES with ``register(subparsers)``; a command's
handler takes ``(args)`` and returns an exit code. Failures raise :class:`CommandError` (or any
:class:`~assistant.errors.UserError`): message on stderr, nothing on stdout, non-zero exit.

No traceback reaches the user: ``main`` turns every failure into one line on stderr
(``assistant.faults``). Exit codes: 2 for a refusal or a fault, ``EXIT_BUSY`` when the
database is in use by another program (try again later), ``EXIT_INTERNAL`` for a bug (its
traceback is in the log file named in the message), 130 on Ctrl+C, 141 on a closed pipe.
Whatever the command, if opening the database moved a damaged one aside, that is said first.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Any

from assistant import __version__
from assistant.errors import UserError

EXIT_BUSY = 75      # sysexits EX_TEMPFAIL: the database is locked by another program
EXIT_INTERNAL = 70  # sysexits EX_SOFTWARE: a bug, see the log

COMMAND_MODULES = [
    "assistant.cli.core",
    "assistant.cli.pack",
    "assistant.cli.customer",
    "assistant.cli.tasks",
    "assistant.cli.country",
    "assistant.cli.templates",
    "assistant.cli.translate",
    "assistant.cli.settings",
    "assistant.cli.integration",
]


class CommandError(UserError):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


MAX_ROW_ID = 2 ** 63 - 1  # SQLite's largest integer
MAX_COUNT = 1_000_000


def row_id(text: str) -> int:
    """An argparse type for a stored row's id: an integer SQLite can hold."""
    value = _integer(text)
    if not 1 <= value <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number from 1 to {MAX_ROW_ID})")
    return value


def counted(text: str) -> int:
    """An argparse type for how many results to show."""
    value = _integer(text)
    if not 0 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count from 0 to {MAX_COUNT}")
    return value


def _integer(text: str) -> int:
    if len(text) > 30:  # int() of thousands of digits is refused by Python, and slow before that
        raise argparse.ArgumentTypeError(f"{text[:30]!r}… is too long for a number")
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe is reported here, inside main()'s handling


def open_runtime(args):
    """The runtime for commands that need the database, honouring --data-dir."""
    from assistant.paths import DataDirError
    from assistant.runtime import start
    from assistant.storage.database import DatabaseError, is_busy

    try:
        runtime = start(getattr(args, "data_dir", None))
    except (DataDirError, DatabaseError) as exc:
        raise CommandError(str(exc), EXIT_BUSY if is_busy(exc) else 2) from exc
    args.database = runtime.data_dir.database  # named in a database fault later in the command
    from assistant.clock import hours

    hours.load(runtime.db)  # times print in the agent's 12/24-hour choice
    for notice in runtime.opened.notices:  # whatever the command: something was moved aside
        print(f"assistant: {notice}", file=sys.stderr)
    return runtime


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Agent Assistant, headless.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="use this data folder instead of the default")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    from assistant.cli import terminal

    # before anything is parsed, so argparse's own messages (which quote arguments) are safe too
    sys.stdout, sys.stderr = terminal.protect(sys.stdout), terminal.protect(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `assistant ... | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # RecursionError and MemoryError included
        return report_failure(exc, args)


def report_failure(exc: Exception, args) -> int:
    """One line on stderr for any failure (see the module's note); returns the exit code."""
    from assistant.faults import describe, explain
    from assistant.storage.database import is_busy

    expected = describe(exc) is not None
    message = explain(exc, None if expected else _log_file(args), getattr(args, "database", None))
    try:
        print(f"assistant: {message}", file=sys.stderr)
    except (OSError, ValueError):  # stderr itself is gone: the exit code still tells
        pass
    if isinstance(exc, CommandError):
        return exc.code
    if is_busy(exc):
        return EXIT_BUSY
    return 2 if expected else EXIT_INTERNAL


def _log_file(args):
    """The log file for a bug's traceback: the one attached, else the data folder's."""
    from assistant.logging_setup import configure, current_log_file

    attached = current_log_file()
    if attached is not None:
        return attached
    try:
        from assistant.paths import resolve_data_dir
        from assistant.policy import load_policy

        return configure(resolve_data_dir(getattr(args, "data_dir", None), load_policy().data_dir).logs)
    except Exception:  # noqa: BLE001 - no log to be had: the message says so
        return None
