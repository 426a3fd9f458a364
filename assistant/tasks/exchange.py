"""CSV and JSON export and import of tasks.

Both formats carry every stored field, so export → import → export gives the same file
(line breaks inside a field, CR, LF or CRLF, included: read and write files with
``newline=""``). Import validates the whole file first and writes in one transaction: a bad
row is reported with its line number and field, and nothing is imported. Every value is
checked (whole-number ids that fit SQLite, finite numbers, times between 1970 and 2999, no
nesting where text belongs, no control characters other than tab and line breaks, no lone
surrogates). A task whose ``uid`` is already stored is replaced by the imported version
(re-importing a file is harmless); others are added, keeping their ``id`` when it is free.

Spreadsheet safety (OWASP's advice on CSV injection): a CSV cell that a spreadsheet would read
as a formula, one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, is
written with a leading apostrophe (``'=SUM(A1)``, ``'+34 612 345 678``), which spreadsheets
show as text and hide. So that the round trip stays exact, a cell that itself starts with an
apostrophe gets one more; on import, one leading apostrophe is removed from every CSV cell (a
hand-made file's ``'hello`` imports as ``hello``). JSON needs none of this."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime

from assistant.collector import paused
from assistant.customer import CustomerContext
from assistant.errors import UserError
from assistant.plaintext import quoted, text_problem
from assistant.tasks.model import Task, TaskError, check_text, normalise_tags
from assistant.tasks.store import TaskStore
from assistant.tasks.timeutil import from_iso, in_stored_form, to_iso

FIELDS = ("id", "uid", "title", "priority", "status", "channel", "external_ref", "notes", "tags",
          "customer_name", "customer_phone", "customer_country", "customer_zone",
          "customer_language", "created_at", "updated_at", "response_due_at",
          "resolution_due_at", "responded_at", "due_at", "follow_up_at", "snoozed_until", "done_at")
TIME_FIELDS = ("created_at", "updated_at", "response_due_at", "resolution_due_at", "responded_at",
               "follow_up_at", "snoozed_until", "done_at")
DERIVED = ("due_at",)  # exported for reading; recomputed on import
MAX_ROWS = 200_000
MAX_IMPORT_BYTES = 128 * 1024 * 1024
MAX_ID = 2**63 - 1  # SQLite's INTEGER
MIN_YEAR, MAX_YEAR = 1970, 2999
_UID = re.compile(r"[0-9A-Za-z_-]{1,64}")  # used with fullmatch
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH = 5_000  # rows per statement on import, and between two progress reports
PARSING, WRITING = "parsing", "writing"
TEXT_MARK = "'"


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
    records = [{k: record[k] for k in FIELDS} for record in map(task_record, tasks)]
    # one task per line: diffs and line numbers in import errors stay readable
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return f"[\n{body}\n]\n" if records else "[]\n"


def csv_cell(value: str) -> str:
    """A text cell no spreadsheet runs as a formula (see the module's note)."""
    return TEXT_MARK + value if value.startswith(FORMULA_START + (TEXT_MARK,)) else value


def from_csv_cells(cells: list[str]) -> list[str]:
    """The cells' text: one leading apostrophe removed from each (see the module's note)."""
    return list(map(str.removeprefix, cells, itertools.repeat(TEXT_MARK)))


def from_csv_cell(cell: str) -> str:
    return from_csv_cells([cell])[0]


def export_csv(tasks: list[Task]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")  # RFC 4180; a CR in a field is then quoted too
    writer.writeheader()
    for task in tasks:
        record = task_record(task)
        record["tags"] = ",".join(record["tags"])
        writer.writerow({k: "" if v is None else csv_cell(v) if isinstance(v, str) else v
                         for k, v in record.items()})
    return out.getvalue()


def export_tasks(store: TaskStore, fmt: str) -> str:
    tasks = store.all_tasks()
    if fmt == "json":
        return export_json(tasks)
    if fmt == "csv":
        return export_csv(tasks)
    raise ValueError(f"Unknown export format {fmt!r}; use csv or json.")


# -- import ---------------------------------------------------------------------------------
_FIELD_SET = frozenset(FIELDS)
_ID = re.compile(r"[0-9]{1,19}")  # used with fullmatch
_COUNTRY = re.compile(r"[A-Za-z]{2}")  # used with fullmatch


def _text(value, name: str, checked: bool = False) -> str | None:
    """``checked``: the record's text is known to be clean (see record_to_task)."""
    if value is None:
        return None
    if checked and type(value) is str:  # the usual case, first
        return value if value != "" else None
    if not isinstance(value, str):
        raise TaskError(f"{name} must be text, not {type(value).__name__}.")
    if not checked:
        check_text(value, name)
    return value if value != "" else None


def _task_id(raw_id) -> int | None:
    if raw_id in (None, ""):
        return None
    if isinstance(raw_id, (bool, float)) or not isinstance(raw_id, (int, str)):
        raise TaskError(f"id {quoted(raw_id)} is not a whole number.")
    if isinstance(raw_id, str) and not _ID.fullmatch(raw_id.strip()):
        raise TaskError(f"id {quoted(raw_id)} is not a positive whole number of at most 19 digits.")
    task_id = int(raw_id)
    if not 1 <= task_id <= MAX_ID:
        raise TaskError(f"id {quoted(raw_id)} is not between 1 and {MAX_ID}.")
    return task_id


def _instant(value: str | None, name: str) -> datetime | None:
    try:
        instant = from_iso(value)
    except (ValueError, OverflowError):
        raise TaskError(f"{name} {quoted(value)} is not an ISO-8601 time with a UTC offset "
                        f"(e.g. 2026-11-24T09:00:00Z) between {MIN_YEAR} and {MAX_YEAR}.") from None
    if instant is not None and not MIN_YEAR <= instant.year <= MAX_YEAR:
        raise TaskError(f"{name} {quoted(value)} is outside the years {MIN_YEAR}-{MAX_YEAR}.")
    return instant


def _zone(name: str) -> str:
    from assistant.clock.zones import canonical_zone

    return canonical_zone(name)  # UnknownZoneError is a ValueError with a message


def _country(code: str) -> str:
    if not _COUNTRY.fullmatch(code):
        raise TaskError(f"customer_country {quoted(code)} is not a two-letter country code.")
    return code.upper()


class Seen:
    """What the rules made of the values already met in one file. An export repeats the same
    timestamps, zones, countries, tags and customers on many rows: each distinct text goes
    through its rule (``_instant``, ``_zone``, ``_country``, ``normalise_tags``) once, and the
    result is looked up for the rows that repeat it. Only accepted values are kept, and only
    exact text (``str``): a value that a rule refuses is refused again, with the same message,
    every time it is met (the rules are pure functions of the text and, for the message, the
    field's name)."""

    def __init__(self):
        self.times: dict[str, datetime] = {}
        # the other way, for the writer: an instant met as text already in the stored form
        # (every export's) is written as that text, without formatting it again
        self.stored_texts: dict[datetime, str] = {}
        self.zones: dict[str, str] = {}
        self.countries: dict[str, str] = {}
        self.customers: dict[tuple, CustomerContext] = {}

    def instant(self, value, name: str, clean: bool) -> datetime | None:
        if value is None or value == "":  # no time (what _text and _instant make of them)
            return None
        if type(value) is str:
            found = self.times.get(value)
            if found is not None:
                return found
        instant = _instant(_text(value, name, clean), name)
        if instant is not None:  # and so ``value`` is text
            self.times[value] = instant
            if in_stored_form(value):
                self.stored_texts[instant] = value
        return instant

    def instants(self, get, clean: bool) -> dict[str, datetime | None]:
        """Every time field of a record (``get``: its ``get``), in ``TIME_FIELDS`` order:
        :meth:`instant` of each, with the usual case (no value, or a text met before) here."""
        times, instant = self.times, self.instant
        found = {}
        for name in TIME_FIELDS:
            value = get(name)
            if value is None or value == "":
                found[name] = None
            else:
                found[name] = (times.get(value) if type(value) is str else None) or instant(value, name, clean)
        return found

    def _by_rule(self, memo: dict, rule, value, name: str, clean: bool) -> str | None:
        if type(value) is str:
            found = memo.get(value)
            if found is not None:
                return found
        text = _text(value, name, clean)
        if text is None:
            return None
        memo[value] = result = rule(text)
        return result

    def zone(self, value, clean: bool) -> str | None:
        return self._by_rule(self.zones, _zone, value, "customer_zone", clean)

    def country(self, value, clean: bool) -> str | None:
        return self._by_rule(self.countries, _country, value, "customer_country", clean)

    def customer(self, name, phone, country, zone, language) -> CustomerContext:
        key = (name, phone, country, zone, language)
        found = self.customers.get(key)
        if found is None:
            found = self.customers[key] = CustomerContext(
                name=name, phone=phone, country=country, zone=zone, language=language)
        return found


def record_to_task(record: dict, seen: Seen | None = None) -> Task:
    """A validated Task from one exported record (CSV cells or JSON values). ``seen``: the
    results of the rules for the values of the file's earlier records (see :class:`Seen`);
    the task and any error are the same with or without it."""
    if seen is None:
        seen = Seen()
    if not _FIELD_SET.issuperset(record):
        unknown = set(record) - _FIELD_SET
        raise TaskError(f"unknown field(s): {', '.join(quoted(u) for u in sorted(unknown))}.")
    # one scan of all the record's text; only a record with a problem is checked field by
    # field, for a message naming the field
    values = record.values()
    try:
        joined = "\n".join(values)
    except TypeError:  # not all text (JSON): only the text is scanned
        joined = "\n".join([v for v in values if isinstance(v, str)])
    clean = text_problem(joined) is None
    get = record.get
    task_id = _task_id(get("id"))
    uid = _text(get("uid"), "uid", clean)
    if uid is not None and not _UID.fullmatch(uid):
        raise TaskError(f"uid {quoted(uid)} must be 1-64 letters, digits, '-' or '_'.")
    times = seen.instants(get, clean)
    if times["created_at"] is None:
        raise TaskError("created_at is missing.")
    tags = get("tags")
    if tags is not None and not isinstance(tags, (str, list)):
        raise TaskError("tags must be a list or comma-separated text.")
    for name in ("priority", "status"):
        if isinstance(get(name), str) and not clean:
            check_text(record[name], name)
    zone_name = seen.zone(get("customer_zone"), clean)
    country = seen.country(get("customer_country"), clean)
    customer = seen.customer(
        _text(get("customer_name"), "customer_name", clean),
        _text(get("customer_phone"), "customer_phone", clean),
        country, zone_name,
        _text(get("customer_language"), "customer_language", clean))
    title = get("title")
    if title is None:
        raise TaskError("title is missing.")
    _text(title, "title", clean)
    task = Task(
        id=task_id, uid=uid, title=title,
        priority=get("priority") or "normal", status=get("status") or "open",
        channel=_text(get("channel"), "channel", clean),
        external_ref=_text(get("external_ref"), "external_ref", clean),
        notes=_text(get("notes"), "notes", clean) or "", tags=normalise_tags(tags), customer=customer,
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
            f"unknown or repeated: {', '.join(quoted(u) for u in unknown[:5]) or 'repeated column'}.", 1)
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
            yield line, dict(zip(header, from_csv_cells(cells)))
        line = reader.line_num + 1


def _json_records(text: str):
    """(line number, record) pairs from a JSON array, with each element's starting line."""
    decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
    position = _skip_space(text, 0)
    if position >= len(text) or text[position] != "[":
        raise TaskImportError("a JSON export is an array of tasks ([ … ]).", _line(text, position))
    position = _skip_space(text, position + 1)
    if position < len(text) and text[position] == "]":
        _expect_end(text, position + 1)
        return
    line, counted_to = 1, 0  # lines counted up to a position, forward only: linear in the file
    while True:
        line += text.count("\n", counted_to, position)
        counted_to = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise TaskImportError(f"not valid JSON ({exc.msg}).", exc.lineno) from None
        except RecursionError:
            raise TaskImportError("the task is nested too deeply (a task is one flat object).", line) from None
        except ValueError as exc:  # a number JSON cannot hold, from the hooks below
            raise TaskImportError(f"not valid JSON ({exc}).", line) from None
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


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


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


def parse_tasks(text: str, fmt: str, progress=None, values: Seen | None = None) -> list[Task]:
    """Every task of the file, validated; TaskImportError on the first bad row.
    ``progress(PARSING, rows read so far, None)`` is called every ``BATCH`` rows. ``values``:
    where the rules' results are remembered (a new :class:`Seen` if None)."""
    if fmt not in ("csv", "json"):
        raise TaskImportError(f"Unknown import format {fmt!r}; use csv or json.")
    records = _csv_records(text) if fmt == "csv" else _json_records(text)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    values = Seen() if values is None else values
    for line, record in records:
        if len(tasks) >= MAX_ROWS:
            raise TaskImportError(f"more than {MAX_ROWS} tasks in one file.", line)
        try:
            task = record_to_task(record, values)
        except ValueError as exc:
            raise TaskImportError(str(exc), line) from None
        if task.uid is not None:
            if task.uid in seen:
                raise TaskImportError(f"uid {task.uid} already appears on line {seen[task.uid]}.", line)
            seen[task.uid] = line
        tasks.append(task)
        if progress is not None and len(tasks) % BATCH == 0:
            progress(PARSING, len(tasks), None)
    return tasks


def import_tasks(store: TaskStore, text: str, fmt: str, progress=None) -> ImportResult:
    """Validate everything, then write everything in one transaction (the store's, ``BATCH``
    rows per statement: linear in the number of tasks). ``progress(phase, done, total)`` is
    called after every batch: PARSING (total None: not known until the end of the file), then
    WRITING."""
    writing = None if progress is None else (lambda done, total: progress(WRITING, done, total))
    # Hundreds of thousands of objects that live until the import ends, none in a cycle: the
    # collector's full passes over them (about a third of the import's time at 100,000 tasks)
    # are put off until it is over, as read_library does for the Replies panel; they are
    # freed before it is back, or its first pass would walk them all once more.
    with paused():
        values = Seen()
        tasks = parse_tasks(text, fmt, progress, values)
        result = ImportResult(*store.import_all(tasks, writing, BATCH, values.stored_texts))
        del tasks, values
        return result

