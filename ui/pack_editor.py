"""Pack editor for team leads who do not use a command line: pack details, templates in
several languages with a live preview, validation as you type, export and signing.

Rules live in ``assistant.packs.editing`` / ``build`` / ``format``; this is layout and wiring.
All text is plain text (previews included)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout,
                               QAbstractItemView, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QTableView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from assistant import textsafety
from assistant.clock.ticks import utc_now
from assistant.i18n import _
from assistant.packs import build, editing, signing
from assistant.packs import format as fmt
from ui.item_models import OneCallPerCell
from ui.narrow import fit_columns, stack_when_narrow
from ui.widgets import plain_message, plain_password
from ui.workers import run_in_pool, run_in_thread

log = logging.getLogger(__name__)

VALIDATE_DELAY_MS = 400
VARIABLE_TYPES = ("text", "multiline", "choice", "date")



def document_problems(doc: dict) -> list[fmt.Problem]:
    """What an install would find wrong with ``doc``. The editor's documents hold only what
    JSON reads (a pack file's, and the strings, numbers, lists and dicts the editor writes),
    so they are checked as they are: written as JSON and read back first, the check made two
    million objects at 50,000 templates, whose collection held the GUI thread 0.2 s. Export
    checks the file's bytes again."""
    return fmt.validate_document(doc)


def template_label(template: dict) -> str:
    variant = template.get("variants", {}).get(template.get("default_language"), {})
    return textsafety.visible(f"{variant.get('title') or template.get('id')}  ({template.get('id')})")


class TemplateListModel(OneCallPerCell, QAbstractListModel):
    """The pack's templates, as the editor's list shows them. A label is made when its row is
    painted, so opening a pack, adding or removing a template costs the same at 50 templates
    as at 50,000 (an item per template, refilled at each change: 0.1-0.7 s at 5,000). Shown
    in a one-column table: a QListView lays out every row, asking this model for its row
    count twice per row (200,000 calls into Python at 50,000 templates; a table, 62)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc: dict = {}

    def templates(self) -> list[dict]:
        return self.doc.get("templates", [])

    def show(self, doc: dict) -> None:
        self.beginResetModel()
        self.doc = doc
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.templates())

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and index.isValid() and index.row() < len(self.templates()):
            return template_label(self.templates()[index.row()])
        return None

    def insert(self, row: int, change) -> None:
        """``change()`` puts one template at ``row`` of the document."""
        self.beginInsertRows(QModelIndex(), row, row)
        change()
        self.endInsertRows()

    def remove(self, row: int, change) -> None:
        """``change()`` takes the template at ``row`` out of the document."""
        self.beginRemoveRows(QModelIndex(), row, row)
        change()
        self.endRemoveRows()

    def changed(self, row: int) -> None:
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.DisplayRole])


class PackEditor(QDialog):
    export_finished = Signal(bool)  # written or not (the lead was told why)
    opened = Signal(bool)  # a pack file was read and shown, or not (the lead was told why)

    def __init__(self, services=None, parent=None, now=utc_now):
        super().__init__(parent)
        self._exporting = False
        self.exported: Path | None = None
        self.services = services
        self.now = now
        self.setObjectName("pack-editor")
        self.setWindowTitle(_("Pack editor"))
        self.path: Path | None = None
        self.doc = editing.new_document("team.replies", _("Team replies"), _("Support team"),
                                        ["en", "es"], now())
        self.index = 0
        self._loading = False
        self.validate_timer = QTimer(self)
        self.validate_timer.setSingleShot(True)
        self.validate_timer.setInterval(VALIDATE_DELAY_MS)
        self.validate_timer.timeout.connect(self.validate_later)
        self._checking = 0  # the latest check of the whole pack asked for
        self._build()
        self.load_document(self.doc)
        self.resize(980, 720)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QGridLayout()  # two rows of three: fits beside the CRM (ui.narrow)
        for index, (text, slot) in enumerate((
                (_("New"), self.new_pack), (_("Open…"), self.open_file), (_("Validate"), self.validate_later),
                (_("Export…"), self.export), (_("Sign and export…"), self.sign_and_export))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            bar.addWidget(button, index // 3, index % 3)
            setattr(self, f"button_{text.rstrip('…').lower().replace(' ', '_')}", button)
        bar.setColumnStretch(3, 1)
        outer.addLayout(bar)

        form = QFormLayout()
        self.pack_id = QLineEdit()
        self.pack_title = QLineEdit()
        self.publisher = QLineEdit()
        self.version = QSpinBox()
        self.version.setRange(1, 2_000_000_000)
        self.languages = QLineEdit()
        self.languages.setPlaceholderText("en, es, fr, de, pt_BR")
        self.default_language = QComboBox()
        self.release_notes = QLineEdit()
        row = QHBoxLayout()
        row.addWidget(self.pack_id, 2)
        row.addWidget(QLabel(_("Version")))
        row.addWidget(self.version)
        form.addRow(_("Pack id"), row)
        form.addRow(_("Title"), self.pack_title)
        form.addRow(_("Publisher"), self.publisher)
        langs = QHBoxLayout()
        langs.addWidget(self.languages, 2)
        langs.addWidget(QLabel(_("Default")))
        langs.addWidget(self.default_language)
        form.addRow(_("Languages"), langs)
        form.addRow(_("Release notes"), self.release_notes)
        outer.addLayout(form)
        for widget in (self.pack_id, self.pack_title, self.publisher, self.release_notes):
            widget.textEdited.connect(self._pack_changed)
        self.version.valueChanged.connect(self._pack_changed)
        self.languages.editingFinished.connect(self._languages_changed)
        self.default_language.currentIndexChanged.connect(self._pack_changed)

        splitter = QSplitter(Qt.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.template_model = TemplateListModel(self)
        self.template_list = QTableView()
        self.template_list.setAccessibleName(_("Templates"))
        self.template_list.setModel(self.template_model)
        self.template_list.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.template_list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.template_list.setShowGrid(False)
        self.template_list.setWordWrap(False)
        self.template_list.horizontalHeader().hide()
        self.template_list.horizontalHeader().setStretchLastSection(True)
        self.template_list.verticalHeader().hide()
        self.template_list.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.template_list.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._template_selected(current.row()))
        left_layout.addWidget(self.template_list, 1)
        buttons = QHBoxLayout()
        for text, slot in ((_("Add"), self.add_template), (_("Duplicate"), self.duplicate_template),
                           (_("Remove"), self.remove_template)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        left_layout.addLayout(buttons)
        splitter.addWidget(left)

        right = QWidget()
        grid = QVBoxLayout(right)
        grid.setContentsMargins(0, 0, 0, 0)
        tform = QFormLayout()
        self.template_id = QLineEdit()
        self.shortcut = QLineEdit()
        self.shortcut.setPlaceholderText(";refund")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText(_("refund, billing"))
        self.locked = QCheckBox(_("Locked: agents cannot edit it"))
        ids = QHBoxLayout()
        ids.addWidget(self.template_id, 2)
        ids.addWidget(QLabel(_("Shortcut")))
        ids.addWidget(self.shortcut, 1)
        tform.addRow(_("Template id"), ids)
        tags = QHBoxLayout()
        tags.addWidget(self.tags, 2)
        tags.addWidget(self.locked)
        tform.addRow(_("Tags"), tags)
        self.variant_language = QComboBox()
        self.variant_language.setAccessibleName(_("Language of the text"))
        self.variant_title = QLineEdit()
        title_row = QHBoxLayout()
        title_row.addWidget(self.variant_language)
        title_row.addWidget(self.variant_title, 1)
        tform.addRow(_("Title"), title_row)
        grid.addLayout(tform)
        texts = QSplitter(Qt.Horizontal)
        self.body = QPlainTextEdit()
        self.body.setAccessibleName(_("Reply text"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(_("Preview with sample values"))
        for label, widget in ((_("Text ({{name}} for values)"), self.body),
                              (_("Preview with sample values"), self.preview)):
            column = QWidget()
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            caption = QLabel(label)
            caption.setTextFormat(Qt.PlainText)
            column_layout.addWidget(caption)
            column_layout.addWidget(widget, 1)
            texts.addWidget(column)
        grid.addWidget(texts, 3)
        self.preview_note = QLabel()
        self.preview_note.setTextFormat(Qt.PlainText)
        grid.addWidget(self.preview_note)
        self.variables = QTableWidget(0, 4)
        self.variables.setAccessibleName(_("Values the agent fills in"))
        self.variables.setHorizontalHeaderLabels([_("Name"), _("Label"), _("Type"), _("Required")])
        fit_columns(self.variables, fit=(2, 3))
        self.variables.setMaximumHeight(100)
        grid.addWidget(self.variables)
        var_buttons = QHBoxLayout()
        add_var = QPushButton(_("Add value"))
        add_var.clicked.connect(self.add_variable)
        del_var = QPushButton(_("Remove value"))
        del_var.clicked.connect(self.remove_variable)
        var_buttons.addWidget(add_var)
        var_buttons.addWidget(del_var)
        var_buttons.addStretch(1)
        grid.addLayout(var_buttons)
        splitter.addWidget(right)
        splitter.setSizes([260, 700])
        outer.addWidget(splitter, 1)
        stack_when_narrow(self, [splitter, texts])

        self.problems = QListWidget()
        self.problems.setAccessibleName(_("Problems"))
        self.problems.setMaximumHeight(90)
        self.problems.itemActivated.connect(self._problem_activated)
        outer.addWidget(self.problems)

        for widget in (self.template_id, self.shortcut, self.tags, self.variant_title):
            widget.textEdited.connect(self._template_changed)
        self.locked.toggled.connect(self._template_changed)
        self.body.textChanged.connect(self._template_changed)
        self.variant_language.currentIndexChanged.connect(self._language_selected)
        self.variables.itemChanged.connect(self._template_changed)

    # -- document <-> widgets ------------------------------------------------------
    def load_document(self, doc: dict) -> None:
        self.doc = doc
        self._loading = True
        self.pack_id.setText(doc.get("id", ""))
        self.pack_title.setText(doc.get("title", ""))
        self.publisher.setText(doc.get("publisher", ""))
        self.version.setValue(int(doc.get("version") or 1))
        self.release_notes.setText(doc.get("release_notes", ""))
        self.languages.setText(", ".join(doc.get("languages", [])))
        self._fill_language_boxes()
        self._loading = False
        self.template_model.show(doc)
        self._select_row(0)
        self._template_selected(self.current_row())
        # checked once the pack is painted: the check's worker, started before the paint,
        # made each call from the paint into Python wait its turn (45 ms at 19,000 templates)
        QTimer.singleShot(0, self, self.validate_later)

    def _fill_language_boxes(self) -> None:
        languages = self.doc.get("languages", [])
        for box, current in ((self.default_language, self.doc.get("default_language")),
                             (self.variant_language, self.variant_language.currentData())):
            box.blockSignals(True)
            box.clear()
            for lang in languages:
                box.addItem(lang, lang)
            if current in languages:
                box.setCurrentIndex(languages.index(current))
            box.blockSignals(False)

    def current_row(self) -> int:
        return self.template_list.currentIndex().row()

    def _select_row(self, row: int) -> None:
        """Select the template at ``row`` (the nearest one there is); its editor follows."""
        row = min(row, self.template_model.rowCount() - 1)
        self.template_list.setCurrentIndex(self.template_model.index(row) if row >= 0 else QModelIndex())

    def current_template(self) -> dict | None:
        templates = self.doc.get("templates", [])
        return templates[self.index] if 0 <= self.index < len(templates) else None

    def _template_selected(self, row: int) -> None:
        self.index = row
        template = self.current_template()
        self._loading = True
        for widget in (self.template_id, self.shortcut, self.tags, self.variant_title, self.body, self.locked,
                       self.variables, self.variant_language):
            widget.setEnabled(template is not None)
        if template is not None:
            self.template_id.setText(template.get("id", ""))
            self.shortcut.setText(template.get("shortcut") or "")
            self.tags.setText(", ".join(template.get("tags") or []))
            self.locked.setChecked(bool(template.get("locked")))
            self._fill_variables(template)
        self._loading = False
        self._language_selected()

    def _language_selected(self, *_args) -> None:
        template = self.current_template()
        language = self.variant_language.currentData()
        self._loading = True
        variant = (template or {}).get("variants", {}).get(language, {})
        self.variant_title.setText(variant.get("title", ""))
        self.body.setPlainText(variant.get("body", ""))
        self._loading = False
        self.update_preview()

    def _fill_variables(self, template: dict) -> None:
        self.variables.blockSignals(True)
        specs = template.get("variables") or {}
        self.variables.setRowCount(len(specs))
        for row, (name, spec) in enumerate(specs.items()):
            self.variables.setItem(row, 0, QTableWidgetItem(name))
            self.variables.setItem(row, 1, QTableWidgetItem(spec.get("label", "")))
            self.variables.setItem(row, 2, QTableWidgetItem(spec.get("type", "text")))
            required = QTableWidgetItem()
            required.setFlags(Qt.ItemIsUserCheckable | Qt.ItemIsEnabled)
            required.setCheckState(Qt.Checked if spec.get("required") else Qt.Unchecked)
            self.variables.setItem(row, 3, required)
        self.variables.blockSignals(False)

    def _read_variables(self) -> dict:
        specs = {}
        for row in range(self.variables.rowCount()):
            cells = [self.variables.item(row, c) for c in range(4)]
            name = cells[0].text().strip() if cells[0] else ""
            if not name:
                continue
            kind = cells[2].text().strip() if cells[2] else "text"
            spec = {"label": cells[1].text() if cells[1] else name, "type": kind or "text",
                    "required": bool(cells[3] and cells[3].checkState() == Qt.Checked)}
            old = (self.current_template() or {}).get("variables", {}).get(name, {})
            for key in ("default", "choices"):
                if key in old:
                    spec[key] = old[key]
            specs[name] = spec
        return specs

    # -- edits ---------------------------------------------------------------------
    def _pack_changed(self, *_args) -> None:
        if self._loading:
            return
        self.doc["id"] = self.pack_id.text().strip()
        self.doc["title"] = self.pack_title.text()
        self.doc["publisher"] = self.publisher.text()
        self.doc["version"] = self.version.value()
        notes = self.release_notes.text()
        if notes:
            self.doc["release_notes"] = notes
        else:
            self.doc.pop("release_notes", None)
        if self.default_language.currentData():
            self.doc["default_language"] = self.default_language.currentData()
        self.validate_timer.start()

    def _languages_changed(self) -> None:
        if self._loading:
            return
        try:
            languages = editing.parse_languages(self.languages.text())
        except editing.EditError as exc:
            self.problems.clear()
            self.problems.addItem(str(exc))
            return
        editing.set_languages(self.doc, languages)
        self._fill_language_boxes()
        self._language_selected()
        self.validate_timer.start()

    def _template_changed(self, *_args) -> None:
        template = self.current_template()
        if self._loading or template is None:
            return
        # an edited copy replaces the template, which a check or an export on a thread may
        # still be reading (see frozen_copy)
        template = copy.deepcopy(template)
        self.doc["templates"][self.index] = template
        template["id"] = self.template_id.text().strip()
        template["shortcut"] = self.shortcut.text().strip() or None
        template["tags"] = [t.strip() for t in self.tags.text().split(",") if t.strip()]
        template["locked"] = self.locked.isChecked()
        variables = self._read_variables()
        if variables:
            template["variables"] = variables
        else:
            template.pop("variables", None)
        language = self.variant_language.currentData()
        if language:
            editing.set_variant(template, language, self.variant_title.text(), self.body.toPlainText())
        self.template_model.changed(self.index)
        self.update_preview()
        self.validate_timer.start()

    def add_template(self) -> None:
        row = self.template_model.rowCount()
        self.template_model.insert(row, lambda: editing.add_template(self.doc, _("New reply")))
        self._select_row(row)
        self.validate_timer.start()

    def duplicate_template(self) -> None:
        if self.current_template() is None:
            return
        row = self.index
        self.template_model.insert(row + 1, lambda: editing.duplicate_template(self.doc, row))
        self._select_row(row + 1)
        self.validate_timer.start()

    def remove_template(self) -> None:
        if self.current_template() is None:
            return
        row = self.index
        self.template_model.remove(row, lambda: editing.remove_template(self.doc, row))
        self._select_row(row)  # the next one, or the last
        self._template_selected(self.current_row())
        self.validate_timer.start()

    def add_variable(self) -> None:
        row = self.variables.rowCount()
        self.variables.blockSignals(True)
        self.variables.insertRow(row)
        self.variables.setItem(row, 0, QTableWidgetItem(f"value{row + 1}"))
        self.variables.setItem(row, 1, QTableWidgetItem(_("Value")))
        self.variables.setItem(row, 2, QTableWidgetItem("text"))
        required = QTableWidgetItem()
        required.setFlags(Qt.ItemIsUserCheckable | Qt.ItemIsEnabled)
        required.setCheckState(Qt.Unchecked)
        self.variables.setItem(row, 3, required)
        self.variables.blockSignals(False)
        self._template_changed()

    def remove_variable(self) -> None:
        row = self.variables.currentRow()
        if row >= 0:
            self.variables.removeRow(row)
            self._template_changed()

    def update_preview(self) -> None:
        template = self.current_template()
        language = self.variant_language.currentData()
        if template is None or language is None:
            self.preview.setPlainText("")
            self.preview_note.setText("")
            return
        text, unresolved = editing.preview(template, language)
        self.preview.setPlainText(textsafety.visible(text))
        self.preview_note.setText(_("Not filled: {names}").format(names=", ".join(unresolved)) if unresolved else "")

    # -- validate, open, export ----------------------------------------------------
    def validate(self) -> list[fmt.Problem]:
        """Check the whole pack now, as an install would, and list what is wrong."""
        self.validate_timer.stop()
        self._checking += 1  # a check on its way is out of date
        problems = document_problems(self.doc)
        self._show_problems(problems)
        return problems

    def frozen_copy(self) -> dict:
        """The document as it is now, for a check or an export on a thread while the lead
        goes on editing: the pack's own fields copied, its templates shared. The editor never
        changes a template in place (:meth:`_template_changed` replaces it with an edited
        copy), so a shared one stays as it was. 0.4 ms at 50,000 templates, where a whole copy
        made with marshal held the GUI thread 63 ms at each pause in typing."""
        return {key: list(value) if key == "templates" else copy.deepcopy(value) for key, value in self.doc.items()}

    def validate_later(self) -> None:
        """:meth:`validate` on the worker (on opening a pack, after each pause in editing,
        the Validate button): at 5,000 templates a check takes 0.18 s, which the GUI thread
        does not wait for. It checks :meth:`frozen_copy`, so edits meanwhile do not race it;
        a check that a later one replaced is not shown."""
        self.validate_timer.stop()
        self._checking += 1
        checking = self._checking
        frozen = self.frozen_copy()

        def check():
            # a check still queued when a later one was asked is skipped: at 50,000 templates
            # each takes seconds of the one worker, beside the lead's typing
            return checking, document_problems(frozen) if checking == self._checking else None

        run_in_pool(check, self._checked, self._check_failed,
                    pool=self.services.pool if self.services is not None else None)

    def _checked(self, result) -> None:
        checking, problems = result
        if checking == self._checking and problems is not None:
            self._show_problems(problems)

    def _check_failed(self, exc: Exception) -> None:
        log.error("Checking the pack failed: %s", exc)  # a bug: Export checks again, here
        self.problems.clear()
        self.problems.addItem(_("The pack could not be checked: {error}").format(error=exc))

    def _show_problems(self, problems: list[fmt.Problem]) -> None:
        self.problems.clear()
        for problem in problems:
            item = QListWidgetItem(f"{problem.severity}: {problem}")
            item.setData(Qt.UserRole, problem.template)
            self.problems.addItem(item)
        if not problems:
            self.problems.addItem(_("No problems: ready to export."))
        self.current_problems = problems

    def _problem_activated(self, item: QListWidgetItem) -> None:
        template_id = item.data(Qt.UserRole)
        for row, template in enumerate(self.doc.get("templates", [])):
            if template.get("id") == template_id:
                self._select_row(row)
                return

    def new_pack(self) -> None:
        self.path = None
        self.load_document(editing.new_document("team.replies", _("Team replies"), _("Support team"),
                                                ["en", "es"], self.now()))

    def open_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Open a pack"), "",
                                                    _("Template packs (*.agentpack.json);;All files (*)"))
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        """Read and parse the pack file on a thread of its own (110 ms at 5,000 templates,
        the cap's 14 MB in about 0.4 s), then show it; ``opened`` says whether it was."""
        def read():
            try:
                return path, fmt.parse(fmt.read_capped(path)), None
            except (fmt.PackRejected, OSError) as exc:  # anything else is a bug: the error report
                return path, None, exc

        run_in_thread(read, self._read, name="pack open")

    def _read(self, result) -> None:
        path, doc, problem = result
        if problem is not None:
            plain_message(self, QMessageBox.Warning, _("Open a pack"), _("Cannot open {name}: {error}").format(
                name=path.name, error=problem))
            self.opened.emit(False)
            return
        self.path = path
        doc.setdefault("templates", [])
        self.load_document(doc)
        self.opened.emit(True)

    def _export_target(self) -> Path | None:
        suggested = str(self.path or Path.home() / build.default_output_name(self.doc))
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the pack"), suggested,
                                                    _("Template packs (*.agentpack.json)"))
        return Path(path) if path else None

    def export(self) -> None:
        target = self._export_target()
        if target is not None:
            self.export_to(target)

    def export_to(self, target: Path, secret_key: Path | None = None, password: str | None = None) -> None:
        """Check, sign (with ``secret_key``) and write the pack on a thread of its own: 1.4 s
        at 5,000 templates on the GUI thread (the copy 0.3 s, the canonical JSON 0.9 s, the
        check 0.5 s). It writes :meth:`frozen_copy`, so edits meanwhile do not race it;
        ``export_finished`` says whether it was written. One export at a time."""
        if self._exporting:
            return
        data, stamp = self.frozen_copy(), build.created_stamp(self.now())

        def work():
            data["created"] = stamp
            build.write_pack(data, target, secret_key, password)
            return target, data.get("publisher_key_id"), secret_key is not None

        self._set_exporting(True)
        run_in_thread(work, self._exported, self._export_failed, name="pack export")

    def _set_exporting(self, busy: bool) -> None:
        self._exporting = busy
        for button in (self.button_export, self.button_sign_and_export):
            button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.BusyCursor)
        else:
            self.unsetCursor()

    def _exported(self, result) -> None:
        target, key_id, signed = result
        self._set_exporting(False)
        self.doc["publisher_key_id"] = key_id
        self.path = self.exported = target
        if signed:
            plain_message(self, QMessageBox.Information, _("Sign"), _("Signed and written: {path}").format(path=target))
        self.export_finished.emit(True)

    def _export_failed(self, exc: Exception) -> None:
        self._set_exporting(False)
        if isinstance(exc, fmt.PackRejected):
            self.validate_later()
            message = _("The pack has problems and was not written:\n{error}").format(error=exc)
        elif isinstance(exc, (signing.SignatureError, OSError)):
            message = _("The pack was not written: {error}").format(error=exc)
        else:
            self.export_finished.emit(False)
            raise exc  # a bug: the window's error report logs it and tells the lead
        plain_message(self, QMessageBox.Warning, _("Export"), message)
        self.export_finished.emit(False)

    def sign_and_export(self) -> None:
        key, _filter = QFileDialog.getOpenFileName(self, _("Your secret key"), "", _("Secret keys (*.key);;All files (*)"))
        if not key:
            return
        password = None
        try:
            if signing.secret_key_is_encrypted(Path(key)):
                password, ok = plain_password(self, _("Secret key"), _("Password for {name}:").format(
                    name=Path(key).name))
                if not ok:
                    return
        except signing.SignatureError as exc:
            plain_message(self, QMessageBox.Warning, _("Sign"), str(exc))
            return
        target = self._export_target()
        if target is not None:
            self.export_to(target, Path(key), password)
