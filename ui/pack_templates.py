"""The Packs window's list of a pack's templates, as a model: a pack may hold 50,000."""

from __future__ import annotations

import bisect
import logging
import sqlite3

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from assistant import textsafety
from assistant.i18n import _
from assistant.packs import manage
from ui.item_models import OneCallPerCell
from ui.widgets import plain_tooltip

log = logging.getLogger(__name__)


class PackTemplatesModel(OneCallPerCell, QAbstractTableModel):
    """A pack's templates for the Packs window: title, and the agent's Hidden and Disabled
    ticks. A model, not an item per template, and titles read for the rows shown, a page at
    a time (``read_titles``: ids -> titles): a pack of 50,000 templates is listed in the time
    of one plain query. A tick is asked of the dialog (``flag_asked``), which writes it and
    :meth:`set_flag` shows it."""

    flag_asked = Signal(str, str, bool)  # template id, "hidden" or "disabled", on

    FLAGS = (None, "hidden", "disabled")
    PAGE = 200  # titles read at once, from the row asked for

    def __init__(self, read_titles, parent=None):
        super().__init__(parent)
        self.read_titles = read_titles
        self.listing = manage.PackListing([], {})
        self.titles: dict[str, str] = {}
        self.headers = [_("Template"), _("Hidden"), _("Disabled")]

    def set_listing(self, listing: manage.PackListing) -> None:
        self.beginResetModel()
        self.listing, self.titles = listing, {}
        self.endResetModel()

    def title(self, number: int) -> str:
        ids = self.listing.ids
        template_id = ids[number]
        if template_id not in self.titles:
            page = ids[max(0, number - self.PAGE // 4):number + self.PAGE]
            try:
                found = self.read_titles(page)
            except sqlite3.Error:  # a locked or busy database: the id now, the title next time
                log.warning("Reading template titles failed", exc_info=True)
                return template_id
            self.titles.update((tid, found.get(tid) or tid) for tid in page)  # unreadable: its id
        return self.titles[template_id]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.listing.ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers[section]
        return None

    def flags(self, index):
        found = super().flags(index)
        return found | Qt.ItemIsUserCheckable if index.column() else found

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        template_id = self.listing.ids[index.row()]
        column = index.column()
        if column == 0 and role == Qt.DisplayRole:
            return textsafety.visible(self.title(index.row()))
        if column == 0 and role == Qt.ToolTipRole:
            return plain_tooltip(template_id)
        if column and role == Qt.CheckStateRole:
            return Qt.Checked if self.listing.flags(template_id)[column - 1] else Qt.Unchecked
        return None

    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or not index.column() or role != Qt.CheckStateRole:
            return False
        on = Qt.CheckState(value) == Qt.Checked
        self.flag_asked.emit(self.listing.ids[index.row()], self.FLAGS[index.column()], on)
        return True

    def set_flag(self, template_id: str, flag: str, on: bool) -> None:
        ids = self.listing.ids
        number = bisect.bisect_left(ids, template_id)  # the listing's ids are sorted
        if number == len(ids) or ids[number] != template_id:
            return
        hidden, disabled = self.listing.flags(template_id)
        self.listing.ticks[template_id] = (on, disabled) if flag == "hidden" else (hidden, on)
        changed = self.index(number, self.FLAGS.index(flag))
        self.dataChanged.emit(changed, changed, [Qt.CheckStateRole])
