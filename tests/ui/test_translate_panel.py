"""The Translate panel on the committed test models (sockets blocked by the suite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from assistant.customer import CustomerContext

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "resources" / "models"


def make_panel(qtbot, services):
    from ui.panels.translate import TranslatePanel

    panel = TranslatePanel(services)
    qtbot.addWidget(panel)
    return panel


def wait_ready(qtbot, panel):
    if panel.ready is None:
        with qtbot.waitSignal(panel.engine_ready, timeout=30000):
            pass
    return panel.ready


def test_constructor_is_cheap_and_engine_loads_after(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    assert panel.ready is None  # nothing loaded in the constructor
    assert panel.status.text() == "Loading translation models…"
    ready = wait_ready(qtbot, panel)
    assert ready.pairs == (("en", "es"), ("es", "en"))
    assert panel.status.text() == "Offline models: en→es, es→en"
    assert not panel.empty_state.isVisible()


def test_no_model_state_says_what_to_install_and_how(qtbot, services):
    panel = make_panel(qtbot, services)
    panel.show()
    wait_ready(qtbot, panel)
    assert panel.empty_state.isVisible() and panel.install_button.isVisible()
    assert "No translation model is installed" in panel.empty_state.text()
    assert "Install model…" in panel.empty_state.text()
    assert "assistant " not in panel.empty_state.text()  # an agent is never sent to a command line
    assert panel.empty_state.textFormat() == panel.empty_state.textFormat().PlainText
    assert not panel.incoming.isEnabled()


def test_incoming_is_detected_and_translated_to_my_language(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    with qtbot.waitSignal(panel.translated, timeout=10000) as signal:
        panel.incoming.input.setPlainText("Mi pedido no ha llegado.")
        panel.request(panel.incoming)
    assert signal.args[0] == "incoming"
    assert panel.incoming.output.toPlainText() == "My order has not arrived."
    assert panel.incoming.language_label.text() == "Detected: Spanish"
    assert panel.last_incoming == "es"
    panel.incoming.copy_button.click()
    assert QGuiApplication.clipboard().text() == "My order has not arrived."


def test_one_click_override_of_the_detected_language(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    panel.incoming.input.setPlainText("Gracias.")
    combo = panel.incoming.override
    with qtbot.waitSignal(panel.translated, timeout=10000):
        combo.setCurrentIndex(combo.findData("es"))
        combo.activated.emit(combo.currentIndex())
    assert panel.incoming.output.toPlainText() == "Thank you."
    assert panel.incoming.language_label.text() == "From Spanish (chosen)"


def test_outgoing_targets_the_customers_language_with_glossary(qtbot, services, with_models):
    from assistant.translation import glossary

    with services.db.atomic():
        glossary.add_terms(services.db, ["Acme Cloud"], "user")
    services.customer.set(CustomerContext(name="Ana", country="ES", language="es"))
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    assert panel.outgoing.language_label.text() == "To Spanish"
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.outgoing.input.setPlainText("Thank you for choosing Acme Cloud. Your order {{order_id}} has been shipped.")
        panel.request(panel.outgoing)
    assert panel.outgoing.output.toPlainText() == "Gracias por elegir Acme Cloud. Su pedido {{order_id}} ha sido enviado."


def test_missing_pair_for_the_customer_says_what_to_install(qtbot, services, with_models):
    services.customer.set(CustomerContext(name="Jo", country="BR", language="pt_BR"))
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    panel.outgoing.input.setPlainText("Thank you.")
    panel.request(panel.outgoing)
    qtbot.waitUntil(lambda: "No translation model for en→pt" in panel.outgoing.note.text(), timeout=10000)
    assert panel.outgoing.output.toPlainText() == ""
    assert not panel.outgoing.copy_button.isEnabled()


def test_translate_clipboard_command(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    commands = {c.title: c for c in panel.commands()}
    QGuiApplication.clipboard().setText("Quiero cancelar mi pedido.")
    with qtbot.waitSignal(panel.translated, timeout=10000):
        commands["Translate clipboard"].callback()
    assert panel.incoming.output.toPlainText() == "I want to cancel my order."


def test_history_is_off_by_default_and_kept_when_enabled(qtbot, services, with_models):
    from assistant.translation import history

    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.incoming.input.setPlainText("Gracias.")
        panel.request(panel.incoming)
    assert history.entries(services.db) == []
    panel.set_history(True)
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.incoming.input.setPlainText("Buenos días.")
        panel.request(panel.incoming)
    assert [e["translated_text"] for e in history.entries(services.db)] == ["Good morning."]


def test_install_from_a_folder_reloads_the_engine(qtbot, services, tmp_path):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    assert panel.ready.pairs == ()
    with qtbot.waitSignal(panel.engine_ready, timeout=30000):
        panel.install_path(MODELS)
    assert panel.ready.pairs == (("en", "es"), ("es", "en"))
    assert not panel.empty_state.isVisible()


def test_panel_in_the_main_window(main_window, qtbot):
    panel = next(p for p in main_window.panels if p.panel_id == "translate")
    assert any(c.title == "Translate clipboard" for c in main_window.commands())
    wait_ready(qtbot, panel)


def test_short_text_keeps_the_conversation_language_and_shows_the_guess(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.incoming.input.setPlainText("Mi pedido no ha llegado.")
        panel.request(panel.incoming)
    assert panel.last_incoming == "es"
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.incoming.input.setPlainText("Thank you.")  # short: only a suggestion
        panel.request(panel.incoming)
    assert not panel.detection.reliable
    assert panel.detection.language == "es"
    assert panel.incoming.language_label.text() == "Spanish (kept) · guess: English"
    assert panel.last_incoming == "es"


def test_pivot_through_english_is_shown(qtbot, services, with_models, fresh_data_dir, tmp_path):
    """A "pt→en" package (the es→en test model relabelled) and en→es: pt→es goes via English."""
    import json
    import zipfile

    from assistant.translation import packages

    relabelled = tmp_path / "pt_en.argosmodel"
    with zipfile.ZipFile(MODELS / "translate-es_en-test.argosmodel") as src, zipfile.ZipFile(relabelled, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("metadata.json"):
                data = json.dumps({**json.loads(data), "from_code": "pt", "from_name": "Portuguese"}).encode()
            dst.writestr(item, data)
    packages.install_archive(fresh_data_dir / "models", relabelled)
    from assistant import settings

    settings.put(services.db, "translation.my_language", "es")  # the agent reads Spanish
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    combo = panel.incoming.override
    panel.incoming.input.setPlainText("Mi pedido no ha llegado.")
    with qtbot.waitSignal(panel.translated, timeout=10000) as signal:
        combo.setCurrentIndex(combo.findData("pt"))
        combo.activated.emit(combo.currentIndex())
    assert signal.args[1].route == (("pt", "en"), ("en", "es"))
    assert panel.incoming.note.text() == "via English"
    assert panel.incoming.output.toPlainText() == "Mi pedido no ha llegado."


def test_models_menu_follows_the_policy(qtbot, services, with_models):
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    panel._fill_menu()
    titles = [a.text() for a in panel.menu.actions()]
    assert "Install model…" in titles and "Download a model…" not in titles  # downloads off by default
    assert "Install from the shared models folder" not in titles
    keep = next(a for a in panel.menu.actions() if a.text() == "Keep translation history")
    assert keep.isEnabled() and not keep.isChecked()

    services.runtime.policy = services.runtime.policy._replace(allow_downloads=True, shared_models_dir="/srv/models",
                                                               allow_translation_history=False)
    panel._fill_menu()
    titles = [a.text() for a in panel.menu.actions()]
    assert "Download a model…" in titles and "Install from the shared models folder" in titles
    keep = next(a for a in panel.menu.actions() if a.text() == "Keep translation history")
    assert not keep.isEnabled()
    remove = next(a for a in panel.menu.actions() if a.text() == "Remove model").menu()
    assert [a.text() for a in remove.actions()] == ["en→es", "es→en"]


def test_my_language_can_be_chosen(qtbot, services, with_models):
    from assistant import settings

    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    assert panel.my_language == "en"
    panel._fill_menu()
    mine = next(a for a in panel.menu.actions() if a.text() == "My language").menu()
    assert [(a.text(), a.isChecked()) for a in mine.actions()] == [("English", True), ("Spanish", False)]
    panel.outgoing.input.setPlainText("Gracias.")
    services.customer.set(CustomerContext(language="en"))
    with qtbot.waitSignal(panel.translated, timeout=10000):
        mine.actions()[1].trigger()  # the agent reads Spanish: "me → customer" is now es → en
    assert settings.get(services.db, "translation.my_language") == "es"
    assert panel.outgoing.output.toPlainText() == "Thank you."


def test_the_download_list_is_read_off_the_gui_thread(qtbot, services, monkeypatch):
    import threading

    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from assistant.translation import download

    services.runtime.policy = services.runtime.policy._replace(allow_downloads=True)
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    gui_thread = threading.get_ident()
    read_on, offered = [], []
    package = download.AvailablePackage("en", "de", "English", "German", "1.9", ("https://example.invalid/x",))

    def fetch(policy):
        read_on.append(threading.get_ident())
        return [package]

    monkeypatch.setattr(download, "fetch_index", fetch)
    monkeypatch.setattr(QInputDialog, "getItem",
                        lambda parent, title, label, items, *rest: offered.append(list(items)) or ("", False))
    panel.download_model()
    assert panel.status.text() == "Reading the list of models…"
    qtbot.waitUntil(lambda: bool(offered), timeout=5000)
    assert read_on and read_on[0] != gui_thread
    assert offered == [["English → German (v1.9)"]]
    assert panel.status.text() == "No translation model installed"

    warnings = []
    monkeypatch.setattr(download, "fetch_index",
                        lambda policy: (_ for _ in ()).throw(download.DownloadError("mirror unreachable")))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: warnings.append((box.textFormat(), box.text())))
    panel.download_model()
    qtbot.waitUntil(lambda: bool(warnings), timeout=5000)
    assert warnings == [(Qt.PlainText, "mirror unreachable")]


def test_the_teams_preferred_words_are_shown_next_to_a_reply(qtbot, services, with_models):
    from assistant.packs.install import store_glossary

    with services.db.atomic():
        store_glossary(services.db, "team", [{"term": "patience", "translations": {"es": "paciencia", "fr": "patience"}}])
    services.customer.set(CustomerContext(name="Ana", country="ES", language="es"))
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.outgoing.input.setPlainText("Thank you for your patience.")
        panel.request(panel.outgoing)
    assert panel.outgoing.output.toPlainText() == "Gracias por su paciencia."  # a hint, never substituted
    assert panel.outgoing.note.text() == "Team terms: patience → paciencia"


def test_the_glossary_and_the_teams_words_are_read_off_the_gui_thread(qtbot, services, with_models, monkeypatch):
    """At six packs' 30,000 terms the read took 26 ms and the hints 1.07 s on the GUI thread."""
    import threading

    from assistant.packs import terms
    from assistant.packs.install import store_glossary
    from assistant.translation import glossary

    with services.db.atomic():
        store_glossary(services.db, "team", [{"term": "patience", "translations": {"es": "paciencia"}}])
        glossary.add_terms(services.db, ["Acme Cloud"], "user")
    on_gui = []
    for name in ("all_terms", "team_rows", "hints"):
        real = getattr(terms, name)
        monkeypatch.setattr(terms, name, lambda *args, real=real, name=name: (
            on_gui.append((name, threading.current_thread() is threading.main_thread())), real(*args))[1])
    services.customer.set(CustomerContext(name="Ana", country="ES", language="es"))
    panel = make_panel(qtbot, services)
    wait_ready(qtbot, panel)
    with qtbot.waitSignal(panel.translated, timeout=10000):
        panel.outgoing.input.setPlainText("Thank you for choosing Acme Cloud and for your patience.")
        panel.request(panel.outgoing)
    assert panel.outgoing.note.text().endswith("Team terms: patience → paciencia")
    assert "Acme Cloud" in panel.outgoing.output.toPlainText()  # protected: the glossary was read
    assert sorted(on_gui) == [("all_terms", False), ("hints", False), ("team_rows", False)]
