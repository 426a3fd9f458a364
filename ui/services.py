"""What every panel is given: the runtime (data, policy, database), the current customer,
the worker pool and a way to tell the user something without stealing focus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QThreadPool

from assistant.runtime import Runtime
from ui.context import CustomerContextHolder


@dataclass
class Command:
    """An entry of the command palette (Ctrl+K)."""
    title: str
    callback: Callable[[], None]
    shortcut: str = ""
    keywords: str = ""


@dataclass
class AppServices:
    runtime: Runtime
    customer: CustomerContextHolder
    pool: QThreadPool = field(default_factory=QThreadPool)
    notify: Callable[[str, str], None] = lambda title, message: None  # set by the main window
    _translation: object = field(default=None, repr=False)

    def __post_init__(self):
        # one worker thread: the translation engine and the database are not shared across threads
        self.pool.setMaxThreadCount(1)

    @property
    def db(self):
        return self.runtime.db

    @property
    def translation(self):
        """The app's one translation service (its engine is large and lives on ``pool``'s
        thread): created on first use; the Translate panel loads its engine after start."""
        if self._translation is None:
            from assistant.translation.service import TranslationService

            self._translation = TranslationService.for_data_dir(self.runtime.data_dir)
        return self._translation
