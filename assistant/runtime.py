"""Start-up shared by the GUI and the CLI: data folder, policy, logging, database."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import paths
from assistant.logging_setup import attach_file, configure as configure_logging
from assistant.policy import Policy, load_policy
from assistant.storage.database import OpenedDatabase, open_database

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


class Runtime:
    """The data folder, policy, database and log a run of the app (or a command) works with.
    A plain class, not a dataclass: made before the first paint (see :class:`Policy`)."""

    def __init__(self, data_dir: paths.DataDir, policy: Policy, opened: OpenedDatabase,
                 log_file: Path | None):
        self.data_dir = data_dir
        self.policy = policy
        self.opened = opened
        self.log_file = log_file

    @property
    def db(self) -> sqlite_utils.Database:
        """The database, its schema checked and migrated (on first use, if not yet)."""
        return self.opened.db

    @property
    def completed(self) -> bool:
        """The schema is checked and migrated: the database may be written."""
        return self.opened.completed

    @property
    def conn(self) -> sqlite3.Connection:
        """The same database before its schema is checked: enough for ``settings.get``
        while the window paints for the first time (the app completes right after)."""
        return self.opened.conn

    def complete(self) -> None:
        """The second step of a start without ``complete``: attach the log file (records
        logged so far are written to it), then check and migrate the database (raises
        DatabaseError)."""
        if self.log_file is not None:
            self.log_file = attach_file(self.log_file)
        self.opened.complete()

    def close(self) -> None:
        self.opened.close()


def start(data_dir_argument: str | None = None, policy: Policy | None = None,
          complete: bool = True) -> Runtime:
    """Raises DataDirError or DatabaseError with a message meant for the user. Without
    ``complete`` the log file, the schema check and migrations wait for ``complete()``."""
    policy = policy or load_policy()
    data_dir = paths.resolve_data_dir(data_dir_argument, policy.data_dir)
    paths.ensure_writable(data_dir)
    log_file = configure_logging(data_dir.logs, hold=not complete)
    if data_dir.ignored:
        log.warning("the deployment policy sets the data folder %s; ignored: %s", data_dir.path, data_dir.ignored)
    opened = open_database(data_dir.database, data_dir.backups, complete)
    return Runtime(data_dir, policy, opened, log_file)
