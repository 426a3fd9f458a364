"""Queue panel: what to do next. Views Now / Upcoming / Waiting / Done over the core's
task store, search and filters, SLA countdowns with the agent's and the customer's times,
"why it is here" on hover, and keyboard-first actions:

J/K move · Enter open (sets the customer) · Space done · S snooze · E edit · Delete (Ctrl+Z undoes)

A minute timer refreshes countdowns and order and raises tray notifications (shortly
before a breach, at follow-up time) without ever taking focus. Every change to the tasks is
announced in the hall (``services.hall.tasks_changed``) by whoever made it -- this panel,
quick add, another process --, and the panel reloads when it hears one; it also follows the
queue settings, the agent's zone and packs (their cards give customers' business hours).

The reads that grow with the queue -- a search keystroke, a filter, the minute tick and its
notices -- run on the panel's worker with a read-only connection of its own (``ViewReader``);
the GUI thread shows the rows when the latest read asked for arrives (issue 18)."""

from __future__ import annotations

import bisect
import logging
from datetime import datetime, timezone

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import (QAction, QBrush, QGuiApplication, QKeySequence, QShortcut, QStandardItem,
                           QStandardItemModel)
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMenu, QPushButton, QTabBar, QToolButton, QTreeView, QVBoxLayout,
                               QWidget)

from assistant.clock import hours
from assistant.clock.ticks import utc_now
from assistant.i18n import N_, _, ltr
from assistant.tasks import config
from assistant.tasks.model import CHANNEL_LABELS, CHANNELS
from assistant.tasks.notices import mark_shown, pending_notices
from assistant.tasks.present import added_message, countdown, details, short_both
from assistant.tasks.store import VIEW_LIMIT, Filters, Ranked, TaskStore
from ui.item_models import HoverTooltip
from ui.panels.base import Panel
from ui.services import Command
from ui.widgets import StatusLine, plain_label, plain_tooltip
from ui.workers import run_in_pool

log = logging.getLogger(__name__)

VIEWS = [("now", N_("Now")), ("upcoming", N_("Upcoming")), ("waiting", N_("Waiting")), ("done", N_("Done"))]
REFRESH_MS = 60_000
UNDO_VISIBLE_MS = 15_000
MAX_NOTICES_AT_ONCE = 3
MAX_INCREMENTAL = 50  # more tasks changed at once than this: the view is read again
RLM = "\u200f"  # right-to-left mark
MAX_ROW_MOVES = 8  # more rows left or arrived than this: the model is reset, not edited
RESERVE = 50  # rows read beyond VIEW_LIMIT, so a task leaving the list needs no new read


# the roles the cells hold, as the plain ints ``setItemData`` takes
_DISPLAY, _FOREGROUND, _ACCESSIBLE = (
    int(role.value) for role in (Qt.DisplayRole, Qt.ForegroundRole, Qt.AccessibleTextRole))
_NOTHING = (None,) * 5  # a new item's cells: every one differs


def _row_moves(old: list[int], new: list[int]) -> list[tuple[int, int, list[int]]] | None:
    """How to turn the rows ``old`` into ``new`` (task ids) by removing and inserting a few:
    ``(start, rows removed there, indexes in new of the rows inserted there)``, last first;
    None when more than ``MAX_ROW_MOVES`` rows differ: a reset is cheaper then (a search, the
    minute tick), each step costing the view a pass of its own."""
    import difflib

    if not old or not new or abs(len(old) - len(new)) > MAX_ROW_MOVES:
        return None
    where = {task_id: i for i, task_id in enumerate(old)}
    kept = [where[task_id] for task_id in new if task_id in where]
    if len(new) - len(kept) + sum(a > b for a, b in zip(kept, kept[1:])) > MAX_ROW_MOVES:
        return None  # reordered (the minute tick): not worth the diff
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    steps, changed = [], 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed += max(i2 - i1, j2 - j1)
            steps.append((i1, i2 - i1, list(range(j1, j2))))
    return None if changed > MAX_ROW_MOVES else steps[::-1]


def row_texts(ranked: Ranked, now: datetime, agent_zone: str) -> tuple:
    """A row's cells (task and customer, SLA countdown, follow-up in both zones) and its
    accessible text. Pure: the panel's worker makes them for the rows of each read, so the
    GUI thread only writes them to the model's items (issue 18)."""
    task = ranked.task
    who = task.customer.name or task.customer.phone or task.customer.country
    left = countdown(task, now)
    return (f"{task.title} — {who}" if who else task.title,
            left if task.status != "done" else "",
            short_both(task.follow_up_at, agent_zone, task.customer.zone, now),
            f"{task.title}, {task.priority}, {left}")


def _counts(store: TaskStore, counting: int, now: datetime) -> tuple[int, int, list[str], list[str]]:
    """What the panel shows beside its rows (on the worker): the tab's count, the tags and the
    countries of the queue, with the count's number (the latest asked for is shown)."""
    return counting, store.count_now(now), store.tags(), store.countries()


class QueueModel(QStandardItemModel):
    """Rows of a view, as the core ranked them. Display only: no rules here.

    The cells are Qt's own items, so a view sizes and paints them without entering Python.
    With a model written in Python, each cell a view asked for had to take the interpreter
    lock, and while a worker held it (the reply index being built at start, a pack install)
    it waited at every cell: switching to the Queue while 50,000 templates were indexed froze
    the window 65-300 ms, against 36-50 ms with the cells in Qt (issue 18). The texts are
    made with the read, on the worker; new rows in the same order (the minute tick, most
    changes) rewrite only the cells that changed; a few rows that left or arrived are removed
    or inserted; only a different order resets the model."""

    COLUMNS = (N_("Task"), N_("SLA"), N_("Follow-up"))

    def __init__(self, agent_zone: str, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.rows: list[Ranked] = []
        self.now = utc_now()
        self.agent_zone = agent_zone
        self._cells: dict[int, tuple] = {}  # task id -> (its row, the row's texts)
        self._cells_zone = agent_zone        # the agent's zone the texts were made in
        self._written: list[tuple] = []     # each row's cells as written to the items
        self._alert: QBrush | None = None    # the breached colour, for the palette of this set

    def set_rows(self, rows: list[Ranked], now: datetime, prepared: tuple[str, list] | None = None) -> None:
        """``prepared``: (the agent's zone, :func:`row_texts` of the rows) made with the
        read; used when the zone is still the model's. Texts not known are made here."""
        # at the same instant a row that is the same object (a change elsewhere) keeps its texts
        kept = {}
        if now == self.now and self._cells_zone == self.agent_zone:
            unchanged = {id(r) for r in rows}
            kept = {task_id: known for task_id, known in self._cells.items() if id(known[0]) in unchanged}
        if prepared is not None and prepared[0] == self.agent_zone:
            kept.update((ranked.task.id, (ranked, texts)) for ranked, texts in zip(rows, prepared[1]))
        for ranked in rows:
            if ranked.task.id not in kept:
                kept[ranked.task.id] = (ranked, row_texts(ranked, now, self.agent_zone))
        self._cells, self._cells_zone, self._alert = kept, self.agent_zone, None
        cells = [self._row_cells(ranked) for ranked in rows]
        ids, old_ids = [r.task.id for r in rows], [r.task.id for r in self.rows]
        steps = [] if ids == old_ids else _row_moves(old_ids, ids)
        if steps is None:
            self.beginResetModel()
            self.blockSignals(True)  # one reset, not a signal per row and cell
            try:
                self.setRowCount(len(rows))  # the items kept hold what was written to them
                self._written = self._written[:len(rows)] + [()] * (len(rows) - len(self._written))
                self._write(cells)
            finally:
                self.blockSignals(False)
            self.rows, self.now = rows, now
            self.endResetModel()
            return
        # a few rows left or arrived (a task done, added, moved): the view keeps its layout,
        # scroll position and column widths, and measures only those rows (issue 18)
        # ``rows`` never shorter than the items while the views hear of a step (they may ask
        # the panel for the current task)
        self.rows = list(self.rows)
        for start, removed, inserted in steps:  # from the last to the first: indexes hold
            if removed:
                self.removeRows(start, removed)
                del self.rows[start:start + removed], self._written[start:start + removed]
            for offset, new in enumerate(inserted):
                self.rows.insert(start + offset, rows[new])
                self._written.insert(start + offset, ())
                self.insertRow(start + offset, [QStandardItem() for _column in self.COLUMNS])
        self.rows, self.now = rows, now
        self._write(cells, announce=True)

    def _row_cells(self, ranked: Ranked) -> tuple:
        """What the row's items show: its texts (:func:`row_texts`) and the SLA's colour."""
        return *self._cells[ranked.task.id][1], self._alert_brush() if ranked.score.breached else None

    def _alert_brush(self) -> QBrush:
        if self._alert is None:
            from ui.theme import alert_colour  # readable on light, dark and high-contrast palettes

            self._alert = QBrush(alert_colour())
        return self._alert

    def _write(self, cells: list[tuple], announce: bool = False) -> None:
        """Write the items whose cells differ from those written (every role, None clears
        one); ``announce``: then tell the views once, for the rows between the first and
        the last written."""
        changed = [row for row, (new, old) in enumerate(zip(cells, self._written)) if new != old]
        if not changed:
            return
        index, put = self.index, self.setItemData
        blocked = self.blockSignals(True)
        try:
            for row in changed:
                (task, sla, follow, accessible, alert), old = cells[row], self._written[row] or _NOTHING
                if task != old[0] or accessible != old[3]:
                    put(index(row, 0), {_DISPLAY: task, _ACCESSIBLE: accessible})
                if sla != old[1] or alert != old[4]:
                    put(index(row, 1), {_DISPLAY: sla, _FOREGROUND: alert})
                if follow != old[2]:
                    put(index(row, 2), {_DISPLAY: follow})
                self._written[row] = cells[row]
        finally:
            self.blockSignals(blocked)
        if announce:
            self.dataChanged.emit(index(changed[0], 0), index(changed[-1], len(self.COLUMNS) - 1))

    def task_id(self, row: int) -> int:
        return self.rows[row].task.id

    def row_of(self, task_id: int | None) -> int:
        for row, ranked in enumerate(self.rows):
            if ranked.task.id == task_id:
                return row
        return -1

    def why(self, row: int) -> str:
        """The row's "why it is here", as its tooltip: made when asked (hovered), not for
        every row of every read."""
        if not 0 <= row < len(self.rows):
            return ""
        return _("Why it is here:") + "\n" + self.rows[row].score.explain()

    def forget_texts(self) -> None:
        """The cells' texts are made again at the next rows (the 12/24-hour choice changed)."""
        self._cells.clear()


class ViewReader:
    """The panel's reads that grow with the queue (the search keystroke, the filters, the
    minute tick), made on a thread of their own with a read-only connection of their own: the
    GUI thread only receives the rows (issue 18). Its jobs run one at a time, in order, on
    the panel's one-thread pool, so the connection and the store's caches are never used by
    two threads at once."""

    def __init__(self, path):
        self.path = path
        self._conn = None
        self._store: TaskStore | None = None

    def store(self, config, forget: bool) -> TaskStore:
        """The reading store (on the worker): ``config`` as the panel's, its caches
        forgotten when tasks or packs changed since the last read."""
        if self._conn is None:
            import sqlite3

            from assistant.storage.database import BUSY_TIMEOUT_S, read_only_uri

            # one job at a time, but not always on the same pool thread (idle ones expire)
            self._conn = sqlite3.connect(read_only_uri(self.path), uri=True, timeout=BUSY_TIMEOUT_S,
                                         check_same_thread=False)
        if self._store is None or self._store.config is not config:
            import sqlite_utils

            self._store = TaskStore(sqlite_utils.Database(self._conn, execute_plugins=False), config)
        elif forget:
            self._store.forget_caches()
        return self._store

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = self._store = None


class QueueTree(QTreeView):
    """The list; its keys are the panel's (``keys`` returns True for a key it handled).
    Only key presses enter Python: an event filter heard every event the list got, and
    waited for the interpreter lock at each while a worker held it (see ``QueueModel``)."""

    def __init__(self, keys):
        super().__init__()
        self._keys = keys

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if not self._keys(event):
            super().keyPressEvent(event)


class QueuePanel(Panel):
    panel_id = "queue"
    title = N_("Queue")

    def __init__(self, services, parent=None, clock=None):
        super().__init__(services, parent)
        # looked up at each call, so a test can fix the module's clock
        self.clock = clock or (lambda: utc_now())
        self.store = TaskStore(services.db)
        self.view_name = "now"
        self.deleted: list = []          # undo stack of deleted tasks
        self.active_dialog = None        # the open quick-add / edit / snooze dialog
        self._complete = True            # the rows shown are the whole view (not its top)
        self._reading = 0                # the latest view read asked for
        self._shown = 0                  # the read whose rows are shown
        self._forget = False             # the reader's caches are stale (tasks or packs changed)
        self._select_when_shown: int | None = None  # a task to select when the read on its way is shown
        self._noticing = False           # a notices read is on its way
        self._badge = 0                  # open tasks due now (the tab's count), as last counted
        self._counting = 0               # the latest count (badge, filter lists) asked for
        self._counted_at = 0             # the count shown
        self._reader = None
        self._pool = None
        path = getattr(getattr(services.runtime, "data_dir", None), "database", None)
        if path is not None:
            from PySide6.QtCore import QThreadPool

            self._reader = ViewReader(path)
            self._pool = QThreadPool(self)
            self._pool.setMaxThreadCount(1)  # one read at a time, in order: see ViewReader
            reader, pool = self._reader, self._pool
            self.destroyed.connect(lambda *_: (pool.waitForDone(), reader.close()))
        # a read asked for starts once the event loop has painted what asked for it (a view
        # tab, the search box): a read started at once made that paint wait for the
        # interpreter lock behind the worker, once per cell it drew (issue 18)
        self._next_read = None
        self._read_soon = QTimer(self)
        self._read_soon.setSingleShot(True)
        self._read_soon.setInterval(0)
        self._read_soon.timeout.connect(self._start_read)
        self._build()
        # first read after the window shows: the constructor stays cheap
        QTimer.singleShot(0, self, self._first_read)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        hall = services.hall
        hall.tasks_changed.connect(self._tasks_changed)
        hall.settings_changed.connect(self._setting_changed)
        hall.packs_changed.connect(self._packs_changed)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.views = QTabBar()
        self.views.setObjectName("queue-views")
        self.views.setDrawBase(False)
        self.views.setExpanding(False)
        for _name, label in VIEWS:
            self.views.addTab(_(label))
        self.views.currentChanged.connect(self._view_changed)
        top.addWidget(self.views, 1)
        self.add_button = QPushButton(_("New task"))
        self.add_button.setToolTip(_("New task (Ctrl+N)"))
        self.add_button.clicked.connect(self.quick_add)
        top.addWidget(self.add_button)
        self.settings_button = QToolButton()
        self.settings_button.setText("⚙")
        self.settings_button.setToolTip(_("Queue settings: team hours, targets, warnings"))
        self.settings_button.setAccessibleName(_("Queue settings"))
        self.settings_button.clicked.connect(self.open_settings)
        top.addWidget(self.settings_button)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("queue-search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search · tag:vip · country:JP · customer:Ito"))
        self.search.setAccessibleName(_("Search tasks"))
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.reload_later)
        filters.addWidget(self.search, 1)
        self.tag_filter = self._combo(_("All tags"), _("Filter by tag"))
        self.channel_filter = self._combo(_("All channels"), _("Filter by channel"))
        for channel in CHANNELS:
            self.channel_filter.addItem(_(CHANNEL_LABELS[channel]), channel)
        self.country_filter = self._combo(_("All countries"), _("Filter by country"))
        for combo in (self.tag_filter, self.channel_filter, self.country_filter):
            filters.addWidget(combo)
        self.filter_row = filters
        layout.addLayout(filters)

        self.model = QueueModel(self.agent_zone, self)
        self.tree = QueueTree(self._list_key)
        self.tree.setObjectName("queue-list")
        self.tree.setAccessibleName(_("Tasks"))
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        # SLA and follow-up are sized to their texts when a view is read (a search, the
        # minute tick, another view), not after each task done or added, which re-measured
        # every row on screen (issue 18); to the rows on screen, not to all 250
        header.setResizeContentsPrecision(0)
        self.tree.setItemDelegate(HoverTooltip(lambda index: self.model.why(index.row()), self.tree))
        # from the search box straight to the results
        QShortcut(QKeySequence(Qt.Key_Down), self.search, self.tree.setFocus, context=Qt.WidgetShortcut)
        self.search.returnPressed.connect(self.tree.setFocus)
        self.setFocusProxy(self.tree)  # Ctrl+4 lands on the list: J/K work at once
        self.tree.doubleClicked.connect(lambda _index: self.open_selected())
        self.tree.selectionModel().currentRowChanged.connect(lambda *_args: self._show_details())
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self._build_task_actions())

        self.empty = QLabel()
        self.empty.setObjectName("queue-empty")
        self.empty.setTextFormat(Qt.PlainText)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        self.undo_bar = QWidget()
        undo = QHBoxLayout(self.undo_bar)
        undo.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel()
        self.undo_label.setTextFormat(Qt.PlainText)
        self.undo_button = QPushButton(_("Undo (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo_delete)
        undo.addWidget(self.undo_label, 1)
        undo.addWidget(self.undo_button)
        self.undo_bar.setVisible(False)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_VISIBLE_MS)
        self._undo_timer.timeout.connect(lambda: self.undo_bar.setVisible(False))
        layout.addWidget(self.undo_bar)

        # The selected task's details change with every selection and every task done: a
        # label that is not mouse-selectable lays its text out with the font's metrics, not a
        # text document (4 to 6 ms less per Space at 10,000 tasks, issue 18); its text is
        # copied from its context menu instead.
        self.detail = plain_label(name="queue-detail", selectable=False)
        self.detail.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.detail.setContextMenuPolicy(Qt.ActionsContextMenu)
        self.detail.addAction(self.task_actions["copy"])  # C on the list, the row's menu too
        layout.addWidget(self.detail)
        # the last action's status: one line of constant height (elided, whole in its tooltip)
        self.status = StatusLine("queue-status")
        layout.addWidget(self.status)

        shortcut = QShortcut(QKeySequence.Undo, self, activated=self.undo_delete)
        shortcut.setContext(Qt.WidgetWithChildrenShortcut)

    def _build_task_actions(self) -> QWidget:
        """The visible twins of the list's keys, for the selected task: buttons under the
        list, the same actions in its context menu and in the palette (``commands``)."""
        specs = [("done", _("Done"), _("Mark the task done"), Qt.Key_Space, self.toggle_done),
                 ("snooze", _("Snooze…"), _("Snooze the task"), Qt.Key_S, self.snooze_selected),
                 ("edit", _("Edit…"), _("Edit the task"), Qt.Key_E, self.edit_selected),
                 ("open", _("Customer"), _("Open the task's customer"), Qt.Key_Return, self.open_selected),
                 ("copy", _("Copy the details"), _("Copy the task's details"), Qt.Key_C, self.copy_details),
                 ("delete", _("Delete"), _("Delete the task"), Qt.Key_Delete, self.delete_selected)]
        self.task_actions: dict[str, QAction] = {}
        bar = QWidget()
        bar.setObjectName("queue-task-actions")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        for name, text, tip, key, slot in specs:
            action = QAction(text, self)
            action.setObjectName(f"queue-{name}")
            action.setShortcut(QKeySequence(key))  # while the list has the focus (as the
            action.setShortcutContext(Qt.WidgetShortcut)  # key handling in eventFilter)
            self.tree.addAction(action)
            shown = action.shortcut().toString(QKeySequence.NativeText)
            action.setToolTip(_("{action} ({key})").format(action=tip, key=ltr(shown)))
            action.setData(shown)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            self.task_actions[name] = action
            if name not in ("copy", "delete"):  # in the menus: one slip must not cost a task
                button = QToolButton()
                button.setDefaultAction(action)
                button.setToolButtonStyle(Qt.ToolButtonTextOnly)
                row.addWidget(button)
        row.addStretch(1)
        self.task_bar = bar
        return bar

    def _update_task_actions(self) -> None:
        task = self.current_task()
        done = task is not None and task.status == "done"
        self.task_actions["done"].setText(_("Reopen") if done else _("Done"))
        for name, action in self.task_actions.items():
            action.setEnabled(task is not None and not (name == "snooze" and done)
                              and not (name == "open" and task.customer.is_empty))

    def _context_menu(self, position) -> None:
        index = self.tree.indexAt(position)
        if index.isValid():
            self.select_row(index.row())
        if self.current_task() is None:
            return
        menu = QMenu(self)
        for name, action in self.task_actions.items():
            if name == "delete":
                menu.addSeparator()
            menu.addAction(action)
        self.context_menu = menu  # kept for tests; shown at the row
        menu.popup(self.tree.viewport().mapToGlobal(position))

    def _combo(self, everything: str, name: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything, None)
        combo.setAccessibleName(name)
        combo.setToolTip(plain_tooltip(name))
        # as narrow as a short word: a long tag or country name must not widen the window
        combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(5)
        combo.currentIndexChanged.connect(lambda _i: self.reload_later())
        return combo

    @property
    def agent_zone(self) -> str:
        """The agent's zone (the clock's): times are shown and typed in it."""
        return self.store.config.agent_zone

    # -- reading -------------------------------------------------------------------
    def filters(self) -> Filters:
        return Filters.parse(self.search.text()).merged(
            tag=self.tag_filter.currentData(), channel=self.channel_filter.currentData(),
            country=self.country_filter.currentData())

    def reload(self, refresh_choices: bool = True) -> None:
        """Re-read the current view, keeping the selected task selected (and never moving
        the keyboard focus: this runs from a timer too). The minute timer skips the filter
        choices: tags and countries only change when tasks do."""
        now = self.clock()
        self._reading += 1  # a read on its way is not shown: this one is newer
        # a few rows beyond what is shown: a task that leaves the list is replaced from
        # them, without reading the view again (see _update_rows)
        rows = self.store.view(self.view_name, now, self.filters(), limit=VIEW_LIMIT + RESERVE)
        self._show_rows(self._reading, rows, now)
        if refresh_choices:
            self.count_later()

    def reload_later(self) -> None:
        """Re-read the current view on the panel's worker and show it when it arrives, unless
        a newer read was asked for meanwhile: the search keystroke, the filters and the minute
        tick, whose reads grow with the queue (issue 18). The rows shown until then stay
        usable; the selected task stays selected."""
        if self._reader is None:  # no database file to open a second connection on
            self.reload(refresh_choices=False)
            return
        self._reading += 1
        reading, view, now, filters = self._reading, self.view_name, self.clock(), self.filters()
        reader, config, forget, zone = self._reader, self.store.config, self._forget, self.agent_zone
        self._forget = False

        def read():  # on the worker: the rows and their texts
            rows = reader.store(config, forget).view(view, now, filters, limit=VIEW_LIMIT + RESERVE)
            return reading, rows, now, (zone, [row_texts(r, now, zone) for r in rows])

        self._next_read = read  # the latest asked for (an earlier one not started is dropped)
        self._read_soon.start()

    def _start_read(self) -> None:
        read, self._next_read = self._next_read, None
        if read is not None:
            run_in_pool(read, self._view_read, self._read_failed, pool=self._pool)

    def _view_read(self, result) -> None:
        reading, rows, now, prepared = result
        if reading == self._reading:  # else a later read is on its way
            self._show_rows(reading, rows, now, prepared)

    def _read_failed(self, exc: Exception) -> None:
        """A fault (a lock held past the wait, a failing disk): the rows shown stay, and the
        window's error report tells the agent in one line, as for any action that failed."""
        import sys

        self._shown = self._reading  # nothing on its way: a change is shown in place again
        sys.excepthook(type(exc), exc, exc.__traceback__)

    @property
    def reading(self) -> bool:
        """A view read is on its way: the rows shown are not the latest asked for."""
        return self._shown != self._reading

    def _show_rows(self, reading: int, rows: list[Ranked], now: datetime, prepared=None) -> None:
        keep = self._select_when_shown or self.current_task_id()
        self._select_when_shown = None
        self._shown = reading
        self._complete = len(rows) < VIEW_LIMIT + RESERVE
        self.model.set_rows(rows, now, prepared)
        self._fit_columns()
        self._select_task(keep)

    def _select_task(self, keep: int | None, near: int = 0) -> None:
        """Select ``keep`` if listed, else the row now at ``near`` (the task that took its
        place: the list does not jump to the top), and show its details and the empty text."""
        row = self.model.row_of(keep)
        if row < 0 and self.model.rowCount():
            row = max(0, min(near, self.model.rowCount() - 1))
        before = self.tree.currentIndex()
        if row >= 0:
            self.tree.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        if self.tree.currentIndex() == before:  # else the row change has shown them already
            self._show_details()
        rows = self.model.rows
        self.empty.setText(self._empty_text() if not rows else "")
        self.empty.setVisible(not rows)

    def _empty_text(self) -> str:
        if not self.filters().empty:
            return _("No task matches the search or filters.")
        return {"now": _("Nothing due now. New task: Ctrl+N."),
                "upcoming": _("Nothing scheduled."),
                "waiting": _("No task is waiting on a customer."),
                "done": _("No task done yet.")}[self.view_name]

    def count_later(self) -> None:
        """The tab's count and the filter lists (tags, countries), read on the panel's worker
        after the reads asked for before (at 100,000 tasks 9-17 ms and 12 ms on the GUI
        thread at each change; issue 18); the latest asked for is shown."""
        self._counting += 1
        counting, now = self._counting, self.clock()
        if self._reader is None:  # no database file to open a second connection on
            self._counted(_counts(self.store, counting, now))
            return
        reader, config = self._reader, self.store.config
        run_in_pool(lambda: _counts(reader.store(config, False), counting, now), self._counted,
                    self._count_failed, pool=self._pool)

    @property
    def counting(self) -> bool:
        """A count is on its way: the badge and filter lists shown are not the latest."""
        return self._counted_at != self._counting

    def _counted(self, result) -> None:
        counting, badge, tags, countries = result
        if counting != self._counting:
            return  # a later count is on its way
        self._counted_at = counting
        self._show_choices(tags, countries)
        if badge != self._badge:
            self._badge = badge
            self.badge_changed.emit()

    def _count_failed(self, exc: Exception) -> None:
        """A lock held past the wait, a failing disk: the counts shown stay until the next
        change or minute (the view's read, failing too, tells the agent)."""
        self._counted_at = self._counting
        log.error("Counting the queue failed: %s", exc)

    def _show_choices(self, tags: list[str], countries: list[str]) -> None:
        for combo, values in ((self.tag_filter, tags), (self.country_filter, countries)):
            current = combo.currentData()
            present = [combo.itemData(i) for i in range(1, combo.count())]
            if present == values:
                continue
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            index = combo.findData(current) if current else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _show_details(self) -> None:
        self._update_task_actions()
        row = self.current_row()
        if not 0 <= row < self.model.rowCount():
            self.detail.setText("")
            return
        ranked = self.model.rows[row]
        text = details(ranked.task, self.model.now, self.agent_zone)
        if ranked.task.status != "done":
            text += "\n\n" + _("Why it is here:") + "\n" + ranked.score.explain()
        # a label drawn without a text document takes one direction for all its lines from
        # its first letter (often a Latin task title): a mark gives it the UI's direction
        if self.layoutDirection() == Qt.RightToLeft:
            text = RLM + text
        self.detail.setText(text)

    def _fit_columns(self) -> None:
        for column in (1, 2):
            self.tree.resizeColumnToContents(column)

    def _view_changed(self, index: int) -> None:
        """Another view: read on the panel's worker, as a search is (tens of ms at 100,000
        tasks: issue 18); the rows shown until then stay usable."""
        self.view_name = VIEWS[index][0]
        self.reload_later()

    def set_view(self, name: str) -> None:
        self.views.setCurrentIndex([v for v, _label in VIEWS].index(name))

    def current_row(self) -> int:
        index = self.tree.currentIndex()
        return index.row() if index.isValid() else -1

    def current_task_id(self) -> int | None:
        row = self.current_row()
        return self.model.task_id(row) if 0 <= row < self.model.rowCount() else None

    def current_task(self):
        row = self.current_row()
        return self.model.rows[row].task if 0 <= row < self.model.rowCount() else None

    def select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        self.tree.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)

    def badge(self) -> int:
        return self._badge

    # -- the minute ----------------------------------------------------------------
    def tick(self) -> None:
        """Countdowns, order, the tab's count and notices, all read on the worker (issue 18)."""
        self.reload_later()
        self.count_later()
        if self._reader is None:
            self.notify_due()
        elif not self._noticing:  # one at a time: a notice is marked shown before it is read again
            self._noticing = True
            now, reader, config = self.clock(), self._reader, self.store.config
            run_in_pool(lambda: (pending_notices(reader.store(config, False), now), now),
                        self._notices_read, self._notices_failed, pool=self._pool)

    def _notices_read(self, result) -> None:
        self._noticing = False
        self._show_notices(*result)

    def _notices_failed(self, exc: Exception) -> None:
        self._noticing = False  # asked again at the next tick
        log.error("Reading the queue's notices failed: %s", exc)

    def notify_due(self) -> None:
        """Tray notifications for deadlines about to pass and follow-ups now due."""
        now = self.clock()
        self._show_notices(pending_notices(self.store, now), now)

    def _show_notices(self, notices, now: datetime) -> None:
        if not notices:
            return
        for notice in notices[:MAX_NOTICES_AT_ONCE]:
            self.services.notify(notice.title, notice.message)
        if len(notices) > MAX_NOTICES_AT_ONCE:
            self.services.notify(_("Queue"), _("{count} more tasks need attention").format(
                count=len(notices) - MAX_NOTICES_AT_ONCE))
        mark_shown(self.store, notices, now)

    # -- actions -------------------------------------------------------------------
    def _list_key(self, event) -> bool:
        """The list's own keys, without Ctrl, Alt or Meta; True when handled."""
        if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            return False
        action = {
            Qt.Key_J: lambda: self.select_row(self.current_row() + 1),
            Qt.Key_K: lambda: self.select_row(self.current_row() - 1),
            Qt.Key_Return: self.open_selected, Qt.Key_Enter: self.open_selected,
            Qt.Key_Space: self.toggle_done, Qt.Key_S: self.snooze_selected,
            Qt.Key_E: self.edit_selected, Qt.Key_Delete: self.delete_selected,
            Qt.Key_C: self.copy_details,
        }.get(event.key())
        if action is not None:
            action()
        return action is not None

    def open_selected(self) -> None:
        """Make the task's customer the current customer: clock, card and language follow."""
        from assistant.customer.session import from_task

        task = self.current_task()
        if task is None:
            return
        if not task.customer.is_empty:  # through the session: field, recents and clock follow
            self.services.session.set(from_task(task.customer, task.title))
        self.status.setText(_("Opened “{title}”.").format(title=task.title))

    def _changed(self, *task_ids: int) -> None:
        """Announce a change this panel made (the panel, like every view, reloads on it)."""
        self.services.hall.tasks_changed.emit(frozenset(task_ids) if task_ids else None)

    def _tasks_changed(self, ids) -> None:
        self._forget = True  # the reader's caches (customers' zones) may be stale too
        self.count_later()
        if ids is None:  # another process, or a bulk change: the store's caches may be stale
            self.store.forget_caches()
            self.reload_later()
        elif self.reading or not self._update_rows(ids):  # read again, on the worker
            self.reload_later()

    def _update_rows(self, ids) -> bool:
        """Put the changed tasks where the view's order puts them, reading only them; False
        when that cannot give the exact view and it must be read again. The rows are the
        view's exact first rows: when the view had more than were read, a changed task that
        now sorts after the last row read is left out (a row not read may come before it),
        and when fewer than ``VIEW_LIMIT`` rows would be left, the view is read again. Keeps
        the selected task selected."""
        if len(ids) > MAX_INCREMENTAL:
            return False
        now = self.model.now
        rows = [r for r in self.model.rows if r.task.id not in ids]
        found = self.store.ranked_in_view(self.view_name, now, self.filters(), ids)
        key = self.store.order_key(self.view_name, now)
        if not self._complete:
            # every row not read sorts after the last row read (as it was when read)
            last = key(self.model.rows[-1]) if self.model.rows else None
            found = [r for r in found if last is None or key(r) < last]
            if len(rows) + len(found) < VIEW_LIMIT:
                return False
        for ranked in found:
            bisect.insort(rows, ranked, key=key)
        keep, near = self.current_task_id(), self.current_row()
        self.model.set_rows(rows, now)
        self._select_task(keep, near)
        return True

    def toggle_done(self) -> None:
        task = self.current_task()
        if task is None:
            return
        row = self.current_row()
        status = "open" if task.status == "done" else "done"
        self.store.set_status(task.id, status, self.clock())
        self.status.setText((_("Done: “{title}”.") if status == "done" else _("Reopened “{title}”."))
                            .format(title=task.title))
        self._changed(task.id)
        self.select_row(row)

    def copy_details(self) -> None:
        if self.current_task() is not None:
            QGuiApplication.clipboard().setText(self.detail.text())
            self.status.setText(_("Details copied."))

    def delete_selected(self) -> None:
        task = self.current_task()
        if task is None:
            return
        row = self.current_row()
        self.deleted.append(self.store.delete(task.id))
        self.undo_label.setText(_("Deleted “{title}”.").format(title=task.title))
        self.undo_bar.setVisible(True)
        self._undo_timer.start()
        self._changed(task.id)
        self.select_row(row)

    def undo_delete(self) -> None:
        if not self.deleted:
            return
        task = self.store.restore(self.deleted.pop())
        self.undo_bar.setVisible(bool(self.deleted) and self.undo_bar.isVisible())
        self.status.setText(_("Restored “{title}”.").format(title=task.title))
        self._changed(task.id)
        self.select_task(task.id)

    def _open_dialog(self, dialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None
        dialog.deleteLater()
        self.tree.setFocus()

    def quick_add(self, customer=None, follow_up: datetime | None = None) -> None:
        """New task for the current customer (or ``customer``), its follow-up pre-filled
        with ``follow_up`` when given (an hour clicked in the pinned customers' grid)."""
        from ui.quick_add import TaskDialog

        dialog = TaskDialog(self.store, customer or self.services.customer.context, parent=self.window(),
                            clock=self.clock)
        if follow_up is not None:
            dialog.follow_up.input.setText(follow_up.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"))
        dialog.saved.connect(self._added)
        self._open_dialog(dialog)
        dialog.title.setFocus()

    def _added(self, task) -> None:
        """Says where the task went, and shows it there, selected (also when added with
        Ctrl+N from another panel: the agent finds it in the queue where they were told)."""
        now = self.clock()
        view = self.store.view_of(task, now)
        label = _(dict(VIEWS)[view])
        message = added_message(task, label, now, self.agent_zone)
        self.status.setText(message)
        if not self.isVisible():  # added from another panel: said where the agent is
            self.services.notify(_("Queue"), message)
        if view != self.view_name:
            self.search.clear()  # a search that hides it would contradict the message
            self.set_view(view)
        self._changed(task.id)
        self.select_task(task.id)

    def select_task(self, task_id: int) -> None:
        """Select the task now if it is listed, else when the view on its way is shown."""
        if self.reading:
            self._select_when_shown = task_id
            return
        row = self.model.row_of(task_id)
        if row >= 0:
            self.select_row(row)

    def edit_selected(self) -> None:
        from ui.quick_add import TaskDialog

        task = self.current_task()
        if task is None:
            return
        dialog = TaskDialog(self.store, self.services.customer.context, task, parent=self.window(),
                            clock=self.clock)
        dialog.saved.connect(lambda saved: (self.status.setText(
            _("Saved “{title}”.").format(title=saved.title)), self._changed(saved.id)))
        self._open_dialog(dialog)

    def snooze_selected(self) -> None:
        from ui.quick_add import SnoozeDialog

        task = self.current_task()
        if task is None or task.status == "done":
            return
        dialog = SnoozeDialog(self.store, task, parent=self.window(), clock=self.clock)
        dialog.chosen.connect(lambda until: self._snooze(task, until))
        self._open_dialog(dialog)

    def _snooze(self, task, until: datetime) -> None:
        self.store.snooze(task.id, until, self.clock())
        self.status.setText(_("Snoozed “{title}”.").format(title=task.title))
        self._changed(task.id)

    # -- panel hooks ---------------------------------------------------------------
    def _setting_changed(self, key: str) -> None:
        if key in config.KEYS or key == "clock.agent_zone":
            self._settings_changed()
        elif key == hours.SETTING:  # the rows' times are written again in the chosen cycle
            self.model.forget_texts()
            self.reload_later()

    def _packs_changed(self) -> None:
        self.store.forget_caches()  # a pack's card may give a customer new business hours
        self._forget = True
        self.reload_later()
        self.count_later()

    def _settings_changed(self) -> None:
        self._apply_settings()
        self.reload_later()
        self.count_later()

    def _apply_settings(self) -> None:
        self.store.reload_config()
        self.model.agent_zone = self.agent_zone
        problems = config.problems(self.services.db)
        self.status.setText(_("Invalid queue settings are ignored, the defaults apply: {problem}").format(
            problem="; ".join(problems)) if problems else "")

    def _first_read(self) -> None:
        """After the panel is built: its settings, then (unless it was read meanwhile) the
        view on the worker and the filter lists in a pass of their own. At start this runs
        beside the other panels' imports on threads, which stretch every GUI-thread pass."""
        if self._reading:
            self._settings_changed()
            return
        self._apply_settings()
        self.reload_later()
        self.count_later()

    def set_compact(self, compact: bool) -> None:
        for combo in (self.tag_filter, self.channel_filter, self.country_filter):
            combo.setVisible(not compact)
        self.detail.setVisible(not compact)
        self.task_bar.setVisible(not compact)  # the context menu and the keys remain
        self.tree.setColumnHidden(2, compact)

    def commands(self) -> list[Command]:
        own = [Command(_("Queue: {view}").format(view=_(label)),
                       lambda name=name: self._show_view(name), "", "tasks queue view")
               for name, label in VIEWS]
        own += [Command(_("Queue: {action}").format(action=action.toolTip().rsplit(" (", 1)[0]),
                        lambda name=name: self._from_palette(name), action.data(), "tasks queue selected")
                for name, action in self.task_actions.items()]
        own.append(Command(_("Undo task delete"), self.undo_delete, "Ctrl+Z", "tasks queue restore"))
        own.append(Command(_("Queue settings…"), self.open_settings, "",
                           "tasks sla targets team hours working days holidays warning"))
        return own

    def _from_palette(self, name: str) -> None:
        """A task action chosen in the palette: on the queue's selected task, queue shown."""
        window = self.window()
        if hasattr(window, "show_panel"):
            window.show_panel(window.panel_index(self.panel_id))
        self.task_actions[name].trigger()

    def open_settings(self) -> None:
        from ui.queue_settings import QueueSettingsDialog

        QueueSettingsDialog(self.services, self).exec()  # its saves are announced: we follow

    def _show_view(self, name: str) -> None:
        window = self.window()
        if hasattr(window, "show_panel"):
            window.show_panel(window.panel_index(self.panel_id))
        self.set_view(name)
        self.tree.setFocus()
