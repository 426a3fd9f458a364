import gc

from ui.workers import run_in_pool


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
