"""Child process for benchmarks/startup.py: starts either a bare QMainWindow or the app,
prints the wall-clock time at the first painted window once the event loop is running,
then (optionally) stays idle until a given time and prints RSS and CPU used while idle.

    _probe.py bare|app IDLE_UNTIL   (seconds since the epoch; 0: no idle)"""

from __future__ import annotations

import json
import resource
import sys
import time

from _measure import rss_mb  # this folder is on a script's import path


def main() -> None:
    kind, idle_until = sys.argv[1], float(sys.argv[2])
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    result: dict = {}

    def idle_done(cpu_start: float, since: float) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["idle_cpu_s"] = usage.ru_utime + usage.ru_stime - cpu_start
        result["ended_at"] = time.time()
        result["idle_measured_s"] = result["ended_at"] - since
        result["rss_after_idle_mb"] = rss_mb()
        print(json.dumps(result), flush=True)
        app.exit(0)

    def interactive() -> None:
        result["painted_at"] = time.time()
        result["rss_mb"] = rss_mb()
        watch_after_paint()

    def watch_after_paint() -> None:
        """For 3 s after the first paint (longer if the app is not complete by then): the
        longest the event loop was busy (how long a key press could wait while the rest of
        the app loads) and when the app was complete (every panel built, the clocks ready)."""
        ticker = QTimer()
        ticker.setInterval(5)
        last = [time.perf_counter()]
        result["longest_stall_ms"] = 0.0

        def tick() -> None:
            now = time.perf_counter()
            result["longest_stall_ms"] = max(result["longest_stall_ms"], (now - last[0]) * 1000)
            last[0] = now
            if "complete_at" not in result and complete():
                result["complete_at"] = time.time()
                result["rss_ready_mb"] = rss_mb()

        def stop() -> None:
            ticker.stop()
            if idle_until <= 0:
                idle_done(0.0, time.time())
            else:  # deferred start-up work (engines, first backups) is done before measuring idle
                QTimer.singleShot(2000, lambda: start_idle())

        watched_from = time.perf_counter()

        def tick_and_stop() -> None:
            tick()
            waited = time.perf_counter() - watched_from
            # at least 3 s, and on a loaded machine until the app is complete (at most 30 s)
            if (waited >= 3 and (kind == "bare" or "complete_at" in result)) or waited >= 30:
                ticker.timeout.disconnect(tick_and_stop)
                stop()

        ticker.timeout.connect(tick_and_stop)
        ticker.start()
        watch_after_paint.ticker = ticker

    def complete() -> bool:
        windows = [w for w in app.topLevelWidgets() if w.objectName() == "main-window"]
        if kind == "bare":
            return True
        return bool(windows) and windows[0].customer_bar.ready and None not in windows[0]._panels

    def start_idle() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu, since = usage.ru_utime + usage.ru_stime, time.time()
        timer = start_idle.timer = QTimer()
        timer.setSingleShot(True)
        timer.setTimerType(Qt.PreciseTimer)  # a coarse one (Qt's default) may fire 5 % early: 30 s of 10 min
        timer.timeout.connect(lambda: idle_done(cpu, since))
        timer.start(max(0, int((idle_until - since) * 1000)))

    class FirstPaint(QObject):
        """Watches the main window only. An application-wide filter in Python sees every
        event of every object, and PySide6 gives each object its Python type to call it:
        the app's window (a scroll area's bars, a tab bar...) made 160 enum types more
        before its paint, 20-70 ms the bare window never paid; after the paint, with the
        app's workers running, each event also waited for the interpreter lock. So the
        probe charged the app for its own instrument."""

        seen = False

        def eventFilter(self, obj, event):
            if not self.seen and event.type() == QEvent.Paint:
                self.seen = True
                obj.removeEventFilter(self)
                QTimer.singleShot(0, interactive)  # runs once the loop is idle: the window responds
            return False

    probe = FirstPaint()
    if kind == "bare":
        from PySide6.QtWidgets import QLabel, QMainWindow

        window = QMainWindow()
        window.setCentralWidget(QLabel("bare"))
        window.resize(420, 720)
        window.installEventFilter(probe)
        window.show()
        sys.exit(app.exec())
    from ui.app import parse_args, run  # first: it sets up how the app's modules are checked
    from ui import main_window

    build = main_window.MainWindow.__init__

    def watched(window, *args, **kwargs) -> None:  # the app's window, watched from its making
        build(window, *args, **kwargs)
        window.installEventFilter(probe)

    main_window.MainWindow.__init__ = watched

    sys.exit(run(app, parse_args([])))


if __name__ == "__main__":
    main()
