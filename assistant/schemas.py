"""JSON Schemas checked fast: a schema compiled to Python by fastjsonschema (milliseconds to
load, ~15x faster than jsonschema per document), with jsonschema kept for the slow path that
lists every problem of a document the fast check refused (its messages name each place).

A schema checked at every start (the cards') ships its check as a module written by
``tools/compile_schemas.py``: compiling fastjsonschema's code for the cards' schema (118 KB
of Python) took 18-24 ms and left 8 MB more resident, on the clock's warm-up before the app
is ready (issue 18); the module loads from its bytecode. It carries the digest of the schema
it was made from and is used for that schema only; a test keeps it the installed
fastjsonschema's code for the shipped schema."""

from __future__ import annotations

import hashlib
import json
from types import ModuleType
from typing import Any, Callable

GENERATED_BY = "tools/compile_schemas.py"

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


def schema_digest(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def compiled_source(schema: dict, source: str) -> str:
    """The text of a module checking documents against ``schema`` (read from ``source``):
    fastjsonschema's code, and the schema's digest."""
    import fastjsonschema

    code = fastjsonschema.compile_to_code(inline_refs(schema, schema.get("$defs", {})))
    return (f"# Written by {GENERATED_BY} from {source}: do not edit, run it again.\n"
            f"# fastjsonschema's check for that schema (assistant/schemas.py).\n"
            f"SCHEMA_DIGEST = {schema_digest(schema)!r}\n{code}")


def fast_validator(schema: dict, compiled: ModuleType | None = None) -> Callable[[Any], bool]:
    """A function telling whether a document matches ``schema`` (no message: ask jsonschema
    for them when it does not). ``compiled``: a module from :func:`compiled_source`, used
    when it was made from this very schema (else the schema is compiled here)."""
    import fastjsonschema

    if compiled is not None and getattr(compiled, "SCHEMA_DIGEST", None) == schema_digest(schema):
        check = compiled.validate
    else:
        check = fastjsonschema.compile(inline_refs(schema, schema.get("$defs", {})))

    def matches(document: Any) -> bool:
        try:
            check(document)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return matches
