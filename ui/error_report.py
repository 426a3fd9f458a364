"""What the window tells the agent when something fails or happened to their data.

- An exception no slot caught (PySide hands it to ``sys.excepthook``, on whatever thread it
  was raised) is logged with its traceback and shown as one plain-text line, the same line
  the command line prints (``assistant.faults``): the message of an expected failure (a lock,
  a full disk, bad input), else "Internal error, see the log FILE". The app keeps running; a
  database write the failure interrupted is rolled back.
- Notices kept in the database (``assistant.storage.notices``: a damaged database moved aside,
  a backup restored, perhaps from the command line while the window runs) are shown once, at
  start and then every ``NOTICE_CHECK_MS``.
One message box at a time: a failure that repeats (a timer's slot) is logged, not stacked."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from assistant import APP_NAME
from ui.widgets import plain_box

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)
NOTICE_CHECK_MS = 60_000


def failure_text(services, exc: BaseException) -> str:
    """The line to show for a failure a panel caught (a worker's error, say): the same words
    as everywhere else, a bug logged and named "internal error", never its raw text."""
    from assistant.faults import explain

    runtime = services.runtime
    return explain(exc, runtime.log_file, runtime.data_dir.database)


class ErrorReporter(QObject):
    """Installed as ``sys.excepthook`` while the window runs (``install``/``uninstall``)."""

    reported = Signal(str)  # queued to the GUI thread when the failure was on another

    def __init__(self, window, runtime):
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.failure_box: QMessageBox | None = None
        self.notice_box: QMessageBox | None = None
        self.shown: list[str] = []  # every text put on screen, in order
        self._previous = None
        self._checking = self._checked = False
        self.reported.connect(self._show_failure)

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.hook

    def uninstall(self) -> None:
        if sys.excepthook == self.hook:
            sys.excepthook = self._previous or sys.__excepthook__

    def hook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            (self._previous or sys.__excepthook__)(exc_type, exc, tb)
            return
        if exc is None:
            exc = exc_type()
        exc.__traceback__ = exc.__traceback__ or tb
        if isinstance(exc, sqlite3.Error) and threading.current_thread() is threading.main_thread():
            self._roll_back()
        from assistant.faults import explain

        self.reported.emit(explain(exc, self.runtime.log_file, self.runtime.data_dir.database))

    def _roll_back(self) -> None:
        """The slot that failed has returned: a transaction still open is what it left."""
        try:
            if self.runtime.conn.in_transaction:
                self.runtime.conn.rollback()
        except sqlite3.Error as exc:
            log.warning("could not roll back after a failure: %s", exc)

    def _show_failure(self, message: str) -> None:
        if self.failure_box is not None and self.failure_box.isVisible():
            return  # logged already; one box at a time
        self.failure_box = self._show(self.failure_box, message)

    def _show(self, box: QMessageBox | None, text: str) -> QMessageBox:
        """Show ``text`` without blocking, in ``box`` (made the first time)."""
        self.shown.append(text)
        if box is None:
            from PySide6.QtWidgets import QMessageBox  # here: its type costs 1 ms before the paint

            box = plain_box(self.window, QMessageBox.Warning, APP_NAME, text)
            box.setModal(False)
        else:
            box.setText(text)
        box.show()
        return box

    # -- SQLite's check of every page -----------------------------------------------------
    def check_database(self) -> None:
        """SQLite's check of the whole database, then the automatic backup when one is due,
        on a thread of their own (``assistant.storage.database.check_and_back_up``: 110-130 ms
        at 134 MB and growing with the data, and the backup 240 ms, both once on the GUI
        thread). Once after the start, then before each automatic backup; one at a time."""
        from assistant.storage.backup import backup_due
        from assistant.storage.database import check_and_back_up
        from ui.workers import run_in_thread

        path, backups = self.runtime.data_dir.database, self.runtime.data_dir.backups
        due = backup_due(backups)
        if self._checking or (self._checked and not due):
            return
        self._checking = True
        run_in_thread(lambda: check_and_back_up(path, backups, due), self._database_checked,
                      self._database_check_failed, name="database check")

    def _database_checked(self, problem: str) -> None:
        self._checking, self._checked = False, True
        if problem != "ok":  # told at once; the next start moves the file aside if not restored
            from assistant.storage.database import damaged

            self._show_failure(str(damaged(self.runtime.data_dir.database, problem)))

    def _database_check_failed(self, exc: Exception) -> None:
        self._checking = False  # a lock or the disk: tried again at the next hourly check
        log.warning("the database check or the automatic backup failed: %s", exc)

    # -- notices kept in the database ---------------------------------------------------
    def start_notices(self) -> QTimer:
        """Show the notices not shown yet, now and every NOTICE_CHECK_MS."""
        timer = QTimer(self)
        timer.timeout.connect(self.show_notices)
        timer.start(NOTICE_CHECK_MS)
        QTimer.singleShot(0, self, self.show_notices)
        return timer

    def show_notices(self) -> None:
        from assistant.storage import notices

        db = self.runtime.db
        pending = notices.unshown(db)
        if not pending:
            return
        texts = [notice.text for notice in pending]
        if self.notice_box is not None and self.notice_box.isVisible():  # not read yet: keep it
            texts.insert(0, self.notice_box.text())
        self.notice_box = self._show(self.notice_box, "\n\n".join(texts))
        notices.mark_shown(db, pending)
