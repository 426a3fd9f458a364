"""Global shortcuts: what each one does, with the settings and the policy that govern them.

The chords are settings (``shortcuts.*``, assistant/settings.py) and re-register as soon as
one changes (the hall's ``settings_changed``); the deployment policy can forbid global
shortcuts (``allow_global_shortcuts``) and the synthetic paste (``allow_synthetic_paste``).
What came of each registration is kept for the settings window (``entries``) and written to
the data folder for ``assistant integration status`` (assistant.integration.shortcuts).

- show_hide: the window's show/hide, as the tray does.
- translate_clipboard: the selected text (X11's primary selection) or the clipboard goes into
  the Translate panel's "customer → me"; the window shows it without taking focus.
- translate_reply: the agent's selected text (or the clipboard) is translated into the
  customer's language, copied, and pasted back over the selection when paste back is on.
- reply_search: a small search popup over any application (ui/reply_search.py); the chosen
  reply, filled for the current customer, is copied and pasted back when paste back is on.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from assistant import settings
from assistant.i18n import _
from assistant.integration import shortcuts
from ui import clipboard

log = logging.getLogger(__name__)

REPLY_WAIT_MS = 30_000   # how long translate_reply waits for the translation (models loading)


class GlobalKeys(QObject):
    """Owns the platform backend (ui/hotkeys.py) for the window's lifetime."""

    status_changed = Signal()

    def __init__(self, window, services, backend=None, portal=None):
        """``portal``: on Wayland, what ``ui.portal_keys.open_portal`` came to on a thread
        (the backend is still made only when keys are first registered)."""
        super().__init__(window)
        self.window = window
        self.services = services
        self._backend = backend
        self._portal = portal
        if backend is not None:
            self._connect(backend)
        self.entries: list[dict] = []
        self.note = ""
        self._chords: dict[str, str] = {}
        self._results: dict[str, str | None] = {}
        self._off: str | None = None
        self._previous = None       # the window that had focus when a chord was pressed
        self._awaiting = None       # translate_reply: the text whose translation is awaited
        self._popup = None
        self._reply_timer = QTimer(self)
        self._reply_timer.setSingleShot(True)
        self._reply_timer.timeout.connect(self._stop_awaiting)

    @property
    def backend(self):
        if self._backend is None:
            from ui.hotkeys import choose

            self._backend = choose(QGuiApplication.platformName(), self, self._portal)
            self._portal = None
            self._connect(self._backend)
        return self._backend

    def _connect(self, backend) -> None:
        backend.activated.connect(self.trigger)
        backend.registration_changed.connect(self._answered)

    def start(self) -> None:
        self.services.hall.settings_changed.connect(self._setting_changed)
        self.register()

    def stop(self) -> None:
        try:
            self.services.hall.settings_changed.disconnect(self._setting_changed)
        except (RuntimeError, TypeError):
            pass
        if self._portal is not None and not isinstance(self._portal, BaseException):
            self._portal.conn.close()  # opened for keys never registered (turned off)
            self._portal = None
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:  # a display already gone: nothing left to release
                log.exception("closing the global shortcuts")
        shortcuts.clear_status(self.services.runtime.data_dir.path)

    # -- registering -----------------------------------------------------------------------
    def _setting_changed(self, key: str) -> None:
        if key.startswith(shortcuts.SETTING_PREFIX) and key not in ("shortcuts.paste_back", "shortcuts.use_selection"):
            self.register()

    def chords(self) -> dict[str, str]:
        db = self.services.db
        return {action: settings.get(db, shortcuts.setting_key(action)) for action in shortcuts.ACTIONS}

    def register(self) -> None:
        """(Re-)register every chord; remember and publish what came of each."""
        db = self.services.db
        chords = self.chords()
        bindings, results, off_reason = shortcuts.plan(
            chords, enabled=settings.get(db, "shortcuts.enabled"),
            allowed=self.services.runtime.policy.allow_global_shortcuts)
        if off_reason is None:
            backend = self.backend
            try:
                results.update(backend.register(bindings))
            except Exception as exc:  # never a traceback for a hotkey service that misbehaves
                log.exception("registering global shortcuts failed")
                results.update({action: str(exc) for action in bindings})
        elif self._backend is not None:
            self._backend.unregister_all()
        self._chords, self._results, self._off = chords, results, off_reason
        self._publish()

    def _answered(self, answers: dict) -> None:
        """The system's later answer (the desktop portal, once the agent confirmed)."""
        if self._off is None and self._chords:
            self._results.update(answers)
            self._publish()

    def _publish(self) -> None:
        chords, results, off_reason = self._chords, self._results, self._off
        backend = self._backend if off_reason is None else None
        triggers = getattr(backend, "triggers", {}) or {}
        self.note = off_reason or getattr(backend, "note", "")
        self.entries = [{"action": action, "chord": chords[action],
                         "registered": off_reason is None and results.get(action, "?") is None,
                         "error": off_reason if off_reason else results.get(action),
                         **({"trigger": triggers[action]} if off_reason is None and triggers.get(action) else {})}
                        for action in shortcuts.ACTIONS]
        for entry in self.entries:
            if entry["chord"] and not entry["registered"]:
                log.info("global shortcut %s (%s) not registered: %s", entry["action"], entry["chord"], entry["error"])
        try:
            shortcuts.write_status(self.services.runtime.data_dir.path, self.entries,
                                   backend=getattr(backend, "name", "none"), note=self.note)
        except OSError as exc:
            log.warning("could not write the shortcut status: %s", exc)
        self.status_changed.emit()

    # -- the actions -----------------------------------------------------------------------
    def trigger(self, action: str) -> None:
        self._previous = self.backend.focused_window()
        {shortcuts.SHOW_HIDE: self.window.toggle_visible,
         shortcuts.TRANSLATE_CLIPBOARD: self.translate_clipboard,
         shortcuts.TRANSLATE_REPLY: self.translate_reply,
         shortcuts.REPLY_SEARCH: self.reply_search}[action]()

    def source_text(self) -> str:
        """The selected text where the system has a selection (and the setting allows), else
        the clipboard's."""
        board = QGuiApplication.clipboard()
        if board.supportsSelection() and settings.get(self.services.db, "shortcuts.use_selection"):
            selected = board.text(QClipboard.Selection)
            if selected.strip():
                return selected
        return board.text()

    def _show_without_focus(self) -> None:
        window = self.window
        if window.isMinimized() or not window.isVisible():
            window.showNormal()
        window.raise_()

    def translate_clipboard(self) -> None:
        panel = self.window.panel_by_id("translate")
        self.window.tabs.setCurrentIndex(self.window.panel_index("translate"))
        self._show_without_focus()
        panel.translate_clipboard(self.source_text())

    def translate_reply(self) -> None:
        text = self.source_text()
        if not text.strip():
            self.services.notify(_("Translate"), _("Select or copy your reply first: there is no text."))
            return
        panel = self.window.panel_by_id("translate")
        if self._awaiting is None:
            panel.translated.connect(self._reply_translated)
            panel.not_translated.connect(self._reply_not_translated)
        self._awaiting = (text, self._previous)
        self._reply_timer.start(REPLY_WAIT_MS)
        panel.outgoing.input.setPlainText(text)
        panel.request(panel.outgoing)

    def _reply_translated(self, key: str, result) -> None:
        from ui.panels.translate import OUTGOING

        panel = self.window.panel_by_id("translate")
        if key != OUTGOING or self._awaiting is None or panel.outgoing.input.toPlainText() != self._awaiting[0]:
            return
        previous = self._awaiting[1]
        self._stop_awaiting()
        self.deliver(result.text, previous, _("Translated reply"))

    def _reply_not_translated(self, key: str, why: str) -> None:
        """No model for the customer's language (say): the agent sees why, in the panel."""
        from ui.panels.translate import OUTGOING

        if key != OUTGOING or self._awaiting is None:
            return
        self._stop_awaiting()
        self.window.tabs.setCurrentIndex(self.window.panel_index("translate"))
        self._show_without_focus()
        self.services.notify(_("Translate"), why or _("The reply could not be translated."))

    def _stop_awaiting(self) -> None:
        if self._awaiting is not None:
            self._awaiting = None
            self._reply_timer.stop()
            panel = self.window.panel_by_id("translate")
            panel.translated.disconnect(self._reply_translated)
            panel.not_translated.disconnect(self._reply_not_translated)

    def reply_search(self) -> None:
        from ui.reply_search import ReplySearchPopup

        if self._popup is not None:
            self._popup.close()
        previous = self._previous
        self._popup = ReplySearchPopup(self.services, self.window.panel_by_id("replies"), self.window)
        self._popup.chosen.connect(lambda text, p=previous: self.deliver(text, p, _("Reply")))
        self._popup.needs_fields.connect(self._open_in_replies)
        self._popup.finished.connect(self._popup_closed)
        self._popup.open_near_cursor()

    def _popup_closed(self) -> None:
        if self._popup is not None:
            self._popup.deleteLater()
            self._popup = None

    def _open_in_replies(self, template_id: str) -> None:
        """A reply with fields to fill: the Replies panel, where the form is."""
        self.window.show_panel(self.window.panel_index("replies"))
        self.window.panel_by_id("replies").select_template(template_id)
        self.window.bring_forward()

    def paste_enabled(self) -> bool:
        return (self.services.runtime.policy.allow_synthetic_paste and self.backend.can_paste
                and settings.get(self.services.db, "shortcuts.paste_back"))

    @staticmethod
    def _own_windows() -> set:
        """Handles of the app's own windows: a chord pressed in the app pastes nothing into it."""
        from PySide6.QtWidgets import QApplication

        return {int(w.winId()) for w in QApplication.topLevelWidgets() if w.testAttribute(Qt.WA_WState_Created)}

    def deliver(self, text: str, previous, title: str) -> None:
        """Copy ``text``; with paste back on, paste it into the window that had focus."""
        clipboard.copy(text)
        if previous is not None and previous not in self._own_windows() and self.paste_enabled():
            self.backend.paste_into(previous)
        else:
            self.services.notify(title, _("Copied: paste it with Ctrl+V."))
