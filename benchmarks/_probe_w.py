"""Child process for benchmarks/startup.py: starts either a bare QMainWindow or the app,
prints the wall-clock time at the first painted window once the event loop is running,
then (optionally) stays idle and prints RSS and CPU used while idle."""

from __future__ import annotations

import json
import resource
import sys
import time

from _measure import rss_mb  # this folder is on a script's import path


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
        watch_after_paint(idle_s)

    def watch_after_paint(idle_s: float) -> None:
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
            if idle_s <= 0:
                idle_done(0.0)
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
        import threading, traceback
        main_id = threading.main_thread().ident
        def watchdog():
            while time.perf_counter() - watched_from < 4:
                time.sleep(0.002)
                gap = time.perf_counter() - last[0]
                if gap > 0.03:
                    frames = sys._current_frames()
                    out = []
                    for tid, f in frames.items():
                        if tid == threading.get_ident(): continue
                        st = traceback.extract_stack(f)
                        name = "MAIN" if tid == main_id else next((t.name for t in threading.enumerate() if t.ident == tid), "?")
                        ours = [fr for fr in st if "/work/main/" in fr.filename and "_probe" not in fr.filename][-2:]
                        out.append(f"{name}: {st[-1].filename.split('/')[-1]}:{st[-1].lineno}:{st[-1].name} <- " + " < ".join(f"{fr.filename.split('/work/main/')[-1]}:{fr.lineno}:{fr.name}" for fr in reversed(ours)))
                    with open("/tmp/stalls.txt", "a") as o: o.write(f"{time.perf_counter()-watched_from:6.3f} gap {gap*1000:4.0f}\n   " + "\n   ".join(out) + "\n")
        threading.Thread(target=watchdog, daemon=True, name="watchdog").start()
        watch_after_paint.ticker = ticker

    def complete() -> bool:
        windows = [w for w in app.topLevelWidgets() if w.objectName() == "main-window"]
        if kind == "bare":
            return True
        return bool(windows) and windows[0].customer_bar.ready and None not in windows[0]._panels

    def start_idle() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime
        QTimer.singleShot(int(idle_s * 1000), lambda: idle_done(cpu))

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if not self.seen and event.type() == QEvent.Paint and obj.isWidgetType() and obj.isWindow():
                self.seen = True
                # an application-wide filter in Python takes the interpreter lock for every
                # event of every widget: with the app's workers running, each event waited for
                # it, so the probe charged the app for its own instrument (bare: no workers)
                app.removeEventFilter(self)
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
