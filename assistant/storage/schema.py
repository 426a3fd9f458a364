"""The registry of migration sets: one sqlite-utils ``Migrations`` set per feature,
each defined next to the feature's storage code and applied in this order."""

from __future__ import annotations

import importlib

from sqlite_utils.migrations import Migrations

# Each module defines ``migrations = Migrations("<set name>")``. Append new features here.
MIGRATION_MODULES = [
    "assistant.storage.core_schema",
    "assistant.customer.memory",
    "assistant.templates.schema",
    "assistant.packs.storage",
    "assistant.tasks.schema",
    "assistant.translation.schema",
    # last: its triggers watch tables of the sets above (assistant/storage/changes.py)
    "assistant.storage.changes",
]


def migration_sets() -> list[Migrations]:
    return [importlib.import_module(name).migrations for name in MIGRATION_MODULES]


def known_migrations() -> set[tuple[str, str]]:
    return {(s.name, m.name) for s in migration_sets() for m in s._migrations}
