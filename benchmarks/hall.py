"""The hall's costs: what one check for other programs' writes costs while the window is shown
(about once a second), what the change-counting triggers add to big writes, and how long a
pack installed by ``assistant pack install`` in another process takes to reach Replies.

Bars (issue 15): a check stays far under a frame (16 ms) -- it must be invisible at one per
second --, and a CLI install appears in Replies within 2 s. Baselines in the same run: a bare
``SELECT 1`` on the same connection for the check; the same writes with the triggers dropped
for the trigger cost; the check interval for the latency.

    .venv/bin/python benchmarks/hall.py [--checks 2000] [--installs 5] [--tasks 20000] [--quick]

--quick: 500 checks, 2 installs, 5,000 tasks, 1,000 rows per write (the same bars).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _bars import Bars, add_quick  # noqa: E402  (this folder is on a script's import path)

FRAME_MS = 16.0
LATENCY_BAR_S = 2.0


def per_call_us(fn, calls: int) -> float:
    """Median over 5 rounds of the mean time per call, µs."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(rounds)


def check_cost(runtime, calls: int) -> tuple[float, float, float]:
    """(look with nothing changed, look after another program wrote a setting, SELECT 1), µs."""
    from assistant.storage.changes import ChangeWatch

    conn = runtime.conn
    watch = ChangeWatch(conn)
    idle = per_call_us(watch.look, calls)
    other = sqlite3.connect(runtime.data_dir.database, timeout=10)
    samples = []
    for i in range(200):
        other.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('profile.company', ?)",
                      [json.dumps(f"Acme {i}")])
        other.commit()
        start = time.perf_counter()
        found = watch.look()
        samples.append((time.perf_counter() - start) * 1e6)
        assert found.settings_keys == {"profile.company"}, found
    other.close()
    bare = per_call_us(lambda: conn.execute("SELECT 1").fetchone(), calls)
    return idle, statistics.median(samples), bare


def populate(runtime, tasks: int) -> None:
    """A working database: the starter pack, ``tasks`` tasks, a few settings."""
    from assistant.customer import CustomerContext
    from assistant.tasks.model import Task
    from assistant.tasks.store import TaskStore
    from assistant.packs.starter import ensure_starter_pack

    db = runtime.db
    ensure_starter_pack(db)
    store = TaskStore(db)
    now = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    tokyo = CustomerContext(name="Ito", country="JP", zone="Asia/Tokyo")
    with db.atomic():
        for i in range(tasks):
            store.add(Task(f"Task {i}", customer=tokyo if i % 3 == 0 else CustomerContext(),
                           response_due_at=now + timedelta(hours=i % 97),
                           resolution_due_at=now + timedelta(hours=i % 97 + 8)), now)


def timed_writes(path: Path, rows: int) -> float:
    """Seconds for ``rows`` task inserts and ``rows`` team-template upserts, one transaction each."""
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    with conn:
        conn.executemany(
            "INSERT INTO tasks (uid, title, priority_rank, status, created_at, updated_at) "
            "VALUES (?, ?, 2, 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [(f"bench-{i}", f"Bench {i}") for i in range(rows)])
    with conn:
        conn.executemany(
            "INSERT INTO team_templates (template_id, pack_id, data, content_hash) VALUES (?, 'b', '{}', 'h') "
            "ON CONFLICT(template_id) DO UPDATE SET content_hash = 'h2'",
            [(f"bench.t{i}",) for i in range(rows)] * 2)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def trigger_cost(database: Path, rows: int) -> tuple[float, float]:
    """(seconds with the app's triggers, seconds with them dropped), medians of 3 fresh copies."""
    with_triggers, without = [], []
    for _ in range(3):
        for keep, out in ((True, with_triggers), (False, without)):
            copy = database.with_name(f"copy-{keep}.db")
            shutil.copyfile(database, copy)
            if not keep:
                conn = sqlite3.connect(copy)
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
                conn.commit()
                conn.close()
            out.append(timed_writes(copy, rows))
            copy.unlink()
    return statistics.median(with_triggers), statistics.median(without)


def cli_latency(installs: int) -> list[float]:
    """Seconds from the end of ``assistant pack install`` (another process) to the new template
    being listed in the Replies panel of a shown main window (0 when it was listed before the
    process had exited: the install commits just before it ends)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from assistant.runtime import start
    from ui.context import CustomerContextHolder
    from ui.main_window import MainWindow
    from ui.services import AppServices

    app = QApplication.instance() or QApplication([])
    runtime = start()
    services = AppServices(runtime, CustomerContextHolder())
    window = MainWindow(services)
    window._quitting = True
    window.show()
    window.start_deferred()
    replies = window.panel_by_id("replies")
    replies._load_once()

    def wait(condition, seconds: float) -> float | None:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 5)
            if condition():
                return time.perf_counter() - start
            time.sleep(0.002)
        return None

    wait(lambda: replies.index is not None, 30)
    folder = Path(tempfile.mkdtemp(prefix="hall-bench-packs-"))
    env = {**os.environ}
    latencies = []
    for version in range(1, installs + 1):
        template_id = f"bench.cli{version}"
        data = {"format": "agent-assistant-pack", "format_version": 1, "id": "bench.cli",
                "title": "CLI bench", "publisher": "Bench", "publisher_key_id": None, "version": version,
                "created": "2025-01-01T08:00:00Z", "min_app_version": "0.1", "default_language": "en",
                "languages": ["en"], "templates": [
                    {"id": f"bench.cli{v}", "default_language": "en",
                     "variants": {"en": {"title": f"CLI bench {v}", "body": "Hello."}}} for v in range(1, version + 1)]}
        path = folder / f"bench-{version}.agentpack.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        # the event loop keeps running while the other process works, as in the app
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "pack", "install", str(path),
                                 "--allow-unsigned"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        exited = listed = None
        deadline = time.perf_counter() + 120
        while (exited is None or listed is None) and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.AllEvents, 5)
            now = time.perf_counter()
            if exited is None and proc.poll() is not None:
                exited = now
                if proc.returncode != 0:
                    raise SystemExit(f"install failed: {proc.stderr.read()}")
            if listed is None and template_id in replies.entries:
                listed = now
            time.sleep(0.001)
        proc.stderr.close()
        waited = None if listed is None or exited is None else max(0.0, listed - exited)
        latencies.append(float("inf") if waited is None else waited)
    services.hall.stop()
    window.close()
    window.deleteLater()
    QCoreApplication.processEvents()
    services.pool.waitForDone(5000)
    runtime.close()
    shutil.rmtree(folder, ignore_errors=True)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int)
    parser.add_argument("--installs", type=int)
    parser.add_argument("--tasks", type=int)
    parser.add_argument("--rows", type=int, help="rows per write for the trigger cost")
    add_quick(parser)
    args = parser.parse_args()
    for name, full, quick in (("checks", 2000, 500), ("installs", 5, 2), ("tasks", 20000, 5000), ("rows", 5000, 1000)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)

    home = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    os.environ["AGENT_ASSISTANT_HOME"] = str(home)
    os.environ.pop("AGENT_ASSISTANT_POLICY", None)  # a user file could only tighten (a missing one: safest)
    from assistant.runtime import start

    runtime = start()
    populate(runtime, args.tasks)
    idle, changed, bare = check_cost(runtime, args.checks)
    database = runtime.data_dir.database
    runtime.close()
    print(f"one check (data_version + counters), nothing changed: {idle:7.1f} µs "
          f"(baseline SELECT 1: {bare:.1f} µs, ratio {idle / bare:.1f}x)")
    print(f"one check after another program changed a setting:   {changed:7.1f} µs")
    print(f"at one check a second: {idle / 1e4:.4f} % of one core while shown; frame budget {FRAME_MS:.0f} ms")

    with_t, without_t = trigger_cost(database, args.rows)
    print(f"{args.rows} task inserts + {2 * args.rows} template upserts: {with_t * 1000:.1f} ms with the "
          f"change triggers, {without_t * 1000:.1f} ms without (ratio {with_t / without_t:.2f})")

    shutil.rmtree(home, ignore_errors=True)
    home = Path(tempfile.mkdtemp(prefix="hall-bench-app-"))
    os.environ["AGENT_ASSISTANT_HOME"] = str(home)
    latencies = cli_latency(args.installs)
    shown = ", ".join(f"{s * 1000:.0f}" for s in latencies)
    print(f"CLI install -> listed in Replies: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} installs ({shown} ms); "
          f"check interval 1000 ms; bar {LATENCY_BAR_S * 1000:.0f} ms")
    shutil.rmtree(home, ignore_errors=True)

    bars = Bars("hall")
    bars.check("one check, nothing changed (a tenth of a frame)", idle / 1000, FRAME_MS / 10, "ms")
    bars.check("one check after another program's write (a frame)", changed / 1000, FRAME_MS, "ms")
    bars.check("CLI install -> listed in Replies, worst", max(latencies), LATENCY_BAR_S, "s")
    return bars.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
