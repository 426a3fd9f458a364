"""What the item models written in Python, and the lists, share.

Qt enters Python for every call a view makes of such a model, and each entry takes the
interpreter lock. While a worker holds it (an install's reads, the reply index being built)
each entry waits for it, so a paint's cost grows with its number of calls into Python, not
with the work they do (issue 18). A model whose rows can be few is better as Qt's own items
(the Queue's, ``ui.panels.queue.QueueModel``); one of up to 50,000 rows made as they are
shown stays in Python, and answers each cell in one call."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QStyledItemDelegate, QToolTip

from ui.widgets import plain_tooltip


class OneCallPerCell:
    """Mixin for a ``QAbstractItemModel`` written in Python: every role a view asks of a cell
    (a delegate asks about nine to paint it) in one call into Python, through the model's own
    ``data``, not one call per role."""

    def multiData(self, index, span) -> None:  # noqa: N802 (Qt's name)
        data = self.data
        for role_data in span:
            value = data(index, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)


class HoverTooltip(QStyledItemDelegate):
    """A row's tooltip made when the row is hovered, by ``text_for(index)``, not for every row
    each time a list is filled; shown as plain text (``plain_tooltip``: titles, tags and notes
    come from packs and customers). Only ``helpEvent`` is Python: painting stays in Qt."""

    def __init__(self, text_for, parent=None):
        super().__init__(parent)
        self._text_for = text_for

    def helpEvent(self, event, view, option, index) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.ToolTip and index.isValid():
            text = self._text_for(index)
            if text:
                QToolTip.showText(event.globalPos(), plain_tooltip(text), view)
                return True
        return super().helpEvent(event, view, option, index)
