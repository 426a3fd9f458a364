"""Replies panel: find a template as you type, fill it for the current customer, copy it.

Flow: type in the search box (Up/Down move through the results) → the preview shows the
reply in the customer's language with every known value filled and unknown placeholders
highlighted → Tab walks the fill-in fields → Enter copies (when something required is still
missing, Enter goes to that field first; Ctrl+Enter copies anyway). A small "Copied" label
confirms without taking focus.

All rules (ranking, rendering, values, layers) live in ``assistant.templates``; this module
lays widgets out and wires them. Template text is always shown as plain text. The library
follows the hall: whoever changes templates (this panel, the packs window, the inbox, the
CLI in another process) announces ``library_changed`` and the list reloads, keeping the
selected reply (in a large library, the templates it names, or those another program changed,
found by comparing the library's fingerprints, are read alone and laid over the index); the
agent's name, company and the rich-text choice follow ``settings_changed``.
"""

from __future__ import annotations

import html
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMenu, QMessageBox, QPlainTextEdit, QPushButton, QSplitter,
                               QTextEdit, QToolButton, QVBoxLayout, QWidget)

from assistant import settings
from assistant.errors import UserError
from assistant.i18n import N_, _, ngettext
from assistant.storage.database import read_only
from assistant.templates import store
from assistant.templates.compose import FormField, Reply, compose
from assistant.templates.draft import DraftError, find_translator, make_draft
from assistant.templates.model import Template, base_language
from assistant.templates.values import (AGENT_NAME_KEY, COMPANY_KEY, Profile, load_reply_locale,
                                       reply_locale_loaded)
from ui import clipboard
from ui.item_models import HoverTooltip
from ui.panels.base import Panel
from ui.services import Command
from ui.widgets import plain_message
from ui.workers import run_in_pool, run_in_thread, upkeep_in_thread

if TYPE_CHECKING:
    from assistant.templates.overlay import OverlaidIndex
    from assistant.templates.search import SearchIndex

log = logging.getLogger(__name__)


def read_library(db, now: datetime) -> tuple[dict[str, store.LibraryEntry], dict[str, store.Usage],
                                             SearchIndex, set[str], dict[str, int]]:
    """The library by id, its usage, the search index over it, ready for the list (the
    title order of every language a customer can have computed already: prepare_orders),
    the templates a team update marked as new or changed (they read the usage too: tens
    of ms at 10,000 used templates, so not on the GUI thread either), and the library's
    fingerprint (``store.library_fingerprint``), taken first: what is read is at least as
    new, so a change made meanwhile is found again by the next comparison."""
    import gc

    from assistant.collector import paused
    from assistant.packs.news import marked_templates
    from assistant.templates.search import SearchIndex

    # Hundreds of thousands of objects that live as long as the library: the collector's
    # full passes over them (taken on whichever thread allocates, holding the GIL, so the
    # GUI thread would wait) are put off while reading, and skip them afterwards: frozen
    # before the collector is back. (Enabled first, the next allocation on any thread ran a
    # pass over everything the read made before the freeze: the GUI thread waited 534 ms
    # opening the panel at 50,000 templates in the full run of 5 December.)
    with paused():
        prints = store.library_fingerprint(db)
        entries = store.library(db)
        usage = store.usage(db)
        index = SearchIndex([e.template for e in entries])
        index.set_usage(usage, now)
        index.prepare_orders()
        by_id = {e.id: e for e in entries}
        marked = marked_templates(db)
        gc.freeze()
    return by_id, usage, index, marked, prints


def read_library_file(path: Path, now: datetime):
    """:func:`read_library` on a read-only connection of its own: what the worker thread runs,
    so however large the library, the GUI thread only receives the result."""
    from assistant.memory import release_free_memory

    with read_only(path) as db:
        read = read_library(db, now)
    release_free_memory()  # what the index's build freed, held in this worker's arena
    return read


def find_changes(path: Path, before: dict[str, int], now: datetime) -> tuple[dict[str, int], set[str], set[str]]:
    """What another program changed in the library (the hall names no templates then): the
    library's fingerprint now, the templates whose fingerprint differs from ``before``, and
    the team's marks as :func:`read_library` gives them. Run on the worker: 0.2 s at 50,000
    templates, where a whole read takes seconds."""
    from assistant.packs.news import marked_templates

    with read_only(path) as db:
        prints = store.library_fingerprint(db)
        return prints, store.changed_ids(before, prints), marked_templates(db, now)


RICH_TEXT_KEY = "replies.copy_rich_text"
SYNC_INDEX_LIMIT = 300        # a smaller library is re-read at once after a change (see load)
MAX_LISTED = 100
CONFIRM_MS = 2500
# values that belong to the conversation, not to one template: kept when switching templates
CONVERSATION_VALUES = {"customer_name", "customer_first_name", "order_id", "ticket_id",
                       "agent_name", "company"}
NO_DATE = QDate(2000, 1, 1)   # shown blank: a date field the agent has not set


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RepliesPanel(Panel):
    panel_id = "replies"
    title = N_("Replies")

    index_ready = Signal()  # the library's search index is (re)built: entries and index match

    def __init__(self, services, parent=None):
        super().__init__(services, parent)
        self.entries: dict[str, store.LibraryEntry] = {}
        self.marked: set[str] = set()  # template ids marked new/changed by a team update
        self.usage: dict[str, store.Usage] = {}          # read with the library, kept in step
        self.index: SearchIndex | OverlaidIndex | None = None
        self._reading = 0                                 # the latest library read asked for
        self._pending_read: int | None = None             # that read, while on the worker
        self._read_again = False                          # changes since it began: read again
        self._prints: dict[str, int] | None = None        # the library's fingerprint, last read
        self._finding: dict[str, int] | None = None       # what another program changed: the
        self._find_again = False                          # prints compared, while on the worker
        self.loaded = False
        self._listed_language: str | None = None         # the customer's, when last listed
        self._starter_checked = False  # the shipped starter pack checked (once per run)
        self.current_id: str | None = None
        self.values: dict[str, dict[str, str]] = {}      # per template id
        self.shared: dict[str, str] = {}                 # conversation values
        self.sections: dict[str, dict[str, bool]] = {}   # per template id
        self.drafts: dict[tuple[str, str], object] = {}  # (id, language) -> Draft
        self.reply: Reply | None = None
        self.field_widgets: dict[str, QWidget] = {}
        self._build()
        self.setFocusProxy(self.search)  # Ctrl+2 and the palette land in the search box
        self._loading = False
        services.customer.changed.connect(self._customer_changed)
        services.hall.library_changed.connect(self._library_changed)
        services.hall.settings_changed.connect(self._setting_changed)
        # The library (and, on first start, the starter pack) loads once the event loop runs,
        # i.e. after the window is shown, even if this tab is not the visible one.
        QTimer.singleShot(0, self, self._load_once)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("replies-search")
        self.search.setPlaceholderText(_("Search replies… (title, words, ;shortcut)"))
        self.search.setAccessibleName(_("Search replies"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refilter)
        self.search.returnPressed.connect(self.copy_reply)
        self.search.installEventFilter(self)
        top.addWidget(self.search, 1)
        self.menu_button = QToolButton()
        self.menu_button.setText("+")
        self.menu_button.setToolTip(_("New, import, export"))
        self.menu_button.setAccessibleName(_("Reply template actions"))
        self.menu_button.setPopupMode(QToolButton.InstantPopup)
        self.menu_button.setMenu(self._build_menu())
        top.addWidget(self.menu_button)
        outer.addLayout(top)
        from ui.team_news import TeamNewsBar

        self.team_news = TeamNewsBar(self.services)  # "What's new from your team", until read
        outer.addWidget(self.team_news)

        filters = QHBoxLayout()
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName(_("Filter by tag"))
        # as wide as the layout gives it: sized to its contents, the first showing measured
        # every tag of the library (69 ms at 3,000 tags), and a long tag widened the window
        self.tag_filter.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.tag_filter.setMinimumContentsLength(8)
        self.tag_filter.addItem(_("All tags"), None)
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.refilter())
        self.language = QComboBox()
        self.language.setAccessibleName(_("Reply language"))
        self.language.setToolTip(_("The reply's language; choosing one also lists only the "
                                   "templates written in it"))
        self.language.currentIndexChanged.connect(lambda _i: self._language_changed())
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(self.language, 1)
        outer.addLayout(filters)

        splitter = QSplitter(Qt.Vertical)
        splitter.setChildrenCollapsible(False)
        self.results = QListWidget()
        self.results.setObjectName("replies-results")
        self.results.setAccessibleName(_("Matching replies"))
        # one line each: selecting a row need not measure every row's text (issue 18)
        self.results.setUniformItemSizes(True)
        # a row's details when hovered, not made for the 100 rows of every keystroke (issue 18)
        self.results.setItemDelegate(HoverTooltip(lambda index: self._details(self.listed_id(index.row())),
                                                  self.results))
        # the rows' template ids, in the list's order: its rows are plain texts, added in one
        # call (an id stored in each row cost 0.4 ms of the 100 rows' 1 ms; issue 18)
        self._listed: list[str] = []
        self._loading_locale = None  # (language, customer) whose Babel data a thread loads
        self._rebuild_form_when_loaded = False
        self.results.currentItemChanged.connect(lambda item, _prev: self._select(item))
        self.results.itemActivated.connect(lambda _item: self.copy_reply())
        self.results.setContextMenuPolicy(Qt.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._context_menu)
        splitter.addWidget(self.results)

        detail = QWidget()
        box = QVBoxLayout(detail)
        box.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.heading = QLabel("")
        self.heading.setTextFormat(Qt.PlainText)
        self.heading.setObjectName("replies-heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        header.addWidget(self.heading, 1)
        self.favourite = QToolButton()
        self.favourite.setCheckable(True)
        self.favourite.setText("☆")
        self.favourite.setToolTip(_("Favourite: always listed first"))
        self.favourite.setAccessibleName(_("Favourite"))
        self.favourite.toggled.connect(self._favourite_toggled)
        header.addWidget(self.favourite)
        box.addLayout(header)
        self.note = QLabel("")
        self.note.setTextFormat(Qt.PlainText)
        self.note.setWordWrap(True)
        self.note.setObjectName("replies-note")
        # a visible frame: a fallback language or a machine draft must not go unnoticed
        # tool-tip colours: a note look in light, dark and high-contrast palettes alike
        self.note.setStyleSheet("#replies-note { background: palette(tooltip-base); color: palette(tooltip-text); "
                                "border: 1px solid palette(mid); border-radius: 3px; padding: 3px; }")
        self.note.hide()
        box.addWidget(self.note)
        self.draft_button = QPushButton(_("Machine-translate a draft"))
        self.draft_button.setObjectName("replies-draft")
        self.draft_button.clicked.connect(self.make_draft)
        self.draft_button.hide()
        box.addWidget(self.draft_button)
        self.preview = QTextEdit()
        self.preview.setObjectName("replies-preview")
        self.preview.setReadOnly(True)
        self.preview.setAcceptRichText(False)
        self.preview.setAccessibleName(_("Reply preview"))
        self.preview.setTabChangesFocus(True)
        self.preview.setFocusPolicy(Qt.ClickFocus)
        self.preview.setMinimumHeight(90)
        box.addWidget(self.preview, 2)
        self.sections_box = QWidget()
        self.sections_layout = QVBoxLayout(self.sections_box)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.sections_box)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.form_box)
        actions = QHBoxLayout()
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.setObjectName("replies-copy")
        self.copy_button.setToolTip(_("Copy the reply (Enter; Ctrl+Enter copies even with "
                                      "values missing)"))
        self.copy_button.clicked.connect(lambda: self.copy_reply(force=True))
        self.edit_button = QPushButton(_("Edit"))
        self.edit_button.clicked.connect(self.edit_current)
        self.confirmation = QLabel("")
        self.confirmation.setObjectName("replies-confirmation")
        self.confirmation.setTextFormat(Qt.PlainText)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.confirmation, 1)
        box.addLayout(actions)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        outer.addWidget(splitter, 1)
        self.confirm_timer = QTimer(self)
        self.confirm_timer.setSingleShot(True)
        self.confirm_timer.timeout.connect(lambda: self.confirmation.setText(""))
        # the greeting and the customer's time change with the clock: refresh the preview
        # once a minute while it is on screen (copying always recomposes anyway)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(60_000)
        self.clock_timer.timeout.connect(self._clock_tick)
        self.clock_timer.start()
        self._set_detail_enabled(False)

    def _build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction(_("New reply template…"), self.new_template)
        menu.addAction(_("Duplicate"), self.duplicate_current)
        menu.addAction(_("Delete my template / version"), self.delete_current)
        menu.addSeparator()
        menu.addAction(_("Import from CSV or Espanso…"), self.import_file)
        menu.addAction(_("Export my templates as a pack…"), self.export_pack)
        menu.addAction(_("Export usage report…"), self.export_usage)
        menu.addSeparator()
        self.rich_action = menu.addAction(_("Also copy as rich text"))
        self.rich_action.setCheckable(True)
        self.rich_action.toggled.connect(lambda on: self.services.put_setting(RICH_TEXT_KEY, on))
        return menu

    # -- loading -------------------------------------------------------------------
    def _load_once(self) -> None:
        if not self.loaded:
            self.loaded = True
            try:
                self.load()
            except sqlite3.ProgrammingError:  # the app closed before the event loop got here
                log.debug("Replies not loaded: the database is closed")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._load_once)

    def activated(self) -> None:
        self.search.setFocus()

    def load(self) -> None:
        """Install the starter pack on first start (checked on the worker, merged here by
        the app's one writer), read the library, build the index."""
        from assistant.packs.starter import load_shipped, starter_is_current

        if not self._starter_checked and not starter_is_current(self.services.db):
            # first start or a new version: the pack's reading and checks (hundreds of ms)
            # run on the worker; the merge, a few tens of ms, on the app's own connection
            self._starter_checked = True
            run_in_pool(load_shipped, self._starter_loaded, self._starter_failed, pool=self.services.pool)
            return
        self._starter_checked = True
        self._read_library()

    def _starter_loaded(self, loaded) -> None:
        from assistant.packs.starter import DIGEST_KEY, StarterPackError, install_loaded

        try:
            outcome = install_loaded(self.services.db, loaded, policy=self.services.runtime.policy)
        except StarterPackError as exc:
            self._starter_failed(exc)
            return
        self._loading = True  # installed or updated (or a newer one kept): announced
        try:
            hall = self.services.hall
            hall.settings_changed.emit(DIGEST_KEY)
            if outcome != "skipped":
                hall.packs_changed.emit()
                hall.library_changed.emit(None)
        finally:
            self._loading = False
        self._read_library()

    def _starter_failed(self, exc: Exception) -> None:
        log.error("%s", exc)  # a packaging bug: logged, the library is read anyway
        self._read_library()

    def _read_library(self) -> None:
        db = self.services.db
        self.rich_action.blockSignals(True)
        self.rich_action.setChecked(bool(settings.get(db, RICH_TEXT_KEY, False)))
        self.rich_action.blockSignals(False)
        self.team_news.refresh()
        # The library is read and indexed on the worker with a connection of its own: at
        # any library size the GUI thread only takes the result (issue 18). A small library
        # that is already shown is re-read at once after a change, so an edit is in the
        # list when the editor closes; a larger one has the changed templates laid over its
        # index (_lay_over). Small as it is now: an import or a first pack may just have
        # made it 20,000 (read here, that held the GUI thread 0.56 s)
        self._reading += 1
        path = self.services.runtime.data_dir.database
        if (self.index is not None and len(self.entries) <= SYNC_INDEX_LIMIT
                and store.library_rows(db) <= SYNC_INDEX_LIMIT):
            self._library_read((self._reading, *read_library(db, utc_now())), preview_now=True)
        else:
            reading = self._pending_read = self._reading
            self._read_again = False
            run_in_pool(lambda: (reading, *read_library_file(path, utc_now())),
                        self._library_read, lambda exc: self._library_failed(exc, reading),
                        pool=self.services.pool)

    def _library_failed(self, exc: Exception, reading: int) -> None:
        if reading == self._pending_read:
            self._pending_read, self._read_again = None, False
        log.error("Reading the reply library failed: %s", exc)

    def reload(self, select: str | None = None) -> None:
        self.loaded = True
        self.reply = None  # the selected template may have changed: show it afresh
        self.load()
        if select:
            self.select_template(select)

    def _library_changed(self, ids) -> None:
        """Templates changed (here or anywhere): the list follows, the selection stays. The
        templates named are laid over the index; a change no one named (another program's)
        is first found by comparing the library's fingerprints on the worker."""
        if not self.loaded or self._loading:
            return
        if not (self._lay_over(ids) if ids else self._find_changes()):
            self.reload()

    def _find_changes(self) -> bool:
        """Another program changed the library: find which templates on the worker
        (``find_changes``), then lay them over the index (``_changes_found``). False when
        reading the whole library is as quick (a small one); a whole read on its way is
        done again when it lands."""
        if self.index is None or self._prints is None or len(self.entries) <= SYNC_INDEX_LIMIT:
            return False
        if self._pending_read is not None:
            self._read_again = True
        elif self._finding is not None:
            self._find_again = True  # compared again when this comparison lands
        else:
            before = self._finding = self._prints
            path = self.services.runtime.data_dir.database
            run_in_pool(lambda: find_changes(path, before, utc_now()), self._changes_found, self._find_failed,
                        pool=self.services.pool)
        return True

    def _changes_found(self, found) -> None:
        prints, changed, marked = found
        before, self._finding = self._finding, None
        if self._find_again or before is not self._prints:  # changed again, or read whole, meanwhile
            self._find_again = False
            if not self._find_changes():
                self.reload()
            return
        self._prints = prints
        if not changed:
            return
        self.marked = marked
        if not self._lay_over(changed):
            self.reload()

    def _find_failed(self, exc: Exception) -> None:
        self._finding, self._find_again = None, False
        log.warning("Finding what changed in the library failed: %s", exc)
        self.reload()  # a locked or busy database: the whole library is read instead

    def _lay_over(self, ids) -> bool:
        """The templates ``ids`` changed (saved here, imported, a few in a team update):
        read only them and lay them over the index, so the list shows them at once at any
        library size (a new index of 50,000 templates takes seconds on the worker; issue
        18). False when reading the whole library is as quick (a small one) or due (many
        changes since it was last read): then the caller reloads."""
        from assistant.templates.overlay import MAX_CHANGES, OverlaidIndex

        index = self.index
        if (index is None or len(self.entries) <= SYNC_INDEX_LIMIT
                or OverlaidIndex.changes(index) + len(ids) > MAX_CHANGES):
            return False
        try:
            fresh = {entry.id: entry for entry in store.library_entries(self.services.db, ids)}
        except sqlite3.Error:  # a locked or busy database: the whole library is read instead
            log.warning("Reading the changed templates failed", exc_info=True)
            return False
        removed = set(ids) - fresh.keys()
        self.index = OverlaidIndex.over(index, [entry.template for entry in fresh.values()], removed,
                                        self.usage, utc_now())
        for template_id in removed:
            self.entries.pop(template_id, None)
        self.entries.update(fresh)
        if self._pending_read is not None:  # that read may predate these changes: read again
            self._read_again = True
        elif OverlaidIndex.changes(self.index) > MAX_CHANGES // 2:  # a new index, before the cap
            self._read_library()
        self.reply = None  # the selected template may have changed: show it afresh
        if self.index.tags != index.tags or self.index.languages != index.languages:
            self._fill_filters()
        self.refilter()
        self.index_ready.emit()
        return True

    def _announce(self, template_id: str | None = None) -> None:
        """Tell the app this panel changed the library (the panel reloads on it, too)."""
        self.services.hall.library_changed.emit(frozenset({template_id}) if template_id else None)

    def _setting_changed(self, key: str) -> None:
        if key == RICH_TEXT_KEY:
            self.rich_action.blockSignals(True)
            self.rich_action.setChecked(bool(settings.get(self.services.db, RICH_TEXT_KEY)))
            self.rich_action.blockSignals(False)
        elif key in (AGENT_NAME_KEY, COMPANY_KEY) and self.current_entry() is not None:
            self.update_preview()

    def _library_read(self, result, preview_now: bool = False) -> None:
        reading, entries, usage, index, marked, prints = result
        if reading != self._reading:
            return  # a later read is on its way
        self._pending_read = None
        if self._read_again:  # changes laid over the index since this read began
            self._read_again = False
            self._read_library()
            return
        self.entries = entries
        self.usage = usage
        self.index = index
        self.marked = marked  # new or changed by the team, not used yet
        self._prints = prints
        self._fill_filters()
        # Read on the worker: the list now, the selected reply's preview and form (tens of
        # ms: composing, the form's widgets) after the event loop has turned (a timer, not a
        # zero-delay call: that one runs in the same pass, before input, paint and timers
        # due; issue 18). Re-read at once after an edit: all of it now.
        self.refilter(preview=preview_now)
        if not preview_now:
            QTimer.singleShot(1, self, self._preview_selected)
        self.index_ready.emit()
        waiting, self._select_when_ready = getattr(self, "_select_when_ready", None), None
        if waiting:
            self.select_template(waiting)

    def _usage_changed(self, template_id: str) -> None:
        """This panel changed one template's usage: keep the list's copy and order in step."""
        use = store.usage_of(self.services.db, template_id)
        self.usage[template_id] = use
        if self.index is not None:
            self.index.set_one_usage(template_id, use, utc_now())

    def _fill_filters(self) -> None:
        tag = self.chosen_tag()
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem(_("All tags"), None)
        self.tag_filter.addItems(self.index.tags)  # one call: a library may have thousands
        if tag:
            self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findText(tag, Qt.MatchExactly)))
        self.tag_filter.blockSignals(False)
        self._fill_languages()

    def chosen_tag(self) -> str | None:
        return self.tag_filter.currentText() if self.tag_filter.currentIndex() > 0 else None

    def _fill_languages(self) -> None:
        chosen = self.language.currentData()
        customer = self.services.customer.context.language
        self.language.blockSignals(True)
        self.language.clear()
        auto = (_("Customer's language ({code})").format(code=customer) if customer
                else _("Customer's language"))
        self.language.addItem(auto, None)
        for code in (self.index.languages if self.index else []):
            self.language.addItem(code, code)
        if chosen:
            self.language.setCurrentIndex(max(0, self.language.findData(chosen)))
        self.language.blockSignals(False)

    # -- searching -----------------------------------------------------------------
    def _preview_selected(self) -> None:
        """Show the selected reply, if the list's selection has not been shown yet."""
        self._select(self.results.currentItem())

    def refilter(self, _text: str | None = None, preview: bool = True) -> None:
        if self.index is None:
            return
        self._listed_language = self.services.customer.context.language
        hits = self.index.search(self.search.text(), tag=self.chosen_tag(),
                                 language=self.language.currentData(), limit=MAX_LISTED,
                                 display_language=self.language.currentData()
                                 or self.services.customer.context.language)
        usage = self.usage
        keep = self.current_id
        entries = [entry for entry in map(self.entries.get, (hit.template_id for hit in hits)) if entry is not None]
        self.results.blockSignals(True)
        self.results.clear()
        self._listed = [entry.id for entry in entries]
        self.results.addItems([self._row_text(entry, usage.get(entry.id)) for entry in entries])
        self.results.blockSignals(False)
        row = 0
        if keep and not self.search.text().strip() and keep in self._listed:
            row = self._listed.index(keep)
        if not preview:
            self.results.blockSignals(True)
            self.results.setCurrentRow(row if self.results.count() else -1)
            self.results.blockSignals(False)
        elif self.results.count():
            self.results.setCurrentRow(row)
            self._select(self.results.currentItem())
        else:
            self._select(None)

    def _row_text(self, entry: store.LibraryEntry, use: store.Usage | None) -> str:
        template = entry.template
        lang = self._reply_language_for(template)
        title = template.variants[template.variant_language(lang)].title
        marks = "★ " if use and use.favourite else ""
        if entry.id in self.marked:
            marks = "● " + marks
        suffix = f"   {template.shortcut}" if template.shortcut else ""
        if entry.layer != store.TEAM:
            suffix += "   " + _("(mine)")
        return f"{marks}{title}{suffix}"

    def listed_ids(self) -> list[str]:
        """The listed templates' ids, in the list's order."""
        return list(self._listed)

    def listed_id(self, row: int) -> str | None:
        return self._listed[row] if 0 <= row < len(self._listed) else None

    def _details(self, template_id: str | None) -> str:
        """A listed reply's tooltip: its languages, tags and what the team did to it."""
        entry = self.entries.get(template_id)
        if entry is None:
            return ""
        template = entry.template
        details = [", ".join(template.languages)]
        if template.tags:
            details.append(", ".join(template.tags))
        if entry.locked:
            details.append(_("locked by the team"))
        if entry.team_updated:
            details.append(_("the team updated its version"))
        if entry.id in self.marked:
            details.append(_("new or changed by your team; not used yet"))
        return " · ".join(details)

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.search and event.type() == QEvent.KeyPress:
            key = event.key()
            if key in (Qt.Key_Down, Qt.Key_Up, Qt.Key_PageDown, Qt.Key_PageUp):
                step = {Qt.Key_Down: 1, Qt.Key_Up: -1, Qt.Key_PageDown: 5, Qt.Key_PageUp: -5}[key]
                row = max(0, min(self.results.currentRow() + step, self.results.count() - 1))
                self.results.setCurrentRow(row)
                return True
            if key in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
                self.copy_reply(force=True)
                return True
            if key == Qt.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    # -- the selected template -----------------------------------------------------
    def ensure_loaded(self) -> None:
        """Read the library and index it now (normally done when the panel is first shown)."""
        self._load_once()

    def select_template(self, template_id: str) -> None:
        if self.index is None:  # still loading: selected once the list is there
            self._select_when_ready = template_id
            self._load_once()
            return
        if self._pending_read is not None and template_id not in self.entries:
            self._select_when_ready = template_id  # it comes with the read on its way (an import)
            return
        if self._select_listed(template_id):
            return
        self.search.clear()
        self.refilter()
        if not self._select_listed(template_id) and template_id in self.entries:
            # not among the first of a large library (a template just made): listed first,
            # until the search changes
            self._listed.insert(0, template_id)
            self.results.insertItem(0, self._row_text(self.entries[template_id], self.usage.get(template_id)))
            self.results.setCurrentRow(0)

    def _select_listed(self, template_id: str) -> bool:
        if template_id not in self._listed:
            return False
        self.results.setCurrentRow(self._listed.index(template_id))
        return True

    def current_entry(self) -> store.LibraryEntry | None:
        return self.entries.get(self.current_id) if self.current_id else None

    def _select(self, item: QListWidgetItem | None) -> None:
        template_id = self.listed_id(self.results.row(item)) if item is not None else None
        if template_id == self.current_id and self.reply is not None and template_id:
            return
        self._remember_fields()
        self.current_id = template_id
        entry = self.current_entry()
        self._set_detail_enabled(entry is not None)
        if entry is None:
            self.reply = None
            self.heading.setText(_("No reply matches.") if self.index else _("Loading replies…"))
            self.preview.clear()
            self.note.hide()
            self.draft_button.hide()
            self._clear_form()
            return
        use = self.usage.get(entry.id)
        self.favourite.blockSignals(True)
        self.favourite.setChecked(bool(use and use.favourite))
        self.favourite.setText("★" if use and use.favourite else "☆")
        self.favourite.blockSignals(False)
        self.edit_button.setEnabled(not entry.locked)
        self._build_sections(entry.template)
        self.update_preview(rebuild_form=True)

    def _clock_tick(self) -> None:
        if self.isVisible() and self.current_entry() is not None:
            self.update_preview()

    def _set_detail_enabled(self, on: bool) -> None:
        for widget in (self.copy_button, self.edit_button, self.favourite):
            widget.setEnabled(on)

    def _reply_language_for(self, template: Template) -> str | None:
        return self.language.currentData() or self.services.customer.context.language

    def _values_for(self, template_id: str) -> dict[str, str]:
        values = dict(self.shared)
        values.update(self.values.get(template_id, {}))
        return values

    def compose_current(self) -> Reply | None:
        entry = self.current_entry()
        if entry is None:
            return None
        template = entry.template
        lang = self._reply_language_for(template)
        draft = self.drafts.get((template.id, base_language(lang))) if lang else None
        return compose(template, at=utc_now(), customer=self.services.customer.context,
                       language=lang, values=self._values_for(template.id),
                       sections=self.sections.get(template.id, {}),
                       profile=Profile.from_settings(self.services.db),
                       draft=draft.variant if draft else None,
                       draft_language=draft.target_language if draft else None)

    def update_preview(self, rebuild_form: bool = False) -> None:
        if not self._locale_ready(rebuild_form):
            return
        reply = self.compose_current()
        self.reply = reply
        if reply is None:
            return
        entry = self.current_entry()
        heading = f"{reply.title}  ·  {reply.language}"
        if reply.machine_translated:
            heading += "  ·  " + _("machine translation")
        self.heading.setText(heading)
        self._show_note(entry, reply)
        self._show_text(reply)
        if rebuild_form:
            self._build_form(reply.fields)

    def _locale_ready(self, rebuild_form: bool) -> bool:
        """Whether the reply's dates can be formatted now. A language's first use (a new
        customer's, a language chosen) loads Babel's data for it: 5-20 ms on the GUI thread,
        40 on a slow machine (issue 18). It is loaded on a thread of its own instead, the
        reply shown when it is there; meanwhile ``reply`` is None and the preview shows the
        one before for a frame or two (Copy composes afresh, never from the preview)."""
        entry = self.current_entry()
        if entry is None:
            return True
        template, customer = entry.template, self.services.customer.context
        language = template.variant_language(self._reply_language_for(template))
        if reply_locale_loaded(language, customer):
            return True
        self.reply = None
        self._rebuild_form_when_loaded |= rebuild_form
        if self._loading_locale != (language, customer):
            self._loading_locale = (language, customer)
            run_in_thread(lambda: load_reply_locale(language, customer), self._locale_arrived,
                          self._locale_arrived, name="locale")
        return False

    def _locale_arrived(self, _result) -> None:
        """A locale's data loaded (or its loading failed: composing says why): the reply now."""
        rebuild, self._rebuild_form_when_loaded, self._loading_locale = self._rebuild_form_when_loaded, False, None
        self.update_preview(rebuild_form=rebuild)

    def _show_note(self, entry: store.LibraryEntry, reply: Reply) -> None:
        notes = []
        self.draft_button.hide()
        if reply.machine_translated:
            notes.append(_("Machine-translated draft: read it through before sending."))
        elif reply.is_fallback:
            notes.append(_("No {wanted} version: showing {used}.").format(
                wanted=reply.requested_language, used=reply.language))
            if find_translator(self._translation_service(), entry.template.default_language,
                               reply.requested_language):
                self.draft_button.show()
        if entry.locked:
            notes.append(_("Locked by your team: duplicate it to make your own."))
        if entry.team_updated:
            notes.append(_("Your team updated this template; you are using your version."))
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def _show_text(self, reply: Reply) -> None:
        self.preview.setPlainText(reply.text)
        spans = reply.result.unresolved_spans()
        if not spans:
            return
        mark = QTextCharFormat()
        mark.setBackground(QColor("#ffe08a"))
        mark.setForeground(QColor("#5c3b00"))
        mark.setFontWeight(700)
        cursor = QTextCursor(self.preview.document())
        for start, end, _name in spans:
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.KeepAnchor)
            cursor.mergeCharFormat(mark)

    # -- sections and the fill-in form ---------------------------------------------
    def _build_sections(self, template: Template) -> None:
        while self.sections_layout.count():
            self.sections_layout.takeAt(0).widget().deleteLater()
        ticked = self.sections.setdefault(template.id, template.section_defaults())
        for section in template.sections:
            box = QCheckBox(section.label)
            box.setChecked(ticked.get(section.id, section.default))
            box.toggled.connect(lambda on, sid=section.id, tid=template.id: self._section_toggled(tid, sid, on))
            self.sections_layout.addWidget(box)
        self.sections_box.setVisible(bool(template.sections))

    def _section_toggled(self, template_id: str, section_id: str, on: bool) -> None:
        self.sections.setdefault(template_id, {})[section_id] = on
        self.update_preview()

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.field_widgets = {}

    def _build_form(self, fields: list[FormField]) -> None:
        self._clear_form()
        typed = self._values_for(self.current_id or "")
        previous = self.search
        # values the app already knows (customer, agent) need no field; declared variables
        # and anything still missing do
        fields = [f for f in fields if not f.builtin]
        for spec in fields:
            widget = self._field_widget(spec, typed.get(spec.name, ""))
            label = QLabel(spec.label + (" *" if spec.required else ""))
            label.setTextFormat(Qt.PlainText)
            label.setBuddy(widget)
            self.form.addRow(label, widget)
            # shown now, not at the next event loop pass: Enter may need to focus it at once
            label.show()
            widget.show()
            self.field_widgets[spec.name] = widget
            QWidget.setTabOrder(previous, widget)
            previous = widget
        QWidget.setTabOrder(previous, self.copy_button)
        self.form_box.setVisible(bool(fields))

    def _field_widget(self, spec: FormField, typed: str) -> QWidget:
        hint = spec.value if spec.builtin else ""
        if spec.type == "multiline":
            widget = QPlainTextEdit()
            widget.setTabChangesFocus(True)
            widget.setPlainText(typed)
            widget.setFixedHeight(64)
            widget.textChanged.connect(lambda name=spec.name, w=widget: self._field_changed(name, w.toPlainText()))
        elif spec.type == "choice":
            widget = QComboBox()
            widget.setEditable(True)
            widget.addItem("")
            widget.addItems(list(spec.choices))
            widget.setCurrentText(typed)
            widget.lineEdit().returnPressed.connect(self.copy_reply)
            widget.currentTextChanged.connect(lambda text, name=spec.name: self._field_changed(name, text))
        elif spec.type == "date":
            widget = QDateEdit()
            widget.setCalendarPopup(True)
            widget.setMinimumDate(NO_DATE)
            widget.setSpecialValueText(" ")
            parsed = QDate.fromString(typed, Qt.ISODate) if typed else QDate()
            widget.setDate(parsed if parsed.isValid() else NO_DATE)
            widget.dateChanged.connect(lambda date, name=spec.name: self._field_changed(
                name, "" if date == NO_DATE else date.toString(Qt.ISODate)))
        else:
            widget = QLineEdit(typed)
            widget.setPlaceholderText(hint or spec.value)
            widget.returnPressed.connect(self.copy_reply)
            widget.textChanged.connect(lambda text, name=spec.name: self._field_changed(name, text))
        widget.setObjectName(f"field-{spec.name}")
        widget.setAccessibleName(spec.label)
        return widget

    def _field_changed(self, name: str, value: str) -> None:
        if self.current_id is None:
            return
        bucket = self.shared if name in CONVERSATION_VALUES else self.values.setdefault(self.current_id, {})
        if value.strip():
            bucket[name] = value
        else:
            bucket.pop(name, None)
        self.update_preview()

    def _remember_fields(self) -> None:
        """Values are stored as they are typed; nothing to do but keep the hook explicit."""

    # -- actions -------------------------------------------------------------------
    def copy_reply(self, force: bool = False) -> None:
        """Copy the reply; when something required is missing, go to it first (unless forced)."""
        reply = self.compose_current()
        if reply is None:
            return
        self.reply = reply
        if not force and not reply.complete:
            for name in reply.missing_required + reply.unresolved:
                widget = self.field_widgets.get(name)
                if widget is not None:
                    widget.setFocus()
                    self._confirm(_("Fill in: {field}").format(field=widget.accessibleName()))
                    return
        rich = None
        if settings.get(self.services.db, RICH_TEXT_KEY):
            rich = "<p>" + html.escape(reply.text).replace("\n", "<br>") + "</p>"
        clipboard.copy(reply.text, rich)
        self._save_profile_values()
        store.record_use(self.services.db, reply.template_id)
        self.marked.discard(reply.template_id)  # used: no longer marked as new
        self._usage_changed(reply.template_id)
        self._confirm(_("Copied ✓") if reply.complete else _("Copied, with placeholders left"))

    def _save_profile_values(self) -> None:
        for name, key in (("agent_name", AGENT_NAME_KEY), ("company", COMPANY_KEY)):
            value = self.shared.get(name, "").strip()
            if value:
                try:
                    self.services.put_setting(key, value)
                except settings.SettingError as exc:  # too long: the reply is copied anyway
                    self._confirm(str(exc))

    def _confirm(self, message: str) -> None:
        self.confirmation.setText(message)
        self.confirm_timer.start(CONFIRM_MS)

    def _favourite_toggled(self, on: bool) -> None:
        if self.current_id is None:
            return
        store.set_favourite(self.services.db, self.current_id, on)
        self.favourite.setText("★" if on else "☆")
        self._usage_changed(self.current_id)
        self.refilter()

    def _customer_changed(self, context) -> None:
        self.shared = {k: v for k, v in self.shared.items() if k in ("agent_name", "company")}
        self.values.clear()
        # the list shows titles in the customer's language: listed again when that changed
        # (the next caller of a team that serves one market seldom changes it: 5 ms less)
        if self.index is not None and context.language != self._listed_language:
            self._fill_languages()
            self.refilter()
        if self.current_entry() is not None:
            self.update_preview(rebuild_form=True)

    def _language_changed(self) -> None:
        self.refilter()
        if self.current_entry() is not None:
            self.update_preview(rebuild_form=True)

    def make_draft(self) -> None:
        entry, reply = self.current_entry(), self.reply
        if entry is None or reply is None or not reply.requested_language:
            return
        target = base_language(reply.requested_language)
        translate = find_translator(self._translation_service(), entry.template.default_language,
                                    target)
        if translate is None:
            return
        template = entry.template
        self.draft_button.setEnabled(False)
        self.draft_button.setText(_("Translating…"))

        def done(draft) -> None:
            self.draft_button.setEnabled(True)
            self.draft_button.setText(_("Machine-translate a draft"))
            self.drafts[(template.id, target)] = draft
            if self.current_id == template.id:
                self.update_preview(rebuild_form=True)

        def failed(exc) -> None:
            self.draft_button.setEnabled(True)
            self.draft_button.setText(_("Machine-translate a draft"))
            self._confirm(str(exc) if isinstance(exc, DraftError) else _("The translation failed."))

        run_in_pool(lambda: make_draft(template, target, translate), done, failed, pool=self.services.pool)

    def _translation_service(self):
        """The app's translation service once its engine is loaded (by the Translate panel)."""
        service = self.services.translation
        return service if service.engine is not None else None

    # -- managing templates --------------------------------------------------------
    def _context_menu(self, pos) -> None:
        if self.results.itemAt(pos) is None:
            return
        menu = QMenu(self)
        menu.addAction(_("Copy"), lambda: self.copy_reply(force=True))
        menu.addAction(_("Edit…"), self.edit_current).setEnabled(
            bool(self.current_entry() and not self.current_entry().locked))
        menu.addAction(_("Duplicate"), self.duplicate_current)
        menu.addAction(_("Delete my template / version"), self.delete_current).setEnabled(
            bool(self.current_entry() and self.current_entry().editable_in_place))
        menu.exec(self.results.mapToGlobal(pos))

    def new_template(self) -> None:
        lang = base_language(self.services.customer.context.language or "en") or "en"
        blank = Template.from_dict({"id": "my.new", "default_language": lang,
                                    "variants": {lang: {"title": _("New reply"),
                                                        "body": "{{salutation}},\n\n"}}})
        self._edit(blank, new=True)

    def edit_current(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.locked:
            return
        notice = ""
        if entry.layer == store.TEAM:
            notice = _("This is a team template. Saving creates your personal version; the "
                       "team's original is kept and you can go back to it by deleting yours.")
        self._edit(entry.template, notice=notice)

    def _edit(self, template: Template, notice: str = "", new: bool = False) -> None:
        from ui.panels.replies_editor import TemplateEditor

        editor = TemplateEditor(template, notice, self)
        if not editor.exec() or editor.result_template is None:
            return
        result = editor.result_template
        if new:
            result = result.copy(id=store.new_personal_id(self.services.db, result.title))
        try:
            store.save_personal(self.services.db, result)
        except UserError as exc:
            self._warn(_("Reply template"), str(exc))
            return
        self._announce(result.id)
        self.select_template(result.id)

    def duplicate_current(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        copy = store.duplicate(self.services.db, entry.id, suffix=" " + _("(copy)"))
        self._announce(copy.id)
        self.select_template(copy.id)
        self._confirm(_("Duplicated"))

    def delete_current(self) -> None:
        entry = self.current_entry()
        if entry is None or not entry.editable_in_place:
            return
        question = (_("Delete your version of “{title}”? The team's version comes back.")
                    if entry.layer == store.OVERRIDE else _("Delete “{title}”?")).format(
            title=entry.template.title)
        if not self._ask(_("Reply template"), question):
            return
        store.delete_personal(self.services.db, entry.id)
        self.current_id = None
        self._announce(entry.id)
        if entry.layer == store.OVERRIDE:  # the team's version is back: show it
            self.select_template(entry.id)

    def import_file(self, path: str | None = None) -> None:
        """Import a CSV or Espanso file: read and checked on the worker, previewed, then
        written on a thread with a connection of its own (issue 18: an import at the cap,
        20,000 templates, held the GUI thread 10 s). All or nothing."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, _("Import reply templates"), "", _("CSV or Espanso (*.csv *.yml *.yaml)"))
            if not path:
                return
        path = Path(path)
        lang = self.language.currentData() or base_language(
            self.services.customer.context.language or "en") or "en"

        def read():
            from assistant.templates.importers import read_path  # its import too (8 ms the first time)

            return path, read_path(path, lang)

        self._confirm(_("Reading {name}…").format(name=path.name))
        run_in_pool(read, self._import_read, self._import_failed, pool=self.services.pool)

    def _import_read(self, read) -> None:
        from assistant.storage.database import checkpoint_later, open_database
        from assistant.templates.importers import save_imported

        path, plan = read
        # the preview before anything is written: what is imported, what is skipped and why
        if not self._ask(_("Import"), plan.preview() + "\n\n" + _("Import them?")):
            self._confirm("")
            return
        data_dir = self.services.runtime.data_dir

        def work() -> list[str]:
            with (open_database(data_dir.database, data_dir.backups) as opened,  # this thread's own connection
                  checkpoint_later(opened.db.conn)):  # the result first, then SQLite's checkpoint
                return save_imported(opened.db, plan.items)

        run_in_thread(work, self._imported, self._import_failed, name="template-import")

    def _imported(self, ids: list[str]) -> None:
        upkeep_in_thread(self.services.runtime.data_dir.database)
        self.services.hall.library_changed.emit(frozenset(ids))
        if ids:
            self.select_template(ids[0])
        self._confirm(ngettext("Imported {count} template", "Imported {count} templates",
                               len(ids)).format(count=len(ids)))

    def _import_failed(self, exc: Exception) -> None:
        from assistant.storage.database import fault, is_fault
        from assistant.templates.importers import ImportFailed

        self._confirm("")
        if isinstance(exc, ImportFailed):
            self._warn(_("Import"), "\n".join(str(p) for p in exc.problems[:15]))
        elif isinstance(exc, OSError):  # the file cannot be read
            self._warn(_("Import"), str(exc))
        elif is_fault(exc):  # a lock held past the wait, a full disk: nothing was written
            self._warn(_("Import"), str(fault(exc, self.services.runtime.data_dir.database)))
        elif isinstance(exc, UserError):
            self._warn(_("Import"), str(exc))
        else:
            raise exc  # a bug: the window's error report

    def export_pack(self, path: str | None = None) -> None:
        """The agent's own templates as a pack file (1.0 s at 20,000, what an import brings)."""
        from assistant.packs.build import write_personal_pack_at

        self._export(path, _("Export my templates"), "my-templates.agentpack.json", _("Pack (*.agentpack.json)"),
                     write_personal_pack_at, self._pack_exported)

    def _pack_exported(self, count: int) -> None:
        self._confirm(ngettext("Exported {count} template", "Exported {count} templates",
                               count).format(count=count))

    def export_usage(self, path: str | None = None) -> None:
        """Use counts and last use of every template, as CSV for the team lead (0.7 s at 50,000)."""
        from assistant.templates.export import write_usage_csv_at

        self._export(path, _("Export usage report…"), "reply-usage.csv", _("CSV (*.csv)"),
                     write_usage_csv_at, self._usage_exported)

    def _export(self, path: str | None, title: str, name: str, kinds: str, write, done) -> None:
        """Ask where (unless ``path``), then ``write(database, output)`` on the worker, from a
        connection of its own: each export read the whole library or every personal template
        on the GUI thread (2 s at 50,000 templates; issue 18)."""
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, title, name, kinds)
            if not path:
                return
        database, output = self.services.runtime.data_dir.database, Path(path)
        run_in_pool(lambda: write(database, output), done, self._export_failed, pool=self.services.pool)

    def _usage_exported(self, _rows: int) -> None:
        self._confirm(_("Usage report saved"))

    def _export_failed(self, exc: Exception) -> None:
        from assistant.templates.export import ExportError

        if not isinstance(exc, ExportError):
            raise exc  # a bug: the window's error report
        self._warn(_("Export"), str(exc))

    # -- messages: template and file text is shown as plain text, never as HTML -----------
    def _warn(self, title: str, text: str) -> None:
        plain_message(self, QMessageBox.Warning, title, text)

    def _ask(self, title: str, text: str) -> bool:
        return plain_message(self, QMessageBox.Question, title, text,
                             QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes

    # -- palette -------------------------------------------------------------------
    def commands(self) -> list[Command]:
        return [
            Command(_("Search replies"), self._focus_search, "", "template reply canned answer"),
            Command(_("New reply template…"), self.new_template, "", "template create"),
            Command(_("Import reply templates…"), self.import_file, "", "csv espanso"),
            Command(_("Export my reply templates…"), self.export_pack, "", "pack share"),
            Command(_("Copy the selected reply"), lambda: self.copy_reply(force=True), "", "clipboard"),
        ]

    def _focus_search(self) -> None:
        window = self.window()
        tabs = getattr(window, "tabs", None)
        if tabs is not None and tabs.indexOf(self) >= 0:
            tabs.setCurrentWidget(self)
        self.search.setFocus()
        self.search.selectAll()

    def set_compact(self, compact: bool) -> None:
        self.tag_filter.setVisible(not compact)
