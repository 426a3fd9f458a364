from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.services import AppServices, Command


class Panel(QWidget):
    """A panel of the main window. Subclasses set ``panel_id`` and ``title``, build their
    layout, and may offer palette commands and react to compact mode."""

    panel_id = ""
    title = ""

    badge_changed = Signal()  # the count :meth:`badge` gives changed: the tab shows it again

    def __init__(self, services: AppServices, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.setObjectName(f"panel-{self.panel_id}")
        self.setAccessibleName(self.title)

    def commands(self) -> list[Command]:
        return []

    def set_compact(self, compact: bool) -> None:
        pass

    def activated(self) -> None:
        """Called when the panel becomes visible."""

    def badge(self) -> int:
        """A count shown on the panel's tab (e.g. due tasks); 0 for none. Known already: it
        is asked for on the GUI thread (a panel counts on its worker, then announces
        ``badge_changed``)."""
        return 0
