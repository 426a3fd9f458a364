"""Replies panel: search → fill → copy, with the clipboard asserted."""

from __future__ import annotations

import os
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from assistant.customer import CustomerContext
from assistant.templates import store

SHOTS = os.environ.get("REPLIES_SCREENSHOTS")  # a folder to save screenshots in, when set


@pytest.fixture
def panel(qtbot, services):
    from ui.panels.replies import RepliesPanel

    widget = RepliesPanel(services)
    qtbot.addWidget(widget)
    widget.resize(420, 720)
    widget.show()
    widget.activateWindow()
    qtbot.waitActive(widget)
    qtbot.waitUntil(lambda: widget.index is not None and widget.results.count() > 0)
    return widget


def current_id(panel):
    return panel.listed_id(panel.results.currentRow())


def reply_shown(qtbot, panel):
    """The reply once composed: a language's first use loads its dates' data on a thread first."""
    qtbot.waitUntil(lambda: panel.reply is not None)
    return panel.reply


def shot(widget, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def test_search_fill_and_copy_in_the_customers_language(qtbot, panel, services):
    services.customer.set(CustomerContext(name="Ana María López", country="ES",
                                          zone="Europe/Madrid", language="es"))
    QGuiApplication.clipboard().clear()
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "refund appr")
    assert current_id(panel) == "starter.refund.approved"
    assert reply_shown(qtbot, panel).language == "es"
    assert "{{amount}}" in panel.preview.toPlainText()  # unknown values stay visible
    assert panel.reply.result.unresolved_spans()
    shot(panel, "replies-search")

    # Enter with values missing goes to the first one instead of copying
    qtbot.keyClick(panel.search, Qt.Key_Return)
    amount = panel.field_widgets["amount"]
    assert amount.hasFocus()
    assert QGuiApplication.clipboard().text() == ""
    qtbot.keyClicks(amount, "25 EUR")
    qtbot.keyClick(amount, Qt.Key_Tab)  # Tab walks the form: refund_days, then order_id
    assert panel.field_widgets["refund_days"].hasFocus()
    qtbot.keyClick(panel.field_widgets["refund_days"], Qt.Key_Tab)
    order = panel.field_widgets["order_id"]
    assert order.hasFocus()
    qtbot.keyClicks(order, "A-1234")
    shot(panel, "replies-filled")
    qtbot.keyClick(order, Qt.Key_Return)

    text = QGuiApplication.clipboard().text()
    assert text.startswith("Buenas noticias: he aprobado un reembolso de 25 EUR para el pedido A-1234.")
    assert "{{" not in text
    assert panel.confirmation.text() == "Copied ✓"
    assert store.usage(services.db)["starter.refund.approved"].count == 1
    shot(panel, "replies-copied")


def test_section_checkbox_and_rich_text(qtbot, panel, services):
    panel.search.setText(";return")
    assert current_id(panel) == "starter.refund.return_steps"
    assert "Returns address" not in panel.preview.toPlainText()
    from PySide6.QtWidgets import QCheckBox

    [box] = panel.sections_box.findChildren(QCheckBox)
    box.setChecked(True)
    assert "Returns address:" in panel.preview.toPlainText()
    panel.rich_action.setChecked(True)
    panel.copy_reply(force=True)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasHtml() and "<br>" in mime.html()
    assert mime.text().startswith("Here's how to return your item")


def test_missing_language_falls_back_with_a_note(qtbot, panel, services):
    services.customer.set(CustomerContext(language="ja", zone="Asia/Tokyo"))
    panel.search.setText("anything else")
    assert current_id(panel) == "starter.closing.anything_else"
    assert reply_shown(qtbot, panel).language == "en" and panel.note.isVisible()
    assert "No ja version" in panel.note.text()
    assert not panel.draft_button.isVisible()  # no translation model installed


def test_a_languages_first_use_loads_its_dates_on_a_thread_then_shows_the_reply(qtbot, panel, services,
                                                                               monkeypatch):
    """Babel's data for a language is loaded at its first use (5-20 ms, 40 on a slow
    machine; issue 18): on a thread, never on the GUI thread; the reply follows."""
    import threading

    import babel.localedata

    from assistant.templates import values
    from ui.panels import replies

    services.customer.set(CustomerContext(name="Jean", country="FR", zone="Europe/Paris", language="fr"))
    panel.select_template("starter.greeting.welcome")  # {{salutation}}: in Spanish, with the first name
    reply_shown(qtbot, panel)
    monkeypatch.setattr(babel.localedata, "_cache", {})  # as in a new process: nothing loaded
    monkeypatch.setattr(values, "_LOADED", set())
    loads, real = [], babel.localedata.load
    monkeypatch.setattr(babel.localedata, "load", lambda name, *a, **k: (
        loads.append((name, threading.current_thread())), real(name, *a, **k))[1])
    loaders, real_loader = [], replies.load_reply_locale
    monkeypatch.setattr(replies, "load_reply_locale",
                        lambda *a: (loaders.append(threading.current_thread()), real_loader(*a))[1])
    services.customer.set(CustomerContext(name="Lucía", country="MX", zone="America/Mexico_City", language="es"))
    assert panel.reply is None  # not composed on the GUI thread
    reply = reply_shown(qtbot, panel)
    assert reply.language == "es" and "Lucía" in panel.preview.toPlainText()
    assert len(loaders) == 1 and loaders[0] is not threading.main_thread()
    assert all(thread is not threading.main_thread() for _name, thread in loads), loads  # Babel's, if any
    services.customer.set(CustomerContext(name="Marta", country="MX", zone="America/Mexico_City", language="es"))
    assert panel.reply is not None and "Marta" in panel.preview.toPlainText()  # loaded: at once
    copied = []
    monkeypatch.setattr("ui.clipboard.copy", lambda text, rich=None: copied.append(text))
    monkeypatch.setattr(values, "_LOADED", set())
    services.customer.set(CustomerContext(name="Pablo", country="MX", zone="America/Mexico_City", language="es"))
    assert panel.reply is None
    panel.copy_reply(force=True)  # before the reply is shown: copied for this customer all the same
    assert copied and "Pablo" in copied[0]


def test_the_next_customer_in_the_same_language_keeps_the_list_and_shows_their_reply(qtbot, panel, services):
    """Issue 18: the list was built again at every customer change (5 ms at 50,000
    templates, on the GUI thread); only the customer's language changes it (the titles
    shown). The reply is composed for the new customer all the same."""
    services.customer.set(CustomerContext(name="Ana", country="ES", zone="Europe/Madrid", language="es"))
    panel.select_template("starter.greeting.welcome")  # {{salutation}}: by the customer's name
    built = []
    panel.results.model().rowsInserted.connect(lambda *_: built.append(1))
    listed = [panel.results.item(i).text() for i in range(panel.results.count())]
    services.customer.set(CustomerContext(name="Lucía", country="MX", zone="America/Mexico_City", language="es"))
    assert built == [] and [panel.results.item(i).text() for i in range(panel.results.count())] == listed
    reply_shown(qtbot, panel)
    assert "Lucía" in panel.preview.toPlainText() and "Ana" not in panel.preview.toPlainText()
    services.customer.set(CustomerContext(name="Jean", country="FR", zone="Europe/Paris", language="fr"))
    assert built and [panel.results.item(i).text() for i in range(panel.results.count())] != listed
    assert panel.language.itemText(0).endswith("(fr)")


def test_a_customers_language_changes_the_list_with_no_order_computed_on_the_gui_thread(
        qtbot, large_panel, services, monkeypatch):
    """The library's reading prepared every title order a customer can ask for: changing the
    customer (on the GUI thread) only looks one up (computing one took 70-230 ms at 50,000
    templates), and the list follows the customer's language."""
    from assistant.templates.search import SearchIndex

    qtbot.waitUntil(lambda: large_panel.index is not None and large_panel.results.count() > 0)
    computed = []
    real = SearchIndex._served_titles
    monkeypatch.setattr(SearchIndex, "_served_titles", lambda ix, lang: computed.append(lang) or real(ix, lang))
    for context in (CustomerContext(language="es", country="ES"), CustomerContext(language="pt_BR", country="BR"),
                    CustomerContext(language="ja", zone="Asia/Tokyo"), CustomerContext(language="es_MX")):
        services.customer.set(context)
        shown = [large_panel.results.item(i).text() for i in range(large_panel.results.count())]
        titles = [large_panel.entries[template_id].template.variant(context.language).title
                  for template_id in large_panel.listed_ids()]
        assert shown and all(title in text for text, title in zip(shown, titles))
    assert computed == []


def test_editing_a_team_template_creates_a_personal_version(qtbot, panel, services, monkeypatch):
    from ui.panels import replies_editor

    panel.search.setText(";else")
    assert current_id(panel) == "starter.closing.anything_else"

    def fake_exec(self):
        self.editors["en"].body.setPlainText("Anything else I can do, {{customer_first_name|}}?")
        self.save()
        return self.result_template is not None

    monkeypatch.setattr(replies_editor.TemplateEditor, "exec", fake_exec)
    panel.edit_current()
    entry = store.get_entry(services.db, "starter.closing.anything_else")
    assert entry.layer == store.OVERRIDE
    assert store.get_team(services.db, "starter.closing.anything_else").template.variants["en"].body == \
        "Is there anything else I can help you with today?"
    assert panel.reply.text.startswith("Anything else I can do")


def test_favourites_come_first_and_palette_commands(qtbot, panel, services):
    panel.search.setText("")
    first = current_id(panel)
    panel.select_template("starter.verify.privacy")
    panel.favourite.setChecked(True)
    panel.search.setText("")
    assert current_id(panel) in ("starter.verify.privacy", first)
    assert panel.listed_ids()[0] == "starter.verify.privacy"
    assert panel.results.item(0).text().startswith("★")
    titles = [c.title for c in panel.commands()]
    assert "Search replies" in titles and "New reply template…" in titles


def hover_tooltip(view, row: int) -> str:
    """The tooltip a list shows when the pointer rests on a row (Qt's own help event)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    view.show()
    rect = view.visualRect(view.model().index(row, 0))
    viewport = view.viewport()
    QToolTip.hideText()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.ToolTip, rect.center(), viewport.mapToGlobal(rect.center())))
    return QToolTip.text()


def test_a_rows_details_are_made_when_it_is_hovered(qtbot, panel, services, monkeypatch):
    """Issue 18: the list is filled again at each keystroke and customer change; the rows'
    details (languages, tags, what the team did) are made for the row hovered, not for the
    100 rows of every fill."""
    made = []
    real = panel._details
    monkeypatch.setattr(panel, "_details", lambda template_id: made.append(template_id) or real(template_id))
    panel.search.setText("refund")
    panel.search.setText("")
    assert made == [] and panel.results.count() > 1
    first = panel.listed_ids()[1]
    template = panel.entries[first].template
    tooltip = hover_tooltip(panel.results, 1)
    assert made == [first]
    assert ", ".join(template.languages) in tooltip and all(tag in tooltip for tag in template.tags)


def test_text_is_plain_never_html(qtbot, panel, services, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    template = store.Template.from_dict({"id": "my.html", "default_language": "en", "tags": ["<i>x</i>"],
                                         "variants": {"en": {"title": "<b>Bold</b>", "body": "<img src=x onerror=alert(1)> {{x}}"}},
                                         "variables": {"x": {"label": "<u>x</u>"}}})
    store.save_personal(services.db, template)
    panel.reload(select="my.html")
    assert panel.preview.toPlainText() == "<img src=x onerror=alert(1)> {{x}}"
    assert panel.results.currentItem().text().startswith("<b>Bold</b>")
    assert "&lt;i&gt;x&lt;/i&gt;" in hover_tooltip(panel.results, panel.results.currentRow())
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.textFormat(), box.text())) or QMessageBox.No)
    panel.delete_current()
    assert shown == [(Qt.PlainText, "Delete “<b>Bold</b>”?")]


def test_in_the_main_window(qtbot, main_window, services, press_shortcut):
    from ui.panels.replies import RepliesPanel

    [panel] = [p for p in main_window.panels if isinstance(p, RepliesPanel)]
    index = main_window.panels.index(panel)
    press_shortcut(main_window, getattr(Qt, f"Key_{index + 1}"), Qt.ControlModifier)
    assert main_window.current_panel_id() == "replies"
    assert panel.search.hasFocus()  # the agent types straight away
    qtbot.waitUntil(lambda: panel.index is not None and panel.results.count() > 0)
    services.customer.set(CustomerContext(name="Jean Dupont", country="FR", zone="Europe/Paris", language="fr"))
    assert reply_shown(qtbot, panel).language == "fr"
    shot(main_window, "replies-window")
    panel.search.setText("merci")
    assert current_id(panel) is not None
    shot(main_window, "replies-window-search")


def test_import_duplicate_and_delete(qtbot, panel, services, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    source = tmp_path / "mine.csv"
    source.write_text("title,body,shortcut\nMy thanks,Thanks a lot {{customer_first_name|}}!,;ty\n", encoding="utf-8")
    previews = []
    monkeypatch.setattr(type(panel), "_ask", lambda self, title, text: previews.append(text) or True)
    panel.import_file(str(source))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Imported 1 template")
    assert previews == ["1 reply will be imported.\n\nImport them?"]
    assert current_id(panel) == "my.my-thanks"
    panel.duplicate_current()
    assert current_id(panel) == "my.my-thanks-2"
    monkeypatch.setattr(type(panel), "_ask", lambda self, title, text: True)
    panel.delete_current()
    assert store.get_entry(services.db, "my.my-thanks-2") is None
    warnings = []
    monkeypatch.setattr(type(panel), "_warn", lambda self, title, text: warnings.append(text))
    bad = tmp_path / "bad.yml"
    bad.write_text("matches:\n  - trigger: ':x'\n    replace: '{{o}}'\n    vars: [{name: o, type: shell}]\n")
    panel.import_file(str(bad))
    qtbot.waitUntil(lambda: bool(warnings))
    assert "runs a program" in warnings[0]


def test_my_templates_are_exported_as_a_pack_on_the_worker(qtbot, panel, services, tmp_path, monkeypatch):
    """Issue 18: the export read and wrote every personal template on the GUI thread (1.0 s
    at 20,000, what one import may bring). On the worker now, the same checked pack; with
    nothing to export, the reason is shown."""
    import threading

    from assistant.packs import build
    from assistant.packs import format as fmt

    warnings, threads = [], []
    monkeypatch.setattr(type(panel), "_warn", lambda self, title, text: warnings.append(text))
    panel.export_pack(str(tmp_path / "none.agentpack.json"))
    qtbot.waitUntil(lambda: bool(warnings))
    assert warnings == ["There are no personal templates to export."]
    assert not (tmp_path / "none.agentpack.json").exists()
    store.add_personal(services.db, [store.Template.from_dict({
        "id": f"my.t{i}", "default_language": "en",
        "variants": {"en": {"title": f"T {i}", "body": "Hi {{customer_first_name|}}"}}})
        for i in range(3)])
    read = build.personal_pack
    monkeypatch.setattr(build, "personal_pack", lambda db, **k: (threads.append(threading.current_thread()),
                                                                 read(db, **k))[1])
    out = tmp_path / "mine.agentpack.json"
    panel.export_pack(str(out))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Exported 3 templates")
    assert threads and threading.main_thread() not in threads
    assert [t["id"] for t in fmt.load_pack(out.read_bytes()).templates] == ["my.t0", "my.t1", "my.t2"]


def test_an_import_is_read_and_written_off_the_gui_thread_and_a_full_disk_writes_nothing(
        qtbot, panel, services, tmp_path, monkeypatch):
    """Issue 18: the file's reading and the write ran on the GUI thread (20,000 templates,
    the cap: 10 s of frozen window). Now the file is read on the worker, previewed, and
    written on a thread with a connection of its own; a database that cannot grow (SQLite's
    own SQLITE_FULL, as a full disk gives it) is said as such, and nothing is written."""
    import threading

    from assistant.storage import database
    from assistant.templates import importers

    source = tmp_path / "many.csv"
    source.write_text("title,body\n" + "".join(f"Reply {i},Body {i} {{{{amount}}}}\n" for i in range(300)),
                      encoding="utf-8")
    threads, warnings = {}, []
    read, save = importers.read_file, importers.save_imported
    monkeypatch.setattr(importers, "read_file", lambda *a: (threads.setdefault("read", threading.current_thread()),
                                                            read(*a))[1])
    monkeypatch.setattr(importers, "save_imported",
                        lambda db, items, **k: (threads.setdefault("save", threading.current_thread()),
                                                save(db, items, **k))[1])
    monkeypatch.setattr(type(panel), "_ask", lambda self, title, text: True)
    monkeypatch.setattr(type(panel), "_warn", lambda self, title, text: warnings.append(text))
    connect = database.connect

    def cannot_grow(path):
        conn = connect(path)
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return conn
    monkeypatch.setattr(database, "connect", cannot_grow)
    before = len(store.list_personal(services.db))
    panel.import_file(str(source))
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert "full" in warnings[0] and len(store.list_personal(services.db)) == before
    assert {"read", "save"} <= threads.keys()
    assert threading.main_thread() not in threads.values()
    monkeypatch.setattr(database, "connect", connect)
    from ui.panels import replies

    reads, read_library = [], replies.read_library
    monkeypatch.setattr(replies, "read_library",
                        lambda *a: reads.append(threading.current_thread()) or read_library(*a))
    panel.import_file(str(source))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Imported 300 templates", timeout=10000)
    assert len(store.list_personal(services.db)) == before + 300
    # the library was small before (read at once after a change), not after: read on the worker
    qtbot.waitUntil(lambda: len(panel.entries) >= before + 300 and panel._pending_read is None, timeout=10000)
    assert reads and threading.main_thread() not in reads
    assert current_id(panel) == "my.reply-0"


def test_an_espanso_import_is_previewed_before_anything_is_written(qtbot, panel, services, monkeypatch):
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "assistant" / "templates" / "espanso_hub"
              / "support-replies" / "0.2.1" / "package.yml")
    before = len(store.library(services.db))
    previews = []
    monkeypatch.setattr(type(panel), "_ask", lambda self, title, text: previews.append(text) or False)
    panel.import_file(str(source))
    qtbot.waitUntil(lambda: bool(previews))
    assert len(store.library(services.db)) == before  # cancelled: nothing written
    preview = previews[0].splitlines()
    assert preview[0] == "7 replies will be imported, 10 skipped:"
    assert "  line 78: ':ord(?P<num>\\\\d+)': regex triggers are not supported" in preview
    assert preview[-1] == "Import them?"
    monkeypatch.setattr(type(panel), "_ask", lambda self, title, text: True)
    panel.import_file(str(source))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Imported 7 templates")
    assert len(store.library(services.db)) == before + 7


def test_machine_translated_draft_with_the_test_model(qtbot, main_window, services, fresh_data_dir):
    """A template without Spanish, a Spanish customer and the committed en→es test model:
    the panel offers a draft, marks it for review and keeps the placeholder intact."""
    from pathlib import Path

    from assistant.translation import packages
    from ui.panels.replies import RepliesPanel
    from ui.panels.translate import TranslatePanel

    models = Path(__file__).resolve().parents[2] / "resources" / "models"
    for path in sorted(models.glob("*.argosmodel")):
        packages.install_archive(fresh_data_dir / "models", path)
    [translate] = [p for p in main_window.panels if isinstance(p, TranslatePanel)]
    [panel] = [p for p in main_window.panels if isinstance(p, RepliesPanel)]
    # the window started the engine before the models were there: load it again
    qtbot.waitUntil(lambda: translate.ready is not None and not translate.loading, timeout=30000)
    if not translate.ready.pairs:
        with qtbot.waitSignal(translate.engine_ready, timeout=30000):
            translate.start_engine()
    assert translate.ready.pairs
    store.save_personal(services.db, store.Template.from_dict({
        "id": "my.shipped", "default_language": "en",
        "variants": {"en": {"title": "Thank you.", "body": "Your order {{order_id}} has been shipped."}}}))
    main_window.show()
    main_window.show_panel(main_window.panels.index(panel))
    qtbot.waitUntil(lambda: panel.index is not None)
    services.customer.set(CustomerContext(name="Ana", country="ES", zone="Europe/Madrid", language="es"))
    panel.reload(select="my.shipped")
    assert reply_shown(qtbot, panel).is_fallback and panel.draft_button.isVisible()
    panel.draft_button.click()
    qtbot.waitUntil(lambda: panel.reply is not None and panel.reply.machine_translated, timeout=30000)
    assert "Machine-translated draft" in panel.note.text()
    panel.shared["order_id"] = "A-17"
    panel.update_preview()
    assert panel.reply.text == "Su pedido A-17 ha sido enviado."
    shot(main_window, "replies-draft")


def test_usage_report_export(qtbot, panel, services, tmp_path):
    panel.search.setText(";else")
    panel.copy_reply()
    out = tmp_path / "usage.csv"
    panel.export_usage(str(out))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Usage report saved")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "id,title,layer,pack_id,count,last_used,favourite"
    assert lines[1].startswith("starter.closing.anything_else,Anything else?,team,starter,1,")


def test_the_usage_report_is_written_on_the_worker_from_the_titles_alone(qtbot, panel, services, tmp_path,
                                                                        monkeypatch):
    """Issue 18: the export parsed the whole library for its titles on the GUI thread, which
    froze the window 2 s at 50,000 templates. It now runs on the worker, the titles read by
    SQLite; the same rows as the library lists. A folder that is gone is a warning, and
    nothing half-written is left."""
    import threading

    from assistant.templates import export

    expected = {(e.id, e.template.title, e.layer, e.pack_id or "")
                for e in store.library(services.db, include_hidden=True)}
    threads = []
    read = export.usage_csv
    monkeypatch.setattr(export, "usage_csv", lambda db: (threads.append(threading.current_thread()), read(db))[1])
    monkeypatch.setattr(store, "library", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    monkeypatch.setattr(store, "list_team", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    out = tmp_path / "usage.csv"
    panel.export_usage(str(out))
    qtbot.waitUntil(lambda: panel.confirmation.text() == "Usage report saved")
    assert threads and threading.main_thread() not in threads
    import csv

    with out.open(encoding="utf-8-sig") as report:
        rows = {(r["id"], r["title"], r["layer"], r["pack_id"]) for r in csv.DictReader(report)}
    assert rows == expected and len(rows) > 20
    warnings = []
    monkeypatch.setattr(type(panel), "_warn", lambda self, title, text: warnings.append(text))
    panel.export_usage(str(tmp_path / "gone" / "usage.csv"))
    qtbot.waitUntil(lambda: bool(warnings))
    assert warnings[0].startswith("Cannot write ") and not (tmp_path / "gone").exists()


def test_the_editor_declares_the_names_typed_and_judges_as_a_pack_would(qtbot):
    from ui.panels.replies_editor import TemplateEditor

    editor = TemplateEditor(store.Template.from_dict({"id": "my.t", "default_language": "en",
                                                      "variants": {"en": {"title": "T", "body": "b"}}}))
    qtbot.addWidget(editor)
    editor.editors["en"].body.setPlainText("Refund of {{amount}}, {{customer_first_name|}}")
    editor.save()
    assert editor.result_template.variables["amount"].label == "Amount"
    assert "customer_first_name" not in editor.result_template.variables  # built in
    editor.result_template = None
    editor.editors["en"].title.setText("Re\tfund")  # a pack refuses it: so does the editor
    editor.save()
    assert editor.result_template is None and "variants.en.title" in editor.problems.text()


def test_the_library_is_read_off_the_gui_thread_and_typing_reads_no_usage(qtbot, services, monkeypatch):
    """Opening the panel reads and indexes the library on the worker (its own connection);
    a keystroke searches the index and the usage kept in memory, never the database."""
    import threading

    from ui.panels.replies import RepliesPanel

    threads = []
    real_library = store.library
    monkeypatch.setattr(store, "library", lambda db, **kw: threads.append(threading.current_thread())
                        or real_library(db, **kw))
    widget = RepliesPanel(services)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.index is not None and widget.results.count() > 0)
    assert threads and threading.main_thread() not in threads
    reads = []
    monkeypatch.setattr(store, "usage", lambda db: reads.append(1) or {})
    monkeypatch.setattr(store, "usage_of", lambda db, tid: reads.append(1) or store.Usage())
    qtbot.keyClicks(widget.search, "refund")
    assert widget.results.count() > 0 and reads == []


def test_what_the_library_read_made_is_set_aside_before_the_collector_is_back(services, monkeypatch):
    """Issue 18: the read puts the collector off and freezes what it made. It froze after
    enabling the collector again, and the next allocation, on any thread, ran a pass over
    all of it holding the GIL (the GUI thread waited 534 ms opening the panel at 50,000
    templates). Frozen first: the collector is back with nothing of the read to walk."""
    import gc
    from datetime import datetime, timezone

    from ui.panels.replies import read_library

    for i in range(300):
        store.save_personal(services.db, store.Template.from_dict({
            "id": f"my.t{i}", "default_language": "en", "tags": ["refund"],
            "variants": {"en": {"title": f"Refund {i}", "body": f"Your refund {i} is on its way."},
                         "es": {"title": f"Reembolso {i}", "body": f"Su reembolso {i} está en camino."}}}))
    young = []
    real_enable = gc.enable
    monkeypatch.setattr(gc, "enable", lambda: (young.append(len(gc.get_objects(generation=0))), real_enable()))
    by_id, *_rest = read_library(services.db, datetime.now(timezone.utc))
    assert len(by_id) >= 300
    assert young and young[0] < 1000  # 300 templates and their index: thousands of objects


def test_copying_and_marking_update_the_order_without_a_reload(qtbot, panel, services):
    """The copied or favourite template moves up in the empty-search order at once."""
    last = panel.listed_ids()[-1]
    panel.select_template(last)
    panel.copy_reply(force=True)
    assert panel.usage[last].count == 1 and store.usage(services.db)[last].count == 1
    panel.search.clear()
    panel.refilter()
    assert current_id(panel) == last  # kept selected...
    assert panel.listed_ids()[0] == last  # ...and first: just used
    second = panel.listed_ids()[1]
    panel.select_template(second)
    panel.favourite.setChecked(True)
    assert panel.usage[second].favourite
    assert panel.listed_ids()[0] == second  # favourites first


def test_a_first_start_checks_the_starter_pack_off_the_gui_thread(qtbot, services, monkeypatch):
    """The starter pack is read and checked on the worker (hundreds of ms); the merge, on
    the app's own connection, is announced in the hall and the list shows the pack."""
    import threading

    from assistant.packs import starter
    from ui.panels.replies import RepliesPanel

    threads, load = [], starter.load_shipped
    monkeypatch.setattr(starter, "load_shipped", lambda: (threads.append(threading.current_thread()), load())[1])
    packs_heard = []
    services.hall.packs_changed.connect(lambda: packs_heard.append(True))
    widget = RepliesPanel(services)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.index is not None and widget.results.count() > 0)
    assert threads and threads[0] is not threading.main_thread()
    assert packs_heard
    assert starter.starter_is_current(services.db)


def test_opening_reads_usage_and_team_marks_on_the_worker_and_previews_after_listing(qtbot, services, monkeypatch):
    """Issue 18: the usage table (read again by the team's new/changed marks) is read on
    the worker with the library; on the GUI thread the arriving library is listed in one
    pass and the selected reply is composed at the next, so the event loop turns between."""
    import threading

    from assistant.packs import news
    from ui.panels.replies import RepliesPanel

    threads = []
    real_usage, real_marked = store.usage, news.marked_templates
    monkeypatch.setattr(store, "usage", lambda db: threads.append(threading.current_thread()) or real_usage(db))
    monkeypatch.setattr(news, "marked_templates", lambda db, *a: threads.append(threading.current_thread())
                        or real_marked(db, *a))
    widget = RepliesPanel(services)
    qtbot.addWidget(widget)
    arrivals = []
    real_read = widget._library_read

    def library_read(result, **kw):
        real_read(result, **kw)
        arrivals.append((widget.results.count(), widget.reply))

    monkeypatch.setattr(widget, "_library_read", library_read)
    widget.show()
    qtbot.waitUntil(lambda: widget.reply is not None)
    assert threads and threading.main_thread() not in threads
    listed, reply = arrivals[-1]
    assert listed > 0 and reply is None  # listed at once, composed at the next pass
    assert widget.reply.template_id == current_id(widget) == widget.listed_ids()[0]


@pytest.fixture
def large_panel(qtbot, services, monkeypatch):
    """A Replies panel that counts its library (the starter pack) as a large one: read on the
    worker, a change read alone and laid over its index."""
    from ui.panels import replies

    monkeypatch.setattr(replies, "SYNC_INDEX_LIMIT", 3)
    widget = replies.RepliesPanel(services)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.index is not None and widget.results.count() > 0 and widget._pending_read is None)
    return widget


@pytest.fixture
def whole_reads(monkeypatch):
    """One item per whole read of the library started from here on."""
    from ui.panels import replies

    reads = []
    real_read = replies.read_library_file
    monkeypatch.setattr(replies, "read_library_file", lambda *a: reads.append(1) or real_read(*a))
    return reads


def test_in_a_large_library_a_change_is_listed_at_once_without_reading_it_all(qtbot, services, large_panel,
                                                                              whole_reads, monkeypatch):
    """Past SYNC_INDEX_LIMIT templates the library is read on the worker (seconds at 50,000);
    a template saved, imported, duplicated or deleted is read alone and laid over the index,
    so it is listed (and selected) when the editor closes, and no whole read is started."""
    from PySide6.QtWidgets import QMessageBox  # noqa: F401  (the panel's dialogs are patched out)

    from ui.panels import replies_editor
    from ui.panels.replies import RepliesPanel

    widget = large_panel
    monkeypatch.setattr(RepliesPanel, "_ask", lambda self, title, text: True)

    def editing(title, body):
        def fake_exec(self):
            self.editors["en"].title.setText(title)
            self.editors["en"].body.setPlainText(body)
            self.save()
            return self.result_template is not None
        monkeypatch.setattr(replies_editor.TemplateEditor, "exec", fake_exec)

    widget.search.setText(";else")
    assert current_id(widget) == "starter.closing.anything_else"
    editing("Anything more zebra", "Anything more I can do, {{customer_first_name|}}?")
    widget.edit_current()
    assert current_id(widget) == "starter.closing.anything_else"
    assert widget.reply.text.startswith("Anything more I can do")
    assert widget.results.currentItem().text().startswith("Anything more zebra")
    widget.search.setText("zebra")
    assert widget.listed_ids() == ["starter.closing.anything_else"]
    widget.search.setText("today")  # a word of the old English body only: not found any more
    assert "starter.closing.anything_else" not in widget.listed_ids()

    editing("Brand new okapi reply", "Okapi text.")
    widget.new_template()
    created = current_id(widget)
    assert created and created != "starter.closing.anything_else"
    assert widget.entries[created].template.title == "Brand new okapi reply"
    widget.duplicate_current()
    copy = current_id(widget)
    assert copy not in (None, created) and copy in widget.entries
    widget.delete_current()
    assert copy not in widget.entries
    widget.search.setText("okapi")
    assert widget.listed_ids() == [created]
    assert whole_reads == []

    # a locked database while reading the changed templates: the whole library is read instead
    def locked(db, ids, include_hidden=False):
        raise sqlite3.OperationalError("database is locked")

    real_entries = store.library_entries
    monkeypatch.setattr(store, "library_entries", locked)
    services.hall.library_changed.emit(frozenset({created}))
    qtbot.waitUntil(lambda: whole_reads == [1] and widget._pending_read is None)
    monkeypatch.setattr(store, "library_entries", real_entries)
    whole_reads.clear()

    # the team's version comes back when the agent's own is deleted
    widget.select_template("starter.closing.anything_else")
    widget.delete_current()
    widget.search.setText("zebra")
    assert widget.results.count() == 0
    assert widget.entries["starter.closing.anything_else"].layer == store.TEAM
    assert whole_reads == []


def _held_back(monkeypatch, name: str):
    """Replace the worker's ``replies.<name>`` so its first call does its work, then waits
    before returning until the test says so: (done, go_on) events, what it did happens
    before a change the test makes, and lands after it."""
    import threading

    from ui.panels import replies

    done, go_on = threading.Event(), threading.Event()
    real = getattr(replies, name)

    def then_wait(*args):
        result = real(*args)
        if not done.is_set():
            done.set()
            go_on.wait(10)
        return result

    monkeypatch.setattr(replies, name, then_wait)
    return done, go_on


def test_a_change_during_a_whole_read_is_not_lost_when_that_read_lands(qtbot, services, large_panel, monkeypatch):
    """A read of the whole library on the worker may predate a change laid over the index:
    its result is dropped and the library is read again."""
    from assistant.templates.model import Template

    widget = large_panel
    read_before, go_on = _held_back(monkeypatch, "read_library_file")
    widget.reload()  # a whole read on its way...
    assert widget._pending_read is not None
    assert read_before.wait(10)
    template = Template.from_dict({"id": "my.walrus", "default_language": "en",
                                   "variants": {"en": {"title": "Walrus reply", "body": "Walrus."}}})
    store.save_personal(services.db, template)
    services.hall.library_changed.emit(frozenset({"my.walrus"}))  # ...and a change meanwhile
    widget.search.setText("walrus")
    assert widget.results.count() == 1  # listed at once
    go_on.set()
    qtbot.waitUntil(lambda: widget._pending_read is None)
    widget.refilter()
    assert widget.listed_ids() == ["my.walrus"]
    assert len(widget.index) == len(store.library(services.db))


def test_past_half_the_overlay_cap_the_library_is_read_again_on_the_worker(qtbot, services, large_panel, whole_reads,
                                                                           monkeypatch):
    from assistant.templates import overlay
    from assistant.templates.model import Template
    from assistant.templates.search import SearchIndex

    monkeypatch.setattr(overlay, "MAX_CHANGES", 4)
    widget = large_panel

    def save(k):
        store.save_personal(services.db, Template.from_dict({
            "id": f"my.n{k}", "default_language": "en", "variants": {"en": {"title": f"Narwhal {k}", "body": "N."}}}))
        services.hall.library_changed.emit(frozenset({f"my.n{k}"}))

    save(1)
    save(2)
    assert isinstance(widget.index, overlay.OverlaidIndex) and widget._pending_read is None
    save(3)  # past half the cap: a new index is made on the worker, the overlay serves meanwhile
    assert isinstance(widget.index, overlay.OverlaidIndex) and widget._pending_read is not None
    widget.search.setText("narwhal")
    assert widget.results.count() == 3
    qtbot.waitUntil(lambda: widget._pending_read is None)
    assert isinstance(widget.index, SearchIndex)
    widget.refilter()
    assert widget.results.count() == 3
    # more changes at once than the cap: the whole library is read, as before
    whole_reads.clear()
    ids = [f"my.n{k}" for k in range(1, 4)] + ["starter.closing.anything_else", "starter.verify.privacy"]
    services.hall.library_changed.emit(frozenset(ids))
    qtbot.waitUntil(lambda: widget._pending_read is None)
    assert whole_reads == [1] and isinstance(widget.index, SearchIndex)


def _another_program(services):
    """The database as another program (the CLI, IT's script) opens it: a connection of its
    own, whose commits the app's hall hears of without being told which templates."""
    import sqlite_utils

    return sqlite_utils.Database(sqlite3.connect(services.runtime.data_dir.database))


def test_in_a_large_library_another_programs_change_is_found_without_reading_it_all(qtbot, services, large_panel,
                                                                                   whole_reads, monkeypatch):
    """Issue 18: a change made by another program names no templates; in a large library
    the panel compares the library's fingerprints on the worker and reads and lays over only
    the templates that differ (added, edited, hidden, deleted), as a whole read would list them."""
    from assistant.templates.model import Template
    from ui.panels import replies

    widget = large_panel
    services.hall.watch(services.runtime.conn)
    found = []
    real_find = replies.find_changes
    monkeypatch.setattr(replies, "find_changes", lambda *a: found.append(real_find(*a)[1]) or real_find(*a))
    team = sorted(e.id for e in store.library(services.db) if e.layer == store.TEAM)
    edited, hidden, deleted = team[:3]
    other = _another_program(services)
    try:
        store.save_personal(other, Template.from_dict({
            "id": "it.ibex", "default_language": "en", "variants": {"en": {"title": "Ibex reply", "body": "Ibex."}}}))
        data = store.get_team(other, edited).template.to_dict()
        data["variants"][data["default_language"]]["title"] = "Quokka title"
        store.save_personal(other, Template.from_dict(data))
        other.execute("UPDATE team_templates SET hidden = 1 WHERE template_id = ?", [hidden])
        other.execute("DELETE FROM team_templates WHERE template_id = ?", [deleted])
        other.conn.commit()
    finally:
        other.conn.close()
    services.hall.check()  # what the hall's timer does about once a second
    qtbot.waitUntil(lambda: "it.ibex" in widget.entries and widget._finding is None)
    assert found == [{"it.ibex", edited, hidden, deleted}]
    assert whole_reads == []
    assert widget.entries.keys() == {e.id for e in store.library(services.db)}
    assert widget.entries[edited].layer == store.OVERRIDE
    widget.search.setText("quokka")
    assert widget.listed_ids() == [edited]
    widget.search.setText("ibex")
    assert widget.listed_ids() == ["it.ibex"]
    shot(widget, "replies-another-programs-template")
    widget.search.setText("")
    assert hidden not in widget.listed_ids() and deleted not in widget.listed_ids()

    # nothing the library lists changed (the hall heard of a write all the same): nothing read
    services.hall.library_changed.emit(None)
    qtbot.waitUntil(lambda: len(found) == 2 and widget._finding is None)
    assert found[1] == set() and whole_reads == []

    # a locked database while comparing: the whole library is read instead
    def locked(*args):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(replies, "find_changes", locked)
    services.hall.library_changed.emit(None)
    qtbot.waitUntil(lambda: whole_reads == [1] and widget._pending_read is None)
    assert widget.entries.keys() == {e.id for e in store.library(services.db)}


def test_another_programs_changes_past_the_overlay_cap_are_read_whole(qtbot, services, large_panel, whole_reads,
                                                                      monkeypatch):
    from assistant.templates import overlay
    from assistant.templates.search import SearchIndex

    monkeypatch.setattr(overlay, "MAX_CHANGES", 4)
    widget = large_panel
    other = _another_program(services)
    try:  # IT hides five templates at once
        other.execute("UPDATE team_templates SET hidden = 1 WHERE template_id IN "
                      "(SELECT template_id FROM team_templates ORDER BY template_id LIMIT 5)")
        other.conn.commit()
    finally:
        other.conn.close()
    services.hall.library_changed.emit(None)
    qtbot.waitUntil(lambda: whole_reads == [1] and widget._pending_read is None)
    assert isinstance(widget.index, SearchIndex)
    assert widget.entries.keys() == {e.id for e in store.library(services.db)}


def test_a_change_found_while_another_is_being_compared_is_compared_again(qtbot, services, large_panel, monkeypatch):
    """Two writes by another program in quick succession: the comparison on its way may have
    been made before the second; it is made again when it lands, so neither is missed."""
    from assistant.templates.model import Template

    widget = large_panel
    compared, go_on = _held_back(monkeypatch, "find_changes")

    def write(template_id, title):
        other = _another_program(services)
        try:
            store.save_personal(other, Template.from_dict({
                "id": template_id, "default_language": "en", "variants": {"en": {"title": title, "body": "."}}}))
        finally:
            other.conn.close()
        services.hall.library_changed.emit(None)

    write("it.first", "First seal")
    assert compared.wait(10)
    write("it.second", "Second seal")  # after the first comparison was made
    go_on.set()
    qtbot.waitUntil(lambda: {"it.first", "it.second"} <= widget.entries.keys() and widget._finding is None)
    widget.search.setText("seal")
    assert sorted(widget.listed_ids()) == ["it.first", "it.second"]


def test_a_template_just_made_is_selected_even_when_not_among_the_first_listed(qtbot, panel, monkeypatch):
    """A large library lists its first MAX_LISTED replies: a new one that the empty search
    does not reach is listed first, selected and shown (it was not selected at all)."""
    from ui.panels import replies, replies_editor

    monkeypatch.setattr(replies, "MAX_LISTED", 5)

    def fake_exec(self):
        self.editors["en"].title.setText("Zzz yak reply")
        self.editors["en"].body.setPlainText("Yak text.")
        self.save()
        return self.result_template is not None

    monkeypatch.setattr(replies_editor.TemplateEditor, "exec", fake_exec)
    panel.search.setText("nothing matches this")
    panel.new_template()
    created = current_id(panel)
    assert created and panel.entries[created].template.title == "Zzz yak reply"
    assert panel.listed_ids()[0] == created and panel.search.text() == ""
    assert panel.reply.text == "Yak text."
    shot(panel, "replies-new-listed-first")
    panel.search.setText("yak")  # the next search lists as usual
    assert panel.listed_ids() == [created]


def test_the_tag_filter_is_not_sized_to_the_librarys_tags(qtbot, services):
    """Issue 18: sized to its contents, the tag filter measured every tag of the library at
    the panel's first showing (69 ms at 3,000 tags, on the GUI thread), and a long tag
    widened the panel."""
    from ui.panels.replies import RepliesPanel

    few, many = RepliesPanel(services), RepliesPanel(services)
    qtbot.addWidget(few)
    qtbot.addWidget(many)
    many.tag_filter.addItems([f"tag {i} " + "very long " * 20 for i in range(300)])
    assert many.tag_filter.sizeHint().width() == few.tag_filter.sizeHint().width()
