"""One base for errors meant for the user: every feature's user-facing error derives from it,
so the CLI and the window catch one type and treat anything else as a bug."""

import importlib

import pytest

from assistant.errors import UserError

USER_ERRORS = [
    ("assistant.paths", "DataDirError"),
    ("assistant.translation.engine", "NoModelError"),
    ("assistant.translation.argos_env", "OfflineError"),
    ("assistant.translation.archive", "ArchiveError"),
    ("assistant.translation.download", "DownloadError"),
    ("assistant.tasks.model", "TaskError"),
    ("assistant.tasks.config", "SettingsError"),
    ("assistant.tasks.schedule", "ScheduleError"),
    ("assistant.tasks.timephrase", "TimePhraseError"),
    ("assistant.tasks.exchange", "TaskImportError"),
    ("assistant.templates.model", "TemplateError"),
    ("assistant.templates.export", "ExportError"),
    ("assistant.templates.draft", "DraftError"),
    ("assistant.templates.store", "StoreError"),
    ("assistant.clock.errors", "ClockError"),
    ("assistant.customer.memory", "PinError"),
    ("assistant.storage.backup", "BackupError"),
    ("assistant.storage.database", "DatabaseError"),
    ("assistant.cli", "CommandError"),
    ("assistant.packs.manage", "ManageError"),
    ("assistant.packs.editing", "EditError"),
    ("assistant.packs.signing", "SignatureError"),
    ("assistant.packs.build", "BuildError"),
    ("assistant.packs.format", "PackRejected"),
    ("assistant.policy", "PolicyError"),
    ("assistant.countries.facts", "UnknownCountryError"),
    ("assistant.reading", "UnreadableFile"),
    ("assistant.packs.starter", "StarterPackError"),
    ("assistant.settings", "SettingError"),
    ("assistant.translation.history", "HistoryForbidden"),
    ("assistant.translation.download", "DownloadForbidden"),
    ("assistant.templates.importers", "ImportFailed"),
    ("assistant.tasks.store", "TaskNotFound"),
]


@pytest.mark.parametrize("module, name", USER_ERRORS)
def test_feature_errors_are_user_errors(module, name):
    assert issubclass(getattr(importlib.import_module(module), name), UserError)


def test_older_bases_are_kept_for_callers_that_catch_them():
    from assistant.clock.errors import ClockError
    from assistant.translation.engine import NoModelError

    assert issubclass(ClockError, ValueError) and issubclass(NoModelError, LookupError)
