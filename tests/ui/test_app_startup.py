import os
import subprocess
import sys
import time

from PySide6.QtWidgets import QMessageBox


from ui import app as app_module
from ui.single_instance import InstanceServer, server_name, signal_running_instance

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


def test_unusable_data_dir_shows_a_message_not_a_traceback(qapp, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    code = app_module.run(qapp, app_module.parse_args(["--data-dir", str(blocker / "data")]))
    assert code == 2
    assert shown and "not writable" in shown[0] and "Traceback" not in shown[0]


def test_corrupt_database_is_reported_after_the_window_shows(qapp, qtbot, fresh_data_dir, monkeypatch):
    fresh_data_dir.mkdir(parents=True)
    (fresh_data_dir / "assistant.db").write_bytes(b"garbage" * 500)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "300"]))
    assert code == 0
    assert warnings and "moved aside" in warnings[0]
    assert list(fresh_data_dir.glob("assistant.db.corrupt-*"))
