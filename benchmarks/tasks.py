"""The task queue with 100,000 tasks: the ordered "Now" view (top 200) and adding a task
(committed), against baselines measured in the same run on the same database.

Bars (issue 8): Now view top 200 at most 30 ms; add a task (committed) at most 5 ms.

Two queues are measured: "busy" (every task open, deadlines spread over five days either
side of now, so tens of thousands are breached or due: the worst case for ordering) and
"typical" (90 % done history, 10 % open)."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.customer import CustomerContext  # noqa: E402
from assistant.storage.database import open_database  # noqa: E402
from assistant.tasks.config import QueueConfig  # noqa: E402
from assistant.tasks.model import PRIORITIES, Task  # noqa: E402
from assistant.tasks.store import _INSERT, TaskStore, _row  # noqa: E402

NOW = datetime(2026, 11, 23, 14, tzinfo=timezone.utc)
CUSTOMERS = [CustomerContext(name=f"Customer {i}", country=c, zone=z) for i, (c, z) in enumerate(
    [("JP", "Asia/Tokyo"), ("FR", "Europe/Paris"), ("US", "America/New_York"), ("IN", "Asia/Kolkata"),
     ("BR", "America/Sao_Paulo"), ("DE", "Europe/Berlin"), ("AU", "Australia/Sydney"), (None, None)])]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fill(store: TaskStore, count: int, done_share: float, rng: random.Random) -> None:
    rows = []
    for i in range(count):
        created = NOW - timedelta(minutes=rng.randint(0, 14 * 1440))
        due = NOW + timedelta(minutes=rng.randint(-5 * 1440, 5 * 1440))
        done = rng.random() < done_share
        task = Task(
            f"Task {i}: call back about order {rng.randint(10000, 99999)}",
            priority=rng.choice(PRIORITIES), status="done" if done else rng.choice(["open"] * 9 + ["waiting"]),
            tags=rng.choice([(), ("refund",), ("vip", "refund"), ("billing",)]),
            channel=rng.choice(["call", "chat", "email", "ticket", None]),
            customer=rng.choice(CUSTOMERS), created_at=created, updated_at=created,
            response_due_at=due - timedelta(hours=rng.choice([1, 4, 8])), resolution_due_at=due,
            responded_at=rng.choice([None, created + timedelta(minutes=30)]),
            follow_up_at=rng.choice([None] * 4 + [NOW + timedelta(minutes=rng.randint(-2880, 2880))]),
            snoozed_until=rng.choice([None] * 19 + [NOW + timedelta(hours=2)]),
            done_at=created + timedelta(hours=3) if done else None, uid=f"bench{i:06d}")
        rows.append(_row(task))
    with store.db.atomic():
        store.conn.executemany(_INSERT, rows)
    store.conn.execute("ANALYZE")


def timed(fn, runs: int) -> list[float]:
    fn()  # warm the page cache and the statement cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float], bar: float | None = None) -> str:
    line = f"  {label:<44} p50 {statistics.median(times):7.2f} ms   p95 {percentile(times, 95):7.2f} ms"
    if bar is not None:
        verdict = "ok" if percentile(times, 95) <= bar else "OVER"
        line += f"   (bar {bar:.0f} ms: {verdict})"
    return line


def run(name: str, done_share: float, count: int, runs: int, adds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        opened = open_database(Path(tmp) / "bench.db")
        store = TaskStore(opened.db, QueueConfig.defaults(schedule={"zone": "Europe/Paris",
                                                                    "holidays_country": "FR"}))
        started = time.perf_counter()
        fill(store, count, done_share, random.Random(8))
        fill_s = time.perf_counter() - started
        in_now = store.count_now(NOW)
        print(f"{name}: {count} tasks ({in_now} in Now), filled in {fill_s:.1f} s")

        # the Now view moves with the clock: measure it at a spread of instants
        instants = [NOW + timedelta(minutes=m) for m in range(0, runs * 7, 7)]
        cursor = iter(instants * 2)
        now_view = timed(lambda: store.view("now", next(cursor), limit=200), runs)
        from assistant.tasks.store import Filters

        others = {f"{name} view, top 200": timed(lambda name=name: store.view(name, NOW, limit=200), runs // 3)
                  for name in ("upcoming", "waiting", "done")}
        others["Now view filtered (country:JP), top 200"] = timed(
            lambda: store.view("now", NOW, Filters(country="JP"), limit=200), runs // 3)
        bare = timed(lambda: store.conn.execute("SELECT * FROM tasks LIMIT 200").fetchall(), runs)
        badge = timed(lambda: store.count_now(NOW), runs)
        view = store.view("now", NOW, limit=200)
        assert len(view) == 200 and view == store.view("now", NOW, limit=None)[:200]

        counter = iter(range(10 ** 9))
        customer = CUSTOMERS[0]
        add = timed(lambda: store.add(Task(f"new {next(counter)}", priority="high", tags=("refund",),
                                           customer=customer, follow_up_at=NOW + timedelta(hours=3)),
                                      NOW), adds)
        store.conn.execute("CREATE TABLE baseline (id INTEGER PRIMARY KEY, title TEXT)")

        def bare_insert():
            with store.db.atomic():
                store.conn.execute("INSERT INTO baseline (title) VALUES ('x')")
        bare_add = timed(bare_insert, adds)
        opened.close()

    print(report("Now view, ordered top 200", now_view, 30))
    print(report("baseline: bare SELECT of 200 rows", bare))
    for label, times in others.items():
        print(report(label, times))
    print(report("badge count (due/overdue)", badge))
    print(report("add a task, committed", add, 5))
    print(report("baseline: bare one-row INSERT, committed", bare_add))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--adds", type=int, default=300)
    args = parser.parse_args()
    run("busy queue", 0.0, args.tasks, args.runs, args.adds)
    run("typical queue", 0.9, args.tasks, args.runs, args.adds)


if __name__ == "__main__":
    main()
