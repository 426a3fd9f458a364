"""Modules imported on a thread of their own after the first paint, so that the GUI thread
only builds widgets: importing a panel's engines (hundreds of ms on a cold start) held the
event loop up to 400 ms at a time (issue 18: the longest stall after the first paint is at
most 50 ms). The GUI thread goes on as soon as the imports are done; an import that fails
here is left to fail again where the module is used, with its own error handling."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Callable, Iterable

log = logging.getLogger(__name__)

# what finish_start (ui/app.py) imports before the clocks and panels: the database's
# migrations (sqlite-utils; the task store, which a first start's migration calls), the backup,
# the single-instance server, the global keys, the clocks, the upkeep
START_MODULES = ("sqlite_utils", "PySide6.QtNetwork", "logging.handlers", "assistant.storage.database",
                 "assistant.tasks.store",
                 "assistant.storage.notices", "assistant.storage.backup", "ui.single_instance",
                 "ui.global_keys", "ui.hotkeys", "assistant.clock.agent", "ui.clock_widget", "ui.upkeep")


def start_modules() -> list[str]:
    """START_MODULES and every schema's migrations (run on the preload thread: the list
    lives with the schemas, which import sqlite-utils)."""
    from assistant.storage.schema import MIGRATION_MODULES

    return [*START_MODULES, *MIGRATION_MODULES]


def missing(modules: Iterable[str]) -> list[str]:
    return [name for name in modules if name not in sys.modules]


def import_all(modules: Iterable[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  (reported where the module is used)
            log.debug("preloading %s failed", name, exc_info=True)


def preload(modules: Iterable[str] | Callable[[], Iterable[str]], then: Callable[[object], None]) -> None:
    """Import ``modules`` (or those a callable returns, called on the thread) on a thread of
    their own, then call ``then(None)`` on the GUI thread (at once when they are all
    imported already). A bound method of a widget is not called once the widget is gone."""
    from ui.workers import run_in_thread

    if not callable(modules):
        names = missing(modules)
        if not names:
            then(None)
            return
        modules = (lambda names=names: names)
    run_in_thread(lambda: import_all(missing(modules())), then, then, name="preload")
