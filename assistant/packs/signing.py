"""Detached Ed25519 signatures in minisign's file format, through the ``minisign`` module
(py-minisign, on top of ``cryptography``): no cryptography is written here.

Files interoperate with the standard ``minisign`` tool both ways:
- public key: ``untrusted comment: ...`` + base64 line (``minisign -G`` writes the same);
- secret key: encrypted with a password (scrypt, as minisign does) or unencrypted for
  automation (``minisign -G -W``);
- signature: ``NAME.minisig``, pre-hashed Ed25519 (BLAKE2b), minisign's default since 0.10.

What users see of a key:
- its **key id**, printed exactly as minisign prints it (up to 16 hex digits, the 8 id bytes
  read as a little-endian number) so a lead can compare it with ``minisign`` output;
- its **fingerprint**: SHA-256 of the public key line's bytes, first 128 bits in 8 groups
  of 4 hex digits. The key id is chosen at random by the key's owner and proves nothing;
  the fingerprint is bound to the key material, so that is what an agent checks before
  trusting a key.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserError

if TYPE_CHECKING:
    import minisign

SIG_SUFFIX = ".minisig"
_STANDARD_COMMENT_RE = re.compile(r"^minisign public key [0-9A-Fa-f]{1,16}")
MAX_SIGNATURE_BYTES = 16 * 1024
MAX_KEY_BYTES = 16 * 1024


def _minisign():
    """py-minisign, imported on first use: with ``cryptography`` it takes ~50 ms to import,
    which the Packs window would otherwise pay on opening, before any key is read."""
    import minisign

    return minisign


class SignatureError(UserError, ValueError):
    """A key or signature cannot be read, or the signature does not verify."""


@dataclass(frozen=True)
class PublicKeyInfo:
    public_key: str  # the base64 line, the form used in policy files and by ``minisign -P``
    key_id: str  # as minisign prints it
    fingerprint: str
    comment: str = ""

    @property
    def display(self) -> str:
        return f"{self.key_id} ({self.fingerprint})"


def _key_id_text(raw: bytes) -> str:
    # minisign reads the 8 id bytes as a little-endian number and prints it with %llX
    # (no leading zeros); we print it the same way so leads can compare the two
    return f"{int.from_bytes(raw, 'little'):X}"


def key_id_from_text(text: str) -> str:
    """Normalise a key id typed by a user (case, spaces)."""
    return "".join(text.split()).upper()


def fingerprint_of(public_key_b64: str) -> str:
    digest = hashlib.sha256(public_key_b64.strip().encode("ascii")).hexdigest().upper()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def parse_public_key(text: str) -> tuple[minisign.PublicKey, PublicKeyInfo]:
    """A public key as a bare base64 line (policy, ``minisign -P``) or a two-line ``.pub`` file."""
    if len(text) > MAX_KEY_BYTES:
        raise SignatureError("the public key is too long")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    comment = ""
    if len(lines) == 2 and lines[0].startswith("untrusted comment:"):
        comment = lines[0][len("untrusted comment:"):].strip()
        comment = _STANDARD_COMMENT_RE.sub("", comment).strip()  # keep only what a person added
        lines = lines[1:]
    if len(lines) != 1:
        raise SignatureError("a public key is one base64 line, optionally after an 'untrusted comment:' line")
    line = lines[0]
    ms = _minisign()
    try:
        key = ms.PublicKey.from_base64(line)
    except ms.Error as exc:
        raise SignatureError(f"not a minisign public key ({exc})") from exc
    info = PublicKeyInfo(line, _key_id_text(key._keynum_pk.key_id), fingerprint_of(line), comment)
    return key, info


def read_public_key_file(path: Path) -> tuple[minisign.PublicKey, PublicKeyInfo]:
    try:
        raw = Path(path).read_bytes()[:MAX_KEY_BYTES + 1]
        return parse_public_key(raw.decode("ascii"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SignatureError(f"cannot read the public key {path}: {exc}") from exc


@dataclass(frozen=True)
class ParsedSignature:
    signature: minisign.Signature
    key_id: str
    trusted_comment: str


def parse_signature(data: bytes) -> ParsedSignature:
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureError(f"the signature file is larger than {MAX_SIGNATURE_BYTES // 1024} KB")
    ms = _minisign()
    try:
        sig = ms.Signature.from_bytes(data)
    except ms.Error as exc:
        raise SignatureError(f"the signature file is not in minisign format ({exc})") from exc
    return ParsedSignature(sig, _key_id_text(sig._key_id), sig.trusted_comment)


def verify(data: bytes, signature: ParsedSignature, key: minisign.PublicKey) -> None:
    """Raises SignatureError unless ``signature`` is a valid signature of ``data`` by ``key``
    (both the data signature and the global signature over the trusted comment)."""
    ms = _minisign()
    try:
        key.verify(data, signature.signature)
    except ms.Error as exc:
        raise SignatureError(f"the signature does not match the pack ({exc})") from exc


# -- keys -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GeneratedKey:
    public_path: Path
    secret_path: Path
    info: PublicKeyInfo


def generate_keypair(secret_path: Path, public_path: Path, password: str | None,
                     comment: str = "", overwrite: bool = False,
                     opslimit: int | None = None, memlimit: int | None = None) -> GeneratedKey:
    """Write a new key pair. ``password=None`` leaves the secret key unencrypted (for build
    servers, like ``minisign -W``); otherwise it is encrypted with scrypt, by default with
    py-minisign's interactive limits (~0.1 s). Keys made by ``minisign -G`` use the
    "sensitive" limits (1 GiB); those are read too."""
    secret_path, public_path = Path(secret_path), Path(public_path)
    for path in (secret_path, public_path):
        if path.exists() and not overwrite:
            raise SignatureError(f"{path} already exists; refusing to overwrite a key")
    if password is not None and not password:
        raise SignatureError("an empty password protects nothing; use no password (--unencrypted) instead")
    ms = _minisign()
    pair = ms.KeyPair.generate()
    secret = pair.secret_key
    public = pair.public_key
    # the same first line minisign writes (py-minisign's default prints the id bytes reversed)
    public.untrusted_comment = f"minisign public key {_key_id_text(public._keynum_pk.key_id)}" + (
        f" {comment}" if comment else "")
    if password is not None:
        secret.encrypt(password, opslimit=opslimit or ms.OPSLIMIT, memlimit=memlimit or ms.MEMLIMIT)
    secret_bytes = bytes(secret) + b"\n"
    secret.wipe()
    secret_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(secret_path, secret_bytes)
    public_path.write_bytes(bytes(public) + b"\n")
    line = public.to_base64().decode("ascii")
    return GeneratedKey(public_path, secret_path,
                        PublicKeyInfo(line, _key_id_text(public._keynum_pk.key_id), fingerprint_of(line), comment))


def _write_private(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_secret_key(path: Path, password: str | None) -> minisign.SecretKey:
    ms = _minisign()
    try:
        raw = Path(path).read_bytes()[:MAX_KEY_BYTES + 1]
    except OSError as exc:
        raise SignatureError(f"cannot read the secret key {path}: {exc.strerror or exc}") from exc
    try:
        secret = ms.SecretKey.from_bytes(raw)
    except ms.Error as exc:
        raise SignatureError(f"{path} is not a minisign secret key ({exc})") from exc
    if secret.is_encrypted():
        if not password:
            raise SignatureError(f"the secret key {path} is encrypted; a password is needed")
        try:
            secret.decrypt(password)
        except ms.Error as exc:
            raise SignatureError(f"cannot unlock the secret key {path}: {exc}") from exc
        except MemoryError as exc:
            raise SignatureError(f"not enough memory to unlock the secret key {path}") from exc
    return secret


def secret_key_is_encrypted(path: Path) -> bool:
    ms = _minisign()
    try:
        return ms.SecretKey.from_bytes(Path(path).read_bytes()[:MAX_KEY_BYTES + 1]).is_encrypted()
    except (OSError, ms.Error) as exc:
        raise SignatureError(f"{path} is not a readable minisign secret key ({exc})") from exc


def public_key_of_secret(secret: minisign.SecretKey) -> PublicKeyInfo:
    public = secret.get_public_key()
    line = public.to_base64().decode("ascii")
    return PublicKeyInfo(line, _key_id_text(public._keynum_pk.key_id), fingerprint_of(line))


def sign_bytes(data: bytes, secret: minisign.SecretKey, trusted_comment: str | None = None,
               at: float | None = None) -> bytes:
    """The ``.minisig`` file content for ``data`` (pre-hashed, as minisign signs by default)."""
    when = int(time.time() if at is None else at)
    comment = trusted_comment or f"timestamp:{when}"
    ms = _minisign()
    try:
        sig = secret.sign(data, prehash=True, trusted_comment=comment,
                          untrusted_comment="signature from Agent Assistant pack tools")
    except ms.Error as exc:
        raise SignatureError(f"cannot sign: {exc}") from exc
    return bytes(sig) + b"\n"


def sign_file(path: Path, secret: minisign.SecretKey, trusted_comment: str | None = None) -> Path:
    path = Path(path)
    data = path.read_bytes()
    comment = trusted_comment or f"timestamp:{int(time.time())}\tfile:{path.name}\thashed"
    target = path.with_name(path.name + SIG_SUFFIX)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(sign_bytes(data, secret, comment))
    partial.replace(target)
    return target

