"""Whatever bytes arrive, reading a pack either succeeds or raises PackRejected with a
check name: never another exception (which would escape the installer's message)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.packs import format as fmt

CHECKS = {fmt.SIZE, fmt.PARSE, fmt.SCHEMA, fmt.CONTENT}
BASE = {
    "format": "agent-assistant-pack", "format_version": 1, "id": "acme.refunds", "title": "ACME",
    "publisher": "ACME", "version": 1, "created": "2026-11-01T08:00:00Z", "min_app_version": "0.1",
    "default_language": "en", "languages": ["en", "es"],
    "templates": [{"id": "acme.a", "default_language": "en", "shortcut": ";a", "tags": ["x"],
                   "variants": {"en": {"title": "A", "body": "Hi {{customer_first_name|}} {{amount}}"},
                                "es": {"title": "A", "body": "Hola {{#s}}x{{/s}}"}},
                   "variables": {"amount": {"label": "Amount", "type": "choice", "choices": {"en": ["1"]}}},
                   "sections": [{"id": "s", "label": "S", "default": True}]}],
    "glossary": [{"term": "ACME", "do_not_translate": True}],
    "cards": [{"country": "JP", "kind": "notes", "content": {"text": "Hi"}}],
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


PATHS = [p for p in _paths(BASE) if p]


def _check(raw: bytes) -> None:
    try:
        fmt.load_pack(raw)
    except fmt.PackRejected as exc:
        assert exc.problems and exc.check in CHECKS
        assert all(str(p) for p in exc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), json_values)
def test_any_value_anywhere_is_accepted_or_rejected_cleanly(path, value):
    data = json.loads(json.dumps(BASE))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _check(json.dumps(data, ensure_ascii=False).encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=4))
def test_corrupted_bytes_are_rejected_cleanly(position, garbage):
    raw = bytearray(json.dumps(BASE).encode())
    position %= len(raw)
    raw[position:position + len(garbage)] = garbage
    _check(bytes(raw))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_in_a_body_or_title_is_accepted_or_rejected_cleanly(text):
    data = json.loads(json.dumps(BASE))
    data["templates"][0]["variants"]["en"]["body"] = text
    data["templates"][0]["variants"]["es"]["title"] = text
    _check(json.dumps(data, ensure_ascii=False).encode("utf-8"))
