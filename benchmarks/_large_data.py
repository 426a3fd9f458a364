"""Child process for benchmarks/startup.py: fills the data folder ``AGENT_ASSISTANT_HOME``
with what an agent holds after years: the Replies benchmark's library (templates in three
languages, with a usage history) and the queue benchmark's busy queue, written the way the
app writes them (a pack's first install, ``tasks import``).

    AGENT_ASSISTANT_HOME=DIR _large_data.py TEMPLATES TASKS"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timezone

import tasks as queue_bench  # this folder is on a script's import path
import templates as replies_bench
from assistant.runtime import start
from assistant.tasks.store import TaskStore


def main() -> None:
    templates, tasks = int(sys.argv[1]), int(sys.argv[2])
    runtime = start()
    try:
        rng = random.Random(18)
        library = replies_bench.make_library(templates, rng)
        replies_bench.fill_database(runtime.db, library,
                                    replies_bench.usage_history(library, rng, datetime.now(timezone.utc)))
        queue_bench.fill(TaskStore(runtime.db), tasks, 0.0, random.Random(8))
        runtime.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
