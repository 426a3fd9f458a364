"""The packs window under IT's trust pin (``trust_only_policy_keys``): it refuses to add a
key with a message naming the policy, and lists the agent's earlier keys as inactive."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from assistant.packs import signing, trust
from assistant.policy import load_policy

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
SHOTS = Path(os.environ.get("PACK_SCREENSHOTS", "/tmp/packs-screens"))


@pytest.fixture
def keys(tmp_path):
    return (signing.generate_keypair(tmp_path / "agent.key", tmp_path / "agent.pub", None, comment="earlier lead"),
            signing.generate_keypair(tmp_path / "it.key", tmp_path / "it.pub", None, comment="IT"))


@pytest.fixture
def pinned_services(services, machine_policy, keys):
    agent_key, it_key = keys
    trust.add_key(services.db, agent_key.public_path.read_text(), "earlier lead", now=NOW)
    path = machine_policy("system", {"trust_only_policy_keys": True,
                                     "trusted_publisher_keys": [it_key.info.public_key]})
    services.runtime.policy = load_policy()
    return services, path


@pytest.fixture
def shown(monkeypatch):
    messages = []

    def exec_(box):
        assert box.textFormat() == Qt.PlainText
        messages.append(box.text())
        return QMessageBox.Ok

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return messages


def _dialog(qtbot, services):
    from ui.packs_dialog import PacksDialog

    dialog = PacksDialog(services, now=lambda: NOW)
    qtbot.addWidget(dialog)
    return dialog


def test_adding_a_key_is_refused_naming_the_policy(qtbot, pinned_services, keys, shown, monkeypatch):
    services, path = pinned_services
    dialog = _dialog(qtbot, services)
    monkeypatch.setattr(dialog, "confirm_fingerprint", lambda info: pytest.fail("no key may be confirmed"))
    other = signing.generate_keypair(path.parent / "new.key", path.parent / "new.pub", None)
    assert dialog.trust_key_text(other.public_path.read_text()) is False
    assert len(shown) == 1 and str(path) in shown[0]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: pytest.fail("no file is asked for"))
    dialog.choose_key()
    assert len(shown) == 2 and str(path) in shown[1]
    assert [k.key_id for k in trust.agent_keys(services.db)] == [keys[0].info.key_id]


def test_earlier_keys_are_listed_as_inactive(qtbot, pinned_services, keys):
    services, path = pinned_services
    agent_key, it_key = keys
    dialog = _dialog(qtbot, services)
    dialog.tabs.setCurrentWidget(dialog.keys_page)
    rows = {dialog.key_list.topLevelItem(i).text(0): dialog.key_list.topLevelItem(i).text(2)
            for i in range(dialog.key_list.topLevelItemCount())}
    assert rows[it_key.info.key_id] == "deployment policy"
    assert rows[agent_key.info.key_id] == "you, 2026-11-20 (inactive)"
    assert not dialog.pin_label.isHidden() and str(path) in dialog.pin_label.text()
    dialog.tabs.setCurrentIndex(2)
    dialog.show()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "packs-keys-pinned.png"))


def test_without_the_pin_no_notice_is_shown(qtbot, services):
    dialog = _dialog(qtbot, services)
    assert dialog.pin_label.isHidden()
