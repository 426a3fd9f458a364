"""Rules behind the pack editor: languages, ids, variants, grouped problems, preview."""

from __future__ import annotations

import pytest

from assistant.packs import editing


def test_languages_are_normalised_and_checked():
    assert editing.parse_languages("en, ES  pt-br;ar") == ["en", "es", "pt_BR", "ar"]
    with pytest.raises(editing.EditError, match="'english' is not a language code"):
        editing.parse_languages("en, english")
    with pytest.raises(editing.EditError, match="at least one"):
        editing.parse_languages(" , ")


def test_template_ids_are_unique_and_namespaced(now):
    doc = editing.new_document("acme.support", "ACME", "ACME", ["en", "es"], now)
    first = editing.add_template(doc)
    second = editing.add_template(doc)
    assert first["id"] == "acme.support.reply" and second["id"] == "acme.support.reply-2"
    copy = editing.duplicate_template(doc, 0)
    assert copy["id"] == "acme.support.thanks-copy" and copy["shortcut"] is None
    editing.remove_template(doc, 1)
    assert [t["id"] for t in doc["templates"]] == ["acme.support.thanks", "acme.support.reply", "acme.support.reply-2"]


def test_set_languages_keeps_a_valid_default(now):
    doc = editing.new_document("acme.support", "ACME", "ACME", ["en", "es"], now)
    editing.set_languages(doc, ["fr", "de"])
    assert doc["default_language"] == "fr"


def test_problems_are_grouped_by_template_and_preview_uses_sample_values(now):
    doc = editing.new_document("acme.support", "ACME", "ACME", ["en", "es"], now)
    template = doc["templates"][0]
    editing.set_variant(template, "en", "Thanks", "{{greeting}} {{customer_first_name}}, order {{order_id}}: {{nope}}")
    grouped, general = editing.problems_by_template(doc)
    assert [p.message for p in grouped["acme.support.thanks"]] == [
        "placeholder '{{nope}}' is not declared in variables and is not a built-in value"]
    assert general == []
    text, unresolved = editing.preview(template, "en")
    assert text == "Good morning Ana, order A-10023: {{nope}}" and unresolved == ["nope"]
    template["variables"] = {"amount": {"label": "Amount", "type": "text"}}
    editing.set_variant(template, "es", "Gracias", "{{greeting}}: {{amount}}")
    assert editing.preview(template, "es") == ("Buenos días: [Amount]", [])
    editing.set_variant(template, "es", "", "")
    assert "es" not in template["variants"]
