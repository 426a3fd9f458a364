"""assistant/schemas.py: a schema compiled by fastjsonschema judges as jsonschema does."""

from __future__ import annotations

import jsonschema
import pytest

from assistant.schemas import compiled_source, fast_validator, inline_refs, schema_digest

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


def _module(source: str):
    from types import ModuleType

    module = ModuleType("compiled_for_test")
    exec(compile(source, "compiled_for_test", "exec"), module.__dict__)
    return module


def test_a_compiled_module_is_used_for_its_own_schema_only():
    compiled = _module(compiled_source(SCHEMA, "a test"))
    assert compiled.SCHEMA_DIGEST == schema_digest(SCHEMA)
    calls = []
    checks = compiled.validate

    def counted(document):
        calls.append(document)
        return checks(document)

    compiled.validate = counted
    assert fast_validator(SCHEMA, compiled)({"short": "hello"}) is True
    assert fast_validator(SCHEMA, compiled)({"short": ""}) is False
    assert len(calls) == 2
    changed = {**SCHEMA, "required": ["short"]}  # the schema changed since the module was written
    assert fast_validator(changed, compiled)({}) is False  # compiled from the schema, not the module
    assert len(calls) == 2


def test_the_shipped_compiled_checks_are_what_the_tool_writes_now(tools):
    """tools/compile_schemas.py must run again when a schema or fastjsonschema changes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tool = tools("compile_schemas")
    assert tool.COMPILED
    for schema_file, module in tool.COMPILED.items():
        assert (root / module).read_text(encoding="utf-8") == tool.expected(schema_file), module
