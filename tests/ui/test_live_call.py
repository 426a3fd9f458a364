"""Issue 16, "Focus and keys" and "Stable, legible": the window as an agent on a live call
drives it -- one chord puts the cursor where they type next, keys typed as the window
appears are not lost, the window keeps its size, and every key has a visible twin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def focused_name() -> str:
    widget = QApplication.focusWidget()
    return widget.objectName() if widget is not None else ""


def test_each_panel_chord_puts_the_cursor_where_the_agent_types_next(with_models, main_window, press_shortcut):
    expected = {Qt.Key_1: "translate-incoming-input", Qt.Key_2: "replies-search",
                Qt.Key_3: "culture-search", Qt.Key_4: "queue-list"}
    for key in (Qt.Key_2, Qt.Key_1, Qt.Key_4, Qt.Key_3, Qt.Key_1):  # also a chord for the panel shown
        press_shortcut(main_window, key, Qt.ControlModifier)
        assert focused_name() == expected[key], key


def test_ctrl_1_then_paste_lands_in_the_customer_message_box(with_models, main_window, press_shortcut, qtbot):
    QApplication.clipboard().setText("Mi pedido no ha llegado.")
    press_shortcut(main_window, Qt.Key_3, Qt.ControlModifier)
    press_shortcut(main_window, Qt.Key_1, Qt.ControlModifier)
    assert focused_name() == "translate-incoming-input"
    qtbot.keyClick(main_window.windowHandle(), Qt.Key_V, Qt.ControlModifier)  # to whatever has focus
    assert main_window.panel_by_id("translate").incoming.input.toPlainText() == "Mi pedido no ha llegado."


def test_ctrl_l_goes_to_the_customer_field(main_window, press_shortcut):
    press_shortcut(main_window, Qt.Key_4, Qt.ControlModifier)
    press_shortcut(main_window, Qt.Key_L, Qt.ControlModifier)
    assert QApplication.focusWidget() is main_window.customer_bar.input


def test_keys_typed_at_launch_before_the_panel_exists_are_not_lost(with_models, qtbot, services):
    from ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window._quitting = True
    window.tabs.setCurrentIndex(0)
    window.bring_forward()  # what the launch, the tray and a second launch do
    qtbot.waitUntil(window.isActiveWindow)
    assert window.built_panels() == []
    for key in (Qt.Key_H, Qt.Key_O, Qt.Key_L, Qt.Key_A):  # typed while the panel is being built
        qtbot.keyClick(window.windowHandle(), key)
    window.start_deferred()
    panel = window.panel_by_id("translate")
    qtbot.waitUntil(lambda: panel.incoming.input.toPlainText() == "hola")
    assert QApplication.focusWidget() is panel.incoming.input


def test_bringing_the_window_forward_focuses_the_panel_input(main_window, qtbot):
    main_window.show_panel(1)
    main_window.customer_bar.input.setFocus()
    main_window.hide()
    main_window.bring_forward()  # the tray's "Show"
    qtbot.waitUntil(main_window.isActiveWindow)
    assert main_window.isActiveWindow() and focused_name() == "replies-search"


def test_always_on_top_keeps_the_window_active_and_the_cursor_in_place(with_models, main_window, press_shortcut,
                                                                        qtbot):
    press_shortcut(main_window, Qt.Key_1, Qt.ControlModifier)
    activated = []
    original = main_window.activateWindow
    main_window.activateWindow = lambda: (activated.append(True), original())  # offscreen cannot
    press_shortcut(main_window, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)  # re-activate
    assert main_window.windowFlags() & Qt.WindowStaysOnTopHint
    qtbot.waitUntil(lambda: len(activated) == 2)  # the test's own, then the window's
    assert main_window.focusWidget().objectName() == "translate-incoming-input"


def test_without_models_ctrl_1_lands_on_the_install_button(main_window, press_shortcut, qtbot):
    panel = main_window.panel_by_id("translate")
    qtbot.waitUntil(lambda: panel.ready is not None, timeout=30000)
    press_shortcut(main_window, Qt.Key_1, Qt.ControlModifier)
    assert QApplication.focusWidget() is panel.install_button


def test_ctrl_enter_copies_the_translation_of_the_reply(with_models, main_window, press_shortcut, qtbot):
    from assistant.customer import CustomerContext

    panel = main_window.panel_by_id("translate")
    qtbot.waitUntil(lambda: panel.ready is not None, timeout=30000)
    main_window.services.customer.set(CustomerContext(language="es"))
    QApplication.clipboard().setText("")
    press_shortcut(main_window, Qt.Key_1, Qt.ControlModifier)
    panel.outgoing.input.setPlainText("Thank you.")
    panel.outgoing.input.setFocus()
    press_shortcut(main_window, Qt.Key_Return, Qt.ControlModifier)  # translated first, then copied
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == panel.outgoing.output.toPlainText() != "",
                    timeout=10000)
    assert panel.outgoing.note.text() == "Translation copied."
    QApplication.clipboard().setText("")
    press_shortcut(main_window, Qt.Key_Return, Qt.ControlModifier)  # up to date: copied at once
    assert QApplication.clipboard().text() == panel.outgoing.output.toPlainText()


def started(window, qtbot, width=420, height=720):
    window.resize(width, height)
    window.show()
    window.start_deferred()
    qtbot.waitUntil(lambda: len(window.built_panels()) == 4, timeout=20000)
    qtbot.wait(50)
    return window


def test_the_window_never_changes_its_own_size(main_window, qtbot):
    """Several zones, a long name, a clock card, an error, an empty field, every panel:
    the window stays 420 x 720; what does not fit scrolls inside."""
    window = started(main_window, qtbot)
    scroller = window.centralWidget()
    for text in ("+34 612 345 678", "+81 3-1234-5678", "Australia",
                 "Mrs Antonia Fernández-Villaverde de la Concepción, +7 912 345 6789", "Tokyo",
                 "no such place 123", ""):
        window.customer_bar.input.setText(text)
        window.customer_bar.apply_text()
        qtbot.wait(20)
        assert (window.width(), window.height()) == (420, 720), text
        assert not scroller.horizontalScrollBar().isVisible(), text
    for index in (0, 1, 2, 3, 0):
        window.show_panel(index)
        qtbot.wait(20)
        assert (window.width(), window.height()) == (420, 720), index


@pytest.fixture
def large_font(qapp):
    original = qapp.font()
    font = qapp.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    qapp.setFont(font)
    yield
    qapp.setFont(original)


def test_at_150_percent_font_five_queue_rows_show_at_420_by_720(main_window, services, qtbot, large_font):
    from datetime import datetime, timedelta, timezone

    from assistant.tasks.model import Task
    from assistant.tasks.store import TaskStore

    store, now = TaskStore(services.db), datetime.now(timezone.utc)
    for minutes in range(30, 38):
        due = now + timedelta(minutes=minutes)
        store.add(Task(f"Call back customer {minutes}", resolution_due_at=due, response_due_at=due), now)
    window = started(main_window, qtbot)
    window.show_panel(3)
    queue = window.panel_by_id("queue")
    queue.reload()
    qtbot.wait(50)
    scroller = window.centralWidget()
    assert not scroller.horizontalScrollBar().isVisible()
    shown = [row for row in range(queue.model.rowCount())
             if (rect := queue.tree.visualRect(queue.model.index(row, 0))).isValid()
             and rect.bottom() <= queue.tree.viewport().height()
             and queue.tree.viewport().mapTo(scroller.viewport(), rect.bottomLeft()).y() <= scroller.viewport().height()]
    assert len(shown) >= 5, shown


def test_compact_mode_is_one_line_with_the_clock_status_and_the_four_chords(main_window, services, qtbot,
                                                                            press_shortcut):
    from assistant.customer import CustomerContext

    window = started(main_window, qtbot)
    qtbot.waitUntil(lambda: window.customer_bar.ready, timeout=20000)
    services.customer.set(CustomerContext(name="Ito", country="JP", zone="Asia/Tokyo"))
    press_shortcut(window, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    bar = window.compact_bar
    assert window.compact and bar.isVisible()
    assert not window.tabs.isVisible() and not window.customer_bar.isVisible()
    line = bar.time_label.height()
    assert window.height() <= 3 * line + 24, (window.height(), line)  # one line, not a narrow window
    assert ":" in bar.time_label.text() and bar.status_label.isVisible() and bar.status_label.text()
    assert bar.modifier_label.text() == "Ctrl+" and [b.text() for b in bar.chord_buttons] == ["1", "2", "3", "4"]
    assert [b.toolTip() for b in bar.chord_buttons] == [
        "Translate (Ctrl+1)", "Replies (Ctrl+2)", "Culture (Ctrl+3)", "Queue (Ctrl+4)"]
    assert not window.centralWidget().horizontalScrollBar().isVisible()
    # a chord leaves it, back to the size the window had, on that panel with the cursor in place
    press_shortcut(window, Qt.Key_2, Qt.ControlModifier)
    assert not window.compact and (window.width(), window.height()) == (420, 720)
    assert focused_name() == "replies-search"
    window.compact_action.setChecked(True)
    qtbot.mouseClick(bar.chord_buttons[3], Qt.LeftButton)
    assert not window.compact and window.current_panel_id() == "queue"
    window.compact_action.setChecked(True)
    press_shortcut(window, Qt.Key_L, Qt.ControlModifier)
    assert not window.compact and QApplication.focusWidget() is window.customer_bar.input


def test_activated_with_nowhere_to_type_the_panel_input_takes_the_keys(main_window, qtbot):
    from PySide6.QtWidgets import QWidget

    main_window.show_panel(2)
    main_window.show()
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    QApplication.focusWidget().clearFocus()
    other = QWidget()  # the agent goes to another window...
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not main_window.isActiveWindow())
    main_window.activateWindow()  # ...and comes back (Alt+Tab)
    qtbot.waitUntil(main_window.isActiveWindow)
    assert focused_name() == "culture-search"  # not the first field of the window


def test_list_keys_pressed_for_real_act_once(main_window, services, press_shortcut):
    """Space on the list, as the window system delivers it (through the shortcut map, where
    the task actions carry their keys): the task is done once, not done and reopened."""
    from datetime import datetime, timedelta, timezone

    from assistant.tasks.model import Task
    from assistant.tasks.store import TaskStore

    now = datetime.now(timezone.utc)
    task = TaskStore(services.db).add(Task("Call back", resolution_due_at=now + timedelta(minutes=5),
                                           response_due_at=now + timedelta(minutes=5)), now)
    press_shortcut(main_window, Qt.Key_4, Qt.ControlModifier)
    queue = main_window.panel_by_id("queue")
    queue.reload()
    assert queue.current_task().id == task.id and focused_name() == "queue-list"
    press_shortcut(main_window, Qt.Key_Space)
    assert TaskStore(services.db).get(task.id).status == "done"
