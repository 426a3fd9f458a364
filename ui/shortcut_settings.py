"""The settings window's "Global shortcuts" group: the switch, each action's chord (recorded by
pressing it) with what came of its registration (registered, or why not: taken by another
application, off, not possible on this desktop), reading the selection, and paste back. What
the deployment policy forbids is shown disabled, saying so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QKeySequenceEdit, QLineEdit,
                               QWidget)

from assistant import settings
from assistant.i18n import _
from assistant.integration import shortcuts
from ui.widgets import plain_label

# How Qt spells the keys whose names differ from the chord grammar's (assistant.integration.shortcuts)
_QT_KEYS = {"Period": ".", "Comma": ",", "Slash": "/", "Semicolon": ";", "Minus": "-", "Equal": "=",
            "PageUp": "PgUp", "PageDown": "PgDown", "Insert": "Ins"}


def qt_sequence(chord: str) -> QKeySequence:
    if not chord:
        return QKeySequence()
    *mods, key = chord.split("+")
    return QKeySequence.fromString("+".join([*mods, _QT_KEYS.get(key, key)]), QKeySequence.PortableText)


class ShortcutSettings(QGroupBox):
    def __init__(self, services, global_keys=None, parent=None):
        super().__init__(_("Global shortcuts (in any application)"), parent)
        self.setObjectName("shortcut-settings")
        self.services = services
        self.global_keys = global_keys
        db, policy = services.db, services.runtime.policy
        form = QFormLayout(self)
        self.enabled = QCheckBox(_("Use global shortcuts"))
        self.enabled.setChecked(bool(settings.get(db, "shortcuts.enabled")))
        form.addRow(self.enabled)
        self.chords: dict[str, QKeySequenceEdit] = {}
        self.states: dict[str, object] = {}
        for action, name in shortcuts.action_names().items():
            edit = QKeySequenceEdit(qt_sequence(settings.get(db, shortcuts.setting_key(action))))
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.setAccessibleName(name)
            inner = edit.findChild(QLineEdit)  # the field a screen reader lands in
            if inner is not None:
                inner.setAccessibleName(name)
            edit.setObjectName(f"shortcut-{action}")
            edit.setLayoutDirection(Qt.LeftToRight)  # a chord reads "Ctrl+Alt+…" in every language
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("Ctrl+Alt+Shift+PgDown") + 48)
            state = plain_label("", f"shortcut-{action}-state")
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(edit)
            line.addWidget(state, 1)
            form.addRow(name + ":", row)
            self.chords[action], self.states[action] = edit, state
        self.use_selection = QCheckBox(_("Read the selected text first, where the system has a selection (X11)"))
        self.use_selection.setChecked(bool(settings.get(db, "shortcuts.use_selection")))
        form.addRow(self.use_selection)
        self.paste_back = QCheckBox(_("Paste the result into the application that had focus"))
        self.paste_back.setChecked(bool(settings.get(db, "shortcuts.paste_back")))
        form.addRow(self.paste_back)
        self.note = plain_label("", "shortcut-note")
        form.addRow(self.note)
        if not policy.allow_global_shortcuts:
            for widget in (self.enabled, *self.chords.values(), self.use_selection, self.paste_back):
                widget.setEnabled(False)
        if not policy.allow_synthetic_paste:
            self.paste_back.setEnabled(False)
            self.paste_back.setChecked(False)
            self.paste_back.setToolTip(_("The deployment policy does not allow pasting into other applications."))
        if global_keys is not None:
            global_keys.status_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Each chord's registration as the running app has it."""
        entries = {e["action"]: e for e in self.global_keys.entries} if self.global_keys is not None else {}
        for action, state in self.states.items():
            entry = entries.get(action)
            if entry is None:
                state.setText("")
            elif entry["registered"] and entry.get("trigger"):
                state.setText(_("Registered, as {keys} (set by the desktop)").format(keys=entry["trigger"]))
            elif entry["registered"]:
                state.setText(_("Registered"))
            else:
                state.setText(_("Not registered: {why}").format(why=entry["error"] or _("unknown")))
        self.note.setText(self.global_keys.note if self.global_keys is not None else "")
        self.note.setVisible(bool(self.note.text()))

    def values(self) -> dict:
        values = {"shortcuts.enabled": self.enabled.isChecked(),
                  "shortcuts.use_selection": self.use_selection.isChecked()}
        if self.paste_back.isEnabled():
            values["shortcuts.paste_back"] = self.paste_back.isChecked()
        for action, edit in self.chords.items():
            text = edit.keySequence().toString(QKeySequence.PortableText)
            values[shortcuts.setting_key(action)] = text
        return values
