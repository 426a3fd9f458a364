"""Start-up shared by the GUI and the CLI: data folder, policy, logging, database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from assistant import paths
from assistant.logging_setup import configure as configure_logging
from assistant.policy import Policy, load_policy
from assistant.storage.database import OpenedDatabase, open_database


@dataclass
class Runtime:
    data_dir: paths.DataDir
    policy: Policy
    opened: OpenedDatabase
    log_file: Path | None

    @property
    def db(self) -> sqlite_utils.Database:
        return self.opened.db

    def close(self) -> None:
        self.opened.close()


def start(data_dir_argument: str | None = None, policy: Policy | None = None) -> Runtime:
    """Raises DataDirError or DatabaseError with a message meant for the user."""
    policy = policy or load_policy()
    data_dir = paths.resolve_data_dir(data_dir_argument, policy.data_dir)
    paths.ensure_writable(data_dir)
    log_file = configure_logging(data_dir.logs)
    opened = open_database(data_dir.database, data_dir.backups)
    return Runtime(data_dir, policy, opened, log_file)
