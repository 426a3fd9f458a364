"""A corpus of hostile or broken packs. Each one is refused by the check that should catch
it, with a message naming the problem (and the template and field when there is one), and
the database file is byte-for-byte what it was before."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Callable

import pytest

from assistant.packs import format as fmt
from assistant.packs import install, signing, trust
from assistant.policy import Policy


def db_state(runtime) -> tuple[str, str]:
    """A full dump and the hash of the database file after a checkpoint."""
    db = runtime.db
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dump = "\n".join(db.conn.iterdump())
    digest = hashlib.sha256(runtime.data_dir.database.read_bytes()).hexdigest()
    return dump, digest


@dataclass
class Case:
    name: str
    check: str
    message: str
    build: Callable  # (ctx) -> path
    template: str | None = None
    field: str | None = None
    policy: Policy = Policy()
    options: install.InstallOptions = install.InstallOptions()


class Ctx:
    def __init__(self, packs, make_pack, make_template, runtime, other_key, now):
        self.packs, self.make_pack, self.t = packs, make_pack, make_template
        self.runtime, self.other_key, self.now = runtime, other_key, now

    def doc(self, **kw):
        return self.make_pack(**kw)

    def write(self, data, **kw):
        return self.packs.write(data, **kw)

    def raw(self, text: bytes, sign: bool = True):
        return self.packs.write(text, sign=sign)

    def with_template(self, **fields):
        data = self.doc()
        data["templates"][0].update(fields)
        return self.write(data)

    def install(self, data, **kw):
        path = self.write(data, name=f"setup-{data['version']}.agentpack.json", **kw)
        return install.install_file(self.runtime.db, Policy(), path, now=self.now)


def _mutate(fn):
    def build(ctx):
        data = ctx.doc()
        fn(data, ctx)
        return ctx.write(data)
    return build


def _huge(ctx):
    path = ctx.packs.folder / "huge.agentpack.json"
    with path.open("wb") as handle:
        handle.truncate(fmt.MAX_PACK_BYTES + 1)  # sparse: costs no disk
    return path


def _deep_array(ctx):
    return ctx.raw(b"[" * 200_000 + b"]" * 200_000)


def _deep_card(ctx):
    data = ctx.doc()
    node: dict = {}
    content = node
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    data["cards"] = [{"country": "JP", "kind": "card", "content": content}]
    return ctx.write(data)


def _truncated(ctx):
    raw = json.dumps(ctx.doc()).encode()
    return ctx.raw(raw[: len(raw) // 2])


def _dup_top_key(ctx):
    raw = json.dumps(ctx.doc()).encode()
    return ctx.raw(raw[:-1] + b', "version": 99}')


def _dup_template_key(ctx):
    data = ctx.doc()
    raw = json.dumps(data).encode().replace(b'"id": "acme.refund.ok",', b'"id": "acme.refund.ok", "id": "acme.evil",', 1)
    return ctx.raw(raw)


def _tampered(ctx):
    path = ctx.write(ctx.doc())
    raw = path.read_bytes().replace(b"your refund is on its way", b"send your card number to us")
    path.write_bytes(raw)
    return path


def _garbage_sig(ctx):
    path = ctx.write(ctx.doc())
    path.with_name(path.name + ".minisig").write_bytes(b"untrusted comment: x\nnot base64!!\n")
    return path


def _other_files_sig(ctx):
    path = ctx.write(ctx.doc())
    other = ctx.write(ctx.doc(version=7), name="other.agentpack.json")
    path.with_name(path.name + ".minisig").write_bytes(other.with_name(other.name + ".minisig").read_bytes())
    return path


def _untrusted(ctx):
    return ctx.write(ctx.doc(), key=ctx.other_key)


def _key_id_mismatch(ctx):
    return ctx.write(ctx.doc(publisher_key_id=ctx.other_key.info.key_id))


def _unsigned(ctx):
    return ctx.write(ctx.doc(), sign=False)


def _rollback(ctx):
    ctx.install(ctx.doc(version=5))
    return ctx.write(ctx.doc(version=4))


def _same_version(ctx):
    ctx.install(ctx.doc(version=5))
    return ctx.write(ctx.doc(version=5))


def _key_change(ctx):
    ctx.install(ctx.doc(version=1))
    trust.add_key(ctx.runtime.db, ctx.other_key.public_path.read_text(), now=ctx.now)
    return ctx.write(ctx.doc(version=2), key=ctx.other_key)


def _unsigned_over_signed(ctx):
    ctx.install(ctx.doc(version=1))
    return ctx.write(ctx.doc(version=2), sign=False)


def _owned_by_other_pack(ctx):
    ctx.install(ctx.doc(version=1, pack_id="acme.other"))
    return ctx.write(ctx.doc(version=1))


def _ascii_json(ctx, data) -> bytes:
    """JSON with non-ASCII written as \\u escapes: the only way a lone surrogate gets in."""
    return ctx.raw(json.dumps(data).encode("ascii"))


def _surrogate_title(ctx):
    data = ctx.doc()
    data["templates"][0]["variants"]["en"]["title"] = "Refund \ud800"
    return _ascii_json(ctx, data)


def _surrogate_key(ctx):
    data = ctx.doc()
    data["templates"][0]["variables"] = {"amo\udfffunt": {"label": "Amount"}}
    return _ascii_json(ctx, data)


def _surrogate_in_card(ctx):
    data = ctx.doc()
    data["cards"] = [{"country": "JP", "kind": "notes", "content": {"text": "Bow \udc00 politely"}}]
    return _ascii_json(ctx, data)


def _garbage_sig_on_broken_json(ctx):
    path = ctx.raw(b'{"format": "agent-assistant-pack", "templates": [', sign=False)
    path.with_name(path.name + ".minisig").write_bytes(b"untrusted comment: x\nnot base64!!\n")
    return path


def _untrusted_key_on_broken_json(ctx):
    return ctx.packs.write(b"[" * 100, key=ctx.other_key)


def _cards_of(ctx, content: bytes):
    raw = json.dumps(ctx.doc(cards=[{"country": "JP", "kind": "card", "content": "@"}])).encode()
    return ctx.raw(raw.replace(b'"@"', content))


def _templates(count):
    def build(ctx):
        template = ctx.t("acme.x")
        data = ctx.doc(templates=[dict(template, id=f"acme.t{i}") for i in range(count)])
        return ctx.write(data)
    return build


def _ref_template(i=0):
    return lambda d: d["templates"][i]


CASES = [
    # -- size and parse
    Case("huge", fmt.SIZE, "packs are limited to", _huge),
    Case("empty", fmt.PARSE, "the file is empty", lambda c: c.raw(b"  \n")),
    Case("truncated", fmt.PARSE, "not valid JSON", _truncated),
    Case("latin1", fmt.PARSE, "not UTF-8", lambda c: c.raw(json.dumps(c.doc(title="Réponses"), ensure_ascii=False).encode("latin-1"))),
    Case("bom", fmt.PARSE, "byte-order mark", lambda c: c.raw(b"\xef\xbb\xbf" + json.dumps(c.doc()).encode())),
    Case("array", fmt.PARSE, "must be a JSON object", lambda c: c.raw(b"[1, 2]")),
    Case("duplicate top key", fmt.PARSE, "the key 'version' appears twice", _dup_top_key),
    Case("duplicate template key", fmt.PARSE, "the key 'id' appears twice", _dup_template_key),
    Case("nan", fmt.PARSE, "NaN is not a JSON number", lambda c: c.raw(json.dumps(c.doc()).encode()[:-1] + b', "x": NaN}')),
    Case("infinity", fmt.PARSE, "Infinity is not a JSON number", lambda c: c.raw(json.dumps(c.doc()).encode().replace(b'"version": 1', b'"version": Infinity'))),
    Case("deep array", fmt.PARSE, "nested too deeply", _deep_array),
    Case("deep card", fmt.PARSE, "nested too deeply", _deep_card),
    # -- bounded before parsing: counts in the raw bytes, then the counts every check loops over
    Case("too many brackets", fmt.SIZE, "size: the file has 200,018 brackets that may open objects or arrays; "
                                        "a pack has at most 200,000", lambda c: _cards_of(c, b"{\"x\": [" + b"[]," * 200_000 + b"[]]}")),
    Case("too many values", fmt.SIZE, "size: the file has 750,092 brackets, commas and colons, each of which may start a value; a pack has "
         "at most 750,000",
         lambda c: _cards_of(c, b"{\"x\": [" + b"0," * 750_000 + b"0]}")),
    Case("too many templates", fmt.PARSE, "parse (field templates): 20,001 templates; a pack holds at most 20,000", _templates(20_001),
         field="templates"),
    Case("too many languages", fmt.PARSE, "parse (field languages): 101 languages; a pack has at most 100",
         _mutate(lambda d, c: d.update(languages=[f"a{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(101)])),
         field="languages"),
    Case("number out of range", fmt.PARSE, "parse: not valid JSON: the number 1e999 is out of range",
         lambda c: _cards_of(c, b'{"x": 1e999}')),
    Case("number with too many digits", fmt.PARSE, "parse: not valid JSON: a number of 30 digits (at most 20)",
         lambda c: _cards_of(c, b'{"x": ' + b"9" * 30 + b"}")),
    Case("identifier of a million characters", fmt.CONTENT, "content (field cards[0].content.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…): in a key: an "
         "identifier of 1,000,000 characters (at most 256)",
         lambda c: _cards_of(c, b'{"' + b"k" * 1_000_000 + b'": 1}')),
    # -- schema
    Case("wrong format", fmt.SCHEMA, 'must be "agent-assistant-pack"', _mutate(lambda d, c: d.update(format="zip")), field="format"),
    Case("format version 2", fmt.SCHEMA, "must be 1 (found 2)", _mutate(lambda d, c: d.update(format_version=2)), field="format_version"),
    Case("version string", fmt.SCHEMA, "must be of type integer", _mutate(lambda d, c: d.update(version="3")), field="version"),
    Case("version zero", fmt.SCHEMA, "too small (at least 1)", _mutate(lambda d, c: d.update(version=0)), field="version"),
    Case("version float", fmt.SCHEMA, "must be of type integer", _mutate(lambda d, c: d.update(version=2.5)), field="version"),
    Case("version 2.0", fmt.CONTENT, "must be a whole number such as 2, not 2.0", _mutate(lambda d, c: d.update(version=2.0)),
         field="version"),
    Case("version true", fmt.SCHEMA, "must be of type integer", _mutate(lambda d, c: d.update(version=True)), field="version"),
    Case("missing templates", fmt.SCHEMA, "'templates' is missing", _mutate(lambda d, c: d.pop("templates"))),
    Case("templates object", fmt.SCHEMA, "must be of type array", _mutate(lambda d, c: d.update(templates={"a": 1})), field="templates"),
    Case("template without variants", fmt.SCHEMA, "'variants' is missing", _mutate(lambda d, c: d["templates"][0].pop("variants")),
         template="acme.refund.ok", field="templates[0]"),
    Case("body number", fmt.SCHEMA, "must be of type string", _mutate(lambda d, c: d["templates"][1]["variants"]["es"].update(body=42)),
         template="acme.refund.late", field="templates[1].variants.es.body"),
    Case("unknown top field", fmt.SCHEMA, "'install_hook' was unexpected", _mutate(lambda d, c: d.update(install_hook="rm -rf /"))),
    Case("unknown template field", fmt.SCHEMA, "'script' was unexpected", _mutate(lambda d, c: d["templates"][0].update(script="x")),
         template="acme.refund.ok"),
    Case("pack id shape", fmt.SCHEMA, "invalid form", _mutate(lambda d, c: d.update(id="../../etc")), field="id"),
    Case("title too long", fmt.SCHEMA, "too long (at most 200", _mutate(lambda d, c: d.update(title="x" * 201)), field="title"),
    Case("no languages", fmt.SCHEMA, "too few entries", _mutate(lambda d, c: d.update(languages=[])), field="languages"),
    Case("template id too long", fmt.SCHEMA, "invalid form", _mutate(lambda d, c: d["templates"][0].update(id="a" * 81)),
         field="templates[0].id"),
    Case("variable type", fmt.SCHEMA, "must be one of text, multiline, choice, date",
         _mutate(lambda d, c: d["templates"][0].update(variables={"amount": {"type": "exec"}})),
         template="acme.refund.ok", field="templates[0].variables.amount.type"),
    Case("locked string", fmt.SCHEMA, "must be of type boolean", _mutate(lambda d, c: d["templates"][0].update(locked="yes")),
         template="acme.refund.ok", field="templates[0].locked"),
    # -- content
    Case("duplicate ids", fmt.CONTENT, "the id 'acme.refund.ok' is used twice",
         _mutate(lambda d, c: d["templates"].append(copy.deepcopy(d["templates"][0]))),
         template="acme.refund.ok", field="templates[2].id"),
    Case("duplicate shortcuts", fmt.CONTENT, "the shortcut ';refund' is also used by 'acme.refund.ok'",
         _mutate(lambda d, c: [t.update(shortcut=";refund") for t in d["templates"]]),
         template="acme.refund.late", field="templates[1].shortcut"),
    Case("undeclared placeholder", fmt.CONTENT, "placeholder '{{password}}' is not declared",
         _mutate(lambda d, c: d["templates"][1]["variants"]["es"].update(body="Su clave: {{password}}")),
         template="acme.refund.late", field="templates[1].variants.es.body"),
    Case("expression placeholder", fmt.CONTENT, "is not a placeholder",
         _mutate(lambda d, c: d["templates"][0]["variants"]["en"].update(body="Hi {{ customer.__class__ }}")),
         template="acme.refund.ok", field="templates[0].variants.en.body"),
    Case("undeclared language", fmt.CONTENT, "language 'it' is not declared",
         _mutate(lambda d, c: d["templates"][0]["variants"].update(it={"title": "Rimborso", "body": "Ciao"})),
         template="acme.refund.ok", field="templates[0].variants.it"),
    Case("default variant missing", fmt.CONTENT, "the default language 'fr' has no variant",
         _mutate(lambda d, c: d["templates"][0].update(default_language="fr")),
         template="acme.refund.ok", field="templates[0].default_language"),
    Case("pack default not declared", fmt.CONTENT, "the default language 'en' is not in languages",
         _mutate(lambda d, c: d.update(languages=["es"])), field="default_language"),
    Case("impossible date", fmt.CONTENT, "is not a real date", _mutate(lambda d, c: d.update(created="2026-02-30T10:00:00Z")),
         field="created"),
    Case("expires before created", fmt.CONTENT, "expires before it was created",
         _mutate(lambda d, c: d.update(expires="2025-01-01T00:00:00Z")), field="expires"),
    Case("undeclared section", fmt.CONTENT, "section 'vip' is not declared",
         _mutate(lambda d, c: d["templates"][0]["variants"]["en"].update(body="{{#vip}}Dear VIP{{/vip}}")),
         template="acme.refund.ok"),
    Case("glossary duplicate", fmt.CONTENT, "the term 'ACME Pay' is listed twice",
         _mutate(lambda d, c: d.update(glossary=[{"term": "ACME Pay", "do_not_translate": True},
                                                 {"term": "acme pay", "do_not_translate": True}])),
         field="glossary[1].term"),
    Case("bad etiquette card", fmt.CONTENT, "'schema_version' is a required property", _mutate(lambda d, c: d.update(
        cards=[{"country": "JP", "kind": "card", "content": {"greeting": "Konnichiwa"}}])), field="cards[0].content"),
    Case("notes too long", fmt.CONTENT, "notes need a 'text' of 1-2000 characters", _mutate(lambda d, c: d.update(
        cards=[{"country": "JP", "kind": "notes", "content": {"text": "x" * 2001}}])), field="cards[0].content.text"),
    # -- hidden characters
    Case("control char in id", fmt.CONTENT, "control character U+0007 BEL",
         _mutate(lambda d, c: d["templates"][0].update(id="acme.refund\u0007ok")), field="templates[0].id"),
    Case("bidi override in title", fmt.CONTENT, "bidirectional override character U+202E",
         _mutate(lambda d, c: d["templates"][0]["variants"]["en"].update(title="Refund \u202eexe.fdp")),
         template="acme.refund.ok", field="templates[0].variants.en.title"),
    Case("bidi override in shortcut", fmt.CONTENT, "bidirectional override character U+202D",
         _mutate(lambda d, c: d["templates"][0].update(shortcut=";re\u202dfund")),
         template="acme.refund.ok", field="templates[0].shortcut"),
    Case("zero width in pack id", fmt.CONTENT, "U+200B ZERO WIDTH SPACE", _mutate(lambda d, c: d.update(id="acme\u200b.refunds")),
         field="id"),
    Case("escape in body", fmt.CONTENT, "control character U+001B ESCAPE",
         _mutate(lambda d, c: d["templates"][0]["variants"]["en"].update(body="Hi \u001b[2J there")),
         template="acme.refund.ok", field="templates[0].variants.en.body"),
    Case("tab in publisher", fmt.CONTENT, "a tab (U+0009 TAB) is not allowed in a name",
         _mutate(lambda d, c: d.update(publisher="ACME\tSupport")), field="publisher"),
    Case("invisible in variable name", fmt.CONTENT, "U+2060 WORD JOINER",
         _mutate(lambda d, c: d["templates"][0].update(variables={"amo\u2060unt": {"label": "Amount"}})),
         template="acme.refund.ok"),
    Case("lone surrogate in a title", fmt.CONTENT, "content (template 'acme.refund.ok', field "
         "templates[0].variants.en.title): a lone surrogate U+D800 SURROGATE: not Unicode text, it cannot be "
         "stored as UTF-8 at character 8", _surrogate_title,
         template="acme.refund.ok", field="templates[0].variants.en.title"),
    Case("lone surrogate in a key", fmt.CONTENT, "content (template 'acme.refund.ok', field "
         "templates[0].variables.amo⟦U+DFFF SURROGATE⟧unt): in a key: a lone surrogate U+DFFF SURROGATE: not "
         "Unicode text, it cannot be stored as UTF-8 at character 4", _surrogate_key,
         template="acme.refund.ok"),
    Case("lone surrogate in a note", fmt.CONTENT, "content (field cards[0].content.text): a lone surrogate U+DC00 "
         "SURROGATE: not Unicode text, it cannot be stored as UTF-8 at character 5", _surrogate_in_card,
         field="cards[0].content.text"),
    # -- reserved for the built-in starter pack
    Case("starter pack id", fmt.CONTENT, "content (field id): the pack id 'starter' is reserved for the app's "
         "built-in starter pack",
         _mutate(lambda d, c: d.update(id="starter")), field="id"),
    Case("starter template id", fmt.CONTENT, "content (template 'starter.greeting.welcome', field "
         "templates[0].id): the template id 'starter.greeting.welcome' is reserved for the app's built-in starter "
         "pack (ids starting with 'starter.')",
         _mutate(lambda d, c: d["templates"][0].update(id="starter.greeting.welcome")),
         template="starter.greeting.welcome", field="templates[0].id"),
    # -- signature (checked on the raw bytes, before anything is parsed)
    Case("garbage signature on broken JSON", fmt.SIGNATURE, "signature: the signature file is not in "
         "minisign format (invalid number of lines)", _garbage_sig_on_broken_json),
    Case("untrusted key on broken JSON", fmt.SIGNATURE, "not a trusted publisher key", _untrusted_key_on_broken_json),
    Case("unsigned broken JSON, not confirmed", fmt.SIGNATURE, "signature: the pack is not signed; an "
         "unsigned pack installs only after you confirm it explicitly", lambda c: c.raw(b"[" * 100, sign=False)),
    Case("tampered after signing", fmt.SIGNATURE, "was changed after signing", _tampered),
    Case("garbage signature", fmt.SIGNATURE, "not in minisign format", _garbage_sig),
    Case("signature of another file", fmt.SIGNATURE, "does not match this file", _other_files_sig),
    Case("untrusted key", fmt.SIGNATURE, "not a trusted publisher key", _untrusted),
    Case("publisher key id mismatch", fmt.SIGNATURE, "names the publisher key", _key_id_mismatch, field="publisher_key_id"),
    Case("unsigned, not confirmed", fmt.SIGNATURE, "an unsigned pack installs only after you confirm", _unsigned),
    Case("unsigned, policy requires signatures", fmt.SIGNATURE, "policy requires signed packs", _unsigned,
         policy=Policy(require_signatures=True), options=install.InstallOptions(allow_unsigned=True)),
    Case("unsigned over a signed pack", fmt.SIGNATURE, "an unsigned pack cannot replace it", _unsigned_over_signed,
         options=install.InstallOptions(allow_unsigned=True)),
    Case("another key takes over", fmt.SIGNATURE, "signed by another key", _key_change),
    # -- dates and versions
    Case("expired", fmt.EXPIRY, "the pack expired on 2026-11-10", _mutate(lambda d, c: d.update(expires="2026-11-10T00:00:00Z")),
         field="expires"),
    Case("needs newer app", fmt.APP_VERSION, "needs Agent Assistant 99.0 or later",
         _mutate(lambda d, c: d.update(min_app_version="99.0")), field="min_app_version"),
    Case("rollback", fmt.VERSION, "version 4 is older than version 5", _rollback, field="version"),
    Case("rollback asked, policy forbids", fmt.VERSION, "does not allow downgrades", _rollback,
         options=install.InstallOptions(allow_downgrade=True), field="version"),
    Case("downgrade allowed by policy, not asked", fmt.VERSION, "must be asked for explicitly", _rollback,
         policy=Policy(allow_downgrade=True), field="version"),
    Case("same version again", fmt.VERSION, "version 5 of 'acme.refunds' is already installed", _same_version,
         field="version"),
    # -- merge
    Case("template owned by another pack", fmt.MERGE, "already belongs to the installed pack 'acme.other'",
         _owned_by_other_pack, template="acme.refund.ok", field="templates[0].id"),
]


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_pack_is_rejected_and_changes_nothing(case, runtime, trusted, packs, make_pack, make_template,
                                                     other_key, now):
    ctx = Ctx(packs, make_pack, make_template, runtime, other_key, now)
    path = case.build(ctx)
    before = db_state(runtime)
    with pytest.raises(fmt.PackRejected) as caught:
        install.install_file(runtime.db, case.policy, path, case.options, now=now)
    problem = caught.value.problems[0]
    assert problem.check == case.check, str(caught.value)
    if case.message.startswith((case.check + ":", case.check + " (")):  # the whole message
        assert str(caught.value) == case.message
    else:
        assert case.message in str(caught.value)
    if case.template:
        assert problem.template == case.template
    if case.field:
        assert problem.field == case.field
    assert db_state(runtime) == before
    assert os.path.exists(path)  # nothing is deleted or moved either
