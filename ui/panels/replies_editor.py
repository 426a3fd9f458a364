"""The dialog to create or edit a personal template: titles and bodies per language, tags,
shortcut, default language. Validation is the core model's; problems are listed as text.
Editing a team template saves a personal version (the caller explains it in ``notice``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from assistant.i18n import _
from assistant.templates.model import (LANG_RE, Template, TemplateError, declare_placeholders,
                                       normalize_language)

COMMON_LANGUAGES = ["en", "es", "fr", "de", "pt_BR", "it", "nl", "pt", "ar", "hi"]


class _VariantEditor(QWidget):
    def __init__(self, title: str, body: str, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        self.title = QLineEdit(title)
        self.title.setAccessibleName(_("Title"))
        self.body = QPlainTextEdit()
        self.body.setPlainText(body)
        self.body.setTabChangesFocus(True)
        self.body.setAccessibleName(_("Text"))
        self.body.setPlaceholderText(_("Use {{customer_first_name}}, {{order_id}}… for values "
                                       "filled in when you copy."))
        form.addRow(_("Title"), self.title)
        form.addRow(_("Text"), self.body)


class TemplateEditor(QDialog):
    """Edit ``template`` (a copy is made); ``result_template`` holds the valid result."""

    def __init__(self, template: Template, notice: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Reply template"))
        self.setObjectName("template-editor")
        self.original = template
        self.result_template: Template | None = None
        layout = QVBoxLayout(self)
        if notice:
            note = QLabel(notice)
            note.setTextFormat(Qt.PlainText)
            note.setWordWrap(True)
            note.setObjectName("editor-notice")
            layout.addWidget(note)

        form = QFormLayout()
        self.tags = QLineEdit(", ".join(template.tags))
        self.tags.setAccessibleName(_("Tags"))
        self.tags.setPlaceholderText(_("refund, billing"))
        self.shortcut = QLineEdit(template.shortcut or "")
        self.shortcut.setAccessibleName(_("Shortcut"))
        self.shortcut.setPlaceholderText(";refund")
        self.default_language = QComboBox()
        self.default_language.setAccessibleName(_("Default language"))
        form.addRow(_("Tags"), self.tags)
        form.addRow(_("Shortcut"), self.shortcut)
        form.addRow(_("Default language"), self.default_language)
        layout.addLayout(form)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Languages"))
        self.editors: dict[str, _VariantEditor] = {}
        # the default language first, then the others as stored
        for lang in sorted(template.variants, key=lambda code: code != template.default_language):
            variant = template.variants[lang]
            self._add_variant(lang, variant.title, variant.body)
        layout.addWidget(self.tabs, 1)

        row = QHBoxLayout()
        self.new_language = QComboBox()
        self.new_language.setEditable(True)
        self.new_language.setAccessibleName(_("Language to add"))
        self.new_language.addItems([c for c in COMMON_LANGUAGES if c not in self.editors])
        self.add_button = QPushButton(_("Add language"))
        self.add_button.clicked.connect(self.add_language)
        self.remove_button = QPushButton(_("Remove this language"))
        self.remove_button.clicked.connect(self.remove_language)
        row.addWidget(self.new_language, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout.addLayout(row)

        self.problems = QLabel("")
        self.problems.setTextFormat(Qt.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setObjectName("editor-problems")
        layout.addWidget(self.problems)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._refresh_default(template.default_language)
        self.resize(460, 480)

    def _add_variant(self, lang: str, title: str = "", body: str = "") -> None:
        editor = _VariantEditor(title, body)
        self.editors[lang] = editor
        self.tabs.addTab(editor, lang)

    def _refresh_default(self, keep: str | None = None) -> None:
        keep = keep or self.default_language.currentText()
        self.default_language.clear()
        self.default_language.addItems(list(self.editors))
        if keep in self.editors:
            self.default_language.setCurrentText(keep)

    def add_language(self) -> None:
        code = normalize_language(self.new_language.currentText())
        if not LANG_RE.match(code):
            self.problems.setText(_("'{code}' is not a language code such as en, es or pt_BR.").format(code=code))
            return
        if code in self.editors:
            self.tabs.setCurrentWidget(self.editors[code])
            return
        default = self.editors.get(self.default_language.currentText())
        self._add_variant(code, default.title.text() if default else "", default.body.toPlainText() if default else "")
        self._refresh_default()
        self.tabs.setCurrentWidget(self.editors[code])
        self.problems.setText("")

    def remove_language(self) -> None:
        if len(self.editors) <= 1:
            self.problems.setText(_("A template needs at least one language."))
            return
        index = self.tabs.currentIndex()
        lang = self.tabs.tabText(index)
        self.tabs.removeTab(index)
        self.editors.pop(lang).deleteLater()
        self._refresh_default()

    def build(self) -> Template:
        """The edited template (the names typed in its bodies declared); raises TemplateError
        with the validator's problems."""
        data = self.original.to_dict()
        data["tags"] = [t.strip() for t in self.tags.text().replace(";", ",").split(",") if t.strip()]
        data["shortcut"] = self.shortcut.text().strip() or None
        data["default_language"] = self.default_language.currentText()
        data["variants"] = {lang: {"title": e.title.text().strip(), "body": e.body.toPlainText()}
                            for lang, e in self.editors.items()}
        return Template.from_dict(declare_placeholders(data, drop_unused=True), origin="personal")

    def save(self) -> None:
        try:
            self.result_template = self.build()
        except TemplateError as exc:
            self.problems.setText("\n".join(str(p) for p in exc.problems[:8]))
            return
        self.accept()
