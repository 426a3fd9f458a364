"""``assistant tasks``: add, list, done, snooze, export, import."""

import csv
import io
import json

from assistant import settings


def add(run_cli, *argv):
    code, out, err = run_cli("tasks", "add", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_add_prints_the_task_in_utc(run_cli, db):
    settings.put(db, "tasks.schedule", {"zone": "Europe/Paris"})
    settings.put(db, "clock.agent_zone", "Europe/Lisbon")  # the agent works from Lisbon
    task = add(run_cli, "Call back Mrs Ito", "--priority", "high", "--customer", "Asia/Tokyo",
               "--name", "Ito", "--follow-up", "2026-11-25T10:00", "--customer-time",
               "--tag", "refund", "--channel", "call")
    assert task["id"] == 1 and task["priority"] == "high"
    assert task["follow_up_at"] == "2026-11-25T01:00:00Z"  # 10:00 in Tokyo
    assert task["customer_zone"] == "Asia/Tokyo" and task["customer_country"] == "JP"
    assert task["customer_name"] == "Ito" and task["tags"] == ["refund"]
    assert task["due_at"].endswith("Z") and task["created_at"].endswith("Z")
    assert task["breached"] is False and "urgency" in task
    # without --customer-time the same text is read in the agent's zone (the clock's), not
    # in the team's (Paris, for SLA hours)
    mine = add(run_cli, "x", "--follow-up", "2026-11-25T10:00")
    assert mine["follow_up_at"] == "2026-11-25T10:00:00Z"


def test_add_refusals(run_cli):
    code, out, err = run_cli("tasks", "add", "x", "--customer", "ES", "--zone", "Asia/Tokyo")
    assert code == 2 and out == "" and "Atlantic/Canary" in err
    code, out, err = run_cli("tasks", "add", "x", "--priority", "critical")
    assert code == 2 and out == "" and "priority" in err
    code, out, err = run_cli("tasks", "add", "x", "--customer", "Europe/Paris",
                             "--follow-up", "2030-03-31T02:30", "--customer-time")
    assert code == 2 and out == "" and "does not exist" in err
    code, out, err = run_cli("tasks", "add", "x", "--customer-time")
    assert code == 2 and out == ""
    code, out, err = run_cli("tasks", "list", "--json")
    assert json.loads(out) == []


def test_a_customer_is_read_as_the_customer_bar_reads_it(run_cli, db):
    settings.put(db, "customer.default_region", "MX")
    task = add(run_cli, "x", "--customer", "Lucía, 55 1234 5678")  # a name, a national number
    assert (task["customer_name"], task["customer_phone"], task["customer_country"]) == \
        ("Lucía", "+525512345678", "MX")
    assert task["customer_zone"] == "America/Mexico_City"


def test_customer_with_several_zones_gets_the_likely_one_said_out_loud(run_cli):
    code, out, err = run_cli("tasks", "add", "x", "--customer", "ES", "--json")
    assert code == 0 and json.loads(out)["customer_zone"] == "Europe/Madrid"
    assert "most likely" in err and "Atlantic/Canary" in err and "--zone" in err


def test_customer_with_several_zones_and_a_choice(run_cli):
    task = add(run_cli, "x", "--customer", "ES", "--zone", "Atlantic/Canary")
    assert task["customer_zone"] == "Atlantic/Canary" and task["customer_country"] == "ES"


def test_list_orders_as_the_app_and_done(run_cli):
    add(run_cli, "low", "--priority", "low")
    urgent = add(run_cli, "urgent", "--priority", "urgent")
    add(run_cli, "normal")
    code, out, _ = run_cli("tasks", "list", "--json")
    listed = json.loads(out)
    assert [t["title"] for t in listed] == ["urgent", "normal", "low"]
    assert all({"urgency", "breached", "due_at", "why"} <= set(t) for t in listed)
    assert listed[0]["urgency"] > listed[1]["urgency"] > listed[2]["urgency"]
    code, out, err = run_cli("tasks", "done", str(urgent["id"]))
    assert code == 0, err
    code, out, _ = run_cli("tasks", "list", "--json")
    assert [t["title"] for t in json.loads(out)] == ["normal", "low"]
    code, out, _ = run_cli("tasks", "list", "--view", "done", "--json")
    assert [t["title"] for t in json.loads(out)] == ["urgent"]
    code, out, err = run_cli("tasks", "done", "99")
    assert code == 2 and out == "" and "99" in err


def test_snooze(run_cli):
    task = add(run_cli, "x", "--priority", "urgent")
    code, out, err = run_cli("tasks", "snooze", str(task["id"]), "in 2h", "--json")
    assert code == 0, err
    assert json.loads(out)["snoozed_until"]
    code, out, _ = run_cli("tasks", "list", "--view", "now", "--json")
    assert json.loads(out) == []


def test_export_to_stdout_and_file_and_import(run_cli, tmp_path):
    add(run_cli, "One, with comma", "--tag", "a", "--tag", "b")
    add(run_cli, "Two")
    code, out, err = run_cli("tasks", "export", "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["title"] for r in rows] == ["One, with comma", "Two"] and rows[0]["tags"] == "a,b"
    target = tmp_path / "tasks.json"
    code, out, err = run_cli("tasks", "export", "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert [t["title"] for t in json.loads(target.read_text(encoding="utf-8"))] == ["One, with comma", "Two"]
    code, out, err = run_cli("tasks", "import", str(target), "--json")
    assert code == 0 and json.loads(out) == {"added": 0, "replaced": 2}


def test_import_bad_file_changes_nothing(run_cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,created_at\nGood,2026-11-23T10:00:00Z\nBad,yesterday\n", encoding="utf-8")
    code, out, err = run_cli("tasks", "import", str(bad))
    assert code == 2 and out == ""
    assert "Line 3" in err and "Nothing was imported" in err
    code, out, _ = run_cli("tasks", "list", "--view", "all", "--json")
    assert json.loads(out) == []


def test_settings_show_change_and_refuse(run_cli):
    code, out, _ = run_cli("tasks", "settings")
    shown = json.loads(out)
    assert code == 0 and shown["sla"]["urgent"]["clock"] == "calendar" and shown["schedule"]["start"] == "09:00"
    code, out, err = run_cli("tasks", "settings", "schedule", '{"zone": "Asia/Tokyo", "holidays_country": "JP"}')
    assert code == 0, err
    assert json.loads(out)["schedule"]["zone"] == "Asia/Tokyo"
    code, out, err = run_cli("tasks", "settings", "sla", '{"high": {"clock": "sometimes"}}')
    assert code == 2 and out == "" and "Nothing was changed" in err
    code, out, _ = run_cli("tasks", "settings", "sla")
    assert json.loads(out)["sla"]["high"]["clock"] == "business"
    code, out, _ = run_cli("tasks", "settings", "schedule", "default")
    assert json.loads(out)["schedule"]["zone"] is None
