"""Export the agent's personal templates as a pack file (docs/pack-format.md), e.g. to hand
them to a team lead who signs and distributes them; and the usage report as CSV.

Only personal templates are exported (not personal versions of team templates: their ids
belong to the team's pack). The file is written by the packs feature's writer when it is
installed (validated exactly as an installer would read it, written atomically), else as
plain JSON in the same format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from assistant import __version__
from assistant.errors import UserError
from assistant.templates import store

FORMAT_NAME = "agent-assistant-pack"
FORMAT_VERSION = 1


class ExportError(UserError):
    pass


def personal_pack(db, *, pack_id: str = "personal", title: str = "My templates",
                  publisher: str = "", ids: list[str] | None = None,
                  now: datetime | None = None) -> dict:
    """The pack document for the personal templates (all, or those in ``ids``)."""
    now = now or datetime.now(timezone.utc)
    records = [r for r in store.list_personal(db) if not r.is_override
               and (ids is None or r.template_id in ids)]
    if not records:
        raise ExportError("There are no personal templates to export.")
    templates = []
    for record in records:
        data = record.template.to_dict()
        data.pop("origin", None)
        data["locked"] = False
        templates.append(data)
    languages = sorted({lang for t in templates for lang in t["variants"]})
    default = Counter(t["default_language"] for t in templates).most_common(1)[0][0]
    return {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "id": pack_id,
        "title": title, "publisher": publisher or "Agent Assistant user",
        "publisher_key_id": None, "version": 1,
        "created": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "min_app_version": re.match(r"\d+\.\d+(\.\d+)?", __version__).group(0),
        "default_language": default, "languages": languages, "templates": templates,
    }


def write_personal_pack(db, output: Path, **options) -> int:
    """Write the pack file; returns the number of templates. Raises ExportError."""
    data = personal_pack(db, **options)
    output = Path(output)
    try:
        from assistant.packs.build import write_pack
        from assistant.packs.format import PackRejected
    except ImportError:
        raw = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        partial = output.with_name(output.name + ".partial")
        try:
            partial.write_bytes(raw)
            partial.replace(output)
        except OSError as exc:
            raise ExportError(f"Cannot write {output}: {exc.strerror or exc}") from exc
        return len(data["templates"])
    try:
        write_pack(data, output)
    except PackRejected as exc:
        raise ExportError(f"The export would not be a valid pack: {exc}") from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {output}: {exc.strerror or exc}") from exc
    return len(data["templates"])


USAGE_COLUMNS = ("id", "title", "layer", "pack_id", "count", "last_used", "favourite")


def usage_csv(db) -> str:
    """The usage report (:func:`store.usage_report`) as CSV text for a spreadsheet. Cells a
    spreadsheet would run as a formula (= + - @ first) are quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=USAGE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in store.usage_report(db):
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
                         for k, v in row.items()})
    return out.getvalue()


def write_usage_csv(db, output: Path) -> int:
    """Write the usage report; returns the number of rows. Raises ExportError."""
    text = usage_csv(db)
    output = Path(output)
    try:
        partial = output.with_name(output.name + ".partial")
        partial.write_text(text, encoding="utf-8-sig")  # the BOM lets Excel read UTF-8
        partial.replace(output)
    except OSError as exc:
        raise ExportError(f"Cannot write {output}: {exc.strerror or exc}") from exc
    return text.count("\n") - 1
