"""The hall: the app-level signals every view listens to, beside the customer signal
(``services.customer.changed``). The database is the source of truth; whoever writes
announces what changed, and every view that shows that data listens (Vorta's application
signals, qutebrowser's ``SqlTable.changed``).

Signals and payloads:

- ``library_changed(ids)``: reply templates changed (added, edited, removed, hidden, their
  layers or flags); ``ids`` is a frozenset of template ids when the writer knows them, else
  None (anything may have changed: reload).
- ``tasks_changed(ids)``: tasks changed; a frozenset of task ids, or None.
- ``packs_changed()``: installed packs, their flags, cards, glossaries or trusted keys. A pack
  install also changes the library: its writer announces both.
- ``settings_changed(key)``: one setting's value changed (assistant.settings keys).
- ``customers_changed()``: recent customers or pinned clocks changed.

Writes made by another process (the CLI, IT's scripts) are announced here too: while the
window is shown, :meth:`Hall.check` runs about once a second and on window activation, reads
``PRAGMA data_version`` and the change counters (assistant.storage.changes) on the app's own
connection, and emits the same signals for what changed. A write of the app's own that nobody
announced is found the same way: it is logged as a bug and emitted anyway.
"""

from __future__ import annotations

import logging
import sqlite3

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 1000

# topic names of assistant.storage.changes (not imported here: this module is on the path
# to the first paint, the storage module loads sqlite-utils)
TASKS, LIBRARY, PACKS, SETTINGS, CUSTOMERS = "tasks", "library", "packs", "settings", "customers"


class Hall(QObject):
    library_changed = Signal(object)   # frozenset[str] of template ids, or None
    tasks_changed = Signal(object)     # frozenset[int] of task ids, or None
    packs_changed = Signal()
    settings_changed = Signal(str)     # the key
    customers_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._announced: set[str] = set()
        self._announced_keys: set[str] = set()
        self._relaying = False
        self._watch = None
        self._active = False
        self._timer: QTimer | None = None
        self.library_changed.connect(lambda _ids: self._record(LIBRARY))
        self.tasks_changed.connect(lambda _ids: self._record(TASKS))
        self.packs_changed.connect(lambda: self._record(PACKS))
        self.settings_changed.connect(lambda key: self._record(SETTINGS, key))
        self.customers_changed.connect(lambda: self._record(CUSTOMERS))

    def _record(self, topic: str, key: str | None = None) -> None:
        if not self._relaying:  # what the app itself announced: not reported again
            self._announced.add(topic)
            if key is not None:
                self._announced_keys.add(key)

    # -- writes from other processes ---------------------------------------------------
    def watch(self, conn) -> None:
        """Start looking at ``conn`` (the app's connection, its schema migrated); checks run
        while :meth:`set_active` says the window is shown."""
        from assistant.storage.changes import ChangeWatch

        self._watch = ChangeWatch(conn)
        self._announced.clear()
        self._announced_keys.clear()
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setInterval(CHECK_INTERVAL_MS)
            self._timer.timeout.connect(self.check)
        self.set_active(self._active)

    def set_active(self, active: bool) -> None:
        """Check every second while ``active`` (the window is shown), not at all otherwise."""
        self._active = active
        if self._timer is None or self._watch is None:
            return
        if active and not self._timer.isActive():
            self._timer.start()
        elif not active:
            self._timer.stop()

    @property
    def watching(self) -> bool:
        return self._timer is not None and self._timer.isActive()

    def stop(self) -> None:
        """Stop for good (the database is about to close)."""
        if self._timer is not None:
            self._timer.stop()
        self._watch = None

    def check(self) -> None:
        """Look for changes now (the timer, the window's activation) and announce them."""
        if self._watch is None:
            return
        try:
            found = self._watch.look(self._announced, self._announced_keys)
        except sqlite3.Error:  # a locked or busy database: look again next time
            log.warning("Looking for changes by other programs failed", exc_info=True)
            return
        self._announced.clear()
        self._announced_keys.clear()
        if found:
            self._relay(found)

    def _relay(self, found) -> None:
        self._relaying = True
        try:
            if PACKS in found.topics:
                self.packs_changed.emit()
            if LIBRARY in found.topics:
                self.library_changed.emit(None)
            if TASKS in found.topics:
                self.tasks_changed.emit(None)
            for key in sorted(found.settings_keys):
                self.settings_changed.emit(key)
            if CUSTOMERS in found.topics:
                self.customers_changed.emit()
        finally:
            self._relaying = False
