import pytest

from assistant.templates.model import (Problem, Template, TemplateError, content_hash,
                                       normalize_language, validate_dict)


def sample(**changes):
    data = {
        "id": "t.refund",
        "tags": ["refund", "billing"],
        "shortcut": ";refund",
        "default_language": "en",
        "variants": {
            "en": {"title": "Refund approved", "body": "Hi {{customer_first_name|there}}.{{#addr}} Send it to X.{{/addr}}"},
            "es": {"title": "Reembolso aprobado", "body": "Hola {{customer_first_name|}}."},
        },
        "variables": {"reason": {"label": "Reason", "type": "choice", "required": True,
                                 "choices": {"en": ["late"], "es": ["tarde"]}}},
        "sections": [{"id": "addr", "label": "Returns address", "default": False}],
    }
    data.update(changes)
    return data


def test_round_trip_keeps_everything():
    template = Template.from_dict(sample(), origin="team")
    again = Template.from_dict(template.to_dict())
    assert again == template
    assert template.title == "Refund approved"
    assert template.section_defaults() == {"addr": False}
    assert template.variables["reason"].choices_for("es", "en") == ["tarde"]
    assert template.variables["reason"].choices_for("de", "en") == ["late"]


def test_variant_choice_falls_back_by_base_language_then_default():
    template = Template.from_dict(sample(variants={
        "en": {"title": "a", "body": "b"}, "pt_BR": {"title": "c", "body": "d"}}, sections=[]))
    assert template.variant_language("pt") == "pt_BR"
    assert template.variant_language("pt-PT") == "pt_BR"
    assert template.variant_language("de") == "en"
    assert template.variant_language(None) == "en"


def test_hash_ignores_lock_and_origin_but_not_content():
    a = Template.from_dict(sample())
    assert content_hash(a) == content_hash(a.copy(locked=True, origin="team"))
    assert content_hash(a) != content_hash(a.copy(tags=["other"]))


@pytest.mark.parametrize("changes, path", [
    ({"id": "Bad Id"}, "id"),
    ({"default_language": "de"}, "default_language"),
    ({"variants": {"en": {"title": "", "body": "x"}}, "sections": []}, "variants.en.title"),
    ({"variants": {"english": {"title": "x", "body": "x"}}, "default_language": "en"}, "variants.english"),
    ({"variables": {"1x": {"label": "a"}}}, "variables.1x"),
    ({"variables": {"x": {"label": "a", "type": "script"}}}, "variables.x.type"),
    ({"variables": {"x": {"label": "a", "type": "choice"}}}, "variables.x.choices"),
    ({"sections": []}, "variants.en.body"),  # markers for an undeclared section
    ({"shortcut": "two words"}, "shortcut"),
    ({"tags": "refund"}, "tags"),
    ({"extra": 1}, "extra"),
])
def test_validation_points_at_the_field(changes, path):
    problems = validate_dict(sample(**changes))
    assert path in [p.path for p in problems], problems
    with pytest.raises(TemplateError) as info:
        Template.from_dict(sample(**changes))
    assert info.value.problems == problems


def test_unbalanced_section_markers_are_reported():
    body = "{{#addr}} open {{/other}}"
    problems = validate_dict(sample(variants={"en": {"title": "x", "body": body}}))
    messages = " ".join(p.message for p in problems)
    assert "closes a section that is not open" in messages
    assert "never closed" in messages


def test_not_an_object():
    assert validate_dict([1]) == [Problem("", "a template must be an object")]


def test_normalize_language():
    assert normalize_language("pt-br") == "pt_BR"
    assert normalize_language("ES") == "es"
    assert normalize_language("zh-hant") == "zh_Hant"
