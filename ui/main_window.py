"""The companion window: customer bar on top, four panels, palette, tray."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QMainWindow, QMenu, QScrollArea, QTabWidget,
                               QToolButton, QVBoxLayout, QWidget)

from assistant import APP_NAME, settings
from assistant.i18n import N_, _
from assistant.paths import resource_path
from ui.customer_bar import CustomerBar
from ui.preload import preload
from ui.services import AppServices, Command
from ui.widgets import plain_label, plain_notification

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QSystemTrayIcon

log = logging.getLogger(__name__)


class PanelSpec(NamedTuple):
    """A panel known by id and title before its module is imported: panel modules pull in
    their feature's engines, so each is imported only when its panel is first built."""
    panel_id: str
    title: str
    module: str
    class_name: str
    # what the panel imports when it is first shown, imported on the thread with its module:
    # an import on the GUI thread holds it for the whole import (tens of ms each)
    shown_modules: tuple[str, ...] = ()

    def load(self):
        return getattr(importlib.import_module(self.module), self.class_name)


PANELS = [
    PanelSpec("translate", N_("Translate"), "ui.panels.translate", "TranslatePanel"),
    PanelSpec("replies", N_("Replies"), "ui.panels.replies", "RepliesPanel",
              ("ui.team_news", "assistant.packs.starter", "assistant.packs.news")),
    PanelSpec("culture", N_("Culture"), "ui.panels.culture", "CulturePanel",
              ("assistant.countries.greeting", "assistant.countries.cards", "assistant.countries.facts")),
    PanelSpec("queue", N_("Queue"), "ui.panels.queue", "QueuePanel"),
]


def open_quick_add(window) -> None:
    from ui.quick_add import open_quick_add as open_dialog

    open_dialog(window)


def pack_commands(window) -> list[Command]:
    """The pack tools in the palette. Their code (signatures, cryptography: 60 ms to import)
    loads when one is chosen, not when the palette lists them."""
    def packs():
        from ui.packs_dialog import open_packs_dialog

        open_packs_dialog(window)

    def editor():
        from ui.packs_dialog import open_pack_editor

        open_pack_editor(window)

    commands = [Command(_("Template packs…"), packs, "", "pack install trust key team update conflict"),
                Command(_("Pack editor (team leads)…"), editor, "", "pack author sign export lead")]
    watch = getattr(window, "pack_inbox_watch", None)
    if watch is not None:
        commands.append(Command(_("Check the pack inbox now"), watch.check, "", "pack inbox shared folder"))
    return commands


# Between two panels' builds. Without it everything is ready ~50 ms sooner (588 -> 540 ms,
# 13 starts each), but the next panel's imports on a thread then race the GUI thread for the
# interpreter lock: the longest stall after the paint went 22 -> 33 ms (median; at most
# 37 -> 50 ms, against a bar of 50; 6 December).
PANEL_BUILD_PAUSE_MS = 50
NARROW_WIDTH = 420
COMPACT_WIDTH = 300
COMPACT_MIN_NORMAL_HEIGHT = 300  # a size below this was the compact one: not restored


APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)  # as tools/render_icons.py writes them


def app_icon() -> QIcon:
    """The app's icon from its PNG renderings (resources/icons/app-<size>.png, made from
    app.svg by tools/render_icons.py): the SVG itself would load Qt's SVG library and icon
    plugin, 1.1 MB more resident when ready (issue 18). Set after the first paint, with the
    tray: QIcon's Python type makes 151 enum members, with the icon 2-3 ms before the paint."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in APP_ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"app-{size}.png")), QSize(size, size))
    return icon


class _FillingLayout(QVBoxLayout):
    """The window's content fills the window (wrapped labels would otherwise have the
    scroll area around it grow the content to their preferred height, not the window's)."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt naming)
        return False


class MainWindow(QMainWindow):
    """Built in two steps so it paints quickly: the constructor makes the shell (customer
    field, tabs, menus) from settings alone; ``start_deferred()``, called once the first
    paint is on screen (``first_painted``), builds the clocks and the panels."""

    first_painted = Signal()

    def __init__(self, services: AppServices):
        super().__init__()
        self.services = services
        services.notify = self.notify
        self.setWindowTitle(APP_NAME)  # the icon comes with the tray (start_deferred)
        self.setObjectName("main-window")
        # Timers and notifications must never pull the window in front of the agent's tools.
        self.setAttribute(Qt.WA_ShowWithoutActivating, True)

        central = QWidget()
        outer = _FillingLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.top_row = top  # compact mode puts its one-line bar here
        self.compact_bar = None
        self._normal_size = None
        self.customer_bar = CustomerBar(services)
        top.addWidget(self.customer_bar, 1)
        self.menu_button = QToolButton()
        self.menu_button.setText("⋮")
        self.menu_button.setAccessibleName(_("Menu"))
        self.menu_button.setToolTip(_("Menu"))
        self.menu_button.setPopupMode(QToolButton.InstantPopup)
        top.addWidget(self.menu_button, 0, Qt.AlignTop)
        outer.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName(_("Panels"))
        # Panels are built on demand or by start_deferred(), after the first paint: the
        # visible one first, then the others (_build_next_panel).
        self._panels: list = [None] * len(PANELS)
        for cls in PANELS:
            page = QWidget()
            page.setLayout(QVBoxLayout())
            page.layout().setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, _(cls.title))
        outer.addWidget(self.tabs, 1)
        # The window never changes its own size as content changes (a clock card, a long
        # name, a note): what does not fit scrolls inside, and the window's minimum is the
        # scroll area's, not the content's.
        self.content = central
        scroller = QScrollArea()
        scroller.setObjectName("main-scroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.NoFrame)
        # see-through: the window paints its own background (and so sees its first paint).
        # The viewport is ours, not asked for: viewport() returns a QWidget* whose Python type
        # PySide6 finds by setting up every QWidget subclass (QWizard, QColorDialog...), 15-20 ms
        # before the first paint (issue 18). Set before the content: the old one is deleted.
        viewport = QWidget()
        scroller.setViewport(viewport)
        viewport.setAutoFillBackground(False)
        scroller.setWidget(central)
        central.setAutoFillBackground(False)
        scroller.setMinimumSize(1, 1)  # not the scroll area's own 68 px: compact mode is one line
        scroller.setFocusPolicy(Qt.NoFocus)  # not a stop of its own for Tab
        self.setCentralWidget(scroller)

        self._build_actions()
        self.tray = None  # built by start_deferred()
        self.global_keys = None  # ui.global_keys.GlobalKeys, set by the app after the first paint
        self.upkeep = None  # ui.upkeep.Upkeep, set by the app once the database is complete
        self.compact = False
        self._held_keys: list | None = None  # keys typed before the visible panel was built
        self.tabs.currentChanged.connect(self._panel_changed)
        self.restore_state()
        self._painted = False
        self._deferred_started = False
        self._preloaded: dict[int, bool] = {}  # panel index -> its module asked for on a thread
        self._text_warmed = False

        # (bound methods, not lambdas: the hall outlives the window and must not keep it)
        services.hall.settings_changed.connect(self._setting_changed)

    # -- actions -------------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence | None, slot, checkable=False) -> QAction:
        action = QAction(self)  # not QAction(text, self): that overload's check sets up QIcon (1.3 ms)
        action.setText(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ApplicationShortcut)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.panel_actions = []
        for index, panel in enumerate(PANELS):
            action = self._action(_(panel.title), f"Ctrl+{index + 1}",
                                  lambda _checked=False, i=index: self.show_panel(i))
            self.panel_actions.append(action)
        self.palette_action = self._action(_("Command palette…"), "Ctrl+K", self.open_palette)
        self.customer_action = self._action(_("Set customer…"), "Ctrl+L", self.focus_customer)
        self.on_top_action = self._action(_("Always on top"), "Ctrl+Shift+T", self.set_always_on_top, True)
        self.compact_action = self._action(_("Compact mode"), "Ctrl+Shift+M", self.set_compact, True)
        self.about_action = self._action(_("About…"), "F1", self.show_about)
        self.settings_action = self._action(_("Settings…"), "Ctrl+,", self.show_settings)
        self.new_task_action = self._action(_("New task…"), "Ctrl+N", lambda _checked=False: open_quick_add(self))
        self.quit_action = self._action(_("Quit"), QKeySequence.Quit, self.quit)

        menu = QMenu(self)
        for action in (*self.panel_actions, None, self.palette_action, self.customer_action, None,
                       self.on_top_action, self.compact_action, None, self.settings_action, self.about_action,
                       self.quit_action):
            menu.addSeparator() if action is None else menu.addAction(action)
        self.main_menu = menu
        self.menu_button.setMenu(menu)

    def _build_tray(self, icon: QIcon) -> QSystemTrayIcon | None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(icon, self)
        tray.setToolTip(APP_NAME)
        menu = QMenu(self)
        menu.addAction(_("Show / hide"), self.toggle_visible)
        menu.addAction(_("Translate clipboard"),
                       lambda: self.panel_by_id("translate").translate_clipboard())
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.tray_menu = menu
        tray.setContextMenu(menu)
        tray.activated.connect(
            lambda reason: self.toggle_visible() if reason == QSystemTrayIcon.Trigger else None)
        tray.show()
        return tray

    def commands(self) -> list[Command]:
        own = [Command(_(p.title), lambda i=i: self.show_panel(i), f"Ctrl+{i + 1}")
               for i, p in enumerate(PANELS)]
        own += [
            Command(_("Set customer…"), self.focus_customer, "Ctrl+L", "customer phone country"),
            Command(_("Always on top"), self.on_top_action.toggle, "Ctrl+Shift+T", "pin"),
            Command(_("Compact mode"), self.compact_action.toggle, "Ctrl+Shift+M", "small narrow"),
            Command(_("About…"), self.show_about, "F1", "version"),
            Command(_("Settings…"), self.show_settings, "Ctrl+,", "language name company policy preferences"),
            Command(_("New task…"), lambda: open_quick_add(self), "Ctrl+N", "task follow-up queue add"),
            Command(_("Import tasks…"), self.import_tasks, "", "tasks import csv json export queue"),
        ]
        own += pack_commands(self)
        own += self.customer_bar.commands()
        for panel in self.panels:
            own += panel.commands()
        return own

    def import_tasks(self, path=None):
        from ui.task_import import import_tasks_file  # lazy: loaded when asked for

        return import_tasks_file(self, path)

    # -- panels --------------------------------------------------------------------
    def panel(self, index: int):
        """The panel at ``index``, built the first time it is needed."""
        if self._panels[index] is None:
            panel = PANELS[index].load()(self.services)
            self._panels[index] = panel
            self.tabs.widget(index).layout().addWidget(panel)
            panel.badge_changed.connect(self.refresh_badges)  # each panel counts its own (the queue on its worker)
            if self.compact:
                panel.set_compact(True)
            if index == self.tabs.currentIndex() and self._held_keys is not None:
                QTimer.singleShot(0, self, self._release_held_keys)
        return self._panels[index]

    def panel_index(self, panel_id: str) -> int:
        return [spec.panel_id for spec in PANELS].index(panel_id)

    def panel_by_id(self, panel_id: str):
        return self.panel(self.panel_index(panel_id))

    @property
    def panels(self) -> list:
        return [self.panel(i) for i in range(len(PANELS))]

    def built_panels(self) -> list:
        return [p for p in self._panels if p is not None]

    def _build_next_panel(self) -> None:
        """After the first paint: the visible panel first, then the others, one at a time
        with a pause between them, so keys typed meanwhile wait for one panel at most."""
        current = self.tabs.currentIndex()
        missing = [i for i, p in enumerate(self._panels) if p is None]
        if not missing:
            self.refresh_badges()
            return
        if not self._text_warmed:
            # Qt sets up selectable text (a text document and its fonts) the first time a
            # label is made selectable: 15-25 ms, in a pass of its own, not in the first panel's
            self._text_warmed = True
            warm = plain_label("Ag")
            warm.sizeHint()
            warm.deleteLater()
            QTimer.singleShot(0, self, self._build_next_panel)
            return
        index = current if current in missing else missing[0]
        if not self._preloaded.get(index):  # its module and engines imported on a thread first
            self._preloaded[index] = True
            preload([PANELS[index].module, *PANELS[index].shown_modules], self._panel_preloaded)
            return
        if current in missing:
            self.panel(current).activated()
        else:
            self.panel(missing[0])
        QTimer.singleShot(PANEL_BUILD_PAUSE_MS, self, self._build_next_panel)

    def _panel_preloaded(self, _result=None) -> None:
        QTimer.singleShot(0, self, self._build_next_panel)

    # -- behaviour -----------------------------------------------------------------
    def show_panel(self, index: int) -> None:
        self._leave_compact()
        self.tabs.setCurrentIndex(index)
        self.focus_panel()

    def focus_customer(self) -> None:
        """Ctrl+L: the customer field (out of compact mode, where it is hidden)."""
        self._leave_compact()
        self.customer_bar.focus_input()

    def focus_panel(self) -> None:
        """The cursor where the agent types next in the visible panel: its focus proxy
        (Translate's customer-message box, Replies' and Culture's search, the Queue's list)."""
        self.panel(self.tabs.currentIndex()).setFocus(Qt.ShortcutFocusReason)

    def current_panel_id(self) -> str:
        return PANELS[self.tabs.currentIndex()].panel_id

    def _panel_changed(self, index: int) -> None:
        if 0 <= index < len(PANELS):
            self.panel(index).activated()

    def open_palette(self) -> None:
        from ui.palette import CommandPalette

        palette = CommandPalette(self.commands(), self)
        if palette.exec() and palette.chosen:
            palette.chosen.callback()

    def set_always_on_top(self, on: bool) -> None:
        visible, active, focus = self.isVisible(), self.isActiveWindow(), self.focusWidget()
        self.setWindowFlag(Qt.WindowStaysOnTopHint, on)
        if visible:
            self.show()  # changing flags hides the window; shown again without activation,
            if active:   # unless the agent was in it: then it stays where they type
                QTimer.singleShot(0, self, lambda: self._reactivate(focus))
        self._remember("ui.always_on_top", on)

    def _reactivate(self, focus) -> None:
        self.activateWindow()
        if focus is not None and focus.window() is self:
            focus.setFocus(Qt.ActiveWindowFocusReason)

    def set_compact(self, on: bool) -> None:
        """Compact mode is one line: the customer's clock and status and the four panel
        chords (and the menu). A chord, Ctrl+L or a chord button leaves it, back to the
        size the window had."""
        if on == self.compact:
            return
        if on:
            self._normal_size = self.size()
            if self.compact_bar is None:
                from ui.compact_bar import CompactBar

                self.compact_bar = CompactBar(self.services, [_(p.title) for p in PANELS], self.customer_bar)
                self.compact_bar.panel_requested.connect(self.show_panel)
                self.top_row.insertWidget(0, self.compact_bar, 1)
        self.compact = on
        self.customer_bar.setVisible(not on)
        self.tabs.setVisible(not on)
        if self.compact_bar is not None:
            self.compact_bar.setVisible(on)
        self.content.layout().setContentsMargins(*(2,) * 4 if on else (6,) * 4)
        for panel in self.built_panels():
            panel.set_compact(on)
        if on:
            self.resize(COMPACT_WIDTH, self.content.minimumSizeHint().height() + 4)
        else:
            size = self._normal_size
            self.resize(size if size is not None and size.height() >= COMPACT_MIN_NORMAL_HEIGHT
                        else QSize(NARROW_WIDTH, 720))  # started compact: the default size
        self._remember("ui.compact", on)

    def _leave_compact(self) -> None:
        if self.compact:
            self.compact_action.setChecked(False)

    def refresh_badges(self) -> None:
        for index, panel in enumerate(self._panels):
            if panel is None:
                continue
            count = panel.badge()
            self.tabs.setTabText(index, f"{_(panel.title)} ({count})" if count else _(panel.title))

    def notify(self, title: str, message: str) -> None:
        """Tell the agent something without taking focus: a tray balloon, else the status bar."""
        if self.tray is not None and self.tray.supportsMessages():
            from PySide6.QtWidgets import QSystemTrayIcon

            self.tray.showMessage(title, plain_notification(message), QSystemTrayIcon.Information, 5000)
        else:
            self.statusBar().showMessage(f"{title}: {message}", 5000)

    def toggle_visible(self) -> None:
        if self.isVisible() and not self.isMinimized():
            self.hide()
        else:
            self.bring_forward()

    def bring_forward(self) -> None:
        """Explicit user request (launch, tray click, second launch): the one time we may
        activate. The visible panel's input takes the keys typed next; if that panel is not
        built yet, keys typed meanwhile are held and replayed into it once it is."""
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()
        if self._panels[self.tabs.currentIndex()] is not None:
            self.focus_panel()
        else:
            self._held_keys = []
            self.setFocus(Qt.ActiveWindowFocusReason)  # keys come here until the panel exists

    def keyPressEvent(self, event) -> None:
        if self._held_keys is not None and event.text() and self.focusWidget() in (None, self):
            self._held_keys.append(QKeyEvent(event.type(), event.key(), event.modifiers(), event.text()))
            return
        super().keyPressEvent(event)

    def _release_held_keys(self) -> None:
        """The visible panel exists now: it takes focus (unless the agent went elsewhere
        meanwhile) and the keys typed before it existed."""
        held, self._held_keys = self._held_keys, None
        if held is None or self.focusWidget() not in (None, self):
            return
        self.focus_panel()
        target = QApplication.focusWidget()
        for event in held if target is not None else ():
            QApplication.sendEvent(target, event)

    def show_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        SettingsDialog(self.services, self).exec()

    def show_about(self) -> None:
        from ui.about import AboutDialog

        AboutDialog(self).exec()

    # -- persistence ---------------------------------------------------------------
    def restore_state(self) -> None:
        db = self.services.runtime.conn  # read before the database's schema check completes
        geometry = settings.get(db, "ui.geometry")
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(NARROW_WIDTH, 720)
        ids = [cls.panel_id for cls in PANELS]
        last = settings.get(db, "ui.last_panel")
        if last in ids:
            self.tabs.setCurrentIndex(ids.index(last))
        if settings.get(db, "ui.always_on_top", False):
            self.on_top_action.setChecked(True)
        if settings.get(db, "ui.compact", False):
            self.compact_action.setChecked(True)

    def _remember(self, key: str, value) -> None:
        """Store a setting that changed (restoring one at start writes nothing)."""
        if settings.get(self.services.runtime.conn, key) != value:
            self.services.put_setting(key, value)

    def _setting_changed(self, key: str) -> None:
        """Window settings changed elsewhere (``assistant settings set ui.compact true``)."""
        action = {"ui.compact": self.compact_action, "ui.always_on_top": self.on_top_action}.get(key)
        if action is not None:
            action.setChecked(bool(settings.get(self.services.db, key)))

    def save_state(self) -> None:
        if not self.services.runtime.completed:  # closed before the database was checked, or refused
            return
        self.services.put_settings({
            "ui.geometry": bytes(self.saveGeometry().toBase64()).decode("ascii"),
            "ui.last_panel": self.current_panel_id()})

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:  # announced once the paint is done and the loop is free
            self._painted = True
            QTimer.singleShot(0, self, self.first_painted.emit)

    def start_deferred(self) -> None:
        """After the first paint (the database complete): the tray, the clocks, the panels,
        and the hall's watch for writes made by other programs."""
        if self._deferred_started:
            return
        self._deferred_started = True
        icon = app_icon()
        self.setWindowIcon(icon)
        self.tray = self._build_tray(icon)
        self.customer_bar.start()
        self.services.hall.watch(self.services.runtime.conn)
        self._update_watching()
        QTimer.singleShot(0, self, self._build_next_panel)

    # -- the hall's watch: about once a second while shown, and on activation -------
    def _update_watching(self) -> None:
        self.services.hall.set_active(self.isVisible() and not self.isMinimized())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._update_watching()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._update_watching()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.WindowStateChange:
            self._update_watching()
        elif event.type() == QEvent.ActivationChange and self.isActiveWindow():
            self.services.hall.check()  # the agent is back: show what changed meanwhile
            if QApplication.focusWidget() is None and self._panels[self.tabs.currentIndex()] is not None:
                self.focus_panel()  # activated with nowhere to type: the panel's input

    def closeEvent(self, event) -> None:
        self.save_state()
        if self.tray is not None and self.tray.isVisible() and not getattr(self, "_quitting", False):
            self.hide()  # closing keeps the companion in the tray; Quit ends it
            event.ignore()
            return
        super().closeEvent(event)

    def quit(self) -> None:
        self._quitting = True
        self.save_state()
        self.close()
        QApplication.instance().quit()
