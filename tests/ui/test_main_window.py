from PySide6.QtCore import Qt

from assistant import settings


def test_ctrl_digits_switch_panels(main_window, press_shortcut):
    for index, key in enumerate((Qt.Key_2, Qt.Key_3, Qt.Key_4, Qt.Key_1)):
        press_shortcut(main_window, key, Qt.ControlModifier)
        assert main_window.tabs.currentIndex() == (index + 1) % 4


def test_the_window_itself_is_painted_first_through_its_see_through_content(qtbot, services):
    """The start waits for ``first_painted`` (2 s at most): the window emits it from its own
    paint, which it only gets when what covers it does not fill its background."""
    from PySide6.QtWidgets import QScrollArea

    from ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    scroller = window.findChild(QScrollArea, "main-scroller")
    assert scroller.widget() is window.content
    assert not scroller.viewport().autoFillBackground() and not window.content.autoFillBackground()
    with qtbot.waitSignal(window.first_painted, timeout=1000):
        window.show()


def test_last_panel_and_geometry_are_remembered(qtbot, services):
    from ui.main_window import MainWindow

    first = MainWindow(services)
    qtbot.addWidget(first)
    first.resize(333, 600)
    first.show_panel(2)
    first.save_state()
    assert settings.get(services.db, "ui.last_panel") == "culture"

    second = MainWindow(services)
    qtbot.addWidget(second)
    assert second.current_panel_id() == "culture"
    assert second.width() == 333


def test_palette_finds_and_runs_a_command(main_window, qtbot, monkeypatch):
    from ui.palette import CommandPalette

    palette = CommandPalette(main_window.commands(), main_window)
    qtbot.addWidget(palette)
    qtbot.keyClicks(palette.query, "cultre")  # a typo still finds it
    assert palette.list.currentItem().text().startswith("Culture")
    qtbot.keyClick(palette.query, Qt.Key_Return)
    assert palette.chosen is not None
    palette.chosen.callback()
    assert main_window.current_panel_id() == "culture"


def test_ctrl_k_opens_the_palette(main_window, press_shortcut, monkeypatch):
    from ui.palette import CommandPalette

    opened = []
    monkeypatch.setattr(CommandPalette, "exec", lambda self: opened.append(self) or 0)
    press_shortcut(main_window, Qt.Key_K, Qt.ControlModifier)
    assert len(opened) == 1 and opened[0].list.count() >= 4


def test_always_on_top_and_compact_mode_persist(qtbot, services):
    from ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.on_top_action.setChecked(True)
    window.compact_action.setChecked(True)
    assert window.windowFlags() & Qt.WindowStaysOnTopHint
    assert window.width() <= 300 and window.height() < 120  # one line
    again = MainWindow(services)
    qtbot.addWidget(again)
    assert again.on_top_action.isChecked() and again.compact
    assert again.windowFlags() & Qt.WindowStaysOnTopHint


def test_notifications_never_activate_the_window(main_window, qtbot):
    main_window.show()
    assert main_window.testAttribute(Qt.WA_ShowWithoutActivating)
    main_window.notify("Task due", "Call back Mrs Ito")
    if main_window.tray is None:
        assert "Call back Mrs Ito" in main_window.statusBar().currentMessage()


def test_about_lists_component_versions(qtbot):
    from ui.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert {"Qt", "Time-zone data (tzdata)", "CLDR (Babel)", "Agent Assistant"} <= set(dialog.versions)


def test_palette_offers_every_features_commands(main_window):
    titles = {c.title for c in main_window.commands()}
    assert {"Translate", "Replies", "Culture", "Queue", "New task…", "Time converter"} <= titles


def test_the_queue_tab_shows_its_count_as_it_changes(main_window, qtbot, services):
    """The tab shows the open tasks due now, told by the panel when its count (read on its
    worker) changes, whoever changed the tasks."""
    from datetime import datetime, timedelta, timezone

    from assistant.tasks.model import Task

    queue = main_window.panel_by_id("queue")
    index = main_window.panel_index("queue")
    qtbot.waitUntil(lambda: not queue.counting)
    assert main_window.tabs.tabText(index) == "Queue"
    now = datetime.now(timezone.utc)
    added = [queue.store.add(Task(f"Call back {n}", priority="high", resolution_due_at=now + timedelta(hours=1)), now)
             for n in range(2)]
    services.hall.tasks_changed.emit(frozenset(t.id for t in added))
    qtbot.waitUntil(lambda: main_window.tabs.tabText(index) == "Queue (2)")
    queue.store.mark_done(added[0].id, now)
    services.hall.tasks_changed.emit(frozenset({added[0].id}))
    qtbot.waitUntil(lambda: main_window.tabs.tabText(index) == "Queue (1)")
