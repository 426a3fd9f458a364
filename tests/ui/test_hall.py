"""The hall, through the main window: whoever writes announces, every view that shows the data
follows -- also when the writer is another process (the CLI), seen within a tick of the
window's watch. And the hub: a task's "open customer" sets the customer everywhere."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant import settings
from assistant.customer import CustomerContext

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def pack(version: int, template_id: str, title: str) -> dict:
    return {"format": "agent-assistant-pack", "format_version": 1, "id": "acme.refunds",
            "title": "ACME refunds", "publisher": "ACME Support", "publisher_key_id": None,
            "version": version, "created": "2025-01-01T08:00:00Z", "min_app_version": "0.1",
            "default_language": "en", "languages": ["en"],
            "templates": [{"id": template_id, "tags": ["refund"], "default_language": "en",
                           "variants": {"en": {"title": title, "body": "{{greeting}}, your refund is on its way."}}}]}


def write_pack(folder: Path, data: dict, key=None) -> Path:
    from assistant.packs import signing

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}-{data['version']}.agentpack.json"
    raw = json.dumps(data).encode("utf-8")
    path.write_bytes(raw)
    if key is not None:
        secret = signing.load_secret_key(key.secret_path, None)
        path.with_name(path.name + ".minisig").write_bytes(signing.sign_bytes(raw, secret))
    return path


@pytest.fixture
def window(main_window, qtbot):
    """The window as it runs: shown, started after its first paint, the Replies list loaded."""
    main_window.show()
    main_window.start_deferred()
    replies = main_window.panel_by_id("replies")
    replies._load_once()
    qtbot.waitUntil(lambda: replies.index is not None, timeout=10000)
    return main_window


def listed(replies) -> list[str]:
    return replies.listed_ids()


def test_the_watch_runs_only_while_the_window_is_shown(window, qtbot):
    hall = window.services.hall
    assert hall.watching
    window.hide()
    assert not hall.watching
    window.show()
    assert hall.watching
    window.showMinimized()
    qtbot.waitUntil(lambda: not hall.watching, timeout=2000)
    window.showNormal()
    qtbot.waitUntil(lambda: hall.watching, timeout=2000)


def test_a_pack_from_the_inbox_reaches_replies(window, qtbot, tmp_path):
    from assistant.packs import signing, trust
    from assistant.policy import Policy
    from ui.packs_dialog import InboxWatch

    services = window.services
    key = signing.generate_keypair(tmp_path / "lead.key", tmp_path / "lead.pub", None)
    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    services.runtime.policy = Policy()._replace(pack_inbox=str(tmp_path / "inbox"))
    write_pack(tmp_path / "inbox", pack(1, "acme.refund.inbox", "Refund from the inbox"), key)
    replies = window.panel_by_id("replies")
    watch = InboxWatch(services, window, now=lambda: NOW)
    with qtbot.waitSignals([services.hall.packs_changed, services.hall.library_changed], timeout=10000):
        watch.check()
    assert "acme.refund.inbox" in replies.entries
    replies.search.setText("Refund from the inbox")
    assert listed(replies)[0] == "acme.refund.inbox"


def test_a_pack_from_the_packs_window_reaches_replies(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from assistant.packs import signing, trust
    from ui.packs_dialog import PacksDialog

    services = window.services
    key = signing.generate_keypair(tmp_path / "lead.key", tmp_path / "lead.pub", None)
    trust.add_key(services.db, key.public_path.read_text(), now=NOW)
    path = write_pack(tmp_path / "downloads", pack(1, "acme.refund.window", "Refund from the packs window"), key)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.Ok)  # the "installed" note
    replies = window.panel_by_id("replies")
    dialog = PacksDialog(services, window, now=lambda: NOW)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([services.hall.packs_changed, services.hall.library_changed], timeout=10000):
        dialog.install_path(path)
    assert "acme.refund.window" in replies.entries
    replies.search.setText("Refund from the packs window")
    assert listed(replies)[0] == "acme.refund.window"


def test_a_pack_installed_by_the_cli_in_another_process_reaches_replies_within_2_s(window, qtbot, tmp_path):
    services = window.services
    replies = window.panel_by_id("replies")
    path = write_pack(tmp_path / "from-lead", pack(1, "acme.refund.cli", "Refund installed by IT"))
    env = {**os.environ, "AGENT_ASSISTANT_HOME": str(services.runtime.data_dir.path)}
    done = subprocess.run([sys.executable, "-m", "assistant", "pack", "install", str(path), "--allow-unsigned"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    installed = time.monotonic()
    assert "acme.refund.cli" not in replies.entries  # nothing told the app (yet)
    qtbot.waitUntil(lambda: "acme.refund.cli" in replies.entries, timeout=2000)
    logging.getLogger(__name__).info("CLI install reached Replies after %.0f ms",
                                     (time.monotonic() - installed) * 1000)
    replies.search.setText("Refund installed by IT")
    assert listed(replies)[0] == "acme.refund.cli"


def test_tasks_and_settings_changed_by_the_cli_reach_the_window(window, qtbot, run_cli, show_view):
    queue = window.panel_by_id("queue")
    hall = window.services.hall
    code, _out, err = run_cli("tasks", "add", "Call back from the CLI", "--customer", "Tokyo")
    assert code == 0, err
    with qtbot.waitSignal(hall.tasks_changed, timeout=3000) as changed:
        pass
    assert changed.args == [None]  # another process: which tasks is not known
    show_view(queue, "upcoming")
    assert "Call back from the CLI" in [r.task.title for r in queue.model.rows]
    code, _out, err = run_cli("settings", "set", "ui.compact", "true")
    assert code == 0, err
    qtbot.waitUntil(lambda: window.compact, timeout=3000)


def test_opening_a_task_s_customer_sets_the_field_the_recents_and_the_clock(window, qtbot, show_view):
    from PySide6.QtCore import Qt

    from assistant.tasks.model import Task

    bar = window.customer_bar
    qtbot.waitUntil(lambda: bar.ready, timeout=10000)
    bar.apply_text("Manila")
    queue = window.panel_by_id("queue")
    lucia = CustomerContext(name="Lucía", phone="+525512345678", country="MX", zone="America/Mexico_City",
                            language="es")
    task = queue.store.add(Task("Call Lucía back", priority="urgent", customer=lucia),
                           datetime.now(timezone.utc))  # due within the hour: in Now
    window.services.hall.tasks_changed.emit(frozenset({task.id}))
    show_view(queue, "now")
    queue.select_row(queue.model.row_of(task.id))
    window.show_panel(window.panel_index("queue"))
    qtbot.keyClick(queue.tree, Qt.Key_Return)
    context = window.services.customer.context
    assert (context.name, context.zone) == ("Lucía", "America/Mexico_City")
    assert bar.input.text() == "Lucía, +525512345678"  # not "Manila" any more
    assert bar.how_label.text() == "task: Call Lucía back"
    assert [c.name for c in window.services.session.recents()][:2] == ["Lucía", None]
    assert "UTC-06:00" in bar.clock.zone_label.text()
    assert window.panel_by_id("culture").customer_code == "MX"


def test_the_settings_dialog_moves_the_queue_and_the_clock(window, qtbot, monkeypatch, show_view):
    from assistant.tasks.model import Task
    from ui.settings_dialog import SettingsDialog

    services = window.services
    settings.put(services.db, "clock.agent_zone", "Europe/Paris")
    services.hall.settings_changed.emit("clock.agent_zone")
    queue = window.panel_by_id("queue")
    follow_up = datetime(2030, 1, 15, 9, 0, tzinfo=timezone.utc)
    due = datetime(2030, 1, 20, 9, 0, tzinfo=timezone.utc)
    task = queue.store.add(Task("Follow up", follow_up_at=follow_up, response_due_at=due, resolution_due_at=due),
                           datetime.now(timezone.utc))
    services.hall.tasks_changed.emit(frozenset({task.id}))
    show_view(queue, "upcoming")
    row = queue.model.row_of(task.id)
    assert queue.model.index(row, 2).data().endswith("10:00 AM")  # 09:00 UTC in Paris, 12-hour (English)

    def save_tokyo(dialog):
        dialog.agent_zone.setText("Asia/Tokyo")
        dialog.hour_cycle.setCurrentIndex(dialog.hour_cycle.findData("24"))
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", save_tokyo)
    with qtbot.waitSignal(services.hall.settings_changed):
        window.show_settings()
    assert queue.agent_zone == "Asia/Tokyo" == window.customer_bar.agent_zone()
    # the one 12/24-hour choice reached the queue (its view read again on its worker) and the clock
    qtbot.waitUntil(lambda: not queue.reading)
    assert queue.model.index(queue.model.row_of(task.id), 2).data().endswith("18:00")
    assert settings.get(services.db, "clock.hour_cycle") == "24"


def test_the_settings_dialog_refuses_an_unknown_zone_and_stores_nothing(window, qtbot):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.services, window)
    qtbot.addWidget(dialog)
    dialog.agent_name.setText("Ana")
    dialog.agent_zone.setText("Europe/Pariss")
    dialog.save()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "Europe/Paris" in dialog.error.text()  # the suggestion
    assert not settings.is_set(window.services.db, "profile.agent_name")


def test_the_region_setting_reads_national_numbers_in_the_bar(window, qtbot):
    from ui.settings_dialog import SettingsDialog

    bar = window.customer_bar
    dialog = SettingsDialog(window.services, window)
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData("MX"))
    dialog.save()
    assert settings.get(window.services.db, "customer.default_region") == "MX"
    assert bar.apply_text("55 1234 5678")
    assert window.services.customer.context.country == "MX"


def test_a_write_nobody_announced_is_still_heard_and_logged(window, qtbot, caplog):
    hall = window.services.hall
    settings.put(window.services.db, "ui.always_on_top", True)  # past the hall: a bug
    with caplog.at_level(logging.ERROR, logger="assistant.storage.changes"):
        with qtbot.waitSignal(hall.settings_changed, timeout=3000) as heard:
            hall.check()
    assert heard.args == ["ui.always_on_top"] and "not announced" in caplog.text
    assert window.on_top_action.isChecked()
    window.services.put_setting("ui.always_on_top", False)  # announced: not heard twice
    with qtbot.assertNotEmitted(hall.settings_changed):
        hall.check()
