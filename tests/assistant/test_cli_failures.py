"""No traceback reaches a user from any command: the inputs that produced one in a sweep of
every command (``assistant --help``), each with the one line a user now reads, its exit
code, and the database byte-for-byte as it was. Bugs are logged with their traceback and
reported as "internal error, see the log FILE"."""

import logging
import re
from pathlib import Path

import pytest

from assistant.runtime import start

BIG = "9" * 40
# A lone surrogate as Python decodes it from a command line (the bytes ED A0 80)
SURROGATE = b"\xed\xa0\x80".decode("utf-8", "surrogateescape")

# argv -> (exit code, the exact last line on stderr)
SWEEP = {
    "--at far in the future": (
        ["customer", "Manila", "--at", "9999-12-31T23:59+00:00"], 2,
        "assistant: --at '9999-12-31T23:59+00:00' is out of range: give a date from 1900 to 2199."),
    "--at at the start of time": (
        ["customer", "Manila", "--at", "0001-01-01T00:00+00:00"], 2,
        "assistant: --at '0001-01-01T00:00+00:00' is out of range: give a date from 1900 to 2199."),
    "render --at far in the future": (
        ["templates", "render", "starter.greeting", "--at", "9999-12-31T23:59Z"], 2,
        "assistant: --at '9999-12-31T23:59Z' is out of range: give a date from 1900 to 2199."),
    "convert --local at the start of time": (
        ["convert", "--zone", "Europe/Paris", "--local", "0001-01-01T00:00", "--agent-zone", "UTC"], 2,
        "assistant: --local '0001-01-01T00:00' is out of range: give a date from 1900 to 2199."),
    "convert --local at the end of time": (
        ["convert", "--zone", "Europe/Paris", "--local", "9999-12-31T23:59", "--agent-zone", "UTC"], 2,
        "assistant: --local '9999-12-31T23:59' is out of range: give a date from 1900 to 2199."),
    "a follow-up in 99999999999 days": (
        ["tasks", "add", "t", "--follow-up", "in 99999999999 days"], 2,
        "assistant: 'in 99999999999 days' is not between a minute and a year from now."),
    "a follow-up in more hours than a float holds": (
        ["tasks", "add", "t", "--follow-up", f"in {'9' * 400} h"], 2,
        f"assistant: 'in {'9' * 400} h' is not between a minute and a year from now."),
    "a --limit too long for a number": (
        ["tasks", "list", "--limit", BIG], 2,
        f"assistant tasks list: error: argument --limit: '{BIG[:30]}'… is too long for a number"),
    "a negative --limit": (
        ["tasks", "list", "--limit", "-1"], 2,
        "assistant tasks list: error: argument --limit: '-1' is not a count from 0 to 1000000"),
    "a search --limit too long for a number": (
        ["templates", "search", "x", "--limit", BIG], 2,
        f"assistant templates search: error: argument --limit: '{BIG[:30]}'… is too long for a number"),
    "a task id SQLite cannot hold": (
        ["tasks", "done", str(2 ** 63)], 2,
        "assistant tasks done: error: argument id: '9223372036854775808' is not an id (a whole number "
        "from 1 to 9223372036854775807)"),
    "a task id too long for a number": (
        ["tasks", "snooze", BIG, "in 2h"], 2,
        f"assistant tasks snooze: error: argument id: '{BIG[:30]}'… is too long for a number"),
    "a negative task id": (
        ["tasks", "done", "-5"], 2,
        "assistant tasks done: error: argument id: '-5' is not an id (a whole number from 1 to "
        "9223372036854775807)"),
    "a settings part that should be an object": (
        ["tasks", "settings", "sla", '{"urgent": 1e999}'], 2,
        "assistant: tasks.sla.urgent must be an object, not float. Nothing was changed."),
    "an infinite number of hours": (
        ["tasks", "settings", "sla", '{"urgent": {"response_hours": 1e999}}'], 2,
        "assistant: tasks.sla.urgent.response_hours: inf is not a number between -1000000 and 1000000. "
        "Nothing was changed."),
    "not a number (NaN) minutes": (
        ["tasks", "settings", "notifications", '{"breach_lead_minutes": NaN}'], 2,
        "assistant: tasks.notifications.breach_lead_minutes: nan is not a number between -1000000 and "
        "1000000. Nothing was changed."),
    "a huge number of minutes": (
        ["tasks", "settings", "notifications", '{"breach_lead_minutes": 1' + "0" * 300 + "}"], 2,
        f"assistant: tasks.notifications.breach_lead_minutes: 1{'0' * 300} is not a number between "
        "-1000000 and 1000000. Nothing was changed."),
}

# Python's own words follow the prefix: the property is one line and the exit code
SWEEP_PREFIX = {
    "JSON nested 100,000 deep": (["tasks", "settings", "schedule", "[" * 100_000], 2,
                                 "assistant: The value is not JSON: maximum recursion depth exceeded"),
    "an integer of 5,000 digits": (["tasks", "settings", "schedule", "9" * 5000], 2,
                                   "assistant: The value is not JSON: Exceeds the limit (4300 digits)"),
}

# Inputs another part of the work validates with its own words (lone surrogates, pack files):
# whatever they say, it is one line, not an internal error, and nothing changed.
ONE_LINE = {
    "a title with a lone surrogate": ["tasks", "add", SURROGATE],
    "a tag with a lone surrogate": ["tasks", "add", "t", "--tag", SURROGATE],
    "notes with a lone surrogate": ["tasks", "add", "t", "--notes", SURROGATE],
    "a glossary term with a lone surrogate": ["glossary", "add", SURROGATE],
    "removing a glossary term with a lone surrogate": ["glossary", "remove", SURROGATE],
    "a pack id with a lone surrogate": ["pack", "new", "{tmp}/x.json", "--id", SURROGATE, "--title", "t",
                                        "--publisher", "p"],
    "a pack in a folder that cannot exist": ["pack", "new", "/proc/nonexistent/dir/x.json", "--id", "a.b",
                                             "--title", "t", "--publisher", "p"],
    "a pack source nested 100,000 deep": ["pack", "build", "{tmp}/deep.agentpack.json"],
    "tasks nested 100,000 deep": ["tasks", "import", "{tmp}/deep.json"],
    "a task id that is infinite": ["tasks", "import", "{tmp}/inf.json"],
}


@pytest.fixture
def app_db(fresh_data_dir):
    start().close()
    return fresh_data_dir / "assistant.db"


@pytest.fixture
def hostile_files(tmp_path):
    (tmp_path / "deep.agentpack.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "inf.json").write_text('[{"id": 1e999, "title": "x"}]')
    return tmp_path


def run_to_the_end(run_cli, argv, capsys):
    """Exit code and stderr, whether main returns or argparse exits."""
    try:
        code, out, err = run_cli(*argv)
    except SystemExit as exit_:
        code, (out, err) = exit_.code, capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, code, line", SWEEP.values(), ids=SWEEP.keys())
def test_each_input_that_gave_a_traceback_now_gives_one_line(argv, code, line, app_db, run_cli, capsys, digest):
    before = digest(app_db)
    got, out, err = run_to_the_end(run_cli, argv, capsys)
    assert (got, out, err.splitlines()[-1]) == (code, "", line)
    assert "Traceback" not in err
    assert digest(app_db) == before


@pytest.mark.parametrize("argv, code, prefix", SWEEP_PREFIX.values(), ids=SWEEP_PREFIX.keys())
def test_values_python_refuses_are_one_line(argv, code, prefix, app_db, run_cli, digest):
    before = digest(app_db)
    got, out, err = run_cli(*argv)
    assert (got, out) == (code, "") and err.startswith(prefix) and err.count("\n") == 1
    assert digest(app_db) == before


@pytest.mark.parametrize("argv", ONE_LINE.values(), ids=ONE_LINE.keys())
def test_no_input_gives_a_traceback_or_an_internal_error(argv, app_db, hostile_files, run_cli, digest):
    before = digest(app_db)
    code, out, err = run_cli(*[a.replace("{tmp}", str(hostile_files)) for a in argv])
    assert code == 2 and out == ""
    assert err.startswith("assistant: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "Internal error" not in err
    assert digest(app_db) == before


def failing_command(monkeypatch, exc):
    from assistant.cli import core

    def broken(args):
        raise exc

    monkeypatch.setattr(core, "cmd_backup_list", broken)


def test_a_bug_is_logged_with_its_traceback_and_reported_as_an_internal_error(
        fresh_data_dir, monkeypatch, run_cli):
    failing_command(monkeypatch, KeyError("lost"))
    code, out, err = run_cli("backup", "list")
    log_file = fresh_data_dir / "logs" / "assistant.log"
    assert (code, out, err) == (70, "", f"assistant: Internal error (KeyError), see the log {log_file}\n")
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "ERROR assistant.faults: internal error" in logged
    assert "Traceback (most recent call last)" in logged and "KeyError: 'lost'" in logged


def test_a_bug_with_no_log_to_write_still_is_one_line(tmp_path, monkeypatch, run_cli):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("AGENT_ASSISTANT_HOME", str(blocker / "data"))
    failing_command(monkeypatch, KeyError("lost"))
    code, out, err = run_cli("backup", "list")
    assert (code, out, err) == (70, "", "assistant: Internal error (KeyError: 'lost'); it could not be "
                                        "written to the log.\n")


def test_a_wrong_sql_statement_is_a_bug_not_a_database_fault(fresh_data_dir, monkeypatch, run_cli):
    import sqlite3

    error = sqlite3.IntegrityError("datatype mismatch")
    error.sqlite_errorcode, error.sqlite_errorname = 20, "SQLITE_MISMATCH"
    failing_command(monkeypatch, error)
    code, _out, err = run_cli("backup", "list")
    assert code == 70 and re.fullmatch(r"assistant: Internal error \(IntegrityError\), see the log .*\n", err)


@pytest.mark.parametrize("exc, line", [
    (OSError(28, "No space left on device", "/data/out.csv"),
     "The disk is full: /data/out.csv could not be written. Free some space and try again."),
    (PermissionError(13, "Permission denied", "/data/out.csv"), "/data/out.csv: Permission denied"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
     "The text is not valid UTF-8 or cannot be encoded ('utf-8' codec can't decode byte 0xff in position 0: "
     "invalid start byte)."),
    (OverflowError("date value out of range"), "A number or a date is out of range (date value out of range)."),
    (RecursionError("maximum recursion depth exceeded"), "The input is nested too deeply to be read."),
    (MemoryError(), "There is not enough memory to finish: the input is too large."),
], ids=["full disk", "permission", "encoding", "overflow", "recursion", "memory"])
def test_expected_failures_anywhere_are_one_line(exc, line, fresh_data_dir, monkeypatch, run_cli):
    failing_command(monkeypatch, exc)
    assert run_cli("backup", "list") == (2, "", f"assistant: {line}\n")
