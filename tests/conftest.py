"""Suite-wide rules: offscreen Qt, a fresh data folder and no policy file per test (the
machine's own policy files are replaced by this test's empty locations, see machine_policy),
no network (pytest-socket, see addopts), Qt and Python warnings fail the test.

Our tests are not a package (no __init__.py, --import-mode=importlib): the translation
engine's distribution installs a stray top-level ``tests`` package we must not rely on.
Shared helpers are fixtures here, not importable modules."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tools():
    """A script of ``tools/`` (not a package) as a module: ``tools("check_bundle")``."""
    import importlib.util

    loaded: dict = {}

    def load(name: str):
        if name not in loaded:
            spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
            loaded[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(loaded[name])
        return loaded[name]

    return load


@pytest.fixture(scope="session", autouse=True)
def settle_clipboard_at_exit():
    """Rich clipboard data placed from Python crashes the interpreter at exit (ui/clipboard.py)."""
    yield
    import sys

    if "ui.clipboard" in sys.modules:
        sys.modules["ui.clipboard"].settle()


@pytest.fixture(autouse=True)
def root_log_handlers_restored():
    """Each start attaches its data folder's log file to the root logger: detach and close
    the ones a test added, so files of earlier tests neither stay open nor get written."""
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture(autouse=True)
def hour_cycle_follows_the_ui_language():
    """The 12/24-hour choice is process state (as the UI language is): none leaks between tests."""
    from assistant.clock import hours

    hours.set_hour_cycle(None)
    yield
    hours.set_hour_cycle(None)


@pytest.fixture(autouse=True)
def no_system_zone_hint():
    """The platform's zone the app hands to the agent-zone detector at start is process
    state too: a test that ran the app does not decide the zone of the tests after it."""
    from assistant.clock import agent

    agent.use_system_hint(None)
    yield
    agent.use_system_hint(None)


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(data))
    monkeypatch.delenv("AGENT_ASSISTANT_POLICY", raising=False)
    machine = tmp_path / "machine-policy"
    monkeypatch.setattr("assistant.policy.system_policy_paths", lambda: [machine / "system" / "policy.json"])
    monkeypatch.setattr("assistant.policy.executable_dir", lambda: machine / "beside-executable")
    monkeypatch.setenv("LANGUAGE", "en")
    from assistant import i18n

    i18n.set_language("en")
    return data


@pytest.fixture
def machine_policy(fresh_data_dir, tmp_path):
    """Write this test's machine policy files: ``write("system", {...})`` for the system-wide
    file, ``write("beside", {...})`` for the one beside the executable; returns the path."""
    import json

    folders = {"system": tmp_path / "machine-policy" / "system",
               "beside": tmp_path / "machine-policy" / "beside-executable"}

    def write(where: str, content) -> Path:
        path = folders[where] / "policy.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path

    return write


@pytest.fixture
def runtime(fresh_data_dir):
    from assistant.runtime import start

    rt = start()
    yield rt
    rt.close()


@pytest.fixture
def db(runtime):
    return runtime.db


@pytest.fixture
def checkpoints(runtime, monkeypatch):
    """Each checkpoint run through ``assistant.storage.database.checkpoint``, as the size of the
    database file when it started (``.sizes``); ``.before``: its size with the log emptied,
    before the test's writes; ``.path``: the file; ``.steps``: "checkpoint" and "memory
    released" (``assistant.memory.release_free_memory``) in the order they ran."""
    from types import SimpleNamespace

    from assistant import memory
    from assistant.storage import database

    path = runtime.data_dir.database
    runtime.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seen = SimpleNamespace(path=path, before=path.stat().st_size, sizes=[], steps=[])

    def checkpoint(at):
        seen.steps.append("checkpoint")
        seen.sizes.append(path.stat().st_size)
        return real(at)

    def release():
        seen.steps.append("memory released")
        return real_release()

    real, real_release = database.checkpoint, memory.release_free_memory
    monkeypatch.setattr(database, "checkpoint", checkpoint)
    monkeypatch.setattr(memory, "release_free_memory", release)
    return seen


@pytest.fixture
def services(qapp, runtime):
    from ui.context import CustomerContextHolder
    from ui.services import AppServices

    svc = AppServices(runtime, CustomerContextHolder())
    yield svc
    svc.hall.stop()
    svc.pool.waitForDone(10000)
    qapp.processEvents()  # deliver finished workers' results while the database is still open
    # pytest-qt has closed and deleteLater()'d the test's widgets: delete them now, with their
    # timers, so none fires after the database below is closed
    from PySide6.QtCore import QEvent

    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def with_models(fresh_data_dir):
    """The committed test models (en<->es) installed in the test's data directory."""
    from assistant.translation import packages

    for path in sorted((REPO / "resources" / "models").glob("*.argosmodel")):
        packages.install_archive(fresh_data_dir / "models", path)


@pytest.fixture
def main_window(qtbot, services):
    from ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window._quitting = True  # closing in teardown must not hide to the tray
    return window


@pytest.fixture
def extra_migration(monkeypatch):
    """A newer app version: one more migration set than databases written so far have seen."""
    from sqlite_utils.migrations import Migrations

    from assistant.storage import schema

    extra = Migrations("test-extra")

    @extra()
    def m001_notes(db):
        db["notes"].create({"id": int, "text": str}, pk="id")

    real = schema.migration_sets
    monkeypatch.setattr(schema, "migration_sets", lambda: [*real(), extra])  # known_migrations follows
    return extra


@pytest.fixture
def newer_database():
    """Writes a database as a newer version of the app leaves it (a migration this version
    does not know) at the given path; returns the path."""
    def write(path: Path) -> Path:
        import sqlite3

        from assistant.storage.database import open_database

        path.parent.mkdir(parents=True, exist_ok=True)
        open_database(path).close()
        conn = sqlite3.connect(path)
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('tasks', 'm999_from_the_future', 'x')")
        conn.commit()
        conn.close()
        return path

    return write


@pytest.fixture
def hand_edit_setting():
    """Store a setting as a hand edit (IT's script, an older version) would: past the
    registry's checks. ``raw``: the stored text as is, not JSON-encoded."""
    def store(db, key: str, value=None, raw: str | None = None) -> None:
        import json

        with db.atomic():
            db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                       [key, raw if raw is not None else json.dumps(value)])

    return store


@pytest.fixture
def run_cli(capsys):
    """Run the headless CLI in-process: returns (exit code, stdout, stderr)."""
    from assistant.cli import main

    def run(*argv: str):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def press_shortcut(qtbot):
    """Press a key chord as the window system would deliver it, so QAction shortcuts fire
    (QTest key events sent to a widget bypass the shortcut map)."""
    from PySide6.QtCore import Qt

    def press(window, key, modifiers=Qt.KeyboardModifier.NoModifier):
        window.show()
        window.activateWindow()
        qtbot.waitActive(window)
        qtbot.keyClick(window.windowHandle(), key, modifiers)

    return press


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for statement in sys.argv[2:]:
    conn.execute(statement).fetchall()
print("held", flush=True)
sys.stdin.read()  # holds the lock until the test closes our stdin
"""


@pytest.fixture
def lock_from_another_process():
    """``hold(path, *statements)``: a second process (a database browser, a backup agent)
    runs the statements on the database and keeps the lock they take until ``release()`` or
    the end of the test."""
    import subprocess
    import sys

    held = []

    def hold(path: Path, *statements: str):
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), *statements], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        held.append(proc)
        line = proc.stdout.readline()
        assert line.strip() == "held", proc.stderr.read()

        def release():
            if not proc.stdin.closed:
                proc.stdin.close()
                proc.wait(10)
                proc.stdout.close()
                proc.stderr.close()
        proc.release = release
        return proc

    yield hold
    for proc in held:
        proc.release()


@pytest.fixture
def short_busy_timeout(monkeypatch) -> float:
    """Locks are waited for half a second instead of the app's 10 s."""
    from assistant.storage import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.5)
    return 0.5


@pytest.fixture
def small_filesystem(tmp_path):
    """A real 2 MB filesystem (tmpfs) the test can fill, where it may mount one (root on
    Linux); the test is skipped elsewhere. Unmounted at the end."""
    import subprocess
    import sys

    import shutil

    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small filesystem needs root on Linux and the mount command")
    mount = tmp_path / "small-fs"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.fixture
def fill_up():
    """``fill_up(folder)``: write a file in the folder until its filesystem is full."""
    import errno

    def fill(folder: Path) -> Path:
        filler = folder / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            for block in (1 << 16, 4096, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        return filler

    return fill


@pytest.fixture
def digest():
    """``digest(path)``: SHA-256 of a file's bytes, to show it is unchanged."""
    import hashlib

    return lambda path: hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def show_view(qtbot):
    """``show_view(queue_panel, "upcoming")``: switch the Queue's view and wait until its
    rows are shown (the view is read on the panel's worker)."""
    def show(panel, name: str) -> None:
        panel.set_view(name)
        qtbot.waitUntil(lambda: not panel.reading)
    return show


@pytest.fixture
def sqlite_steps():
    """``steps(db, fn)``: ``fn()``'s result and how many of SQLite's virtual-machine steps it
    took on ``db``. Work that grows with a table's rows shows as steps, whatever the
    machine's speed: what a test holds a query to, instead of a time."""
    def steps(db, fn):
        counted = [0]

        def tick() -> int:
            counted[0] += 1
            return 0
        db.conn.set_progress_handler(tick, 1)
        try:
            return fn(), counted[0]
        finally:
            db.conn.set_progress_handler(None, 1)
    return steps
