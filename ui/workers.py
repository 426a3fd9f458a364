"""Slow work off the GUI thread: a callable runs on a QThreadPool (or a thread of its own)
and its result (or error) comes back by signal, so widgets are only touched on the GUI thread."""

from __future__ import annotations

import _thread
import logging
import sys
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)


class Task(QObject):
    """One background job as the GUI thread sees it: its result or its error arrives by
    signal. Created on the GUI thread, so the signals are delivered there."""

    done = Signal(object)
    failed = Signal(object)


class Progress(QObject):
    """A worker's progress, delivered on the GUI thread: create it there (with a parent, so it
    lives as long as what shows it), connect ``moved``, and pass ``report`` to the work."""

    moved = Signal(str, int, int)  # phase, done, total (-1: not known yet)

    def report(self, phase: str, done: int, total: int | None) -> None:
        self.moved.emit(phase, done, -1 if total is None else total)


# Jobs in flight: a task dropped by its caller must live until its signal is delivered,
# or Qt deletes the signal source under the worker thread.
_running: set[Task] = set()


def run_in_pool(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[Exception], None] | None = None,
                pool: QThreadPool | None = None) -> Task:
    task, job = _task(fn, on_done, on_error)
    (pool or QThreadPool.globalInstance()).start(job)
    return task


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[Exception], None] | None = None, name: str = "worker") -> Task:
    """Like :func:`run_in_pool`, on a daemon thread of its own: for work that may block for
    as long as the outside world decides (a share that stopped answering), so it never holds
    the app's worker thread nor keeps the app from quitting.

    Started without waiting for it to run: ``threading.Thread.start`` waits until the new
    thread has run its first Python code, which is for the GIL and the scheduler to decide
    (beside a busy worker, 2.3 ms on a quiet machine and up to 23 ms on a busy one, each on
    the GUI thread; here 0.05-0.1 ms)."""
    task, job = _task(fn, on_done, on_error)
    _thread.start_new_thread(_named, (name, job))
    return task


def upkeep_in_thread(path, on_done: Callable[[Any], None] | None = None) -> Task:
    """The database's upkeep (:func:`assistant.storage.database.upkeep`: the full-text
    indexes' merge, then SQLite's checkpoint) on a thread of its own: after a big write made
    under :func:`assistant.storage.database.checkpoint_later` once its result is shown, and
    while the app is quiet after the agent's writes (``ui.upkeep``). A failure is logged: the
    next commit past 1,000 pages on a connection that checkpoints does it, and searches read
    more segments meanwhile; it costs time, never data. Then the memory the write freed goes
    back to the system (:mod:`assistant.memory`: 11 MB after an import of 100,000 tasks).
    ``on_done`` is called with None either way."""
    from assistant.memory import release_free_memory
    from assistant.storage.database import upkeep

    def after_write() -> None:
        try:
            upkeep(path)
        finally:
            release_free_memory()

    def failed(exc) -> None:
        log.warning("Upkeep of %s failed: %s", path, exc)
        if on_done is not None:
            on_done(None)

    return run_in_thread(after_write, on_done, failed, name="upkeep")


def _named(name: str, job: Callable[[], None]) -> None:
    threading.current_thread().name = name  # in the log's records and a thread dump
    job()


def _unhandled(exc: Exception) -> None:
    sys.excepthook(type(exc), exc, exc.__traceback__)


def _task(fn, on_done, on_error) -> tuple[Task, Callable[[], None]]:
    task = Task()
    _running.add(task)
    # Callbacks connected as given: a bound method of a widget is not called once the
    # widget is deleted (Qt drops the connection with its receiver).
    if on_done:
        task.done.connect(on_done)
    # A job nobody listens to for failures still reports them: as an exception no slot
    # caught (the window's error report logs it and tells the agent), never dropped.
    task.failed.connect(on_error or _unhandled)

    def forget(_value) -> None:
        # Connected last, so it runs after the callback. Qt holds the connections out of
        # the garbage collector's sight: one still referring to the task would keep it,
        # and all its job captured, for the whole shift.
        _running.discard(task)
        task.done.disconnect()
        task.failed.disconnect()

    task.done.connect(forget)
    task.failed.connect(forget)

    def job() -> None:
        # A plain callable, not a QRunnable subclass: the pool keeps a Python runnable it
        # does not delete (one per job, never freed) and releases a callable once it ran.
        try:
            result = fn()
        except Exception as exc:  # reported to the caller on the GUI thread
            log.debug("worker failed: %s", traceback.format_exc())
            outcome, value = task.failed, exc
        else:
            outcome, value = task.done, result
        try:
            outcome.emit(value)
        except RuntimeError:  # the app quit while this ran (a thread of its own is not waited for)
            log.debug("a worker finished after the app quit: its result is dropped")

    return task, job


class NewestRead(QObject):
    """A view's read on a thread of its own, one at a time, the newest asked for winning: asked
    again while a read is on its way (or told by :meth:`outdated` that a change was made since
    it began), what lands is not shown and the newest asked for is read once it lands. A read
    that fails (a locked or busy database) is logged; the view stays as it was until the next
    read. A child of the view: deleted with it, it never calls into a deleted view."""

    def __init__(self, parent: QObject, show: Callable[[Any], None], what: str):
        super().__init__(parent)
        self._show, self._what = show, what
        self._newest: Callable[[], Any] | None = None
        self._reading = self._again = False

    @property
    def pending(self) -> bool:
        """A read is on its way: what the view shows may be older."""
        return self._reading

    def read(self, fn: Callable[[], Any]) -> None:
        self._newest = fn
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        run_in_thread(fn, self._landed, self._failed, name=self._what)

    def outdated(self) -> None:
        """A change was made that the read on its way may have missed: read again after it."""
        if self._reading:
            self._again = True

    def _landed(self, result: Any) -> None:
        self._reading = False
        if self._again:
            self.read(self._newest)
        else:
            self._show(result)

    def _failed(self, exc: Exception) -> None:
        self._reading = False
        log.warning("Reading %s failed: %s", self._what, exc)
        if self._again:
            self.read(self._newest)
