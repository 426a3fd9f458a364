import json

from assistant import settings


def test_doctor_reports_data_dir_integrity_and_policy(run_cli, fresh_data_dir):
    code, out, err = run_cli("doctor", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["data_dir"] == str(fresh_data_dir)
    assert report["integrity"] == "ok"
    assert report["schema_version"] >= 1
    assert report["policy"]["allow_downloads"] is False
    assert report["network"].startswith("none")
    assert "Time-zone data (tzdata)" in report["versions"]
    assert report["card_problems"] == []  # every shipped card is valid


def test_backup_now_and_restore_from_the_cli(run_cli, fresh_data_dir):
    from assistant.runtime import start

    rt = start()
    settings.put(rt.db, "profile.agent_name", "first")
    rt.close()
    code, out, _ = run_cli("backup", "now")
    assert code == 0
    backup_file = out.strip()
    rt = start()
    settings.put(rt.db, "profile.agent_name", "second")
    rt.close()
    code, listing, _ = run_cli("backup", "list", "--json")
    assert backup_file in [b["file"] for b in json.loads(listing)]

    code, out, err = run_cli("backup", "restore", backup_file)
    assert code == 0, err
    assert "kept as" in out
    rt = start()
    try:
        assert settings.get(rt.db, "profile.agent_name") == "first"
    finally:
        rt.close()


def test_restore_of_a_missing_file_fails_cleanly(run_cli, tmp_path):
    code, out, err = run_cli("backup", "restore", str(tmp_path / "nope.db"))
    assert code != 0 and out == ""
    assert "No backup file" in err


def test_newer_database_is_refused_with_a_message(run_cli, fresh_data_dir):
    import sqlite3
    from assistant.runtime import start

    start().close()
    conn = sqlite3.connect(fresh_data_dir / "assistant.db")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('x', 'y', 'z')")
    conn.commit()
    conn.close()
    code, out, err = run_cli("doctor")
    assert code == 2 and out == ""
    assert "newer version" in err


def test_output_cut_short_by_a_pipe_is_not_a_traceback(fresh_data_dir, monkeypatch):
    import os
    import sys

    from assistant.cli import main

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (e.g. `head`) has gone
    saved = os.dup(1)
    out = open(1, "w", closefd=False)
    try:
        os.dup2(write_end, 1)
        monkeypatch.setattr(sys, "stdout", out)
        assert main(["doctor", "--json"]) == 141
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(write_end)
        out.close()
