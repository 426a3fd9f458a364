"""Settings (Ctrl+,): UI language, the agent's name and company for templates (the same
settings the Replies panel fills, ``profile.agent_name``/``profile.company``), the agent's
own time zone and the country for phone numbers typed without +code, and the deployment
policy in force, read-only (IT sets it; see docs/deployment.md).

Every value goes through the settings registry (assistant.settings): all are checked before
any is stored, a refused one is explained here and nothing changes; what changed is announced
in the hall (``settings_changed``), so the clock, the queue and the replies follow at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel,
                               QLineEdit, QVBoxLayout)

from assistant import APP_NAME, i18n, settings
from assistant.clock.agent import SETTING as AGENT_ZONE_KEY
from assistant.clock.agent import agent_zone, system_zone
from assistant.clock.resolve import country_name
from assistant.clock.zones import countries, country_of_zone
from assistant.customer.session import DEFAULT_REGION_SETTING
from assistant.i18n import _
from assistant.policy import Policy
# the keys reply templates read {{agent_name}} and {{company}} from: one source of truth
from assistant.templates.values import AGENT_NAME_KEY, COMPANY_KEY
from ui.theme import set_error_style
from ui.widgets import plain_label, zone_completer

MAX_FIELD = 120


def language_name(code: str) -> str:
    """A language in its own words ("Deutsch", "português (Brasil)"), as agents look for it."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def region_choices(language: str) -> list[tuple[str, str]]:
    """(name, code) of every country with a time zone, named in the UI language, by name."""
    from assistant.fuzzy import fold

    named = [(country_name(code, language), code) for code in countries()]
    return sorted(named, key=lambda item: fold(item[0]))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def policy_rows(policy: Policy, data_dir=None) -> list[tuple[str, str]]:
    """The policy in force as (label, value) lines, in the UI language."""
    unset = _("(not set)")
    rows = [
        (_("Policy files"), "\n".join(policy.sources) or _("None: built-in defaults")),
        (_("Downloads allowed"), _yes_no(policy.allow_downloads)),
        (_("Signed packs required"), _yes_no(policy.require_signatures)),
        (_("Older pack versions allowed"), _yes_no(policy.allow_downgrade)),
        (_("Translation history allowed"), _yes_no(policy.allow_translation_history)),
        (_("Global shortcuts allowed"), _yes_no(policy.allow_global_shortcuts)),
        (_("Pasting into other applications allowed"), _yes_no(policy.allow_synthetic_paste)),
        (_("Links may set the customer"), _yes_no(policy.allow_link_handler)),
        (_("Trusted publisher keys"), ", ".join(policy.describe()["trusted_key_ids"]) or _("None")),
        (_("Only the policy's keys trusted"), _yes_no(policy.trust_only_policy_keys)),
        (_("Pack inbox folder"), policy.pack_inbox or unset),
        (_("Shared translation models"), policy.shared_models_dir or unset),
        (_("Data folder (policy)"), policy.data_dir or unset),
    ]
    if data_dir is not None:
        rows.append((_("Data folder in use"), str(data_dir.path)))
    return rows


class SettingsDialog(QDialog):
    def __init__(self, services, parent=None):
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(_("Settings"))
        self.setObjectName("settings-dialog")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)  # paths and key ids fit
        db = services.db
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language"))
        system = i18n.best_match(None)
        self.language.addItem(_("System default ({language})").format(language=language_name(system)), None)
        for code in i18n.SUPPORTED:
            self.language.addItem(language_name(code), code)
        saved = settings.get(db, "ui.language")
        index = self.language.findData(saved) if saved else 0
        self.language.setCurrentIndex(max(index, 0))
        form.addRow(_("&Language:"), self.language)

        self.agent_name = QLineEdit(settings.get(db, AGENT_NAME_KEY))
        self.agent_name.setMaxLength(MAX_FIELD)
        self.agent_name.setAccessibleName(_("Your name"))
        self.agent_name.setPlaceholderText(_("Used in reply templates"))
        form.addRow(_("Your &name:"), self.agent_name)
        self.company = QLineEdit(settings.get(db, COMPANY_KEY))
        self.company.setMaxLength(MAX_FIELD)
        self.company.setAccessibleName(_("Company"))
        self.company.setPlaceholderText(_("Used in reply templates"))
        form.addRow(_("&Company:"), self.company)

        self.agent_zone = QLineEdit(settings.get(db, AGENT_ZONE_KEY) or "")
        self.agent_zone.setAccessibleName(_("Your time zone"))
        self.agent_zone.setPlaceholderText(_("This computer's: {zone}").format(zone=system_zone()))
        self.agent_zone.setToolTip(_("Leave empty to follow this computer. Type a city or region "
                                     "to find a zone, e.g. Europe/Berlin."))
        self.agent_zone.setCompleter(zone_completer(self.agent_zone))
        form.addRow(_("Your &time zone:"), self.agent_zone)

        language = i18n.current_language()
        self.region = QComboBox()
        self.region.setAccessibleName(_("Country for phone numbers without +code"))
        # unset: the country of the agent's zone (assistant.customer.session.default_region)
        zone_country = country_of_zone(agent_zone(db))
        self.region.addItem(_("Your time zone's ({country})").format(
            country=country_name(zone_country, language)) if zone_country else _("None"), None)
        for name, code in region_choices(language):
            self.region.addItem(f"{name} ({code})", code)
        saved_region = settings.get(db, DEFAULT_REGION_SETTING)
        self.region.setCurrentIndex(max(self.region.findData(saved_region), 0) if saved_region else 0)
        self.region.setToolTip(_("Phone numbers typed without +country code are read as numbers "
                                 "of this country."))
        form.addRow(_("&Default country:"), self.region)

        from assistant.clock import hours

        self.hour_cycle = QComboBox()
        self.hour_cycle.setAccessibleName(_("Clock"))
        self.hour_cycle.addItem(_("As the language writes it ({example})").format(
            example=_("24-hour") if hours.locale_uses_24_hours(language) else _("12-hour")), None)
        self.hour_cycle.addItem(_("12-hour (1:00 PM)"), "12")
        self.hour_cycle.addItem(_("24-hour (13:00)"), "24")
        self.hour_cycle.setCurrentIndex(max(self.hour_cycle.findData(settings.get(db, hours.SETTING)), 0))
        self.hour_cycle.setToolTip(_("Every time the app shows you: the customer's clock, yours, "
                                     "the queue and the converter."))
        form.addRow(_("C&lock:"), self.hour_cycle)
        for row in range(form.rowCount()):  # so &-mnemonics move focus to the field
            label = form.itemAt(row, QFormLayout.LabelRole)
            field = form.itemAt(row, QFormLayout.FieldRole)
            if label and field and isinstance(label.widget(), QLabel):
                label.widget().setBuddy(field.widget())
        layout.addLayout(form)

        from ui.shortcut_settings import ShortcutSettings

        self.shortcuts = ShortcutSettings(services, getattr(parent, "global_keys", None))
        layout.addWidget(self.shortcuts)

        policy = services.runtime.policy
        box = QGroupBox(_("Deployment policy (set by IT, read-only)"))
        box_layout = QFormLayout(box)
        if policy.errors:
            warning = QLabel(_("The policy file has errors, so the safest settings apply:") + "\n"
                             + "\n".join(policy.errors))
            warning.setTextFormat(Qt.PlainText)
            warning.setWordWrap(True)
            warning.setObjectName("policy-errors")
            font = warning.font()
            font.setBold(True)
            warning.setFont(font)
            box_layout.addRow(warning)
        self.policy_labels: dict[str, QLabel] = {}
        for label, value in policy_rows(policy, services.runtime.data_dir):
            value_label = QLabel(value)
            value_label.setTextFormat(Qt.PlainText)
            value_label.setWordWrap(True)
            value_label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
            value_label.setAccessibleName(label)
            box_layout.addRow(label, value_label)
            self.policy_labels[label] = value_label
        layout.addWidget(box)

        self.note = QLabel("")
        self.note.setTextFormat(Qt.PlainText)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error = plain_label("", "settings-error")
        set_error_style(self.error)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.language.currentIndexChanged.connect(self._language_changed)

    def _language_changed(self) -> None:
        chosen = self.language.currentData()
        effective = i18n.best_match(chosen)
        if effective != i18n.current_language():
            self.note.setText(_("{app} uses the new language the next time it starts.").format(app=APP_NAME))
        else:
            self.note.setText("")

    def values(self) -> dict:
        return {"ui.language": self.language.currentData(),
                AGENT_NAME_KEY: self.agent_name.text(),
                COMPANY_KEY: self.company.text(),
                AGENT_ZONE_KEY: self.agent_zone.text().strip() or None,
                DEFAULT_REGION_SETTING: self.region.currentData(),
                "clock.hour_cycle": self.hour_cycle.currentData(),
                **self.shortcuts.values()}

    def save(self) -> None:
        """Store everything, or (one value refused) nothing and say why."""
        try:
            self.services.put_settings(self.values())
        except settings.SettingError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
