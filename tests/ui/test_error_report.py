"""The window never shows a traceback: a failure no slot caught is one plain line (the
command line's words), a bug is logged with its traceback as "internal error, see the log",
the write it interrupted is rolled back, and the app keeps running. Notices kept in the
database (moved aside, restored) reach the window, also while it runs."""

import logging
import re
import sqlite3
import threading

import pytest
from PySide6.QtCore import QThreadPool, QTimer, Qt

from assistant.storage import notices
from ui import error_report
from ui.error_report import ErrorReporter

pytestmark = pytest.mark.qt_no_exception_capture  # the reporter is the hook under test


@pytest.fixture
def reporter(main_window, services):
    reporter = ErrorReporter(main_window, services.runtime)
    reporter.install()
    yield reporter
    reporter.uninstall()


def in_a_slot(qtbot, fn):
    """Run ``fn`` from the event loop, as a button's or a timer's slot runs."""
    ran = []

    def slot():
        ran.append(True)
        fn()

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(ran))


def test_a_full_disk_in_a_slot_is_one_line_and_the_write_is_rolled_back(qtbot, reporter, services):
    conn = services.runtime.conn
    db = services.db
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's SQLITE_FULL, as a full disk gives it

    def write():
        with db.atomic():
            db["settings"].insert_all({"key": f"k{i}", "value": "x" * 900} for i in range(500))

    in_a_slot(qtbot, write)
    qtbot.waitUntil(lambda: bool(reporter.shown))
    database = services.runtime.data_dir.database
    assert reporter.shown == [f"The disk is full: {database} could not be written (database or disk is full). "
                              "Free some space and try again; the change was rolled back and nothing was moved."]
    assert reporter.failure_box.isVisible() and reporter.failure_box.textFormat() == Qt.PlainText
    assert not conn.in_transaction
    assert db.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone()[0] == 0
    in_a_slot(qtbot, lambda: None)  # the app keeps running


def test_a_bug_in_a_slot_is_logged_and_named_internal_error(qtbot, reporter, services):
    in_a_slot(qtbot, lambda: {}["<b>missing</b>"])
    qtbot.waitUntil(lambda: bool(reporter.shown))
    log_file = services.runtime.log_file
    assert reporter.shown == [f"Internal error (KeyError), see the log {log_file}"]
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "KeyError: '<b>missing</b>'" in logged


def test_a_failure_on_a_worker_thread_is_shown_on_the_gui_thread(qtbot, reporter):
    QThreadPool.globalInstance().start(lambda: 1 / 0)
    qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5000)
    assert re.fullmatch(r"Internal error \(ZeroDivisionError\), see the log .*", reporter.shown[0])
    assert reporter.failure_box.isVisible()


def test_one_box_at_a_time_for_a_failure_that_repeats(qtbot, reporter):
    for _ in range(3):
        in_a_slot(qtbot, lambda: 1 / 0)
    qtbot.waitUntil(lambda: len(reporter.shown) == 1)
    qtbot.wait(50)
    assert len(reporter.shown) == 1
    boxes = [w for w in reporter.window.findChildren(type(reporter.failure_box)) if w.isVisible()]
    assert boxes == [reporter.failure_box]


def test_a_restore_from_the_command_line_reaches_the_running_window(
        qtbot, reporter, services, run_cli, monkeypatch):
    monkeypatch.setattr(error_report, "NOTICE_CHECK_MS", 100)
    code, out, err = run_cli("backup", "now")
    assert code == 0, err
    backup = out.strip()
    reporter.start_notices()
    qtbot.wait(150)
    assert reporter.shown == []  # nothing to tell yet
    code, out, err = run_cli("backup", "restore", backup)
    assert code == 0, err
    qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5000)
    [text] = reporter.shown
    assert re.fullmatch(rf"The database was restored from {re.escape(backup)}\. The database it replaced was "
                        r"kept as .*pre-restore-.*\.db\.", text)
    assert reporter.notice_box.textFormat() == Qt.PlainText
    assert notices.unshown(services.db) == []
    qtbot.wait(250)
    assert len(reporter.shown) == 1  # shown once


def test_the_hook_is_removed_with_the_window(main_window, services):
    import sys

    before = sys.excepthook
    reporter = ErrorReporter(main_window, services.runtime)
    reporter.install()
    assert sys.excepthook == reporter.hook
    reporter.uninstall()
    assert sys.excepthook is before


def test_a_worker_failure_shown_by_a_panel_uses_the_same_words(services):
    from assistant.translation.archive import ArchiveError

    assert error_report.failure_text(services, ArchiveError("x.argosmodel is empty")) == "x.argosmodel is empty"
    assert error_report.failure_text(services, sqlite3.OperationalError("no such table: x")).startswith(
        "Internal error (OperationalError), see the log ")


DAMAGE = "*** in database main ***\nPage 4: btreeInitPage() returns error code 11"


def checks_seen(monkeypatch, verdict=None):
    """SQLite's quick check as the reporter's job runs it, recording the thread; ``verdict``
    in place of SQLite's (the damage itself is tests/assistant/storage/test_database.py's)."""
    from assistant.storage import database

    threads, real = [], database.check_integrity

    def check(path, full=False):
        threads.append(threading.current_thread())
        return verdict if verdict is not None else real(path, full)

    monkeypatch.setattr(database, "check_integrity", check)
    return threads


def test_sqlites_check_runs_off_the_gui_thread_and_damage_it_names_is_shown_at_once(
        qtbot, reporter, services, monkeypatch):
    from assistant.storage.backup import list_backups
    from assistant.storage.database import damage_mark, damaged

    threads = checks_seen(monkeypatch, DAMAGE)
    reporter.check_database()
    qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5000)
    assert threads and threading.main_thread() not in threads
    path = services.runtime.data_dir.database
    assert reporter.shown == [str(damaged(path, DAMAGE))]
    assert reporter.failure_box.isVisible() and reporter.failure_box.textFormat() == Qt.PlainText
    assert damage_mark(path).exists()  # the next start moves the file aside unless restored
    assert not list_backups(services.runtime.data_dir.backups)  # no copy of a damaged file


def test_a_sound_database_is_checked_once_then_again_only_before_a_backup(qtbot, reporter, services, monkeypatch):
    from assistant.storage import backup

    threads = checks_seen(monkeypatch)
    backups = services.runtime.data_dir.backups
    reporter.check_database()
    qtbot.waitUntil(lambda: len(backup.list_backups(backups)) == 1 and not reporter._checking, timeout=5000)
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    reporter.check_database()  # the hourly timer: no backup due
    qtbot.wait(50)
    assert len(threads) == 1
    monkeypatch.setattr(backup, "backup_due", lambda *_args: True)  # a day later
    reporter.check_database()
    qtbot.waitUntil(lambda: not reporter._checking and len(threads) == 2, timeout=5000)
    assert reporter.shown == []
