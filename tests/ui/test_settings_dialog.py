"""Settings: language, agent name and company saved; the policy in force shown read-only."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from assistant import settings
from assistant.templates.values import AGENT_NAME_KEY, COMPANY_KEY


def test_settings_save_language_name_and_company(qtbot, services):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.language.currentIndex() == 0  # system default until the agent picks one
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    assert "next time" in dialog.note.text()
    dialog.agent_name.setText("  Ana Souza ")
    dialog.company.setText("Acme Support")
    dialog.buttons.button(QDialogButtonBox.Save).click()
    assert settings.get(services.db, "ui.language") == "de"
    assert settings.get(services.db, AGENT_NAME_KEY) == "Ana Souza"
    assert settings.get(services.db, COMPANY_KEY) == "Acme Support"
    # reply templates fill {{agent_name}} and {{company}} from what was saved here
    from assistant.templates.values import Profile

    assert Profile.from_settings(services.db) == Profile("Ana Souza", "Acme Support")

    again = SettingsDialog(services)
    qtbot.addWidget(again)
    assert again.language.currentData() == "de"
    assert again.language.currentText() == "Deutsch"
    assert again.agent_name.text() == "Ana Souza"


def test_cancel_changes_nothing(qtbot, services):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    dialog.agent_name.setText("Someone")
    dialog.buttons.button(QDialogButtonBox.Cancel).click()
    assert settings.get(services.db, AGENT_NAME_KEY) == ""
    assert not settings.is_set(services.db, AGENT_NAME_KEY)


def test_policy_in_force_is_shown_with_its_errors(qtbot, tmp_path, monkeypatch, qapp):
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps({"allow_downloads": "yes", "pack_inbox": "/srv/inbox"}), encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(policy_file))
    from assistant.runtime import start
    from ui.context import CustomerContextHolder
    from ui.services import AppServices
    from ui.settings_dialog import SettingsDialog

    runtime = start()
    try:
        dialog = SettingsDialog(AppServices(runtime, CustomerContextHolder()))
        qtbot.addWidget(dialog)
        errors = dialog.findChild(QLabel, "policy-errors")
        assert errors is not None and "'allow_downloads' must be true or false" in errors.text()
        assert errors.textFormat() == Qt.PlainText
        assert dialog.policy_labels["Downloads allowed"].text() == "No"
        assert dialog.policy_labels["Signed packs required"].text() == "Yes"  # safest applies
        assert dialog.policy_labels["Data folder in use"].text() == str(runtime.data_dir.path)
    finally:
        runtime.close()


def test_settings_reachable_from_menu_and_palette(main_window, qapp):
    assert main_window.settings_action in main_window.main_menu.actions()
    assert main_window.settings_action.shortcut().toString() == "Ctrl+,"
    assert any(c.callback == main_window.show_settings for c in main_window.commands())
    main_window.services.pool.waitForDone(10_000)  # let start-up work report back before teardown
    qapp.processEvents()
