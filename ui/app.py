"""Entry point of the desktop app (``agent-assistant``)."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from assistant import APP_NAME, __version__, i18n, settings
from assistant.paths import DataDirError, resolve_data_dir
from assistant.policy import load_policy
from assistant.storage.backup import rolling_backup
from assistant.storage.database import DatabaseError

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 3600 * 1000
INBOX_FIRST_CHECK_MS = 2000


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
    """A clear message, no traceback: shown in a dialog and on stderr."""
    log.error(message)
    print(f"{APP_NAME}: {message}", file=sys.stderr)
    QMessageBox.critical(None, APP_NAME, message)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:  # before any QApplication: the self-test runs offscreen
        from ui.selftest import main as self_test

        return self_test(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    return run(app, args)


def run(app: QApplication, args: argparse.Namespace) -> int:
    from ui.single_instance import InstanceServer, server_name, signal_running_instance

    # Also here, not only in main(): when the window closes on quit, Qt would otherwise post a
    # Quit event that lands after exec() returns and leaves every later event loop of an
    # in-process run (the tests) exiting at once.
    app.setQuitOnLastWindowClosed(False)

    policy = load_policy()
    data_dir = resolve_data_dir(args.data_dir, policy.data_dir)
    name = server_name(data_dir.path)
    if signal_running_instance(name):
        print(f"{APP_NAME} is already running; its window was brought forward.", file=sys.stderr)
        return 0

    from assistant.runtime import start

    try:
        runtime = start(args.data_dir, policy)
    except (DataDirError, DatabaseError) as exc:
        return fatal(str(exc))

    language = i18n.set_language(args.language or settings.get(runtime.db, "ui.language"))
    app.setLayoutDirection(_direction(language))
    from ui.qt_i18n import install_qt_translations

    install_qt_translations(app, language)

    from ui import clipboard
    from ui.context import CustomerContextHolder
    from ui.main_window import MainWindow
    from ui.services import AppServices

    services = AppServices(runtime, CustomerContextHolder())
    instance = InstanceServer(name)
    window = MainWindow(services)
    instance.show_requested.connect(window.bring_forward)
    window.show()

    # Timers use the window as context so none outlives this run (tests run the app in-process).
    for notice in runtime.opened.notices:
        QTimer.singleShot(0, window, lambda n=notice: QMessageBox.warning(window, APP_NAME, n))
    if runtime.policy.errors:  # IT's file is wrong: logged for IT, told to the agent without blocking
        for error in runtime.policy.errors:
            log.warning("deployment policy ignored, safest settings apply: %s", error)
        QTimer.singleShot(0, window, lambda: window.notify(APP_NAME, i18n._(
            "The deployment policy has errors, so the safest settings apply. Details: Settings (Ctrl+,).")))

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
    if args.quit_after:
        QTimer.singleShot(args.quit_after, window, window.quit)
    app.aboutToQuit.connect(window.save_state)
    app.aboutToQuit.connect(clipboard.settle)
    try:
        return app.exec()
    finally:
        app.aboutToQuit.disconnect(window.save_state)
        app.aboutToQuit.disconnect(clipboard.settle)
        instance.close()
        services.pool.waitForDone(5000)
        app.processEvents()
        window.deleteLater()  # with it every panel's timer, before the database closes
        app.sendPostedEvents(None, QEvent.DeferredDelete)
        runtime.close()


def _direction(language: str):
    from PySide6.QtCore import Qt

    return Qt.RightToLeft if i18n.is_rtl(language) else Qt.LeftToRight


if __name__ == "__main__":
    raise SystemExit(main())
