"""An invalid deployment policy: the agent is told without being blocked, IT finds it in the log."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox

from ui import app as app_module


def test_invalid_policy_is_notified_and_logged(qapp, fresh_data_dir, tmp_path, monkeypatch, caplog):
    policy = tmp_path / "policy.json"
    policy.write_text('{"allow_downloads": "yes"}', encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(policy))
    from ui.main_window import MainWindow

    notes = []
    monkeypatch.setattr(MainWindow, "notify", lambda self, title, message: notes.append(message))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    with caplog.at_level(logging.WARNING, logger="ui.app"):
        assert app_module.run(qapp, app_module.parse_args(["--quit-after", "300"])) == 0
    assert any("safest settings apply" in note and "Settings" in note for note in notes)
    assert "'allow_downloads' must be true or false" in caplog.text


def test_valid_policy_says_nothing(qapp, fresh_data_dir, tmp_path, monkeypatch):
    policy = tmp_path / "policy.json"
    policy.write_text('{"allow_downloads": false}', encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(policy))
    from ui.main_window import MainWindow

    notes = []
    monkeypatch.setattr(MainWindow, "notify", lambda self, title, message: notes.append(message))
    assert app_module.run(qapp, app_module.parse_args(["--quit-after", "300"])) == 0
    assert not any("policy" in note for note in notes)
