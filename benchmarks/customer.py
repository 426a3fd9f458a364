"""A new customer on a live call, in the real window: the agent pastes who it is into the
customer bar and presses Enter, and the clock, the zone chips, the Culture card, the
Replies panel's reply and the Translate panel all follow. Measured: the longest the GUI
thread could not answer (a 5 ms timer's longest gap) from Enter until every panel has
settled (no task on the worker pools for 0.2 s).

Each customer is measured twice: at its country's first customer of the run (its locale
data, holidays and clocks not yet used) and again later (the countries seen before). The app
starts as an agent's does (offscreen, its real start-up, a fresh data folder) and waits until
everything is ready and its warm-ups are done before the first customer. Baseline in the
same run: the same loop turned for as long with no customer set (what the timer itself reads
on this machine). A customer set in the first seconds after the start, before the zones'
clocks are compared on the worker, pays for its country's zones on the GUI thread.

Bars (issue 18): a customer seen before, p95 at most one frame (16 ms); a country's first
customer, p95 at most one frame and the longest at most 50 ms (the start-up's stall bar).

    .venv/bin/python benchmarks/customer.py [--quick]

--quick: 10 countries instead of 20 (the same bars).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _bars import Bars, add_quick  # noqa: E402  (this folder is on a script's import path)
from _measure import loop_gaps, percentile, turn_until  # noqa: E402

FRAME_MS = 16.0
STALL_MS = 50.0
# What agents paste or type: numbers, names with numbers, countries, cities; one country each,
# those with many zones (United States, Canada, Brazil, Russia, Australia) among them.
CUSTOMERS = [("United States", "US"), ("Yuki, +81 3-1234-5678", "JP"), ("Brazil", "BR"), ("Berlin", "DE"),
             ("Ana, +34 612 345 678", "ES"), ("Cairo", "EG"), ("+91 22 2345 6789", "IN"),
             ("Mexico City", "MX"), ("+61 2 9876 5432", "AU"), ("Canada", "CA"), ("Russia", "RU"),
             ("Lagos", "NG"), ("+971 4 234 5678", "AE"), ("Lima", "PE"), ("Nairobi", "KE"),
             ("+48 22 123 45 67", "PL"), ("Seoul", "KR"), ("Istanbul", "TR"), ("+27 21 123 4567", "ZA"),
             ("Buenos Aires", "AR")]
QUIET_S = 0.2


def pools_idle():
    """Done once no task has run on the worker pools for QUIET_S."""
    from PySide6.QtCore import QThreadPool

    window = main_window()
    pools = [QThreadPool.globalInstance(), window.services.pool]
    idle_since = [time.perf_counter()]

    def done() -> bool:
        if any(pool.activeThreadCount() for pool in pools):
            idle_since[0] = time.perf_counter()
        return time.perf_counter() - idle_since[0] >= QUIET_S
    return done


def main_window():
    from PySide6.QtWidgets import QApplication

    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == "main-window"), None)


def ready() -> bool:
    window = main_window()
    return window is not None and window.customer_bar.ready and None not in window._panels


def enter(bar, text: str) -> None:
    """What the agent does: paste the customer into the field and press Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    bar.input.setText(text)
    QTest.keyClick(bar.input, Qt.Key_Return)


def drive(customers: list[tuple[str, str]], results: dict) -> None:
    window = main_window()
    bar = window.customer_bar
    from assistant.clock import zones

    # the warm-ups after ready: the customer bar's, then the zones' clocks
    turn_until(lambda: zones._clock_signature.cache_info().currsize >= len(zones.zone_countries()), 30)
    turn_until(pools_idle(), 30)
    gaps, seconds = loop_gaps(lambda: None, pools_idle(), 5)
    results["baseline"] = max(gaps)
    for rnd in ("first", "again"):
        for text, expected in customers:
            idle = pools_idle()
            gaps, seconds = loop_gaps(lambda text=text: enter(bar, text),
                                      lambda: idle() and not bar.entering, 10)
            country = window.services.customer.context.country
            results[rnd].append((max(gaps), text, country if country == expected else None, seconds))
    window.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_quick(parser)
    args = parser.parse_args()
    customers = CUSTOMERS[:10] if args.quick else CUSTOMERS
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    results: dict = {"first": [], "again": []}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AGENT_ASSISTANT_HOME"] = tmp
        os.environ.pop("AGENT_ASSISTANT_POLICY", None)
        app = QApplication(sys.argv[:1])

        def wait_then_drive() -> None:
            if not ready():
                QTimer.singleShot(50, wait_then_drive)
                return
            drive(customers, results)
        QTimer.singleShot(50, wait_then_drive)
        from ui.app import parse_args, run

        code = run(app, parse_args([]))

    bars = Bars("customer")
    wrong = [text for _, text, country, _ in results["first"] + results["again"] if country is None]
    if not bars.require("the app ran and set each customer's country",
                        code == 0 and len(results["again"]) == len(customers) and not wrong,
                        f"exit code {code}, {len(results['again'])} of {len(customers)} customers"
                        + (f"; not set: {', '.join(wrong)}" if wrong else "")):
        return bars.exit_code()
    print(f"the timer alone (no customer), the longest gap: {results['baseline']:.1f} ms")
    for rnd, title in (("first", "a country's first customer"), ("again", "a customer seen before")):
        print(f"\n{title}: the longest the GUI thread could not answer, until every panel settled")
        for gap, text, country, seconds in sorted(results[rnd], reverse=True):
            print(f"  {gap:6.1f} ms  {text} ({country}), settled in {seconds:.2f} s")
    first = [gap for gap, *_ in results["first"]]
    again = [gap for gap, *_ in results["again"]]
    baseline = max(results["baseline"], 1.0)
    print(f"\nfirst customers p95 {percentile(first, 95):.1f} ms ({percentile(first, 95) / baseline:.1f}x the "
          f"timer alone), again p95 {percentile(again, 95):.1f} ms ({percentile(again, 95) / baseline:.1f}x)")
    bars.check(f"a customer seen before, p95 of {len(again)}", percentile(again, 95), FRAME_MS, "ms")
    bars.check(f"a country's first customer, p95 of {len(first)}", percentile(first, 95), FRAME_MS, "ms")
    bars.check("a country's first customer, the longest", max(first), STALL_MS, "ms")
    return bars.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
