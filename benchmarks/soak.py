"""A shift in fast-forward: the app runs (offscreen, its real start-up) while a driver does
what an agent does, several actions a second, and memory, Python objects, threads and the
reference counts of None/True/False are sampled. Baseline: the same figures after the
first round of actions (everything loaded), in the same run.

    .venv/bin/python benchmarks/soak.py               # 60 s
    .venv/bin/python benchmarks/soak.py --minutes 10
    .venv/bin/python benchmarks/soak.py --quick       # 24 s

Prints each sample and the growth per hour of driving; a product kept open all shift wants
RSS and objects flat once warm, and the singletons' counts stable (a C extension that drops
references to None ends in 'deallocating None'). Bars: RSS grows at most 25 MB and threads
by at most 4 from the warm baseline to the end, and those reference counts do not fall."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from _bars import Bars, add_quick  # this folder is on a script's import path
from _measure import rss_mb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CUSTOMERS = ["+81 3-1234-5678", "Ana, +55 11 91234 5678", "Germany", "+1 800 555 0199", "Mumbai",
             "+34 612 345 678", "Europe/Kyiv", "Sydney", "+971 4 123 4567", "not a place at all"]
SEARCHES = ["refund", "sorry", ";hold", "order", "delay", "thank", ""]
MESSAGES = ["Thank you for your patience.", "My order has not arrived.", "Gracias por su paciencia."]


def sample() -> dict:
    gc.collect()
    return {"rss": rss_mb(), "objects": len(gc.get_objects()), "threads": threading.active_count(),
            "none": sys.getrefcount(None), "true": sys.getrefcount(True), "false": sys.getrefcount(False)}


class Driver:
    """One agent action per tick, in a fixed cycle, through the widgets' own methods."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds
        self.step = 0
        self.started = None
        self.samples: list[tuple[float, dict]] = []

    def window(self):
        return next((w for w in self.app.topLevelWidgets() if w.objectName() == "main-window"), None)

    def tick(self) -> None:
        window = self.window()
        if window is None or not window.customer_bar.ready or None in window._panels:
            return  # still starting
        if self.started is None:
            self.started = time.monotonic()
        elapsed = time.monotonic() - self.started
        if not self.samples or elapsed - self.samples[-1][0] >= max(5.0, self.seconds / 12):
            self.samples.append((elapsed, sample()))
            figures = self.samples[-1][1]
            print(f"{elapsed:6.0f} s  RSS {figures['rss']:6.1f} MB  objects {figures['objects']:7d}  "
                  f"threads {figures['threads']}  refs None {figures['none']} True {figures['true']}",
                  flush=True)
        if elapsed >= self.seconds:
            window.quit()
            return
        self.act(window, self.step)
        self.step += 1

    def act(self, window, step: int) -> None:
        bar = window.customer_bar
        kind = step % 5
        if kind == 0:
            bar.apply_text(CUSTOMERS[(step // 5) % len(CUSTOMERS)])
            if bar.zone_choice.isVisible() and bar.zone_choice.count() > 1:
                bar.choose_zone(bar.zone_choice.itemData(1))
        elif kind == 1:
            window.show_panel((step // 5) % 4)
        elif kind == 2:
            replies = window.panel_by_id("replies")
            replies.search.setText(SEARCHES[(step // 5) % len(SEARCHES)])
        elif kind == 3:
            translate = window.panel_by_id("translate")
            translate.incoming.input.setPlainText(MESSAGES[(step // 5) % len(MESSAGES)])
            translate.request(translate.incoming)
        else:
            window.refresh_badges()
            bar.refresh()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, help="default 1, --quick 0.4")
    add_quick(parser)
    args = parser.parse_args()
    seconds = (args.minutes or (0.4 if args.quick else 1.0)) * 60
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AGENT_ASSISTANT_HOME"] = tmp
        os.environ.pop("AGENT_ASSISTANT_POLICY", None)  # a user file could only tighten
        from assistant.translation import packages

        for model in sorted((REPO / "resources" / "models").glob("*.argosmodel")):
            packages.install_archive(Path(tmp) / "models", model)
        app = QApplication(sys.argv[:1])
        driver = Driver(app, seconds)
        timer = QTimer()
        timer.timeout.connect(driver.tick)
        timer.start(100)
        from ui.app import parse_args, run

        code = run(app, parse_args([]))
        timer.stop()
    bars = Bars("soak")
    if not bars.require("the app ran and was sampled at least 3 times", code == 0 and len(driver.samples) >= 3,
                        f"exit code {code}, {len(driver.samples)} samples"):
        return bars.exit_code()
    (t0, first), (t1, last) = driver.samples[1], driver.samples[-1]  # [0] is before the first round
    hours = (t1 - t0) / 3600
    print(f"\n{driver.step} actions in {t1:.0f} s. From {t0:.0f} s (everything loaded, the baseline) to "
          f"{t1:.0f} s: RSS {first['rss']:.1f} -> {last['rss']:.1f} MB "
          f"({(last['rss'] - first['rss']) / hours:+.0f} MB per hour of driving), objects "
          f"{first['objects']} -> {last['objects']} ({(last['objects'] - first['objects']) / hours:+.0f} per hour), "
          f"threads {first['threads']} -> {last['threads']}, references to None {first['none']} -> "
          f"{last['none']}, True {first['true']} -> {last['true']}, False {first['false']} -> {last['false']}")
    # flat once warm: what a short run can tell apart from noise (caches filling, the pool)
    bars.check(f"RSS growth over {t1 - t0:.0f} s of driving, once warm", last["rss"] - first["rss"], 25.0, "MB")
    bars.check("threads added once warm", last["threads"] - first["threads"], 4)
    bars.require("no reference count of None, True or False falling (a C extension dropping them)",
                 all(last[k] >= first[k] - 1000 for k in ("none", "true", "false")))
    return bars.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
