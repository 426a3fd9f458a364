"""Logging to a rotating file in the data directory."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_dir: Path, level: int = logging.INFO) -> Path | None:
    """Attach a rotating file handler (1 MB x 5). Returns the log file, or None when
    the folder is not writable (the app still runs, logging to stderr only)."""
    root = logging.getLogger()
    root.setLevel(level)
    log_file = log_dir / "assistant.log"
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(log_file):
            return log_file
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5,
                                                       encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return log_file
