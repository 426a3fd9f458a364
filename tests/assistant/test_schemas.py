"""assistant/schemas.py: a schema compiled by fastjsonschema judges as jsonschema does."""

from __future__ import annotations

import jsonschema
import pytest

from assistant.schemas import fast_validator, inline_refs

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "relative/name.schema.json",  # resolved as a remote address if left in
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "short": {"$ref": "#/$defs/text", "description": "a note only"},
        "tight": {"$ref": "#/$defs/text", "maxLength": 3},  # both rules apply
        "list": {"type": "array", "items": {"$ref": "#/$defs/text"}},
    },
    "$defs": {"text": {"type": "string", "minLength": 1, "maxLength": 10}},
}


@pytest.mark.parametrize("document", [
    {}, {"short": "hello"}, {"short": ""}, {"short": "x" * 11}, {"tight": "abc"}, {"tight": "abcd"},
    {"tight": ""}, {"list": ["a", "b"]}, {"list": ["a", ""]}, {"list": "a"}, {"other": 1}, [], "text",
    {"short": 5},
])
def test_the_compiled_check_agrees_with_jsonschema(document):
    expected = not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    assert fast_validator(SCHEMA)(document) is expected


def test_references_are_inlined_and_ids_dropped():
    inlined = inline_refs(SCHEMA, SCHEMA["$defs"])
    assert "$defs" not in inlined and "$id" not in inlined
    assert inlined["properties"]["short"] == SCHEMA["$defs"]["text"]
    assert inlined["properties"]["tight"] == {"allOf": [SCHEMA["$defs"]["text"], {"maxLength": 3}]}
