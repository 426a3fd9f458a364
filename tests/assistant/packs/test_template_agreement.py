"""One verdict for one template, at every door: whatever a team lead's tools accept, every
agent's install and import accepts, and the reverse (issue 15: a pack with a blank tag built
and signed with the lead's tools, then every agent's install refused it).

A corpus of templates (blank tags, odd ids, languages, placeholders, sizes, hidden
characters, surrogates, duplicate ids...) goes through each entry point:

- the editors: the personal template editor's judge (``Template.from_dict`` then the store's
  save) and the pack editor's (``editing.problems_by_template``);
- the lead's command line: ``pack build`` (a source folder), ``pack validate``, ``pack sign``;
- the agent's installs: ``pack install`` (command line, signed by a trusted key) and the
  inbox (the packs window runs the same read, prepare and apply: tests/ui/test_packs_dialog.py);
- the CSV import, for the templates a CSV file can say exactly.

Each entry point answers accepted or refused; all must give the same answer, and the answer
must be the one written in the corpus. A property test then feeds random mutations to the
in-process judges.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.packs import editing, inbox, signing
from assistant.packs import format as fmt
from assistant.policy import Policy
from assistant.templates import store, validation
from assistant.templates.importers import ImportFailed, read_csv, save_imported
from assistant.templates.model import LANG_RE, Template, TemplateError


def base(**changes) -> dict:
    data = {"id": "acme.refund", "tags": ["refund"], "shortcut": ";refund", "default_language": "en",
            "variants": {"en": {"title": "Refund approved", "body": "{{greeting}} {{customer_first_name|}}, done."},
                         "es": {"title": "Reembolso aprobado", "body": "{{greeting}}, listo."}}}
    data.update(changes)
    return data


def body(text: str, **changes) -> dict:
    return base(variants={"en": {"title": "Refund", "body": text}}, **changes)


def title(text: str) -> dict:
    return base(variants={"en": {"title": text, "body": "Done."}})


@dataclass(frozen=True)
class Case:
    name: str
    templates: tuple
    accepted: bool


def ok(name: str, *templates) -> Case:
    return Case(name, templates, True)


def bad(name: str, *templates) -> Case:
    return Case(name, templates, False)


AMOUNT = {"amount": {"label": "Amount", "type": "text"}}
CORPUS = [
    ok("valid", base()),
    ok("no tags, no shortcut", base(tags=[], shortcut=None)),
    # tags
    bad("blank tag", base(tags=[" "])),
    bad("empty tag", base(tags=[""])),
    bad("tag with a tab", base(tags=["re\tfund"])),
    ok("tag of 40 characters", base(tags=["t" * 40])),
    bad("tag of 41 characters", base(tags=["t" * 41])),
    bad("21 tags", base(tags=[f"t{i}" for i in range(21)])),
    bad("tag with a zero-width space", base(tags=["re\u200bfund"])),
    bad("tag that is a number", base(tags=[7])),
    # ids
    bad("id with capitals and a space", base(id="Bad Id")),
    bad("id of 81 characters", base(id="a" * 81)),
    ok("id of 80 characters", base(id="a" * 80)),
    bad("id starting with a dash", base(id="-lead")),
    bad("id with a final newline", base(id="acme.refund\n")),
    bad("id in full-width letters", base(id="ａｃｍｅ")),
    bad("id with a zero-width joiner", base(id="acme\u200d.refund")),
    bad("id missing", {k: v for k, v in base().items() if k != "id"}),
    # languages
    ok("language with a region", base(default_language="pt_BR", variants={"pt_BR": {"title": "Olá", "body": "Oi"}})),
    ok("language with a script", base(default_language="zh_Hant", variants={"zh_Hant": {"title": "退款", "body": "好"}})),
    bad("language in capitals", base(default_language="EN", variants={"EN": {"title": "Hi", "body": "Hi"}})),
    bad("language with a dash", base(default_language="pt-br", variants={"pt-br": {"title": "Oi", "body": "Oi"}})),
    bad("language spelled out", base(variants={"en": {"title": "a", "body": "b"}, "english": {"title": "a", "body": "b"}})),
    bad("default language without a variant", base(default_language="fr")),
    bad("no variants", base(variants={})),
    bad("101 languages", base(variants={f"a{chr(97 + i // 26)}{chr(97 + i % 26)}": {"title": "t", "body": "b"}
                                        for i in range(100)} | {"en": {"title": "t", "body": "b"}})),
    # titles and bodies
    bad("blank title", title("   ")),
    bad("blank body", body("  \n ")),
    ok("title of 200 characters", title("t" * 200)),
    bad("title of 201 characters", title("t" * 201)),
    ok("body of 20,000 characters", body("b" * 20_000)),
    bad("body of 20,001 characters", body("b" * 20_001)),
    bad("title on two lines", title("Refund\napproved")),
    ok("HTML in a title is text", title("<b>Refund</b>")),
    # placeholders and sections
    ok("built-in placeholders", body("{{salutation}} {{order_id}} {{ticket_id|}}")),
    bad("undeclared placeholder", body("Your code: {{password}}")),
    ok("declared placeholder", body("Amount: {{amount|unknown}}", variables=AMOUNT)),
    bad("expression between braces", body("Hi {{ customer.__class__ }}")),
    bad("empty braces", body("Hi {{}}")),
    bad("undeclared section", body("{{#vip}}Dear VIP{{/vip}}")),
    bad("unclosed section", body("{{#vip}}Dear VIP", sections=[{"id": "vip", "label": "VIP"}])),
    ok("declared section", body("{{#vip}}Dear VIP{{/vip}}", sections=[{"id": "vip", "label": "VIP"}])),
    bad("section declared twice", body("x", sections=[{"id": "vip"}, {"id": "vip"}])),
    bad("choice without choices", body("{{reason}}", variables={"reason": {"label": "Reason", "type": "choice"}})),
    bad("blank choice", body("{{reason}}", variables={"reason": {"label": "R", "type": "choice", "choices": {"en": [" "]}}})),
    bad("51 choices", body("{{r}}", variables={"r": {"type": "choice", "choices": {"en": [str(i) for i in range(51)]}}})),
    bad("variable named with a digit first", body("x", variables={"1x": {"label": "x"}})),
    bad("41 variables", body("x", variables={f"v{i}": {"label": "v"} for i in range(41)})),
    bad("label of 121 characters", body("{{amount}}", variables={"amount": {"label": "l" * 121}})),
    bad("required as text", body("{{amount}}", variables={"amount": {"label": "A", "required": "yes"}})),
    # other fields
    bad("shortcut with a space", base(shortcut="two words")),
    bad("empty shortcut", base(shortcut="")),
    bad("shortcut of 33 characters", base(shortcut=";" * 33)),
    bad("shortcut with a no-break space", base(shortcut=";re\u00a0fund")),
    bad("locked as text", base(locked="yes")),
    ok("locked", base(locked=True)),
    bad("unknown field", base(colour="red")),
    # hidden characters and surrogates
    bad("title with a right-to-left override", title("Refund \u202egnp.exe")),
    ok("body with a right-to-left override (flagged, not refused)", body("Total \u202e 10")),
    ok("body with a zero-width space (flagged)", body("Re\u200bfund")),
    ok("Arabic with direction marks and joiners", base(default_language="ar", variants={
        "ar": {"title": "استرداد\u200f", "body": "تم\u200d الإرسال.\u200f"}})),
    bad("title with a NUL", title("Refund\x00")),
    bad("body with a NUL", body("Done\x00")),
    ok("body with tabs and line breaks", body("Line 1\n\tLine 2\r\n")),
    bad("title with an escape character", title("Refund\x1b[31m")),
    bad("lone surrogate in a title", title("Refund \ud800")),
    bad("lone surrogate in a body", body("Done \udfff")),
    bad("lone surrogate in a tag", base(tags=["\ud83d"])),
    # several templates
    ok("two templates", base(), base(id="acme.late", shortcut=";late")),
    bad("duplicate ids", base(), base(shortcut=";other")),
    bad("duplicate shortcuts", base(), base(id="acme.late")),
]


def test_the_corpus_names_are_unique():
    assert len({c.name for c in CORPUS}) == len(CORPUS)


# -- the entry points -------------------------------------------------------------------

def pack_for(templates, pack_id: str = "acme.agree", version: int = 1) -> dict:
    """The templates in a pack that declares every well-formed language they use."""
    def keys(node, name):
        value = node.get(name) if isinstance(node, dict) else None
        return value if isinstance(value, dict) else {}

    languages = {"en"}
    for t in templates:
        used = list(keys(t, "variants"))
        for spec in keys(t, "variables").values():
            used += list(keys(spec, "choices"))
        languages.update(lang for lang in used if isinstance(lang, str) and LANG_RE.match(lang))
    return {"format": fmt.FORMAT_NAME, "format_version": 1, "id": pack_id, "title": "Agreement",
            "publisher": "ACME", "publisher_key_id": None, "version": version,
            "created": "2026-11-01T08:00:00Z", "min_app_version": "0.1", "default_language": "en",
            "languages": sorted(languages), "templates": copy.deepcopy(list(templates))}


def file_bytes(data: dict) -> bytes | None:
    """The pack as a file, or None when the text cannot be written as UTF-8 (a lone surrogate):
    such a file exists only as JSON escapes, written here the way a careless tool would."""
    try:
        return fmt.canonical_bytes(data)
    except UnicodeEncodeError:
        return (json.dumps(data, ensure_ascii=True, indent=2) + "\n").encode("ascii")


def judge_personal_editor(templates, db) -> bool | None:
    if len(templates) != 1:
        return None  # the editor edits one template
    try:
        store.save_personal(db, Template.from_dict(copy.deepcopy(templates[0]), origin="personal"))
    except (TemplateError, KeyError, TypeError, AttributeError) as exc:
        assert isinstance(exc, TemplateError), f"the editor's judge crashed: {exc!r}"
        return False
    return True


def judge_pack_editor(templates) -> bool:
    grouped, general = editing.problems_by_template(json.loads(file_bytes(pack_for(templates))))
    return not any(p.severity == "error" for problems in [general, *grouped.values()] for p in problems)


def csv_text(templates) -> str | None:
    """The templates as an import file, when CSV can say exactly them (no variables or
    sections, canonical languages and trimmed fields as the importer reads them)."""
    rows, ids = [], []
    for t in templates:
        if set(t) - {"id", "tags", "shortcut", "default_language", "variants"} or validation.undeclared_names(t):
            return None
        variants, tid, tags, shortcut = t.get("variants"), t.get("id"), t.get("tags", []), t.get("shortcut")
        if not isinstance(tid, str) or not tid or tid != tid.strip() or not isinstance(variants, dict) or not variants:
            return None
        if not isinstance(tags, list) or not all(isinstance(g, str) and g and g == g.strip() and not set(g) & set(",;")
                                                 for g in tags):
            return None
        if shortcut is not None and (not isinstance(shortcut, str) or not shortcut or shortcut != shortcut.strip()):
            return None
        if next(iter(variants)) != t.get("default_language"):
            return None
        for lang, variant in variants.items():
            if (not isinstance(variant, dict) or set(variant) != {"title", "body"}
                    or not all(isinstance(v, str) and "\r" not in v for v in variant.values())
                    or variant["title"] != variant["title"].strip() or not lang or lang != validation.normalize_language(lang)
                    or not any(v.strip() for v in (tid, lang, *variant.values()))):
                return None
            rows.append([tid, lang, variant["title"], variant["body"], ";".join(tags), shortcut or ""])
        ids.append(tid)
    if len(set(ids)) != len(ids):
        return None  # rows with one id are the languages of one template in CSV
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "language", "title", "body", "tags", "shortcut"])
    writer.writerows(rows)
    try:
        out.getvalue().encode("utf-8")
    except UnicodeEncodeError:
        return None
    return out.getvalue()


def judge_import(templates, db) -> bool | None:
    text = csv_text(templates)
    if text is None:
        return None
    try:
        save_imported(db, read_csv(text.encode("utf-8")))
    except ImportFailed:
        return False
    return True


def cli_accepts(run_cli, *argv) -> bool:
    code, out, err = run_cli(*argv)
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in err
    return code == 0


def judge_build(templates, run_cli, folder: Path, key) -> bool:
    source = folder / "source"
    (source / "templates").mkdir(parents=True)
    doc = pack_for(templates)
    meta = {k: v for k, v in doc.items() if k != "templates"}
    (source / "pack.json").write_bytes(file_bytes(meta))
    for index, template in enumerate(doc["templates"]):
        (source / "templates" / f"{index:02}.json").write_bytes(file_bytes(template))
    return cli_accepts(run_cli, "pack", "build", str(source), "-o", str(folder / "built.agentpack.json"),
                       "--secret-key", str(key.secret_path))


def signed_file(folder: Path, data: dict, key, name: str = "p.agentpack.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(file_bytes(data))
    secret = signing.load_secret_key(key.secret_path, None)
    path.with_name(name + ".minisig").write_bytes(signing.sign_bytes(path.read_bytes(), secret, "timestamp:1795000000"))
    return path


def all_verdicts(case: Case, *, db, run_cli, tmp_path: Path, key, now) -> dict[str, bool]:
    templates = case.templates
    verdicts = {"pack editor": judge_pack_editor(templates)}
    lead = tmp_path / "lead"
    lead.mkdir()
    plain = lead / "plain.agentpack.json"
    plain.write_bytes(file_bytes(pack_for(templates)))
    verdicts["pack validate"] = cli_accepts(run_cli, "pack", "validate", str(plain))
    verdicts["pack sign"] = cli_accepts(run_cli, "pack", "sign", str(plain), "--secret-key", str(key.secret_path))
    verdicts["pack build"] = judge_build(templates, run_cli, lead, key)
    # the agent's side: each install into a database of its own
    agent = tmp_path / "agent-cli"
    run_cli("--data-dir", str(agent), "pack", "trust", str(key.public_path), "--fingerprint", key.info.fingerprint)
    path = signed_file(tmp_path / "downloads", pack_for(templates), key)
    verdicts["pack install"] = cli_accepts(run_cli, "--data-dir", str(agent), "pack", "install", str(path))
    # the agent's own templates first (an import refuses an id the library already has)
    for name, verdict in (("CSV import", judge_import(templates, db)),
                          ("personal editor", judge_personal_editor(templates, db))):
        if verdict is not None:
            verdicts[name] = verdict
    folder = tmp_path / "inbox"
    signed_file(folder, pack_for(templates), key)
    report = inbox.Inbox().check(db, Policy()._replace(pack_inbox=str(folder)), now)
    assert len(report.installed) + len(report.rejected) == 1, report
    verdicts["inbox install"] = bool(report.installed)
    return verdicts


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_every_entry_point_gives_the_same_verdict(case, runtime, trusted, run_cli, tmp_path, now):
    verdicts = all_verdicts(case, db=runtime.db, run_cli=run_cli, tmp_path=tmp_path, key=trusted, now=now)
    assert set(verdicts.values()) == {case.accepted}, "\n".join(f"{k}: {v}" for k, v in verdicts.items())


def test_the_corpus_reaches_every_entry_point():
    """The import and the personal editor are not fed every case (a CSV file cannot say a
    blank tag, the editor edits one template): enough cases still reach them both ways."""
    imported = [c for c in CORPUS if csv_text(c.templates) is not None]
    edited = [c for c in CORPUS if len(c.templates) == 1]
    for fed in (imported, edited):
        assert sum(c.accepted for c in fed) >= 8 and sum(not c.accepted for c in fed) >= 15


def test_a_blank_tag_is_named_by_the_lead_s_tools(run_cli, tmp_path, publisher_key):
    path = tmp_path / "p.agentpack.json"
    path.write_bytes(file_bytes(pack_for([base(tags=["refund", " "])])))
    code, _out, err = run_cli("pack", "sign", str(path), "--secret-key", str(publisher_key.secret_path))
    assert code != 0 and "templates[0].tags[1]" in err and "must not be empty" in err
    assert not path.with_name(path.name + ".minisig").exists()


# -- random mutations through the in-process judges -----------------------------------------

FIELDS = [("id",), ("tags",), ("tags", 0), ("shortcut",), ("default_language",), ("locked",),
          ("variants",), ("variants", "en"), ("variants", "en", "title"), ("variants", "en", "body"),
          ("variants", "es", "body"), ("variables",), ("variables", "amount"), ("variables", "amount", "label"),
          ("variables", "amount", "type"), ("variables", "amount", "choices"), ("sections",),
          ("sections", 0, "id"), ("sections", 0, "default")]
TEXT = st.lists(st.sampled_from(list("aZ09 _-.;{}#/|\t\n") + ["\u200b", "\u202e", "\u200f", "\x00", "\x1b",
                                                              "é", "\ud800", "{{", "}}", "amount", "vip"]),
                max_size=10).map("".join)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 300), TEXT, st.lists(TEXT, max_size=3),
                   st.dictionaries(TEXT, TEXT, max_size=2))


def seed() -> dict:
    return base(variables=copy.deepcopy(AMOUNT), sections=[{"id": "vip", "label": "VIP", "default": False}],
                variants={"en": {"title": "Refund", "body": "{{greeting}} {{amount}} {{#vip}}VIP{{/vip}}"},
                          "es": {"title": "Reembolso", "body": "{{amount}}"}})


def mutate(data: dict, path: tuple, value) -> dict:
    node = data
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return data
    if isinstance(node, dict):
        node[path[-1]] = value
    elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        node[path[-1]] = value
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), min_size=1, max_size=3))
def test_random_templates_get_one_verdict_from_the_editor_and_the_pack(mutations):
    template = seed()
    for path, value in mutations:
        template = mutate(template, path, value)
    try:
        Template.from_dict(copy.deepcopy(template), origin="personal")
        editor = True
    except TemplateError:
        editor = False
    try:
        fmt.load_pack(file_bytes(pack_for([template])))
        pack = True
    except fmt.PackRejected:
        pack = False
    assert editor == pack == judge_pack_editor([template]), template
