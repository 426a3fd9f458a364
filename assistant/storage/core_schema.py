"""Tables shared by the whole app: key/value settings."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("core")


@migrations()
def m001_settings(db):
    db["settings"].create({"key": str, "value": str}, pk="key")
