"""Shared by the benchmark scripts: the ``--quick`` convention and the verdict on the bars.

Every benchmark accepts ``--quick`` (each bar at a reduced size, so ``.ci/run`` can run them
all in a few minutes; ``make bench`` is the full run), checks each bar with ``Bars.check``,
which prints the figure, the bar and PASS or FAIL, and ends with ``return bars.exit_code()``:
non-zero, naming every missed bar, when one was missed.

    bars = Bars("packs")
    bars.check("first install, end to end", seconds, 1.0, "s")
    return bars.exit_code()
"""

from __future__ import annotations

import argparse
import os

# run_all.py and the scripts whose idle runs alongside the others (startup.py, clock_idle.py)
IDLE_MARK = "IDLE_PHASE_STARTED"  # a script prints it when from then on it only idles
STARTED_AT = "BENCH_STARTED_AT"  # set by run_all.py: when the whole run began (seconds since the epoch)


def add_quick(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="each bar at a reduced size (CI); the default is the full run")


def machine_load() -> str:
    """The load while measuring: other programs share the machine."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


class Bars:
    def __init__(self, name: str):
        self.name = name
        self.missed: list[str] = []
        self.checked = 0

    def check(self, label: str, value: float, limit: float, unit: str = "", *, at_least: bool = False) -> bool:
        """Print ``value`` against ``limit`` (at most, or ``at_least``) and record a miss."""
        self.checked += 1
        ok = value >= limit if at_least else value <= limit
        sign = ">=" if at_least else "<="
        print(f"bar: {label}: {value:,.2f} {unit} ({sign} {limit:,.2f} {unit}) -> {'PASS' if ok else 'FAIL'}",
              flush=True)
        if not ok:
            self.missed.append(f"{label} {value:,.2f} {unit} (bar {sign} {limit:,.2f} {unit})")
        return ok

    def require(self, label: str, ok: bool, detail: str = "") -> bool:
        """A bar that is a condition, not a number (e.g. every hostile file refused)."""
        self.checked += 1
        print(f"bar: {label}{': ' + detail if detail else ''} -> {'PASS' if ok else 'FAIL'}", flush=True)
        if not ok:
            self.missed.append(f"{label}{': ' + detail if detail else ''}")
        return ok

    def exit_code(self) -> int:
        print(machine_load())
        if self.missed:
            print(f"{self.name}: {len(self.missed)} of {self.checked} bar(s) MISSED: " + "; ".join(self.missed),
                  flush=True)
            return 1
        print(f"{self.name}: all {self.checked} bar(s) met", flush=True)
        return 0
