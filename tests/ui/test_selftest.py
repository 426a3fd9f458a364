"""The installation self-test: one line per check, exit code 0 only if every check passes."""

from __future__ import annotations

import io

import pytest

from ui.selftest import SelfTest, SelfTestFailure


def test_a_failing_check_fails_the_run_and_says_why(tmp_path, qapp):
    out = io.StringIO()
    test = SelfTest(tmp_path, out)

    def broken():
        raise SelfTestFailure("the model is missing")

    def missing_feature():
        import assistant.no_such_feature  # noqa: F401

    test.checks = lambda: [("fine", lambda: "all good"), ("broken", broken), ("feature", missing_feature)]
    assert test.run() is False
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("PASS  fine: all good")
    assert lines[1].startswith("FAIL  broken: the model is missing")
    assert lines[2].startswith("FAIL  feature: not available in this build")
    assert lines[-1] == "self-test: 1/3 checks passed"


def test_all_passing_checks_pass(tmp_path, qapp):
    out = io.StringIO()
    test = SelfTest(tmp_path, out)
    test.checks = lambda: [("one", lambda: "ok"), ("two", lambda: "ok")]
    assert test.run() is True
    assert out.getvalue().splitlines()[-1] == "self-test: 2/2 checks passed"


@pytest.mark.parametrize("name", ["resources", "storage", "languages", "time data", "window", "card", "template", "translation", "task"])
def test_checks_pass_in_a_checkout(name, fresh_data_dir, qapp):
    test = SelfTest(fresh_data_dir.parent, io.StringIO())
    check = dict(test.checks())[name]
    try:
        detail = check()
    finally:
        test.close()
    assert detail


def test_an_error_in_a_slot_fails_the_window_check(fresh_data_dir, qapp, monkeypatch):
    """PySide only prints exceptions raised in slots; the self-test must still see them."""
    from ui.main_window import MainWindow

    def broken(self, index):
        raise RuntimeError("panel exploded")

    monkeypatch.setattr(MainWindow, "_panel_changed", broken)
    test = SelfTest(fresh_data_dir.parent, io.StringIO())
    try:
        with pytest.raises(SelfTestFailure, match="error\\(s\\) behind the window, first: RuntimeError: panel exploded"):
            test.check_window()
    finally:
        test.close()


def test_assistant_self_test_runs_every_check_in_a_development_install(tmp_path):
    """`assistant self-test` (README, docs/deployment.md) works outside the bundle too: a fresh
    process, as an agent or IT would start it, with no display."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["AGENT_ASSISTANT_HOME"] = str(tmp_path / "agent-data")  # must stay untouched
    run = subprocess.run([sys.executable, "-m", "assistant", "self-test"], env=env, capture_output=True,
                         text=True, timeout=600)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert lines[-1] == "self-test: 10/10 checks passed"
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"PASS  {name}" for name in ("resources", "storage", "languages", "time data", "window", "card",
                                     "template", "translation", "task", "global shortcuts")]
    assert not (tmp_path / "agent-data").exists()
