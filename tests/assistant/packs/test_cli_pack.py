"""``assistant pack ...``: the lead's round trip (keygen, new, validate, sign, verify,
build, install, list) and precise failures."""

from __future__ import annotations

import json

from assistant.packs import signing


def test_lead_round_trip(run_cli, tmp_path, monkeypatch):
    key, pub = tmp_path / "lead.key", tmp_path / "lead.pub"
    code, out, err = run_cli("pack", "keygen", "--secret-key", str(key), "--public-key", str(pub), "--unencrypted")
    assert code == 0, err
    _, info = signing.read_public_key_file(pub)
    assert f"Fingerprint: {info.fingerprint}" in out

    pack = tmp_path / "acme.agentpack.json"
    code, out, err = run_cli("pack", "new", str(pack), "--id", "acme.support", "--title", "ACME",
                             "--publisher", "ACME Manila", "--languages", "en,es")
    assert code == 0, err
    code, out, _ = run_cli("pack", "validate", str(pack), "--json")
    assert code == 0 and json.loads(out)["valid"] is True

    code, out, err = run_cli("pack", "sign", str(pack), "--secret-key", str(key))
    assert code == 0, err
    code, out, err = run_cli("pack", "verify", str(pack), "--public-key", str(pub), "--json")
    result = json.loads(out)
    assert code == 0 and result["valid"] and result["key_id"] == info.key_id and result["problems"] == []

    # the agent: not trusted yet, then trusted after checking the fingerprint
    code, out, err = run_cli("pack", "install", str(pack))
    assert code == 2 and out == "" and "not a trusted publisher key" in err
    code, out, err = run_cli("pack", "trust", str(pub))
    assert code == 2 and info.fingerprint in err
    code, out, err = run_cli("pack", "trust", str(pub), "--fingerprint", info.fingerprint)
    assert code == 0, err
    code, out, err = run_cli("pack", "install", str(pack), "--json")
    assert code == 0, err
    assert json.loads(out)["changes"]["added"] == ["acme.support.thanks"]
    code, out, err = run_cli("pack", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["pack_id"], listed["version"], listed["fingerprint"]) == ("acme.support", 1, info.fingerprint)
    assert listed["history"][0]["action"] == "install"


def test_build_from_a_source_folder_signs_with_an_encrypted_key(run_cli, tmp_path, monkeypatch):
    key, pub = tmp_path / "lead.key", tmp_path / "lead.pub"
    (tmp_path / "pw").write_text("hunter2 hunter2\n")
    assert run_cli("pack", "keygen", "--secret-key", str(key), "--public-key", str(pub),
                   "--password-file", str(tmp_path / "pw"))[0] == 0
    src = tmp_path / "src"
    (src / "templates").mkdir(parents=True)
    (src / "pack.json").write_text(json.dumps({
        "id": "acme.src", "title": "From files", "publisher": "ACME", "default_language": "en",
        "languages": ["en", "es"]}))
    (src / "templates" / "hold.json").write_text(json.dumps({
        "id": "acme.src.hold", "default_language": "en",
        "variants": {"en": {"title": "Hold", "body": "One moment please, {{customer_first_name|}}."},
                     "es": {"title": "Espera", "body": "Un momento, por favor."}}}))
    out_file = tmp_path / "dist" / "acme.agentpack.json"
    monkeypatch.setenv("AGENT_ASSISTANT_KEY_PASSWORD", "hunter2 hunter2")
    code, out, err = run_cli("pack", "build", str(src), "-o", str(out_file), "--version", "7", "--secret-key", str(key))
    assert code == 0, err
    data = json.loads(out_file.read_text())
    _, info = signing.read_public_key_file(pub)
    assert data["version"] == 7 and data["publisher_key_id"] == info.key_id
    code, out, err = run_cli("pack", "verify", str(out_file), "--public-key", str(pub))
    assert code == 0 and "good signature" in out


def test_failures_are_precise_and_non_zero(run_cli, tmp_path, packs, make_pack):
    data = make_pack(1)
    data["templates"][0]["variants"]["en"]["body"] = "{{secret}}"
    path = packs.write(data, sign=False)
    code, out, err = run_cli("pack", "validate", str(path))
    assert code == 1 and out == ""
    assert "template 'acme.refund.ok', field templates[0].variants.en.body" in err
    code, out, _ = run_cli("pack", "validate", str(path), "--json")
    result = json.loads(out)
    assert code == 1 and result["valid"] is False
    assert result["problems"][0]["field"] == "templates[0].variants.en.body"
    code, out, err = run_cli("pack", "verify", str(path), "--json")
    assert code == 1 and json.loads(out)["problems"][0]["check"] == "signature"
    code, out, err = run_cli("pack", "sign", str(path), "--secret-key", str(tmp_path / "missing.key"))
    assert code == 2 and "refusing to sign an invalid pack" in err
    code, out, err = run_cli("pack", "install", str(tmp_path / "nope.agentpack.json"))
    assert code == 2 and "cannot read" in err
    code, out, err = run_cli("pack", "remove", "nope")
    assert code == 2 and "no installed pack 'nope'" in err
