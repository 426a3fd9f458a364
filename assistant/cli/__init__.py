"""The headless command line: ``assistant <command> ...`` (also ``python -m assistant``).

Each feature adds a module to COMMAND_MODULES with ``register(subparsers)``; a command's
handler takes ``(args)`` and returns an exit code. Failures raise :class:`CommandError`:
message on stderr, nothing on stdout, non-zero exit.
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

COMMAND_MODULES = [
    "assistant.cli.core",
    "assistant.cli.pack",
    "assistant.cli.customer",
    "assistant.cli.tasks",
    "assistant.cli.country",
    "assistant.cli.templates",
    "assistant.cli.translate",
    "assistant.cli.settings",
]


class CommandError(UserError):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe is reported here, inside main()'s handling


def open_runtime(args):
    """The runtime for commands that need the database, honouring --data-dir."""
    from assistant.paths import DataDirError
    from assistant.runtime import start
    from assistant.storage.database import DatabaseError

    try:
        return start(getattr(args, "data_dir", None))
    except (DataDirError, DatabaseError) as exc:
        raise CommandError(str(exc)) from exc


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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `assistant ... | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
