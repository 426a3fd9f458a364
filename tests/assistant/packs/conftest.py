"""Fixtures for the packs tests: a publisher key pair made once per session, and a factory
for pack documents, files and signatures."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
LANGS = ["en", "es", "fr", "de", "pt_BR", "ar"]


@pytest.fixture(scope="session")
def publisher_key(tmp_path_factory):
    """(secret key path, public key text, key id, fingerprint): an unencrypted key."""
    from assistant.packs import signing

    folder = tmp_path_factory.mktemp("keys")
    made = signing.generate_keypair(folder / "lead.key", folder / "lead.pub", None, comment="Manila lead")
    return made


@pytest.fixture(scope="session")
def other_key(tmp_path_factory):
    from assistant.packs import signing

    folder = tmp_path_factory.mktemp("other")
    return signing.generate_keypair(folder / "x.key", folder / "x.pub", None)


def template(tid: str, body_en: str = "{{greeting}} {{customer_first_name|}}, your refund is on its way.",
             langs=("en", "es"), **extra) -> dict:
    bodies = {"en": body_en, "es": "{{greeting}} {{customer_first_name|}}, su reembolso está en camino.",
              "fr": "{{greeting}}, votre remboursement est en route.", "de": "{{greeting}}, Ihre Erstattung ist unterwegs.",
              "pt_BR": "{{greeting}}, seu reembolso está a caminho.",
              "ar": "{{greeting}}، تم إرسال المبلغ المسترد.\u200f"}
    data = {"id": tid, "tags": ["refund"], "default_language": "en",
            "variants": {lang: {"title": f"Refund {tid} {lang}",
                                "body": body_en if lang == "en" else bodies[lang]} for lang in langs}}
    data.update(extra)
    return data


def pack_doc(version: int = 1, templates=None, pack_id: str = "acme.refunds", **extra) -> dict:
    data = {
        "format": "agent-assistant-pack", "format_version": 1, "id": pack_id,
        "title": "ACME refunds", "publisher": "ACME Support Manila", "publisher_key_id": None,
        "version": version, "created": "2026-11-01T08:00:00Z", "min_app_version": "0.1",
        "default_language": "en", "languages": list(LANGS),
        "templates": templates if templates is not None else [template("acme.refund.ok"), template("acme.refund.late")],
    }
    data.update(extra)
    return data


class PackFactory:
    def __init__(self, folder: Path, key):
        self.folder = folder
        self.key = key
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, data, name: str = "p.agentpack.json", sign: bool = True, key=None) -> Path:
        from assistant.packs import signing

        path = self.folder / name
        raw = data if isinstance(data, bytes) else (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        path.write_bytes(raw)
        sig = path.with_name(path.name + ".minisig")
        if sig.exists():
            sig.unlink()
        if sign:
            use = key or self.key
            if isinstance(data, dict) and data.get("publisher_key_id") is None:
                pass  # publisher_key_id is optional
            secret = signing.load_secret_key(use.secret_path, None)
            sig.write_bytes(signing.sign_bytes(raw, secret, "timestamp:1795000000"))
        return path


@pytest.fixture
def packs(tmp_path, publisher_key):
    return PackFactory(tmp_path / "packs", publisher_key)


@pytest.fixture
def trusted(db, publisher_key):
    from assistant.packs import trust

    trust.add_key(db, publisher_key.public_path.read_text(), now=NOW)
    return publisher_key


@pytest.fixture
def make_template():
    return template


@pytest.fixture
def make_pack():
    def make(*args, **kwargs):
        return copy.deepcopy(pack_doc(*args, **kwargs))
    return make


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def setup(runtime, trusted, packs, make_pack, make_template, now):
    """(db, put(version, templates, when=now, **pack fields), edit(tid, body) as the agent's
    own version, make_template): a pack installed and updated as the merge tests need."""
    from assistant.packs import install
    from assistant.policy import Policy
    from assistant.templates import store

    db = runtime.db

    def put(version, templates, when=now, **extra):
        path = packs.write(make_pack(version, templates=templates, **extra), name=f"v{version}.agentpack.json")
        return install.install_file(db, Policy(), path, now=when)

    def edit(tid, body):
        entry = store.get_entry(db, tid)
        data = entry.template.to_dict()
        data["variants"]["en"]["body"] = body
        store.save_personal(db, entry.template.copy(variants=data["variants"]), now=now)

    return db, put, edit, make_template
