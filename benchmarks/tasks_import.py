"""`assistant tasks import` of a large export, end to end in the CLI (read, validate every
row, write in one transaction), against a baseline measured in the same run: the bare
``executemany`` of the same rows into the same schema in one transaction.

Bar (issue 18): 100,000 tasks imported in at most 10 s, and linear: the time per task at the
full size at most 1.5x the time per task at an eighth of it (both after taking off the fixed
cost: the same command importing a file with no tasks). Both formats (CSV, JSON); the
import is into a queue that already holds tasks (a second import of the same file replaces
every task: re-importing is harmless).

    .venv/bin/python benchmarks/tasks_import.py [--tasks 100000] [--runs 1] [--quick]

--quick: 10,000 tasks, the bar scaled as the work is: the command's fixed cost measured in the
same run, plus the full bar's time for the tasks in proportion (the full bar less that fixed
cost, x 10,000 / 100,000; at 100,000 tasks this is the full bar itself); no linearity bar (at
1,250 tasks the command's fixed cost is most of the time). Both sizes also hold the import,
less its fixed cost, to twice the bare insert of the same rows, measured in the same run: a
regression guard that holds on a machine whose speed varies.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _bars import Bars, add_quick

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 23, 14, tzinfo=timezone.utc)
BAR_S_PER_100K = 10.0
LINEAR_BAR = 1.5
GUARD_X = 2.0  # the import, less its fixed cost, at most twice the bare insert of its rows


def make_tasks(count: int, seed: int = 18) -> list:
    from assistant.customer import CustomerContext
    from assistant.tasks.model import PRIORITIES, Task

    rng = random.Random(seed)
    customers = [CustomerContext(name=f"Customer {i}", phone=f"+34 612 345 {i:03d}", country=c, zone=z)
                 for i, (c, z) in enumerate([("JP", "Asia/Tokyo"), ("FR", "Europe/Paris"),
                                             ("US", "America/New_York"), ("IN", "Asia/Kolkata"),
                                             ("BR", "America/Sao_Paulo"), ("DE", "Europe/Berlin")])]
    customers.append(CustomerContext())
    tasks = []
    for i in range(count):
        created = NOW - timedelta(minutes=rng.randint(0, 60 * 1440))
        done = rng.random() < 0.8
        due = created + timedelta(hours=rng.choice([4, 8, 24, 72]))
        tasks.append(Task(
            f"Call back about order {rng.randint(10000, 99999)}: {rng.choice(['refund', 'delivery', 'login'])}",
            priority=rng.choice(PRIORITIES), status="done" if done else rng.choice(["open"] * 4 + ["waiting"]),
            tags=rng.choice([(), ("refund",), ("vip", "refund"), ("billing",)]),
            channel=rng.choice(["call", "chat", "email", "ticket", None]),
            external_ref=f"T-{i}", notes=rng.choice(["", "Customer prefers email.\nSecond line."]),
            customer=rng.choice(customers), created_at=created, updated_at=created,
            # a share without deadlines: the import computes them from the SLA, as for a new task
            response_due_at=None if i % 5 == 0 else due - timedelta(hours=2),
            resolution_due_at=None if i % 5 == 0 else due,
            responded_at=created + timedelta(minutes=30) if done else None,
            follow_up_at=rng.choice([None, None, NOW + timedelta(hours=rng.randint(-48, 48))]),
            done_at=created + timedelta(hours=3) if done else None, uid=f"imp{i:07d}", id=i + 1))
    return tasks


def cli_import(data: Path, path: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AGENT_ASSISTANT_POLICY", None)  # a user file could only tighten
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), "tasks", "import", str(path)],
                          env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"import failed: {proc.stderr[-2000:]}")
    return elapsed, proc.stdout.strip().splitlines()[-1]


def bare_insert(tasks: list, tmp: Path) -> float:
    """The same rows, already converted, inserted by ``executemany`` in one transaction."""
    from assistant.storage.database import open_database
    from assistant.tasks.store import _INSERT, _row

    rows = [_row(t) for t in tasks]
    opened = open_database(Path(tempfile.mkdtemp(dir=tmp)) / f"bare-{len(rows)}.db")  # a new one each run
    started = time.perf_counter()
    with opened.db.atomic():
        opened.db.conn.executemany(_INSERT, rows)
    elapsed = time.perf_counter() - started
    opened.close()
    return elapsed


def scaled_bar(count: int, fixed_s: float) -> float:
    """The bar for ``count`` tasks: the fixed cost, which every import pays whatever its size,
    and the rest of the full bar in proportion to the tasks. 10 s at 100,000 tasks whatever
    the fixed cost; a smaller file is held to the same rate per task, not to a tenth of the
    command's start."""
    fixed_s = min(fixed_s, BAR_S_PER_100K)
    return fixed_s + (BAR_S_PER_100K - fixed_s) * count / 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int)
    parser.add_argument("--runs", type=int, default=1, help="repeat and take medians (make bench: 1)")
    add_quick(parser)
    args = parser.parse_args()
    count = args.tasks or (10_000 if args.quick else 100_000)
    runs = 1 if args.quick else args.runs
    from assistant.tasks.exchange import export_csv, export_json

    # An installed wheel and the bundle start from bytecode, and a checkout writes it on its
    # first run, unless PYTHONDONTWRITEBYTECODE is set (as on some CI machines): compile once
    # so the command is measured as it runs in use, not compiling its own sources (as
    # startup.py does).
    compileall.compile_dir(REPO / "assistant", quiet=1)
    bars = Bars("tasks_import")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tasks = make_tasks(count)
        small = tasks[: count // 8]
        files, exported_s = {}, {}
        for fmt, export in (("csv", export_csv), ("json", export_json)):
            for label, subset in (("full", tasks), ("eighth", small)):
                path = tmp / f"{label}.{fmt}"
                started = time.perf_counter()
                text = export(subset)
                exported_s[fmt, label] = time.perf_counter() - started
                path.write_text(text, encoding="utf-8", newline="")
                files[fmt, label] = path
        print(f"{count:,} tasks: CSV {files['csv', 'full'].stat().st_size / 1e6:.1f} MB, "
              f"JSON {files['json', 'full'].stat().st_size / 1e6:.1f} MB; {runs} run(s), medians")
        print(f"  made by the export (the tasks in memory, no bar): CSV {exported_s['csv', 'full']:.2f} s, "
              f"JSON {exported_s['json', 'full']:.2f} s")
        empty = tmp / "empty.csv"
        empty.write_text("title,created_at\n", encoding="utf-8")
        results: dict[tuple[str, str], list[float]] = {}
        bare, fixed = [], []
        for run in range(runs):  # interleaved: every measure sees the same machine load
            bare.append(bare_insert(tasks, tmp))
            fixed.append(cli_import(tmp / f"data-empty-{run}", empty)[0])
            for (fmt, label), path in files.items():
                data = tmp / f"data-{fmt}-{label}-{run}"
                first, _ = cli_import(data, path)
                results.setdefault((fmt, label), []).append(first)
                if label == "full":  # the same file again: every task replaced
                    again, _ = cli_import(data, path)
                    results.setdefault((fmt, "again"), []).append(again)
        print(f"  baseline: bare executemany of {count:,} rows, one transaction: {statistics.median(bare):.2f} s")
        start_s = statistics.median(fixed)
        print(f"  fixed cost: the command importing a file with no tasks: {start_s:.2f} s")
        bar_s = scaled_bar(count, start_s)
        print(f"  bar at {count:,} tasks: {bar_s:.2f} s (the fixed cost, and the rest of the 10 s bar in proportion)")
        for fmt in ("csv", "json"):
            full = statistics.median(results[fmt, "full"])
            eighth = statistics.median(results[fmt, "eighth"])
            again = statistics.median(results[fmt, "again"])
            per_full, per_eighth = (full - start_s) / count, (eighth - start_s) / len(small)
            print(f"  {fmt}: {count:,} tasks {full:.2f} s (ratio to the bare insert "
                  f"{full / statistics.median(bare):.1f}x); {len(small):,} tasks {eighth:.2f} s; "
                  f"the same {count:,} again (all replaced) {again:.2f} s")
            bars.check(f"{fmt} import of {count:,} tasks, end to end", full, bar_s, "s")
            bars.check(f"{fmt} import of the same file again (replaces), end to end", again, bar_s, "s")
            # a regression guard that this shared machine's speed cancels out of: the import,
            # less the command's fixed cost, over the bare insert of the same rows in the same
            # minutes (0.7x at 100,000 tasks; 0.7-1.2x at 10,000)
            bars.check(f"{fmt} import less its fixed cost / bare insert of the same rows (a regression guard)",
                       (full - start_s) / statistics.median(bare), GUARD_X, "x")
            if not args.quick:  # at the quick size the command's fixed cost drowns the eighth's
                bars.check(f"{fmt} linear: time per task at {count:,} / at {len(small):,}",
                           per_full / per_eighth, LINEAR_BAR, "x")
    return bars.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
