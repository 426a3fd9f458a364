"""Child process for benchmarks/startup.py: starts either a bare QMainWindow or the app,
prints the wall-clock time at the first painted window once the event loop is running,
then (optionally) stays idle and prints RSS and CPU used while idle."""

from __future__ import annotations

import json
import resource
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    kind, idle_s = sys.argv[1], float(sys.argv[2])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    result: dict = {}

    def idle_done(cpu_start: float) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["idle_cpu_s"] = usage.ru_utime + usage.ru_stime - cpu_start
        result["rss_after_idle_mb"] = rss_mb()
        print(json.dumps(result), flush=True)
        app.exit(0)

    def interactive() -> None:
        result["painted_at"] = time.time()
        result["rss_mb"] = rss_mb()
        if idle_s <= 0:
            idle_done(0.0)
            return
        # let deferred start-up work (engines, first backups) finish before measuring idle
        QTimer.singleShot(5000, lambda: start_idle())

    def start_idle() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime
        QTimer.singleShot(int(idle_s * 1000), lambda: idle_done(cpu))

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if not self.seen and event.type() == QEvent.Paint and obj.isWidgetType() and obj.isWindow():
                self.seen = True
                QTimer.singleShot(0, interactive)  # runs once the loop is idle: the window responds
            return False

    probe = FirstPaint()
    app.installEventFilter(probe)
    if kind == "bare":
        from PySide6.QtWidgets import QLabel, QMainWindow

        window = QMainWindow()
        window.setCentralWidget(QLabel("bare"))
        window.resize(420, 720)
        window.show()
        sys.exit(app.exec())
    from ui.app import parse_args, run

    sys.exit(run(app, parse_args([])))


if __name__ == "__main__":
    main()
