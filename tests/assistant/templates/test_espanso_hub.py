"""Espanso files shaped like the public hub's packages (espanso_hub/): import what can be
imported, skip and list the rest by line and reason, preview first, one transaction."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.templates import store
from assistant.templates.importers import ImportFailed, read_espanso, read_file, save_imported

HUB = Path(__file__).resolve().parent / "espanso_hub"
SUPPORT = HUB / "support-replies" / "0.2.1" / "package.yml"
FORMS = HUB / "dates-and-forms" / "0.1.0" / "package.yml"
ACCENTS = HUB / "accents" / "1.0.0" / "package.yml"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def plan_of(path):
    return read_file(path.name, path.read_bytes())


def test_a_package_with_unsupported_matches_imports_the_rest():
    plan = plan_of(SUPPORT)
    assert [(i.line, i.data["shortcut"]) for i in plan.items] == [
        (16, ":thanks"), (20, ":hello"), (30, ":sorry"), (37, ":eta"), (49, ":closing"), (95, ":refund"),
        (101, ":sig")]
    assert [(p.line, p.message) for p in plan.skipped] == [
        (7, "the global variable 'myip' runs a program (shell): it is never run nor imported"),
        (12, "the other files this one imports (imports:) are not followed; import them one by one"),
        (59, "':ip': uses the global variable 'myip', which runs a program (shell): never run nor imported"),
        (62, "':ticket': the variable 'id' runs a program (shell): it is never run nor imported"),
        (70, "':py': the variable 'out' runs a program (script): it is never run nor imported"),
        (78, "':ord(?P<num>\\\\d+)': regex triggers are not supported"),
        (81, "':logo': 'image_path' replacements are not supported (templates are plain text)"),
        (84, "':full': the variable 'greet' expands another match; nested matches are not supported"),
        (92, "the trigger ':thanks' is also on line 16, which is imported"),
        (98, "':bold': 'html' replacements are not supported (templates are plain text)"),
    ]
    assert plan.headline() == "7 replies will be imported, 10 skipped"


def test_variables_map_to_placeholders():
    by_trigger = {i.data["shortcut"]: i.data for i in plan_of(SUPPORT).items}
    hello = by_trigger[":hello"]
    assert hello["variants"]["en"]["title"] == "Greeting with order number"
    assert hello["tags"] == ["greeting", "order"]
    assert hello["variants"]["en"]["body"] == ("Hello {{client_name}},\n\nthanks for your message about order "
                                               "{{client_order}}.\n\n{{signature}}")
    # a global echo variable serves every match that uses it
    assert hello["variables"]["signature"] == {"label": "signature", "type": "text",
                                               "default": "Kind regards,\nThe Support Team"}
    assert by_trigger[":sig"]["variables"]["signature"]["default"].startswith("Kind regards")
    assert by_trigger[":sorry"]["variables"]["name"] == {"label": "name", "type": "text"}  # clipboard
    assert by_trigger[":eta"]["variables"]["when"]["choices"] == {"en": ["tomorrow", "within 3 working days"]}
    assert by_trigger[":closing"]["variables"]["phrase"]["choices"] == {"en": ["Thanks again.", "Glad we could help."]}
    assert by_trigger[":thanks"]["variants"]["en"]["body"] == "Thank you for contacting us!"  # the first one


def test_forms_and_dates():
    plan = plan_of(FORMS)
    by_trigger = {i.data["shortcut"]: i.data for i in plan.items}
    assert by_trigger[":date"]["variants"]["en"]["body"] == "{{date}}"
    callback = by_trigger[":callback"]
    assert callback["variants"]["en"]["body"] == "We will call you back on {{day}} at {{time}}.\nNotes: {{notes}}\n"
    assert callback["variables"]["notes"] == {"label": "notes", "type": "multiline"}
    assert callback["variables"]["day"] == {"label": "day", "type": "text"}
    survey = by_trigger[":survey"]["variables"]
    assert survey["form1_rating"]["choices"] == {"en": ["1", "2", "3", "4", "5"]}
    assert survey["form1_comment"]["type"] == "multiline"
    assert [(p.line, p.message) for p in plan.skipped] == [
        (32, "':weird': the variable type 'somethingnew' of 'x' is not supported"),
        (38, "':nothing': the match has no text to import (replace)")]


def test_plain_packages_import_whole(db):
    plan = plan_of(ACCENTS)
    assert plan.skipped == [] and plan.headline() == "6 replies will be imported"
    ids = save_imported(db, plan.items, now=T0)
    assert [store.get_entry(db, i).template.variants["en"].body for i in ids] == ["é", "à", "ß", "€", "©", "™"]
    assert store.get_entry(db, ids[4]).template.title == "Copyright sign"


@pytest.mark.parametrize("manifest", sorted(HUB.rglob("_manifest.yml")))
def test_a_manifest_is_not_a_match_file(manifest):
    with pytest.raises(ImportFailed, match="manifest; import the package.yml"):
        plan_of(manifest)


def test_no_program_is_ever_run(monkeypatch):
    import os
    import subprocess

    def refuse(*args, **kwargs):
        raise AssertionError("a program was started")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "popen", refuse)
    plan = plan_of(SUPPORT)
    bodies = " ".join(i.data["variants"]["en"]["body"] for i in plan.items)
    assert "curl" not in bodies and "uuidgen" not in bodies


def test_the_import_is_one_transaction(db):
    """A write that fails on the fourth template (here SQLite refuses it, as a full disk
    would) leaves none of the first three: the import is all or nothing."""
    import sqlite3

    plan = plan_of(SUPPORT)
    assert len(plan.items) > 4
    before = db.execute("SELECT count(*) FROM personal_templates").fetchone()[0]
    db.execute("CREATE TEMP TRIGGER fail_on_the_fourth BEFORE INSERT ON personal_templates "
               f"WHEN (SELECT count(*) FROM personal_templates) >= {before + 3} "
               "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        save_imported(db, plan.items, now=T0)
    assert db.execute("SELECT count(*) FROM personal_templates").fetchone()[0] == before
    db.execute("DROP TRIGGER fail_on_the_fourth")
    assert len(save_imported(db, plan.items, now=T0)) == len(plan.items)  # and nothing else kept it from


def test_duplicate_triggers_keep_the_first():
    plan = read_espanso(b"matches:\n  - trigger: ':a'\n    replace: one\n  - trigger: ':b'\n    replace: two\n"
                        b"  - trigger: ':a'\n    replace: three\n  - triggers: [':b', ':c']\n    replace: four\n")
    assert [i.data["variants"]["en"]["body"] for i in plan.items] == ["one", "two"]
    assert [str(p) for p in plan.skipped] == ["line 6: the trigger ':a' is also on line 2, which is imported",
                                              "line 8: the trigger ':b' is also on line 4, which is imported"]


def test_what_the_validator_refuses_is_skipped_with_its_line():
    plan = read_espanso(b"matches:\n  - trigger: ':ok'\n    replace: fine\n  - trigger: 'two words'\n    replace: x\n")
    assert [i.data["shortcut"] for i in plan.items] == [":ok"]
    assert plan.skipped[0].line == 4 and "shortcut" in plan.skipped[0].message


def test_hostile_yaml_still_refuses_the_whole_file():
    with pytest.raises(ImportFailed, match="aliases"):
        read_espanso(b"matches:\n  - trigger: ':ok'\n    replace: fine\n  - &a {trigger: ':x', replace: y}\n  - *a\n")


def test_a_preview_lists_every_skip_up_to_a_limit():
    plan = plan_of(SUPPORT)
    lines = plan.preview(limit=3).splitlines()
    assert lines[0] == "7 replies will be imported, 10 skipped:"
    assert lines[1] == "  line 7: the global variable 'myip' runs a program (shell): it is never run nor imported"
    assert len(lines) == 5 and lines[-1] == "  … (+7)"


# -- the command line ------------------------------------------------------------------------------

def test_cli_dry_run_writes_nothing(run_cli, fresh_data_dir):
    code, out, err = run_cli("templates", "import", str(SUPPORT), "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "7 replies will be imported, 10 skipped:"
    assert len(lines) == 12 and lines[-1] == "Nothing was written (--dry-run)."
    assert not (fresh_data_dir / "assistant.db").exists()
    code, out, err = run_cli("templates", "import", str(SUPPORT), "--dry-run", "--json")
    report = json.loads(out)
    assert report["dry_run"] is True and len(report["would_import"]) == 7 and len(report["skipped"]) == 10
    assert report["would_import"][1] == {"line": 20, "title": "Greeting with order number", "shortcut": ":hello"}


def test_cli_import_reports_what_was_skipped(run_cli, db):
    code, out, err = run_cli("templates", "import", str(SUPPORT), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert len(report["imported"]) == 7
    assert {"line": 78, "reason": "':ord(?P<num>\\\\d+)': regex triggers are not supported"} in report["skipped"]
    code, out, err = run_cli("templates", "import", str(ACCENTS))
    assert out.splitlines() == [f"Imported 6 templates from {ACCENTS}."]


def test_cli_dry_run_of_a_csv_file(run_cli, fresh_data_dir, tmp_path):
    source = tmp_path / "mine.csv"
    source.write_text("title,body\nThanks,Thank you!\nBye,Goodbye!\n", encoding="utf-8")
    code, out, err = run_cli("templates", "import", str(source), "--dry-run")
    assert (code, out) == (0, "2 replies will be imported.\nNothing was written (--dry-run).\n")
    assert not (fresh_data_dir / "assistant.db").exists()
