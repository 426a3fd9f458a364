import json
import os
import subprocess
import sys
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ui import app as app_module
from ui.single_instance import LOCK_FILE, InstanceServer, acquire_lock, server_name, signal_running_instance

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_single_instance_server_brings_the_window_forward(qtbot, tmp_path):
    name = server_name(tmp_path)
    assert not signal_running_instance(name, timeout_ms=100)
    server = InstanceServer(name)
    try:
        with qtbot.waitSignal(server.show_requested, timeout=3000):
            assert signal_running_instance(name)
    finally:
        server.close()


def test_names_differ_per_data_dir(tmp_path):
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a")


def test_second_start_hands_over_to_the_running_app(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSISTANT_HOME": str(tmp_path / "d")}
    first = subprocess.Popen([sys.executable, "-m", "ui.app", "--quit-after", "20000"], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "d" / "assistant.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the instance server starts listening right after the database opens
        second = subprocess.run([sys.executable, "-m", "ui.app"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=30)
        assert second.returncode == 0
        assert "already running" in second.stderr
        assert first.poll() is None  # the first one is still the only writer
    finally:
        first.terminate()
        first.wait(10)


def shown_boxes(monkeypatch) -> list[str]:
    """Texts of the message boxes the app shows (modal or not), each checked to be plain
    text: the app's messages quote paths and SQLite's words."""
    shown = []

    def record(box):
        assert box.textFormat() == Qt.PlainText
        shown.append(box.text())
        return QMessageBox.Ok

    monkeypatch.setattr(QMessageBox, "exec", record)
    monkeypatch.setattr(QMessageBox, "show", record)
    return shown


def test_unusable_data_dir_shows_a_message_not_a_traceback(qapp, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    shown = shown_boxes(monkeypatch)
    code = app_module.run(qapp, app_module.parse_args(["--data-dir", str(blocker / "data")]))
    assert code == 2
    assert shown and "not writable" in shown[0] and "Traceback" not in shown[0]


def test_corrupt_database_is_reported_after_the_window_shows(qapp, qtbot, fresh_data_dir, monkeypatch):
    fresh_data_dir.mkdir(parents=True)
    (fresh_data_dir / "assistant.db").write_bytes(b"garbage" * 500)
    warnings = shown_boxes(monkeypatch)
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "300"]))
    assert code == 0
    assert warnings and "moved aside" in warnings[0]
    assert list(fresh_data_dir.glob("assistant.db.corrupt-*"))
    # logged before the log file was attached (after the first paint), and written to it
    assert "moved aside" in (fresh_data_dir / "logs" / "assistant.log").read_text(encoding="utf-8")


def test_the_app_checks_its_database_and_takes_the_first_backup_off_the_gui_thread(
        qapp, qtbot, fresh_data_dir, monkeypatch):
    """SQLite's check reads every page (110-130 ms at 134 MB) and the backup copies them
    (240 ms): on a thread of their own once the start settled, never before the paint."""
    import threading

    from assistant.storage import backup, database

    seen = []
    real_check, real_backup = database.check_integrity, backup.rolling_backup
    monkeypatch.setattr(database, "check_integrity", lambda *a, **k: (
        seen.append(("check", threading.current_thread() is threading.main_thread())), real_check(*a, **k))[1])
    monkeypatch.setattr(backup, "rolling_backup", lambda *a, **k: (
        seen.append(("backup", threading.current_thread() is threading.main_thread())), real_backup(*a, **k))[1])
    monkeypatch.setattr(app_module, "FIRST_CHECK_MS", 50)
    warnings = shown_boxes(monkeypatch)
    fresh_data_dir.mkdir(parents=True)
    database.open_database(fresh_data_dir / "assistant.db").close()  # an existing database
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "1500"]))
    assert code == 0 and warnings == []
    assert seen == [("check", False), ("backup", False)]  # the open read the schema only
    assert len(backup.list_backups(fresh_data_dir / "backups")) == 1


def test_the_lock_admits_one_app_per_data_folder(tmp_path):
    (tmp_path / "other").mkdir()
    first = acquire_lock(tmp_path)
    assert first is not None
    try:
        assert acquire_lock(tmp_path) is None
        other = acquire_lock(tmp_path / "other")  # another data folder is another app
        assert other is not None
        other.unlock()
    finally:
        first.unlock()
    again = acquire_lock(tmp_path)
    assert again is not None
    again.unlock()


def test_a_lock_left_by_a_killed_app_is_taken_over(tmp_path):
    with subprocess.Popen(
            [sys.executable, "-c", "import sys, time\n"
             "from ui.single_instance import acquire_lock\n"
             "lock = acquire_lock(sys.argv[1]); print('locked', flush=True); time.sleep(60)", str(tmp_path)],
            cwd=REPO, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "locked"
            assert acquire_lock(tmp_path) is None  # alive: held
        finally:
            holder.kill()
            holder.wait(10)
    assert (tmp_path / LOCK_FILE).exists()  # SIGKILL left it behind
    taken = acquire_lock(tmp_path)
    assert taken is not None
    taken.unlock()


def test_a_second_start_in_the_same_folder_leaves_the_database_alone(qapp, fresh_data_dir, capsys):
    fresh_data_dir.mkdir(parents=True)
    held = acquire_lock(fresh_data_dir)
    try:
        code = app_module.run(qapp, app_module.parse_args([]))
    finally:
        held.unlock()
    assert code == 0
    assert "already running" in capsys.readouterr().err
    assert not (fresh_data_dir / "assistant.db").exists()


def test_a_newer_database_is_refused_after_the_window_shows(qapp, fresh_data_dir, monkeypatch, newer_database):
    path = newer_database(fresh_data_dir / "assistant.db")
    before = path.read_bytes()
    shown = shown_boxes(monkeypatch)
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "5000"]))
    assert code == 2
    assert shown and "newer version" in shown[0]
    assert path.read_bytes() == before


def test_the_window_paints_before_sqlite_utils_and_the_clock_modules_load(tmp_path):
    """What the first paint waits for is kept small: the database's schema check (with
    sqlite-utils), the clock modules, the network module, numpy, ``dataclasses`` (the
    records made before the paint are NamedTuples and plain classes) and (with no link to
    open) the link code load after it (benchmarks/startup.py measures the effect)."""
    probe = """
import json, sys
from PySide6.QtWidgets import QApplication
from ui import app as app_module, main_window
qapp = QApplication([])
heavy = ("sqlite_utils", "numpy", "assistant.clock.resolve", "ui.clock_widget", "PySide6.QtNetwork",
         "assistant.integration.links", "dataclasses")
before = {}
build = main_window.MainWindow.__init__
def init(self, services):
    build(self, services)
    self.first_painted.connect(lambda: before.update({m: m in sys.modules for m in heavy}))
main_window.MainWindow.__init__ = init
code = app_module.run(qapp, app_module.parse_args(["--quit-after", "1500"]))
print(json.dumps({"code": code, "before": before, "after": {m: m in sys.modules for m in heavy},
                  "numpy_types": sys.modules["sqlite_utils"].db.np is not None}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSISTANT_HOME": str(tmp_path / "d")}
    for _start in ("first: creates the database", "second: a warm start"):
        out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["code"] == 0
        assert not any(result["before"].values()), result["before"]
        assert result["after"]["sqlite_utils"] and result["after"]["ui.clock_widget"]
        assert not result["numpy_types"]  # sqlite-utils was imported with numpy hidden


def test_a_window_that_never_paints_still_finishes_starting(qapp, fresh_data_dir, monkeypatch):
    """Started minimised (or on a display that never exposes it): the rest of the start runs
    after a fallback delay instead of waiting for a paint that does not come."""
    from PySide6.QtWidgets import QMainWindow

    from ui.main_window import MainWindow

    finished = []
    monkeypatch.setattr(MainWindow, "paintEvent", lambda self, event: QMainWindow.paintEvent(self, event))
    monkeypatch.setattr(app_module, "FIRST_PAINT_FALLBACK_MS", 300)
    real_finish = app_module.finish_start
    monkeypatch.setattr(app_module, "finish_start",
                        lambda *args: finished.append(args[1]) or real_finish(*args))
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "2500"]))
    assert code == 0
    assert len(finished) == 1 and finished[0].completed
    assert (fresh_data_dir / "logs" / "assistant.log").exists()


def test_a_database_another_program_holds_ends_the_start_with_a_message_and_changes_nothing(
        qapp, fresh_data_dir, monkeypatch, lock_from_another_process, short_busy_timeout, digest, capsys):
    from assistant.runtime import start

    start().close()
    path = fresh_data_dir / "assistant.db"
    lock_from_another_process(path, "PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE")
    before = digest(path)
    shown = shown_boxes(monkeypatch)
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "5000"]))
    message = (f"The database is in use by another program: {path} stayed locked for 0.5 s. Close the program "
               "that holds it (a database browser, a backup or sync tool) and try again; nothing was changed.")
    assert (code, shown) == (2, [message])
    assert capsys.readouterr().err.splitlines()[-1] == f"Agent Assistant: {message}"
    assert digest(path) == before and not list(fresh_data_dir.glob("*.corrupt-*"))


def test_without_a_pack_inbox_the_pack_code_is_not_loaded_until_a_folder_is_chosen(tmp_path):
    """The inbox watch (and the signature code it needs, ~16 MB) starts only when there is an
    inbox folder; choosing one in the settings while the app runs starts it then."""
    from assistant.packs import inbox

    assert app_module.INBOX_SETTING == inbox.SETTING_KEY
    probe = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui import app as app_module
app_module.INBOX_FIRST_CHECK_MS = 100
qapp = QApplication([])
seen = {}
def look():
    window = next(w for w in qapp.topLevelWidgets() if w.objectName() == "main-window")
    seen["before"] = {"signing": "assistant.packs.signing" in sys.modules,
                      "watch": getattr(window, "pack_inbox_watch", None) is not None}
    window.services.put_setting("packs.inbox", sys.argv[1])
    QTimer.singleShot(300, lambda: seen.update(after=getattr(window, "pack_inbox_watch", None) is not None))
QTimer.singleShot(2500, look)
code = app_module.run(qapp, app_module.parse_args(["--quit-after", "4000"]))
print(json.dumps({"code": code, **seen}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSISTANT_HOME": str(tmp_path / "d")}
    env.pop("AGENT_ASSISTANT_POLICY", None)
    folder = tmp_path / "inbox"
    folder.mkdir()
    first = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "none")], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120)  # creates the database, the starter pack
    assert first.returncode == 0, first.stderr[-2000:]
    subprocess.run([sys.executable, "-m", "assistant", "settings", "reset", "packs.inbox"], cwd=REPO, env=env,
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run([sys.executable, "-c", probe, str(folder)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["before"] == {"signing": False, "watch": False}
    assert result["after"] is True


def test_the_rest_of_the_start_runs_one_step_per_event_loop_pass(qapp, qtbot, main_window, services,
                                                                 monkeypatch):
    """After the database check, the clocks and panels, the global keys and the rest each
    run in a pass of their own (a key pressed meanwhile waits for one step at most); what
    is closed before a step runs does not start it."""
    from PySide6.QtCore import QTimer

    from ui.error_report import ErrorReporter

    seen = []
    for name, label in (("feed_system_zone", "clocks"), ("start_global_keys", "keys"), ("_start_the_rest", "rest")):
        real = getattr(app_module, name)
        monkeypatch.setattr(app_module, name, lambda *a, real=real, label=label: (seen.append(label), real(*a))[1])
    reporter = ErrorReporter(main_window, services.runtime)
    started = app_module.finish_start(qapp, services.runtime, main_window, services, reporter)
    try:
        assert services.runtime.completed and seen == []  # the database first, alone
        QTimer.singleShot(0, lambda: seen.append("a key press"))  # an event that came meanwhile
        qtbot.waitUntil(lambda: started.instance is not None)
        assert seen == ["clocks", "a key press", "keys", "rest"]
        assert main_window._deferred_started
        # SQLite's housekeeping kept up while the app is quiet, not in the agent's commits (ui/upkeep.py)
        assert main_window.upkeep is not None
        assert services.runtime.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    finally:
        started.close()
        if main_window.upkeep is not None:
            main_window.upkeep.stop()
    seen.clear()
    closed = app_module.finish_start(qapp, services.runtime, main_window, services, reporter)
    closed.close()  # the app ends before its next pass: no step runs, no server listens
    qtbot.wait(100)
    assert closed.instance is None and seen == []


def test_preloaded_modules_are_imported_on_another_thread_then_the_gui_goes_on(qtbot, monkeypatch):
    import importlib
    import threading

    from ui import preload

    where = []
    real = importlib.import_module
    monkeypatch.setattr(preload.importlib, "import_module",
                        lambda name: (where.append((name, threading.current_thread())), real(name))[1])
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)  # a module nothing else loaded
    told = []
    preload.preload(["colorsys", "json"], lambda _none: told.append(threading.current_thread()))
    qtbot.waitUntil(lambda: bool(told))
    assert [name for name, _thread in where] == ["colorsys"]  # json was imported already
    assert where[0][1] is not threading.main_thread() and told == [threading.main_thread()]
    told.clear()
    preload.preload(["colorsys"], lambda _none: told.append("at once"))  # nothing left to import
    assert told == ["at once"]


def test_a_module_that_fails_to_preload_still_lets_the_start_go_on(qtbot):
    from ui import preload

    told = []
    preload.preload(["assistant.no_such_module"], lambda _none: told.append(True))
    qtbot.waitUntil(lambda: bool(told))


GUI_IMPORTS_SCRIPT = '''
import sys, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
seen = []
class Spy:  # records the app's own modules imported on the GUI thread
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is threading.main_thread() and name.split(".")[0] in ("assistant", "ui"):
            seen.append(name)
        return None
from ui.app import parse_args, run
def check():
    windows = [w for w in app.topLevelWidgets() if w.objectName() == "main-window"]
    if windows and windows[0].customer_bar.ready and None not in windows[0]._panels:
        QTimer.singleShot(1000, lambda: (print("GUI-IMPORTS", ",".join(seen)),
                                         print("LOADED", ",".join(sorted(sys.modules))), windows[0].quit()))
    else:
        QTimer.singleShot(20, check)
def started():  # the event loop runs: the window's shell is built, the rest of the start follows
    sys.meta_path.insert(0, Spy())
    check()
QTimer.singleShot(0, started)
run(app, parse_args([]))
'''


def test_after_the_window_shows_no_module_of_the_app_is_imported_on_the_gui_thread(tmp_path):
    """Issue 18: an import on the GUI thread holds it for the whole import (tens of ms); the
    rest of the start, each panel and what a panel loads when first shown are imported on a
    thread first (ui/preload.py START_MODULES, PanelSpec.shown_modules). A fresh process:
    the test session has imported everything already."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSISTANT_HOME": str(tmp_path / "d"),
           "PYTHONPATH": str(REPO)}
    env.pop("AGENT_ASSISTANT_POLICY", None)
    for run in ("first start", "next start"):
        done = subprocess.run([sys.executable, "-c", GUI_IMPORTS_SCRIPT], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
        lines = [line for line in done.stdout.splitlines() if line.startswith("GUI-IMPORTS")]
        assert lines, (run, done.stderr[-2000:])
        assert lines[0] == "GUI-IMPORTS ", run  # nothing listed
        loaded = next(line for line in done.stdout.splitlines() if line.startswith("LOADED ")).split(",")
        # the shipped cards are checked by the compiled schema: jsonschema (~3 MB, 100 ms) not loaded
        assert "jsonschema" not in loaded and "assistant.countries.cards" in loaded, run


def test_the_app_runs_with_a_short_switch_interval_and_puts_it_back(qapp, monkeypatch, tmp_path):
    """Issue 18: while workers hold the interpreter lock, the GUI thread waits at most about
    SWITCH_INTERVAL_S for it per event (Python's default is 5 ms); the interval is put back
    when the run ends (tests run the app in-process)."""
    from PySide6.QtCore import QTimer

    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(tmp_path / "d"))
    before = sys.getswitchinterval()
    during = []
    QTimer.singleShot(0, lambda: during.append(sys.getswitchinterval()))
    assert app_module.run(qapp, app_module.parse_args(["--quit-after", "300"])) == 0
    assert during == [app_module.SWITCH_INTERVAL_S] and app_module.SWITCH_INTERVAL_S < 0.005
    assert sys.getswitchinterval() == before
