"""Deployment policy set by IT: JSON files that tighten what the app may do.

Machine files (IT's): the system-wide file, then ``policy.json`` beside the executable.
A user file (the ``AGENT_ASSISTANT_POLICY`` variable) may only tighten them: for every key
the safer value wins, and the keys that name folders, servers or trusted publishers come
from machine files only. A named file that is missing, unreadable, a folder or not a valid
policy is an error in force: the safest settings apply. See docs/deployment.md for the table
of which file wins for each key."""

from __future__ import annotations

import base64
import binascii
import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

from assistant.errors import UserError
from assistant.paths import executable_dir

ENV_POLICY = "AGENT_ASSISTANT_POLICY"
POLICY_FILENAME = "policy.json"
MAX_POLICY_BYTES = 256 * 1024
MACHINE, USER = "machine", "user"

BOOL_KEYS = {
    # key: the safe value (in force when any policy file has an error; the safer value
    # wins whenever files disagree, and a user file can only move a key towards it)
    "allow_downloads": False,
    "require_signatures": True,
    "allow_downgrade": False,
    "allow_translation_history": False,
    "trust_only_policy_keys": True,
    "allow_global_shortcuts": False,
    "allow_synthetic_paste": False,
    "allow_link_handler": False,  # call pop by link (agent-assistant://, tel:, callto:)
}
# Caps IT may raise (only machine files) and anyone may lower: key -> (default, lowest,
# highest). Lower is safer; the default is also what holds when any policy file has an error.
PACK_CAP_KEY = "max_pack_mb"
INT_KEYS = {
    # the pack size cap, MB; the pack format's other caps grow with it in proportion
    # (assistant.packs.format.Caps): 14 MB is the 5,000-template, 6-language benchmark pack
    PACK_CAP_KEY: (14, 1, 512),
}
# Folders and the mirror: where packs, models and data come from. Only machine files set
# them (the system-wide file first); a user file cannot point them elsewhere.
MACHINE_ONLY_KEYS = ("pack_inbox", "shared_models_dir", "data_dir", "download_mirror_url")
KEYS_KEY = "trusted_publisher_keys"  # from machine files only, combined
_KNOWN_KEYS = set(BOOL_KEYS) | set(INT_KEYS) | set(MACHINE_ONLY_KEYS) | {KEYS_KEY, "version"}
POLICY_VERSION = 1
DEFAULT, SAFEST_SOURCE = "(default)", "(safest settings: a policy file has errors)"


class PolicyFile(NamedTuple):
    """One place a policy was looked for, and what came of it."""
    path: str
    kind: str  # MACHINE or USER
    status: str  # "read", "absent" (a standard location without a file) or "error"
    values: tuple[tuple[str, object], ...] = ()  # what the file sets, in its order
    ignored: tuple[str, ...] = ()  # keys a user file may not set
    error: str | None = None


class Policy(NamedTuple):
    """What IT allows on this machine: the files read, merged (machine files win), and
    where each value came from. A NamedTuple (``_replace`` for a changed copy), as every
    record made before the first paint: as dataclasses, this one, the customer's and four
    others cost the start about 5 ms with the ``dataclasses`` import (issue 18)."""
    allow_downloads: bool = False
    require_signatures: bool = False
    allow_downgrade: bool = False
    allow_translation_history: bool = True
    trust_only_policy_keys: bool = False
    allow_global_shortcuts: bool = True
    allow_synthetic_paste: bool = True
    allow_link_handler: bool = True
    trusted_publisher_keys: tuple[str, ...] = ()
    max_pack_mb: int = INT_KEYS[PACK_CAP_KEY][0]
    pack_inbox: str | None = None
    shared_models_dir: str | None = None
    data_dir: str | None = None
    download_mirror_url: str | None = None
    files: tuple[PolicyFile, ...] = ()
    origins: tuple[tuple[str, object], ...] = ()  # key -> the file (or files) its value came from
    errors: tuple[str, ...] = ()

    @property
    def network_allowed(self) -> bool:
        return self.allow_downloads

    @property
    def sources(self) -> tuple[str, ...]:
        """The files read and in force."""
        return tuple(f.path for f in self.files if f.status == "read")

    def origin(self, key: str):
        return dict(self.origins).get(key, DEFAULT)

    def describe(self) -> dict:
        origins = dict(self.origins)
        effective = {key: {"value": getattr(self, key), "from": origins.get(key, DEFAULT)}
                     for key in (*BOOL_KEYS, *INT_KEYS, *MACHINE_ONLY_KEYS)}
        effective[KEYS_KEY] = {"value": [key_id(k) for k in self.trusted_publisher_keys],
                               "from": list(origins.get(KEYS_KEY, ()))}
        return {
            "sources": list(self.sources) or ["(none: built-in defaults)"],
            "errors": list(self.errors),
            "files": [{"path": f.path, "kind": f.kind, "status": f.status, "error": f.error,
                       "set": {k: (v if k != KEYS_KEY else [key_id(x) for x in v]) for k, v in f.values},
                       "ignored": list(f.ignored)} for f in self.files],
            "effective": effective,
            **{key: getattr(self, key) for key in BOOL_KEYS},
            **{key: getattr(self, key) for key in INT_KEYS},
            "trusted_publisher_keys": len(self.trusted_publisher_keys),
            "trusted_key_ids": [key_id(k) for k in self.trusted_publisher_keys],
            **{key: getattr(self, key) for key in MACHINE_ONLY_KEYS},
        }


SAFEST = Policy(**BOOL_KEYS)


class PolicyError(UserError, ValueError):
    pass


def _decode_public_key(text: str) -> bytes | None:
    """The 42 bytes of a minisign public key (``Ed`` + 8-byte key id + 32-byte Ed25519 key)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 42 and raw[:2] == b"Ed" else None


def key_id(public_key: str) -> str:
    """The key id minisign prints (16 hex digits, most significant first)."""
    raw = _decode_public_key(public_key)
    return raw[2:10][::-1].hex().upper() if raw else "?"


def system_policy_paths() -> list[Path]:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return [Path(base) / "AgentAssistant" / POLICY_FILENAME]
    if sys.platform == "darwin":
        return [Path("/Library/Application Support/AgentAssistant") / POLICY_FILENAME]
    return [Path("/etc/agent-assistant") / POLICY_FILENAME]


def machine_policy_paths(exe_dir: Path | None = None) -> list[Path]:
    """IT's files, in the order they are read: the system-wide one, then beside the executable."""
    return system_policy_paths() + [(exe_dir or executable_dir()) / POLICY_FILENAME]


def user_policy_path() -> Path | None:
    """The file the agent's environment names: it can only tighten the machine's policy."""
    env = os.environ.get(ENV_POLICY)
    return Path(env) if env else None


def _no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise PolicyError(f"the key '{key}' appears twice")
        seen[key] = value
    return seen


def parse_policy(text: str, source: str) -> dict:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except PolicyError as exc:  # which value IT meant is unknowable: the file is not used
        raise PolicyError(f"{source}: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: the policy must be a JSON object")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise PolicyError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    for key in BOOL_KEYS:
        if key in data and not isinstance(data[key], bool):
            raise PolicyError(f"{source}: '{key}' must be true or false")
    for key, (_, lowest, highest) in INT_KEYS.items():
        value = data.get(key)
        if value is not None and (type(value) is not int or not lowest <= value <= highest):
            raise PolicyError(f"{source}: '{key}' must be a whole number from {lowest} to {highest}")
    for key in MACHINE_ONLY_KEYS:
        if key in data and data[key] is not None and not (isinstance(data[key], str) and data[key].strip()):
            raise PolicyError(f"{source}: '{key}' must be a non-empty string or null")
    if "version" in data and (type(data["version"]) is not int or data["version"] != POLICY_VERSION):
        raise PolicyError(f"{source}: 'version' must be {POLICY_VERSION}")
    keys = data.get(KEYS_KEY, [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        raise PolicyError(f"{source}: 'trusted_publisher_keys' must be a list of minisign public keys")
    for index, key in enumerate(keys):
        if _decode_public_key(key) is None:
            raise PolicyError(f"{source}: trusted_publisher_keys[{index}] is not a minisign public key "
                              "(the second line of a .pub file, starting with RW)")
    return data


def read_policy_file(path: Path, kind: str, named: bool) -> tuple[PolicyFile, dict]:
    """One file and what it sets. ``named``: the path was given explicitly, so a missing
    file is an error; a standard location may simply have none."""
    try:
        if not os.path.lexists(path):
            if named:
                raise PolicyError(f"{path}: named by {ENV_POLICY} but there is no such file")
            return PolicyFile(str(path), kind, "absent"), {}
        if not path.exists():
            raise PolicyError(f"{path}: a link to a file that does not exist")
        if path.is_dir():
            raise PolicyError(f"{path}: a folder, not a policy file")
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES // 1024} KB")
        data = parse_policy(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        return PolicyFile(str(path), kind, "error", error=f"{path}: cannot be read ({exc})"), {}
    except PolicyError as exc:
        return PolicyFile(str(path), kind, "error", error=str(exc)), {}
    data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
            if v is not None and v != []}  # null or an empty list: not set
    ignored = tuple(k for k in data if kind == USER and (k in MACHINE_ONLY_KEYS or k == KEYS_KEY))
    return PolicyFile(str(path), kind, "read", tuple(data.items()), ignored), data


def merge(read: list[tuple[PolicyFile, dict]]) -> Policy:
    """The policy in force from files read in order (machine files first). Every rule of
    which file wins lives here; docs/deployment.md has it as a table."""
    values: dict = {}
    origins: dict = {}
    for source, data in read:
        if source.status != "read":
            continue
        for key, safe in BOOL_KEYS.items():
            if key not in data:
                continue
            current = values.get(key, getattr(Policy(), key))
            if source.kind == MACHINE and key not in origins:
                values[key], origins[key] = data[key], source.path  # IT's first word on this key
            elif data[key] == safe and current != safe:
                values[key], origins[key] = safe, source.path  # tightening, by anyone
        for key, (default, _, _) in INT_KEYS.items():
            if key not in data:
                continue
            if source.kind == MACHINE and key not in origins:
                values[key], origins[key] = data[key], source.path  # IT's first word: may raise the cap
            elif data[key] < values.get(key, default):
                values[key], origins[key] = data[key], source.path  # lowering, by anyone
        if source.kind != MACHINE:
            continue
        for key in MACHINE_ONLY_KEYS:
            if key in data and key not in values:  # the system-wide file is read first and wins
                values[key], origins[key] = data[key], source.path
        if data.get(KEYS_KEY):
            values[KEYS_KEY] = tuple(dict.fromkeys([*values.get(KEYS_KEY, ()), *(k.strip() for k in data[KEYS_KEY])]))
            origins[KEYS_KEY] = (*origins.get(KEYS_KEY, ()), source.path)
    errors = tuple(source.error for source, _ in read if source.error)
    if errors:
        # An error never loosens anything: the safest value of every true/false key, keeping
        # only what valid machine files add (trusted keys, folders) so packs still arrive.
        values.update(BOOL_KEYS)
        origins.update({key: SAFEST_SOURCE for key in BOOL_KEYS})
        for key, (default, _, _) in INT_KEYS.items():  # a cap a valid file lowered stays lower
            if values.get(key, default) >= default:
                values[key], origins[key] = default, SAFEST_SOURCE
    return Policy(**values, files=tuple(source for source, _ in read), origins=tuple(origins.items()),
                  errors=errors)


def load_policy(machine_paths: list[Path] | None = None, user_path: Path | None | bool = True) -> Policy:
    """The policy in force. Without arguments: the standard machine locations and the file
    ``AGENT_ASSISTANT_POLICY`` names (``user_path=True``); ``None`` reads no user file."""
    if user_path is True:
        user_path = user_policy_path()
    read = [read_policy_file(p, MACHINE, named=False) for p in
            (machine_paths if machine_paths is not None else machine_policy_paths())]
    if user_path is not None:
        read.append(read_policy_file(Path(user_path), USER, named=True))
    return merge(read)
