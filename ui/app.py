"""Entry point of the desktop app (``agent-assistant``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ui import feature_check

feature_check.install()  # before the app's own imports: each is checked the cheap way

from assistant import APP_NAME, __version__, i18n, settings
from assistant.paths import DataDirError, ensure_writable, resolve_data_dir
from assistant.policy import load_policy
from assistant.storage.database import DatabaseError

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 3600 * 1000
FIRST_CHECK_MS = 5000  # the database's check and a backup if due: once the start has settled
INBOX_FIRST_CHECK_MS = 2000
INBOX_SETTING = "packs.inbox"  # assistant.packs.inbox.SETTING_KEY (not imported: it loads the pack code)
FIRST_PAINT_FALLBACK_MS = 2000  # a window that never paints (minimised at start) still starts
# How long a thread holding the interpreter lock runs before another one waiting for it gets it
# (Python's default: 5 ms). The GUI thread takes the lock for every event that reaches Python
# code; while workers import modules or build an index, each such event waited up to 5 ms:
# 1 ms keeps a key press or a paint from waiting behind a worker (issue 18, the longest stall)
SWITCH_INTERVAL_S = 0.001


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agent-assistant", description=APP_NAME)
    parser.add_argument("--data-dir", help="use this data folder instead of the default")
    parser.add_argument("--language", help="UI language (en, es, fr, de, pt_BR, hi, ar)")
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen on a temporary data folder and exit")
    parser.add_argument("--customer", metavar="TEXT",
                        help='set the customer (as typed in the customer bar: "Name, +81 3-1234-5678", '
                             'a country, a city), in the running app if there is one (call pop)')
    parser.add_argument("--focus", action="store_true",
                        help="with --customer or a link: also give the window the keyboard focus")
    parser.add_argument("link", nargs="?", metavar="LINK",
                        help="an agent-assistant://customer?q=TEXT link (or tel:/callto:), as a link "
                             "handler; or a caller id, as softphones append it to a command")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def call_pop(args: argparse.Namespace, policy) -> str | None:
    """The customer text a start was asked to set (``--customer``, or the argument: a link or
    a caller id), checked; LinkError (a UserError) when it is refused."""
    if args.link is None and args.customer is None:  # most starts: the link code stays unloaded
        return None
    from assistant.integration.links import LinkError, customer_from_argument, customer_text

    if args.link is not None:
        if args.customer is not None:
            raise LinkError("Give either --customer or a link, not both.")
        return customer_from_argument(args.link, policy.allow_link_handler)
    return customer_text(args.customer) if args.customer is not None else None


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
    from assistant.errors import UserError
    from ui.single_instance import MESSAGE_SHOW, acquire_lock, customer_message, hand_over

    # Also here, not only in main(): when the window closes on quit, Qt would otherwise post a
    # Quit event that lands after exec() returns and leaves every later event loop of an
    # in-process run (the tests) exiting at once.
    app.setQuitOnLastWindowClosed(False)

    policy = load_policy()
    try:
        pop = call_pop(args, policy)
    except UserError as exc:  # a refused link sets nothing and starts nothing
        return fatal(str(exc))
    data_dir = resolve_data_dir(args.data_dir, policy.data_dir)
    try:
        ensure_writable(data_dir)
        lock = acquire_lock(data_dir.path)
    except DataDirError as exc:
        return fatal(str(exc))
    if lock is None:
        if pop is None:
            shown = hand_over(data_dir.path, MESSAGE_SHOW)
            print(f"{APP_NAME} is already running" + ("; its window was brought forward." if shown else "."),
                  file=sys.stderr)
            return 0
        if hand_over(data_dir.path, customer_message(pop, args.focus)):
            print(f"{APP_NAME} is already running; the customer was handed to it.", file=sys.stderr)
            return 0
        return fatal("The running app did not answer, so the customer was not set. Try again.")
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        return _run_holding_lock(app, args, policy, pop)
    finally:
        sys.setswitchinterval(switch)
        lock.unlock()


def _run_holding_lock(app: QApplication, args: argparse.Namespace, policy, pop: str | None = None) -> int:
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
    from ui.preload import preload, start_modules

    services = AppServices(runtime, CustomerContextHolder())
    window = MainWindow(services)
    reporter = ErrorReporter(window, runtime)
    reporter.install()  # from here on no traceback reaches the agent
    from ui.call_pop import CallPops

    calls = CallPops(policy.allow_link_handler, window)
    if sys.platform == "darwin":  # macOS delivers links as events, even at launch (elsewhere: argv);
        app.installEventFilter(calls)  # an application-wide filter sees every event: only where needed
    if pop is not None:
        calls.take(pop, args.focus)
    if pop is not None and not args.focus:  # started by a call: the call keeps the keyboard
        window.setAttribute(Qt.WA_ShowWithoutActivating, True)
        window.show()
        window.setAttribute(Qt.WA_ShowWithoutActivating, False)
    else:
        window.bring_forward()  # launched by the agent: active, its input takes the first keys
    # Timers use the window as context so none outlives this run (tests run the app in-process).
    asked, started, exiting = [], [], []

    def start_now(_preloaded=None):
        if not started and not exiting:
            started.append(finish_start(app, runtime, window, services, reporter, calls))

    def after_first_paint():  # once, whichever comes first; the imports on a thread first
        if not asked:
            asked.append(True)
            preload(start_modules, start_now)

    window.first_painted.connect(after_first_paint)
    QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, window, after_first_paint)

    if args.quit_after:
        QTimer.singleShot(args.quit_after, window, window.quit)
    app.aboutToQuit.connect(window.save_state)
    app.aboutToQuit.connect(clipboard.settle)
    try:
        return app.exec()
    finally:
        exiting.append(True)  # a preload that ends now does not start what is closing
        reporter.uninstall()
        if sys.platform == "darwin":
            app.removeEventFilter(calls)
        app.aboutToQuit.disconnect(window.save_state)
        app.aboutToQuit.disconnect(clipboard.settle)
        if started and started[0] is not None:
            started[0].close()
        if window.global_keys is not None:
            window.global_keys.stop()
        services.hall.stop()
        if window.upkeep is not None:
            window.upkeep.stop()
        services.pool.waitForDone(5000)
        app.processEvents()
        window.deleteLater()  # with it every panel's timer, before the database closes
        app.sendPostedEvents(None, QEvent.DeferredDelete)
        runtime.close()


class Started:
    """What the rest of the start made that the end of the run closes: the server a second
    start talks to (None until its step ran, or when it could not listen)."""

    def __init__(self):
        self.instance = None
        self.closed = False

    def close(self) -> None:
        self.closed = True  # a step still pending does not run
        if self.instance is not None:
            self.instance.close()


def finish_start(app: QApplication, runtime, window, services, reporter, calls=None):
    """Right after the first paint: check and migrate the database (a database it cannot
    use ends the app with a clear message); then, one step per event-loop pass so a key
    pressed meanwhile waits for one step at most (issue 18), the clocks and panels, the
    global keys, the notices kept for the agent, a call pop that came meanwhile (``calls``,
    ui.call_pop.CallPops), background work and the server a second start talks to.
    Returns the :class:`Started` that ``run`` closes (None when the start ended)."""
    try:
        runtime.complete()
    except DatabaseError as exc:  # what was moved aside meanwhile is said too
        app.exit(fatal("\n\n".join([*runtime.opened.notices, str(exc)])))
        return None
    started = Started()

    def clocks_and_panels():
        feed_system_zone()
        window.start_deferred()

    steps = [clocks_and_panels, lambda: start_global_keys(window, services, started),
             lambda: _start_the_rest(runtime, window, services, reporter, calls, started)]

    def next_step():
        if steps and not started.closed:
            steps.pop(0)()
            QTimer.singleShot(0, window, next_step)

    QTimer.singleShot(0, window, next_step)
    return started


def _start_the_rest(runtime, window, services, reporter, calls, started: Started) -> None:
    from ui.single_instance import InstanceServer, server_name

    if calls is not None:
        calls.start(window)
    reporter.start_notices()  # a database moved aside at this start is among them
    if runtime.policy.errors:  # IT's file is wrong: logged for IT, told to the agent without blocking
        for error in runtime.policy.errors:
            log.warning("deployment policy ignored, safest settings apply: %s", error)
        window.notify(APP_NAME, i18n._(
            "The deployment policy has errors, so the safest settings apply. Details: Settings (Ctrl+,)."))

    def check_database():  # SQLite's check soon after start, then hourly whether a backup is due
        backup_timer.setInterval(BACKUP_CHECK_MS)
        reporter.check_database()

    backup_timer = QTimer(window)
    backup_timer.timeout.connect(check_database)
    backup_timer.start(FIRST_CHECK_MS)
    from ui.upkeep import app_upkeep

    window.upkeep = app_upkeep(services, window)  # SQLite's housekeeping while quiet, not in the agent's commits

    def watch_pack_inbox():  # soon after start, then every 15 min; pack code loads only then
        if getattr(window, "pack_inbox_watch", None) is not None:
            return
        from ui.packs_dialog import start_inbox_watch

        start_inbox_watch(window, services)

    # With no inbox folder (the policy's or the agent's setting) the pack code (signatures,
    # ~16 MB) is not loaded at all; choosing a folder later starts the watch then.
    if runtime.policy.pack_inbox or settings.get(runtime.db, INBOX_SETTING):
        QTimer.singleShot(INBOX_FIRST_CHECK_MS, window, watch_pack_inbox)
    else:
        services.hall.settings_changed.connect(
            lambda key: watch_pack_inbox() if key == INBOX_SETTING and settings.get(runtime.db, key) else None)
    try:  # the lock already keeps a second app out; the server only lets it hand over
        instance = InstanceServer(server_name(runtime.data_dir.path))
    except RuntimeError as exc:
        log.warning("a second start will not bring this window forward: %s", exc)
        return
    started.instance = instance
    instance.show_requested.connect(window.bring_forward)
    if calls is not None:
        instance.customer_requested.connect(calls.take)


def start_global_keys(window, services, started: Started | None = None) -> None:
    """The global shortcuts (ui/global_keys.py): registered after the first paint; a hotkey
    service that fails is logged and shown in the settings, never fatal. On Wayland the
    desktop portal is reached on a thread first: D-Bus may have to start it (seconds), and
    the window answers meanwhile; the keys start when it answered, unless the run ended."""
    from ui.hotkeys import needs_portal

    if not needs_portal(QApplication.platformName()):
        _start_keys(window, services, None)
        return
    from ui.portal_keys import open_portal
    from ui.workers import run_in_thread

    def opened(portal) -> None:  # the connection, or why there is none
        if started is not None and started.closed:
            if not isinstance(portal, BaseException):
                portal.conn.close()
            return
        _start_keys(window, services, portal)

    run_in_thread(open_portal, opened, opened, name="portal")


def _start_keys(window, services, portal) -> None:
    """``portal``: None (not Wayland: the backend is chosen when keys are first registered), or
    what opening the portal came to."""
    from ui.global_keys import GlobalKeys

    try:
        window.global_keys = GlobalKeys(window, services, portal=portal)
        window.global_keys.start()
    except Exception:
        log.exception("global shortcuts could not start")


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
