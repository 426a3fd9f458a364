"""The reply search popup a global shortcut opens over any application (as Espanso's search
bar): type to find a reply, Up/Down to move, Enter to take it, Escape to close.

The chosen reply is composed for the current customer exactly as the Replies panel composes
it (assistant.templates.compose, in the customer's language, with the agent's profile); a reply
that still needs fields filled goes to the Replies panel instead (``needs_fields``), where its
form is. Template text is shown as plain text."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from assistant.i18n import _
from assistant.templates import store
from assistant.templates.compose import compose
from assistant.templates.values import Profile
from ui.widgets import plain_label

MAX_LISTED = 12
PREVIEW_CHARS = 400


class ReplySearchPopup(QDialog):
    chosen = Signal(str)         # the composed reply, complete
    needs_fields = Signal(str)   # a template id whose reply has fields to fill

    def __init__(self, services, replies, parent=None):
        """``replies``: the Replies panel, whose library and search index (kept current as the
        library changes) the popup searches: one index per session, built off the GUI thread."""
        super().__init__(parent, Qt.Tool | Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
        self.services = services
        self.setObjectName("reply-search")
        self.setWindowTitle(_("Search replies"))
        self.setAttribute(Qt.WA_ShowWithoutActivating, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit()
        self.search.setObjectName("reply-search-input")
        self.search.setPlaceholderText(_("Search replies"))
        self.search.setAccessibleName(_("Search replies"))
        self.search.installEventFilter(self)
        layout.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("reply-search-results")
        self.results.setAccessibleName(_("Replies"))
        self.results.itemActivated.connect(lambda _item: self.take())
        self.results.currentItemChanged.connect(self._preview)
        layout.addWidget(self.results, 2)
        self.preview = plain_label("", "reply-search-preview")
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(_("Preview"))
        layout.addWidget(self.preview, 1)
        context = services.customer.context
        self.language = context.language
        hint = (_("Enter: the reply for {customer} · Esc: close").format(customer=context.label)
                if context.label else _("Enter: take the reply · Esc: close"))
        self.hint = plain_label(hint, "reply-search-hint")
        layout.addWidget(self.hint)
        self.replies = replies
        self.entries, self.index = {}, None
        self._take_when_ready = False
        self.search.textChanged.connect(self.refilter)
        self.resize(self.fontMetrics().averageCharWidth() * 60, self.fontMetrics().height() * 24)
        replies.index_ready.connect(self._index_ready)
        if replies.index is not None:
            self._index_ready()
        else:
            replies.ensure_loaded()

    def _index_ready(self) -> None:
        self.entries, self.index = self.replies.entries, self.replies.index
        self.refilter()
        if self._take_when_ready:  # Enter was pressed while the library was still loading
            self._take_when_ready = False
            self.take()

    def refilter(self, _text: str = "") -> None:
        self.results.clear()
        if self.index is None:
            return
        for hit in self.index.search(self.search.text(), limit=MAX_LISTED, display_language=self.language):
            template = self.entries[hit.template_id].template
            title = template.variants[template.variant_language(self.language)].title
            item = QListWidgetItem(title)
            item.setData(Qt.UserRole, template.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _compose(self, template_id: str):
        return compose(self.entries[template_id].template, at=datetime.now(timezone.utc),
                       customer=self.services.customer.context, language=self.language,
                       profile=Profile.from_settings(self.services.db))

    def _preview(self, item) -> None:
        text = self._compose(item.data(Qt.UserRole)).text if item is not None else ""
        self.preview.setText(text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…")

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Up, Qt.Key_Down):
            row = self.results.currentRow() + (1 if event.key() == Qt.Key_Down else -1)
            if 0 <= row < self.results.count():
                self.results.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.take()
            return
        super().keyPressEvent(event)  # Escape closes

    def take(self) -> None:
        if self.index is None:
            self._take_when_ready = True
            return
        item = self.results.currentItem()
        if item is None:
            return
        template_id = item.data(Qt.UserRole)
        reply = self._compose(template_id)
        self.hide()
        if reply.complete:
            store.record_use(self.services.db, template_id)
            self.chosen.emit(reply.text)
        else:
            self.needs_fields.emit(template_id)
        self.accept()

    def open_near_cursor(self) -> None:
        """Show over whatever has focus, near the pointer, inside that screen, and take the keys."""
        position = QCursor.pos()
        screen = QGuiApplication.screenAt(position) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(position.x() - self.width() // 2, area.left()), area.right() - self.width())
        y = min(max(position.y() - self.height() // 3, area.top()), area.bottom() - self.height())
        self.move(x, y)
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()
