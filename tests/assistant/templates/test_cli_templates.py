import json


def test_search_json_lists_ids_and_titles_in_order(run_cli):
    code, out, err = run_cli("templates", "search", "refund", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0] == {"id": "starter.refund.approved", "title": "Refund approved", "layer": "team"}
    assert all(r["id"].startswith("starter.") for r in rows)
    code, out, _ = run_cli("templates", "search", "reembolsó aprobado", "--json")
    assert json.loads(out)[0]["id"] == "starter.refund.approved"


def test_render_for_a_spanish_phone_number(run_cli):
    code, out, err = run_cli("templates", "render", "starter.followup.check_in", "--lang", "es",
                             "--set", "name=Ana María", "--customer", "+34 612 345 678",
                             "--zone", "Europe/Madrid", "--at", "2026-01-15T18:00Z", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["language"] == "es" and not data["fallback"]
    assert data["text"].startswith("Buenas tardes, Ana. Le escribo para hacer seguimiento del caso {{ticket_id}}.")
    assert data["unresolved"] == ["ticket_id"]


def test_render_reads_the_customer_as_the_customer_bar_does(run_cli):
    code, out, err = run_cli("templates", "render", "starter.followup.check_in", "--lang", "es",
                             "--customer", "Ana María, +34 612 345 678", "--zone", "Europe/Madrid",
                             "--at", "2026-01-15T18:00Z", "--json")
    assert code == 0, err
    assert json.loads(out)["text"].startswith("Buenas tardes, Ana. ")


def test_render_falls_back_and_reports_missing(run_cli):
    code, out, err = run_cli("templates", "render", "starter.hold.request", "--lang", "ja",
                             "--at", "2026-01-15T18:00Z", "--set", "wait_minutes=", "--json")
    data = json.loads(out)
    assert data["language"] == "en" and data["fallback"]
    assert data["text"] == ("May I put you on hold for about 2 minutes while I check this? "
                            "I'll be right back with you.")  # the declared default


def test_render_errors_are_clear(run_cli):
    code, out, err = run_cli("templates", "render", "nope", "--json")
    assert code == 2 and out == "" and "no template 'nope'" in err
    code, out, err = run_cli("templates", "render", "starter.hold.request", "--set", "oops")
    assert code == 2 and "NAME=VALUE" in err
    code, out, err = run_cli("templates", "render", "starter.hold.request", "--at", "2026-01-15T18:00")
    assert code == 2 and "offset" in err
    code, out, err = run_cli("templates", "render", "starter.hold.request", "--customer", "Atlantis")
    assert code == 2 and "Atlantis" in err


def test_import_export_and_usage(run_cli, tmp_path):
    source = tmp_path / "mine.csv"
    source.write_text("title,body,shortcut\nThanks,Thanks {{customer_first_name|}}!,;ty\n", encoding="utf-8")
    code, out, err = run_cli("templates", "import", str(source), "--json")
    assert code == 0, err
    assert json.loads(out) == {"imported": ["my.thanks"], "skipped": []}
    bad = tmp_path / "bad.yml"
    bad.write_text("matches:\n  - trigger: ':x'\n    replace: '{{o}}'\n    vars: [{name: o, type: shell}]\n")
    code, out, err = run_cli("templates", "import", str(bad))
    assert code == 2 and "runs a program" in err and out == ""
    pack = tmp_path / "mine.agentpack.json"
    code, out, err = run_cli("templates", "export", str(pack))
    assert code == 0 and json.loads(pack.read_text(encoding="utf-8"))["templates"][0]["id"] == "my.thanks"
    code, out, err = run_cli("templates", "usage", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("id,title,layer")
