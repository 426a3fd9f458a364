import os

import pytest

from assistant import paths
from assistant.paths import DataDirError, ensure_writable, resolve_data_dir


def test_precedence_argument_environment_portable_user(tmp_path, monkeypatch):
    exe = tmp_path / "app"
    exe.mkdir()
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg", exe_dir=exe).source == "argument"
    assert resolve_data_dir(None, exe_dir=exe).path == (tmp_path / "env").resolve()
    monkeypatch.delenv(paths.ENV_HOME)
    (exe / paths.PORTABLE_MARKER).write_text("")
    portable = resolve_data_dir(None, exe_dir=exe)
    assert (portable.source, portable.path) == ("portable", exe / "data")
    (exe / paths.PORTABLE_MARKER).unlink()
    user = resolve_data_dir(None, exe_dir=exe)
    assert user.source == "user" and "agent-assistant" in str(user.path)
    assert user.ignored is None


def test_the_policy_data_dir_wins_over_everything_the_agent_controls(tmp_path, monkeypatch):
    exe = tmp_path / "app"
    exe.mkdir()
    (exe / paths.PORTABLE_MARKER).write_text("")
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "env"))
    chosen = resolve_data_dir(tmp_path / "arg", policy_data_dir=str(tmp_path / "pol"), exe_dir=exe)
    assert (chosen.source, chosen.path) == ("policy", tmp_path / "pol")
    assert f"--data-dir {tmp_path / 'arg'}" in chosen.ignored and paths.ENV_HOME in chosen.ignored
    assert paths.PORTABLE_MARKER in chosen.ignored


def test_a_machine_policy_data_dir_is_used_by_the_runtime_and_shown_by_doctor(machine_policy, tmp_path, run_cli):
    machine_policy("system", {"data_dir": str(tmp_path / "it-chose")})
    code, out, _err = run_cli("--data-dir", str(tmp_path / "mine"), "doctor", "--json")
    import json

    report = json.loads(out)
    assert report["data_dir"] == str(tmp_path / "it-chose") and report["data_dir_source"] == "policy"
    assert "--data-dir" in report["data_dir_ignored"]
    assert not (tmp_path / "mine").exists()


def test_portable_mode_keeps_everything_beside_the_executable(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ENV_HOME)
    exe = tmp_path / "bundle"
    exe.mkdir()
    (exe / paths.PORTABLE_MARKER).write_text("")
    monkeypatch.setattr(paths, "executable_dir", lambda: exe)
    from assistant.runtime import start

    rt = start()
    try:
        assert rt.data_dir.database == exe / "data" / "assistant.db"
        assert rt.data_dir.database.exists() and (exe / "data" / "logs").is_dir()
    finally:
        rt.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_data_dir_gives_a_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(DataDirError, match="not writable"):
            ensure_writable(resolve_data_dir(ro / "inner"))
    finally:
        ro.chmod(0o700)


def test_unusable_data_dir_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DataDirError, match="not writable.*--data-dir"):
        ensure_writable(resolve_data_dir(blocker / "data"))


def test_resources_are_found():
    assert paths.resource_path("icons", "app.svg").is_file()
