"""UI catalogues: compiled or compiled on the fly, English when missing or damaged."""

from __future__ import annotations

import os

import pytest

from assistant import i18n

PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: de\\n"

msgid "Quit"
msgstr "Beenden"

#, fuzzy
msgid "Menu"
msgstr "Falsch"
'''


@pytest.fixture
def locales(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "locales_path", lambda: tmp_path)
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    yield folder
    i18n.set_language("en")


def test_po_without_mo_is_compiled_in_memory_and_fuzzy_is_ignored(locales):
    (locales / "agent_assistant.po").write_text(PO, encoding="utf-8")
    assert i18n.has_catalogue("de")
    assert i18n.set_language("de") == "de"
    assert i18n._("Quit") == "Beenden"
    assert i18n._("Menu") == "Menu"  # a fuzzy guess is never shown


def test_compiled_mo_is_used_unless_the_po_is_newer(locales):
    po = locales / "agent_assistant.po"
    po.write_text(PO, encoding="utf-8")
    mo = locales / "agent_assistant.mo"
    mo.write_bytes(i18n.compile_po(po))
    po.write_text(PO.replace("Beenden", "Schließen"), encoding="utf-8")
    os.utime(mo, (1_000_000, 1_000_000))  # stale: the .po changed after compiling
    i18n.set_language("de")
    assert i18n._("Quit") == "Schließen"
    other = locales / "other.po"
    other.write_text(PO.replace("Beenden", "Verlassen"), encoding="utf-8")
    mo.write_bytes(i18n.compile_po(other))
    os.utime(po, (1_000_000, 1_000_000))  # the .mo is newer: it is used as compiled
    i18n.set_language("de")
    assert i18n._("Quit") == "Verlassen"


def test_missing_or_damaged_catalogue_falls_back_to_english(locales, caplog):
    assert not i18n.has_catalogue("fr")
    assert i18n.set_language("fr") == "fr"
    assert i18n._("Quit") == "Quit"
    (locales / "agent_assistant.mo").write_bytes(b"not a catalogue")
    i18n.set_language("de")
    assert i18n._("Quit") == "Quit"
    assert "cannot be loaded" in caplog.text


@pytest.mark.parametrize("requested, expected", [
    ("pt-BR", "pt_BR"), ("pt_PT", "pt_BR"), ("de_AT", "de"), ("ar_EG", "ar"), ("hi_IN", "hi"),
    ("ja_JP", "en"), ("fr", "fr"),
])
def test_best_match(requested, expected):
    assert i18n.best_match(requested) == expected


def test_system_language_from_environment(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "es_MX.UTF-8:en")
    assert i18n.system_language() == "es_MX"
    assert i18n.best_match(None) == "es"


def test_right_to_left():
    assert i18n.is_rtl("ar") and not i18n.is_rtl("hi") and not i18n.is_rtl("pt_BR")
