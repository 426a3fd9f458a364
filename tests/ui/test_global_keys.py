"""What the global shortcuts do in the app, on any platform: a recording backend stands in for
the platform's hotkey API (the real X11 one is driven by xdotool in test_global_keys_x11.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from assistant import settings
from assistant.customer.context import CustomerContext
from assistant.integration.shortcuts import reported
from assistant.templates import store

MODELS = Path(__file__).resolve().parents[2] / "resources" / "models"


@pytest.fixture
def backend(qapp):
    from ui.hotkeys import HotkeyBackend

    class Recording(HotkeyBackend):
        name = "recording"
        can_paste = True

        def __init__(self):
            super().__init__()
            self.taken = set()
            self.bound = {}
            self.pasted = []

        def register(self, bindings):
            self.bound = dict(bindings)
            return {action: "taken by another application" if chord in self.taken else None
                    for action, chord in bindings.items()}

        def unregister_all(self):
            self.bound = {}

        def focused_window(self):
            return "the CRM"

        def paste_into(self, window):
            self.pasted.append(window)

    return Recording()


@pytest.fixture
def keys(main_window, services, backend):
    from ui.global_keys import GlobalKeys

    keys = GlobalKeys(main_window, services, backend)
    main_window.global_keys = keys
    keys.start()
    yield keys
    keys.stop()


def test_every_chord_is_registered_and_reported_and_follows_the_settings(keys, backend, services):
    assert set(backend.bound) == {"show_hide", "translate_clipboard", "translate_reply", "reply_search"}
    assert backend.bound["reply_search"] == (frozenset({"Ctrl", "Alt", "Shift"}), "R")
    status = {r["action"]: r for r in reported(services.runtime.data_dir.path)}
    assert status["reply_search"] == {"action": "reply_search", "chord": "Ctrl+Alt+Shift+R", "registered": True,
                                      "running": True, "backend": "recording"}
    services.put_setting("shortcuts.reply_search", "Ctrl+Shift+F9")  # re-registered at once
    assert backend.bound["reply_search"] == (frozenset({"Ctrl", "Shift"}), "F9")
    services.put_setting("shortcuts.translate_reply", "")
    assert "translate_reply" not in backend.bound
    assert {r["action"]: r.get("error") for r in reported(services.runtime.data_dir.path)}["translate_reply"] == "off"
    services.put_setting("shortcuts.enabled", False)
    assert backend.bound == {}
    assert not any(r["registered"] for r in reported(services.runtime.data_dir.path))
    assert keys.note == "off: global shortcuts are turned off in the settings"


def test_a_taken_chord_is_reported_as_taken(main_window, services, backend):
    from ui.global_keys import GlobalKeys

    backend.taken = {(frozenset({"Ctrl", "Alt", "Shift"}), "E")}
    keys = GlobalKeys(main_window, services, backend)
    keys.start()
    try:
        status = {r["action"]: r for r in reported(services.runtime.data_dir.path)}
        assert status["translate_clipboard"]["registered"] is False
        assert status["translate_clipboard"]["error"] == "taken by another application"
        assert status["show_hide"]["registered"] is True
    finally:
        keys.stop()
    assert not reported(services.runtime.data_dir.path)[0]["running"]  # quitting clears the status


def test_the_policy_switches_global_shortcuts_off(main_window, services, backend):
    from ui.global_keys import GlobalKeys

    services.runtime.policy = services.runtime.policy._replace(allow_global_shortcuts=False)
    keys = GlobalKeys(main_window, services, backend)
    keys.start()
    try:
        assert backend.bound == {}
        assert keys.note == "off: the deployment policy does not allow global shortcuts"
        assert [e["registered"] for e in keys.entries] == [False] * 4
    finally:
        keys.stop()


def test_show_hide_from_another_application(keys, backend, main_window, qtbot):
    main_window.show()
    backend.activated.emit("show_hide")
    assert not main_window.isVisible()
    backend.activated.emit("show_hide")
    assert main_window.isVisible()


@pytest.fixture
def with_models(fresh_data_dir):
    from assistant.translation import packages

    for path in sorted(MODELS.glob("*.argosmodel")):
        packages.install_archive(fresh_data_dir / "models", path)


def ready_translate(main_window, qtbot):
    panel = main_window.panel_by_id("translate")
    if panel.ready is None:
        with qtbot.waitSignal(panel.engine_ready, timeout=30000):
            pass
    return panel


def test_translate_clipboard_shows_the_translation_without_taking_focus(keys, backend, main_window, qtbot,
                                                                        with_models):
    panel = ready_translate(main_window, qtbot)
    main_window.hide()
    QGuiApplication.clipboard().setText("Quiero cancelar mi pedido.")
    with qtbot.waitSignal(panel.translated, timeout=10000):
        backend.activated.emit("translate_clipboard")
    assert main_window.isVisible() and main_window.current_panel_id() == "translate"
    assert panel.incoming.output.toPlainText() == "I want to cancel my order."


@pytest.mark.parametrize("paste_back", [True, False])
def test_translate_reply_copies_the_customers_language_and_pastes_when_enabled(keys, backend, services, main_window,
                                                                               qtbot, with_models, paste_back):
    services.put_setting("shortcuts.paste_back", paste_back)
    services.customer.set(CustomerContext(name="Ana", country="ES", language="es"))
    panel = ready_translate(main_window, qtbot)
    QGuiApplication.clipboard().setText("Your refund has been processed.")
    backend.activated.emit("translate_reply")
    expected = "Su reembolso ha sido procesado."
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == expected, timeout=10000)
    assert panel.outgoing.output.toPlainText() == expected
    qtbot.wait(50)
    assert backend.pasted == (["the CRM"] if paste_back else [])


def test_the_policy_forbids_paste_back_whatever_the_setting(keys, backend, services):
    services.put_setting("shortcuts.paste_back", True)
    assert keys.paste_enabled()
    services.runtime.policy = services.runtime.policy._replace(allow_synthetic_paste=False)
    assert not keys.paste_enabled()
    keys.deliver("Hola", "the CRM", "Reply")
    assert QGuiApplication.clipboard().text() == "Hola" and backend.pasted == []


def test_translate_reply_with_nothing_to_translate_says_so(keys, backend, main_window, monkeypatch):
    QGuiApplication.clipboard().setText("   ")
    told = []
    monkeypatch.setattr(main_window.services, "notify", lambda title, text: told.append(text))
    backend.activated.emit("translate_reply")
    assert told == ["Select or copy your reply first: there is no text."]


def popup_of(keys, qtbot):
    """The popup once shown and its index ready (built on the worker pool)."""
    qtbot.waitUntil(lambda: keys._popup is not None and keys._popup.isVisible() and keys._popup.index is not None)
    return keys._popup


def test_reply_search_fills_the_reply_for_the_customer_and_pastes_it_back(keys, backend, services, qtbot):
    store.save_personal(services.db, store.Template.from_dict({
        "id": "my.zebra", "default_language": "en",
        "variants": {"en": {"title": "Zebra crossing", "body": "Hello {{customer_first_name}}, {{agent_name}} here."},
                     "es": {"title": "Paso de cebra", "body": "Hola {{customer_first_name}}, soy {{agent_name}}."}}}))
    services.put_settings({"shortcuts.paste_back": True, "profile.agent_name": "Maya"})
    services.customer.set(CustomerContext(name="Lucía Pérez", country="ES", language="es"))
    backend.activated.emit("reply_search")
    popup = popup_of(keys, qtbot)
    qtbot.keyClicks(popup.search, "cebra")
    assert popup.results.currentItem().text() == "Paso de cebra"  # titled in the customer's language
    assert "Lucía Pérez" in popup.hint.text()
    assert popup.preview.text() == "Hola Lucía, soy Maya."  # what will be pasted, before Enter
    qtbot.keyClick(popup.search, Qt.Key_Return)
    assert QGuiApplication.clipboard().text() == "Hola Lucía, soy Maya."
    assert backend.pasted == ["the CRM"]
    assert not popup.isVisible()
    assert store.usage(services.db)["my.zebra"].count == 1


def test_a_reply_with_fields_to_fill_opens_in_the_replies_panel(keys, backend, services, main_window, qtbot):
    store.save_personal(services.db, store.Template.from_dict({
        "id": "my.order", "default_language": "en",
        "variants": {"en": {"title": "Order shipped", "body": "Your order {{order_id}} has shipped."}}}))
    QGuiApplication.clipboard().setText("unchanged")
    backend.activated.emit("reply_search")
    popup = popup_of(keys, qtbot)
    qtbot.keyClicks(popup.search, "order shipped")
    qtbot.keyClick(popup.search, Qt.Key_Return)
    assert main_window.current_panel_id() == "replies"
    qtbot.waitUntil(lambda: main_window.panel_by_id("replies").current_id == "my.order")
    assert QGuiApplication.clipboard().text() == "unchanged" and backend.pasted == []


def test_escape_closes_the_popup_and_nothing_is_copied(keys, backend, qtbot):
    QGuiApplication.clipboard().setText("unchanged")
    backend.activated.emit("reply_search")
    popup = popup_of(keys, qtbot)
    qtbot.keyClick(popup.search, Qt.Key_Escape)
    qtbot.waitUntil(lambda: keys._popup is None)
    assert QGuiApplication.clipboard().text() == "unchanged" and backend.pasted == []


def test_the_settings_show_each_registration_and_record_new_chords(keys, backend, services, main_window, qtbot):
    from ui.settings_dialog import SettingsDialog

    backend.taken = {(frozenset({"Ctrl", "Alt", "Shift"}), "E")}
    keys.register()
    dialog = SettingsDialog(services, main_window)
    qtbot.addWidget(dialog)
    group = dialog.shortcuts
    assert group.states["show_hide"].text() == "Registered"
    assert group.states["translate_clipboard"].text() == "Not registered: taken by another application"
    assert group.chords["reply_search"].keySequence().toString() == "Ctrl+Alt+Shift+R"
    group.chords["translate_clipboard"].setKeySequence("Ctrl+Alt+.")
    dialog.save()
    assert settings.get(services.db, "shortcuts.translate_clipboard") == "Ctrl+Alt+Period"
    assert group.states["translate_clipboard"].text() == "Registered"  # re-registered, shown at once


def test_the_settings_show_what_the_policy_forbids(services, main_window, qtbot):
    from ui.settings_dialog import SettingsDialog

    services.runtime.policy = services.runtime.policy._replace(allow_global_shortcuts=True,
                                                               allow_synthetic_paste=False)
    services.put_setting("shortcuts.paste_back", True)
    dialog = SettingsDialog(services, main_window)
    qtbot.addWidget(dialog)
    assert not dialog.shortcuts.paste_back.isEnabled() and not dialog.shortcuts.paste_back.isChecked()
    assert "shortcuts.paste_back" not in dialog.values()  # the agent's own choice is kept for later
    services.runtime.policy = services.runtime.policy._replace(allow_global_shortcuts=False)
    dialog = SettingsDialog(services, main_window)
    qtbot.addWidget(dialog)
    assert not dialog.shortcuts.enabled.isEnabled() and not dialog.shortcuts.chords["show_hide"].isEnabled()


def test_a_chord_pressed_in_the_app_itself_pastes_nothing_into_it(keys, backend, services, main_window):
    services.put_setting("shortcuts.paste_back", True)
    main_window.show()
    keys.deliver("Hola", int(main_window.winId()), "Reply")
    assert QGuiApplication.clipboard().text() == "Hola" and backend.pasted == []
    keys.deliver("Hola", "the CRM", "Reply")
    assert backend.pasted == ["the CRM"]


def test_translate_reply_without_a_model_for_the_customer_says_why_and_pastes_nothing(
        keys, backend, services, main_window, qtbot, with_models, monkeypatch):
    services.put_setting("shortcuts.paste_back", True)
    services.customer.set(CustomerContext(name="Jo", country="BR", language="pt_BR"))
    ready_translate(main_window, qtbot)
    main_window.hide()
    told = []
    monkeypatch.setattr(main_window.services, "notify", lambda title, text: told.append(text))
    QGuiApplication.clipboard().setText("Thank you.")
    backend.activated.emit("translate_reply")
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert "No translation model for en→pt" in told[0]
    assert main_window.isVisible() and main_window.current_panel_id() == "translate"
    assert QGuiApplication.clipboard().text() == "Thank you." and backend.pasted == []


def test_the_popup_searches_the_replies_panels_own_index_when_it_has_one(keys, backend, services, main_window,
                                                                        qtbot):
    replies = main_window.panel_by_id("replies")
    replies.reload()
    qtbot.waitUntil(lambda: replies.index is not None)
    store.save_personal(services.db, store.Template.from_dict({
        "id": "my.late", "default_language": "en",
        "variants": {"en": {"title": "Late delivery", "body": "Sorry for the wait."}}}))
    services.hall.library_changed.emit(["my.late"])  # as every writer announces it
    qtbot.waitUntil(lambda: "my.late" in replies.entries)
    backend.activated.emit("reply_search")
    popup = popup_of(keys, qtbot)
    assert popup.index is replies.index  # no second index built for a library already indexed
    qtbot.keyClicks(popup.search, "late delivery")
    assert popup.results.currentItem().data(Qt.UserRole) == "my.late"


def test_enter_typed_before_the_library_is_ready_takes_the_reply_once_it_is(keys, backend, services, main_window,
                                                                           qtbot):
    store.save_personal(services.db, store.Template.from_dict({
        "id": "my.zebra", "default_language": "en",
        "variants": {"en": {"title": "Zebra crossing", "body": "Mind the zebra."}}}))
    services.put_setting("shortcuts.paste_back", True)
    backend.activated.emit("reply_search")
    popup = keys._popup
    assert popup.index is None  # the Replies panel's index is being built on the pool
    qtbot.keyClicks(popup.search, "zebra")
    qtbot.keyClick(popup.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: backend.pasted == ["the CRM"], timeout=10000)
    assert QGuiApplication.clipboard().text() == "Mind the zebra."
