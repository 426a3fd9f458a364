"""Dialogs that fit beside the CRM: at the companion's width (≤ 480 px) they stack what sits
side by side and fit list columns to the width (text elides, no horizontal scrolling); wider,
they lay out as before. Used by the packs window and the pack editor."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QWidget

NARROW_PX = 640  # below this, side-by-side parts stack


def fit_columns(view: QAbstractItemView, fit: tuple[int, ...] = ()) -> None:
    """Columns share the view's width, so it never scrolls sideways: those in ``fit`` (short
    ones: a version, a tick box) fit their contents, the others share the rest and elide
    (the whole text stays in the row's tooltip or details)."""
    header: QHeaderView = view.header() if hasattr(view, "header") else view.horizontalHeader()
    header.setStretchLastSection(False)
    for column in range(header.count()):
        header.setSectionResizeMode(column, QHeaderView.ResizeToContents if column in fit
                                    else QHeaderView.Stretch)
    header.setMinimumSectionSize(24)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.ElideRight)


class _Follow(QObject):
    def __init__(self, widget: QWidget, splitters: list[QSplitter]):
        super().__init__(widget)
        self.splitters = [(s, s.orientation()) for s in splitters]

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Resize:
            narrow = watched.width() < NARROW_PX
            for splitter, wide in self.splitters:
                wanted = Qt.Vertical if narrow else wide
                if splitter.orientation() != wanted:
                    splitter.setOrientation(wanted)
        return False


def stack_when_narrow(widget: QWidget, splitters: list[QSplitter]) -> None:
    """Side-by-side ``splitters`` of ``widget`` stack vertically while it is narrow. Side by
    side, a window cannot be made narrower than both halves: dragging it to that width
    stacks them, and it then goes narrower."""
    widget.installEventFilter(_Follow(widget, splitters))
