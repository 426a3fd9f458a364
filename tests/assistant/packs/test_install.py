"""Installing packs: trust, unsigned confirmation, downgrades, what gets stored, and the
text-safety rules (what is flagged, what stays valid)."""

from __future__ import annotations

import json

import pytest

from assistant.packs import format as fmt
from assistant import textsafety
from assistant.packs import install, manage, signing, trust
from assistant.policy import Policy
from assistant.templates import store


def test_signed_pack_installs_with_publisher_key_and_fingerprint(runtime, trusted, packs, make_pack, now):
    path = packs.write(make_pack(1, publisher_key_id=trusted.info.key_id))
    result = install.install_file(runtime.db, Policy(), path, now=now)
    assert (result.action, result.signed, result.key_id) == ("install", True, trusted.info.key_id)
    [pack] = manage.list_packs(runtime.db)
    assert (pack.publisher, pack.version, pack.fingerprint) == ("ACME Support Manila", 1, trusted.info.fingerprint)
    assert pack.installed_at == "2026-11-20T09:00:00+00:00" and pack.signed


def test_the_installed_pack_records_its_files_digest_without_keeping_its_bytes(runtime, trusted, packs, make_pack, now):
    import hashlib

    path = packs.write(make_pack(1, publisher_key_id=trusted.info.key_id))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = fmt.load_pack(path.read_bytes())
    assert loaded.sha256 == digest
    assert not any(isinstance(value, (bytes, bytearray)) for value in vars(loaded).values())
    install.install_file(runtime.db, Policy(), path, now=now)
    assert runtime.db.execute("SELECT sha256 FROM packs").fetchone()[0] == digest


def test_unsigned_pack_needs_confirmation_and_carries_the_mark(runtime, packs, make_pack, now):
    path = packs.write(make_pack(1), sign=False)
    with pytest.raises(install.PackRejected, match="confirm it explicitly"):
        install.install_file(runtime.db, Policy(), path, now=now)
    result = install.install_file(runtime.db, Policy(), path, install.InstallOptions(allow_unsigned=True), now=now)
    assert not result.signed
    [pack] = manage.list_packs(runtime.db)
    assert not pack.signed and pack.fingerprint is None


def test_policy_keys_are_trusted_without_the_agent(runtime, publisher_key, packs, make_pack, now):
    policy = Policy(trusted_publisher_keys=(publisher_key.info.public_key,), require_signatures=True)
    result = install.install_file(runtime.db, policy, packs.write(make_pack(1)), now=now)
    assert result.signed
    assert [k.source for k in trust.trusted_keys(runtime.db, policy)] == [trust.POLICY]


def test_a_policy_key_may_take_over_a_pack(runtime, trusted, other_key, packs, make_pack, now):
    install.install_file(runtime.db, Policy(), packs.write(make_pack(1)), now=now)
    policy = Policy(trusted_publisher_keys=(other_key.info.public_key,))
    result = install.install_file(runtime.db, policy, packs.write(make_pack(2), key=other_key), now=now)
    assert result.fingerprint == other_key.info.fingerprint


def test_downgrade_when_policy_allows_and_user_asks(runtime, trusted, packs, make_pack, make_template, now):
    install.install_file(runtime.db, Policy(), packs.write(make_pack(5)), now=now)
    older = packs.write(make_pack(4, templates=[make_template("acme.refund.ok", "older text")]))
    result = install.install_file(runtime.db, Policy(allow_downgrade=True), older,
                                  install.InstallOptions(allow_downgrade=True), now=now)
    assert result.action == "downgrade"
    assert store.get_entry(runtime.db, "acme.refund.ok").template.variants["en"].body == "older text"
    # the high-water mark stays at 5: version 5 is still "already seen"
    with pytest.raises(install.PackRejected, match="already installed or was installed before"):
        install.install_file(runtime.db, Policy(), packs.write(make_pack(5)), now=now)


def test_trusting_a_key_checks_the_fingerprint_shown(db, publisher_key, other_key, now):
    with pytest.raises(signing.SignatureError, match="not the one confirmed"):
        trust.add_key(db, publisher_key.public_path.read_text(), expected_fingerprint=other_key.info.fingerprint)
    info = trust.add_key(db, publisher_key.public_path.read_text(),
                         expected_fingerprint=publisher_key.info.fingerprint.lower(), now=now)
    assert [k.key_id for k in trust.agent_keys(db)] == [info.key_id]
    assert trust.remove_key(db, info.key_id) == 1
    assert trust.agent_keys(db) == []


def test_glossary_and_cards_are_stored_and_replaced_on_update(runtime, trusted, packs, make_pack, now):
    db = runtime.db
    glossary = [{"term": "ACME Pay", "do_not_translate": True},
                {"term": "refund", "translations": {"es": "reembolso", "fr": "remboursement"}}]
    cards = [{"country": "JP", "kind": "notes", "content": {"text": "Our Osaka office closes at 17:00."}},
             {"country": "MX", "kind": "notes", "content": {"text": "Quincena: customers pay on the 15th."}}]
    install.install_file(db, Policy(), packs.write(make_pack(1, glossary=glossary, cards=cards)), now=now)
    rows = db.execute("SELECT pack_id, country, kind, card_json FROM pack_cards ORDER BY country").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("acme.refunds", "JP", "notes"), ("acme.refunds", "MX", "notes")]
    assert json.loads(rows[0][3]) == {"text": "Our Osaka office closes at 17:00."}
    terms = db.execute("SELECT term, do_not_translate, translations FROM pack_glossary ORDER BY term").fetchall()
    assert terms == [("ACME Pay", 1, "{}"), ("refund", 0, json.dumps({"es": "reembolso", "fr": "remboursement"}))]
    has_glossary_api = db["glossary_terms"].exists()
    if has_glossary_api:  # the translation feature protects the do-not-translate terms
        assert db.execute("SELECT term FROM glossary_terms WHERE source = 'pack:acme.refunds'").fetchall() == [("ACME Pay",)]
    install.install_file(db, Policy(), packs.write(make_pack(2, cards=cards[:1])), now=now)
    assert [r[0] for r in db.execute("SELECT country FROM pack_cards")] == ["JP"]
    assert db.execute("SELECT COUNT(*) FROM pack_glossary").fetchone()[0] == 0
    if has_glossary_api:
        assert db.execute("SELECT COUNT(*) FROM glossary_terms WHERE source = 'pack:acme.refunds'").fetchone()[0] == 0


def test_html_in_titles_is_kept_as_literal_text(runtime, trusted, packs, make_pack, make_template, now):
    tpl = make_template("acme.html")
    tpl["variants"]["en"]["title"] = "<b>Refund</b> <img src=x onerror=alert(1)>"
    install.install_file(runtime.db, Policy(), packs.write(make_pack(1, templates=[tpl])), now=now)
    assert store.get_entry(runtime.db, "acme.html").template.variants["en"].title == \
        "<b>Refund</b> <img src=x onerror=alert(1)>"


def test_bidi_override_in_a_body_installs_flagged_and_is_shown_visibly(runtime, trusted, packs, make_pack,
                                                                        make_template, now):
    tpl = make_template("acme.bidi", "Pay at https://acme.example/\u202egnp.exe")
    result = install.install_file(runtime.db, Policy(), packs.write(make_pack(1, templates=[tpl])), now=now)
    [warning] = result.warnings
    assert warning.severity == "warning" and warning.template == "acme.bidi"
    assert warning.field == "templates[0].variants.en.body"
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in warning.message
    assert manage.list_packs(runtime.db)[0].warnings[0]["field"] == "templates[0].variants.en.body"
    body = store.get_entry(runtime.db, "acme.bidi").template.variants["en"].body
    assert textsafety.visible(body) == "Pay at https://acme.example/⟦U+202E RIGHT-TO-LEFT OVERRIDE⟧gnp.exe"


def test_arabic_and_hebrew_with_direction_marks_stay_valid():
    arabic = "مرحبا \u200fرقم الطلب: 12345\u200f، شكرا"
    hebrew = "שלום \u200eORDER-77\u200e תודה"
    persian = "می\u200cخواهم"  # zero-width non-joiner is part of Persian spelling
    for text in (arabic, hebrew, persian):
        for kind in (textsafety.NAME, textsafety.TEXT):
            assert textsafety.scan(text, kind) == []
        assert textsafety.visible(text) == text


def test_identifier_rules_are_stricter_than_names():
    assert [f.severity for f in textsafety.scan(";re\u200efund", textsafety.IDENTIFIER)] == ["error"]
    assert textsafety.scan("Reembolso\u200e", textsafety.NAME) == []
    assert [f.severity for f in textsafety.scan("a\u202eb", textsafety.NAME)] == ["error"]
    assert [f.severity for f in textsafety.scan("a\u202eb\u2066c", textsafety.TEXT)] == ["warning", "warning"]
    assert [f.severity for f in textsafety.scan("line\nnext\tcol", textsafety.TEXT)] == []
    assert [f.severity for f in textsafety.scan("line\nnext", textsafety.NAME)] == ["error"]


def test_validate_reports_every_problem_with_its_place(packs, make_pack):
    data = make_pack(1)
    data["templates"][0]["variants"]["en"]["body"] = "{{nope}} and {{nope2}}"
    data["templates"][1]["variants"]["es"]["body"] = "\u202e ok"
    pack, problems = fmt.check_file(packs.write(data, sign=False))
    assert pack is None
    described = [(p.severity, p.template, p.message) for p in problems]
    assert ("error", "acme.refund.ok", "placeholder '{{nope}}' is not declared in variables and is not a built-in value") in described
    assert ("error", "acme.refund.ok", "placeholder '{{nope2}}' is not declared in variables and is not a built-in value") in described
    assert any(s == "warning" and t == "acme.refund.late" for s, t, _ in described)


def test_a_whole_etiquette_card_is_validated_and_stored(runtime, trusted, packs, make_pack, now):
    from assistant.paths import resource_path

    card = json.loads(resource_path("cards", "JP.json").read_text(encoding="utf-8"))
    card.pop("code", None)
    data = make_pack(1, cards=[{"country": "JP", "kind": "card", "content": card}])
    install.install_file(runtime.db, Policy(), packs.write(data), now=now)
    stored = runtime.db.execute("SELECT card_json FROM pack_cards WHERE country = 'JP' AND kind = 'card'").fetchone()
    assert json.loads(stored[0]) == card


def test_the_policy_size_cap_holds_for_install(runtime, trusted, packs, make_pack, make_template, now):
    """A pack over a cap a policy lowered is refused before it is read; the same pack under
    the default cap installs."""
    from assistant.packs import format as fmt

    body = "{{greeting}} " + "x" * 9000
    data = make_pack(templates=[make_template(f"acme.t{i}", body) for i in range(130)])
    path = packs.write(data)
    assert 1024 * 1024 < path.stat().st_size < fmt.MAX_PACK_BYTES
    with pytest.raises(fmt.PackRejected) as info:
        install.install_file(runtime.db, Policy(max_pack_mb=1), path, now=now)
    assert info.value.problems[0].check == fmt.SIZE and "1,048,576" in str(info.value.problems[0])
    assert runtime.db.execute("SELECT COUNT(*) FROM packs WHERE pack_id = 'acme.refunds'").fetchone()[0] == 0
    result = install.install_file(runtime.db, Policy(), path, now=now)
    assert len(result.merge.added) == 130
