"""The quick paths of a pack's checks and merge (issue 18: a 5,000-template pack in 1 s) give
the answers of the stage-by-stage checks they stand in for, word for word:

- a document whose templates all pass the template validator is judged without the schema's
  rules for each template (format._fast_checks): it must be one the schema accepts, and a
  document it is not sure of goes through hidden characters, schema and content as before;
- hidden characters of clean templates are cleared many at a time (format._all_clean,
  textsafety.is_clean_text): every finding is still listed with its place;
- the merge builds a team template's dict and JSON without Template objects
  (model.template_dict, model.encode): the same dict, the same content hash as before.
"""

from __future__ import annotations

import copy
import hashlib
import json

import fastjsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import textsafety
from assistant.packs import format as fmt
from assistant.templates import validation
from assistant.templates.model import Template, content_dict, content_hash, encode, template_dict

from tests.assistant.packs.test_template_agreement import CORPUS, FIELDS, VALUES, mutate, pack_for, seed


def stage_by_stage(data: dict, builtin: bool = False, caps: fmt.Caps = fmt.DEFAULT_CAPS) -> list[fmt.Problem]:
    """validate_document as it was before its quick path: hidden characters, the whole
    schema, then content (each template judged by the validator there)."""
    hidden = hidden_one_by_one(data)
    if any(p.severity == "error" for p in hidden):
        return hidden
    problems = fmt.schema_problems(data, caps)
    if problems:
        return problems + hidden
    reserved = [] if builtin else fmt.reserved_id_problems(data)
    return reserved + fmt.content_problems(data) + hidden


def hidden_one_by_one(data) -> list[fmt.Problem]:
    """hidden_character_problems as it was: every template looked at on its own."""
    findings = fmt._Findings(data)
    templates = data.get("templates")
    rest = data
    if isinstance(templates, list):
        rest = {k: v for k, v in data.items() if k != "templates"}
        for index, template in enumerate(templates):
            if not fmt._template_is_clean(template):
                fmt._walk(template, ("templates", index), findings)
    fmt._walk(rest, (), findings)
    return findings.result()


def schema_accepts_template(template) -> bool:
    try:
        fmt._fast_validator(fmt.MAX_TEMPLATES)(pack_for([template]))
        return True
    except fastjsonschema.JsonSchemaValueException:
        return False


def with_file_round_trip(doc: dict) -> dict | None:
    """The document as parsing its file would give it (None: not writable as UTF-8)."""
    try:
        return json.loads(fmt.canonical_bytes(doc))
    except UnicodeEncodeError:
        return None


MUTATIONS = st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), min_size=1, max_size=3)


def mutated(mutations) -> dict:
    template = seed()
    for path, value in mutations:
        template = mutate(template, path, value)
    return template


# -- the schema's rules for a template are within the validator's --------------------------

@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MUTATIONS)
def test_a_template_the_validator_accepts_is_one_the_schema_accepts(mutations):
    template = mutated(mutations)
    if fmt._validator_bounded(template) and not validation.problems(template, hidden=False):
        assert schema_accepts_template(template), template


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_the_corpus_gets_the_stage_by_stage_answer(case):
    doc = with_file_round_trip(pack_for(case.templates))
    if doc is None:
        return
    assert fmt.validate_document(doc) == stage_by_stage(doc)
    for template in case.templates:
        if fmt._validator_bounded(template) and not validation.problems(template, hidden=False):
            assert schema_accepts_template(template), case.name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=3))
def test_random_packs_get_the_stage_by_stage_answer_word_for_word(many):
    templates = [dict(mutated(m), id=f"acme.t{i}") if isinstance(mutated(m).get("id"), str) else mutated(m)
                 for i, m in enumerate(many)]
    doc = with_file_round_trip(pack_for(templates))
    if doc is not None:
        assert fmt.validate_document(doc) == stage_by_stage(doc)


def test_a_broken_template_gets_the_schema_s_message_not_the_validator_s(make_template):
    doc = pack_for([make_template("acme.a", tags=[7])])
    problems = fmt.validate_document(doc)
    assert problems == stage_by_stage(doc)
    assert problems[0].check == fmt.SCHEMA and problems[0].field == "templates[0].tags[0]"


def test_choices_beyond_what_the_validator_reads_are_still_held_to_the_schema(make_template):
    """The validator reads the first 101 languages of a variable's choices; a pack declares at
    most 100, so a longer list is refused, by the schema's message."""
    choices = {f"a{chr(97 + i // 26)}{chr(97 + i % 26)}": ["x"] for i in range(101)}
    choices["zz"] = "not a list"
    template = make_template("acme.a", variables={"r": {"type": "choice", "choices": choices}})
    doc = pack_for([template])
    problems = fmt.validate_document(doc)
    assert problems == stage_by_stage(doc)
    assert any(p.severity == "error" for p in problems)


@pytest.mark.parametrize("hostile", [
    {"extra": {f"k{i}": i for i in range(5000)}},
    {"variants": {"en": {"title": "t", "body": "{{x}}" * 5000}}},
    {"variants": {"en": {"title": "t", "body": "b", **{f"k{i}": i for i in range(3000)}}}},
], ids=["many unknown fields", "body over its length", "variant with many fields"])
def test_a_template_outside_the_validator_s_bounds_is_judged_by_the_schema_first(hostile, make_template):
    template = dict(make_template("acme.a"), **{k: v for k, v in hostile.items() if k != "extra"})
    template.update(hostile.get("extra", {}))
    assert not fmt._validator_bounded(template)
    doc = pack_for([template])
    assert fmt.validate_document(doc) == stage_by_stage(doc)


def test_the_benchmark_s_kind_of_pack_is_judged_once(monkeypatch, make_template):
    """A valid pack never reaches the schema's rules for each template."""
    doc = pack_for([make_template(f"acme.t{i}") for i in range(30)])
    monkeypatch.setattr(fmt, "schema_problems", lambda *a, **k: pytest.fail("the whole schema was asked"))
    assert not [p for p in fmt.validate_document(doc) if p.severity == "error"]


# -- hidden characters, many templates at a time ----------------------------------------------

HIDDEN = ["\u202e", "\u200b", "\u200f", "\u200d", "\x00", "\t", "\n", "\x1b", "\u00a0", "\u2028", "\u3164",
          "\ufeff", "\U000e0041", "é", "ب"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 599), st.sampled_from(FIELDS), st.sampled_from(HIDDEN)), max_size=4))
def test_hidden_characters_are_found_with_their_place_among_hundreds_of_clean_templates(marks):
    templates = [dict(seed(), id=f"acme.t{i}") for i in range(600)]
    for index, path, char in marks:
        node = templates[index]
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(path[-1]), str):
            node[path[-1]] = node[path[-1]][:3] + char + node[path[-1]][3:]
        elif isinstance(node, dict) and path[-1] in node:
            node[f"x{char}"] = node.pop(path[-1])  # in a key
    doc = pack_for(templates)
    assert fmt.hidden_character_problems(doc) == hidden_one_by_one(doc)


def test_a_bidi_override_in_one_body_of_many_is_named_with_its_field(make_template):
    templates = [make_template(f"acme.t{i}", langs=("en", "es", "ar")) for i in range(700)]
    templates[612]["variants"]["es"]["body"] = "Total \u202e 10"
    problems = fmt.hidden_character_problems(pack_for(templates))
    assert [(p.severity, p.template, p.field) for p in problems] == [
        ("warning", "acme.t612", "templates[612].variants.es.body")]
    assert "RIGHT-TO-LEFT OVERRIDE" in problems[0].message


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("aZ09 .,{}\t\n\r") + HIDDEN + ["\ud800", "\x7f", "\x85", "\u061c", "\u2066",
                                                                     "\u115f", "\U0001d173", "\u0600"]),
                max_size=12).map("".join))
def test_clean_text_is_only_said_of_text_with_nothing_to_flag(text):
    if textsafety.is_clean_text(text):
        assert textsafety.scan(text, textsafety.TEXT) == []
    if all(c.isprintable() or c in "\t\n\r\u200e\u200f\u061c\u200c\u200d" for c in text) and not set(text) & {
            "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}:
        assert textsafety.is_clean_text(text)


def test_bodies_in_every_script_with_direction_marks_are_clean_text():
    assert textsafety.is_clean_text("تمت الموافقة \u200f{{order_id|}}\u200f.\n\nمع التحية،\n" + "Grüße, 返金\u200d")
    assert not textsafety.is_clean_text("Total \u202e 10")
    assert not textsafety.is_clean_text("Done \udfff")


# -- the merge's dict and JSON -----------------------------------------------------------------

def valid_templates():
    for case in CORPUS:
        for template in case.templates:
            try:
                Template.from_dict(copy.deepcopy(template))
            except Exception:
                continue
            yield template


def in_sorted_order(node) -> bool:
    if isinstance(node, dict):
        return list(node) == sorted(node) and all(in_sorted_order(v) for v in node.values())
    if isinstance(node, list):
        return all(in_sorted_order(v) for v in node)
    return True


MORE = [  # what the corpus lacks: choices in several languages, languages out of order, odd spellings
    {"id": "acme.c", "default_language": "es", "variants": {"pt_BR": {"title": " B ", "body": "b"},
                                                              "es": {"title": "A", "body": "{{r}}"}, "ar": {"title": "ج", "body": "c"}},
     "variables": {"zeta": {"label": "Z"}, "r": {"type": "choice", "choices": {"pt_BR": ["x", "y"], "es": ["a"]},
                                                  "required": True, "default": "a"}, "amount": {}},
     "sections": [{"id": "z", "label": "Z"}, {"id": "a", "default": False}], "tags": ["b", "a", "b", " a "],
     "locked": True},
    {"id": "acme.d", "default_language": "pt-br", "variants": {"pt-br": {"title": "t", "body": "b"},
                                                                 "EN": {"title": "t", "body": "b"}}},
]


def test_template_dict_is_what_a_template_object_gives_in_sorted_order():
    seen = 0
    for template in [*valid_templates(), *MORE]:
        for origin in ("team", "personal", None):
            built = Template.from_dict(copy.deepcopy(template), origin=origin, validate=False).to_dict()
            made = template_dict(copy.deepcopy(template), origin)
            assert made == built and in_sorted_order(made)
            assert encode(made, in_order=True) == encode(built)
        seen += 1
    assert seen >= 15


def test_encode_gives_the_content_hash_of_before_and_json_that_reads_back():
    for template in valid_templates():
        data = Template.from_dict(copy.deepcopy(template), origin="team").to_dict()
        stored, digest = encode(data)
        # the digest as it was computed before (sha256 of the sorted, compact JSON of the content)
        before = hashlib.sha256(json.dumps(content_dict(data), ensure_ascii=False, sort_keys=True,
                                           separators=(",", ":")).encode("utf-8")).hexdigest()
        assert digest == before == content_hash(Template.from_dict(data))
        assert stored == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert json.loads(stored) == data


def test_a_content_hash_already_stored_in_libraries_does_not_change():
    """Libraries hold these digests (team rows, personal templates' base hashes): computed
    by the code of before this change, for this template."""
    template = Template.from_dict({
        "id": "acme.refund", "tags": ["refund", " billing "], "shortcut": ";refund", "default_language": "en",
        "variants": {"en": {"title": "Refund approved ", "body": "{{greeting}} {{amount}}\n{{#vip}}VIP{{/vip}}"},
                     "ar": {"title": "استرداد", "body": "تم\u200f {{amount|}}"}},
        "variables": {"amount": {"label": "Amount", "required": True}},
        "sections": [{"id": "vip", "label": "VIP", "default": False}]}, origin="team")
    expected = "8bd0f5bbeb899a210502648c905ded8266fbb0da860ce526243b2bf1c3c095c4"  # by the code of cb2cbfb
    assert content_hash(template) == expected
    assert encode(template.to_dict())[1] == expected


def test_encode_falls_back_for_a_dict_of_another_shape():
    data = {"id": "a", "default_language": "en", "variants": {}, "extra": 1}
    assert encode(data)[0] == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("where", ['"variants": {"en": {"title": "a", "title": "b", "body": "c"}}',
                                   '"variables": {"amount": {"label": "A", "type": "text", "label": "B"}}',
                                   '"sections": [{"id": "vip", "id": "vip2"}]'])
def test_a_duplicate_key_deep_inside_a_template_is_still_refused(where, make_pack, make_template):
    doc = json.dumps(make_pack(templates=[make_template(f"acme.t{i}") for i in range(300)]))
    raw = doc.replace('"id": "acme.t250", ', '"id": "acme.t250", ' + where + ", ", 1).encode()
    assert raw != doc.encode()
    with pytest.raises(fmt.PackRejected, match="appears twice in one object") as caught:
        fmt.load_pack(raw)
    assert caught.value.check == fmt.PARSE
