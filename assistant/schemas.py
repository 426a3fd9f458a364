"""JSON Schemas checked fast: a schema compiled to Python by fastjsonschema (milliseconds to
load, ~15x faster than jsonschema per document), with jsonschema kept for the slow path that
lists every problem of a document the fast check refused (its messages name each place)."""

from __future__ import annotations

from typing import Any, Callable

_ANNOTATIONS = {"description", "title", "$comment", "examples", "default"}


def inline_refs(node: Any, defs: dict) -> Any:
    """The schema with every local ``#/$defs/...`` reference replaced by its definition (our
    schemas are not recursive; a rule beside a ``$ref`` still applies, a description beside
    it is dropped) and ``$defs``/``$id`` dropped: fastjsonschema turns each ``$ref`` into a
    call that formats an error prefix eagerly (twice the time on a large pack), and resolves
    a relative ``$id`` as a remote address."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = inline_refs(defs[ref[len("#/$defs/"):]], defs)
            rest = {k: inline_refs(v, defs) for k, v in node.items() if k != "$ref"}
            if set(rest) <= _ANNOTATIONS:
                return target
            return {"allOf": [target, rest]}  # a rule beside a $ref applies as well as it
        return {k: inline_refs(v, defs) for k, v in node.items() if k not in ("$defs", "$id")}
    if isinstance(node, list):
        return [inline_refs(v, defs) for v in node]
    return node


def fast_validator(schema: dict) -> Callable[[Any], bool]:
    """A function telling whether a document matches ``schema`` (no message: ask jsonschema
    for them when it does not)."""
    import fastjsonschema

    check = fastjsonschema.compile(inline_refs(schema, schema.get("$defs", {})))

    def matches(document: Any) -> bool:
        try:
            check(document)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return matches
