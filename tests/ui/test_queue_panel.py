"""The Queue panel: views, ordering, countdowns in both zones, "why it is here",
keyboard actions (J/K, Enter, Space, S, E, Delete + undo), badge and notifications."""

from dataclasses import replace
from datetime import timedelta

import pytest
from babel.dates import get_day_names, get_month_names
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QToolTip

from assistant import settings
from assistant.customer import CustomerContext
from assistant.tasks.model import Task
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 24, 9)  # Tuesday 10:00 in Paris, 18:00 in Tokyo
H = timedelta(hours=1)
ITO = CustomerContext(name="Ito Hana", phone="+81312345678", country="JP", zone="Asia/Tokyo", language="ja")


@pytest.fixture
def panel(qtbot, services):
    from ui.panels.queue import QueuePanel

    settings.put(services.db, "tasks.schedule", {"zone": "Europe/Paris", "holidays_country": "FR"})
    settings.put(services.db, "clock.agent_zone", "Europe/Paris")  # the agent works in Paris too
    p = QueuePanel(services, clock=lambda: NOW)
    qtbot.addWidget(p)
    p.resize(460, 520)
    store = p.store
    store.add(Task("Breached low", priority="low", resolution_due_at=NOW - H, response_due_at=NOW - H), NOW - 5 * H)
    store.add(Task("Call back Mrs Ito about the refund", priority="high", customer=ITO, tags=("refund",),
                   channel="call", follow_up_at=NOW - 10 * timedelta(minutes=1),
                   resolution_due_at=NOW + 2 * H, response_due_at=NOW + 2 * H), NOW - 2 * H)
    store.add(Task("Urgent <b>html</b> title", priority="urgent", resolution_due_at=NOW + 3 * H,
                   response_due_at=NOW + 3 * H), NOW - H)
    store.add(Task("Later", resolution_due_at=NOW + 72 * H, response_due_at=NOW + 72 * H), NOW)
    p.reload()
    p.show()
    p.tree.setFocus()
    # the tab's count, the filter lists and the settings' re-read, on the worker
    qtbot.waitUntil(lambda: not p.counting and not p.reading)
    return p


def hover_tooltip(panel, row: int, column: int = 0) -> str:
    """The tooltip the list shows when the pointer rests on a cell (Qt's own help event)."""
    rect = panel.tree.visualRect(panel.model.index(row, column))
    viewport = panel.tree.viewport()
    QToolTip.hideText()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.ToolTip, rect.center(), viewport.mapToGlobal(rect.center())))
    return QToolTip.text()


def titles(panel):
    return [r.task.title for r in panel.model.rows]


def read(qtbot, panel):
    """Wait for the search's debounce and the view read on the panel's worker."""
    qtbot.waitUntil(lambda: not panel._search_timer.isActive() and not panel.reading)


def key(qtbot, panel, k):
    qtbot.keyClick(panel.tree, k)


def test_now_view_order_countdowns_and_both_times(panel):
    assert titles(panel) == ["Breached low", "Call back Mrs Ito about the refund", "Urgent <b>html</b> title"]
    model = panel.model
    assert model.index(0, 1).data() == "breached 1 h 00 min ago"
    assert model.index(0, 1).data(Qt.ForegroundRole) is not None
    assert model.index(1, 1).data() == "2 h 00 min left"
    assert model.index(1, 0).data() == "Call back Mrs Ito about the refund — Ito Hana"
    # follow-up in the agent's and the customer's time
    assert model.index(1, 2).data() == "9:50 AM · their 5:50 PM"  # 12-hour: the English UI's habit
    tooltip = hover_tooltip(panel, 1, 2)  # any of the row's cells
    document = QTextDocument()
    document.setHtml(tooltip)  # escaped: a title or a note with markup is shown as written
    why = document.toPlainText()
    assert why.startswith("Why it is here:") and "Follow-up due: +30.0" in why
    assert "Customer's business hours" not in why  # 18:00 in Tokyo: their day is over
    assert "Breached low" in panel.detail.text()  # the first row is selected
    assert panel.badge() == 3


def test_the_tab_count_and_filter_lists_follow_every_change_counted_off_the_gui_thread(
        panel, qtbot, services, monkeypatch):
    """The badge (open tasks due now) and the tag and country lists are read on the panel's
    worker (9-17 ms and 12 ms at 100,000 tasks on the GUI thread before): after a change the
    panel made, one another program made, and as time passes; the tab is told each time."""
    import sqlite3
    import threading

    import sqlite_utils

    from assistant.tasks.store import TaskStore

    threads = []
    real = TaskStore.count_now
    monkeypatch.setattr(TaskStore, "count_now", lambda self, now: threads.append(threading.current_thread()) or
                        real(self, now))
    told = []
    panel.badge_changed.connect(lambda: told.append(panel.badge()))
    assert panel.badge() == 3
    task = panel.store.add(Task("Due soon", priority="high", tags=("vip",), resolution_due_at=NOW + H,
                                response_due_at=NOW + H), NOW)
    panel._changed(task.id)  # as the panel announces its own writes
    qtbot.waitUntil(lambda: panel.badge() == 4 and panel.tag_filter.findData("vip") > 0)

    services.hall.watch(services.runtime.conn)
    other = sqlite_utils.Database(sqlite3.connect(services.runtime.data_dir.database))
    try:
        TaskStore(other).mark_done(task.id, NOW)
        other.conn.commit()
    finally:
        other.conn.close()
    services.hall.check()  # what the hall's timer does about once a second
    qtbot.waitUntil(lambda: panel.badge() == 3)

    panel.clock = lambda: NOW + 70 * H  # "Later" (due in 72 h) comes into the 4-hour Now window
    panel.tick()
    qtbot.waitUntil(lambda: not panel.counting)
    assert told == [4, 3, 4] and panel.badge() == 4
    assert threads and threading.main_thread() not in threads


def test_views_and_filters(panel, qtbot, show_view):
    show_view(panel, "upcoming")
    assert titles(panel) == ["Later"]
    show_view(panel, "now")
    panel.search.setText("country:JP")
    assert titles(panel) == ["Breached low", "Call back Mrs Ito about the refund", "Urgent <b>html</b> title"]
    read(qtbot, panel)  # the search is read on the worker: the rows shown meanwhile stay
    assert titles(panel) == ["Call back Mrs Ito about the refund"]
    panel.search.setText("")
    read(qtbot, panel)
    assert len(titles(panel)) == 3
    panel.tag_filter.setCurrentIndex(panel.tag_filter.findData("refund"))
    read(qtbot, panel)
    assert titles(panel) == ["Call back Mrs Ito about the refund"]
    panel.tag_filter.setCurrentIndex(0)
    panel.channel_filter.setCurrentIndex(panel.channel_filter.findData("call"))
    read(qtbot, panel)
    assert titles(panel) == ["Call back Mrs Ito about the refund"]
    panel.channel_filter.setCurrentIndex(0)
    panel.search.setText("nothing like this")
    read(qtbot, panel)
    assert titles(panel) == []
    assert panel.empty.isVisible() and "No task matches" in panel.empty.text()


def test_j_k_move_and_enter_sets_the_customer(panel, qtbot, services):
    assert panel.current_row() == 0
    key(qtbot, panel, Qt.Key_J)
    assert panel.current_task().title == "Call back Mrs Ito about the refund"
    key(qtbot, panel, Qt.Key_J)
    key(qtbot, panel, Qt.Key_J)  # stays on the last row
    assert panel.current_row() == 2
    key(qtbot, panel, Qt.Key_K)
    with qtbot.waitSignal(services.customer.changed):
        key(qtbot, panel, Qt.Key_Return)
    context = services.customer.context
    assert (context.name, context.zone, context.country, context.language) == ("Ito Hana", "Asia/Tokyo", "JP", "ja")


def test_space_marks_done_and_reopens_from_done(panel, qtbot, show_view):
    key(qtbot, panel, Qt.Key_J)
    key(qtbot, panel, Qt.Key_Space)
    assert "Call back Mrs Ito about the refund" not in titles(panel)
    assert panel.store.get(2).status == "done"
    show_view(panel, "done")
    assert titles(panel) == ["Call back Mrs Ito about the refund"]
    panel.tree.setFocus()
    key(qtbot, panel, Qt.Key_Space)
    assert panel.store.get(2).status == "open"


def test_delete_then_undo(panel, qtbot):
    before = panel.store.get(1)
    key(qtbot, panel, Qt.Key_Delete)
    assert "Breached low" not in titles(panel)
    assert panel.undo_bar.isVisible() and "Breached low" in panel.undo_label.text()
    qtbot.keyClick(panel.tree, Qt.Key_Z, Qt.ControlModifier)
    assert titles(panel)[0] == "Breached low"
    assert panel.store.get(1) == before
    assert panel.current_task().id == 1


def test_snooze_with_s(panel, qtbot, show_view):
    key(qtbot, panel, Qt.Key_S)
    dialog = panel.active_dialog
    assert dialog is not None and dialog.objectName() == "snooze-dialog"
    dialog.when.input.setText("in 2h")
    tue, nov = get_day_names("abbreviated", locale="en")[1], get_month_names("abbreviated", locale="en")[11]
    assert f"You: {tue} 24 {nov} 12:00" in dialog.when.preview.text()  # the installed CLDR's names
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert "Breached low" not in titles(panel)
    assert panel.store.get(1).snoozed_until == NOW + 2 * H
    show_view(panel, "upcoming")
    assert "Breached low" in titles(panel)


def test_edit_with_e(panel, qtbot):
    key(qtbot, panel, Qt.Key_J)
    key(qtbot, panel, Qt.Key_E)
    dialog = panel.active_dialog
    assert dialog.objectName() == "task-dialog" and dialog.title.text() == "Call back Mrs Ito about the refund"
    dialog.title.setText("Call back Mrs Ito (refund approved)")
    dialog.priority.setCurrentIndex(0)
    dialog.buttons.button(QDialogButtonBox.Save).click()
    stored = panel.store.get(2)
    assert stored.title == "Call back Mrs Ito (refund approved)" and stored.priority == "urgent"
    assert stored.customer.zone == "Asia/Tokyo"


def test_untrusted_text_is_plain(panel, qtbot):
    from PySide6.QtGui import QGuiApplication

    panel.select_row(2)
    assert panel.detail.textFormat() == Qt.PlainText
    assert "Urgent <b>html</b> title" in panel.detail.text()
    assert panel.task_actions["copy"] in panel.detail.actions()  # its context menu
    QGuiApplication.clipboard().clear()
    key(qtbot, panel, Qt.Key_C)  # C on the list
    assert QGuiApplication.clipboard().text() == panel.detail.text()
    assert panel.status.text() == "Details copied."
    panel.status.setText("Done: “Urgent <b>html</b> title”." * 5)  # longer than the panel
    assert panel.status.textFormat() == Qt.PlainText
    assert panel.status.text() == "Done: “Urgent <b>html</b> title”." * 5
    assert panel.status.toolTip()  # elided on screen: the whole text in its (escaped) tooltip
    height = panel.status.height()
    panel.status.setText("Done.")
    assert panel.status.height() == height and not panel.status.toolTip()


def test_minute_tick_notifies_once_without_taking_focus(panel, services, qtbot):
    told = []
    services.notify = lambda title, message: told.append((title, message))
    panel.tree.setFocus()
    focused = panel.focusWidget()
    panel.tick()
    qtbot.waitUntil(lambda: ("Follow-up due", "Call back Mrs Ito about the refund (Ito Hana)") in told)
    count = len(told)
    panel.tick()
    qtbot.waitUntil(lambda: not panel._noticing and not panel.reading)
    assert len(told) == count
    assert panel.focusWidget() is focused


def test_breach_soon_notice(panel, services, qtbot):
    told = []
    services.notify = lambda title, message: told.append((title, message))
    panel.store.add(Task("About to breach", resolution_due_at=NOW + 10 * timedelta(minutes=1),
                         response_due_at=NOW + 10 * timedelta(minutes=1)), NOW)
    panel.tick()
    qtbot.waitUntil(lambda: ("SLA breach soon", "About to breach: breaches in 10 min") in told)


def test_focus_lands_on_the_list_and_search_hands_over(panel, qtbot):
    for key_ in (Qt.Key_Down, Qt.Key_Return, Qt.Key_Enter):
        panel.search.setFocus()
        qtbot.keyClick(panel.search, key_)
        assert panel.tree.hasFocus(), key_
    panel.setFocus()
    assert panel.tree.hasFocus()


def test_every_task_key_has_a_visible_twin(panel, qtbot):
    """A button marks the selected task done (Space stays), the row's context menu offers
    done, snooze, edit, open customer, and each is in the palette."""
    from PySide6.QtWidgets import QToolButton

    buttons = {b.defaultAction().objectName(): b for b in panel.task_bar.findChildren(QToolButton)}
    assert {"queue-done", "queue-snooze", "queue-edit", "queue-open"} <= set(buttons)
    assert all(b.isVisible() for b in buttons.values())
    assert "(Space)" in buttons["queue-done"].toolTip()
    panel.select_row(1)
    qtbot.mouseClick(buttons["queue-done"], Qt.LeftButton)
    assert panel.store.get(2).status == "done"

    rect = panel.tree.visualRect(panel.model.index(0, 0))
    panel.tree.customContextMenuRequested.emit(rect.center())
    menu = panel.context_menu
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names == ["queue-done", "queue-snooze", "queue-edit", "queue-open", "queue-copy",
                     "queue-delete"]
    menu.close()
    next(a for a in menu.actions() if a.objectName() == "queue-edit").trigger()
    assert panel.active_dialog.objectName() == "task-dialog"
    panel.active_dialog.reject()

    commands = {c.title: c for c in panel.commands()}
    for title in ("Queue: Mark the task done", "Queue: Snooze the task", "Queue: Edit the task",
                  "Queue: Open the task's customer", "Queue: Copy the task's details"):
        assert title in commands
    assert commands["Queue: Mark the task done"].shortcut == "Space"


def test_task_buttons_follow_the_selection(panel, show_view):
    show_view(panel, "done")
    assert not panel.task_actions["done"].isEnabled()  # nothing done yet: nothing selected
    show_view(panel, "now")
    panel.select_row(0)  # no customer on this task
    assert panel.task_actions["done"].isEnabled() and not panel.task_actions["open"].isEnabled()
    panel.toggle_done()
    show_view(panel, "done")
    assert panel.task_actions["done"].text() == "Reopen" and not panel.task_actions["snooze"].isEnabled()


@pytest.mark.parametrize("view", ["now", "upcoming", "waiting", "done"])
def test_a_change_updates_the_shown_rows_exactly_as_a_full_read_would(qtbot, panel, view, monkeypatch,
                                                                    show_view):
    """Changes announced with their ids are put in place by reading only those tasks: the
    rows shown are always the view's exact first rows, never fewer than VIEW_LIMIT when the
    view has them (then it is read again), also with a search typed."""
    monkeypatch.setattr("ui.panels.queue.VIEW_LIMIT", 12)
    monkeypatch.setattr("ui.panels.queue.RESERVE", 4)
    store = panel.store
    show_view(panel, view)
    full_reads = []
    real_view = store.view
    monkeypatch.setattr(store, "view", lambda *a, **k: full_reads.append(a[0]) or real_view(*a, **k))
    changed = lambda *ids: panel.services.hall.tasks_changed.emit(frozenset(ids))  # noqa: E731
    shown = lambda: [r.task.id for r in panel.model.rows]  # noqa: E731

    def exact():
        everything = [r.task.id for r in real_view(view, NOW, panel.filters(), limit=None)]
        assert shown() == everything[:len(shown())]
        assert len(shown()) >= min(12, len(everything))

    many = [store.add(Task(f"Bulk {i}", priority="high", status=["open", "waiting", "done"][i % 3],
                           resolution_due_at=NOW + (i % 7 - 3) * H, response_due_at=NOW + (i % 7 - 3) * H,
                           follow_up_at=NOW + (i % 5 - 2) * H), NOW - H) for i in range(120)]
    panel.reload()
    exact()
    full_reads.clear()
    task = store.add(Task("Fresh urgent one", priority="urgent", resolution_due_at=NOW + H,
                          response_due_at=NOW + H), NOW)
    changed(task.id)
    exact()
    for victim in many[:12] + [task]:
        store.set_status(victim.id, "done" if store.get(victim.id).status != "done" else "open", NOW)
        changed(victim.id)
        exact()
    store.delete(many[20].id)
    changed(many[20].id)
    exact()
    panel.search.setText("bulk 1")
    panel.reload(refresh_choices=False)
    store.update(replace(store.get(many[12].id), title="Renamed"), NOW)
    changed(many[12].id)
    exact()
    assert len(full_reads) < 12  # most changes read only the changed task


def test_search_and_tick_read_off_the_gui_thread_and_keep_the_selection(panel, qtbot, monkeypatch):
    """Issue 18: the reads that grow with the queue run on the panel's worker; only the
    latest one asked for is shown, and the selected task stays selected."""
    import threading

    from assistant.tasks.store import TaskStore

    threads = []
    real_view = TaskStore.view
    monkeypatch.setattr(TaskStore, "view", lambda self, *a, **k: threads.append(
        threading.current_thread()) or real_view(self, *a, **k))
    panel.select_row(1)
    selected = panel.current_task_id()
    panel.search.setText("refund")
    read(qtbot, panel)
    assert titles(panel) == ["Call back Mrs Ito about the refund"]
    assert panel.current_task_id() == selected
    panel.search.setText("")
    read(qtbot, panel)
    assert panel.current_task_id() == selected  # not moved to the first row
    panel.tick()
    read(qtbot, panel)
    assert threads and threading.main_thread() not in threads

    # two reads asked for at once: the first one's rows are never shown
    shown = []
    monkeypatch.setattr(panel.model, "set_rows", lambda rows, now, prepared=None: shown.append(
        [r.task.title for r in rows]))
    panel.search.setText("country:JP")
    panel.reload_later()
    panel.search.setText("zzz nothing")
    panel.reload_later()
    read(qtbot, panel)
    assert shown and all(rows == [] for rows in shown)  # (the debounce's read too)


def test_a_read_starts_after_the_event_loop_painted_and_only_the_latest_asked_for(panel, qtbot, monkeypatch):
    """Issue 18: a read started at once made the paint of what asked for it (a view tab, a
    search keystroke) wait for the interpreter lock behind the worker, cell by cell; the
    read now starts on the next pass of the event loop, and reads asked for meanwhile
    become one (the latest)."""
    from assistant.tasks.store import TaskStore

    asked = []
    real_view = TaskStore.view
    monkeypatch.setattr(TaskStore, "view", lambda self, *a, **k: asked.append(a[0]) or real_view(self, *a, **k))
    panel.views.setCurrentIndex(1)  # Upcoming
    panel.views.setCurrentIndex(3)  # Done, before the event loop ran
    assert asked == [] and panel.reading  # nothing started yet; the rows shown are not the latest
    read(qtbot, panel)
    assert asked == ["done"] and panel.view_name == "done"


def test_the_list_is_painted_and_sized_without_entering_python(panel):
    """Issue 18: the cells are Qt's own items, so painting the list and sizing its columns
    call no Python. A model written in Python took the interpreter lock at every cell a view
    asked for, and waited for it at each while a worker held it (the reply index built at
    start): switching to the Queue then froze the window for hundreds of ms."""
    import sys

    panel.tree.grab()  # a grab always paints (a repaint may not); the first makes the enum types
    called = []
    sys.setprofile(lambda frame, event, _arg: called.append(frame.f_code.co_qualname) if event == "call" else None)
    try:
        panel.tree.grab()
        panel.tree.resizeColumnToContents(2)
        panel.model.index(1, 0).data(Qt.AccessibleTextRole)
    finally:
        sys.setprofile(None)
    assert called == []
    assert panel.model.rowCount() == 3 and panel.tree.columnWidth(2) > 0
    # nor does the tab's showing: only key presses reach the panel's Python (no event filter)
    panel.hide()
    sys.setprofile(lambda frame, event, _arg: called.append(frame.f_code.co_qualname) if event == "call" else None)
    try:
        panel.show()
        QApplication.processEvents()
    finally:
        sys.setprofile(None)
    assert called == []


def test_a_cell_written_again_keeps_nothing_it_showed_before(panel, monkeypatch):
    """The items are written again in place (the minute tick) or reused by a reset: a role a
    row no longer has (the breached colour) is cleared, not left from the row before."""
    from ui.panels import queue

    model = panel.model
    rows, now = model.rows, model.now
    assert [model.index(r, 1).data(Qt.ForegroundRole) is not None for r in range(3)] == [True, False, False]
    calm = [replace(r, score=replace(r.score, breached=False)) for r in rows]
    model.set_rows(calm, now)  # the same tasks in the same order: the cells rewritten in place
    assert model.index(0, 1).data(Qt.ForegroundRole) is None
    assert model.index(0, 1).data() == "breached 1 h 00 min ago"  # the texts as they were
    monkeypatch.setattr(queue, "MAX_ROW_MOVES", 0)  # any other order resets the model
    model.set_rows(rows[::-1], now)
    assert [model.index(r, 1).data(Qt.ForegroundRole) is not None for r in range(3)] == [False, False, True]
    assert [model.index(r, c).data() for r in range(3) for c in range(3)] == [
        text for r in rows[::-1] for text in queue.row_texts(r, now, panel.agent_zone)[:3]]
    assert [model.index(r, 0).data(Qt.AccessibleTextRole) for r in range(3)] == [
        queue.row_texts(r, now, panel.agent_zone)[3] for r in rows[::-1]]
    model.set_rows(rows[1:], now)  # fewer rows
    assert model.rowCount() == 2 and model.index(1, 0).data() == rows[2].task.title


def test_the_worker_makes_the_texts_of_the_rows_it_read(panel, qtbot, monkeypatch):
    """Issue 18: a read's rows come with their cells made on the worker; the GUI
    thread shows them as made (the same texts it would make), and makes none of its own
    for them. Texts made for another agent zone than the model's are not used."""
    import threading

    from ui.panels import queue

    made_on = []
    real = queue.row_texts
    monkeypatch.setattr(queue, "row_texts", lambda *a: made_on.append(threading.current_thread()) or real(*a))
    panel.search.setText("")
    panel.reload_later()
    read(qtbot, panel)
    assert made_on and threading.main_thread() not in made_on
    made_on.clear()
    model = panel.model
    shown = [model.data(model.index(row, column)) for row in range(model.rowCount()) for column in range(3)]
    assert made_on == []  # looked up, not made again
    assert shown == [text for r in model.rows for text in real(r, model.now, panel.agent_zone)[:3]]

    rows, now = model.rows, model.now
    model.set_rows(list(rows), now, ("Pacific/Auckland", [("stale",) * 4 for _ in rows]))
    assert "stale" not in [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_a_change_announced_during_a_search_read_shows_the_search_with_the_change(panel, qtbot):
    panel.search.setText("refund")
    panel._search_timer.stop()
    panel.reload_later()  # on its way ...
    task = panel.store.add(Task("Another refund", priority="urgent", resolution_due_at=NOW + H,
                                response_due_at=NOW + H), NOW)
    panel.services.hall.tasks_changed.emit(frozenset({task.id}))  # ... when the change is heard
    read(qtbot, panel)
    assert sorted(titles(panel)) == ["Another refund", "Call back Mrs Ito about the refund"]
    assert panel.model.rows == panel.store.view("now", NOW, panel.filters())


def test_a_read_that_fails_keeps_the_rows_and_is_reported(panel, qtbot, monkeypatch):
    import sqlite3
    import sys

    from ui.panels.queue import ViewReader

    reported = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: reported.append(exc))

    def locked(self, config, forget):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(ViewReader, "store", locked)
    before = titles(panel)
    panel.search.setText("refund")
    qtbot.waitUntil(lambda: bool(reported))
    assert isinstance(reported[0], sqlite3.OperationalError)
    assert not panel.reading and titles(panel) == before


@pytest.mark.parametrize("old, new", [
    ([1, 2, 3, 4], [1, 3, 4]),              # a task done leaves the list
    ([1, 2, 3, 4], [1, 2, 3, 4, 5]),        # a row arrives from the reserve
    ([1, 2, 3, 4], [5, 1, 2, 3, 4]),        # a new task goes first
    ([1, 2, 3, 4], [1, 3, 2, 4]),           # a task moved
    ([1, 2, 3, 4], [4, 9, 1, 7, 2]),        # several at once
])
def test_row_moves_turn_the_old_rows_into_the_new(old, new):
    from ui.panels.queue import _row_moves

    rows = list(old)
    for start, removed, inserted in _row_moves(old, new):
        del rows[start:start + removed]
        rows[start:start] = [new[i] for i in inserted]
    assert rows == new


def test_row_moves_give_up_when_most_rows_changed():
    from ui.panels.queue import MAX_ROW_MOVES, _row_moves

    old = list(range(200))
    assert _row_moves(old, old[::-1]) is None  # the minute tick reordered everything: reset
    assert _row_moves(old, list(range(1000, 1000 + MAX_ROW_MOVES + 1)) + old) is None
    assert _row_moves(old, old[MAX_ROW_MOVES + 1:]) is None
    assert _row_moves([], [1]) is None


def test_marking_done_removes_its_row_in_place_and_keeps_the_scroll(qtbot, services):
    """A task done leaves the list as one removed row, not a reset: the list stays where the
    agent scrolled it, and the rows around it keep their texts (issue 18)."""
    from ui.panels.queue import QueuePanel

    settings.put(services.db, "tasks.schedule", {"zone": "Europe/Paris", "holidays_country": "FR"})
    panel = QueuePanel(services, clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.resize(460, 520)
    for n in range(80):
        due = NOW - (80 - n) * timedelta(minutes=1)  # all breached: all in the Now view, in order
        panel.store.add(Task(f"Task {n:02}", resolution_due_at=due, response_due_at=due), NOW - 3 * H)
    panel.reload()
    panel.show()
    panel.select_row(40)
    scrollbar = panel.tree.verticalScrollBar()
    scrollbar.setValue(36)  # rows 36 to 45 or more in sight: row 40 is not at an edge
    position = scrollbar.value()
    assert position > 0
    done_title, below = titles(panel)[40], titles(panel)[41]
    events = []
    panel.model.modelReset.connect(lambda: events.append("reset"))
    panel.model.rowsRemoved.connect(lambda *_a: events.append("removed"))
    panel.toggle_done()
    assert events == ["removed"]
    assert done_title not in titles(panel) and len(titles(panel)) == 79
    assert panel.current_task().title == below  # the next task is selected, as before
    assert scrollbar.value() == position


def test_details_read_right_to_left_in_a_right_to_left_ui(panel):
    """The details label takes one direction for all its lines from its first strong letter;
    under an Arabic UI a Latin task title must not turn the whole text left-to-right."""
    panel.setLayoutDirection(Qt.RightToLeft)
    panel.select_row(1)
    text = panel.detail.text()
    assert text[0] == "\u200f" and "Call back Mrs Ito" in text  # a right-to-left mark first
    panel.setLayoutDirection(Qt.LeftToRight)
    panel.select_row(0)
    assert panel.detail.text().startswith("Breached low")


def test_switching_views_reads_on_the_worker_and_selects_an_added_task_there(panel, show_view, monkeypatch,
                                                                             qtbot):
    """A view is read on the panel's worker (its read grows with the queue), not with the
    GUI thread's store; a task added to another view is selected once that view is shown."""
    on_gui_thread = []
    monkeypatch.setattr(panel.store, "view", lambda *a, **k: on_gui_thread.append(a) or [])
    show_view(panel, "upcoming")
    assert on_gui_thread == [] and titles(panel) == ["Later"]
    show_view(panel, "now")
    monkeypatch.undo()
    task = panel.store.add(Task("Chase the courier", follow_up_at=NOW + 48 * H), NOW)
    panel._added(task)  # what the quick-add dialog's "saved" runs
    assert panel.view_name == "upcoming"
    qtbot.waitUntil(lambda: not panel.reading)
    assert panel.current_task().title == "Chase the courier"


def test_the_first_read_after_the_panel_is_built_is_made_on_the_worker(qtbot, services, monkeypatch):
    """Issue 18: at start the panel's first view read runs beside the other panels' imports:
    it is read on the worker, the filter lists in a pass of their own."""
    import threading

    from assistant.tasks.store import TaskStore
    from ui.panels.queue import QueuePanel

    store = TaskStore(services.db)
    store.add(Task("Call back Mrs Ito about the refund", priority="high", customer=ITO, tags=("refund",),
                   resolution_due_at=NOW + H, response_due_at=NOW + H), NOW - H)
    threads = []
    real_view = TaskStore.view
    monkeypatch.setattr(TaskStore, "view", lambda self, *a, **k: threads.append(
        threading.current_thread()) or real_view(self, *a, **k))
    panel = QueuePanel(services, clock=lambda: NOW)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: titles(panel) == ["Call back Mrs Ito about the refund"] and not panel.reading)
    assert threads and threading.main_thread() not in threads
    qtbot.waitUntil(lambda: panel.tag_filter.findData("refund") > 0 and panel.country_filter.findData("JP") > 0)
