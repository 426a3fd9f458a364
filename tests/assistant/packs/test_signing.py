"""Keys and detached signatures in minisign's format, and compatibility with the real
``minisign`` tool in both directions (skipped only when the binary is absent)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from assistant.packs import signing

MINISIGN = shutil.which("minisign")
needs_minisign = pytest.mark.skipif(MINISIGN is None, reason="the minisign tool is not installed")

DATA = "Reembolso aprobado — تم الاسترداد\n".encode("utf-8")


def test_unencrypted_key_signs_and_verifies(tmp_path):
    made = signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", None, comment="lead")
    assert not signing.secret_key_is_encrypted(made.secret_path)
    secret = signing.load_secret_key(made.secret_path, None)
    sig = signing.parse_signature(signing.sign_bytes(DATA, secret, "timestamp:1795000000"))
    key, info = signing.read_public_key_file(made.public_path)
    signing.verify(DATA, sig, key)
    assert info == signing.PublicKeyInfo(made.info.public_key, made.info.key_id, made.info.fingerprint,
                                         info.comment)
    assert sig.key_id == info.key_id
    assert sig.trusted_comment == "timestamp:1795000000"
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(DATA + b"!", sig, key)


def test_encrypted_key_needs_its_password(tmp_path):
    made = signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", "correct horse")
    assert signing.secret_key_is_encrypted(made.secret_path)
    with pytest.raises(signing.SignatureError, match="a password is needed"):
        signing.load_secret_key(made.secret_path, None)
    with pytest.raises(signing.SignatureError, match="wrong password"):
        signing.load_secret_key(made.secret_path, "battery staple")
    secret = signing.load_secret_key(made.secret_path, "correct horse")
    assert signing.public_key_of_secret(secret).key_id == made.info.key_id


def test_keygen_refuses_to_overwrite_and_empty_passwords(tmp_path):
    signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", None)
    with pytest.raises(signing.SignatureError, match="already exists"):
        signing.generate_keypair(tmp_path / "a.key", tmp_path / "b.pub", None)
    with pytest.raises(signing.SignatureError, match="empty password"):
        signing.generate_keypair(tmp_path / "c.key", tmp_path / "c.pub", "")


def test_key_id_and_fingerprint_shapes(tmp_path):
    made = signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", None)
    assert 1 <= len(made.info.key_id) <= 16 and made.info.key_id == made.info.key_id.upper()
    groups = made.info.fingerprint.split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    # the fingerprint is bound to the key material, not to the self-chosen key id
    other = signing.generate_keypair(tmp_path / "b.key", tmp_path / "b.pub", None)
    assert other.info.fingerprint != made.info.fingerprint


def test_public_key_parsing_errors():
    with pytest.raises(signing.SignatureError, match="not a minisign public key"):
        signing.parse_public_key("RWQnotakey")
    with pytest.raises(signing.SignatureError, match="one base64 line"):
        signing.parse_public_key("a\nb\nc")
    with pytest.raises(signing.SignatureError, match="not in minisign format"):
        signing.parse_signature(b"untrusted comment: x\n")


# -- the real minisign tool --------------------------------------------------------------

@needs_minisign
def test_minisign_tool_key_shows_the_same_key_id(tmp_path):
    subprocess.run([MINISIGN, "-G", "-W", "-p", str(tmp_path / "m.pub"), "-s", str(tmp_path / "m.key")],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    first_line = (tmp_path / "m.pub").read_text().splitlines()[0]
    _, info = signing.read_public_key_file(tmp_path / "m.pub")
    assert first_line.endswith(info.key_id)  # "untrusted comment: minisign public key <ID>"


@needs_minisign
def test_minisign_tool_signs_we_verify(tmp_path):
    subprocess.run([MINISIGN, "-G", "-W", "-p", str(tmp_path / "m.pub"), "-s", str(tmp_path / "m.key")],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    target = tmp_path / "pack.agentpack.json"
    target.write_bytes(DATA)
    subprocess.run([MINISIGN, "-S", "-s", str(tmp_path / "m.key"), "-m", str(target)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    key, _ = signing.read_public_key_file(tmp_path / "m.pub")
    sig = signing.parse_signature((tmp_path / "pack.agentpack.json.minisig").read_bytes())
    signing.verify(DATA, sig, key)
    with pytest.raises(signing.SignatureError):
        signing.verify(DATA.replace(b"aprobado", b"denegado"), sig, key)
    # our tools read the tool's secret key too, and sign with it
    secret = signing.load_secret_key(tmp_path / "m.key", None)
    signing.verify(DATA, signing.parse_signature(signing.sign_bytes(DATA, secret)), key)


@needs_minisign
@pytest.mark.parametrize("password", [None, "s3cret pass"])
def test_we_sign_minisign_tool_verifies(tmp_path, password):
    made = signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", password, comment="lead")
    target = tmp_path / "pack.agentpack.json"
    target.write_bytes(DATA)
    signing.sign_file(target, signing.load_secret_key(made.secret_path, password))
    ok = subprocess.run([MINISIGN, "-V", "-p", str(made.public_path), "-m", str(target)],
                        capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert ok.returncode == 0, ok.stderr
    assert "Signature and comment signature verified" in ok.stdout
    ok = subprocess.run([MINISIGN, "-V", "-P", made.info.public_key, "-m", str(target)],
                        capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert ok.returncode == 0, ok.stderr
    target.write_bytes(DATA + b" ")
    bad = subprocess.run([MINISIGN, "-V", "-p", str(made.public_path), "-m", str(target)],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert bad.returncode != 0


@needs_minisign
def test_minisign_tool_signs_with_our_encrypted_key(tmp_path):
    made = signing.generate_keypair(tmp_path / "a.key", tmp_path / "a.pub", "pw 1234")
    target = tmp_path / "f.json"
    target.write_bytes(DATA)
    done = subprocess.run([MINISIGN, "-S", "-s", str(made.secret_path), "-m", str(target)],
                          input="pw 1234\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    key, _ = signing.read_public_key_file(made.public_path)
    signing.verify(DATA, signing.parse_signature((tmp_path / "f.json.minisig").read_bytes()), key)
