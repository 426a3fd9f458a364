"""Importing tasks in the app: off the GUI thread with progress, all or nothing, the queue
told through the hall."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressDialog

from assistant.tasks.store import TaskStore


def _export(count: int) -> str:
    rows = "".join(f"{i},u{i},Task {i},2026-11-23T10:00:00Z\n" for i in range(1, count + 1))
    return "id,uid,title,created_at\n" + rows


def test_import_shows_progress_writes_every_task_and_tells_the_queue(main_window, qtbot, services, tmp_path,
                                                                     monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 10)
    path = tmp_path / "tasks.csv"
    path.write_text(_export(35), encoding="utf-8")
    labels, announced = [], []
    services.hall.tasks_changed.connect(announced.append)
    task = main_window.import_tasks(str(path))
    dialog = main_window.findChild(QProgressDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.canceled.connect(lambda: labels.append("canceled"))
    original = dialog.setLabelText
    monkeypatch.setattr(dialog, "setLabelText", lambda text: labels.append(text) or original(text))
    assert task is not None
    # (the outcome, not the task's signal: a fast worker may report before a wait connects)
    qtbot.waitUntil(lambda: bool(announced), timeout=20_000)
    assert TaskStore(services.db).count() == 35
    assert announced == [None]
    assert "Writing 35 of 35 tasks…" in labels and "Checked 30 tasks…" in labels
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "Imported 35 new task(s), replaced 0." in main_window.statusBar().currentMessage()


def test_a_bad_file_is_reported_and_nothing_is_imported(main_window, qtbot, services, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.task_import.plain_message", lambda parent, icon, title, text: shown.append(text))
    path = tmp_path / "tasks.csv"
    path.write_text(_export(3) + "4,u4,Bad,yesterday\n", encoding="utf-8")
    main_window.import_tasks(str(path))
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert shown[0].startswith("tasks.csv: Line 5: created_at 'yesterday'") and shown[0].endswith("Nothing was imported.")
    assert TaskStore(services.db).count() == 0


def test_the_palette_offers_the_import(main_window):
    assert "Import tasks…" in [c.title for c in main_window.commands()]


def test_a_big_import_shows_its_result_then_checkpoints_and_frees_memory(main_window, qtbot, services, tmp_path,
                                                                         checkpoints):
    """The import's commit leaves its pages in the write-ahead log (SQLite would otherwise copy
    them into the database file inside the commit, while the agent waits); a thread of its own
    copies them once the result is shown, then gives the memory the import freed back."""
    notes = "Customer asked twice about the refund of the returned item. " * 16  # 1 KB
    rows = "".join(f"{i},u{i},Task {i},2026-11-23T10:00:00Z,{notes}\n" for i in range(1, 6001))
    path = tmp_path / "tasks.csv"
    path.write_text("id,uid,title,created_at,notes\n" + rows, encoding="utf-8")
    main_window.import_tasks(str(path))
    qtbot.waitUntil(lambda: bool(checkpoints.sizes), timeout=30_000)
    assert "Imported 6000 new task(s)" in main_window.statusBar().currentMessage()
    assert checkpoints.sizes == [checkpoints.before]  # committed, not copied into the file
    assert checkpoints.path.with_name(checkpoints.path.name + "-wal").stat().st_size > 4_096_000
    qtbot.waitUntil(lambda: checkpoints.path.stat().st_size > checkpoints.before + 4_000_000, timeout=10_000)
    assert TaskStore(services.db).count() == 6000
    qtbot.waitUntil(lambda: checkpoints.steps == ["checkpoint", "memory released"], timeout=10_000)  # what it freed
