"""Translate panel: "customer → me" (source detected, one-click override) and "me → customer"
(target = the customer's language) on one panel, offline.

The engine loads on the worker pool once the event loop runs, i.e. after the window is
shown, and warms every installed pair; until then the panel says so and queues nothing.
All rules (which language, which model, what to say when one is missing) live in
assistant.translation; this module is layout and wiring.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFrame, QHBoxLayout, QMenu,
                               QInputDialog, QMessageBox, QPlainTextEdit, QProgressDialog,
                               QPushButton, QToolButton, QVBoxLayout)

from assistant.errors import UserError
from assistant.i18n import N_, _, current_language
from assistant.translation import directions, history
from assistant.translation.languages import language_name
from assistant.translation.service import (MY_LANGUAGE_KEY, customer_language, my_language,
                                           set_my_language)
from ui.panels.base import Panel
from ui.services import Command
from ui.error_report import failure_text
from ui.widgets import plain_label, plain_message
from ui.workers import run_in_pool

log = logging.getLogger(__name__)

TRANSLATE_DELAY_MS = 350
INCOMING, OUTGOING = "incoming", "outgoing"


class _Direction(QFrame):
    """One direction: input, language row (shown language + override), output, copy."""

    def __init__(self, key: str, heading: str, placeholder: str, parent=None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"translate-{key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        title = plain_label(heading)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.input = QPlainTextEdit()
        self.input.setObjectName(f"translate-{key}-input")
        self.input.setPlaceholderText(placeholder)
        self.input.setAccessibleName(heading)
        self.input.setTabChangesFocus(True)
        layout.addWidget(self.input, 2)
        row = QHBoxLayout()
        self.language_label = plain_label("", f"translate-{key}-language")
        self.language_label.setWordWrap(True)  # wraps at a large font rather than widen the window
        row.addWidget(self.language_label, 1)
        self.override = QComboBox()
        self.override.setObjectName(f"translate-{key}-override")
        self.override.setAccessibleName(_("Language"))
        self.override.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.override.setMinimumContentsLength(9)  # a long language name must not widen the window
        row.addWidget(self.override)
        layout.addLayout(row)
        self.output = QPlainTextEdit()
        self.output.setObjectName(f"translate-{key}-output")
        self.output.setReadOnly(True)
        self.output.setAccessibleName(_("Translation"))
        self.output.setTabChangesFocus(True)
        layout.addWidget(self.output, 2)
        bottom = QHBoxLayout()
        self.note = plain_label("", f"translate-{key}-note")
        bottom.addWidget(self.note, 1)
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.setObjectName(f"translate-{key}-copy")
        self.copy_button.setEnabled(False)
        bottom.addWidget(self.copy_button, 0, Qt.AlignTop)
        layout.addLayout(bottom)
        self.generation = 0     # discards results of requests superseded by newer text
        self.done = 0           # the generation the output shows

    def set_result(self, text: str, note: str = "") -> None:
        self.output.setPlainText(text)
        self.copy_button.setEnabled(bool(text))
        self.note.setText(note)


class TranslatePanel(Panel):
    panel_id = "translate"
    title = N_("Translate")

    engine_ready = Signal(object)      # EngineReady, or an Exception
    translated = Signal(str, object)   # direction, TranslationResult
    not_translated = Signal(str, str)  # direction, why (no model for the pair, …)

    def __init__(self, services, parent=None):
        super().__init__(services, parent)
        self.service = services.translation
        self.ready = None                       # EngineReady once loaded
        self.loading = False
        self.my_language = my_language(services.db, current_language())
        self.detection = None                   # last Detection of the incoming text
        self.last_incoming: str | None = None   # the language the customer last wrote in
        self._build()
        self._timers = {}
        for direction in (self.incoming, self.outgoing):
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(TRANSLATE_DELAY_MS)
            timer.timeout.connect(lambda d=direction: self.request(d))
            self._timers[direction.key] = timer
            direction.input.textChanged.connect(timer.start)
            direction.copy_button.clicked.connect(lambda _c=False, d=direction: self.copy(d))
            direction.override.activated.connect(lambda _i, d=direction: self.request(d))
        services.customer.changed.connect(self._customer_changed)
        services.hall.settings_changed.connect(self._setting_changed)
        self._refresh()
        # Runs once the event loop does, i.e. after the window is shown: never delays it.
        QTimer.singleShot(0, self, self.start_engine)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.status = plain_label(_("Loading translation models…"), "translate-status")
        top.addWidget(self.status, 1)
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("translate-menu")
        self.menu_button.setText(_("Models"))
        self.menu_button.setAccessibleName(_("Translation models"))
        self.menu_button.setPopupMode(QToolButton.InstantPopup)
        self.menu = QMenu(self)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.menu_button.setMenu(self.menu)
        top.addWidget(self.menu_button, 0, Qt.AlignTop)
        outer.addLayout(top)

        self.empty_state = plain_label(directions.no_models_message(), "translate-empty")
        self.empty_state.setFrameShape(QFrame.StyledPanel)
        self.empty_state.setContentsMargins(8, 8, 8, 8)
        self.empty_state.setVisible(False)
        outer.addWidget(self.empty_state)
        self.install_button = QPushButton(_("Install model…"))
        self.install_button.setObjectName("translate-install")
        self.install_button.clicked.connect(self.install_file)
        self.install_button.setVisible(False)
        outer.addWidget(self.install_button, 0, Qt.AlignLeft)

        self.incoming = _Direction(INCOMING, _("Customer → me"), _("Paste the customer's message"))
        self.outgoing = _Direction(OUTGOING, _("Me → customer"), _("Write your reply"))
        outer.addWidget(self.incoming, 1)
        outer.addWidget(self.outgoing, 1)
        self.setFocusProxy(self.incoming.input)  # Ctrl+1 then Ctrl+V pastes the customer's message
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # the main and the keypad Enter
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.copy_reply_translation)
        self.outgoing.copy_button.setToolTip(_("Copy the translation of your reply (Ctrl+Enter)"))
        self._copy_when_translated = False

    # ------------------------------------------------------------------ engine
    def start_engine(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.status.setText(_("Loading translation models…"))
        service = self.service
        run_in_pool(lambda: service.start(warm=None, detector=False), self._engine_loaded, self._engine_failed,
                    pool=self.services.pool)
        # queued behind the engine on the one worker: translation is ready first, detection next
        run_in_pool(service.load_detector, None, lambda exc: log.error("language detection unavailable: %s", exc),
                    pool=self.services.pool)

    def _engine_loaded(self, ready) -> None:
        self.loading = False
        self.ready = ready
        self.my_language = my_language(self.services.db, current_language(), ready.languages)
        self._refresh()
        self.engine_ready.emit(ready)
        for direction in (self.incoming, self.outgoing):
            if direction.input.toPlainText().strip():
                self.request(direction)

    def _engine_failed(self, exc: Exception) -> None:
        self.loading = False
        log.error("translation engine failed to load: %s", exc)
        self.status.setText(_("The translation engine could not start: {error}").format(error=exc))
        self.engine_ready.emit(exc)

    # ------------------------------------------------------------------ state
    def _name(self, code: str | None) -> str:
        if not code:
            return "?"
        names = self.ready.names if self.ready else {}
        return language_name(code, current_language(), names.get(code, ""))

    def _fill_combo(self, combo: QComboBox, chosen: str | None, auto_text: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(auto_text, None)
        for code in (self.ready.languages if self.ready else ()):
            combo.addItem(self._name(code), code)
        index = combo.findData(chosen) if chosen else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _refresh(self) -> None:
        pairs = self.ready.pairs if self.ready else ()
        no_models = self.ready is not None and not pairs
        self.empty_state.setVisible(no_models)
        self.install_button.setVisible(no_models)
        if self.ready is not None:
            if pairs:
                shown = ", ".join(f"{a}→{b}" for a, b in pairs)
                self.status.setText(_("Offline models: {pairs}").format(pairs=shown))
            else:
                self.status.setText(_("No translation model installed"))
        for direction in (self.incoming, self.outgoing):
            direction.setEnabled(not no_models)
        self.setFocusProxy(self.install_button if no_models else self.incoming.input)
        self._fill_combo(self.incoming.override, self.incoming.override.currentData(), _("Detect"))
        self._fill_combo(self.outgoing.override, self.outgoing.override.currentData(), _("Customer's language"))
        self._update_language_labels()

    def _incoming_plan(self):
        detected = self.detection.language if self.detection else None
        return directions.plan_incoming(self.ready.pairs if self.ready else (), self.my_language,
                                        detected or self.last_incoming, self.incoming.override.currentData())

    def _outgoing_plan(self):
        return directions.plan_outgoing(self.ready.pairs if self.ready else (), self.my_language,
                                        customer_language(self.services.customer.context,
                                                          self.ready.languages if self.ready else ()),
                                        self.last_incoming,
                                        self.outgoing.override.currentData())

    def _update_language_labels(self) -> None:
        inc = self._incoming_plan()
        if self.incoming.override.currentData():
            text = _("From {language} (chosen)").format(language=self._name(inc.source))
        elif self.detection and self.detection.language:
            guess = self.detection.candidates[0][0] if self.detection.candidates else self.detection.language
            if self.detection.reliable:
                text = _("Detected: {language}").format(language=self._name(self.detection.language))
            elif guess != self.detection.language:  # short text: keep the conversation's language
                text = _("{kept} (kept) · guess: {guess}").format(kept=self._name(self.detection.language),
                                                                  guess=self._name(guess))
            else:
                text = _("Probably {language} (short text)").format(language=self._name(guess))
        else:
            text = _("Language: detected when you paste")
        self.incoming.language_label.setText(text)
        out = self._outgoing_plan()
        self.outgoing.language_label.setText(
            _("To {language}").format(language=self._name(out.target)) if out.target else _("To: choose a language"))

    def _customer_changed(self, _context) -> None:
        self._update_language_labels()
        if self.outgoing.input.toPlainText().strip():
            self.request(self.outgoing)

    # ------------------------------------------------------------------ translating
    def copy_reply_translation(self) -> None:
        """Ctrl+Enter: copy the translation of the agent's reply, translating it first if
        the text changed since (the copy follows the result)."""
        direction = self.outgoing
        if not direction.input.toPlainText().strip():
            direction.note.setText(_("Write your reply first: its translation is what Ctrl+Enter copies."))
            return
        if not self._timers[direction.key].isActive() and direction.done == direction.generation:
            self._copy_reply()
            return
        self._copy_when_translated = True
        self.request(direction)

    def _copy_reply(self) -> None:
        self._copy_when_translated = False
        if self.outgoing.output.toPlainText():
            self.copy(self.outgoing)
            self.outgoing.note.setText(_("Translation copied."))

    def request(self, direction: _Direction) -> None:
        """Translate the direction's text on the worker (newest request wins)."""
        self._timers[direction.key].stop()
        text = direction.input.toPlainText()
        direction.generation += 1
        generation = direction.generation
        if not text.strip():
            if direction is self.incoming:
                self.detection = None
                self._update_language_labels()
            direction.set_result("")
            direction.done = generation
            return
        if self.ready is None:
            direction.note.setText(_("Loading translation models…"))
            return
        service, path = self.service, self.services.runtime.data_dir.database
        if direction is self.incoming:
            override = direction.override.currentData()
            previous = self.last_incoming
            pairs, mine = self.ready.pairs, self.my_language

            def work():
                from assistant.packs.terms import read_glossaries

                terms, _rows = read_glossaries(path, team=False)  # on the worker: 26 ms at 30,000 terms
                detection = service.detect(text, previous)
                plan = directions.plan_incoming(pairs, mine, detection.language, override)
                result = None if plan.problem or not plan.source else service.translate(text, plan.source, mine, terms)
                return detection, plan, result, []
        else:
            plan = self._outgoing_plan()

            def work():
                if plan.problem:
                    return None, plan, None, []
                from assistant.packs.terms import hints, read_glossaries

                terms, rows = read_glossaries(path, team=True)
                result = service.translate(text, plan.source, plan.target, terms)
                return None, plan, result, hints(rows, text, result.target)  # the team's words, as hints

        key = direction.key

        def job():  # what it was for travels with the result: the callback is a bound method,
            try:       # which Qt drops if the panel is deleted before the result arrives
                return key, generation, text, work()
            except Exception as exc:
                return key, generation, text, exc

        run_in_pool(job, self._translated, pool=self.services.pool)

    def _translated(self, job) -> None:
        key, generation, text, out = job
        direction = self.incoming if key == INCOMING else self.outgoing
        if generation != direction.generation:
            return  # superseded by newer text
        direction.done = generation
        if isinstance(out, Exception):
            direction.set_result("", str(out))
            return
        detection, plan, result, team_terms = out
        if direction is self.incoming and detection is not None:
            self.detection = detection
            if detection.reliable and not direction.override.currentData():
                self.last_incoming = detection.language
            elif direction.override.currentData():
                self.last_incoming = direction.override.currentData()
        self._update_language_labels()
        if plan.problem or result is None:
            direction.set_result("", plan.problem or "")
            self.not_translated.emit(direction.key, plan.problem or "")
            return
        note = _("via {language}").format(language=self._name(result.pivot)) if result.pivot else ""
        if result.fallback:
            note = (note + " · " if note else "") + _("protected terms kept, translated around them")
        if team_terms:  # the team's words for the customer's language (outgoing only)
            note = (note + " · " if note else "") + _("Team terms: {terms}").format(
                terms=", ".join(f"{term} → {preferred}" for term, preferred in team_terms))
        direction.set_result(result.text, note)
        self._record(direction, text, result)
        if direction is self.outgoing and self._copy_when_translated:
            self._copy_reply()
        self.translated.emit(direction.key, result)

    def _record(self, direction: _Direction, text: str, result) -> None:
        try:
            history.record(self.services.db, self.services.runtime.policy, now=datetime.now(timezone.utc),
                           direction=direction.key, source_lang=result.source, target_lang=result.target,
                           source_text=text, translated_text=result.text)
        except Exception:  # history is optional: never lose a translation over it
            log.exception("could not record translation history")

    def copy(self, direction: _Direction) -> None:
        text = direction.output.toPlainText()
        if text:
            QGuiApplication.clipboard().setText(text)

    def translate_clipboard(self, text: str | None = None) -> None:
        """Put the clipboard's text (or ``text``: the selection a global shortcut read) in
        "customer → me" and translate it now."""
        text = QGuiApplication.clipboard().text() if text is None else text
        if not text.strip():
            self.services.notify(_("Translate"), _("The clipboard holds no text."))
            return
        self.incoming.input.setPlainText(text)
        self.request(self.incoming)
        window = self.window()
        if window is not None and not window.isVisible():
            self.translated.connect(self._notify_once)

    def _notify_once(self, key: str, result) -> None:
        self.translated.disconnect(self._notify_once)
        if key == INCOMING:
            self.services.notify(_("Translation"), result.text)

    # ------------------------------------------------------------------ models menu
    def _fill_menu(self) -> None:
        menu = self.menu
        menu.clear()
        menu.addAction(_("Install model…"), self.install_file)
        policy = self.services.runtime.policy
        if policy.shared_models_dir:
            menu.addAction(_("Install from the shared models folder"),
                           lambda: self.install_path(policy.shared_models_dir))
        menu.addAction(_("Install all models in a folder…"), self.install_folder)
        if policy.allow_downloads:
            menu.addAction(_("Download a model…"), self.download_model)
        if self.ready and self.ready.pairs:
            remove = menu.addMenu(_("Remove model"))
            for pair in self.ready.pairs:
                remove.addAction(f"{pair[0]}→{pair[1]}", lambda p=pair: self.remove_model(p))
        if self.ready and self.ready.languages:
            mine = menu.addMenu(_("My language"))
            for code in self.ready.languages:
                action = mine.addAction(self._name(code), lambda c=code: self.set_my_language(c))
                action.setCheckable(True)
                action.setChecked(code == self.my_language)
        menu.addSeparator()
        keep = menu.addAction(_("Keep translation history"))
        keep.setCheckable(True)
        keep.setChecked(history.is_enabled(self.services.db, policy))
        keep.setEnabled(history.allowed(policy))
        keep.toggled.connect(self.set_history)
        menu.addAction(_("Clear translation history"), self.clear_history)

    def install_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Install translation model"), "",
                                                    _("Argos models (*.argosmodel)"))
        if path:
            self.install_path(path)

    def install_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Folder of translation models"))
        if path:
            self.install_path(path)

    def install_path(self, path) -> None:
        from pathlib import Path

        service = self.service
        self.status.setText(_("Installing…"))

        def work():
            results = service.install(Path(path))
            return results, service.start(warm=None)

        run_in_pool(work, self._installed, self._install_failed, pool=self.services.pool)

    def _installed(self, out) -> None:
        results, ready = out
        self._engine_loaded(ready)
        errors = [f"{r.source.name}: {r.error}" for r in results if r.error]
        done = [r.package.label for r in results if r.package and not r.skipped]
        if errors:
            # file and entry names come from the archive: plain text, never a link or an image
            plain_message(self, QMessageBox.Warning, _("Install translation model"), "\n".join(errors))
        if done:
            self.services.notify(_("Translation"), _("Installed: {models}").format(models=", ".join(done)))

    def _install_failed(self, exc: Exception) -> None:
        self._refresh()
        plain_message(self, QMessageBox.Warning, _("Install translation model"), failure_text(self.services, exc))

    def remove_model(self, pair) -> None:
        service = self.service

        def work():
            service.remove(*pair)
            return service.start(warm=None)

        run_in_pool(work, self._engine_loaded, self._install_failed, pool=self.services.pool)

    def download_model(self) -> None:
        """Explicit user action, allowed by policy: the package index is read on the worker
        (a slow mirror never freezes the window), then the agent picks a pair; it downloads
        with progress and cancel and installs through the same validation."""
        from assistant.translation import download

        policy = self.services.runtime.policy
        try:
            download.check_allowed(policy)
        except UserError as exc:  # the policy forbids downloads
            plain_message(self, QMessageBox.Warning, _("Download a model"), str(exc))
            return
        self.status.setText(_("Reading the list of models…"))
        run_in_pool(lambda: download.fetch_index(policy), self._choose_download,
                    self._index_failed, pool=self.services.pool)

    def _index_failed(self, exc: Exception) -> None:
        self._refresh()
        plain_message(self, QMessageBox.Warning, _("Download a model"), failure_text(self.services, exc))

    def _choose_download(self, available: list) -> None:
        from assistant.translation import download

        policy = self.services.runtime.policy
        self._refresh()
        if not available:
            plain_message(self, QMessageBox.Information, _("Download a model"), _("The package index lists no models."))
            return
        labels = [p.label for p in available]
        label, ok = QInputDialog.getItem(self, _("Download a model"), _("Model:"), labels, 0, False)
        if not ok:
            return
        package = available[labels.index(label)]
        dialog = QProgressDialog(self)
        dialog.setLabel(plain_label(_("Downloading {model}…").format(model=package.label), selectable=False))
        dialog.setCancelButtonText(_("Cancel"))
        dialog.setRange(0, 100)
        dialog.setWindowModality(Qt.WindowModal)
        state = {"cancel": False}
        dialog.canceled.connect(lambda: state.update(cancel=True))
        progress = _ProgressRelay(self)
        progress.changed.connect(lambda p: dialog.setValue(p))
        models_dir = self.service.models_dir
        service = self.service

        def work():
            result = download.download_and_install(
                policy, models_dir, package, cancelled=lambda: state["cancel"],
                progress=lambda done, total: progress.changed.emit(done * 100 // total if total else 0))
            return [result], service.start(warm=None)

        def finished(out):
            dialog.close()
            self._installed(out)

        def failed(exc):
            dialog.close()
            if not isinstance(exc, download.DownloadCancelled):
                self._install_failed(exc)

        dialog.show()
        run_in_pool(work, finished, failed, pool=self.services.pool)

    def set_my_language(self, code: str) -> None:
        """The language the agent reads and writes in: the target of "customer → me"."""
        set_my_language(self.services.db, code)
        self.services.hall.settings_changed.emit(MY_LANGUAGE_KEY)  # we follow it below

    def _setting_changed(self, key: str) -> None:
        if key != MY_LANGUAGE_KEY:
            return
        self.my_language = my_language(self.services.db, current_language(),
                                       self.ready.languages if self.ready else ())
        self._update_language_labels()
        for direction in (self.incoming, self.outgoing):
            if direction.input.toPlainText().strip():
                self.request(direction)

    def set_history(self, on: bool) -> None:
        try:
            history.set_enabled(self.services.db, self.services.runtime.policy, on)
        except UserError as exc:  # the policy forbids a history
            plain_message(self, QMessageBox.Warning, _("Translation history"), str(exc))
            return
        self.services.hall.settings_changed.emit(history.ENABLED_KEY)

    def clear_history(self) -> None:
        history.clear(self.services.db)
        self.services.notify(_("Translation history"), _("Translation history cleared."))

    # ------------------------------------------------------------------ panel API
    def commands(self) -> list[Command]:
        return [
            Command(_("Translate clipboard"), self.translate_clipboard, "", "translate paste customer message"),
            Command(_("Copy the translation of your reply"), self.copy_reply_translation, "Ctrl+Enter",
                    "translate clipboard reply outgoing"),
            Command(_("Install translation model…"), self.install_file, "", "argos model language pair"),
        ]

    def set_compact(self, compact: bool) -> None:
        self.status.setVisible(not compact)

    def activated(self) -> None:
        self.incoming.input.setFocus()


class _ProgressRelay(QObject):
    """Carries download progress from the worker thread to the GUI thread."""
    changed = Signal(int)
