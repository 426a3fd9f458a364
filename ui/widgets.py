"""Small widget helpers shared by the panels and dialogs.

Outside text (customers, packs, templates, tasks, imports, model files, file names, error
messages quoting them) reaches the screen only as plain text: labels through
``plain_label`` (or ``setTextFormat(Qt.PlainText)``), message boxes through ``plain_message``
or ``plain_box`` (never QMessageBox's static helpers, which guess rich text and open links),
tooltips through ``plain_tooltip`` (Qt shows any tooltip that looks like HTML as HTML)."""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QSizePolicy


def plain_label(text: str = "", name: str = "", selectable: bool = True) -> QLabel:
    """A wrapping label that shows its text as plain text, never as HTML: pack, card and
    customer text reaches the screen through here."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


@contextmanager
def one_layout_pass(widget):
    """Show and hide several of ``widget``'s children at the cost of one layout of the window.
    Qt lays out every visible ancestor again at each child shown (``QWidgetPrivate::
    setVisible`` activates their layouts), so a call's first customer, showing the zone
    choice, the description, chips and the clock's rows one by one, laid the window out once
    for each (0.5-1 ms each). ``widget`` is hidden meanwhile (nothing is painted in between)
    and shown once at the end, which costs a layout of its own (2-4 ms): worth it for several
    children, not for one. Not for a widget that holds the keyboard focus: hiding it would
    move the focus."""
    if not widget.isVisible():
        yield
        return
    widget.hide()
    try:
        yield
    finally:
        widget.show()


class StatusLine(QLabel):
    """One line of plain text whose height never changes: a long text is elided (the whole
    text in its tooltip), so a new status never lays out the panel again or moves what is
    around it (issue 18: a status per keystroke must not repaint the panel)."""

    def __init__(self, name: str = ""):
        super().__init__()
        self._full = ""
        self.setTextFormat(Qt.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        if name:
            self.setObjectName(name)

    def text(self) -> str:  # the whole text, not what fits
        return self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height() + 2 * self.margin())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full.replace("\n", " "), Qt.ElideRight,
                                              max(0, self.width() - 2 * self.margin()))
        super().setText(shown)
        self.setToolTip(plain_tooltip(self._full) if shown != self._full else "")
        self.setAccessibleName(self._full)


class FlowLayout(QLayout):
    """Items side by side, wrapping onto the next line when the width runs out (right to left
    under an RTL UI): a row of chips never makes the window wider (Qt's flow layout example)."""

    def __init__(self, parent=None, spacing: int = 4):
        super().__init__(parent)
        self._items = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        mirrored = self.parentWidget() is not None and self.parentWidget().layoutDirection() == Qt.RightToLeft
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self.spacing(), 0
            if move:
                left = area.right() + 1 - (x - area.x()) - hint.width() if mirrored else x
                item.setGeometry(QRect(QPoint(left, y), hint))
            x += hint.width() + self.spacing()
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` exactly: escaped, its line breaks kept."""
    import html  # not before the first paint: its entity table alone is 2 ms (issue 18)

    return "<span>" + html.escape(text).replace("\n", "<br>") + "</span>" if text else ""


def plain_box(parent, icon, title: str, text: str, buttons=None, default=None):
    """A message box that shows its text as plain text: pack titles, template text, file
    names and problem messages come from files and must never be read as HTML (the static
    QMessageBox helpers guess the format). ``buttons``: OK unless given."""
    from PySide6.QtWidgets import QMessageBox  # not on the start-up path (labels are)

    box = QMessageBox(icon, title, text, QMessageBox.Ok if buttons is None else buttons, parent)
    box.setTextFormat(Qt.PlainText)
    if default is not None:
        box.setDefaultButton(default)
    return box


def plain_message(parent, icon, title: str, text: str, buttons=None, default=None) -> int:
    """``plain_box`` shown modally; returns the button chosen."""
    return plain_box(parent, icon, title, text, buttons, default).exec()


def plain_password(parent, title: str, label: str) -> tuple[str, bool]:
    """Ask for a password; the label (it names a file) is plain text, unlike
    ``QInputDialog.getText``'s. Returns (text, accepted)."""
    from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit

    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)  # creates the dialog's label
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.PlainText)
    dialog.setTextEchoMode(QLineEdit.Password)
    accepted = dialog.exec() == QDialog.Accepted
    return dialog.textValue(), accepted


def plain_notification(text: str) -> str:
    """A tray message's body as plain text. Linux desktop notifications read markup in the
    body (the freedesktop ``body-markup``: links, images) and Qt passes it on as is: escaped
    there. Windows and macOS show the body as text."""
    import html
    import sys

    return html.escape(text, quote=False) if sys.platform.startswith("linux") else text


def zone_completer(parent):
    """Completion for a time-zone field: the IANA zones a person would pick (zone.tab) and
    Etc/UTC, matched anywhere in the name, any case ("paris" finds Europe/Paris)."""
    from PySide6.QtWidgets import QCompleter  # not on the start-up path

    from assistant.clock.zones import zone_countries

    completer = QCompleter(sorted([*zone_countries(), "Etc/UTC"]), parent)
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    completer.setFilterMode(Qt.MatchContains)
    return completer
