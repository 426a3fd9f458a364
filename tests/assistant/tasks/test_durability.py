"""A kill -9 during heavy queue writes loses no committed task.

A child process adds tasks, changes others and imports batches as fast as it can, printing
each task id only after its transaction committed. It is SIGKILLed at random moments,
several times over the same database; every id it reported must be there afterwards and
the database must pass PRAGMA integrity_check."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

WRITER = r"""
import sys
from datetime import datetime, timezone
from assistant.storage.database import open_database
from assistant.tasks.config import QueueConfig
from assistant.tasks.exchange import import_tasks
from assistant.tasks.model import Task
from assistant.tasks.store import TaskStore

opened = open_database(sys.argv[1])
store = TaskStore(opened.db, QueueConfig.defaults(schedule={"zone": "Europe/Paris"}))
round_ = sys.argv[2]
now = datetime(2026, 11, 23, 14, tzinfo=timezone.utc)
i = 0
while True:
    i += 1
    task = store.add(Task(f"r{round_} task {i}", priority=("urgent", "high", "normal", "low")[i % 4],
                          tags=("bulk",), notes="x" * (i % 50)), now)
    print(task.id, flush=True)
    if i % 3 == 0:
        store.update(task.with_changes(title=f"r{round_} edited {i}"), now)
    if i % 5 == 0:
        store.set_status(task.id, "waiting", now)
    if i % 25 == 0:
        before = store.conn.execute("SELECT max(id) FROM tasks").fetchone()[0]
        rows = "\n".join(f"batch {round_}-{i}-{k},2026-11-23T10:00:00Z" for k in range(20))
        import_tasks(store, "title,created_at\n" + rows + "\n", "csv")
        for (new_id,) in store.conn.execute("SELECT id FROM tasks WHERE id > ? ORDER BY id", (before,)):
            print(new_id, flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_loses_no_committed_task(tmp_path):
    database = tmp_path / "queue.db"
    rng = random.Random(8)
    reported: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    for round_ in range(6):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(database), str(round_)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 cwd=str(REPO), env=env)
        try:
            first = child.stdout.readline()  # the writer is up and has committed once
            assert first.strip().isdigit(), child.stderr.read()
            reported.add(int(first))
            time.sleep(rng.uniform(0.05, 0.6))
            os.kill(child.pid, signal.SIGKILL)
            out, _err = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert child.returncode == -signal.SIGKILL
        # a line cut by the kill was not fully reported: only whole lines count
        lines = out.split("\n")
        reported.update(int(line) for line in lines[:-1] if line.strip())
    assert len(reported) > 6
    print(f"{len(reported)} committed task ids reported across 6 kills")

    from assistant.storage.database import check_integrity, open_database

    assert check_integrity(database, full=True) == "ok"
    opened = open_database(database)
    try:
        stored = {row[0] for row in opened.db.execute("SELECT id FROM tasks")}
    finally:
        opened.close()
    missing = reported - stored
    assert not missing, f"{len(missing)} committed tasks lost: {sorted(missing)[:10]}"
