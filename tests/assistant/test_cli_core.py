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
    assert err == (f"assistant: {tmp_path / 'nope.db'} was not restored: there is no such file. "
                   "The current database was not changed.\n")


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


def test_doctor_lists_every_policy_source_and_where_each_value_came_from(run_cli, machine_policy, tmp_path,
                                                                         monkeypatch):
    system = machine_policy("system", {"allow_downloads": True, "pack_inbox": "/srv/inbox"})
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"allow_downloads": True, "allow_translation_history": False,
                                "data_dir": "/home/me"}), encoding="utf-8")
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(mine))
    code, out, err = run_cli("doctor", "--json")
    assert code == 0, err
    policy = json.loads(out)["policy"]
    assert policy["errors"] == []
    assert [(f["path"], f["kind"], f["status"]) for f in policy["files"]] == [
        (str(system), "machine", "read"),
        (str(system.parent.parent / "beside-executable" / "policy.json"), "machine", "absent"),
        (str(mine), "user", "read")]
    assert policy["files"][2]["ignored"] == ["data_dir"]
    effective = policy["effective"]
    assert effective["allow_downloads"] == {"value": True, "from": str(system)}
    assert effective["allow_translation_history"] == {"value": False, "from": str(mine)}
    assert effective["pack_inbox"] == {"value": "/srv/inbox", "from": str(system)}
    assert effective["require_signatures"] == {"value": False, "from": "(default)"}
    assert effective["data_dir"]["value"] is None
    code, text, _ = run_cli("doctor")
    assert f"machine file {system}: read" in text and f"user file {mine}: read" in text
    assert f"allow_translation_history: False  [{mine}]" in text


def test_doctor_fails_on_a_named_policy_that_is_missing(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("AGENT_ASSISTANT_POLICY", str(tmp_path / "polcy.json"))  # a typo
    code, out, _err = run_cli("doctor", "--json")
    report = json.loads(out)
    assert code == 1
    assert report["policy"]["errors"] and "polcy.json" in report["policy"]["errors"][0]
    assert report["policy"]["require_signatures"] is True and report["policy"]["allow_translation_history"] is False


def test_damage_doctor_finds_is_acted_on_at_the_next_open(run_cli, fresh_data_dir):
    """A command opens reading the header and schema only; doctor's full check names damaged
    pages, and the next command moves the file aside (kept, never deleted)."""
    from assistant.runtime import start
    from assistant.storage.database import damage_mark

    rt = start()
    with rt.db.atomic():
        rt.db["settings"].insert_all(({"key": f"k{i}", "value": "x" * 500} for i in range(500)))
    rt.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rt.close()
    database = fresh_data_dir / "assistant.db"
    data = bytearray(database.read_bytes())
    data[4096 * 3:4096 * 3 + 200] = b"\x07" * 200  # scribble over a b-tree page
    database.write_bytes(bytes(data))
    code, out, err = run_cli("doctor", "--json")
    assert code == 1, err
    assert json.loads(out)["integrity"] != "ok" and damage_mark(database).exists()
    code, _out, err = run_cli("tasks", "settings")
    assert code == 0 and "moved aside" in err and not damage_mark(database).exists()
    [moved] = [p for p in fresh_data_dir.glob("assistant.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert moved.read_bytes() == bytes(data)
