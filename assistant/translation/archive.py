"""Validation of a ``.argosmodel`` archive before anything is extracted.

Argos's own ``install_from_path`` extracts any zip unchecked, and one stray folder without
``metadata.json`` breaks every language. We accept an archive only if it is a zip with
exactly one top-level folder holding a readable ``metadata.json`` that names the language
codes (exactly: ``"en\\n"`` is not ``"en"``), a ``model/`` and a tokenizer; with no absolute
paths, no ``..``, no links, no device files, no two entries that would land on one path (a
file and a folder of one name, or names that differ only in letter case, which Windows and
macOS treat as one); within caps on entry count, declared size and compression ratio (per
entry, and for the whole archive: many small entries that each compress well cannot add up
to hundreds of MB). Extraction then re-checks the real sizes while writing, so a lying header
cannot fill the disk; :mod:`assistant.translation.packages` then loads what was extracted with
the engine before it replaces anything.
"""

from __future__ import annotations

import json
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import UserError

MAX_ENTRIES = 5_000
MAX_TOTAL_BYTES = 2 * 1024**3          # the largest Argos packages unpack to ~0.5 GB
MAX_METADATA_BYTES = 256 * 1024
MAX_RATIO = 200                          # int8 weights barely compress; a bomb compresses >1000x
RATIO_CHECK_MIN_BYTES = 1024 * 1024      # small text files may compress well, that is fine
MAX_TOTAL_RATIO = 20                     # the whole package: real ones unpack to about 1.1x
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")  # used with fullmatch
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")


class ArchiveError(UserError, ValueError):
    """The archive is not an acceptable model package; the message says why."""


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    top: str                   # the one top-level folder
    metadata: dict
    members: tuple[zipfile.ZipInfo, ...]
    total_bytes: int

    @property
    def from_code(self) -> str:
        return self.metadata["from_code"]

    @property
    def to_code(self) -> str:
        return self.metadata["to_code"]


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    return bool(mode) and kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _parts(name: str) -> tuple[str, ...]:
    if "\\" in name:
        raise ArchiveError(f"entry {name!r} uses backslashes in its path")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ArchiveError(f"entry {name!r} has an absolute path")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise ArchiveError(f"entry {name!r} points outside the package folder ('..')")
    if not parts:
        raise ArchiveError(f"entry {name!r} has an empty path")
    return parts


def validate_metadata(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise ArchiveError(f"{where} must hold a JSON object")
    for key in ("from_code", "to_code"):
        value = data.get(key)
        if not isinstance(value, str) or not LANGUAGE_CODE.fullmatch(value):
            raise ArchiveError(f"{where} does not name the language codes ('{key}' missing or not a "
                               f"language code like \"en\")")
    if data["from_code"] == data["to_code"]:
        raise ArchiveError(f"{where}: from_code and to_code are both {data['from_code']!r}")
    if data.get("type", "translate") != "translate":
        raise ArchiveError(f"{where}: a package of type {data.get('type')!r} is not a translation model")
    for key in ("from_name", "to_name", "package_version", "argos_version"):
        if key in data and not isinstance(data[key], str):
            raise ArchiveError(f"{where}: '{key}' must be text")
    return data


def inspect_archive(path: Path) -> ArchiveInfo:
    """Check everything that can be checked without extracting; raises ArchiveError."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ArchiveError(f"{path} is not a file")
        if not zipfile.is_zipfile(path):
            raise ArchiveError(f"{path.name} is not a model package (not a zip archive)")
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(f"{path.name} cannot be read: {exc}") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ENTRIES:
            raise ArchiveError(f"{path.name} has {len(members)} entries, more than the {MAX_ENTRIES} allowed")
        if not members:
            raise ArchiveError(f"{path.name} is empty")
        tops: set[str] = set()
        total = 0
        names: set[tuple[str, ...]] = set()
        for info in members:
            parts = _parts(info.filename)
            if _is_link_or_special(info):
                raise ArchiveError(f"entry {info.filename!r} is a link or special file; packages hold plain files")
            if info.flag_bits & 0x1:
                raise ArchiveError(f"entry {info.filename!r} is encrypted")
            tops.add(parts[0])
            if len(parts) == 1 and not info.is_dir():
                raise ArchiveError(f"{path.name} has a file ({parts[0]!r}) outside its one top-level folder")
            if parts in names and not info.is_dir():
                raise ArchiveError(f"entry {info.filename!r} appears twice")
            names.add(parts)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise ArchiveError(f"{path.name} would unpack to more than {MAX_TOTAL_BYTES // 1024**3} GB")
            if (info.file_size > RATIO_CHECK_MIN_BYTES
                    and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                raise ArchiveError(f"entry {info.filename!r} is compressed {info.file_size // max(info.compress_size, 1)}"
                                   f" times: refusing a possible zip bomb")
        allowed = max(MAX_TOTAL_RATIO * path.stat().st_size, RATIO_CHECK_MIN_BYTES)
        if total > allowed:
            raise ArchiveError(f"{path.name} would unpack to {total / 1024**2:,.1f} MB, more than {MAX_TOTAL_RATIO} "
                               f"times its own size: refusing a possible zip bomb")
        _refuse_clashes(members)
        if len(tops) != 1:
            shown = ", ".join(sorted(tops)[:5])
            raise ArchiveError(f"{path.name} must hold exactly one top-level folder, found {len(tops)} ({shown})")
        top = tops.pop()
        files = {parts[1:] for parts in names if len(parts) > 1}
        try:
            meta_info = archive.getinfo(f"{top}/metadata.json")
        except KeyError:
            raise ArchiveError(f"{path.name} has no {top}/metadata.json") from None
        if meta_info.file_size > MAX_METADATA_BYTES:
            raise ArchiveError(f"{top}/metadata.json is larger than {MAX_METADATA_BYTES // 1024} KB")
        try:
            metadata = json.loads(archive.read(meta_info).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise ArchiveError(f"{top}/metadata.json cannot be read: {exc}") from exc
        validate_metadata(metadata, f"{top}/metadata.json")
        if ("model", "model.bin") not in files:
            raise ArchiveError(f"{path.name} has no {top}/model/model.bin (the CTranslate2 model)")
        if not any((name,) in files for name in TOKENIZER_FILES):
            raise ArchiveError(f"{path.name} has no tokenizer ({' or '.join(TOKENIZER_FILES)})")
    return ArchiveInfo(path, top, metadata, tuple(members), total)


def _refuse_clashes(members: list[zipfile.ZipInfo]) -> None:
    """Two entries that would be written to one place: a file and a folder of the same name,
    or names equal once letter case (and Unicode normalisation) is ignored, as on Windows
    and macOS, where one would silently replace the other."""
    files: dict[tuple[str, ...], str] = {}
    folders: dict[tuple[str, ...], str] = {}
    for info in members:
        parts = _parts(info.filename)
        (folders if info.is_dir() else files).setdefault(parts, info.filename)
        for depth in range(1, len(parts)):
            folders.setdefault(parts[:depth], "/".join(parts[:depth]) + "/")
    for parts, name in files.items():
        if parts in folders:
            raise ArchiveError(f"entry {name!r} is both a file and a folder ({folders[parts]!r})")
    seen: dict[str, str] = {}
    for parts, name in list(folders.items()) + list(files.items()):
        key = unicodedata.normalize("NFC", "/".join(parts)).casefold()
        other = seen.setdefault(key, name)
        if other != name:
            raise ArchiveError(f"entries {other!r} and {name!r} differ only in letter case: on Windows and "
                               f"macOS one would overwrite the other")


def extract(info: ArchiveInfo, destination: Path) -> None:
    """Extract the top folder's content into ``destination`` (which must not exist), writing
    no more bytes than each entry declared."""
    destination.mkdir(parents=True)
    root = destination.resolve()
    with zipfile.ZipFile(info.path) as archive:
        for member in info.members:
            rel = _parts(member.filename)[1:]
            if not rel:
                continue
            target = root.joinpath(*rel)
            if root not in target.resolve().parents:
                raise ArchiveError(f"entry {member.filename!r} points outside the package folder")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            remaining = member.file_size
            try:
                with archive.open(member) as src, open(target, "xb") as dst:
                    while chunk := src.read(1024 * 1024):
                        remaining -= len(chunk)
                        if remaining < 0:
                            raise ArchiveError(f"entry {member.filename!r} is larger than its header says")
                        dst.write(chunk)
            except (zipfile.BadZipFile, EOFError, RuntimeError) as exc:
                raise ArchiveError(f"entry {member.filename!r} is damaged: {exc}") from exc
            except FileExistsError:
                raise ArchiveError(f"entry {member.filename!r} appears twice") from None
