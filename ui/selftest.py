"""``agent-assistant --self-test``: an end-to-end check of an installation, meant for the
frozen bundle on a locked-down workstation as much as for a checkout.

It runs offscreen against a temporary data folder (nothing of the agent's data is read or
touched; the built-in policy defaults apply, not the machine's policy files, whose data folder
or trust pin would otherwise reach the agent's data), prints one line per check and exits 0 only if every check
passes. Each check calls the feature's public API, so a missing resource, catalogue, native
library or data file in the bundle shows up as a failed line with the reason."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

# A hung check (a native library stuck loading, a model trying to reach the network) must
# not hang CI or the IT technician's console.
WATCHDOG_SECONDS = 300
# Fixed instant: results must not depend on the day the test runs.
INSTANT = datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc)
# One of the phrases the committed test model reproduces exactly (tools/test_model_corpus.tsv).
TEST_PHRASE, TEST_TRANSLATION = "Thank you for your patience.", "Gracias por su paciencia."
DETECT_SAMPLE = "Buenos días, quisiera saber cuándo llega mi pedido, por favor."


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str
    seconds: float


class SelfTestFailure(Exception):
    """A check found the installation wrong; the message says what."""


class SelfTest:
    def __init__(self, work_dir: Path, out=None):
        self.work_dir = work_dir
        self.out = out
        self.runtime = None
        self.services = None
        self.window = None
        self.outcomes: list[Outcome] = []

    # -- running -------------------------------------------------------------------
    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("resources", self.check_resources),
            ("storage", self.check_storage),
            ("languages", self.check_languages),
            ("time data", self.check_time_data),
            ("window", self.check_window),
            ("card", self.check_card),
            ("template", self.check_template),
            ("translation", self.check_translation),
            ("task", self.check_task),
            ("global shortcuts", self.check_hotkeys),
        ]

    def run(self) -> bool:
        try:
            for name, check in self.checks():
                started = time.perf_counter()
                try:
                    detail, ok = check(), True
                except Exception as exc:  # every failure becomes a line, never a traceback dump
                    detail, ok = _describe(exc), False
                    if os.environ.get("AGENT_ASSISTANT_SELFTEST_DEBUG"):
                        traceback.print_exc()
                outcome = Outcome(name, ok, detail, time.perf_counter() - started)
                self.outcomes.append(outcome)
                self._print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail} ({outcome.seconds:.1f} s)")
        finally:
            self.close()
        passed = sum(o.ok for o in self.outcomes)
        self._print(f"self-test: {passed}/{len(self.outcomes)} checks passed")
        return passed == len(self.outcomes)

    def _print(self, line: str) -> None:
        if self.out is not None:
            print(line, file=self.out, flush=True)

    def close(self) -> None:
        from PySide6.QtWidgets import QApplication

        if self.services is not None:  # background work reports back before the window goes
            from PySide6.QtCore import QThreadPool

            for _round in range(20):  # results may queue more work (panels built one by one)
                self.services.pool.waitForDone(10_000)
                QThreadPool.globalInstance().waitForDone(10_000)
                QApplication.processEvents()
                time.sleep(0.05)
                QApplication.processEvents()
                if self.services.pool.activeThreadCount() == QThreadPool.globalInstance().activeThreadCount() == 0:
                    break
        if self.window is not None:
            self.window._quitting = True
            self.window.close()
            self.window.deleteLater()
            QApplication.processEvents()
        if self.services is not None:
            self.services.hall.stop()
            self.services.pool.waitForDone(10_000)
        if self.runtime is not None:
            self.runtime.close()

    # -- shared state --------------------------------------------------------------
    def ensure_runtime(self):
        if self.runtime is None:
            from assistant.policy import Policy
            from assistant.runtime import start

            self.runtime = start(policy=Policy())
            if self.runtime.data_dir.path != self.work_dir / "data":
                raise SelfTestFailure(f"data folder is {self.runtime.data_dir.path}, not the temporary one")
        return self.runtime

    # -- checks --------------------------------------------------------------------
    def check_resources(self) -> str:
        from PySide6.QtGui import QIcon

        from assistant.paths import locales_path, resource_path

        icon_file = resource_path("icons", "app.svg")
        if not icon_file.is_file():
            raise SelfTestFailure(f"{icon_file} missing")
        if QIcon(str(icon_file)).pixmap(32, 32).isNull():
            raise SelfTestFailure("the SVG icon does not render (Qt svg image plugin missing?)")
        from ui.main_window import app_icon

        if app_icon().pixmap(32, 32).isNull():
            raise SelfTestFailure("the window's icon (resources/icons/app-*.png) does not load")
        if getattr(sys, "frozen", False):
            import importlib.util

            stray = [name for name in ("tests", "torch", "transformers", "pytest") if importlib.util.find_spec(name)]
            if stray:
                raise SelfTestFailure(f"the bundle ships packages it must not: {', '.join(stray)}")
        return f"resources in {resource_path()}, catalogues in {locales_path()}"

    def check_storage(self) -> str:
        """The database opens and migrates; in a fresh process (the bundle's self-test) also
        that sqlite-utils loaded without numpy, as the app's start-up needs."""
        fresh = "sqlite_utils" not in sys.modules and "numpy" not in sys.modules
        runtime = self.ensure_runtime()
        from assistant.storage.database import schema_version

        version = schema_version(runtime.db)
        if not fresh:
            return f"database at schema version {version}"
        if sys.modules["sqlite_utils"].db.np is not None or "numpy" in sys.modules:
            raise SelfTestFailure("opening the database loaded numpy (about 160 ms more at start-up): "
                                  "the import hook in assistant/__init__.py did not apply in this build")
        return f"database at schema version {version}, opened without loading numpy"

    def check_languages(self) -> str:
        from assistant import i18n

        missing = []
        for code in i18n.SUPPORTED:
            if code == "en":
                continue
            if not i18n.has_catalogue(code):
                missing.append(code)
        i18n.set_language("en")
        if missing:
            raise SelfTestFailure(f"no UI catalogue for {', '.join(missing)}")
        from ui.qt_i18n import qt_translations_dir

        qt_dir = qt_translations_dir()
        absent = [c for c in i18n.SUPPORTED if c not in ("en", "hi") and not _qt_catalogue(qt_dir, c)]
        if absent:
            raise SelfTestFailure(f"Qt's own translations missing for {', '.join(absent)} in {qt_dir}")
        return f"{len(i18n.SUPPORTED)} UI languages; Qt's translations in {qt_dir}"

    def check_time_data(self) -> str:
        from zoneinfo import ZoneInfo

        from babel.dates import format_datetime, get_day_names, get_month_names

        local = INSTANT.astimezone(ZoneInfo("Asia/Kolkata"))
        if local.utcoffset().total_seconds() != 5.5 * 3600:
            raise SelfTestFailure(f"Asia/Kolkata offset is {local.utcoffset()}")
        # CLDR's German names for that Tuesday in March, whatever their spelling in this release
        day, month = get_day_names("wide", locale="de")[local.weekday()], get_month_names("wide", locale="de")[3]
        text = format_datetime(local, "EEEE d MMMM", locale="de")
        if text != f"{day} 10 {month}" or not day.isalpha() or day == "Tuesday":
            raise SelfTestFailure(f"babel formatted {text!r}")
        return "tzdata and CLDR loaded (Asia/Kolkata, de)"

    def check_window(self) -> str:
        """The main window opens, every panel builds and follows a customer, and no code
        behind the widgets raises (an error in a slot would otherwise only be printed)."""
        from PySide6.QtCore import QThreadPool
        from PySide6.QtWidgets import QApplication

        from assistant.customer import CustomerContext
        from ui.context import CustomerContextHolder
        from ui.main_window import MainWindow
        from ui.services import AppServices

        errors: list[str] = []
        previous_hook = sys.excepthook
        sys.excepthook = lambda kind, value, tb: errors.append(f"{kind.__name__}: {value}")
        try:
            self.services = AppServices(self.ensure_runtime(), CustomerContextHolder())
            self.window = MainWindow(self.services)
            self.window.show()
            QApplication.processEvents()
            self.window.start_deferred()  # what the app does after the first paint
            if not self.window.isVisible():
                raise SelfTestFailure("the main window did not show")
            self.services.customer.set(CustomerContext(name="Self-test", country="JP", zone="Asia/Tokyo",
                                                       language="ja"))
            for index in range(self.window.tabs.count()):
                self.window.show_panel(index)
                QApplication.processEvents()
            for _round in range(3):  # background loads report back
                self.services.pool.waitForDone(10_000)
                QThreadPool.globalInstance().waitForDone(10_000)
                QApplication.processEvents()
        finally:
            sys.excepthook = previous_hook
        if errors:
            raise SelfTestFailure(f"{len(errors)} error(s) behind the window, first: {errors[0]}")
        return f"main window shown with {self.window.tabs.count()} panels, following a customer"

    def check_card(self) -> str:
        from assistant.countries.cards import load_card

        card = load_card("JP", self.ensure_runtime().db)
        if not card:
            raise SelfTestFailure("no etiquette card for JP")
        return f"etiquette card for JP loaded ({len(card)} fields)"

    def check_template(self) -> str:
        """The shipped starter pack installs and one of its replies renders for a customer."""
        from assistant.customer import CustomerContext
        from assistant.templates.compose import compose
        from assistant.packs.starter import ensure_starter_pack
        from assistant.templates.store import library

        db = self.ensure_runtime().db
        ensure_starter_pack(db, policy=self.runtime.policy, now=INSTANT)
        entries = library(db)
        if not entries:
            raise SelfTestFailure("the starter pack installed no reply template")
        customer = CustomerContext(name="Ana Souza", country="BR", zone="America/Sao_Paulo", language="pt_BR")
        rendered = 0
        for entry in entries:
            reply = compose(entry.template, at=INSTANT, customer=customer)
            if not reply.text.strip():
                raise SelfTestFailure(f"template {entry.id} rendered empty")
            rendered += 1
        return f"{rendered} reply templates rendered (e.g. {entries[0].id} in {compose(entries[0].template, at=INSTANT, customer=customer).language})"

    def check_translation(self) -> str:
        """The committed test model (a genuine .argosmodel) installs from the bundle and
        translates with the native engine (CTranslate2, SentencePiece), offline."""
        from assistant.paths import resource_path
        from assistant.translation.service import TranslationService

        models = sorted(resource_path("models").glob("translate-en_es*.argosmodel"))
        if not models:
            raise SelfTestFailure(f"no test model in {resource_path('models')}")
        service = TranslationService.for_data_dir(self.ensure_runtime().data_dir)
        installed = service.install(models[0])
        ready = service.start(warm=[("en", "es")])
        if ("en", "es") not in ready.pairs:
            raise SelfTestFailure(f"the model installed but the engine offers {list(ready.pairs)}: "
                                  f"{'; '.join(ready.problems)}")
        result = service.translate(TEST_PHRASE, "en", "es")
        if result.text.strip() != TEST_TRANSLATION:
            raise SelfTestFailure(f"{TEST_PHRASE!r} became {result.text!r}, expected {TEST_TRANSLATION!r}")
        detected = service.detect(DETECT_SAMPLE).language  # the language-detection model loads
        if detected != "es":
            raise SelfTestFailure(f"language detection took {DETECT_SAMPLE!r} for {detected!r}, not 'es'")
        return (f"{models[0].name} installed ({len(installed)} package) and translated "
                f"{TEST_PHRASE!r} -> {result.text!r} in {result.seconds:.2f} s; detection ok")

    def check_task(self) -> str:
        """A task is written to the database, read back through a fresh connection, and ranked."""
        from datetime import timedelta

        from assistant.customer import CustomerContext
        from assistant.storage.database import open_database
        from assistant.tasks.model import Task
        from assistant.tasks.store import TaskStore

        runtime = self.ensure_runtime()
        customer = CustomerContext(name="Self-test", country="JP", zone="Asia/Tokyo", language="ja")
        task = Task(title="Self-test follow-up", priority="high", channel="call", customer=customer,
                    follow_up_at=INSTANT + timedelta(hours=2))
        stored = TaskStore(runtime.db).add(task, now=INSTANT)
        reopened = open_database(runtime.data_dir.database, runtime.data_dir.backups)
        try:
            back = TaskStore(reopened.db).get(stored.id)
        finally:
            reopened.close()
        if (back.title, back.priority, back.customer.zone, back.follow_up_at) != (
                task.title, task.priority, customer.zone, task.follow_up_at):
            raise SelfTestFailure(f"task read back differs: {back}")
        return f"task {stored.id} written and read back (SLA response due {back.response_due_at:%Y-%m-%d %H:%M} UTC)"


    def check_hotkeys(self) -> str:
        """The platform's hotkey API is there to be called (on Linux: python-xlib with the
        keysym tables and the XTest extension it loads by name, and jeepney for the desktop
        portal on Wayland); no key is grabbed here."""
        from assistant.integration.shortcuts import ACTIONS, parse_chord
        from assistant import settings

        for action in ACTIONS:
            parse_chord(settings.spec(f"shortcuts.{action}").default)
        if sys.platform.startswith("linux"):
            from Xlib import XK, __version__
            from Xlib.ext import xtest  # noqa: F401  (paste back)
            from Xlib.support import connect  # noqa: F401

            if not (XK.string_to_keysym("r") and XK.string_to_keysym("Control_L") and XK.string_to_keysym("Prior")):
                raise SelfTestFailure("python-xlib's keysym tables are missing")
            import jeepney
            from jeepney.io.blocking import open_dbus_connection  # noqa: F401  (Wayland: the portal)

            from ui.portal_keys import portal_trigger

            if portal_trigger(*parse_chord("Ctrl+Alt+Space")) != "CTRL+ALT+space":
                raise SelfTestFailure("the desktop portal's triggers are wrong")
            return (f"X11 (python-xlib {'.'.join(map(str, __version__))}), Wayland portal (jeepney "
                    f"{jeepney.__version__}): {len(ACTIONS)} default chords valid")
        return f"{sys.platform}: {len(ACTIONS)} default chords valid"


def _qt_catalogue(folder: Path, code: str) -> bool:
    return (folder / f"qtbase_{code}.qm").is_file() or (folder / f"qtbase_{code.split('_')[0]}.qm").is_file()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SelfTestFailure):
        return str(exc)
    if isinstance(exc, ImportError):
        return f"not available in this build ({exc})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


# The offscreen platform says it cannot do what only a window system can: not a finding.
_OFFSCREEN_NOTES = ("This plugin does not support",)


def _quiet_offscreen_notes(_mode, _context, message: str) -> None:
    if not message.startswith(_OFFSCREEN_NOTES) and sys.stderr is not None:
        print(message, file=sys.stderr)


def _watchdog(out) -> None:
    print(f"FAIL  self-test: no result after {WATCHDOG_SECONDS} s", file=out, flush=True)
    os._exit(1)


def main(args=None) -> int:
    """Entry point for ``agent-assistant --self-test``; returns the exit code."""
    out = sys.stdout if sys.stdout is not None else sys.stderr  # windowed builds may have neither
    # Offscreen and isolated, set before Qt or the runtime read the environment.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="agent-assistant-selftest-") as tmp:
        work = Path(tmp)
        os.environ["AGENT_ASSISTANT_HOME"] = str(work / "data")
        timer = threading.Timer(WATCHDOG_SECONDS, _watchdog, [out])
        timer.daemon = True
        timer.start()
        try:
            from PySide6.QtCore import qInstallMessageHandler
            from PySide6.QtWidgets import QApplication

            qInstallMessageHandler(_quiet_offscreen_notes)
            app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
            test = SelfTest(work, out)
            ok = test.run()
        finally:
            timer.cancel()
        if out is None:
            _write_report_file(test)
    return 0 if ok else 1


def _write_report_file(test: SelfTest) -> None:
    """No console (windowed Windows build): leave the result in a file beside the data."""
    report = Path(tempfile.gettempdir()) / "agent-assistant-selftest.txt"
    report.write_text("\n".join(f"{'PASS' if o.ok else 'FAIL'}  {o.name}: {o.detail}" for o in test.outcomes),
                      encoding="utf-8")
