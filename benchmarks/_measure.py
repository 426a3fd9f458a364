"""Shared by the benchmark scripts (run as scripts: this folder is on their import path)."""

from __future__ import annotations


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values``: the nearest rank, no interpolation."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_mb() -> float:
    """This process's resident memory, MB (Linux; NaN elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def turn_until(done, seconds: float, pause: float = 0.0005) -> bool:
    """Turn Qt's event loop until ``done()`` or ``seconds`` have passed; whether it is done."""
    import time

    from PySide6.QtCore import QCoreApplication

    deadline = time.perf_counter() + seconds
    while not done():
        if time.perf_counter() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(pause)
    return True


def loop_gaps(action, done, seconds: float) -> tuple[list[float], float]:
    """``action()`` with a 5 ms timer running, the event loop turned until ``done()`` (at
    most ``seconds``): the timer's gaps (ms), the last stretch included, and the seconds
    it all took. The longest gap is the longest the GUI thread could not answer."""
    import time

    from PySide6.QtCore import QTimer

    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    started = last[0] = time.perf_counter()
    try:
        action()
        turn_until(done, seconds)
    finally:
        timer.stop()
    ended = time.perf_counter()
    gaps.append((ended - last[0]) * 1000)
    return gaps, ended - started
