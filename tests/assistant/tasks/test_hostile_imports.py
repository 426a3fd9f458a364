"""A corpus of hostile or broken task files: each is refused with the line and field named,
the exact message, and the database byte-for-byte as it was. Plus spreadsheet safety: the
CSV export neutralises formula cells and round-trips line breaks exactly."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from assistant.customer import CustomerContext
from assistant.tasks.exchange import TaskImportError, export_tasks, import_tasks
from assistant.tasks.model import Task
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 14)
CREATED = "2026-11-23T10:00:00Z"


def db_state(runtime) -> tuple[str, str]:
    db = runtime.db
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return "\n".join(db.conn.iterdump()), hashlib.sha256(runtime.data_dir.database.read_bytes()).hexdigest()


def _json(**fields) -> str:
    """A JSON export whose second task has ``fields``; non-ASCII written as \\u escapes."""
    good = {"title": "Fine", "created_at": CREATED}
    return "[\n" + json.dumps(good) + ",\n" + json.dumps({"title": "X", "created_at": CREATED, **fields}) + "\n]"


JSON_CASES = {
    "huge id": (_json(id=10**30), "Line 3: id 1000000000000000000000000000000 is not between 1 and "
                                  "9223372036854775807."),
    "float id": (_json(id=1.5), "Line 3: id 1.5 is not a whole number."),
    "infinite id": ('[\n{"title": "X", "created_at": "%s", "id": Infinity}\n]' % CREATED,
                    "Line 2: not valid JSON (Infinity is not a JSON number)."),
    "NaN priority": ('[\n{"title": "X", "created_at": "%s", "priority": NaN}\n]' % CREATED,
                     "Line 2: not valid JSON (NaN is not a JSON number)."),
    "number out of range": ('[\n{"title": "X", "created_at": "%s", "id": 1e999}\n]' % CREATED,
                            "Line 2: not valid JSON (the number 1e999 is out of range)."),
    "year 9999 with an offset": (_json(created_at="9999-12-31T23:00:00-05:00"),
                                 "Line 3: created_at '9999-12-31T23:00:00-05:00' is not an ISO-8601 time with a "
                                 "UTC offset (e.g. 2026-11-24T09:00:00Z) between 1970 and 2999."),
    "year 9999": (_json(follow_up_at="9999-12-31T23:00:00Z"),
                  "Line 3: follow_up_at '9999-12-31T23:00:00Z' is outside the years 1970-2999."),
    "year 1": (_json(created_at="0001-01-01T00:00:00Z"),
               "Line 3: created_at '0001-01-01T00:00:00Z' is outside the years 1970-2999."),
    "deep nesting": ('[\n{"title": "X", "created_at": "%s", "notes": %s}\n]' % (CREATED, "[" * 100_000 + "]" * 100_000),
                     "Line 2: the task is nested too deeply (a task is one flat object)."),
    "list as notes": (_json(notes=[["a"]]), "Line 3: notes must be text, not list."),
    "dict as priority": (_json(priority={"a": 1}), "Line 3: Unknown priority a dict of 1 items; use one of: "
                                                   "urgent, high, normal, low."),
    "escape in the title": (_json(title="Call \u001b[2J back"), "Line 3: title contains the control character "
                                                                "U+001B ESCAPE at character 6."),
    "bell in the notes": (_json(notes="ok\u0007"), "Line 3: notes contains the control character U+0007 BEL at "
                                                   "character 3."),
    "C1 control in a name": (_json(customer_name="Ito \u009b31m"), "Line 3: customer_name contains the control "
                                                                   "character U+009B CONTROL at character 5."),
    "lone surrogate in the title": (_json(title="Refund \ud800"), "Line 3: title contains a lone surrogate "
                                                                  "U+D800 SURROGATE (not Unicode text) at "
                                                                  "character 8."),
    "lone surrogate in a tag": (_json(tags=["ok", "x\udfff"]), "Line 3: a tag contains a lone surrogate U+DFFF "
                                                               "SURROGATE (not Unicode text) at character 2."),
    "tag that is not text": (_json(tags=[["nested"]]), "Line 3: A tag must be text, not a list of 1 items."),
    "uid with a newline": (_json(uid="abc\n"), "Line 3: uid 'abc\\n' must be 1-64 letters, digits, '-' or '_'."),
    "huge unknown field": (_json(**{"x" * 10_000: 1}), "Line 3: unknown field(s): 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
                                                        "… (10,000 characters)."),
}

CSV_HEADER = "title,created_at,id,notes\n"
CSV_CASES = {
    "huge id": (CSV_HEADER + "Fine,%s,,\nX,%s,%s,\n" % (CREATED, CREATED, "9" * 5000),
                "Line 3: id '9999999999999999999999999999999999999999'… (5,000 characters) is not a positive "
                "whole number of at most 19 digits."),
    "id over SQLite's range": (CSV_HEADER + "X,%s,9223372036854775808,\n" % CREATED,
                               "Line 2: id '9223372036854775808' is not between 1 and 9223372036854775807."),
    "escape in the title": (CSV_HEADER + "\"A \x1b]0;owned\x07\",%s,,\n" % CREATED,
                            "Line 2: title contains the control character U+001B ESCAPE at character 3."),
    "date out of range": (CSV_HEADER + "X,0001-01-01T00:00:00+05:00,,\n",
                          "Line 2: created_at '0001-01-01T00:00:00+05:00' is not an ISO-8601 time with a UTC "
                          "offset (e.g. 2026-11-24T09:00:00Z) between 1970 and 2999."),
    "hostile header": ("title,created_at,\x1b[31m" + "y" * 100 + "\nX,%s,z\n" % CREATED,
                       "Line 1: the header must name columns among: id, uid, title, priority, status, channel, "
                       "external_ref, notes, tags, customer_name, customer_phone, customer_country, customer_zone, "
                       "customer_language, created_at, updated_at, response_due_at, resolution_due_at, responded_at, "
                       "due_at, follow_up_at, snoozed_until, done_at (with title); unknown or repeated: "
                       "'\\x1b[31myyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'… (105 characters)."),
}


@pytest.mark.parametrize("fmt, case", [("json", c) for c in JSON_CASES] + [("csv", c) for c in CSV_CASES])
def test_hostile_task_file_is_refused_and_changes_nothing(fmt, case, runtime, store):
    store.add(Task("Already here", customer=CustomerContext(name="Ito")), NOW)
    text, message = (JSON_CASES if fmt == "json" else CSV_CASES)[case]
    before = db_state(runtime)
    with pytest.raises(TaskImportError) as caught:
        import_tasks(store, text, fmt)
    assert str(caught.value) == message
    assert db_state(runtime) == before


def test_control_characters_are_refused_when_a_task_is_added(store):
    from assistant.tasks.model import TaskError

    with pytest.raises(TaskError) as caught:
        store.add(Task("Fine", notes="see \u001b[1mthis"), NOW)
    assert str(caught.value) == "notes contains the control character U+001B ESCAPE at character 5."
    # tabs and line breaks are text: in a title they become spaces, in notes they stay
    task = store.add(Task("Call\tback\nlater", notes="one\ttwo\r\nthree"), NOW)
    assert (task.title, task.notes) == ("Call back later", "one\ttwo\r\nthree")


# -- spreadsheet safety ------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+34 612 345 678", "-2+3", "@SUM(A1)", "\tindented", "\rcr",
            "'quoted already", "plain", "a=b"]


def test_csv_export_neutralises_formula_cells_and_round_trips(store, tmp_path, queue_config):
    from assistant.storage.database import open_database

    for text in FORMULAS:
        store.add(Task(f"T {text!r}", notes=text, external_ref=text, customer=CustomerContext(name=text)), NOW)
    exported = export_tasks(store, "csv")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    cells = [row["notes"] for row in rows]
    assert cells == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+34 612 345 678", "'-2+3", "'@SUM(A1)",
                     "'\tindented", "'\rcr", "''quoted already", "plain", "a=b"]
    assert all(not row[name].startswith(("=", "+", "-", "@", "\t", "\r"))
               for row in rows for name in ("notes", "external_ref", "customer_name"))
    opened = open_database(tmp_path / "other.db")
    try:
        from assistant.tasks.store import TaskStore

        other = TaskStore(opened.db, queue_config)
        import_tasks(other, exported, "csv")
        assert [t.notes for t in other.all_tasks()] == FORMULAS
        assert other.all_tasks() == store.all_tasks()
    finally:
        opened.close()


def test_csv_round_trip_keeps_cr_lf_and_crlf_inside_fields(run_cli, tmp_path):
    notes = "lf\nonly", "cr\ronly", "crlf\r\nboth", "mixed\r\n\n\r"
    for text in notes:
        code, out, err = run_cli("tasks", "add", f"Note {len(text)}", "--notes", text)
        assert code == 0, err
    target = tmp_path / "tasks.csv"
    assert run_cli("tasks", "export", "--format", "csv", "--output", str(target))[0] == 0
    exported = target.read_bytes()
    assert b"crlf\r\nboth" in exported and b"cr\ronly" in exported
    assert run_cli("--data-dir", str(tmp_path / "other"), "tasks", "import", str(target))[0] == 0
    code, out, _ = run_cli("--data-dir", str(tmp_path / "other"), "tasks", "list", "--view", "all", "--json")
    assert sorted(t["notes"] for t in json.loads(out)) == sorted(notes)
    again = tmp_path / "again.csv"
    run_cli("--data-dir", str(tmp_path / "other"), "tasks", "export", "--format", "csv", "--output", str(again))
    assert again.read_bytes() == exported
