"""The packs window and the inbox watch, driven as an agent would (dialogs answered by
patching the confirmation helpers)."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from assistant.packs import install, manage, signing, trust
from assistant.policy import Policy
from assistant.templates import store

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
SHOTS = Path(os.environ.get("PACK_SCREENSHOTS", "/tmp/packs-screens"))


def _template(tid, body="{{greeting}} {{customer_first_name|}}, your refund is on its way."):
    return {"id": tid, "tags": ["refund"], "default_language": "en",
            "variants": {"en": {"title": f"Refund {tid}", "body": body},
                         "es": {"title": f"Reembolso {tid}", "body": "{{greeting}}, su reembolso está en camino."},
                         "ar": {"title": "تم الاسترداد", "body": "{{greeting}}، تم إرسال المبلغ المسترد \u200f123\u200f."}}}


def _pack(version, templates, pack_id="acme.refunds", **extra):
    data = {"format": "agent-assistant-pack", "format_version": 1, "id": pack_id, "title": "ACME refunds <b>EU</b>",
            "publisher": "ACME Support Manila", "publisher_key_id": None, "version": version,
            "created": "2026-11-01T08:00:00Z", "min_app_version": "0.1", "default_language": "en",
            "languages": ["en", "es", "ar"], "templates": templates}
    data.update(extra)
    return data


@pytest.fixture
def key(tmp_path):
    return signing.generate_keypair(tmp_path / "lead.key", tmp_path / "lead.pub", None)


@pytest.fixture
def write(tmp_path, key):
    def write(data, name="p.agentpack.json", sign=True):
        path = tmp_path / "packs" / name
        path.parent.mkdir(exist_ok=True)
        raw = json.dumps(data, ensure_ascii=False, indent=1).encode()
        path.write_bytes(raw)
        path.with_name(path.name + ".minisig").unlink(missing_ok=True)
        if sign:
            secret = signing.load_secret_key(key.secret_path, None)
            path.with_name(path.name + ".minisig").write_bytes(signing.sign_bytes(raw, secret))
        return path
    return write


@pytest.fixture
def no_popups(monkeypatch):
    shown = []
    def exec_(box):
        assert box.textFormat() == Qt.PlainText  # pack text is never read as HTML
        shown.append(box.informativeText() or box.text())
        return QMessageBox.Ok

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    return shown


def _edit_locally(db, tid, body):
    """The agent's own version of a team template (English text ``body``)."""
    entry = store.get_entry(db, tid)
    variants = entry.template.to_dict()["variants"]
    variants["en"]["body"] = body
    store.save_personal(db, entry.template.copy(variants=variants), now=NOW)


def _dialog(qtbot, services):
    from ui.packs_dialog import PacksDialog

    dialog = PacksDialog(services, now=lambda: NOW)
    qtbot.addWidget(dialog)
    return dialog


def test_installed_packs_show_publisher_fingerprint_changelog(qtbot, services, key, write, no_popups):
    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a"), _template("acme.b")])), now=NOW)
    install.install_file(db, Policy(), write(_pack(2, [_template("acme.a", "v2 {{greeting}}")])), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("other.x")], pack_id="acme.unsigned",
                                                   title="Night shift"), sign=False),
                         install.InstallOptions(allow_unsigned=True), now=NOW)
    dialog = _dialog(qtbot, services)
    rows = {dialog.pack_list.topLevelItem(i).text(0): dialog.pack_list.topLevelItem(i)
            for i in range(dialog.pack_list.topLevelItemCount())}
    assert rows["ACME refunds <b>EU</b>"].text(3) == key.info.fingerprint  # HTML stays literal text
    assert rows["Night shift"].text(3) == "unsigned"
    dialog.pack_list.setCurrentItem(rows["ACME refunds <b>EU</b>"])
    details = dialog.details.toPlainText()
    assert "Publisher: ACME Support Manila" in details
    assert f"Key fingerprint: {key.info.fingerprint}" in details
    assert "update 2: 1 updated, 1 retired" in details
    model = dialog.template_list.model()
    qtbot.waitUntil(lambda: not dialog.listing.pending)  # read on a thread
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Refund acme.a"
    assert model.index(0, 0).data(Qt.ToolTipRole) == "<span>acme.a</span>"
    dialog.show()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "packs-installed.png"))
    # hide one template, then the whole pack
    assert model.setData(model.index(0, 2), Qt.Checked, Qt.CheckStateRole)
    assert manage.template_flags(db, "acme.a") == (False, True)
    assert model.index(0, 2).data(Qt.CheckStateRole) == Qt.Checked
    assert model.index(0, 1).data(Qt.CheckStateRole) == Qt.Unchecked
    assert store.get_entry(db, "acme.a") is None
    dialog._toggle_pack("hidden")
    qtbot.waitUntil(lambda: manage.get_pack(db, "acme.refunds").hidden)


def test_hiding_and_removing_a_pack_write_off_the_gui_thread(qtbot, services, key, write, monkeypatch):
    """Issue 18: hiding, disabling or removing a pack rewrites every one of its rows: 0.3-0.4 s
    on the GUI thread at 20,000 templates. Each is written on a thread with a connection of
    its own; the pack's buttons wait for it, the app hears of it, and a database that cannot
    be written (another program holds it) is a warning, the pack as it was."""
    import threading

    from PySide6.QtWidgets import QMessageBox

    from assistant.storage import database
    from assistant.templates import store
    from ui import packs_dialog

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template(f"acme.t{i}") for i in range(30)])), now=NOW)
    threads, heard, warnings = [], [], []
    for name in ("set_pack_flags", "remove_pack"):
        real = getattr(manage, name)
        monkeypatch.setattr(manage, name, lambda *a, real=real, **k: (threads.append(threading.current_thread()),
                                                                       real(*a, **k))[1])
    services.hall.library_changed.connect(lambda ids: heard.append(ids))
    monkeypatch.setattr(packs_dialog, "plain_message", lambda parent, icon, title, text, *a: (
        warnings.append(text), QMessageBox.Yes)[1])
    dialog = _dialog(qtbot, services)
    dialog._toggle_pack("disabled")
    assert not dialog.hide_button.isEnabled()  # until it is written
    qtbot.waitUntil(lambda: manage.get_pack(db, "acme.refunds").disabled and bool(heard))
    qtbot.waitUntil(dialog.hide_button.isEnabled)
    assert store.get_entry(db, "acme.t1") is None
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)  # another program holds the database
    holder = sqlite3.connect(services.runtime.data_dir.database)
    holder.execute("BEGIN IMMEDIATE")
    try:
        dialog._toggle_pack("disabled")
        qtbot.waitUntil(lambda: bool(warnings))
    finally:
        holder.rollback()
        holder.close()
    assert "in use by another program" in warnings[0] and manage.get_pack(db, "acme.refunds").disabled
    qtbot.waitUntil(dialog.hide_button.isEnabled)
    dialog.remove_selected()  # asked, answered yes
    qtbot.waitUntil(lambda: manage.get_pack(db, "acme.refunds") is None)
    assert len(threads) == 3 and threading.main_thread() not in threads


def test_a_large_pack_is_listed_without_loading_its_templates(qtbot, services, key, write, monkeypatch):
    """The Packs window lists a pack's templates from one plain query and reads the titles of
    the rows it shows, a page at a time (it loaded every template, twice: 2.2 s at 5,000)."""
    from assistant.templates import store
    from ui.pack_templates import PackTemplatesModel

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    count = PackTemplatesModel.PAGE * 3
    install.install_file(db, Policy(), write(_pack(1, [_template(f"acme.t{i:04d}") for i in range(count)])), now=NOW)
    manage.set_template_flags(db, "acme.t0001", hidden=True)
    loaded = []
    for name in ("library", "list_team"):  # (the changelog reads the few templates it names)
        real = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, real=real, name=name, **k: loaded.append(name) or real(*a, **k))
    read = []
    real_titles = manage.pack_template_titles
    monkeypatch.setattr(manage, "pack_template_titles", lambda db, ids: read.append(len(ids)) or real_titles(db, ids))
    dialog = _dialog(qtbot, services)
    dialog.resize(920, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    model = dialog.template_list.model()
    qtbot.waitUntil(lambda: not dialog.listing.pending)
    assert model.rowCount() == count and loaded == []
    qtbot.waitUntil(lambda: read != [])  # painted: the titles of the rows shown are read
    assert sum(read) <= PackTemplatesModel.PAGE
    assert model.index(1, 0).data() == "Refund acme.t0001"
    assert model.index(1, 1).data(Qt.CheckStateRole) == Qt.Checked
    assert model.index(count - 1, 0).data() == f"Refund acme.t{count - 1:04d}"  # read when asked for
    assert len(read) == 2

    # listed as strings, not an object per template for the garbage collector to walk (each
    # full pass over 50,000 rows' tuples held the GUI thread 150-200 ms every few refreshes)
    gc.disable()
    try:
        tracked = len(gc.get_objects())
        listing = manage.pack_templates(db, "acme.refunds")
        grown = len(gc.get_objects()) - tracked
    finally:
        gc.enable()
    assert len(listing.ids) == count and grown < count // 10

    def locked(db, ids):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(manage, "pack_template_titles", locked)  # a fault, not a crash: the id shows
    assert model.index(count // 2, 0).data() == f"acme.t{count // 2:04d}"
    monkeypatch.setattr(manage, "pack_template_titles", real_titles)
    assert model.index(count // 2, 0).data() == f"Refund acme.t{count // 2:04d}"  # and the title later


def test_a_pack_s_templates_are_read_off_the_gui_thread_and_the_newest_wish_wins(qtbot, services, key, write,
                                                                                  monkeypatch):
    """Issue 18: at 50,000 templates the listing's query took 10-15 ms of the GUI thread at
    each refresh; it is read on a thread. A read that lands after a tick or after another
    pack was chosen is not shown: the newest is read again."""
    import threading

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a"), _template("acme.b")])), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("other.x")], pack_id="acme.other",
                                                   title="Night shift")), now=NOW)
    gate, threads = threading.Event(), []
    real = manage.pack_templates

    def held(db, pack_id):  # the read waits until the test lets it land
        threads.append(threading.current_thread() is threading.main_thread())
        listing = real(db, pack_id)
        assert gate.wait(10)
        return listing

    monkeypatch.setattr(manage, "pack_templates", held)
    gate.set()
    dialog = _dialog(qtbot, services)
    model = dialog.template_list.model()
    qtbot.waitUntil(lambda: not dialog.listing.pending)
    assert threads == [False]  # not on the GUI thread

    def choose(title):  # a refresh makes the pack list's items again
        items = [dialog.pack_list.topLevelItem(i) for i in range(dialog.pack_list.topLevelItemCount())]
        dialog.pack_list.setCurrentItem(next(item for item in items if item.text(0) == title))

    choose("ACME refunds <b>EU</b>")
    qtbot.waitUntil(lambda: not dialog.listing.pending)
    assert [model.index(r, 0).data(Qt.ToolTipRole) for r in range(model.rowCount())] == \
        ["<span>acme.a</span>", "<span>acme.b</span>"]

    # a tick while a read (from before it) is in flight: the tick stays
    gate.clear()
    services.hall.library_changed.emit(None)  # another view changed the library: a refresh
    assert dialog.listing.pending
    assert model.setData(model.index(1, 1), Qt.Checked, Qt.CheckStateRole)
    gate.set()
    qtbot.waitUntil(lambda: not dialog.listing.pending)
    assert model.index(1, 1).data(Qt.CheckStateRole) == Qt.Checked
    assert manage.template_flags(db, "acme.b") == (True, False)

    # another pack chosen while the first one's read is in flight: the second is listed
    gate.clear()
    services.hall.library_changed.emit(None)
    choose("Night shift")
    gate.set()
    qtbot.waitUntil(lambda: not dialog.listing.pending)
    assert [model.index(r, 0).data(Qt.ToolTipRole) for r in range(model.rowCount())] == ["<span>other.x</span>"]
    assert len(threads) >= 5 and not any(threads)  # every read off the GUI thread, overtaken ones again


def test_install_from_file_unsigned_needs_confirmation(qtbot, services, write, no_popups, monkeypatch):
    dialog = _dialog(qtbot, services)
    path = write(_pack(1, [_template("acme.a")]), sign=False)
    asked = []
    monkeypatch.setattr(dialog, "confirm_unsigned", lambda p: asked.append(p) or False)
    dialog.install_path(path)  # the file is read off the GUI thread, then the agent is asked
    qtbot.waitUntil(lambda: asked == [path] and dialog.install_button.isEnabled(), timeout=10000)
    assert manage.list_packs(services.db) == []
    monkeypatch.setattr(dialog, "confirm_unsigned", lambda p: True)
    dialog.install_path(path)
    qtbot.waitUntil(lambda: manage.list_packs(services.db) != [] and bool(no_popups), timeout=10000)
    assert not manage.list_packs(services.db)[0].signed
    assert "ACME refunds <b>EU</b> version 1 installed" in no_popups[-1]


def test_a_big_install_shows_its_result_then_checkpoints_off_the_merge(qtbot, services, key, write,
                                                                       no_popups, checkpoints):
    """The merge's commit leaves its pages in the write-ahead log (SQLite would otherwise copy
    them into the database file inside the commit, while the agent waits); a thread of its own
    copies them after the result is in, then gives the memory the merge freed back."""
    trust.add_key(services.db, key.public_path.read_text())
    body = "{{greeting}}, " + "your refund is on its way. " * 110  # 3 KB, 1,500 times: past 1,000 pages
    dialog = _dialog(qtbot, services)
    dialog.install_path(write(_pack(1, [_template(f"acme.t{i}", body) for i in range(1500)])))
    qtbot.waitUntil(lambda: bool(no_popups) and bool(checkpoints.sizes), timeout=30000)
    assert "version 1 installed" in no_popups[-1]
    assert checkpoints.sizes == [checkpoints.before]  # the merge committed, not copied into the file
    assert checkpoints.path.with_name(checkpoints.path.name + "-wal").stat().st_size > 4_096_000
    qtbot.waitUntil(lambda: checkpoints.path.stat().st_size > checkpoints.before + 4_000_000, timeout=10000)
    assert services.db.execute("SELECT count(*) FROM team_templates WHERE template_id LIKE 'acme.%'").fetchone()[0] == 1500
    qtbot.waitUntil(lambda: checkpoints.steps == ["checkpoint", "memory released"], timeout=10000)  # what it freed


def test_install_refusal_names_the_problem_and_changes_nothing(qtbot, services, key, write, no_popups):
    dialog = _dialog(qtbot, services)
    dialog.install_path(write(_pack(1, [_template("acme.a")])))  # signed, but the key is not trusted
    qtbot.waitUntil(lambda: getattr(dialog, "last_rejection", None) is not None, timeout=10000)
    assert "not a trusted publisher key" in no_popups[-1]
    assert manage.list_packs(services.db) == []


@pytest.mark.parametrize("change, accepted", [
    (lambda t: t.update(tags=["refund", " "]), False),  # the blank tag of issue 15
    (lambda t: t.update(variables={"amount": {"label": None}}), False),
    (lambda t: t["variants"]["en"].update(body="Your code: {{password}}"), False),
    (lambda t: t["variants"]["en"].update(title="Refund\tapproved"), False),
    (lambda t: t["variants"]["en"].update(body="Total \u202e 10"), True),  # flagged, installed
    (lambda t: t.update(tags=["refund", "billing"]), True),
], ids=["blank tag", "null label", "undeclared placeholder", "tab in a title", "bidi in a body", "valid"])
def test_the_packs_window_gives_the_lead_s_tools_verdict(qtbot, services, key, write, no_popups, change, accepted):
    from assistant.packs import format as fmt

    template = _template("acme.a")
    change(template)
    path = write(_pack(1, [template]))
    lead_verdict, _problems = fmt.check_file(path)  # what `pack validate` and `pack sign` read
    assert (lead_verdict is not None) == accepted
    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    dialog = _dialog(qtbot, services)
    dialog.install_path(path)
    qtbot.waitUntil(lambda: dialog.install_button.isEnabled() and bool(no_popups), timeout=10000)
    assert (manage.get_pack(services.db, "acme.refunds") is not None) == accepted, no_popups
    assert (store.get_entry(services.db, "acme.a") is not None) == accepted


def test_trust_a_key_after_seeing_its_fingerprint(qtbot, services, key, monkeypatch, no_popups):
    dialog = _dialog(qtbot, services)
    seen = []
    monkeypatch.setattr(dialog, "confirm_fingerprint", lambda info: seen.append(info.fingerprint) or True)
    assert dialog.trust_key_text(key.public_path.read_text())
    assert seen == [key.info.fingerprint]
    assert dialog.key_list.topLevelItemCount() == 0  # read when the tab is shown
    dialog.tabs.setCurrentWidget(dialog.keys_page)
    assert dialog.key_list.topLevelItem(0).text(1) == key.info.fingerprint
    dialog.show()
    dialog.grab().save(str(SHOTS / "packs-keys.png"))
    # the fingerprint is what the agent compares with the publisher's: shown whole, not cut
    for width in (920, 460):  # the window's size, and beside the CRM
        dialog.resize(width, 600)
        qtbot.waitUntil(lambda: dialog.width() == width)
        header, metrics = dialog.key_list.header(), dialog.key_list.fontMetrics()
        for column, text in ((0, key.info.key_id), (1, key.info.fingerprint)):
            assert header.sectionSize(column) >= metrics.horizontalAdvance(text), (width, column)


def test_a_key_whose_id_is_taken_is_refused_before_asking(qtbot, services, key, tmp_path, monkeypatch, no_popups):
    import base64

    other = signing.generate_keypair(tmp_path / "other.key", tmp_path / "other.pub", None)
    forged = base64.b64encode(base64.b64decode(key.info.public_key)[:10]
                              + base64.b64decode(other.info.public_key)[10:]).decode()
    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    dialog = _dialog(qtbot, services)
    monkeypatch.setattr(dialog, "confirm_fingerprint", lambda info: pytest.fail("asked to trust a colliding key"))
    monkeypatch.setattr("ui.packs_dialog.plain_message", lambda parent, icon, title, text, *a: no_popups.append(text))
    assert dialog.trust_key_text(forged) is False
    assert no_popups[-1].startswith(f"This key cannot be trusted: the key id {key.info.key_id} is already used by "
                                    f"another trusted key (fingerprint {key.info.fingerprint})")
    assert [k.fingerprint for k in trust.agent_keys(services.db)] == [key.info.fingerprint]


def test_team_update_side_by_side_and_use_team_version(qtbot, services, key, write, no_popups):
    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a", "Hello.\nYour refund is on its way.")])), now=NOW)
    _edit_locally(db, "acme.a", "Hi there!\nYour refund is on its way.")
    install.install_file(db, Policy(), write(_pack(2, [_template("acme.a", "Hello.\nYour refund arrives in 3 days.")])), now=NOW)
    dialog = _dialog(qtbot, services)
    assert dialog.tabs.tabText(1) == "Team updates (1)"
    assert dialog.focus_conflict("acme.a") and dialog.tabs.currentIndex() == 1
    assert "Hi there!" in dialog.mine_view.toPlainText()
    assert "Your refund arrives in 3 days." in dialog.team_view.toPlainText()
    assert len(dialog.team_view.extraSelections()) == 2  # the two changed lines are highlighted
    dialog.show()
    dialog.grab().save(str(SHOTS / "packs-team-update.png"))
    qtbot.mouseClick(dialog.use_team_button, Qt.LeftButton)
    assert store.get_entry(db, "acme.a").layer == store.TEAM
    assert dialog.tabs.tabText(1) == "Team updates"


def test_inbox_watch_installs_newer_signed_packs_quietly(qtbot, services, key, write, tmp_path, monkeypatch):
    from ui.packs_dialog import InboxWatch

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    services.runtime.policy = Policy()._replace(pack_inbox=str(tmp_path / "packs"))
    write(_pack(3, [_template("acme.a")]))
    told = []
    services.notify = lambda title, message: told.append((title, message))
    import threading

    merged_on = []
    real_apply = install.apply
    monkeypatch.setattr(install, "apply", lambda *a, **k: merged_on.append(threading.current_thread())
                        or real_apply(*a, **k))
    announced = []
    services.hall.library_changed.connect(announced.append)
    watch = InboxWatch(services, None, now=lambda: NOW)
    watch.check()
    qtbot.waitUntil(lambda: watch.last_report is not None, timeout=10000)
    assert [p.version for p in manage.list_packs(db)] == [3]
    assert told == [("Template packs", "Updated: ACME refunds <b>EU</b> 3.")]
    assert announced == [frozenset({"acme.a"})]  # the templates it changed, for Replies to read alone
    assert merged_on and merged_on[0] is not threading.main_thread()  # the merge is off the GUI thread


def test_a_stuck_inbox_never_holds_the_worker_thread(qtbot, services, key, write, tmp_path, monkeypatch):
    """The inbox is read on a thread of its own: while a read hangs on a share that stopped
    answering (or a FIFO sits in the folder), translation and indexing jobs still run on the
    app's one worker thread, and the window stays responsive."""
    import threading

    from assistant import reading
    from assistant.packs import format as fmt
    from ui.packs_dialog import InboxWatch
    from ui.workers import run_in_pool

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    services.runtime.policy = Policy()._replace(pack_inbox=str(tmp_path / "packs"))
    write(_pack(3, [_template("acme.a")]), name="b-stuck.agentpack.json")
    os.mkfifo(tmp_path / "packs" / "a-pipe.agentpack.json")
    release = threading.Event()
    real = reading._read_chunk
    monkeypatch.setattr(reading, "_read_chunk", lambda fd, size: release.wait(30) and real(fd, size))
    monkeypatch.setattr(fmt, "READ_STALL_S", 60.0)
    watch = InboxWatch(services, None, now=lambda: NOW)
    watch.check()
    assert watch.busy
    done = []
    run_in_pool(lambda: "translated", done.append, pool=services.pool)
    qtbot.waitUntil(lambda: done == ["translated"], timeout=3000)
    assert watch.busy  # still reading
    watch.check()  # a check while one is stuck does not start another
    release.set()
    qtbot.waitUntil(lambda: watch.last_report is not None, timeout=10000)
    assert dict(watch.last_report.rejected) == {
        "a-pipe.agentpack.json": "read: a-pipe.agentpack.json is a named pipe (FIFO), not a regular file"}
    assert [p.version for p in manage.list_packs(db)] == [3]


def test_palette_offers_the_pack_tools(main_window, monkeypatch):
    from PySide6.QtWidgets import QDialog

    opened = []
    monkeypatch.setattr(QDialog, "exec", lambda self: opened.append(self.objectName()) or 0)
    commands = {c.title: c for c in main_window.commands()}
    commands["Template packs…"].callback()
    commands["Pack editor (team leads)…"].callback()
    assert opened == ["packs-dialog", "pack-editor"]


def test_listing_the_palette_does_not_load_the_pack_code(main_window, monkeypatch):
    """The palette lists the pack tools without importing them (signatures and cryptography:
    60 ms on the GUI thread at the palette's first opening); choosing one loads them."""
    import sys

    from PySide6.QtWidgets import QDialog

    monkeypatch.setitem(sys.modules, "ui.packs_dialog", None)  # an import of it now fails
    commands = {c.title: c for c in main_window.commands()}
    assert {"Template packs…", "Pack editor (team leads)…"} <= commands.keys()
    with pytest.raises(ImportError):
        commands["Template packs…"].callback()
    monkeypatch.undo()
    opened = []
    monkeypatch.setattr(QDialog, "exec", lambda self: opened.append(self.objectName()) or 0)
    commands["Template packs…"].callback()
    assert opened == ["packs-dialog"]


def test_opening_the_packs_window_needs_no_signature_code(qtbot, services, key, write, monkeypatch):
    """Issue 18: the signature code (py-minisign and cryptography, ~50 ms to import) is loaded
    when a key or a signature is read, not when the Packs window opens and lists signed packs
    and conflicts; the trusted keys are read when their tab is shown."""
    import sys

    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    install.install_file(services.db, Policy(), write(_pack(1, [_template("acme.a")])), now=NOW)
    monkeypatch.setitem(sys.modules, "minisign", None)  # an import of it now fails
    dialog = _dialog(qtbot, services)
    assert dialog.pack_list.topLevelItem(0).text(3) == key.info.fingerprint
    with pytest.raises(ImportError):
        signing.parse_signature(b"not read without minisign")
    monkeypatch.undo()
    assert dialog.key_list.topLevelItemCount() == 0
    dialog.tabs.setCurrentWidget(dialog.keys_page)
    assert dialog.key_list.topLevelItem(0).text(1) == key.info.fingerprint
    with pytest.raises(signing.SignatureError):
        signing.parse_signature(b"not a signature")


def test_the_merge_runs_off_the_gui_thread_and_shows_its_progress(qtbot, services, key, write, no_popups,
                                                                  monkeypatch):
    import threading

    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    dialog = _dialog(qtbot, services)
    monkeypatch.setattr(install, "MERGE_PROGRESS_EVERY", 2)
    threads, statuses = [], []
    real_apply = install.apply
    monkeypatch.setattr(install, "apply", lambda *a, **k: threads.append(threading.current_thread())
                        or real_apply(*a, **k))
    real_set_text = dialog.status.setText
    monkeypatch.setattr(dialog.status, "setText", lambda text: statuses.append(text) or real_set_text(text))
    path = write(_pack(1, [_template(f"acme.t{i}") for i in range(5)]))
    dialog.install_path(path)
    qtbot.waitUntil(lambda: bool(no_popups) and dialog.install_button.isEnabled(), timeout=20000)
    assert threads and threads[0] is not threading.main_thread(), no_popups
    assert f"Installing {path.name}: 2 of 5 templates…" in statuses
    assert f"Installing {path.name}: 4 of 5 templates…" in statuses
    assert len(manage.list_packs(services.db)) == 1
    assert "version 1 installed" in no_popups[-1]


def test_the_merged_pack_is_freed_on_the_merge_s_thread(qtbot, services, key, write, no_popups, monkeypatch):
    """Issue 18: freed wherever its last reference went, in one stretch, a 50,000-template
    pack's objects held the interpreter lock 51-95 ms right after the merge (the window
    froze); the merge's thread frees them, a slice at a time."""
    import threading

    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    dialog = _dialog(qtbot, services)
    freed = []
    real_release = install.release

    def release(verified):
        templates = verified.pack.data["templates"]
        real_release(verified)
        freed.append((threading.current_thread(), len(templates)))

    monkeypatch.setattr(install, "release", release)
    dialog.install_path(write(_pack(1, [_template(f"acme.t{i}") for i in range(1200)])))
    qtbot.waitUntil(lambda: bool(no_popups) and dialog.install_button.isEnabled(), timeout=20000)
    assert "version 1 installed" in no_popups[-1]
    assert len(freed) == 1 and freed[0][0] is not threading.main_thread() and freed[0][1] == 0
    assert len(store.team_ids(services.db, "acme.refunds")) == 1200


def test_the_changelog_names_templates_by_title(qtbot, services, key, write, no_popups):
    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a"), _template("acme.b")])), now=NOW)
    install.install_file(db, Policy(), write(_pack(2, [_template("acme.a", "v2 {{greeting}}")])), now=NOW)
    dialog = _dialog(qtbot, services)
    dialog.pack_list.setCurrentItem(dialog.pack_list.topLevelItem(
        [dialog.pack_list.topLevelItem(i).text(0) for i in range(dialog.pack_list.topLevelItemCount())]
        .index("ACME refunds <b>EU</b>")))
    details = dialog.details.toPlainText()
    assert "updated: Refund acme.a" in details
    assert "retired: Refund acme.b" in details  # retired: still named by its title
    assert "added: Refund acme.a, Refund acme.b" in details


def _replies(qtbot, services):
    from ui.panels.replies import RepliesPanel

    panel = RepliesPanel(services)
    qtbot.addWidget(panel)
    panel.resize(420, 720)
    panel.show()
    qtbot.waitUntil(lambda: panel.index is not None and panel.results.count() > 0, timeout=10000)
    return panel


def _list_texts(panel):
    return {template_id: panel.results.item(i).text() for i, template_id in enumerate(panel.listed_ids())}


def test_whats_new_from_the_team_in_replies_until_read(qtbot, services, key, write, no_popups):
    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    panel = _replies(qtbot, services)
    assert not panel.team_news.isVisibleTo(panel)  # the starter pack is not news
    hall = services.hall
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a"), _template("acme.b"),
                                                       _template("acme.c")])), now=NOW)
    hall.packs_changed.emit()
    hall.library_changed.emit(None)
    bar = panel.team_news
    qtbot.waitUntil(lambda: bar.isVisibleTo(panel))  # read on the worker
    assert bar.label.text().startswith("What's new from your team: 3 new — Refund acme.a, Refund acme.b")
    assert bar.label.textFormat() == Qt.PlainText
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(SHOTS / "replies-team-news.png"))
    # new templates carry a mark in the list until first used
    texts = _list_texts(panel)
    assert all(texts[t].startswith("● ") for t in ("acme.a", "acme.b", "acme.c"))
    assert not any(text.startswith("● ") for tid, text in texts.items() if not tid.startswith("acme."))
    panel.select_template("acme.a")
    panel.copy_reply()
    panel.refilter()
    assert not _list_texts(panel)["acme.a"].startswith("● ")
    assert _list_texts(panel)["acme.b"].startswith("● ")
    # stays until read: reloading does not clear it; Show lists the titles and reads it
    panel.reload()
    qtbot.waitUntil(lambda: not bar.news_read.pending)
    assert bar.isVisibleTo(panel)
    qtbot.mouseClick(bar.show_button, Qt.LeftButton)
    assert "Refund acme.c" in no_popups[-1]
    assert not bar.isVisibleTo(panel)
    panel.reload()
    qtbot.waitUntil(lambda: not bar.news_read.pending)
    assert not bar.isVisibleTo(panel)


def test_the_team_s_news_is_read_off_the_gui_thread_and_a_read_mark_wins(qtbot, services, key, write,
                                                                          no_popups, monkeypatch):
    """After a large pack the news names every template: it is read on the worker (it was
    3.5 s on the GUI thread at 50,000, at every change until read), a read that was on its
    way when the agent marked the news read does not bring it back, and Show lists a few
    titles per heading, not all of them."""
    import threading

    import ui.team_news as team_news
    from assistant.packs import news

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    panel = _replies(qtbot, services)
    bar = panel.team_news
    qtbot.waitUntil(lambda: not bar.news_read.pending)
    threads, hold, found_it = [], threading.Event(), threading.Event()
    real = news.unread

    def watched(db):
        threads.append(threading.current_thread())
        found = real(db)
        found_it.set()
        hold.wait(10)
        return found

    monkeypatch.setattr(news, "unread", watched)
    monkeypatch.setattr(team_news, "LISTED", 3)
    install.install_file(db, Policy(), write(_pack(1, [_template(f"acme.t{i}") for i in range(5)])), now=NOW)
    hold.set()
    services.hall.packs_changed.emit()
    qtbot.waitUntil(lambda: bar.isVisibleTo(panel))
    assert threads and threading.main_thread() not in threads
    assert "5 new" in bar.label.text()
    qtbot.mouseClick(bar.show_button, Qt.LeftButton)  # read: the list, a few titles and the count
    listed = no_popups[-1]
    assert listed.count("• Refund acme.t") == 3 and "and 2 more" in listed
    assert not bar.isVisibleTo(panel)

    install.install_file(db, Policy(), write(_pack(2, [_template(f"acme.t{i}") for i in range(6)])), now=NOW)
    services.hall.packs_changed.emit()
    qtbot.waitUntil(lambda: bar.isVisibleTo(panel) and "1 new" in bar.label.text())
    hold.clear()
    found_it.clear()
    services.hall.library_changed.emit(None)  # a read on its way, held on the worker...
    qtbot.waitUntil(found_it.is_set)
    bar.mark_read()  # ...when the agent reads the news
    shown = []
    real_show = bar._show
    monkeypatch.setattr(bar.news_read, "_show", lambda found: shown.append(found.empty) or real_show(found))
    hold.set()
    qtbot.waitUntil(lambda: not bar.news_read.pending)
    assert shown == [True] and not bar.isVisibleTo(panel)  # not shown again, even for a moment


def test_a_change_that_needs_a_choice_leads_to_the_side_by_side_view(qtbot, services, key, write,
                                                                      no_popups, monkeypatch):
    import ui.packs_dialog as packs_dialog

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a", "Hello.\nv1")])), now=NOW)
    _edit_locally(db, "acme.a", "Mine.\nv1")
    panel = _replies(qtbot, services)
    panel.team_news.mark_read()  # the first install was read
    install.install_file(db, Policy(), write(_pack(2, [_template("acme.a", "Hello.\nv2"),
                                                       _template("acme.n")])), now=NOW)
    services.hall.packs_changed.emit()
    bar = panel.team_news
    qtbot.waitUntil(lambda: "1 new, 1 needs your choice" in bar.label.text())
    assert bar.show_button.text() == "Choose…"
    opened = []
    monkeypatch.setattr(packs_dialog, "open_packs_dialog", lambda window, tid=None: opened.append(tid))
    qtbot.mouseClick(bar.show_button, Qt.LeftButton)
    assert opened == ["acme.a"] and not bar.isVisibleTo(panel)


def test_a_team_update_in_a_large_library_is_listed_in_replies_without_reading_it_all(
        qtbot, services, key, write, no_popups, monkeypatch):
    """The install announces the templates it changed: Replies reads only those (issue 18)."""
    from ui.panels import replies
    from ui.panels.replies import RepliesPanel

    db = services.db
    trust.add_key(db, key.public_path.read_text(), now=NOW)
    install.install_file(db, Policy(), write(_pack(1, [_template("acme.a"), _template("acme.b")])), now=NOW)
    monkeypatch.setattr(replies, "SYNC_INDEX_LIMIT", 3)  # the starter pack and these count as large
    panel = RepliesPanel(services)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.index is not None and panel._pending_read is None)
    whole_reads = []
    real_read = replies.read_library_file
    monkeypatch.setattr(replies, "read_library_file", lambda *a: whole_reads.append(1) or real_read(*a))
    changed = _template("acme.a")
    changed["variants"]["en"]["title"] = "Refund okapi"
    dialog = _dialog(qtbot, services)
    dialog.install_path(write(_pack(2, [changed, _template("acme.c")], pack_id="acme.refunds")))
    qtbot.waitUntil(lambda: getattr(dialog, "last_result", None) is not None, timeout=10000)
    panel.search.setText("okapi")
    assert panel.listed_ids() == ["acme.a"]
    assert "acme.c" in panel.entries and "acme.b" not in panel.entries  # added, retired
    assert whole_reads == [] and panel._pending_read is None


def test_the_list_of_team_updates_is_not_sized_to_its_titles(qtbot, services):
    """Issue 18: a team update may touch thousands of replies; sized to its contents, the
    list measured every title at the page's first showing, on the GUI thread."""
    few, many = _dialog(qtbot, services), _dialog(qtbot, services)
    many.conflict_list.addItems([f"reply {i} " + "with a long title " * 10 for i in range(300)])
    assert many.conflict_list.sizeHint().width() == few.conflict_list.sizeHint().width()
