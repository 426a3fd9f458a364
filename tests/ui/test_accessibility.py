"""Keyboard and screen-reader access: every interactive control of the main window and its
panels has a name a screen reader can say, every action has a visible shortcut or sits in the
menu, and nothing hard-codes colours or pixel font sizes (dark, high-contrast, scaled fonts)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAccessible, QAction, QFont
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox,
                               QApplication, QCalendarWidget, QComboBox, QDateTimeEdit, QLineEdit,
                               QMenu, QPlainTextEdit, QScrollBar, QTabBar, QTabWidget, QTextEdit, QWidget)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QTabBar, QPlainTextEdit, QTextEdit,
               QAbstractSpinBox, QAbstractSlider)
# Parts of a composite control (a combo's list, a line edit's clear button): the composite carries the name.
COMPOSITES = (QComboBox, QLineEdit, QAbstractSpinBox, QCalendarWidget, QTabBar, QAbstractItemView, QMenu, QDateTimeEdit)
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\s*\(|\bhsla?\s*\(|:\s*(?:red|green|blue|black|white|gray|grey|"
                    r"yellow|orange)\b", re.IGNORECASE)
PIXEL_FONT = re.compile(r"font(?:-size)?\s*:[^;]*\d+\s*px", re.IGNORECASE)


def _own_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under root except the insides of composite controls and scroll bars."""
    found = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QScrollBar):
            continue
        parent, inside = widget.parentWidget(), False
        while parent is not None and parent is not root:
            if isinstance(parent, COMPOSITES):
                inside = True
                break
            parent = parent.parentWidget()
        if not inside:
            found.append(widget)
    return found


def _spoken_name(widget: QWidget) -> str:
    """What a screen reader announces: the accessible name, else Qt's fallback (button text,
    buddy label of a field)."""
    if widget.accessibleName().strip():
        return widget.accessibleName()
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Name) if interface is not None else "").strip()


def _interactive(window) -> list[QWidget]:
    return [w for w in _own_widgets(window) if isinstance(w, INTERACTIVE)
            and not (isinstance(w, QTabBar) and isinstance(w.parentWidget(), QTabWidget))]


@pytest.fixture
def shown_window(main_window, qtbot):
    main_window.show()
    assert len(main_window.panels) == main_window.tabs.count()  # builds every panel
    from assistant.customer import CustomerContext

    # with a customer, panels show their full content (card, clock status, customer's language)
    main_window.services.customer.set(CustomerContext(name="Yuki Tanaka", country="JP", zone="Asia/Tokyo",
                                                      language="ja"))
    for index in range(main_window.tabs.count()):  # panels build some controls when first shown
        main_window.show_panel(index)
        QApplication.processEvents()
    yield main_window
    main_window.services.pool.waitForDone(10_000)  # start-up work reports back before teardown
    QApplication.processEvents()


def test_every_interactive_control_has_an_accessible_name(shown_window):
    controls = _interactive(shown_window)
    assert len(controls) >= 3
    unnamed = [f"{w.metaObject().className()} objectName={w.objectName()!r} in {type(w.window()).__name__}/"
               f"{_panel_of(w, shown_window)}" for w in controls if not _spoken_name(w)]
    assert not unnamed, "controls without an accessible name:\n" + "\n".join(unnamed)


def test_tabs_have_names(shown_window):
    for index in range(shown_window.tabs.count()):
        assert shown_window.tabs.tabText(index).strip()
        assert shown_window.panels[index].accessibleName().strip()


def _panel_of(widget: QWidget, window) -> str:
    for panel in window.panels:
        if panel.isAncestorOf(widget):
            return panel.panel_id
    return "window"


def _menu_actions(menu: QMenu) -> set:
    found = set()
    for action in menu.actions():
        found.add(action)
        if action.menu() is not None:
            found |= _menu_actions(action.menu())
    return found


def test_every_action_has_a_shortcut_or_is_in_the_menu(shown_window):
    in_menu = _menu_actions(shown_window.main_menu)
    actions = [a for a in shown_window.findChildren(QAction)
               if a.text().strip() and not a.isSeparator() and a.menu() is None
               and not a.objectName().startswith("_q_")
               and not isinstance(a.parent(), (QLineEdit, QTextEdit, QPlainTextEdit, QMenu))]
    assert len(actions) >= 5
    unreachable = [a.text() for a in actions if a.shortcut().isEmpty() and a not in in_menu]
    assert not unreachable, f"actions with neither a shortcut nor a menu entry: {unreachable}"
    # the menu shows the shortcuts, so they are visible, not secret
    for action in in_menu:
        if not action.shortcut().isEmpty():
            assert action.shortcut().toString(), action.text()


def test_shortcuts_are_unique(shown_window):
    seen: dict[str, str] = {}
    for action in shown_window.findChildren(QAction):
        key = action.shortcut().toString()
        if key and action.isEnabled():
            assert key not in seen or seen[key] == action.text(), f"{key}: {seen.get(key)} and {action.text()}"
            seen[key] = action.text()


def test_no_hard_coded_colours_or_pixel_fonts(shown_window):
    app = QApplication.instance()
    sheets = [("application", app.styleSheet())]
    sheets += [(f"{type(w).__name__} {w.objectName()}", w.styleSheet())
               for w in [shown_window, *shown_window.findChildren(QWidget)] if w.styleSheet()]
    bad = [f"{where}: {sheet!r}" for where, sheet in sheets if COLOUR.search(sheet) or PIXEL_FONT.search(sheet)]
    assert not bad, ("style sheets must use palette roles (palette(highlight)...) and relative fonts, "
                     "or they break dark, high-contrast and scaled displays:\n" + "\n".join(bad))
    pixel_fonts = [f"{type(w).__name__} {w.objectName()}" for w in shown_window.findChildren(QWidget)
                   if w.testAttribute(__import__("PySide6.QtCore").QtCore.Qt.WA_SetFont) and w.font().pixelSize() > 0]
    assert not pixel_fonts, f"pixel-sized fonts do not follow the system's font scaling: {pixel_fonts}"


def test_fonts_follow_the_application_font(qtbot, services):
    """A larger system font (accessibility setting) reaches every label and field."""
    from ui.main_window import MainWindow

    app = QApplication.instance()
    original = app.font()
    big = QFont(original)
    big.setPointSizeF(original.pointSizeF() * 2)
    app.setFont(big)
    try:
        window = MainWindow(services)
        qtbot.addWidget(window)
        window._quitting = True
        services.pool.waitForDone(10_000)
        QApplication.processEvents()
        small = [f"{type(w).__name__} {w.objectName()}" for w in _interactive(window)
                 if w.font().pointSizeF() > 0 and w.font().pointSizeF() < original.pointSizeF() * 1.2]
        assert not small, f"widgets ignoring the system font size: {small}"
    finally:
        app.setFont(original)


@pytest.mark.parametrize("which", ["settings", "about", "palette"])
def test_dialog_controls_have_accessible_names(which, qtbot, services):
    from ui.about import AboutDialog
    from ui.palette import CommandPalette
    from ui.settings_dialog import SettingsDialog

    dialog = {"settings": lambda: SettingsDialog(services), "about": lambda: AboutDialog(),
              "palette": lambda: CommandPalette([])}[which]()
    qtbot.addWidget(dialog)
    dialog.show()
    unnamed = [w.metaObject().className() for w in _interactive(dialog) if not _spoken_name(w)]
    assert not unnamed


def test_every_control_is_reachable_with_tab(shown_window):
    """Keyboard users move with Tab: only read-only text may stay out of the focus chain."""
    from PySide6.QtCore import Qt

    unreachable = [f"{w.metaObject().className()} {w.objectName()!r} ({_spoken_name(w)})"
                   for w in _interactive(shown_window)
                   if not (w.focusPolicy() & Qt.TabFocus)
                   and not (isinstance(w, (QTextEdit, QPlainTextEdit)) and w.isReadOnly())]
    assert not unreachable, f"controls Tab never reaches: {unreachable}"
