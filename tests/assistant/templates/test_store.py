from datetime import datetime, timezone

import pytest

from assistant.templates import store
from assistant.templates.model import Template, content_hash

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
T1 = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)


def make(tid="p.hello", body="Hello {{customer_first_name}}", title="Hello", **extra):
    data = {"id": tid, "default_language": "en", "tags": ["greeting"],
            "variants": {"en": {"title": title, "body": body}}}
    data.update(extra)
    return Template.from_dict(data)


def test_team_upsert_outcomes_and_conflict(db):
    assert store.upsert_team_template(db, "pack.a", make(), now=T0) == "added"
    assert store.upsert_team_template(db, "pack.a", make(), now=T1) == "unchanged"
    assert store.get_team(db, "p.hello").updated_at == T0.isoformat()
    assert store.upsert_team_template(db, "pack.a", make(body="Hi"), now=T1) == "updated"
    with pytest.raises(store.TemplateConflict):
        store.upsert_team_template(db, "pack.b", make(), now=T1)
    assert store.retire_team_template(db, "p.hello", now=T1)
    assert store.library(db) == []
    # a retired id may come back, from its pack or another one
    assert store.upsert_team_template(db, "pack.b", make(), now=T1) == "restored"
    assert store.get_team(db, "p.hello").pack_id == "pack.b"


def test_editing_a_team_template_creates_a_personal_version_with_its_base(db):
    team = make()
    store.upsert_team_template(db, "pack.a", team, now=T0)
    mine = make(body="Hey {{customer_first_name}}!")
    store.save_personal(db, mine, now=T1)
    [entry] = store.library(db)
    assert entry.layer == store.OVERRIDE and entry.template.variants["en"].body.startswith("Hey")
    record = store.get_personal(db, "p.hello")
    assert record.base_hash == content_hash(team) and record.base_data["variants"]["en"]["body"] == team.variants["en"].body
    assert not record.team_updated
    # the team ships a new version: the personal one stays, flagged, with its old base
    store.upsert_team_template(db, "pack.a", make(body="Good day {{customer_first_name}}"), now=T1)
    [entry] = store.library(db)
    assert entry.layer == store.OVERRIDE and entry.team_updated
    assert store.personal_overrides(db)[0].base_hash == content_hash(team)
    # after a merge, the packs feature rebases it
    merged = make(body="Good day {{customer_first_name}}!")
    store.rebase_personal(db, merged, now=T1)
    record = store.get_personal(db, "p.hello")
    assert not record.team_updated and record.base_hash == store.get_team(db, "p.hello").content_hash
    # deleting the personal version brings the team's back
    assert store.delete_personal(db, "p.hello")
    assert store.library(db)[0].layer == store.TEAM


def test_locked_hidden_disabled(db):
    store.upsert_team_template(db, "pack.a", make(locked=True), now=T0)
    with pytest.raises(store.LockedTemplateError):
        store.save_personal(db, make(body="mine"), now=T1)
    store.upsert_team_template(db, "pack.a", make("p.other"), now=T0)
    store.set_team_flags(db, "p.other", hidden=True)
    assert [e.id for e in store.library(db)] == ["p.hello"]
    assert [e.id for e in store.library(db, include_hidden=True)] == ["p.hello", "p.other"]
    store.set_team_flags(db, "p.other", disabled=True)
    assert [e.id for e in store.library(db, include_hidden=True)] == ["p.hello"]


def test_retire_missing_and_remove_pack_keep_personal_work(db):
    for tid in ("a.one", "a.two"):
        store.upsert_team_template(db, "pack.a", make(tid), now=T0)
    store.save_personal(db, make("a.two", body="mine"), now=T0)
    assert store.retire_missing(db, "pack.a", {"a.one"}, now=T1) == ["a.two"]
    entries = {e.id: e.layer for e in store.library(db)}
    assert entries == {"a.one": store.TEAM, "a.two": store.PERSONAL}
    assert store.remove_pack(db, "pack.a") == 2
    assert [e.id for e in store.library(db)] == ["a.two"]


def test_atomic_with_the_caller(db):
    store.upsert_team_template(db, "pack.a", make("a.one"), now=T0)
    with pytest.raises(store.TemplateConflict):
        with db.atomic():
            store.upsert_team_template(db, "pack.b", make("b.one"), now=T0)
            store.upsert_team_template(db, "pack.b", make("a.one"), now=T0)
    assert store.get_team(db, "b.one") is None


def test_personal_ids_duplicate_and_usage(db):
    store.upsert_team_template(db, "pack.a", make("a.one", shortcut=";hi", title="Héllo wörld"), now=T0)
    copy = store.duplicate(db, "a.one", now=T1)
    assert copy.id == "my.hello-world" and copy.shortcut is None
    assert copy.title == "Héllo wörld (copy)"
    assert store.duplicate(db, "a.one", now=T1).id == "my.hello-world-2"
    store.record_use(db, "a.one", now=T0)
    store.record_use(db, "a.one", now=T1)
    store.set_favourite(db, "my.hello-world", True)
    use = store.usage(db)
    assert use["a.one"] == store.Usage(2, T1.isoformat(), False)
    assert use["my.hello-world"].favourite
    report = store.usage_report(db)
    assert report[0]["id"] == "a.one" and report[0]["count"] == 2
    store.delete_personal(db, "my.hello-world")
    assert "my.hello-world" not in store.usage(db)


def test_the_usage_report_lists_what_the_library_lists_from_the_titles_alone(db, tmp_path, monkeypatch):
    """Issue 18: the report parsed every template for its title (2 s at 50,000). The titles
    are now read by SQLite, the layers by the library's own rule: team, own versions, own
    templates, hidden ones included, disabled ones and those locked by the team as the
    library has them."""
    from assistant.templates.export import ExportError, write_usage_csv_at

    store.upsert_team_template(db, "pack.a", make("a.one", title="Team one"), now=T0)
    store.upsert_team_template(db, "pack.a", make("a.two", title="=SUM(A1)"), now=T0)
    store.upsert_team_template(db, "pack.a", make("a.hidden", title="Hidden"), now=T0)
    store.upsert_team_template(db, "pack.a", make("a.off", title="Off"), now=T0)
    store.upsert_team_template(db, "pack.a", make("a.locked", title="Locked"), now=T0)
    db.execute("UPDATE team_templates SET hidden = 1 WHERE template_id = 'a.hidden'")
    db.execute("UPDATE team_templates SET disabled = 1 WHERE template_id = 'a.off'")
    store.save_personal(db, make("a.one", title="My one"), now=T1)
    store.save_personal(db, make("a.locked", title="My locked"), now=T1)
    store.upsert_team_template(db, "pack.a", make("a.locked", title="Locked", locked=True), now=T1)
    store.save_personal(db, make("my.own", title="Own"), now=T1)
    store.record_use(db, "my.own", now=T1)
    expected = [(e.id, e.template.title, e.layer, e.pack_id) for e in store.library(db, include_hidden=True)]
    monkeypatch.setattr(store, "library", lambda *a, **k: pytest.fail("the whole library was parsed"))
    report = store.usage_report(db)
    assert sorted((r["id"], r["title"], r["layer"], r["pack_id"]) for r in report) == sorted(expected)
    assert report[0]["id"] == "my.own" and {"a.off", "a.hidden"} & {r["id"] for r in report} == {"a.hidden"}
    out = tmp_path / "usage.csv"
    assert write_usage_csv_at(db.conn.execute("PRAGMA database_list").fetchone()[2], out) == len(report)
    assert "a.two,'=SUM(A1),team,pack.a" in out.read_text(encoding="utf-8-sig")  # no formula for a spreadsheet
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(ExportError, match="Cannot read "):
        write_usage_csv_at(garbage, tmp_path / "never.csv")
    assert not (tmp_path / "never.csv").exists() and not (tmp_path / "never.csv.partial").exists()


def test_one_entry_is_read_alone_and_layered_as_the_library_lists_it(db, monkeypatch):
    store.upsert_team_template(db, "pack.a", make("a.one", title="Team"), now=T0)
    store.upsert_team_template(db, "pack.a", make("a.two", title="Other"), now=T0)
    store.save_personal(db, make("a.one", title="Mine"), now=T1)
    store.save_personal(db, make("my.own", title="Own"), now=T1)
    listed = {entry.id: entry for entry in store.library(db, include_hidden=True)}
    monkeypatch.setattr(store, "library", lambda *a, **k: pytest.fail("the whole library was read"))
    for tid in ("a.one", "a.two", "my.own"):
        assert store.get_entry(db, tid) == listed[tid]
    assert store.get_entry(db, "a.one").layer == store.OVERRIDE
    assert store.get_entry(db, "none.such") is None
    assert store.duplicate(db, "a.one", now=T1).title == "Mine (copy)"


def test_a_damaged_row_is_skipped_not_fatal(db, caplog):
    store.upsert_team_template(db, "pack.a", make("a.good"), now=T0)
    for bad in ("{not json", '{"id": "a.bad"}', '{"id": "a.bad2", "default_language": "en", "variants": []}'):
        db.execute("INSERT OR REPLACE INTO team_templates (template_id, pack_id, data, content_hash) "
                   "VALUES ('a.bad', 'pack.a', ?, 'x')", [bad])
        assert [e.id for e in store.library(db)] == ["a.good"]
    assert "Skipping unreadable template a.bad" in caplog.text


def test_the_library_fingerprint_differs_at_every_template_whose_entry_may_differ(db):
    """Issue 18: comparing two fingerprints names exactly the templates another program
    changed: every write that changes what library() lists of a template, and nothing else."""
    for tid in ("p.a", "p.b", "p.c", "p.d", "p.e"):
        store.upsert_team_template(db, "pack.a", make(tid), now=T0)
    store.save_personal(db, make("p.mine"), now=T0)
    before = store.library_fingerprint(db)
    assert before.keys() == {"p.a", "p.b", "p.c", "p.d", "p.e", "p.mine"}
    assert store.changed_ids(before, store.library_fingerprint(db)) == set()
    db["template_usage"].insert({"template_id": "p.a", "use_count": 3, "last_used": T1.isoformat(),
                                 "favourite": 1})  # usage is not the library
    assert store.changed_ids(before, store.library_fingerprint(db)) == set()

    store.upsert_team_template(db, "pack.a", make("p.a", body="Changed"), now=T1)  # the team's content
    store.save_personal(db, make("p.b", body="Mine"), now=T1)                     # a personal version
    store.set_team_flags(db, "p.c", hidden=True)
    store.retire_team_template(db, "p.d", now=T1)
    store.delete_personal(db, "p.mine")
    store.save_personal(db, make("p.new"), now=T1)
    after = store.library_fingerprint(db)
    assert store.changed_ids(before, after) == {"p.a", "p.b", "p.c", "p.d", "p.mine", "p.new"}
    for flag in ("locked", "disabled"):
        db.execute(f"UPDATE team_templates SET {flag} = 1 WHERE template_id = 'p.e'")
        changed = store.library_fingerprint(db)
        assert store.changed_ids(after, changed) == {"p.e"}
        after = changed
    db.execute("UPDATE personal_templates SET team_updated = 1 WHERE template_id = 'p.b'")
    assert store.changed_ids(after, store.library_fingerprint(db)) == {"p.b"}
