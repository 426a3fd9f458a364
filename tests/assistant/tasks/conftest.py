"""Fixtures of the task-queue tests: a store on the per-test database with a fixed team
schedule (Paris, 09:00-17:00, French holidays), and fixed instants."""

from __future__ import annotations

import pytest


@pytest.fixture
def queue_config():
    from assistant.tasks.config import QueueConfig

    return QueueConfig.defaults(schedule={"zone": "Europe/Paris", "holidays_country": "FR"})


@pytest.fixture
def store(db, queue_config):
    from assistant.tasks.store import TaskStore

    return TaskStore(db, queue_config)
