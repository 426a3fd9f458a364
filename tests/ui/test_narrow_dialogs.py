"""The packs window and the pack editor fit beside the CRM: at the companion's width
(≤ 480 px) nothing scrolls sideways; wide, they keep their side-by-side layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QSplitter

WIDTH = 460


def _narrow(qtbot, dialog):
    dialog.show()
    for _step in range(2):  # a drag narrows in steps: the first one stacks the halves
        dialog.resize(WIDTH, 760)
        QApplication.processEvents()
    assert dialog.width() <= 480


def _no_sideways_scrolling(dialog):
    for area in dialog.findChildren(QAbstractScrollArea):
        if area.isVisibleTo(dialog):
            bar = area.horizontalScrollBar()
            assert not bar.isVisibleTo(area) or bar.maximum() == 0, area.accessibleName() or type(area).__name__


def test_the_pack_editor_fits_at_the_companion_width(qtbot):
    from ui.pack_editor import PackEditor

    editor = PackEditor(None)
    qtbot.addWidget(editor)
    editor.show()
    assert all(s.orientation() == Qt.Horizontal for s in editor.findChildren(QSplitter))  # wide: side by side
    _narrow(qtbot, editor)
    assert all(s.orientation() == Qt.Vertical for s in editor.findChildren(QSplitter))
    _no_sideways_scrolling(editor)
    editor.resize(980, 720)
    QApplication.processEvents()
    assert any(s.orientation() == Qt.Horizontal for s in editor.findChildren(QSplitter))


def test_the_packs_window_fits_at_the_companion_width(qtbot, services):
    from assistant.packs.starter import ensure_starter_pack
    from ui.packs_dialog import PacksDialog

    ensure_starter_pack(services.db, policy=services.runtime.policy)
    dialog = PacksDialog(services)
    qtbot.addWidget(dialog)
    dialog.pack_list.setCurrentItem(dialog.pack_list.topLevelItem(0))
    _narrow(qtbot, dialog)
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        _no_sideways_scrolling(dialog)
