"""The database's upkeep while the app is quiet (issue 18).

SQLite does two kinds of housekeeping inside whichever commit crosses a threshold: the
checkpoint (the write-ahead log copied into the file, past 1,000 pages) and FTS5's merge of
the search index's segments. On the GUI thread that was one add or Delete in about twenty
taking 12-20 ms instead of 0.3 ms (40 ms on a slower machine). Here the app's own connection
never checkpoints (``wal_autocheckpoint = 0``; the index's automerge is off for every
connection, ``assistant.tasks.schema``), and :func:`ui.workers.upkeep_in_thread` does both
on connections of its own once the app has written and then been quiet for ``QUIET_MS``, or
at the latest ``LONGEST_WAIT_S`` after a write while writes keep coming. A write of the
agent's that meets a merge step waits for that step (a few ms), never for the whole upkeep.

The merge's commits move ``PRAGMA data_version``, which is how the hall (ui/hall.py) finds
other programs' writes, and then it reports again every topic the app announced since its
last look (reloads: the whole library for a template's use). So ``before`` (the hall's
check) runs first: what the app announced is settled before the upkeep commits. Only what
the app writes during the upkeep itself (a few ms to a few hundred) is reported again.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from assistant.storage.database import leave_checkpoints_to_upkeep
from ui.workers import upkeep_in_thread

QUIET_MS = 2000
LONGEST_WAIT_S = 60.0


class Upkeep(QObject):
    def __init__(self, conn, path, parent: QObject | None = None, before=lambda: None, clock=time.monotonic):
        """``conn``: the app's connection (the GUI thread's); ``path``: its database file;
        ``before``: called on the GUI thread before each upkeep starts."""
        super().__init__(parent)
        self._conn, self._path, self._before, self._clock = conn, path, before, clock
        leave_checkpoints_to_upkeep(conn)
        self._seen = self._kept = conn.total_changes  # what the last look saw; the last upkeep's
        self._since: float | None = None  # when a write not kept up yet was first seen
        self.running = False
        self._timer = QTimer(self)
        self._timer.setInterval(QUIET_MS)
        self._timer.timeout.connect(self.look)
        self._timer.start()

    def look(self) -> None:
        """Start the upkeep if the app wrote since the last one and has been quiet since the
        last look (or has kept writing for ``LONGEST_WAIT_S``)."""
        changes = self._conn.total_changes
        quiet, self._seen = changes == self._seen, changes
        if changes == self._kept or self.running:
            return
        if self._since is None:
            self._since = self._clock()
        if not quiet and self._clock() - self._since < LONGEST_WAIT_S:
            return
        self._kept, self._since, self.running = changes, None, True
        self._before()
        upkeep_in_thread(self._path, self._finished)

    def written_elsewhere(self, _ids=None) -> None:
        """Tasks changed (the hall's signal). When another program wrote them (the CLI, IT's
        scripts), its commits left index segments too: kept up at the next quiet look. (The
        app's own writes are counted already: the same upkeep.)"""
        self._kept = None

    def _finished(self, _result) -> None:
        self.running = False

    def stop(self) -> None:
        """Stop for good (the database is about to close; SQLite checkpoints on that close)."""
        self._timer.stop()


def app_upkeep(services, parent: QObject | None = None) -> Upkeep:
    """The app's upkeep (ui.services.AppServices): on its connection, the hall looking first;
    the tasks another program wrote kept up too (what the app announced itself is counted
    already: the same upkeep)."""
    upkeep = Upkeep(services.runtime.conn, services.runtime.data_dir.database, parent, before=services.hall.check)
    services.hall.tasks_changed.connect(upkeep.written_elsewhere)
    return upkeep
