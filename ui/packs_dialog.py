"""Template packs window: installed packs (publisher, key fingerprint, version, dates,
changelog; hide, disable, remove; per-template hide/disable), conflicts ("team version
updated": side by side, use the team version or keep mine), trusted keys (trust a key after
seeing its fingerprint), install from a file (explicit confirmation for unsigned packs).
Also the inbox watch the app starts (:func:`start_inbox_watch`) and the palette commands.

Every rule lives in ``assistant.packs``; pack text is shown as plain text only. Every change
made here or by the inbox watch is announced in the hall (``packs_changed`` and, when
templates change, ``library_changed``), so Replies, Culture and the clocks follow; an open
window refreshes when others announce.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout,
                               QHeaderView, QMessageBox, QPlainTextEdit,
                               QPushButton, QSplitter, QTableView, QTabWidget, QTextEdit,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from assistant import textsafety
from assistant.clock.ticks import utc_now
from assistant.errors import UserError
from assistant.i18n import _, ngettext
from assistant.packs import format as fmt
from assistant.packs import inbox, install, manage, signing, trust
from ui import theme
from ui.narrow import fit_columns, stack_when_narrow
from ui.pack_templates import PackTemplatesModel
from ui.widgets import plain_label, plain_message
from ui.workers import NewestRead, Progress, run_in_thread, upkeep_in_thread

log = logging.getLogger(__name__)

INBOX_CHECK_MS = inbox.CHECK_INTERVAL_S * 1000
INBOX_FIRST_CHECK_MS = 4000



def _read_only_text() -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setLineWrapMode(QPlainTextEdit.WidgetWidth)
    box.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)  # a fingerprint wraps too
    return box


def when(text: str | None) -> str:
    """'2026-11-20T09:00:00+00:00' -> '2026-11-20 09:00 UTC' (stored times are UTC)."""
    if not text:
        return ""
    return text[:16].replace("T", " ") + (" UTC" if len(text) > 10 else "")


CHANGELOG_ENTRIES = 20  # the newest changelog entries the details show
CHANGELOG_NAMES = 8     # templates named per kind of change in an entry
CHANGES = ("added", "updated", "conflicts", "kept_local", "retired")


def changelog_ids(history: list[manage.HistoryEntry]) -> set[str]:
    """The templates :func:`describe_pack` names (their titles are read, not the library's)."""
    return {tid for entry in history[:CHANGELOG_ENTRIES] for key in CHANGES
            for tid in (entry.changes.get(key) or [])[:CHANGELOG_NAMES]}


def describe_pack(pack: manage.InstalledPack, history: list[manage.HistoryEntry],
                  titles: dict[str, str] | None = None) -> str:
    """The details pane's text (plain text, hidden characters made visible); the changelog
    names templates by ``titles`` (id -> title), by id where a title is unknown."""
    titles = titles or {}
    v = textsafety.visible
    lines = [v(pack.title), _("Publisher: {publisher}").format(publisher=v(pack.publisher)),
             _("Pack id: {id}").format(id=pack.pack_id),
             _("Version: {version}").format(version=pack.version)]
    if pack.source == "built-in":
        lines.append(_("Built into the app"))
    elif pack.signed:
        lines.append(_("Signed with key {key_id}").format(key_id=pack.key_id))
        lines.append(_("Key fingerprint: {fingerprint}").format(fingerprint=pack.fingerprint))
    else:
        lines.append(_("UNSIGNED: installed after an explicit confirmation"))
    lines.append(_("Created: {date}").format(date=pack.created))
    if pack.expires:
        lines.append(_("Expires: {date}").format(date=pack.expires))
    lines.append(_("Installed: {date}, last updated: {updated}").format(date=when(pack.installed_at),
                                                                       updated=when(pack.updated_at)))
    lines.append(ngettext("{count} template, languages: {languages}", "{count} templates, languages: {languages}",
                          pack.template_count).format(count=pack.template_count, languages=", ".join(pack.languages)))
    if pack.release_notes:
        lines += ["", _("Release notes:"), v(pack.release_notes)]
    if pack.warnings:
        lines += ["", _("Flagged hidden characters:")]
        for w in pack.warnings[:20]:
            where = " / ".join(x for x in (w.get("template"), w.get("field")) if x)
            lines.append(f"• {where}: {w.get('message')}")
    lines += ["", _("Changelog:")]
    labels = (_("added"), _("updated"), _("team version updated"), _("kept your version"), _("retired"))
    for entry in history[:CHANGELOG_ENTRIES]:
        lines.append(f"{when(entry.at)}  {entry.action} {entry.version or ''}: {entry.summary()}")
        for key, label in zip(CHANGES, labels):
            ids = entry.changes.get(key) or []
            if ids:
                shown = ", ".join(v(titles.get(i, i)) for i in ids[:CHANGELOG_NAMES])
                lines.append(f"    {label}: {shown}" + (" …" if len(ids) > CHANGELOG_NAMES else ""))
    return "\n".join(lines)


class PacksDialog(QDialog):
    def __init__(self, services, parent=None, now=utc_now):
        super().__init__(parent)
        self.services = services
        self.now = now
        self.setObjectName("packs-dialog")
        self.setWindowTitle(_("Template packs"))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_installed(), _("Installed"))
        self.tabs.addTab(self._build_conflicts(), _("Team updates"))
        self.keys_page = self._build_keys()
        self.tabs.addTab(self.keys_page, _("Trusted keys"))
        self._keys_stale = True
        self.tabs.currentChanged.connect(lambda _index: self._refresh_keys_if_shown())
        self.status = plain_label()
        layout.addWidget(self.status)
        self.resize(920, 600)
        self._announcing = False
        self.listing = NewestRead(self, self.template_model.set_listing, "the pack's templates")
        services.hall.packs_changed.connect(self._changed_elsewhere)
        services.hall.library_changed.connect(self._changed_elsewhere)
        self.refresh()

    def _announce(self, packs: bool = True, templates=None, refresh: bool = True) -> None:
        """Tell the app what this window changed (``templates``: ids, None for any)."""
        hall = self.services.hall
        self._announcing = True
        try:
            if packs:
                hall.packs_changed.emit()
            hall.library_changed.emit(templates)
        finally:
            self._announcing = False
        if refresh:
            self.refresh()

    def _changed_elsewhere(self, *_args) -> None:
        if not self._announcing:
            self.refresh()

    # -- installed -----------------------------------------------------------------
    def _build_installed(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        buttons = QHBoxLayout()
        self.install_button = QPushButton(_("Install from file…"))
        self.install_button.clicked.connect(self.choose_and_install)
        self.hide_button = QPushButton(_("Hide"))
        self.hide_button.clicked.connect(lambda: self._toggle_pack("hidden"))
        self.disable_button = QPushButton(_("Disable"))
        self.disable_button.clicked.connect(lambda: self._toggle_pack("disabled"))
        self.remove_button = QPushButton(_("Remove…"))
        self.remove_button.clicked.connect(self.remove_selected)
        for b in (self.install_button, self.hide_button, self.disable_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        splitter = QSplitter(Qt.Vertical)
        self.pack_list = QTreeWidget()
        self.pack_list.setAccessibleName(_("Installed packs"))
        self.pack_list.setHeaderLabels([_("Pack"), _("Publisher"), _("Version"), _("Key"), _("Updated"), _("State")])
        self.pack_list.setRootIsDecorated(False)
        fit_columns(self.pack_list, fit=(2,))  # beside the CRM: no sideways scrolling
        self.pack_list.currentItemChanged.connect(lambda *_a: self._show_pack())
        splitter.addWidget(self.pack_list)
        lower = QSplitter(Qt.Horizontal)
        self.details = _read_only_text()
        self.details.setAccessibleName(_("Pack details"))
        lower.addWidget(self.details)
        self.template_model = PackTemplatesModel(lambda ids: manage.pack_template_titles(self.services.db, ids), self)
        self.template_model.flag_asked.connect(self._template_flag_changed)
        # a table, not a tree: a tree lays out every row (50,000 asked for their flags)
        self.template_list = QTableView()
        self.template_list.setAccessibleName(_("Templates of the pack"))
        self.template_list.setModel(self.template_model)
        self.template_list.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.template_list.setShowGrid(False)
        self.template_list.verticalHeader().hide()
        self.template_list.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        lower.addWidget(self.template_list)
        splitter.addWidget(lower)
        splitter.setSizes([180, 320])
        outer.addWidget(splitter, 1)
        fit_columns(self.template_list)
        header = self.template_list.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignLeading | Qt.AlignVCenter)  # as the pack list's
        for column in (1, 2):  # tick boxes, as wide as their heading: fitting them to their
            header.setSectionResizeMode(column, QHeaderView.Fixed)  # contents measured every row
            header.resizeSection(column, header.sectionSizeHint(column))  # (50,000: 0.4 s)
        stack_when_narrow(self, [lower])
        return page

    def refresh(self) -> None:
        db = self.services.db
        self.packs = manage.list_packs(db)
        current = self.selected_pack_id()
        self.pack_list.blockSignals(True)  # the pack is shown once, below
        self.pack_list.clear()
        for pack in self.packs:
            if pack.source == "built-in":
                key = _("built-in")
            else:
                key = pack.fingerprint if pack.signed else _("unsigned")
            state = ", ".join(s for s, on in ((_("hidden"), pack.hidden), (_("disabled"), pack.disabled),
                                              (_("expired"), pack.expired(self.now()))) if on)
            item = QTreeWidgetItem([textsafety.visible(pack.title), textsafety.visible(pack.publisher),
                                    str(pack.version), key, when(pack.updated_at), state])
            item.setData(0, Qt.UserRole, pack.pack_id)
            if not pack.signed and pack.source != "built-in":
                item.setForeground(3, theme.alert_colour())
            self.pack_list.addTopLevelItem(item)
            if pack.pack_id == current:
                self.pack_list.setCurrentItem(item)
        if self.pack_list.currentItem() is None and self.pack_list.topLevelItemCount():
            self.pack_list.setCurrentItem(self.pack_list.topLevelItem(0))
        self.pack_list.blockSignals(False)
        self._show_pack()
        self._refresh_conflicts()
        pinned = self.services.runtime.policy.trust_only_policy_keys
        self.pin_label.setText(self._pin_message() if pinned else "")
        self.pin_label.setVisible(pinned)
        self._keys_stale = True
        self._refresh_keys_if_shown()

    def selected_pack_id(self) -> str | None:
        item = self.pack_list.currentItem() if hasattr(self, "pack_list") else None
        return item.data(0, Qt.UserRole) if item is not None else None

    def _selected_pack(self) -> manage.InstalledPack | None:
        pack_id = self.selected_pack_id()
        return next((p for p in getattr(self, "packs", []) if p.pack_id == pack_id), None)

    def _show_pack(self) -> None:
        pack = self._selected_pack()
        for b in (self.hide_button, self.disable_button, self.remove_button):
            b.setEnabled(pack is not None)
        if pack is None:
            self.read_listing(None)
            self.details.setPlainText(_("No packs installed. Use “Install from file…”, or ask your team lead "
                                        "for the pack inbox folder."))
            return
        self.hide_button.setText(_("Show") if pack.hidden else _("Hide"))
        self.disable_button.setText(_("Enable") if pack.disabled else _("Disable"))
        from assistant.packs.news import template_titles

        db = self.services.db
        history = manage.history(db, pack.pack_id)
        self.details.setPlainText(describe_pack(pack, history, template_titles(
            db, changelog_ids(history), include_retired=True)))
        self.read_listing(pack.pack_id)

    def read_listing(self, pack_id: str | None) -> None:
        """List the templates of ``pack_id`` (None: none), read on a thread of its own: at
        50,000 templates the query and its sort took 10-15 ms of the GUI thread at every
        refresh (issue 18). The newest asked for is what is shown (:class:`NewestRead`)."""
        if pack_id is None:
            self.listing.read(lambda: manage.PackListing([], {}))
            return
        path = self.services.runtime.data_dir.database
        self.listing.read(lambda: manage.pack_templates_at(path, pack_id))

    def _template_flag_changed(self, template_id: str, flag: str, on: bool) -> None:
        manage.set_template_flags(self.services.db, template_id, **{flag: on})
        self.template_model.set_flag(template_id, flag, on)
        self.listing.outdated()  # what is on its way may have been read before this tick
        self._announce(packs=False, templates=frozenset({template_id}), refresh=False)

    def _toggle_pack(self, flag: str) -> None:
        pack = self._selected_pack()
        if pack is None:
            return
        value = not getattr(pack, flag)
        self._write_apart(lambda db: manage.set_pack_flags(db, pack.pack_id, **{flag: value}))

    def _write_apart(self, write) -> None:
        """A change to a whole pack, written on a thread with a connection of its own: it
        rewrites every row of the pack (hiding or removing 20,000 templates held the GUI
        thread 0.3-0.4 s; issue 18). The pack's buttons wait for it; then it is announced."""
        from assistant.storage.database import fault, is_fault, open_database

        data_dir = self.services.runtime.data_dir
        for button in (self.hide_button, self.disable_button, self.remove_button):
            button.setEnabled(False)

        def work() -> None:
            with open_database(data_dir.database, data_dir.backups) as opened:  # this thread's own connection
                write(opened.db)

        def failed(exc: Exception) -> None:
            if is_fault(exc):  # a lock held past the wait, a full disk: nothing was changed
                exc = fault(exc, data_dir.database)
            if not isinstance(exc, UserError):
                raise exc  # a bug: the window's error report
            self._show_pack()
            plain_message(self, QMessageBox.Warning, _("Template packs"), str(exc))

        run_in_thread(work, lambda _done: self._announce(), failed, name="pack change")

    def remove_selected(self) -> None:
        pack = self._selected_pack()
        if pack is None:
            return
        answer = plain_message(
            self, QMessageBox.Question, _("Remove pack"),
            _("Remove “{title}”? Its templates disappear; your own versions of them are kept as personal "
              "templates.").format(title=textsafety.visible(pack.title)), QMessageBox.Yes | QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        now = self.now()
        self._write_apart(lambda db: manage.remove_pack(db, pack.pack_id, now))

    # -- install -------------------------------------------------------------------
    def choose_and_install(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Install a template pack"), "", _("Template packs (*.agentpack.json);;All files (*)"))
        if path:
            self.install_path(Path(path))

    def confirm_unsigned(self, path: Path) -> bool:
        answer = plain_message(
            self, QMessageBox.Warning, _("Unsigned pack"),
            _("{name} is not signed: nobody can vouch that it comes from your team lead or that it was not "
              "changed. Install it anyway? It will be marked “unsigned”.").format(name=path.name),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def confirm_downgrade(self, message: str) -> bool:
        answer = plain_message(self, QMessageBox.Question, _("Older version"),
                               _("{message}\n\nInstall this older version anyway?").format(message=message),
                               QMessageBox.Yes | QMessageBox.No)
        return answer == QMessageBox.Yes

    def install_path(self, path: Path, allow_unsigned: bool = False, allow_downgrade: bool = False) -> None:
        """Read and verify on a thread of their own (a file on a share that stopped answering
        holds that thread, never the window nor the worker thread), then merge here (the
        database's thread). An unsigned pack asks first, then is read again."""
        policy = self.services.runtime.policy
        options = install.InstallOptions(allow_unsigned=allow_unsigned, allow_downgrade=allow_downgrade)
        keys = trust.trusted_keys(self.services.db, policy)
        now = self.now()
        self.status.setText(_("Checking {name}…").format(name=path.name))
        self.install_button.setEnabled(False)

        def work():
            try:
                raw, signature = install.read_files(path, policy)
                if signature is None and not policy.require_signatures and not allow_unsigned:
                    return None  # the agent confirms first
                return install.prepare(raw, signature, keys, policy, options, now, str(path))
            except fmt.PackRejected as exc:
                return exc

        def done(result):
            self.install_button.setEnabled(True)
            self.status.setText("")
            if result is None:
                if self.confirm_unsigned(path):
                    self.install_path(path, True, allow_downgrade)
            elif isinstance(result, fmt.PackRejected):
                self._show_rejection(path, result)
            else:
                self._apply(path, result, options)

        run_in_thread(work, done, lambda exc: done(fmt.PackRejected([fmt.Problem(inbox.INTERNAL, str(exc))])),
                      name="pack install check")

    def _apply(self, path: Path, verified, options) -> None:
        """The merge, on a thread of its own with its own connection (thousands of templates
        take seconds), its progress shown; the result comes back here."""
        policy = self.services.runtime.policy
        data_dir = self.services.runtime.data_dir
        now = self.now()
        total = len(verified.pack.templates)
        self.install_button.setEnabled(False)
        self.status.setText(_("Installing {name}…").format(name=path.name))
        progress = Progress(self)
        progress.moved.connect(lambda _phase, done, _total: self.status.setText(
            _("Installing {name}: {done} of {total} templates…").format(
                name=path.name, done=f"{done:,}", total=f"{total:,}")))

        def work():
            from assistant.storage.database import checkpoint_later, open_database

            try:
                with (open_database(data_dir.database, data_dir.backups) as opened,  # this thread's own connection
                      checkpoint_later(opened.db.conn)):  # the result first (see merged)
                    return install.apply(opened.db, verified, policy, options, now, progress=progress.report)
            except fmt.PackRejected as exc:
                return exc
            finally:
                install.release(verified)  # here, not wherever the last reference goes

        def failed(exc: Exception) -> None:
            from assistant.storage.database import fault, is_fault

            reason = str(fault(exc, data_dir.database)) if is_fault(exc) else str(exc)
            merged(fmt.PackRejected([fmt.Problem(inbox.INTERNAL, reason)]))

        def merged(result) -> None:
            if not isinstance(result, fmt.PackRejected):
                upkeep_in_thread(data_dir.database)
            self.install_button.setEnabled(True)
            self.status.setText("")
            self._applied(path, result, options)

        run_in_thread(work, merged, failed, name="pack merge")

    def _applied(self, path: Path, result, options) -> None:
        policy = self.services.runtime.policy
        if isinstance(result, fmt.PackRejected):
            exc = result
            if exc.check == fmt.VERSION and policy.allow_downgrade and not options.allow_downgrade \
                    and "asked for explicitly" in str(exc):
                if self.confirm_downgrade(str(exc.problems[0].message)):
                    self.install_path(path, options.allow_unsigned, True)
                return
            self._show_rejection(path, exc)
            return
        self._announce(templates=result.merge.template_ids())
        self.last_result = result
        lines = [_("{title} version {version} installed: {summary}.").format(
            title=textsafety.visible(result.title), version=result.version, summary=result.merge.summary())]
        if result.merge.conflicts:
            count = len(result.merge.conflicts)
            lines.append(ngettext("{count} of your edited replies has a newer team version: see “Team updates”.",
                                  "{count} of your edited replies have a newer team version: see “Team updates”.",
                                  count).format(count=count))
        for warning in result.warnings[:10]:
            lines.append(_("Flagged: {problem}").format(problem=str(warning)))
        plain_message(self, QMessageBox.Information, _("Pack installed"), "\n".join(lines))

    def _show_rejection(self, path: Path, exc: fmt.PackRejected) -> None:
        self.last_rejection = exc
        text = _("{name} was not installed. Nothing was changed.").format(name=path.name)
        box = QMessageBox(QMessageBox.Warning, _("Pack refused"), text, QMessageBox.Ok, self)
        box.setTextFormat(Qt.PlainText)
        box.setInformativeText("\n".join(str(p) for p in exc.problems[:12]))
        box.exec()

    # -- conflicts -----------------------------------------------------------------
    def _build_conflicts(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addWidget(plain_label(_("Your version stays in use until you choose. Left: yours; right: the "
                                       "team's new version.")))
        top = QHBoxLayout()
        self.conflict_list = QComboBox()
        self.conflict_list.setAccessibleName(_("Replies with a team update"))
        # not sized to its contents: a team update may touch thousands of replies, each title
        # measured at the page's first showing (69 ms at 3,000)
        self.conflict_list.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.conflict_list.setMinimumContentsLength(20)
        self.conflict_list.currentIndexChanged.connect(lambda *_a: self._show_conflict())
        self.conflict_language = QComboBox()
        self.conflict_language.setAccessibleName(_("Language"))
        self.conflict_language.currentIndexChanged.connect(lambda *_a: self._show_conflict_diff())
        top.addWidget(self.conflict_list, 1)
        top.addWidget(self.conflict_language)
        outer.addLayout(top)
        sides = QHBoxLayout()
        self.mine_view = _read_only_text()
        self.mine_view.setAccessibleName(_("Your version"))
        self.team_view = _read_only_text()
        self.team_view.setAccessibleName(_("Team version"))
        sides.addWidget(self.mine_view)
        sides.addWidget(self.team_view)
        outer.addLayout(sides, 1)
        buttons = QHBoxLayout()
        self.use_team_button = QPushButton(_("Use team version"))
        self.use_team_button.clicked.connect(self.use_team_version)
        self.keep_mine_button = QPushButton(_("Keep mine"))
        self.keep_mine_button.clicked.connect(self.keep_mine)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_mine_button)
        buttons.addWidget(self.use_team_button)
        outer.addLayout(buttons)
        return page

    def _refresh_conflicts(self) -> None:
        self.conflicts = manage.conflicts(self.services.db)
        self.conflict_list.blockSignals(True)
        self.conflict_list.clear()
        for conflict in self.conflicts:
            self.conflict_list.addItem(textsafety.visible(conflict.title), conflict.template_id)
        self.conflict_list.blockSignals(False)
        count = len(self.conflicts)
        self.tabs.setTabText(1, _("Team updates ({count})").format(count=count) if count else _("Team updates"))
        self._show_conflict()

    def focus_conflict(self, template_id: str) -> bool:
        """Open the "Team updates" tab on one template (e.g. from the Replies panel's note)."""
        for index, conflict in enumerate(self.conflicts):
            if conflict.template_id == template_id:
                self.tabs.setCurrentIndex(1)
                self.conflict_list.setCurrentIndex(index)
                return True
        return False

    def _current_conflict(self) -> manage.Conflict | None:
        index = self.conflict_list.currentIndex()
        return self.conflicts[index] if 0 <= index < len(self.conflicts) else None

    def _show_conflict(self) -> None:
        conflict = self._current_conflict()
        for b in (self.use_team_button, self.keep_mine_button):
            b.setEnabled(conflict is not None)
        self.conflict_language.blockSignals(True)
        self.conflict_language.clear()
        if conflict is not None:
            for lang in conflict.languages():
                self.conflict_language.addItem(lang, lang)
            default = conflict.mine.get("default_language")
            if default in conflict.languages():
                self.conflict_language.setCurrentIndex(conflict.languages().index(default))
        self.conflict_language.blockSignals(False)
        self._show_conflict_diff()

    def _show_conflict_diff(self) -> None:
        conflict = self._current_conflict()
        language = self.conflict_language.currentData()
        if conflict is None or language is None:
            self.mine_view.setPlainText(_("No team updates waiting.") if conflict is None else "")
            self.team_view.setPlainText("")
            return
        rows = conflict.side_by_side(language)
        mine_colour, team_colour = theme.diff_backgrounds()
        self._fill_side(self.mine_view, [(tag, left) for tag, left, _right in rows], mine_colour)
        self._fill_side(self.team_view, [(tag, right) for tag, _left, right in rows], team_colour)

    def _fill_side(self, view: QPlainTextEdit, lines: list[tuple[str, str]], colour: QColor) -> None:
        view.setPlainText("\n".join(textsafety.visible(text) for _tag, text in lines))
        selections = []
        block = view.document().firstBlock()
        for tag, _text in lines:
            if tag != "equal" and block.isValid():
                selection = QTextEdit.ExtraSelection()
                fmt_ = QTextCharFormat()
                fmt_.setBackground(colour)
                fmt_.setProperty(QTextCharFormat.FullWidthSelection, True)
                selection.format = fmt_
                selection.cursor = QTextCursor(block)
                selections.append(selection)
            block = block.next()
        view.setExtraSelections(selections)

    def use_team_version(self) -> None:
        conflict = self._current_conflict()
        if conflict is not None:
            manage.use_team_version(self.services.db, conflict.template_id)
            self._announce(packs=False, templates=frozenset({conflict.template_id}))

    def keep_mine(self) -> None:
        conflict = self._current_conflict()
        if conflict is not None:
            manage.keep_mine(self.services.db, conflict.template_id, self.now())
            self._announce(packs=False, templates=frozenset({conflict.template_id}))

    # -- keys ----------------------------------------------------------------------
    def _build_keys(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        self.key_list = QTreeWidget()
        self.key_list.setAccessibleName(_("Trusted publisher keys"))
        self.key_list.setHeaderLabels([_("Key id"), _("Fingerprint"), _("From"), _("Note")])
        self.key_list.setRootIsDecorated(False)
        self.key_list.setSelectionMode(QAbstractItemView.SingleSelection)
        fit_columns(self.key_list, fit=(0, 1))  # the key id and fingerprint whole: they are compared
        outer.addWidget(self.key_list, 1)
        buttons = QHBoxLayout()
        self.trust_button = QPushButton(_("Trust a key…"))
        self.trust_button.clicked.connect(self.choose_key)
        self.untrust_button = QPushButton(_("Stop trusting"))
        self.untrust_button.clicked.connect(self.untrust_selected)
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.untrust_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        outer.addWidget(plain_label(_("Keys from the deployment policy are set by IT and cannot be removed here. "
                                       "Trust a key only after checking its fingerprint with the publisher.")))
        self.pin_label = plain_label("")
        self.pin_label.setObjectName("trust-pinned")
        outer.addWidget(self.pin_label)
        return page

    def _pin_message(self) -> str:
        return _("The deployment policy ({file}) trusts only its own publisher keys: no other key can be "
                 "trusted here, and keys you added are kept but inactive. Ask IT to add a key to the policy.").format(
                     # isolated, so a path reads left to right inside Arabic text
                     file="\u2068" + self.services.runtime.policy.origin("trust_only_policy_keys") + "\u2069")

    def _refresh_keys_if_shown(self) -> None:
        """The keys are read when their tab is shown: reading one needs the signature code
        (py-minisign and cryptography, ~50 ms to import), which the window's opening on the
        Installed tab would otherwise wait for."""
        if self._keys_stale and self.tabs.currentWidget() is self.keys_page:
            self._refresh_keys()

    def _refresh_keys(self) -> None:
        self._keys_stale = False
        self.key_list.clear()
        db, policy = self.services.db, self.services.runtime.policy
        listed = [(key, True) for key in trust.trusted_keys(db, policy)]
        listed += [(key, False) for key in trust.inactive_keys(db, policy)]
        for key, active in listed:
            source = _("deployment policy") if key.source == trust.POLICY else _("you, {date}").format(
                date=(key.added_at or "")[:10])
            if not active:
                source = _("{source} (inactive)").format(source=source)
            item = QTreeWidgetItem([key.key_id, key.fingerprint, source, textsafety.visible(key.info.comment)])
            item.setData(0, Qt.UserRole, key.key_id if key.source == trust.AGENT else None)
            self.key_list.addTopLevelItem(item)

    def refuse_if_pinned(self) -> bool:
        """IT pinned trust to the policy's keys: say so, naming the policy file."""
        try:
            trust.ensure_keys_may_be_added(self.services.runtime.policy)
        except trust.TrustPinned:
            plain_message(self, QMessageBox.Warning, _("Trust a key"), self._pin_message())
            return True
        return False

    def choose_key(self) -> None:
        if self.refuse_if_pinned():
            return
        path, _filter = QFileDialog.getOpenFileName(self, _("Publisher public key"), "",
                                                    _("Public keys (*.pub);;All files (*)"))
        if path:
            try:
                text = Path(path).read_text(encoding="ascii")[:signing.MAX_KEY_BYTES]
            except (OSError, UnicodeDecodeError) as exc:
                plain_message(self, QMessageBox.Warning, _("Trust a key"),
                              _("Cannot read the key: {error}").format(error=exc))
                return
            self.trust_key_text(text)

    def trust_key_text(self, text: str) -> bool:
        if self.refuse_if_pinned():
            return False
        try:
            _key, info = signing.parse_public_key(text)
        except signing.SignatureError as exc:
            plain_message(self, QMessageBox.Warning, _("Trust a key"),
                          _("This is not a publisher key: {error}").format(error=exc))
            return False
        policy = self.services.runtime.policy
        try:  # checked before asking, and again when trusting
            trust.refuse_key_id_collision(trust.trusted_keys(self.services.db, policy), info)
            if not self.confirm_fingerprint(info):
                return False
            trust.add_key(self.services.db, text, info.comment, expected_fingerprint=info.fingerprint,
                          now=self.now(), policy=policy)
        except signing.SignatureError as exc:
            plain_message(self, QMessageBox.Warning, _("Trust a key"),
                          _("This key cannot be trusted: {error}").format(error=exc))
            return False
        self.services.hall.packs_changed.emit()
        return True

    def confirm_fingerprint(self, info: signing.PublicKeyInfo) -> bool:
        box = QMessageBox(QMessageBox.Question, _("Trust this publisher key?"),
                          _("Key id {key_id}\nFingerprint:\n\n{fingerprint}\n\nCompare the fingerprint with the one "
                            "your team lead gives you (in person or by phone). Trust packs signed with this key?").format(
                              key_id=info.key_id, fingerprint=info.fingerprint),
                          QMessageBox.Yes | QMessageBox.No, self)
        box.setTextFormat(Qt.PlainText)
        box.setDefaultButton(QMessageBox.No)
        return box.exec() == QMessageBox.Yes

    def untrust_selected(self) -> None:
        item = self.key_list.currentItem()
        if item is None:
            return
        key_id = item.data(0, Qt.UserRole)
        if key_id is None:
            plain_message(self, QMessageBox.Information, _("Trusted keys"), _("This key comes from the deployment policy."))
            return
        trust.remove_key(self.services.db, key_id)
        self.services.hall.packs_changed.emit()


# -- the inbox watch and palette commands ----------------------------------------------

class InboxWatch(QObject):
    """Checks the inbox folder soon after start and every 15 minutes: files are read,
    verified and installed on a thread of the watch's own (with its own connection), and
    the agent is told quietly (services.notify never takes focus)."""

    def __init__(self, services, parent: QObject, now=utc_now):
        super().__init__(parent)
        self.services = services
        self.now = now
        self.inbox = inbox.Inbox()
        self.busy = False
        self.last_report: inbox.InboxReport | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(INBOX_CHECK_MS)
        self.timer.timeout.connect(self.check)

    def start(self, first_after_ms: int = INBOX_FIRST_CHECK_MS) -> None:
        self.timer.start()
        QTimer.singleShot(first_after_ms, self, self.check)

    def check(self) -> None:
        if self.busy:  # the last check has not returned (e.g. a share that stopped answering)
            return
        db, policy = self.services.db, self.services.runtime.policy
        folder = inbox.inbox_folder(db, policy)
        if folder is None:
            return
        snapshot = self.inbox.snapshot(db, policy)
        now = self.now()
        self.busy = True

        def failed(exc):
            self.busy = False
            log.warning("Pack inbox check failed: %s", exc)

        # A thread of its own, not the worker pool: listing or reading a share that stops
        # answering must not hold the thread translation and indexing run on.
        # The merge too (thousands of templates take seconds), on a connection of the thread's own.
        data_dir = self.services.runtime.data_dir

        def work():
            collected = self.inbox.collect(folder, snapshot, now)
            if not collected:
                return collected, None
            from assistant.storage.database import DatabaseError, open_database

            try:
                with open_database(data_dir.database, data_dir.backups) as opened:
                    return collected, self.inbox.install(opened.db, policy, collected, now)
            except (sqlite3.Error, DatabaseError) as exc:
                return collected, exc

        run_in_thread(work, self._installed, failed, name="pack inbox")

    def _installed(self, outcome) -> None:
        self.busy = False
        collected, report = outcome
        if not collected:
            return
        if isinstance(report, Exception):  # e.g. the database is busy: the files are looked at again next time
            log.warning("Pack inbox install failed: %s", report)
            self.inbox.forget([item.path for item in collected])
            return
        self.last_report = report
        if report.installed:  # announced: Replies, Culture and the clocks follow
            self.services.hall.packs_changed.emit()
            self.services.hall.library_changed.emit(frozenset().union(
                *(result.merge.template_ids() for result in report.installed)))
            titles = ", ".join(f"{textsafety.visible(r.title)} {r.version}" for r in report.installed)
            conflicts = sum(len(r.merge.conflicts) for r in report.installed)
            message = _("Updated: {packs}.").format(packs=titles)
            if conflicts:
                message += " " + ngettext("{count} of your replies has a team update.",
                                          "{count} of your replies have a team update.", conflicts).format(count=conflicts)
            self.services.notify(_("Template packs"), message)
        elif report.rejected:
            count = len(report.rejected)
            self.services.notify(_("Template packs"), ngettext("{count} pack in the inbox needs your attention.",
                                                               "{count} packs in the inbox need your attention.",
                                                               count).format(count=count))


def start_inbox_watch(window, services) -> InboxWatch:
    watch = InboxWatch(services, window)
    window.pack_inbox_watch = watch
    watch.start()
    return watch


def open_packs_dialog(window, template_id: str | None = None) -> PacksDialog:
    """The packs window; with ``template_id``, open on that template's team update."""
    dialog = PacksDialog(window.services, window)
    if template_id:
        dialog.focus_conflict(template_id)
    dialog.exec()
    dialog.deleteLater()  # closed: it stops listening to the hall
    return dialog


def open_pack_editor(window):
    from ui.pack_editor import PackEditor

    editor = PackEditor(window.services, window)
    editor.exec()
    return editor

