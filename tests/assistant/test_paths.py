import os

import pytest

from assistant import paths
from assistant.paths import DataDirError, ensure_writable, resolve_data_dir


def test_precedence_argument_environment_portable_policy_user(tmp_path, monkeypatch):
    exe = tmp_path / "app"
    exe.mkdir()
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg", exe_dir=exe).source == "argument"
    assert resolve_data_dir(None, exe_dir=exe).path == (tmp_path / "env").resolve()
    monkeypatch.delenv(paths.ENV_HOME)
    (exe / paths.PORTABLE_MARKER).write_text("")
    portable = resolve_data_dir(None, policy_data_dir=str(tmp_path / "pol"), exe_dir=exe)
    assert (portable.source, portable.path) == ("portable", exe / "data")
    (exe / paths.PORTABLE_MARKER).unlink()
    assert resolve_data_dir(None, policy_data_dir=str(tmp_path / "pol"), exe_dir=exe).source == "policy"
    user = resolve_data_dir(None, exe_dir=exe)
    assert user.source == "user" and "agent-assistant" in str(user.path)


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
