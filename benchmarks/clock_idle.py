"""Idle cost of the customer clock: CPU used while the customer bar sits with a customer and
five pinned clocks, against a bare Qt event loop measured in the same run, plus the cost of
one minute's redraw and the number of timer wake-ups.

    python benchmarks/clock_idle.py [--seconds 20] [--quick]

The bar wakes once a minute (a single-shot timer aimed just past the minute boundary), so
over a short run its idle CPU should be indistinguishable from the baseline.

Bars: idle CPU with the customer bar and five pins at most the same-run baseline plus 0.2 %
of one core (focused and not); at most one clock tick per minute boundary crossed; one
minute's redraw within one frame (16 ms). --quick: 4 s per measured line.

Each measured line lies between two minute boundaries (it waits past one first when it
would cross it), and the measured minute's redraw is added to it as its share of a minute:
a 4 s line that caught the redraw charged it fifteen times over.

The redraw is timed first; then this prints IDLE_PHASE_STARTED and measures the four idle
lines, baselines and customer bar one after the other, while run_all.py runs the other
benchmarks (the lines are CPU time of a process that only waits, about 100 s of waiting in
all; the baselines are measured in the same phase, under the same load, as the bar's).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _bars import IDLE_MARK, Bars, add_quick  # noqa: E402  (this folder is on a script's import path)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle(app, seconds: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) spent in the event loop doing nothing for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    cpu, wall = cpu_seconds(), time.perf_counter()
    loop.exec()
    return cpu_seconds() - cpu, time.perf_counter() - wall


def quiet_idle(app, seconds: float) -> tuple[float, float]:
    """``idle`` over a stretch that crosses no minute boundary: a short line that caught the
    once-a-minute redraw would charge a whole minute's work to a few seconds (its cost is
    added back per minute, from the measured redraw). Waits past the boundary first when
    the stretch would cross one."""
    left = 60 - time.time() % 60
    if left < seconds + 0.5:
        idle(app, left + 0.5)
    return idle(app, seconds)


def minutes_crossed(since: float, until: float) -> int:
    return int(until // 60) - int(since // 60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, help="per measured line (default 20, --quick 4)")
    add_quick(parser)
    args = parser.parse_args()
    args.seconds = args.seconds or (4.0 if args.quick else 20.0)

    home = tempfile.mkdtemp(prefix="clock-bench-")
    os.environ["AGENT_ASSISTANT_HOME"] = home
    os.environ.pop("AGENT_ASSISTANT_POLICY", None)  # a user file could only tighten

    from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

    app = QApplication([])
    from assistant import settings
    from assistant.runtime import start
    from ui.context import CustomerContextHolder
    from ui.customer_bar import CustomerBar
    from ui.services import AppServices

    runtime = start()
    settings.put(runtime.db, "clock.agent_zone", "Europe/London")
    services = AppServices(runtime, CustomerContextHolder())
    bar = CustomerBar(services)
    bar.resize(460, 400)
    bar.show()
    bar.start()  # as the window does after its first paint: clocks built, warm-up on the pool
    deadline = time.perf_counter() + 60
    while not bar.ready:
        if time.perf_counter() > deadline:
            print("the customer bar never became ready (warm-up did not finish in 60 s)")
            return 1
        app.processEvents()
        time.sleep(0.01)
    for text in ("Priya, +91 98765 43210", "Sydney", "Kathmandu", "Santiago", "Tokyo"):
        bar.apply_text(text)
        bar.toggle_pin()
    bar.apply_text("Ana, +55 11 91234 5678")
    idle(app, 1.0)

    runs = 50
    start_cpu = time.perf_counter()
    for _ in range(runs):
        bar.refresh()
    redraw_ms = (time.perf_counter() - start_cpu) / runs * 1000
    bar.hide()
    print(IDLE_MARK, flush=True)  # from here this process only waits: the others run meanwhile

    # baselines in the same run: an empty window, and one whose text field has the focus
    # (Qt blinks the text cursor twice a second whatever the app does)
    plain = QWidget()
    plain.resize(460, 400)
    plain.show()
    idle(app, 1.0)  # settle
    base_cpu, base_wall = quiet_idle(app, args.seconds)
    field = QLineEdit(plain)
    field.show()
    plain.activateWindow()
    field.setFocus()
    idle(app, 1.0)
    blink_cpu, blink_wall = quiet_idle(app, args.seconds)
    plain.close()

    bar.show()
    idle(app, 1.0)
    ticks_before, since = bar.ticker.ticks, time.time()
    bar.activateWindow()
    bar.input.setFocus()
    idle(app, 0.5)
    focused_cpu, focused_wall = quiet_idle(app, args.seconds)
    bar.input.clearFocus()
    idle(app, 0.5)
    bar_cpu, bar_wall = quiet_idle(app, args.seconds)
    ticks, crossed = bar.ticker.ticks - ticks_before, minutes_crossed(since, time.time())
    per_minute = redraw_ms / 60_000 * 100  # the minute's redraw, as % of a core

    def line(label, cpu, wall):
        print(f"  {label:<42}: {cpu * 1000:8.1f} ms CPU ({cpu / wall * 100:.3f} % of one core)")

    print(f"idle, {args.seconds:.0f} s per line (same run):")
    line("baseline: empty window", base_cpu, base_wall)
    line("baseline: window with a focused text field", blink_cpu, blink_wall)
    line("customer bar + 5 pins, its field focused", focused_cpu, focused_wall)
    line("customer bar + 5 pins, nothing focused", bar_cpu, bar_wall)
    print(f"  clock ticks            : {ticks} ({crossed} minute boundary(ies) crossed meanwhile)")
    print(f"  one minute's redraw    : {redraw_ms:8.2f} ms (customer clock + 5 pinned clocks), "
          f"{per_minute:.3f} % of a core once a minute: added to the idle lines below")
    print(f"  timer interval now     : {bar.ticker.timer.interval()} ms, single-shot "
          f"{bar.ticker.timer.isSingleShot()}")
    bars = Bars("clock_idle")
    slack = 0.2  # % of one core: what a 20 s line can tell apart on a shared machine
    bars.check("idle CPU, customer bar + 5 pins, nothing focused, over the empty window",
               (bar_cpu / bar_wall - base_cpu / base_wall) * 100 + per_minute, slack, "% of a core")
    bars.check("idle CPU, customer bar + 5 pins, field focused, over the focused-field window",
               (focused_cpu / focused_wall - blink_cpu / blink_wall) * 100 + per_minute, slack, "% of a core")
    bars.check("clock ticks, per minute boundary crossed", ticks, crossed)
    bars.check("one minute's redraw", redraw_ms, 16.0, "ms")
    bar.close()
    services.pool.waitForDone(10_000)
    runtime.close()
    return bars.exit_code()


if __name__ == "__main__":
    sys.exit(main())
