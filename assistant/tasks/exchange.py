"""CSV and JSON export and import of tasks.

Both formats carry every stored field, so export → import → export gives the same file.
Import validates the whole file first and writes in one transaction: a bad row is reported
with its line number and nothing is imported. A task whose ``uid`` is already stored is
replaced by the imported version (re-importing a file is harmless); others are added,
keeping their ``id`` when it is free."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime

from assistant.customer import CustomerContext
from assistant.errors import UserError
from assistant.tasks.model import Task, TaskError
from assistant.tasks.store import _INSERT, TaskStore, _row
from assistant.tasks.timeutil import from_iso, to_iso

FIELDS = ("id", "uid", "title", "priority", "status", "channel", "external_ref", "notes", "tags",
          "customer_name", "customer_phone", "customer_country", "customer_zone",
          "customer_language", "created_at", "updated_at", "response_due_at",
          "resolution_due_at", "responded_at", "due_at", "follow_up_at", "snoozed_until", "done_at")
TIME_FIELDS = ("created_at", "updated_at", "response_due_at", "resolution_due_at", "responded_at",
               "follow_up_at", "snoozed_until", "done_at")
DERIVED = ("due_at",)  # exported for reading; recomputed on import
MAX_ROWS = 200_000
_UID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


class TaskImportError(UserError, ValueError):
    """The file cannot be imported; ``line`` is the 1-based line of the bad row, if any."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class ImportResult:
    added: int
    replaced: int


# -- export ---------------------------------------------------------------------------------
def task_record(task: Task) -> dict:
    c = task.customer
    iso = lambda v: to_iso(v) if v is not None else None  # noqa: E731
    return {
        "id": task.id, "uid": task.uid, "title": task.title, "priority": task.priority,
        "status": task.status, "channel": task.channel, "external_ref": task.external_ref,
        "notes": task.notes, "tags": list(task.tags), "customer_name": c.name,
        "customer_phone": c.phone, "customer_country": c.country, "customer_zone": c.zone,
        "customer_language": c.language,
        **{name: iso(getattr(task, name)) for name in TIME_FIELDS},
        "due_at": iso(task.due_at),
    }


def export_json(tasks: list[Task]) -> str:
    records = [{k: task_record(t)[k] for k in FIELDS} for t in tasks]
    # one task per line: diffs and line numbers in import errors stay readable
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return f"[\n{body}\n]\n" if records else "[]\n"


def export_csv(tasks: list[Task]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for task in tasks:
        record = task_record(task)
        record["tags"] = ",".join(record["tags"])
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()


def export_tasks(store: TaskStore, fmt: str) -> str:
    tasks = store.all_tasks()
    if fmt == "json":
        return export_json(tasks)
    if fmt == "csv":
        return export_csv(tasks)
    raise ValueError(f"Unknown export format {fmt!r}; use csv or json.")


# -- import ---------------------------------------------------------------------------------
def _text(value, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TaskError(f"{name} must be text, not {type(value).__name__}.")
    return value if value != "" else None


def record_to_task(record: dict) -> Task:
    """A validated Task from one exported record (CSV cells or JSON values)."""
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise TaskError(f"unknown field(s): {', '.join(sorted(unknown))}.")
    raw_id = record.get("id")
    if raw_id in (None, ""):
        task_id = None
    else:
        try:
            task_id = int(raw_id)
        except (TypeError, ValueError):
            raise TaskError(f"id {raw_id!r} is not a whole number.") from None
        if isinstance(raw_id, (bool, float)) or task_id < 1:
            raise TaskError(f"id {raw_id!r} is not a positive whole number.")
    uid = _text(record.get("uid"), "uid")
    if uid is not None and not _UID.match(uid):
        raise TaskError(f"uid {uid!r} must be 1-64 letters, digits, '-' or '_'.")
    times: dict[str, datetime | None] = {}
    for name in TIME_FIELDS:
        value = _text(record.get(name), name)
        try:
            times[name] = from_iso(value)
        except ValueError:
            raise TaskError(f"{name} {value!r} is not an ISO-8601 time with a UTC offset "
                            f"(e.g. 2026-11-24T09:00:00Z).") from None
    if times["created_at"] is None:
        raise TaskError("created_at is missing.")
    tags = record.get("tags")
    if tags is not None and not isinstance(tags, (str, list)):
        raise TaskError("tags must be a list or comma-separated text.")
    zone_name = _text(record.get("customer_zone"), "customer_zone")
    if zone_name is not None:
        from assistant.clock.zones import canonical_zone

        zone_name = canonical_zone(zone_name)  # UnknownZoneError is a ValueError with a message
    country = _text(record.get("customer_country"), "customer_country")
    if country is not None:
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            raise TaskError(f"customer_country {country!r} is not a two-letter country code.")
        country = country.upper()
    customer = CustomerContext(
        name=_text(record.get("customer_name"), "customer_name"),
        phone=_text(record.get("customer_phone"), "customer_phone"),
        country=country, zone=zone_name,
        language=_text(record.get("customer_language"), "customer_language"))
    title = record.get("title")
    if not isinstance(title, str):
        raise TaskError("title is missing.")
    task = Task(
        id=task_id, uid=uid, title=title,
        priority=record.get("priority") or "normal", status=record.get("status") or "open",
        channel=_text(record.get("channel"), "channel"),
        external_ref=_text(record.get("external_ref"), "external_ref"),
        notes=_text(record.get("notes"), "notes") or "", tags=tags or (), customer=customer,
        **times).validated()
    if task.status == "done" and task.done_at is None:
        raise TaskError("a done task needs done_at.")
    if task.status != "done" and task.done_at is not None:
        raise TaskError("done_at is set but the status is not done.")
    return task


def _csv_records(text: str):
    """(line number, record) pairs; the line is where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise TaskImportError("The file is empty.") from None
    except csv.Error as exc:
        raise TaskImportError(f"not valid CSV ({exc}).", 1) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    unknown = [h for h in header if h not in FIELDS]
    if unknown or "title" not in header or len(set(header)) != len(header):
        raise TaskImportError(
            f"the header must name columns among: {', '.join(FIELDS)} (with title); "
            f"unknown or repeated: {', '.join(unknown) or 'repeated column'}.", 1)
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TaskImportError(f"not valid CSV ({exc}).", line) from None
        if cells:  # csv yields [] for a blank line
            if len(cells) != len(header):
                raise TaskImportError(f"{len(cells)} cells where the header has {len(header)}.", line)
            yield line, dict(zip(header, cells))
        line = reader.line_num + 1


def _json_records(text: str):
    """(line number, record) pairs from a JSON array, with each element's starting line."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        raise TaskImportError("a JSON export is an array of tasks ([ … ]).", _line(text, position))
    position = _skip_space(text, position + 1)
    if position < len(text) and text[position] == "]":
        _expect_end(text, position + 1)
        return
    while True:
        line = _line(text, position)
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise TaskImportError(f"not valid JSON ({exc.msg}).", exc.lineno) from None
        if not isinstance(value, dict):
            raise TaskImportError("each task must be a JSON object.", line)
        yield line, value
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            _expect_end(text, position + 1)
            return
        raise TaskImportError("expected ',' or ']' after a task.", _line(text, position))


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position


def _expect_end(text: str, position: int) -> None:
    position = _skip_space(text, position)
    if position != len(text):
        raise TaskImportError("unexpected text after the end of the array.", _line(text, position))


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_tasks(text: str, fmt: str) -> list[Task]:
    """Every task of the file, validated; TaskImportError on the first bad row."""
    if fmt not in ("csv", "json"):
        raise TaskImportError(f"Unknown import format {fmt!r}; use csv or json.")
    records = _csv_records(text) if fmt == "csv" else _json_records(text)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for line, record in records:
        if len(tasks) >= MAX_ROWS:
            raise TaskImportError(f"more than {MAX_ROWS} tasks in one file.", line)
        try:
            task = record_to_task(record)
        except ValueError as exc:
            raise TaskImportError(str(exc), line) from None
        if task.uid is not None:
            if task.uid in seen:
                raise TaskImportError(f"uid {task.uid} already appears on line {seen[task.uid]}.", line)
            seen[task.uid] = line
        tasks.append(task)
    return tasks


def import_tasks(store: TaskStore, text: str, fmt: str) -> ImportResult:
    """Validate everything, then write everything in one transaction."""
    import uuid

    tasks = parse_tasks(text, fmt)
    conn = store.conn
    added = replaced = 0
    with store.db.atomic():
        taken_ids = {r[0] for r in conn.execute("SELECT id FROM tasks")}
        existing = {r[0]: r[1] for r in conn.execute("SELECT uid, id FROM tasks")}
        for task in tasks:
            uid = task.uid or uuid.uuid4().hex
            updated_at = task.updated_at or task.created_at
            if uid in existing:
                task = task.with_changes(id=existing[uid], uid=uid, updated_at=updated_at)
                conn.execute("DELETE FROM tasks WHERE id = ?", (task.id,))
                conn.execute(_INSERT, _row(task))
                replaced += 1
                continue
            task_id = task.id if task.id is not None and task.id not in taken_ids else None
            if task.response_due_at is None or task.resolution_due_at is None:
                task = store._prepared_new(task, task.created_at)
            task = task.with_changes(id=task_id, uid=uid, updated_at=updated_at)
            cursor = conn.execute(_INSERT, _row(task))
            taken_ids.add(cursor.lastrowid)
            existing[uid] = cursor.lastrowid
            added += 1
    store.forget_caches()
    return ImportResult(added, replaced)

