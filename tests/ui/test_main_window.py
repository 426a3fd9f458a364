from PySide6.QtCore import Qt

from assistant import settings


def test_ctrl_digits_switch_panels(main_window, press_shortcut):
    for index, key in enumerate((Qt.Key_2, Qt.Key_3, Qt.Key_4, Qt.Key_1)):
        press_shortcut(main_window, key, Qt.ControlModifier)
        assert main_window.tabs.currentIndex() == (index + 1) % 4


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
