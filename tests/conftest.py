"""Suite-wide rules: offscreen Qt, a fresh data folder and no policy file per test,
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
def fresh_data_dir(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(data))
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(tmp_path / "no-policy.json"))
    monkeypatch.setenv("LANGUAGE", "en")
    from assistant import i18n

    i18n.set_language("en")
    return data


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
def main_window(qtbot, services):
    from ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window._quitting = True  # closing in teardown must not hide to the tray
    return window


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
