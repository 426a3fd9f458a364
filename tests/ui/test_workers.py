import gc
import sys
import threading

from ui.workers import NewestRead, run_in_pool


def test_result_arrives_even_when_the_caller_drops_the_task(qtbot, services):
    results = []
    run_in_pool(lambda: sum(range(1000)), results.append, pool=services.pool)
    gc.collect()
    qtbot.waitUntil(lambda: results == [499500], timeout=5000)


def test_errors_come_back_as_exceptions(qtbot, services):
    errors = []

    def fail():
        raise ValueError("model file damaged")

    run_in_pool(fail, on_error=errors.append, pool=services.pool)
    gc.collect()
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert str(errors[0]) == "model file damaged"


def test_a_failure_nobody_handles_reaches_the_error_report(qtbot, services, monkeypatch):
    """A job started without on_error does not drop its failure: it goes where every
    uncaught exception goes (the window's error report), with its traceback."""
    import sys

    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: seen.append((kind, str(exc), tb is not None)))

    def fail():
        raise OSError("share stopped answering")

    run_in_pool(fail, lambda _result: None, pool=services.pool)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen == [(OSError, "share stopped answering", True)]


def test_none_and_booleans_survive_crossing_threads(qtbot, services):
    """PySide6 6.12.0 dropped a reference to None (and True) for each task run on a pool
    thread: a shift's worth of background tasks ends in "deallocating None" (pinned below
    6.12 in pyproject.toml; this catches the bug in whatever version is installed)."""
    import sys

    received = []
    before = {name: sys.getrefcount(value) for name, value in (("None", None), ("True", True), ("False", False))}
    for value in (None, True, False) * 40:
        run_in_pool(lambda v=value: v, received.append, pool=services.pool)
    qtbot.waitUntil(lambda: len(received) == 120, timeout=10000)
    assert received == [None, True, False] * 40
    received.clear()
    gc.collect()
    after = {name: sys.getrefcount(value) for name, value in (("None", None), ("True", True), ("False", False))}
    for name in before:  # other code may hold a few more or fewer meanwhile, never 40 fewer
        assert after[name] > before[name] - 20, (name, before[name], after[name])


def test_finished_jobs_and_what_they_captured_are_freed(qtbot, services):
    """All shift long, every background job must be released once it has reported."""
    import weakref

    from ui.workers import Task

    class Payload:
        pass

    payloads, results = [], []
    for index in range(30):
        payload = Payload()
        payloads.append(weakref.ref(payload))
        run_in_pool(lambda p=payload, i=index: (p, i)[1], results.append, pool=services.pool)
    del payload
    qtbot.waitUntil(lambda: len(results) == 30, timeout=10000)
    services.pool.waitForDone(5000)
    qtbot.wait(10)
    gc.collect()
    assert sorted(results) == list(range(30))
    assert not any(ref() for ref in payloads)
    assert not [obj for obj in gc.get_objects() if isinstance(obj, Task)]


class _Held:
    """Reads that wait on their thread until ``go`` is set: ``read(value)`` is one that
    returns ``value`` (raises it, if it is an exception)."""

    def __init__(self):
        self.started, self.go, self.finished = threading.Event(), threading.Event(), threading.Event()

    def read(self, value):
        def run():
            self.started.set()
            try:
                self.go.wait(10)
                if isinstance(value, Exception):
                    raise value
                return value
            finally:
                self.finished.set()
        return run


def test_a_newest_read_shows_only_what_was_asked_for_last(qtbot):
    from PySide6.QtWidgets import QWidget

    view, shown = QWidget(), []
    reads = NewestRead(view, shown.append, "the test's rows")
    held = _Held()
    reads.read(held.read("first"))
    qtbot.waitUntil(held.started.is_set)
    reads.read(held.read("second"))  # asked while the first is on its way
    reads.read(held.read("third"))
    assert reads.pending
    held.go.set()
    qtbot.waitUntil(lambda: not reads.pending)
    assert shown == ["third"]  # neither what was on its way nor what was overtaken


def test_a_newest_read_outdated_meanwhile_is_read_again(qtbot):
    from PySide6.QtWidgets import QWidget

    view, shown, count = QWidget(), [], []
    reads = NewestRead(view, shown.append, "the test's rows")
    held = _Held()
    inner = held.read("rows")
    reads.read(lambda: count.append(1) or inner())
    qtbot.waitUntil(held.started.is_set)
    reads.outdated()  # a change made here while the read was on its way
    held.go.set()
    qtbot.waitUntil(lambda: not reads.pending)
    assert shown == ["rows"] and len(count) == 2
    reads.outdated()  # nothing on its way: nothing to read again
    assert not reads.pending and len(count) == 2


def test_a_newest_read_that_fails_leaves_the_view_and_is_logged(qtbot, caplog):
    from PySide6.QtWidgets import QWidget

    view, shown = QWidget(), []
    reads = NewestRead(view, shown.append, "the test's rows")
    held = _Held()
    held.go.set()
    reads.read(held.read(OSError("database is locked")))
    qtbot.waitUntil(lambda: not reads.pending)
    assert shown == [] and "Reading the test's rows failed: database is locked" in caplog.text
    held.go.clear()
    held.started.clear()
    reads.read(held.read(OSError("database is locked")))
    qtbot.waitUntil(held.started.is_set)
    reads.read(held.read("rows"))  # a failure overtaken by a newer read: the newer one is read
    held.go.set()
    qtbot.waitUntil(lambda: shown == ["rows"])


def test_a_newest_read_landing_after_its_view_is_gone_is_dropped(qtbot):
    from PySide6.QtWidgets import QWidget

    shown = []

    class View(QWidget):
        def __init__(self):
            super().__init__()
            self.reads = NewestRead(self, self.show_rows, "the test's rows")

        def show_rows(self, rows):
            shown.append(rows)

    view = View()
    held = _Held()
    view.reads.read(held.read("rows"))
    qtbot.waitUntil(held.started.is_set)
    gone = []
    view.reads.destroyed.connect(lambda: gone.append(True))
    view.deleteLater()
    qtbot.waitUntil(lambda: gone == [True])
    held.go.set()
    qtbot.waitUntil(held.finished.is_set)
    qtbot.wait(50)  # the result's signal delivered, to nobody
    assert shown == []


def test_a_thread_finishing_after_the_app_let_its_task_go_ends_quietly(qtbot, monkeypatch):
    """A thread of its own is not waited for when the app quits: what it finishes afterwards
    has no one to go to, and no traceback reaches the terminal."""
    import shiboken6

    from ui.workers import run_in_thread

    import ui.workers as workers

    escaped, dropped = [], []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    monkeypatch.setattr(sys, "unraisablehook", lambda args: escaped.append(args.exc_value))
    monkeypatch.setattr(workers.log, "debug", lambda message, *args: dropped.append(message % args))
    held = _Held()
    task = run_in_thread(held.read("rows"), lambda _rows: None)
    qtbot.waitUntil(held.started.is_set)
    shiboken6.delete(task)  # what the app's teardown does to it
    held.go.set()
    qtbot.waitUntil(lambda: len(dropped) == 1)
    assert dropped == ["a worker finished after the app quit: its result is dropped"]
    assert escaped == []
