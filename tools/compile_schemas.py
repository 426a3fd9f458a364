"""Write the modules that check a shipped JSON Schema at start (assistant/schemas.py), from
the schemas in resources/. Run it after changing a schema or upgrading fastjsonschema; the
test suite fails while a module is not what this writes.

    .venv/bin/python tools/compile_schemas.py"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.schemas import compiled_source  # noqa: E402

# schema (under the repository) -> the module written from it
COMPILED = {"resources/cards/card.schema.json": "assistant/countries/card_check.py"}


def expected(schema_file: str) -> str:
    schema = json.loads((ROOT / schema_file).read_text(encoding="utf-8"))
    return compiled_source(schema, schema_file)


def main() -> int:
    for schema_file, module in COMPILED.items():
        (ROOT / module).write_text(expected(schema_file), encoding="utf-8")
        print(f"{module} <- {schema_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
