"""Qt's own translations (standard dialogs, context menus of text fields, buttons of message
boxes) in the UI language, from the qtbase_*.qm catalogues PySide6 ships."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

_installed: list[QTranslator] = []


def qt_translations_dir() -> Path:
    """Where qtbase_*.qm live: Qt's configured path, else PySide6's folder (frozen bundles)."""
    configured = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if any(configured.glob("qtbase_*.qm")):
        return configured
    import PySide6

    return Path(PySide6.__file__).resolve().parent / "Qt" / "translations"


def install_qt_translations(app: QApplication, language: str) -> bool:
    """Load qtbase for ``language`` (``pt_BR`` falls back to ``pt``); True if one was found.
    Also sets the default QLocale so Qt's own number and date widgets follow the UI language."""
    QLocale.setDefault(QLocale(language))
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language.startswith("en"):
        return True
    translator = QTranslator(app)
    folder = str(qt_translations_dir())
    for name in (f"qtbase_{language}", f"qtbase_{language.split('_')[0]}"):
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
            return True
    return False
