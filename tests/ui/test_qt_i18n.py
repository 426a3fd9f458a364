"""Qt's own strings (standard buttons, text-field menus) follow the UI language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from ui.qt_i18n import install_qt_translations, qt_translations_dir


@pytest.fixture
def restore_english(qapp):
    yield qapp
    install_qt_translations(qapp, "en")


@pytest.mark.parametrize("language, cancel", [("de", "Abbrechen"), ("fr", "Annuler"), ("es", "Cancelar"),
                                              ("pt_BR", "Cancelar"), ("ar", "ألغِ")])
def test_standard_buttons_are_translated(restore_english, language, cancel):
    assert install_qt_translations(restore_english, language)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == cancel
    assert QLocale().name().startswith(language.split("_")[0])


def test_language_without_qt_catalogue_keeps_english(restore_english):
    assert install_qt_translations(restore_english, "hi") is False  # Qt ships no qtbase_hi
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_switching_back_to_english_removes_the_translator(restore_english):
    install_qt_translations(restore_english, "de")
    install_qt_translations(restore_english, "en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert any(qt_translations_dir().glob("qtbase_de.qm"))


def test_arabic_lays_out_right_to_left():
    from PySide6.QtCore import Qt

    from ui.app import _direction

    assert _direction("ar") == Qt.RightToLeft
    assert _direction("hi") == Qt.LeftToRight and _direction("pt_BR") == Qt.LeftToRight
