"""The one template validator: its rules beyond the model's tests, the warnings that do not
refuse, and the names the agent's own editor and imports declare.
(tests/assistant/packs/test_template_agreement.py checks that every entry point agrees.)"""

from __future__ import annotations

import pytest

from assistant import textsafety
from assistant.templates import store, validation
from assistant.templates.importers import read_csv, save_imported
from assistant.templates.model import Template, TemplateError, declare_placeholders


def sample(body: str = "Hi {{customer_first_name|}}", **changes) -> dict:
    data = {"id": "my.t", "default_language": "en", "variants": {"en": {"title": "T", "body": body}}}
    data.update(changes)
    return data


def test_a_warning_is_reported_and_does_not_refuse():
    data = sample("Total \u202e 10")
    found = validation.problems(data)
    assert [(p.path, p.severity) for p in found] == [("variants.en.body", "warning")]
    assert "RIGHT-TO-LEFT OVERRIDE" in found[0].message and "character 7" in found[0].message
    assert Template.from_dict(data).variants["en"].body == "Total \u202e 10"


@pytest.mark.parametrize("changes, path, message", [
    ({"tags": [" "]}, "tags[0]", "must not be empty"),
    ({"default_language": "pt-br", "variants": {"pt-br": {"title": "T", "body": "b"}}},
     "variants.pt-br", "(write 'pt_BR')"),
    ({"variables": {"amount": {"label": None}}}, "variables.amount.label", "must be text"),
    ({"sections": None}, "sections", "must be a list"),
    ({"variants": {"en": {"title": "Re\tfund", "body": "b"}}}, "variants.en.title", "a tab"),
    ({"variants": {"en": {"title": "T", "body": "{{ a.b }}"}}}, "variants.en.body", "is not a placeholder"),
    ({"origin": "team"}, "origin", "unknown field"),  # storage only: the model takes it off
])
def test_rules_the_model_did_not_have(changes, path, message):
    found = validation.errors(validation.problems(sample(**changes)))
    assert any(p.path == path and message in p.message for p in found), found


def test_the_model_takes_the_stored_origin_off_before_judging():
    assert Template.from_dict(sample(origin="team")).origin == "team"
    with pytest.raises(TemplateError, match="origin"):
        Template.from_dict(sample(origin="robot"))


def test_field_kinds_are_the_pack_s_kinds():
    from assistant.packs import format as fmt

    for path, kind in [(("id",), textsafety.IDENTIFIER), (("shortcut",), textsafety.IDENTIFIER),
                       (("tags", 0), textsafety.NAME), (("variants", "en", "title"), textsafety.NAME),
                       (("variants", "en", "body"), textsafety.TEXT),
                       (("variables", "x", "default"), textsafety.TEXT),
                       (("variables", "x", "type"), textsafety.IDENTIFIER),
                       (("variables", "x", "choices", "en", 0), textsafety.NAME),
                       (("sections", 0, "id"), textsafety.IDENTIFIER), (("sections", 0, "label"), textsafety.NAME)]:
        assert validation.field_kind(path) == kind == fmt._kind_for(("templates", 3, *path)), path


def test_declare_placeholders_adds_text_fields_and_drops_unused_ones():
    data = sample("{{greeting}} {{amount}} {{#s}}{{order_ref}}{{/s}}", sections=[{"id": "s"}],
                  variables={"old": {"label": "Old"}, "amount": {"label": "Amount", "type": "date"}})
    with pytest.raises(TemplateError, match="order_ref"):
        Template.from_dict(data)
    declared = declare_placeholders(data)
    assert declared["variables"]["order_ref"] == {"label": "Order ref", "type": "text"}
    assert declared["variables"]["amount"]["type"] == "date"  # declared ones are kept as they are
    assert "old" in declared["variables"] and "greeting" not in declared["variables"]
    assert "old" not in declare_placeholders(data, drop_unused=True)["variables"]
    assert Template.from_dict(declared).variables["order_ref"].label == "Order ref"
    assert declare_placeholders(sample()) == sample()  # nothing to declare: the same dict


def test_an_import_declares_its_names_and_exports_as_a_valid_pack(db, tmp_path):
    from assistant.packs import format as fmt
    from assistant.packs.build import write_personal_pack

    ids = save_imported(db, read_csv("id,title,body\nmy.refund,Refund,Refund of {{amount}}\n".encode()))
    template = store.get_personal(db, ids[0]).template
    assert template.variables["amount"].type == "text"
    out = tmp_path / "mine.agentpack.json"
    assert write_personal_pack(db, out) == 1
    assert fmt.load_pack(out.read_bytes()).templates[0]["variables"]["amount"]["label"] == "Amount"
