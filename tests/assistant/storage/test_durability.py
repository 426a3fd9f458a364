"""A writer killed with SIGKILL at random moments loses nothing it reported as committed."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.storage.database import check_integrity, open_database

REPO = Path(__file__).resolve().parents[3]

WRITER = textwrap.dedent("""
    import sys
    from assistant.storage.database import open_database
    opened = open_database(sys.argv[1])
    db = opened.db
    start = int(sys.argv[2])
    i = start
    while True:
        with db.atomic():  # several rows per transaction, as real multi-row changes are
            db["settings"].insert_all(
                [{"key": f"k{i}-{j}", "value": str(i)} for j in range(5)], replace=True)
        print(i, flush=True)  # reported only once the transaction has committed
        i += 1
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_minus_nine_loses_no_committed_write(tmp_path):
    path = tmp_path / "durable.db"
    open_database(path).close()
    rng = random.Random(20261123)
    committed: set[int] = set()
    next_start = 0
    for _round in range(15):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(next_start)], cwd=REPO,
                                 stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        # wait for the first commit, then kill at a random moment while it writes
        first = child.stdout.readline()
        assert first.strip(), "writer did not start"
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        reported = [int(line) for line in (first + out).split() if line.strip()]
        committed.update(reported)
        next_start = max(reported) + 1

        opened = open_database(path)
        try:
            assert opened.moved_aside is None
            rows = opened.db.execute("SELECT key FROM settings WHERE key LIKE 'k%'").fetchall()
            keys = {r[0] for r in rows}
            missing = [i for i in committed if any(f"k{i}-{j}" not in keys for j in range(5))]
            assert not missing, f"committed writes lost: {missing[:10]}"
        finally:
            opened.close()
    assert check_integrity(path, full=True) == "ok"
    assert len(committed) > 15
