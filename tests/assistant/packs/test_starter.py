import json
import re
from datetime import datetime, timezone

import pytest

from assistant.customer import CustomerContext
from assistant.packs import starter
from assistant.templates import store
from assistant.templates.compose import compose
from assistant.templates import validation
from assistant.templates.model import Template

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LANGS = {"en", "es", "fr", "de", "pt_BR"}
CATEGORIES = {"greeting", "verification", "hold", "transfer", "apology", "delay", "refund",
              "escalation", "follow-up", "closing", "out-of-hours"}


def shipped():
    return json.loads(starter.starter_path().read_text(encoding="utf-8"))


def test_shipped_pack_is_complete_and_valid():
    data = shipped()
    assert len(data["templates"]) >= 40
    tags = set()
    for item in data["templates"]:
        template = Template.from_dict(item, origin="team")
        assert set(template.variants) == LANGS, template.id
        assert validation.undeclared_names(template.to_dict()) == [], template.id
        tags.update(template.tags)
    assert CATEGORIES <= tags


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_variant_renders_cleanly_with_all_values(lang):
    customer = CustomerContext(name="Ana López", country="ES", zone="Europe/Madrid", language=lang)
    for item in shipped()["templates"]:
        template = Template.from_dict(item)
        values = {name: "2026-04-01" if spec.type == "date" else "X" for name, spec in template.variables.items()}
        values.update(order_id="A1", ticket_id="T1", agent_name="Sam", company="Acme")
        reply = compose(template, at=T0, customer=customer, values=values,
                        sections={s.id: True for s in template.sections})
        assert reply.language == lang and reply.complete, (template.id, reply.unresolved)
        assert "{{" not in reply.text, template.id
        assert not re.search(r"[^\S\n]{2}| [,.:!?]$| [,.]", reply.text), (template.id, reply.text)


def test_first_start_installs_then_is_current_and_keeps_personal_edits(db, tmp_path, monkeypatch):
    assert starter.ensure_starter_pack(db, now=T0) == "installed"
    entries = store.library(db)
    assert len(entries) == len(shipped()["templates"])
    assert {e.layer for e in entries} == {store.TEAM}
    assert starter.ensure_starter_pack(db, now=T0) == "current"

    mine = store.get_entry(db, "starter.closing.anything_else").template
    mine.variants["en"].body = "Anything else, {{customer_first_name|friend}}?"
    store.save_personal(db, mine, now=T0)

    # a new app version ships starter v2 with a changed template
    data = shipped()
    data["version"] = 2
    for item in data["templates"]:
        if item["id"] == "starter.closing.anything_else":
            item["variants"]["en"]["body"] = "Can I help with anything else?"
    newer = tmp_path / "starter.agentpack.json"
    newer.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(starter, "starter_path", lambda: newer)
    assert starter.ensure_starter_pack(db, now=T0) == "updated"
    entry = store.get_entry(db, "starter.closing.anything_else")
    assert entry.layer == store.OVERRIDE and entry.team_updated
    assert entry.template.variants["en"].body.startswith("Anything else")


def test_the_built_in_starter_installs_even_when_the_policy_requires_signatures(db):
    from assistant.policy import Policy

    assert starter.ensure_starter_pack(db, policy=Policy(require_signatures=True), now=T0) == "installed"
    assert len(store.library(db)) >= 40


def _legacy_pack(db, pack_id: str, version: int, template_ids: list[str]):
    """What a database holds when a pack claimed the starter's ids before they were reserved
    (written as the merge wrote it then: pack record, mark and team templates)."""
    db["packs"].insert({"pack_id": pack_id, "title": "Hijack", "publisher": "x", "version": version,
                        "created": "2026-01-01", "min_app_version": "0.1", "default_language": "en",
                        "languages": '["en"]', "source": "/tmp/hijack.agentpack.json"})
    db["pack_high_water"].upsert({"pack_id": pack_id, "version": version}, pk="pack_id")
    for tid in template_ids:
        store.upsert_team_template(db, pack_id, Template.from_dict(
            {"id": tid, "default_language": "en", "variants": {"en": {"title": "Hi", "body": "Evil"}}}), now=T0)


def test_a_huge_version_from_elsewhere_does_not_freeze_the_shipped_starter(db):
    _legacy_pack(db, "starter", 9007199254740991, ["starter.greeting.welcome"])
    assert starter.ensure_starter_pack(db, now=T0) == "updated"
    row = db.execute("SELECT version, source FROM packs WHERE pack_id = 'starter'").fetchone()
    assert row == (shipped()["version"], "built-in")
    assert db.execute("SELECT version FROM pack_high_water WHERE pack_id = 'starter'").fetchone()[0] == \
        shipped()["version"]
    assert store.get_entry(db, "starter.greeting.welcome").template.variants["en"].body != "Evil"


def test_a_pack_owning_a_starter_id_is_reported_and_the_library_still_works(db, run_cli, tmp_path):
    _legacy_pack(db, "evil.pack", 1, ["starter.greeting.welcome"])
    with pytest.raises(starter.StarterPackError) as caught:
        starter.ensure_starter_pack(db, now=T0)
    assert str(caught.value) == (
        "The starter pack cannot be installed: merge (template 'starter.greeting.welcome', field "
        "templates[0].id): the template id 'starter.greeting.welcome' already belongs to the installed pack "
        "'evil.pack'")
    assert [e.id for e in store.library(db)] == ["starter.greeting.welcome"]  # nothing half-installed


def test_templates_commands_survive_a_pack_owning_a_starter_id(runtime, run_cli):
    _legacy_pack(runtime.db, "evil.pack", 1, ["starter.greeting.welcome"])
    data_dir = str(runtime.data_dir.path)
    runtime.close()
    for argv in (["templates", "list"], ["templates", "search", "hi"]):
        code, out, err = run_cli("--data-dir", data_dir, *argv)
        assert code == 0, err
        assert err.startswith("assistant: The starter pack cannot be installed: merge (template "
                              "'starter.greeting.welcome'"), err
        assert "starter.greeting.welcome" in out


def test_the_pack_is_checked_without_the_database_then_merged_by_the_writer(db):
    """What the app does at a first start: the shipped file read and checked on a worker
    (no database), then merged on the app's connection, its digest remembered."""
    assert not starter.starter_is_current(db)
    loaded = starter.load_shipped()
    assert loaded.pack.id == starter.STARTER_PACK_ID and len(loaded.pack.templates) == len(shipped()["templates"])
    assert starter.install_loaded(db, loaded, now=T0) == "installed"
    assert starter.starter_is_current(db)
    assert len(store.library(db)) == len(shipped()["templates"])
    assert starter.ensure_starter_pack(db, now=T0) == "current"
    assert starter.install_loaded(db, loaded, now=T0) == "skipped"  # never rolled back or repeated
