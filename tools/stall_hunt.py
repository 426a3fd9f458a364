"""Drive the real app and report, for each action, the longest the event loop did not turn:
a hunt for GUI-thread work that grows with the data, outside the paths `benchmarks/` covers.

    AGENT_ASSISTANT_HOME=/tmp/big QT_QPA_PLATFORM=offscreen .venv/bin/python tools/stall_hunt.py
    ... tools/stall_hunt.py --actions tabs --start-wait 0   # tab switches from the first second
    ... tools/stall_hunt.py --profile "tab queue"           # cProfile of one action
    ... tools/stall_hunt.py --dump-after 60                 # every thread's stack in a stall

A large folder (50,000 templates x 3 languages, 100,000 tasks):
``AGENT_ASSISTANT_HOME=/tmp/big PYTHONPATH=.:benchmarks .venv/bin/python benchmarks/_large_data.py
50000 100000``. The actions write to the folder (a pinned clock, window settings): use a copy
of real data. Each action runs from a settled app (no task on Qt's global pool for 0.3 s),
dialogs are closed after 1.5 s; a 5 ms timer measures the gaps. ``--dump-after MS`` arms
``faulthandler`` at every turn of the loop, so the stacks come even while a thread keeps the
interpreter lock (a watchdog in Python could not run then); the dumps go to stderr. Reading
other threads' frames while they run is not safe: one run in three crashed the app (SIGSEGV)
at ``--dump-after 30``; use it to find a stall, not while measuring.
The figures are for finding stalls, not bars: those live in ``benchmarks/``."""

from __future__ import annotations

import argparse
import faulthandler
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

DIALOG_OPEN_MS = 1500
CUSTOMERS = ["Yuki, +81 3-1234-5678", "Berlin", "Ana, +34 612 345 678", "+1 212 555 0100", "Cairo", "Brazil",
             "+91 22 1234 5678", "Lagos", "Mexico City", "+61 2 9876 5432"]
SKIPPED = ("quit", "download", "install", "import", "export", "clear", "remove", "delete")  # no lasting harm


def settle(app, quiet: float, cap: float = 30.0) -> None:
    """Turn the loop until no task has run on Qt's global pool for ``quiet`` seconds."""
    end = idle_since = time.perf_counter()
    end += cap
    while time.perf_counter() < end:
        app.processEvents()
        if QThreadPool.globalInstance().activeThreadCount():
            idle_since = time.perf_counter()
        elif time.perf_counter() - idle_since > quiet:
            return
        time.sleep(0.003)


def close_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()


def modal(open_dialog):
    """An action that opens a modal dialog: closed after DIALOG_OPEN_MS."""
    def run():
        QTimer.singleShot(DIALOG_OPEN_MS, close_dialogs)
        open_dialog()
    return run


def actions(window, kind: str) -> list[tuple[str, object]]:
    def tab(panel_id):
        return lambda: window.show_panel(window.panel_index(panel_id))

    if kind == "tabs":
        return [(f"tab {panel_id} {i}", tab(panel_id)) for i, panel_id in enumerate(["queue", "translate"] * 6)]
    bar, culture, queue = window.customer_bar, window.panel_by_id("culture"), window.panel_by_id("queue")
    found = [(f"tab {panel_id}", tab(panel_id))
             for panel_id in ("translate", "replies", "culture", "queue", "replies", "culture", "translate", "queue")]
    found += [(f"customer {text}", lambda text=text: bar.enter(text)) for text in CUSTOMERS]  # as Enter does
    found += [(f"culture {code}", lambda code=code: culture.show_country(code)) for code in ("FR", "JP", "IN", "SA")]
    found += [("settings", modal(window.show_settings)), ("about", modal(window.show_about)),
              ("palette", modal(window.open_palette)), ("hour grid", modal(bar.show_hour_grid)),
              ("compact on", lambda: window.set_compact(True)), ("compact off", lambda: window.set_compact(False)),
              ("recents menu", bar.fill_recents_menu), ("pin", bar.toggle_pin), ("unpin", bar.toggle_pin),
              ("queue settings", modal(queue.open_settings)), ("quick add", modal(queue.quick_add)),
              ("queue edit", modal(queue.edit_selected)), ("queue open", queue.open_selected)]
    found += [(f"command {c.title}", modal(c.callback)) for c in window.commands()
              if not any(word in c.title.lower() for word in SKIPPED)]
    return found


def hunt(app, args) -> None:
    from ui.main_window import MainWindow

    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    settle(app, args.start_wait)
    last, longest = [None], [0.0]

    def beat():
        now = time.perf_counter()
        if last[0] is not None:
            longest[0] = max(longest[0], now - last[0])
        last[0] = now
        if args.dump_after:
            faulthandler.dump_traceback_later(args.dump_after / 1000, exit=False)

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    results = []
    for name, action in actions(window, args.actions):
        settle(app, 0.3)
        last[0], longest[0] = time.perf_counter(), 0.0  # (None lost a gap at the action itself)
        started = time.perf_counter()
        profile = None
        if args.profile == name:
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        try:
            QTimer.singleShot(0, action)
            settle(app, 0.3)
        except Exception:  # a dev tool: say what failed and go on
            traceback.print_exc()
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        results.append((longest[0] * 1000, name, time.perf_counter() - started))
        close_dialogs()
        settle(app, 0.2)
    faulthandler.cancel_dump_traceback_later()
    for gap, name, total in sorted(results, reverse=True):
        print(f"{gap:8.1f} ms  {name}  (until settled {total:.2f} s)", flush=True)
    os._exit(0)  # the app's own shutdown is not what is measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", choices=("all", "tabs"), default="all")
    parser.add_argument("--start-wait", type=float, default=1.0,
                        help="seconds of a settled app before the first action (0: from the start)")
    parser.add_argument("--profile", metavar="ACTION", help="cProfile this action (its name as printed)")
    parser.add_argument("--dump-after", type=float, metavar="MS",
                        help="dump every thread's stack when the loop has not turned for MS")
    args = parser.parse_args()

    run_loop = QApplication.exec

    def exec_and_hunt(*_args):
        QTimer.singleShot(500, lambda: hunt(QApplication.instance(), args))
        return run_loop()

    QApplication.exec = exec_and_hunt
    from ui.app import main as app_main

    sys.exit(app_main([]))


if __name__ == "__main__":
    main()
