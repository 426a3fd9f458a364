"""Logging to a rotating file in the data directory.

The rotating handler's module (``logging.handlers``, with sockets, pickle and queues) costs
about 5 ms to import; the window paints first. ``configure(..., hold=True)`` keeps the
records logged meanwhile in memory and ``attach_file()`` writes them to the file once it
is attached.

A log file that cannot be written (a full disk, a folder removed) never prints a traceback:
the first failure is noted once on stderr, in one line, and remembered (``log_file_failure``)."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_NAME = "assistant.log"


class _Held(logging.Handler):
    """Records logged before the file is attached."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _QuietErrors:
    """Mixed into the file handler: ``logging``'s default prints a traceback to stderr for
    every record it fails to write."""

    failure: str | None = None

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failure is not None:
            return
        self.failure = str(sys.exc_info()[1] or "unknown error")
        stream = sys.stderr
        if stream is not None:
            try:
                stream.write(f"assistant: cannot write the log file {self.baseFilename}: {self.failure}\n")
            except (OSError, ValueError):
                pass


def _file_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, _QuietErrors)]


def current_log_file() -> Path | None:
    """The log file attached to the root logger, if any."""
    handlers = _file_handlers()
    return Path(handlers[0].baseFilename) if handlers else None


def log_file_failure() -> str | None:
    """Why the attached log file could not be written, if it could not."""
    return next((h.failure for h in _file_handlers() if h.failure is not None), None)


def configure(log_dir: Path, level: int = logging.INFO, hold: bool = False) -> Path | None:
    """Log to ``log_dir``/assistant.log (1 MB x 5). Returns the log file, or None when the
    folder is not writable (the app still runs, logging to stderr only). With ``hold`` the
    file is attached by ``attach_file()``; records logged until then are kept for it."""
    root = logging.getLogger()
    root.setLevel(level)
    log_file = log_dir / LOG_NAME
    if hold:
        if not any(isinstance(handler, _Held) for handler in root.handlers):
            root.addHandler(_Held())
        return log_file
    return attach_file(log_file)


def attach_file(log_file: Path) -> Path | None:
    """Attach the rotating file (once) and write the records held until now to it."""
    import logging.handlers

    root = logging.getLogger()
    held = [handler for handler in root.handlers if isinstance(handler, _Held)]
    for handler in held:
        root.removeHandler(handler)
    attached = [h for h in root.handlers if getattr(h, "baseFilename", None) == str(log_file)]
    if attached:
        handler = attached[0]
    else:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler = _quiet_file_handler()(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        except OSError:
            return None
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    for early in held:
        for record in early.records:
            handler.handle(record)
    return log_file


@functools.cache
def _quiet_file_handler() -> type:
    """The rotating file handler, quiet on errors (built on first use: see the module's note)."""
    import logging.handlers

    return type("QuietRotatingFileHandler", (_QuietErrors, logging.handlers.RotatingFileHandler), {})
