"""Entry point of the desktop app (``agent-assistant``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

from assistant import APP_NAME, __version__, i18n, settings
from assistant.paths import DataDirError, ensure_writable, resolve_data_dir
from assistant.policy import load_policy
from assistant.storage.database import DatabaseError

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 3600 * 1000
INBOX_FIRST_CHECK_MS = 2000
FIRST_PAINT_FALLBACK_MS = 2000  # a window that never paints (minimised at start) still starts


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agent-assistant", description=APP_NAME)
    parser.add_argument("--data-dir", help="use this data folder instead of the default")
    parser.add_argument("--language", help="UI language (en, es, fr, de, pt_BR, hi, ar)")
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen on a temporary data folder and exit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def fatal(message: str) -> int:
    """A clear message, no traceback: shown in a dialog (as plain text: it quotes paths and
    SQLite's words) and on stderr."""
    from PySide6.QtWidgets import QMessageBox

    from ui.widgets import plain_message

    log.error(message)
    print(f"{APP_NAME}: {message}", file=sys.stderr)
    plain_message(None, QMessageBox.Critical, APP_NAME, message)
    return 2


def missing_display(environ=None, platform: str | None = None) -> str | None:
    """On Linux without a window system Qt fails with a misleading "xcb-cursor0 is needed";
    say instead how to run without one."""
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux") or any(environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY",
                                                                          "QT_QPA_PLATFORM")):
        return None
    return ("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "To run without a window system, use Qt's offscreen platform:\n"
            "    QT_QPA_PLATFORM=offscreen make run      (or QT_QPA_PLATFORM=offscreen agent-assistant)\n"
            "or a virtual display:  xvfb-run -a make run\n"
            "To check an installation without a display: agent-assistant --self-test")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:  # before any QApplication: the self-test runs offscreen
        from ui.selftest import main as self_test

        return self_test(args)
    problem = None if QApplication.instance() else missing_display()
    if problem:
        print(f"{APP_NAME}: {problem}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    return run(app, args)


def run(app: QApplication, args: argparse.Namespace) -> int:
    """Start, show the window, run the event loop. Before the first paint only what the
    window's shell needs happens; the rest follows in ``finish_start``."""
    from ui.single_instance import acquire_lock, hand_over

    # Also here, not only in main(): when the window closes on quit, Qt would otherwise post a
    # Quit event that lands after exec() returns and leaves every later event loop of an
    # in-process run (the tests) exiting at once.
    app.setQuitOnLastWindowClosed(False)

    policy = load_policy()
    data_dir = resolve_data_dir(args.data_dir, policy.data_dir)
    try:
        ensure_writable(data_dir)
        lock = acquire_lock(data_dir.path)
    except DataDirError as exc:
        return fatal(str(exc))
    if lock is None:
        shown = hand_over(data_dir.path)
        print(f"{APP_NAME} is already running" + ("; its window was brought forward." if shown else "."),
              file=sys.stderr)
        return 0
    try:
        return _run_holding_lock(app, args, policy)
    finally:
        lock.unlock()


def _run_holding_lock(app: QApplication, args: argparse.Namespace, policy) -> int:
    from assistant.runtime import start

    try:  # the schema check and migrations wait until the window is on screen
        runtime = start(args.data_dir, policy, complete=False)
    except (DataDirError, DatabaseError) as exc:
        return fatal(str(exc))

    language = i18n.set_language(args.language or settings.get(runtime.conn, "ui.language"))
    app.setLayoutDirection(_direction(language))
    from ui.qt_i18n import install_qt_translations

    install_qt_translations(app, language)
    from assistant.clock import hours

    hours.load(runtime.conn)  # the one 12/24-hour choice, before anything shows a time

    from ui import clipboard
    from ui.context import CustomerContextHolder
    from ui.main_window import MainWindow
    from ui.services import AppServices

    from ui.error_report import ErrorReporter

    services = AppServices(runtime, CustomerContextHolder())
    window = MainWindow(services)
    reporter = ErrorReporter(window, runtime)
    reporter.install()  # from here on no traceback reaches the agent
    window.show()
    # Timers use the window as context so none outlives this run (tests run the app in-process).
    started = []

    def after_first_paint():  # once, whichever comes first
        if not started:
            started.append(finish_start(app, runtime, window, services, reporter))

    window.first_painted.connect(after_first_paint)
    QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, window, after_first_paint)

    if args.quit_after:
        QTimer.singleShot(args.quit_after, window, window.quit)
    app.aboutToQuit.connect(window.save_state)
    app.aboutToQuit.connect(clipboard.settle)
    try:
        return app.exec()
    finally:
        reporter.uninstall()
        app.aboutToQuit.disconnect(window.save_state)
        app.aboutToQuit.disconnect(clipboard.settle)
        if started and started[0] is not None:
            started[0].close()
        services.hall.stop()
        services.pool.waitForDone(5000)
        app.processEvents()
        window.deleteLater()  # with it every panel's timer, before the database closes
        app.sendPostedEvents(None, QEvent.DeferredDelete)
        runtime.close()


def finish_start(app: QApplication, runtime, window, services, reporter):
    """Right after the first paint: check and migrate the database (a database it cannot
    use ends the app with a clear message), then the clocks, panels, the notices kept for
    the agent, the server a second start talks to, and background work. Returns that server
    (None if there is none)."""
    from assistant.storage.backup import rolling_backup
    from ui.single_instance import InstanceServer, server_name

    try:
        runtime.complete()
    except DatabaseError as exc:  # what was moved aside meanwhile is said too
        app.exit(fatal("\n\n".join([*runtime.opened.notices, str(exc)])))
        return None
    feed_system_zone()
    window.start_deferred()
    reporter.start_notices()  # a database moved aside at this start is among them
    if runtime.policy.errors:  # IT's file is wrong: logged for IT, told to the agent without blocking
        for error in runtime.policy.errors:
            log.warning("deployment policy ignored, safest settings apply: %s", error)
        window.notify(APP_NAME, i18n._(
            "The deployment policy has errors, so the safest settings apply. Details: Settings (Ctrl+,)."))

    def backup_if_due():
        try:
            rolling_backup(runtime.db.conn, runtime.data_dir.backups)
        except Exception:  # a failed backup is logged, never fatal
            log.exception("automatic backup failed")
        backup_timer.setInterval(BACKUP_CHECK_MS)

    backup_timer = QTimer(window)
    backup_timer.timeout.connect(backup_if_due)
    backup_timer.start(5000)  # first check soon after start, then hourly

    def watch_pack_inbox():  # soon after start, then every 15 min; pack code loads only then
        from ui.packs_dialog import start_inbox_watch

        start_inbox_watch(window, services)

    QTimer.singleShot(INBOX_FIRST_CHECK_MS, window, watch_pack_inbox)
    try:  # the lock already keeps a second app out; the server only lets it hand over
        instance = InstanceServer(server_name(runtime.data_dir.path))
    except RuntimeError as exc:
        log.warning("a second start will not bring this window forward: %s", exc)
        return None
    instance.show_requested.connect(window.bring_forward)
    return instance


def feed_system_zone() -> None:
    """Give the one agent-zone detector (assistant.clock.agent) the platform's own answer,
    once: Qt knows the zone on Windows, where no TZ variable or /etc/localtime says it."""
    from PySide6.QtCore import QTimeZone

    from assistant.clock.agent import use_system_hint

    use_system_hint(bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "ignore") or None)


def _direction(language: str):
    from PySide6.QtCore import Qt

    return Qt.RightToLeft if i18n.is_rtl(language) else Qt.LeftToRight


if __name__ == "__main__":
    raise SystemExit(main())
