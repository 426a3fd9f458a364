"""Import tasks from a CSV or JSON export in the app (as ``assistant tasks import``): the file
is read, checked and written off the GUI thread, on a connection of its own, with progress
shown as it goes; all or nothing, then the queue hears of it through the hall."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from assistant.errors import UserError
from assistant.i18n import _
from ui.widgets import plain_message
from ui.workers import Progress, run_in_thread, upkeep_in_thread

log = logging.getLogger(__name__)


def read_export(path: Path) -> tuple[str, str]:
    """(text, format) of an export file, as the CLI reads it; UserError if it cannot be."""
    from assistant.tasks.exchange import MAX_IMPORT_BYTES, TaskImportError

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise TaskImportError(_("{name} is not a .csv or .json export.").format(name=path.name))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # line breaks as written
            text = handle.read(MAX_IMPORT_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskImportError(_("Cannot read {path}: {reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from exc
    if len(text) > MAX_IMPORT_BYTES:
        raise TaskImportError(_("{name} is larger than {size} MB.").format(
            name=path.name, size=MAX_IMPORT_BYTES // 1024 ** 2))
    return text, fmt


def import_tasks_file(window, path: str | Path | None = None):
    """Ask for a file (unless ``path``), then import it with a progress dialog. Returns the
    worker task (its ``done`` carries the ImportResult), or None when nothing was chosen."""
    if path is None:
        path, _filter = QFileDialog.getOpenFileName(window, _("Import tasks"), "",
                                                    _("Task exports (*.csv *.json)"))
        if not path:
            return None
    path = Path(path)
    services = window.services
    data_dir = services.runtime.data_dir
    dialog = QProgressDialog(window)
    dialog.setWindowTitle(_("Import tasks"))
    dialog.setLabelText(_("Reading {name}…").format(name=path.name))
    dialog.setCancelButton(None)  # all or nothing, in one transaction: it finishes or fails
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setRange(0, 0)
    dialog.setMinimumDuration(0)
    dialog.show()
    progress = Progress(dialog)

    def moved(phase: str, done: int, total: int) -> None:
        from assistant.tasks.exchange import PARSING

        if phase == PARSING:
            dialog.setRange(0, 0)
            dialog.setLabelText(_("Checked {count} tasks…").format(count=f"{done:,}"))
        else:
            dialog.setRange(0, max(total, 1))
            dialog.setValue(done)
            dialog.setLabelText(_("Writing {done} of {total} tasks…").format(done=f"{done:,}", total=f"{total:,}"))

    progress.moved.connect(moved)

    def work():
        from assistant.storage.database import checkpoint_later, open_database
        from assistant.tasks.exchange import import_tasks
        from assistant.tasks.store import TaskStore

        text, fmt = read_export(path)
        with (open_database(data_dir.database, data_dir.backups) as opened,  # this thread's own connection
              checkpoint_later(opened.db.conn)):  # the result first (see done)
            return import_tasks(TaskStore(opened.db), text, fmt, progress=progress.report)

    def done(result) -> None:
        upkeep_in_thread(data_dir.database)
        dialog.close()
        services.hall.tasks_changed.emit(None)
        window.statusBar().showMessage(_("Imported {added} new task(s), replaced {replaced}.").format(
            added=result.added, replaced=result.replaced), 8000)

    def failed(exc: Exception) -> None:
        from assistant.storage.database import fault, is_fault

        dialog.close()
        if not isinstance(exc, UserError) and is_fault(exc):  # a lock, a full disk: said as such
            exc = fault(exc, data_dir.database)
        if not isinstance(exc, UserError):
            log.error("task import failed: %r", exc)
        reason = str(exc) if isinstance(exc, UserError) else _("an unexpected error (see the log)")
        plain_message(window, QMessageBox.Warning, _("Import tasks"),
                      _("{name}: {reason} Nothing was imported.").format(name=path.name, reason=reason))

    return run_in_thread(work, done, failed, name="task-import")
