"""The "What's new from your team" line in Replies: pack changes the agent has not read yet,
by title ("3 new, 2 changed, 1 needs your choice"), staying until read. "Show" opens the
side-by-side view when a change needs the agent's choice, else lists the titles; ✕ marks
them read. Every rule is in assistant.packs.news; this is wiring. It follows the hall:
``packs_changed`` and ``library_changed`` (an install here, the inbox watch or another
process) and ``settings_changed`` for the read mark."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QMessageBox, QToolButton, QWidget

from assistant.i18n import _
from ui.widgets import plain_label, plain_message, plain_tooltip
from ui.workers import NewestRead

LISTED = 25  # titles listed per heading when the news is shown


class TeamNewsBar(QFrame):
    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.news = None
        self.setObjectName("team-news")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAccessibleName(_("What's new from your team"))
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 2, 2)
        self.label = plain_label("", "team-news-text", selectable=False)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.show_button = QToolButton()
        self.show_button.setObjectName("team-news-show")
        self.show_button.setAccessibleName(_("Read what is new from your team"))
        self.show_button.clicked.connect(self.open)
        row.addWidget(self.show_button)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip(_("Mark as read"))
        self.dismiss_button.setAccessibleName(_("Mark as read"))
        self.dismiss_button.clicked.connect(self.mark_read)
        row.addWidget(self.dismiss_button)
        self.hide()
        self.news_read = NewestRead(self, self._show, "the team's news")
        hall = services.hall
        hall.packs_changed.connect(self.refresh)
        hall.library_changed.connect(self._library_changed)  # a method, not a lambda: no cycle
        hall.settings_changed.connect(self._setting_changed)

    def _library_changed(self, _ids) -> None:
        self.refresh()

    def _setting_changed(self, key: str) -> None:
        from assistant.packs.news import READ_SETTING

        if key == READ_SETTING:
            self.refresh()

    def refresh(self) -> None:
        """Read the unread news on a thread: after a pack of 50,000 templates it names them
        all (3.5 s on the GUI thread when each was parsed, at every change of the library
        until read; issue 18). The newest read is what is shown (:class:`NewestRead`: one
        found before a mark as read is not). On a thread of its own, not the app's one
        worker: Replies' reads after the same change (connected after this bar) would wait
        behind it."""
        from assistant.packs.news import unread_at

        path = self.services.runtime.data_dir.database
        self.news_read.read(lambda: unread_at(path))

    def _show(self, found) -> None:
        self.news = found
        if self.news.empty:
            self.hide()
            return
        self.label.setText(_("What's new from your team: {counts} — {titles}").format(
            counts=self.news.counts_text(), titles=self.news.titles_text()))
        self.setToolTip(plain_tooltip(_("From: {packs}").format(packs=", ".join(self.news.packs))))
        self.show_button.setText(_("Choose…") if self.news.conflicts else _("Show"))
        self.show_button.setToolTip(_("Compare your version with the team's, side by side")
                                    if self.news.conflicts else _("List the new and changed replies"))
        self.show()

    def open(self) -> None:
        """Read the news: the side-by-side view for a change that needs a choice, else the
        list of titles. Either way it is read."""
        news = self.news
        if news is None or news.empty:
            return
        if news.conflicts:
            from ui.packs_dialog import open_packs_dialog

            self.mark_read()
            open_packs_dialog(self.window(), news.conflicts[0][0])
            return
        lines = []
        for heading, items in ((_("New:"), news.added), (_("Changed:"), news.changed)):
            if items:  # a few, not the 50,000 titles a large pack's first install brings
                lines.append(heading)
                lines += [f"• {title}" for _id, title in items[:LISTED]]
                if len(items) > LISTED:
                    lines.append("  " + _("and {count} more").format(count=len(items) - LISTED))
        self.mark_read()
        plain_message(self, QMessageBox.Information, _("What's new from your team"), "\n".join(lines))

    def mark_read(self) -> None:
        from assistant.packs import news

        if self.news is not None and news.mark_read(self.services.db, self.news):
            self.services.hall.settings_changed.emit(news.READ_SETTING)  # whoever writes announces
        self.hide()
