"""What every panel is given: the runtime (data, policy, database), the current customer (the
core's customer session and the holder that announces it), the hall (app-level signals for
the template library, tasks, packs, settings and recents), the worker pool and a way to tell
the user something without stealing focus.

Whoever writes announces it in the hall (``services.hall``) and every view that shows the data
listens there; see ``ui/hall.py`` and docs/development.md."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from PySide6.QtCore import QThreadPool

from assistant.customer.session import CustomerSession
from assistant.runtime import Runtime
from ui.context import CustomerContextHolder
from ui.hall import Hall


class Command(NamedTuple):
    """An entry of the command palette (Ctrl+K)."""
    title: str
    callback: Callable[[], None]
    shortcut: str = ""
    keywords: str = ""


def _hour_cycle_follower(runtime: Runtime) -> Callable[[str], None]:
    def follow(key: str) -> None:
        from assistant.clock import hours

        if key == hours.SETTING:
            hours.load(runtime.db)
    return follow


class AppServices:
    """What every panel shares: the runtime, the customer, the worker pool, the hall. A plain
    class, not a dataclass: made before the first paint (see assistant.policy.Policy)."""

    def __init__(self, runtime: Runtime, customer: CustomerContextHolder):
        self.runtime = runtime
        self.customer = customer
        self.pool = QThreadPool()
        self.notify: Callable[[str, str], None] = lambda title, message: None  # set by the main window
        self.hall = Hall()
        self._translation = None
        # one worker thread: the translation engine and the database are not shared across threads
        self.pool.setMaxThreadCount(1)
        # the one customer session; the holder follows it, the hall hears its recents and pins
        self.session = CustomerSession(lambda: self.runtime.db)
        self.customer.bind(self.session)
        self.session.subscribe(memory=self.hall.customers_changed.emit)
        # first listener: the 12/24-hour choice is in force before any view redraws a time
        # (it holds the runtime, not these services: a connection back to them would keep
        # them, and every view, alive out of the garbage collector's sight)
        self.hall.settings_changed.connect(_hour_cycle_follower(self.runtime))

    @property
    def db(self):
        return self.runtime.db

    def put_setting(self, key: str, value: Any) -> bool:
        """Store a setting (checked by the settings registry; SettingError if refused) and
        announce it when its value changed. Returns whether it changed."""
        from assistant import settings

        changed = settings.put(self.db, key, value)
        if changed:
            self.hall.settings_changed.emit(key)
        return changed

    def put_settings(self, values: dict[str, Any]) -> list[str]:
        """Several settings, all checked first and stored together (or none); announced."""
        from assistant import settings

        changed = settings.put_many(self.db, values)
        for key in changed:
            self.hall.settings_changed.emit(key)
        return changed

    @property
    def translation(self):
        """The app's one translation service (its engine is large and lives on ``pool``'s
        thread): created on first use; the Translate panel loads its engine after start."""
        if self._translation is None:
            from assistant.translation.service import TranslationService

            self._translation = TranslationService.for_data_dir(self.runtime.data_dir)
        return self._translation
