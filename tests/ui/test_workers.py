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
