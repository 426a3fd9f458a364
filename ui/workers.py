"""Slow work off the GUI thread: a callable runs on a QThreadPool and its result (or
error) comes back by signal, so widgets are only touched on the GUI thread."""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the caller on the GUI thread
            log.debug("worker failed: %s", traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


# Tasks in flight: a task dropped by its caller must live until its signal is delivered,
# or Qt deletes the signal source under the worker thread.
_running: set["Task"] = set()


def run_in_pool(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[Exception], None] | None = None,
                pool: QThreadPool | None = None) -> Task:
    task = Task(fn)
    task.setAutoDelete(False)  # the signals object must outlive run()
    # Callers may drop the returned task: keep it alive until it has reported back, or its
    # signals object is collected mid-run ("Signal source has been deleted") and the result lost.
    _running.add(task)
    task.signals.done.connect(lambda _result, t=task: _running.discard(t))
    task.signals.failed.connect(lambda _exc, t=task: _running.discard(t))
    if on_done:
        task.signals.done.connect(on_done)
    if on_error:
        task.signals.failed.connect(on_error)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
