"""What's new from the team: unread pack changes by title, read once, marks until first use."""

from __future__ import annotations

from datetime import timedelta

from assistant.packs import news
from assistant.templates import store


def test_a_pack_update_is_news_by_title_until_read(setup, now):
    db, put, edit, t = setup
    assert news.unread(db).empty  # the starter pack is not news
    put(1, [t("acme.a", "a {{greeting}}"), t("acme.b", "b"), t("acme.c", "c")])
    first = news.unread(db)
    assert [title for _id, title in first.added] == ["Refund acme.a en", "Refund acme.b en", "Refund acme.c en"]
    assert first.counts_text() == "3 new" and first.packs == ["ACME refunds"]
    assert first.titles_text() == "Refund acme.a en, Refund acme.b en, Refund acme.c en"
    assert news.mark_read(db, first) and news.unread(db).empty
    assert not news.mark_read(db, first)  # read once
    edit("acme.a", "my own a")
    put(2, [t("acme.a", "team a v2"), t("acme.b", "b v2"), t("acme.c", "c"), t("acme.d", "d"),
            t("acme.e", "e"), t("acme.f", "f")])
    second = news.unread(db)
    assert second.counts_text() == "3 new, 1 changed, 1 needs your choice"
    assert second.conflicts == [("acme.a", "Refund acme.a en")]
    assert second.titles_text().startswith("Refund acme.a en")  # what needs the agent first


def test_new_and_changed_templates_are_marked_until_first_used(setup, now):
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b")])
    assert news.marked_templates(db, now) == {"acme.a", "acme.b"}
    store.record_use(db, "acme.a", now=now + timedelta(minutes=1))
    assert news.marked_templates(db, now) == {"acme.b"}
    put(2, [t("acme.a", "a changed"), t("acme.b", "b")], when=now + timedelta(hours=1))
    assert news.marked_templates(db, now + timedelta(hours=1)) == {"acme.a", "acme.b"}  # changed again
    # a mark does not last for ever
    assert news.marked_templates(db, now + timedelta(days=news.MARK_DAYS + 1)) == set()


def test_news_reads_only_the_templates_it_names(setup, now, monkeypatch):
    """Issue 18: the team's news is read when the Replies panel lists the library (GUI
    thread): it reads the rows of the templates it names, not the whole library, and
    store.library_entries layers them exactly as store.library does."""
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b"), t("acme.c", "c")])
    news.mark_read(db, news.unread(db))
    edit("acme.a", "my own a")
    put(2, [t("acme.a", "team a v2"), t("acme.b", "b"), t("acme.c", "c"), t("acme.d", "d")])
    for ids in (["acme.a"], ["acme.a", "acme.d", "nope"], [entry.id for entry in store.library(db, True)]):
        expected = [e for e in store.library(db, include_hidden=True) if e.id in ids]
        assert store.library_entries(db, ids, include_hidden=True) == expected
    monkeypatch.setattr(store, "library", lambda *a, **k: (_ for _ in ()).throw(AssertionError("whole library")))
    latest = news.unread(db)
    assert latest.conflicts == [("acme.a", "Refund acme.a en")] and latest.added == [("acme.d", "Refund acme.d en")]


def test_the_news_titles_follow_the_library_s_layers_without_parsing_a_template(setup, now, monkeypatch):
    """store.library_titles (what the news reads: after a pack of 50,000 templates it names
    them all) gives what library_entries gives, hidden ones included: the title the agent
    sees and whether the team changed its version, by the same layering, with nothing
    parsed (3.5 s at 50,000)."""
    from assistant.packs import manage
    from assistant.templates.model import Template

    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b"), t("acme.c", "c"), t("acme.d", "d"),
            t("acme.e", "e"), t("acme.f", "f"), t("acme.g", "g", default_language="es")])
    edit("acme.a", "my own a")
    edit("acme.e", "my own e")  # then the team locks it: the team's version is listed
    store.save_personal(db, Template.from_dict(t("mine.x", "x")), now=now)
    manage.set_template_flags(db, "acme.b", hidden=True)
    manage.set_template_flags(db, "acme.c", disabled=True)
    db.execute("UPDATE personal_templates SET data = json_set(data, '$.variants.en.title', 'My own title') "
               "WHERE template_id = 'acme.a'")
    put(2, [t("acme.a", "team a v2"), t("acme.b", "b"), t("acme.c", "c"), t("acme.e", "e", locked=True),
            t("acme.f", "f"), t("acme.g", "g", default_language="es")], when=now + timedelta(hours=1))  # d retired
    db.execute("UPDATE team_templates SET data = '{damaged' WHERE template_id = 'acme.f'")
    ids = ["acme.a", "acme.b", "acme.c", "acme.d", "acme.e", "acme.f", "acme.g", "mine.x", "nope"]
    expected = {e.id: (e.template.title, e.team_updated) for e in store.library_entries(db, ids, include_hidden=True)}
    assert expected["acme.a"] == ("My own title", True) and "acme.c" not in expected and "acme.f" not in expected
    assert expected["acme.g"] == ("Refund acme.g es", False) and expected["acme.e"] == ("Refund acme.e en", False)
    monkeypatch.setattr(Template, "from_dict", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    assert store.library_titles(db, ids) == expected
    assert news.unread(db).conflicts == [("acme.a", "My own title")]


def test_changelog_titles_are_read_for_the_named_templates_only(setup, now, monkeypatch):
    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b"), t("acme.c", "c")])
    edit("acme.a", "my own a")
    put(2, [t("acme.a", "a"), t("acme.c", "c")], when=now + timedelta(hours=1))  # b retired
    monkeypatch.setattr(store, "library", lambda *a, **k: (_ for _ in ()).throw(AssertionError("whole library")))
    monkeypatch.setattr(store, "list_team", lambda *a, **k: (_ for _ in ()).throw(AssertionError("whole pack")))
    assert news.template_titles(db, ["acme.b", "acme.c", "nope"], include_retired=True) == \
        {"acme.b": "Refund acme.b en", "acme.c": "Refund acme.c en"}
    assert news.template_titles(db, ["acme.b", "acme.c"]) == {"acme.c": "Refund acme.c en"}


def test_a_packs_templates_are_listed_with_their_titles_and_flags_without_loading_them(setup, now, monkeypatch):
    from assistant.packs import manage

    db, put, edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b", langs=("es", "pt_BR"), default_language="pt_BR"),
            t("acme.c", "c"), t("acme.d", "d")])
    put(2, [t("acme.a", "a"), t("acme.b", "b", langs=("es", "pt_BR"), default_language="pt_BR"), t("acme.c", "c")],
        when=now + timedelta(hours=1))  # d retired
    manage.set_template_flags(db, "acme.c", disabled=True)
    titles = {record.template_id: record.template.title for record in store.list_team(db, "acme.refunds")}
    db.execute("UPDATE team_templates SET data = '{damaged' WHERE template_id = 'acme.a'")
    monkeypatch.setattr(store, "list_team", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    manage.set_template_flags(db, "acme.d", hidden=True)  # retired: not listed, its tick neither
    manage.set_template_flags(db, "acme.b", hidden=True)
    manage.set_template_flags(db, "acme.b", hidden=False)  # a tick taken back: no tick
    listed = manage.pack_templates(db, "acme.refunds")
    assert listed.ids == ["acme.a", "acme.b", "acme.c"]
    assert listed.ticks == {"acme.c": (False, True)}
    assert [listed.flags(tid) for tid in listed.ids] == [(False, False), (False, False), (False, True)]
    assert manage.pack_templates(db, "no.such.pack") == ([], {})
    titles.pop("acme.a")  # a damaged row has no title to read: the window shows its id
    assert manage.pack_template_titles(db, ["acme.a", "acme.b", "acme.c", "nope"]) == titles
    db.execute("UPDATE team_templates SET data = json_set(data, '$.variants.pt_BR.title', 42) "
               "WHERE template_id = 'acme.b'")  # a number where the title is: left out too
    assert manage.pack_template_titles(db, ["acme.b"]) == {}
    assert titles["acme.b"] == "Refund acme.b pt_BR"  # the default language's title, as Template.title


def test_a_packs_ticks_are_read_from_the_ticks_not_from_every_template_of_the_pack(setup, sqlite_steps):
    """Issue 18: written as a join, the read of the agent's ticks had SQLite build a Bloom
    filter over every row of the pack first (162 ms at 50,000, and only once something was
    ticked). Counted in SQLite's own steps, a few ticks now cost a few steps each, whatever
    the pack's size: the listing of the ids is the only pass over the pack."""
    from assistant.packs import manage

    db, put, _edit, t = setup
    put(1, [t("acme.a", "a"), t("acme.b", "b")])
    db.execute("INSERT INTO team_templates (template_id, pack_id, data, content_hash) "
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
               "SELECT 'bulk.' || i, 'acme.refunds', '{}', '' FROM n")
    db.execute("ANALYZE")

    def steps() -> int:
        listing, counted = sqlite_steps(db, lambda: manage.pack_templates(db, "acme.refunds"))
        assert len(listing.ids) == 20002
        return counted
    untouched = steps()
    manage.set_template_flags(db, "acme.a", hidden=True)
    manage.set_template_flags(db, "bulk.7", disabled=True)
    manage.set_template_flags(db, "bulk.19999", hidden=True, disabled=True)
    ticked = steps()
    assert manage.pack_templates(db, "acme.refunds").ticks == {
        "acme.a": (True, False), "bulk.7": (False, True), "bulk.19999": (True, True)}
    assert ticked - untouched < 1000  # the join took about 9 steps per template of the pack
