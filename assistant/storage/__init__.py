"""Local SQLite storage: opening, migrating, backing up and restoring the one database."""

from assistant.storage.database import (  # noqa: F401
    CorruptDatabaseError,
    DatabaseError,
    NewerSchemaError,
    OpenedDatabase,
    open_database,
)
