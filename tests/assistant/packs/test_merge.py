"""The three-way merge of a pack update with the agent's layer, and what the agent then
does with it (use the team version, keep mine, hide, disable, remove)."""

from __future__ import annotations

import pytest

from assistant.packs import install, manage
from assistant.policy import Policy
from assistant.templates import store


def _layer(db, tid):
    entry = store.get_entry(db, tid)
    return (entry.layer, entry.template.variants["en"].body, entry.team_updated) if entry else None


def test_untouched_locally_takes_the_new_version(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "old {{greeting}}")])
    result = put(2, [t("acme.a", "new {{greeting}}")])
    assert result.merge.updated == ["acme.a"]
    assert _layer(db, "acme.a") == (store.TEAM, "new {{greeting}}", False)


def test_changed_locally_unchanged_in_pack_keeps_local(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "team text"), t("acme.b", "b")])
    edit("acme.a", "my text")
    result = put(2, [t("acme.a", "team text"), t("acme.b", "b changed")])
    assert result.merge.kept_local == ["acme.a"]
    assert result.merge.conflicts == []
    assert _layer(db, "acme.a") == (store.OVERRIDE, "my text", False)
    assert manage.conflicts(db) == []


def test_changed_on_both_sides_keeps_mine_flags_and_offers_the_team_version(setup, now):
    db, put, edit, t = setup
    put(1, [t("acme.a", "team v1")])
    edit("acme.a", "my text\nsecond line")
    result = put(2, [t("acme.a", "team v2\nsecond line")])
    assert result.merge.conflicts == ["acme.a"]
    assert _layer(db, "acme.a") == (store.OVERRIDE, "my text\nsecond line", True)
    [conflict] = manage.conflicts(db)
    assert conflict.template_id == "acme.a" and conflict.pack_id == "acme.refunds"
    rows = conflict.side_by_side("en")
    assert ("replace", "my text", "team v2") in rows
    assert ("equal", "second line", "second line") in rows
    assert conflict.base["variants"]["en"]["body"] == "team v1"
    manage.use_team_version(db, "acme.a")
    assert _layer(db, "acme.a") == (store.TEAM, "team v2\nsecond line", False)
    assert manage.conflicts(db) == []


def test_keep_mine_clears_the_flag_until_the_next_team_change(setup, now):
    db, put, edit, t = setup
    put(1, [t("acme.a", "team v1")])
    edit("acme.a", "mine")
    put(2, [t("acme.a", "team v2")])
    manage.keep_mine(db, "acme.a", now)
    assert _layer(db, "acme.a") == (store.OVERRIDE, "mine", False)
    assert put(3, [t("acme.a", "team v2")]).merge.kept_local == ["acme.a"]
    assert put(4, [t("acme.a", "team v4")]).merge.conflicts == ["acme.a"]


def test_same_change_on_both_sides_converges(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "team v1")])
    edit("acme.a", "fixed typo")
    result = put(2, [t("acme.a", "fixed typo")])
    assert result.merge.converged == ["acme.a"]
    assert _layer(db, "acme.a") == (store.TEAM, "fixed typo", False)


def test_removed_from_pack_is_retired_and_a_local_copy_survives_as_personal(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b"), t("acme.c", "c")])
    edit("acme.b", "my b")
    result = put(2, [t("acme.a", "a")])
    assert sorted(result.merge.retired) == ["acme.b", "acme.c"]
    assert result.merge.kept_as_personal == ["acme.b"]
    assert _layer(db, "acme.c") is None
    assert _layer(db, "acme.b") == (store.PERSONAL, "my b", False)
    # a later version bringing it back restores the team template
    assert put(3, [t("acme.a", "a"), t("acme.c", "c")]).merge.updated == ["acme.c"]
    assert _layer(db, "acme.c")[0] == store.TEAM


def test_locked_templates_cannot_be_edited_and_earlier_edits_are_kept_apart(setup, now):
    db, put, edit, t = setup
    put(1, [t("acme.a", "team v1")])
    edit("acme.a", "mine")
    result = put(2, [t("acme.a", "team v2", locked=True)])
    new_id = result.merge.locked_copies["acme.a"]
    assert new_id.startswith("my.")
    assert _layer(db, "acme.a") == (store.TEAM, "team v2", False)
    assert _layer(db, new_id) == (store.PERSONAL, "mine", False)
    with pytest.raises(store.LockedTemplateError):
        edit("acme.a", "again")


def test_new_template_is_added_and_changelog_recorded(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "a")])
    put(2, [t("acme.a", "a2"), t("acme.new", "n")])
    history = manage.history(db, "acme.refunds")
    assert [h.action for h in history] == ["update", "install"]
    assert history[0].previous_version == 1 and history[0].version == 2
    assert history[0].changes["added"] == ["acme.new"] and history[0].changes["updated"] == ["acme.a"]
    assert history[0].summary() == "1 added, 1 updated"


def test_hide_and_disable_packs_and_templates(setup):
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b")])
    manage.set_template_flags(db, "acme.a", disabled=True)
    assert [e.id for e in store.library(db)] == ["acme.b"]
    manage.set_pack_flags(db, "acme.refunds", hidden=True)
    assert store.library(db) == []
    assert [e.id for e in store.library(db, include_hidden=True)] == ["acme.b"]
    manage.set_pack_flags(db, "acme.refunds", hidden=False, disabled=True)
    assert store.library(db, include_hidden=True) == []
    manage.set_pack_flags(db, "acme.refunds", disabled=False)
    # the agent's own choice for one template survives the pack being switched on again
    assert [e.id for e in store.library(db)] == ["acme.b"]
    put(2, [t("acme.a", "a2"), t("acme.b", "b2")])
    assert [e.id for e in store.library(db)] == ["acme.b"]
    manage.set_template_flags(db, "acme.a", disabled=False)
    assert [e.id for e in store.library(db)] == ["acme.a", "acme.b"]


def test_a_tick_changes_that_template_alone_and_the_pack_flag_still_holds(setup):
    """Ticking one template writes that template's flags only (not the pack's 50,000 rows),
    with the same rule as the whole pack: the pack's flag, or the agent's choice."""
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b"), t("acme.c", "c")])
    manage.set_template_flags(db, "acme.b", disabled=True)
    manage.set_pack_flags(db, "acme.refunds", hidden=True)

    def flags():
        return {tid: (bool(h), bool(d)) for tid, h, d in db.execute(
            "SELECT template_id, hidden, disabled FROM team_templates ORDER BY template_id")}

    assert flags() == {"acme.a": (True, False), "acme.b": (True, True), "acme.c": (True, False)}
    manage.set_template_flags(db, "acme.a", disabled=True)
    assert flags() == {"acme.a": (True, True), "acme.b": (True, True), "acme.c": (True, False)}
    manage.set_template_flags(db, "acme.a", disabled=False, hidden=False)  # the pack is still hidden
    assert flags() == {"acme.a": (True, False), "acme.b": (True, True), "acme.c": (True, False)}
    manage.set_pack_flags(db, "acme.refunds", hidden=False)
    assert flags() == {"acme.a": (False, False), "acme.b": (False, True), "acme.c": (False, False)}
    manage.set_template_flags(db, "acme.b", disabled=False)
    assert flags() == {"acme.a": (False, False), "acme.b": (False, False), "acme.c": (False, False)}
    assert [e.id for e in store.library(db)] == ["acme.a", "acme.b", "acme.c"]


def test_remove_pack_keeps_personal_versions_and_the_version_mark(setup, packs, make_pack, now):
    db, put, edit, t = setup
    put(3, [t("acme.a", "a"), t("acme.b", "b")])
    edit("acme.a", "mine")
    manage.remove_pack(db, "acme.refunds", now)
    assert manage.list_packs(db) == []
    assert _layer(db, "acme.a") == (store.PERSONAL, "mine", False)
    assert _layer(db, "acme.b") is None
    old = packs.write(make_pack(2, templates=[t("acme.a", "a")]), name="old.agentpack.json")
    with pytest.raises(install.PackRejected, match="older than version 3"):
        install.install_file(db, Policy(), old, now=now)


@pytest.mark.parametrize("write_every", [1000, 1])
def test_a_first_install_reads_back_as_the_one_by_one_path_wrote_it_and_is_one_library_notice(
        setup, now, monkeypatch, write_every):
    """New templates are inserted together (a batch at a time: with batches of one, too);
    what is stored is what upsert_team_template stores for an added template, and the
    library's change counter moves once for the whole merge."""
    from assistant.templates.model import Template, content_hash

    monkeypatch.setattr(install, "MERGE_WRITE_EVERY", write_every)
    db, put, edit, t = setup

    def library_count():
        return db.execute("SELECT n FROM change_counters WHERE topic = 'library'").fetchone()[0]

    def triggers():
        return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name IN ('team_templates', 'personal_templates') ORDER BY name").fetchall()

    kept, before = triggers(), library_count()
    docs = [t(f"acme.n{i}", f"text {i} {{{{greeting}}}}") for i in range(30)]
    result = put(1, docs)
    assert sorted(result.merge.added) == sorted(d["id"] for d in docs)
    assert library_count() == before + 1 and triggers() == kept
    stored = {r[0]: r[1:] for r in db.execute(
        "SELECT template_id, data, content_hash, locked, disabled, hidden, retired_at, installed_at, updated_at "
        "FROM team_templates WHERE pack_id = 'acme.refunds'")}
    # the same template through the one-by-one path, in another id
    one = Template.from_dict({**docs[0], "id": "acme.single"}, origin=store.TEAM)
    assert store.upsert_team_template(db, "acme.refunds", one, now=now) == "added"
    single = db.execute("SELECT data, content_hash, locked, disabled, hidden, retired_at, installed_at, updated_at "
                        "FROM team_templates WHERE template_id = 'acme.single'").fetchone()
    first = stored["acme.n0"]
    assert first[2:] == single[2:]
    assert first[1] == content_hash(Template.from_dict(docs[0], origin=store.TEAM))
    assert first[0].replace('"acme.n0"', '"acme.single"') == single[0]
    assert _layer(db, "acme.n5") == (store.TEAM, "text 5 {{greeting}}", False)


@pytest.mark.parametrize("write_every", [1000, 1])
def test_an_update_writes_changed_restored_and_relocked_rows_as_the_one_by_one_path_does(
        setup, now, monkeypatch, write_every):
    """Rows with no personal version are written together in an update (a batch at a time:
    with batches of one, too); each row reads back as upsert_team_template writes it, and the
    report names each the same way."""
    from datetime import timedelta

    from assistant.templates.model import Template

    monkeypatch.setattr(install, "MERGE_WRITE_EVERY", write_every)
    db, put, edit, t = setup
    later = now + timedelta(days=1)
    first = [t("acme.a", "a {{greeting}}"), t("acme.b", "b"), t("acme.c", "c"), t("acme.d", "d")]
    put(1, first)
    put(2, first[:3])  # d retired
    for doc in first:  # the same rows, under another pack and id, by the one-by-one path
        store.upsert_team_template(db, "acme.other", Template.from_dict({**doc, "id": doc["id"] + ".copy"},
                                                                        origin=store.TEAM), now=now)
    store.retire_team_template(db, "acme.d.copy", now=now)
    columns = "data, content_hash, locked, disabled, hidden, retired_at, installed_at, updated_at"
    docs = [t("acme.a", "a changed {{greeting}}"), t("acme.b", "b", locked=True), t("acme.c", "c"), t("acme.d", "d")]
    result = put(3, docs, when=later)
    assert result.merge.updated == ["acme.a", "acme.d"] and result.merge.unchanged == 2
    expected = {"acme.a": "updated", "acme.b": "unchanged", "acme.d": "restored"}
    for doc in docs:
        if doc["id"] in expected:
            one = Template.from_dict({**doc, "id": doc["id"] + ".copy"}, origin=store.TEAM)
            assert store.upsert_team_template(db, "acme.other", one, now=later) == expected[doc["id"]]
    for tid in expected:
        merged, single = (db.execute(f"SELECT {columns} FROM team_templates WHERE template_id = ?", [i]).fetchone()
                          for i in (tid, tid + ".copy"))
        assert merged[2:] == single[2:], tid
        assert merged[0].replace(f'"{tid}"', f'"{tid}.copy"') == single[0]
    assert _layer(db, "acme.a") == (store.TEAM, "a changed {{greeting}}", False)
    assert store.get_team(db, "acme.b").locked and store.get_team(db, "acme.d").active


def test_an_update_names_every_template_whose_place_in_the_library_changed(setup, now):
    """What the app announces after an install (so that a large library reads only those):
    every entry of the library that differs afterwards is named, a lock changed alone too."""
    db, put, edit, t = setup
    put(1, [t(f"acme.{k}", f"{k} v1") for k in "abcdefgh"])
    edit("acme.b", "my b")  # kept: the team's b does not change
    edit("acme.c", "my c")  # a conflict: the team's c changes too
    edit("acme.d", "d v2")  # converges: the team's d becomes the same
    edit("acme.e", "my e")  # locked by the team: kept apart as a copy
    edit("acme.g", "my g")  # retired with the agent's version: kept as personal
    before = {entry.id: entry for entry in store.library(db, include_hidden=True)}
    result = put(2, [t("acme.a", "a v2"), t("acme.b", "b v1"), t("acme.c", "c v2"), t("acme.d", "d v2"),
                     t("acme.e", "e v1", locked=True), t("acme.h", "h v1", locked=True), t("acme.i", "i v1")])
    after = {entry.id: entry for entry in store.library(db, include_hidden=True)}
    differ = {tid for tid in before.keys() | after.keys() if before.get(tid) != after.get(tid)}
    named = result.merge.template_ids()
    assert differ <= named, differ - named
    assert {"acme.h", "acme.i", "acme.f", *result.merge.locked_copies.values()} <= differ
    assert "acme.b" not in named  # the agent's version stays as it was


def test_listing_conflicts_reads_the_personal_versions_not_every_team_template(setup, sqlite_steps):
    """Issue 18: SQLite scanned every team template to find the few personal versions (19 ms
    at 50,000, on each opening of the Packs window): with statistics gathered while the agent
    had no personal version, it took that table for the bigger one, and when told to start
    from the personal versions it built a Bloom filter over every team template. The work now
    follows the personal versions: counted in SQLite's own steps, far fewer than one per team
    template."""
    db, put, edit, t = setup
    put(1, [t("acme.a", "team v1")])
    db.execute("INSERT INTO team_templates (template_id, pack_id, data, content_hash) "
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
               "SELECT 'bulk.' || i, 'bulk', '{}', '' FROM n")
    db.execute("ANALYZE")
    edit("acme.a", "mine")
    put(2, [t("acme.a", "team v2")])
    conflicts, steps = sqlite_steps(db, lambda: manage.conflicts(db))
    assert [c.template_id for c in conflicts] == ["acme.a"]
    assert steps < 1000  # a scan of the team templates takes over 20,000
