"""Logging to a rotating file in the data directory.

The rotating handler's module (``logging.handlers``, with sockets, pickle and queues) costs
about 5 ms to import; the window paints first. ``configure(..., hold=True)`` keeps the
records logged meanwhile in memory and ``attach_file()`` writes them to the file once it
is attached."""

from __future__ import annotations

import logging
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
            handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5,
                                                           encoding="utf-8")
        except OSError:
            return None
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    for early in held:
        for record in early.records:
            handler.handle(record)
    return log_file
