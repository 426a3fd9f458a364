"""Outside text is text: rich-text payloads fed through a customer, a pack, a template, a task
and a model archive are shown exactly as written by every label, tooltip and message box of
the main window, its panels and the dialogs the app builds, never rendered as bold, images
or links. A message box opened by a static QMessageBox helper is caught too (it is closed
and read while it runs its own event loop)."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6 import QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QLabel, QMessageBox, QWidget

from assistant.customer import CustomerContext
from assistant.packs import install
from assistant.policy import Policy
from assistant.tasks.model import Task
from assistant.tasks.store import TaskStore
from assistant.templates import store

MARK = "<b>Bold"  # shown as is only if the text around it is not read as rich text


def payload(source: str) -> str:
    """Rich-text markup around ``source``, so each source can be found on screen."""
    return f'{MARK} {source}</b> <img src="x"> <a href="https://evil.example/">link</a> &amp;'


PAYLOAD = payload("text")
NOW = datetime.now(timezone.utc)


def shown(text: str, text_format) -> str:
    """What a person reads: Qt renders AutoText that looks like HTML as HTML."""
    if text_format == Qt.RichText or (text_format == Qt.AutoText and QtGui.Qt.mightBeRichText(text)):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return text


class ModalWatcher:
    """Reads and closes every modal box or dialog while it runs (static helpers included)."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []  # (where, what a person reads)
        self.timer = QTimer()
        self.timer.timeout.connect(self._look)
        self.timer.start(20)

    def _look(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        for where, text in carriers([modal]):
            self.seen.append((f"modal {type(modal).__name__}: {where}", text))
        modal.done(0) if isinstance(modal, QDialog) else modal.close()

    def stop(self) -> None:
        self.timer.stop()


def _item_tooltips(view: QAbstractItemView):
    model = view.model()
    if model is None:
        return
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        for row in range(model.rowCount(parent)):
            column = 0
            while (index := model.index(row, column, parent)).isValid():  # list models hide columnCount
                tip = model.data(index, Qt.ToolTipRole)
                if tip:
                    yield f"item {row},{column} tooltip", shown(str(tip), Qt.AutoText)
                text = model.data(index, Qt.DisplayRole)
                if isinstance(text, str) and text:  # views draw it as plain text
                    yield f"item {row},{column} text", text
                if column == 0 and model.rowCount(index) > 0:
                    pending.append(index)
                column += 1


def carriers(tops):
    """(where, what a person reads) for every label, tooltip and item tooltip under ``tops``."""
    for top in tops:
        for widget in [top, *top.findChildren(QWidget)]:
            name = f"{type(widget).__name__}#{widget.objectName()}"
            if isinstance(widget, QLabel) and widget.text():
                yield f"{name} text", shown(widget.text(), widget.textFormat())
            if widget.toolTip():
                yield f"{name} tooltip", shown(widget.toolTip(), Qt.AutoText)
            if widget.whatsThis():
                yield f"{name} what's this", shown(widget.whatsThis(), Qt.AutoText)
            if isinstance(widget, QAbstractItemView):
                for where, text in _item_tooltips(widget):
                    yield f"{name} {where}", text


def rendered_as_markup(found):
    """Carriers of outside text where the payload's tags were interpreted, not shown."""
    return [(where, text) for where, text in found if "Bold" in text and MARK not in text]


@pytest.fixture
def watcher(qapp):
    watcher = ModalWatcher()
    yield watcher
    watcher.stop()


@pytest.fixture
def outside_text(services, tmp_path):
    """Every source of outside text carries the payload."""
    db = services.db
    # a pack (title, publisher, a template's title and text, a tag)
    pack = {"format": "agent-assistant-pack", "format_version": 1, "id": "acme.html", "title": payload("pack"),
            "publisher": payload("publisher"), "publisher_key_id": None, "version": 1,
            "created": "2026-11-01T08:00:00Z", "min_app_version": "0.1", "default_language": "en",
            "languages": ["en"],
            "templates": [{"id": "acme.html.hello", "tags": ["x"], "default_language": "en",
                           "variants": {"en": {"title": payload("team template"),
                                               "body": f"Hello {payload('team body')}"}}}]}
    pack_file = tmp_path / "html.agentpack.json"
    pack_file.write_text(json.dumps(pack), encoding="utf-8")
    install.install_file(db, Policy(), pack_file, install.InstallOptions(allow_unsigned=True), NOW)
    # a personal template
    store.save_personal(db, store.Template.from_dict(
        {"id": "my.html", "default_language": "en", "tags": ["html"],
         "variants": {"en": {"title": payload("template"), "body": f"Dear {payload('body')}"}}}))
    # a customer, current and pinned
    customer = CustomerContext(name=payload("customer"), country="IN", zone="Asia/Kolkata",
                               phone="+91 98765 43210")
    # a task for them
    task = TaskStore(db).add(Task(title=payload("task"), customer=customer, notes=payload("notes")), NOW)
    # a model archive whose entry name carries markup
    archive = tmp_path / "html.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/metadata.json", "{}")
        zf.writestr(f"{MARK} model<img src=x>.txt", "x")  # a zip entry's name has no "/" of its own
    return {"customer": customer, "task": task, "pack_file": pack_file, "archive": archive}


def test_no_outside_text_is_ever_rendered_as_rich_text(qtbot, main_window, services, outside_text, watcher):
    window = main_window
    window.show()
    window.start_deferred()
    services.customer.set(outside_text["customer"])
    bar = window.customer_bar
    qtbot.waitUntil(lambda: bar.ready, timeout=10000)
    bar.toggle_pin()
    panels = window.panels  # every panel, built
    replies = window.panel_by_id("replies")
    replies.reload(select="my.html")
    queue = window.panel_by_id("queue")
    queue.reload()
    queue.tree.setCurrentIndex(queue.tree.model().index(0, 0))  # its details show
    qtbot.wait(50)

    # a model archive refused by the Translate panel, its reason quoting the entry's name
    translate = window.panel_by_id("translate")
    before = len(watcher.seen)
    translate.install_path(outside_text["archive"])
    qtbot.waitUntil(lambda: len(watcher.seen) > before, timeout=10000)

    # every dialog the app builds, with the outside text in it
    from ui.about import AboutDialog
    from ui.pack_editor import PackEditor
    from ui.packs_dialog import PacksDialog
    from ui.palette import CommandPalette
    from ui.panels.replies_editor import TemplateEditor
    from ui.queue_settings import QueueSettingsDialog
    from ui.quick_add import SnoozeDialog, TaskDialog
    from ui.settings_dialog import SettingsDialog

    task_store = TaskStore(services.db)
    editor = PackEditor(services, window)
    with qtbot.waitSignal(editor.opened, timeout=10000) as shown:
        editor.open_path(outside_text["pack_file"])
    assert shown.args == [True]
    dialogs = [SettingsDialog(services, window), AboutDialog(window), PacksDialog(services, window), editor,
               TaskDialog(task_store, outside_text["customer"], outside_text["task"], window),
               SnoozeDialog(task_store, outside_text["task"], window), QueueSettingsDialog(services, window),
               CommandPalette(window.commands(), window),
               TemplateEditor(store.get_entry(services.db, "my.html").template, notice=payload("notice"),
                              parent=window)]
    for dialog in dialogs:
        dialog.show()
    qtbot.wait(50)

    # a message box about a template with markup in its title (Replies' own confirmation)
    replies.reload(select="my.html")
    replies.delete_current()
    qtbot.wait(100)

    found = list(carriers([window, *dialogs])) + watcher.seen
    assert rendered_as_markup(found) == []
    # the payload really reached the screen from every source, and each kind of carrier
    def carried(source):
        return {where for where, text in found if f"{MARK} {source}" in text}

    for source in ("customer", "pack", "publisher", "team template", "template", "task", "model", "notice"):
        assert carried(source), source
    assert any("tooltip" in where for where in carried("customer"))       # the pinned clock
    assert any(where.startswith("modal QMessageBox") for where in carried("model"))
    assert any(where.startswith("modal QMessageBox") for where in carried("template"))
    assert any("QLabel" in where for where in carried("task"))
    for dialog in dialogs:
        dialog.close()
    assert panels


def test_the_tooltip_helper_shows_text_exactly():
    from ui.widgets import plain_tooltip

    for text in (PAYLOAD, "line one\nline <i>two</i>", "a & b < c"):
        tip = plain_tooltip(text)
        assert shown(tip, Qt.AutoText).replace("\u2028", "\n") == text
    assert plain_tooltip("") == ""


def test_the_password_prompt_names_the_key_file_as_plain_text(qtbot, watcher):
    from ui.widgets import plain_password

    text, accepted = plain_password(None, "Secret key", f"Password for {MARK}.key:")
    assert (text, accepted) == ("", False)
    assert ("modal QInputDialog: QLabel# text", f"Password for {MARK}.key:") in watcher.seen


def test_a_tray_message_carries_task_text_as_text(main_window, monkeypatch):
    import sys

    sent = []

    class Tray:
        def supportsMessages(self):
            return True

        def isVisible(self):
            return False

        def showMessage(self, title, message, *_args):
            sent.append(message)

    monkeypatch.setattr(main_window, "tray", Tray())
    main_window.notify("SLA", f"Due soon: {PAYLOAD}")
    if sys.platform.startswith("linux"):  # the desktop's notification server reads markup
        assert sent == ['Due soon: &lt;b&gt;Bold text&lt;/b&gt; &lt;img src="x"&gt; &lt;a '
                        'href="https://evil.example/"&gt;link&lt;/a&gt; &amp;amp;']
    else:
        assert sent == [f"Due soon: {PAYLOAD}"]
