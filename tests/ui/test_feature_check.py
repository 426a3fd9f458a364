"""ui/feature_check.py: PySide6's per-module check answered from raw bytes (issue 18)."""

from __future__ import annotations

import importlib
import json
import linecache
import sys

from ui import feature_check


def test_in_place_and_answers_as_pyside6_does():
    import ui.widgets
    import ui.app  # noqa: F401  (installs it)

    feature = sys.modules["shibokensupport.feature"]
    assert feature_check.install() is True  # idempotent: already in place
    ours = feature._mod_uses_pyside
    original = ours.original
    for module in (ui.widgets, json, sys, feature_check, linecache):
        assert ours(module) == original(module), module.__name__
    assert ours(ui.widgets) is True and ours(json) is False and ours(sys) is False


def test_an_imported_module_source_is_not_kept_in_memory(tmp_path, monkeypatch):
    import ui.app  # noqa: F401

    module = tmp_path / "aa_fresh_module_for_feature_check.py"
    module.write_text("# uses PySide6 in a comment only\nVALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.clearcache()
    imported = importlib.import_module("aa_fresh_module_for_feature_check")
    try:
        feature = sys.modules["shibokensupport.feature"]
        # What PySide6's import hook calls for each new module. Called here, not left to the
        # hook: once the app has run in this process, PySide6 6.11 may have swapped its
        # ``__feature_import__`` for ``__lazy_import__``, which no longer asks at all.
        feature.pyside_feature_dict.pop(imported.__name__, None)
        feature.feature_imported(imported)
        assert feature.pyside_feature_dict.get(imported.__name__) == 0  # checked: uses it
        assert str(module) not in linecache.cache  # and its source not kept
    finally:
        sys.modules.pop("aa_fresh_module_for_feature_check", None)
