"""Deployment policy set by IT: a JSON file read from a system-wide location and from
beside the executable. When both exist the safer value of each restriction wins; an
invalid file is reported and the safest settings apply (see docs/deployment.md)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import UserError
from assistant.paths import executable_dir

ENV_POLICY = "AGENT_ASSISTANT_POLICY"
POLICY_FILENAME = "policy.json"
MAX_POLICY_BYTES = 256 * 1024

_BOOL_KEYS = {
    # key: the safe value (used when the policy is invalid, and winning when files disagree)
    "allow_downloads": False,
    "require_signatures": True,
    "allow_downgrade": False,
    "allow_translation_history": False,
}
_PATH_KEYS = ("pack_inbox", "shared_models_dir", "data_dir")
_KNOWN_KEYS = set(_BOOL_KEYS) | set(_PATH_KEYS) | {"trusted_publisher_keys", "download_mirror_url", "version"}
POLICY_VERSION = 1


@dataclass(frozen=True)
class Policy:
    allow_downloads: bool = False
    require_signatures: bool = False
    allow_downgrade: bool = False
    allow_translation_history: bool = True
    trusted_publisher_keys: tuple[str, ...] = ()
    pack_inbox: str | None = None
    shared_models_dir: str | None = None
    data_dir: str | None = None
    download_mirror_url: str | None = None
    sources: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def network_allowed(self) -> bool:
        return self.allow_downloads

    def describe(self) -> dict:
        return {
            "sources": list(self.sources) or ["(none: built-in defaults)"],
            "errors": list(self.errors),
            "allow_downloads": self.allow_downloads,
            "require_signatures": self.require_signatures,
            "allow_downgrade": self.allow_downgrade,
            "allow_translation_history": self.allow_translation_history,
            "trusted_publisher_keys": len(self.trusted_publisher_keys),
            "trusted_key_ids": [key_id(k) for k in self.trusted_publisher_keys],
            "pack_inbox": self.pack_inbox,
            "shared_models_dir": self.shared_models_dir,
            "data_dir": self.data_dir,
            "download_mirror_url": self.download_mirror_url,
        }


SAFEST = Policy(**_BOOL_KEYS)


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


def candidate_paths(exe_dir: Path | None = None) -> list[Path]:
    env = os.environ.get(ENV_POLICY)
    if env:  # an explicit policy file replaces the standard locations (tests, special deployments)
        return [Path(env)]
    return system_policy_paths() + [(exe_dir or executable_dir()) / POLICY_FILENAME]


def parse_policy(text: str, source: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: the policy must be a JSON object")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise PolicyError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    for key in _BOOL_KEYS:
        if key in data and not isinstance(data[key], bool):
            raise PolicyError(f"{source}: '{key}' must be true or false")
    for key in (*_PATH_KEYS, "download_mirror_url"):
        if key in data and data[key] is not None and not (isinstance(data[key], str) and data[key].strip()):
            raise PolicyError(f"{source}: '{key}' must be a non-empty string or null")
    if "version" in data and (type(data["version"]) is not int or data["version"] != POLICY_VERSION):
        raise PolicyError(f"{source}: 'version' must be {POLICY_VERSION}")
    keys = data.get("trusted_publisher_keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        raise PolicyError(f"{source}: 'trusted_publisher_keys' must be a list of minisign public keys")
    for index, key in enumerate(keys):
        if _decode_public_key(key) is None:
            raise PolicyError(f"{source}: trusted_publisher_keys[{index}] is not a minisign public key "
                              "(the second line of a .pub file, starting with RW)")
    return data


def _merge(policy: Policy, data: dict, already_set: set[str]) -> Policy:
    changes: dict = {}
    for key, safe in _BOOL_KEYS.items():
        if key in data:
            # the safer value wins when several files set the same restriction
            earlier = getattr(policy, key)
            changes[key] = safe if key in already_set and safe in (earlier, data[key]) else data[key]
    for key in (*_PATH_KEYS, "download_mirror_url"):
        # the system-wide file is read first and its folders win: a file beside the
        # executable (often in a folder agents can write) must not redirect them
        if data.get(key) and getattr(policy, key) is None:
            changes[key] = data[key]
    if data.get("trusted_publisher_keys"):
        changes["trusted_publisher_keys"] = tuple(
            dict.fromkeys([*policy.trusted_publisher_keys, *(k.strip() for k in data["trusted_publisher_keys"])]))
    return replace(policy, **changes)


def load_policy(paths: list[Path] | None = None) -> Policy:
    policy = Policy()
    set_keys: set[str] = set()
    sources: list[str] = []
    errors: list[str] = []
    for path in paths if paths is not None else candidate_paths():
        try:
            if not path.is_file():
                continue
            if path.stat().st_size > MAX_POLICY_BYTES:
                raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES // 1024} KB")
            data = parse_policy(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: cannot be read ({exc})")
            continue
        except PolicyError as exc:
            errors.append(str(exc))
            continue
        policy = _merge(policy, data, set_keys)
        set_keys |= set(data)
        sources.append(str(path))
    if errors:
        # An invalid policy must never loosen anything: apply the safest settings,
        # keeping only what valid files added to the trusted keys and folders.
        policy = replace(policy, **_BOOL_KEYS)
    return replace(policy, sources=tuple(sources), errors=tuple(errors))
