"""Outside text: refused where it cannot be stored, escaped where a terminal would obey it,
cut short where a message quotes it."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from assistant import plaintext
from assistant.cli import terminal

REPO = Path(__file__).resolve().parents[2]


def test_text_problems_name_the_character_and_its_place():
    assert plaintext.text_problem("tab\tand\r\nbreaks are text") is None
    assert plaintext.text_problem("a\x1b[2J") == "contains the control character U+001B ESCAPE at character 2"
    assert plaintext.text_problem("ab\ud800") == ("contains a lone surrogate U+D800 SURROGATE (not Unicode text) "
                                                  "at character 3")
    assert plaintext.first_text_problem({"a": ["ok", {"b": "x\x07"}]}) == (
        "a[1].b", "contains the control character U+0007 BEL at character 2")
    assert plaintext.first_text_problem({"k\ud800": 1}) == (
        "'k\\ud800'", "the name contains a lone surrogate U+D800 SURROGATE (not Unicode text) at character 2")


def test_quoted_values_are_short():
    assert plaintext.quoted("x" * 1000) == repr("x" * 40) + "… (1,000 characters)"
    assert plaintext.quoted("\x1b[2J") == "'\\x1b[2J'"
    assert plaintext.quoted(list(range(10**6))) == "a list of 1,000,000 items"


def test_for_terminal_escapes_what_a_terminal_would_obey():
    assert plaintext.for_terminal("ok\ttab\nline, 日本語 ‏") == "ok\ttab\nline, 日本語 ‏"
    assert plaintext.for_terminal("\x1b[2J\r\x9b31m\u202eexe\ud800") == "\\x1b[2J\\x0d\\x9b31m\\u202eexe\\ud800"


def test_only_a_terminal_is_wrapped():
    pipe = io.StringIO()
    assert terminal.protect(pipe) is pipe  # files and pipes get the exact text

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    wrapped = terminal.protect(tty)
    assert terminal.protect(wrapped) is wrapped
    print("title \x1b]0;owned\x07", file=wrapped)
    assert tty.getvalue() == "title \\x1b]0;owned\\x07\n"


def _run_on_a_terminal(*argv: str, env: dict) -> str:
    """Output of ``assistant ARGV`` run with a pseudo-terminal as stdout and stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *argv], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env, cwd=REPO)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_no_cli_command_sends_control_characters_to_a_terminal(runtime, tmp_path):
    from assistant.tasks.model import Task
    from assistant.tasks.store import TaskStore
    from assistant.tasks.timeutil import utc

    store = TaskStore(runtime.db)
    store.add(Task("Refund \u202eexe.fdp"), utc(2026, 11, 23, 14))  # storable, but reorders a terminal line
    legacy = store.add(Task("legacy"), utc(2026, 11, 23, 14))
    with runtime.db.conn:  # a title stored before control characters were refused
        runtime.db.execute("UPDATE tasks SET title = ? WHERE id = ?", ["\x1b[2J\x1b]0;owned\x07", legacy.id])
    data = str(runtime.data_dir.path)
    env = {**os.environ, "PYTHONPATH": str(REPO), "AGENT_ASSISTANT_POLICY": str(tmp_path / "none.json")}
    for argv in (["tasks", "list", "--view", "all"], ["tasks", "list", "--view", "all", "--json"],
                 ["customer", "\x1b[2J\x9b31m1234"]):
        shown = _run_on_a_terminal("--data-dir", data, *argv, env=env)
        assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown, (argv, shown)
        assert "\x07" not in shown
    assert "\\x1b[2J\\x1b]0;owned\\x07" in _run_on_a_terminal("--data-dir", data, "tasks", "list", "--view", "all",
                                                             env=env)


def test_customer_text_is_capped_and_not_echoed_in_full(run_cli):
    code, out, err = run_cli("customer", "+34 " + "6" * 100_000)
    assert (code, out) == (2, "")
    assert err == ("assistant: That text is 100,004 characters long: type a phone number, a country, a city or a "
                   "time zone (at most 200 characters).\n")
    code, out, err = run_cli("tasks", "add", "Call back", "--customer", "Atlantis " * 20)
    assert (code, out) == (2, "")
    assert len(err) < 300 and "Atlantis Atlantis Atlantis Atlantis Atla…" in err
