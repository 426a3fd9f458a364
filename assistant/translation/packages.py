"""Installed model packages: list, install (from a file or a folder of files), remove.

Packages live in ``<data dir>/models/<from>_<to>/`` (the folder Argos is pointed at). An
install validates the archive (:mod:`assistant.translation.archive`), extracts it into a
hidden staging folder beside the installed ones, loads it from there as the engine will (the
tokenizer and the CTranslate2 model, translating one short sentence), and only then moves it
into place with a rename; the package it replaces is renamed aside first and deleted last, and
put back if anything fails. A bad archive, or one whose model does not load, therefore leaves
the installed models exactly as they were.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from assistant.translation.archive import (TOKENIZER_FILES, ArchiveError, extract, inspect_archive,
                                           validate_metadata)

log = logging.getLogger(__name__)

PACKAGE_SUFFIX = ".argosmodel"
_HIDDEN_PREFIXES = (".staging-", ".trash-")


@dataclass(frozen=True)
class InstalledPackage:
    path: Path
    from_code: str
    to_code: str
    from_name: str = ""
    to_name: str = ""
    version: str = ""
    has_splitter_model: bool = False   # ships minisbd/*.onnx; otherwise we split sentences ourselves

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def label(self) -> str:
        names = f"{self.from_name or self.from_code} → {self.to_name or self.to_code}"
        return f"{names} ({self.from_code}→{self.to_code}{', v' + self.version if self.version else ''})"

    def __str__(self) -> str:
        return self.label

    def to_dict(self) -> dict:
        return {"from": self.from_code, "to": self.to_code, "from_name": self.from_name,
                "to_name": self.to_name, "version": self.version, "path": str(self.path),
                "sentence_splitter": "bundled" if self.has_splitter_model else "built-in"}


@dataclass
class InstallResult:
    source: Path
    package: InstalledPackage | None = None
    replaced: InstalledPackage | None = None
    skipped: str | None = None          # why nothing was done (already installed)
    error: str | None = None


@dataclass
class ScanResult:
    packages: list[InstalledPackage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_package(folder: Path) -> InstalledPackage:
    """The package in an installed folder; raises ArchiveError if it is not a usable one."""
    meta_path = folder / "metadata.json"
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{meta_path} cannot be read: {exc}") from exc
    validate_metadata(data, str(meta_path))
    if not (folder / "model" / "model.bin").is_file():
        raise ArchiveError(f"{folder} has no model/model.bin")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ArchiveError(f"{folder} has no tokenizer")
    splitter = folder / "minisbd"
    return InstalledPackage(
        path=folder, from_code=data["from_code"], to_code=data["to_code"],
        from_name=data.get("from_name", ""), to_name=data.get("to_name", ""),
        version=str(data.get("package_version", "")),
        has_splitter_model=splitter.is_dir() and any(splitter.glob("*.onnx")))


def check_loads(folder: Path, name: str) -> None:
    """Load the package in ``folder`` with the engine's own libraries, the way the engine
    will: its tokenizer (SentencePiece, or BPE as Argos picks), then the CTranslate2 model,
    translating one short sentence. Raises ArchiveError; nothing is kept loaded."""
    from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer

    from assistant.translation.engine import open_translator

    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    try:
        if (folder / "sentencepiece.model").is_file():
            tokenizer = SentencePieceTokenizer(folder / "sentencepiece.model")
        else:
            tokenizer = BPETokenizer(folder / "bpe.model", meta["from_code"], meta["to_code"])
        tokens = tokenizer.encode("Hello.")
    except Exception as exc:  # whatever the tokenizer library raises for a damaged file
        raise ArchiveError(f"{name}: the tokenizer cannot be loaded: {_reason(exc)}") from exc
    try:
        translator = open_translator(folder, 1)
        translator.translate_batch([tokens], beam_size=1, max_decoding_length=8)
        del translator
    except Exception as exc:  # CTranslate2 raises RuntimeError, ValueError... for a bad model
        raise ArchiveError(f"{name}: the translation engine cannot load its model: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200] + ("…" if len(text) > 200 else "")


def scan(models_dir: Path) -> ScanResult:
    result = ScanResult()
    if not models_dir.is_dir():
        return result
    for folder in sorted(models_dir.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            result.packages.append(read_package(folder))
        except ArchiveError as exc:
            result.problems.append(str(exc))
    return result


def list_installed(runtime_or_dir) -> list[InstalledPackage]:
    """Installed, usable packages (``runtime`` or a models folder); used by ``assistant doctor``."""
    models_dir = _models_dir(runtime_or_dir)
    return scan(models_dir).packages


def _models_dir(runtime_or_dir) -> Path:
    if isinstance(runtime_or_dir, (str, os.PathLike)):
        return Path(runtime_or_dir)
    return runtime_or_dir.data_dir.models


def find(models_dir: Path, from_code: str, to_code: str) -> InstalledPackage | None:
    for pkg in scan(models_dir).packages:
        if pkg.pair == (from_code, to_code):
            return pkg
    return None


def _cleanup_leftovers(models_dir: Path) -> None:
    """Staging or trash folders left by a crash mid-install: never visible to Argos, removed."""
    for folder in models_dir.iterdir():
        if folder.is_dir() and folder.name.startswith(_HIDDEN_PREFIXES):
            shutil.rmtree(folder, ignore_errors=True)


def install_archive(models_dir: Path, archive_path: Path, *, replace_same_version: bool = True) -> InstallResult:
    """Validate and install one ``.argosmodel``. Raises ArchiveError (nothing changed)."""
    archive_path = Path(archive_path)
    info = inspect_archive(archive_path)
    models_dir.mkdir(parents=True, exist_ok=True)
    _cleanup_leftovers(models_dir)
    existing = find(models_dir, info.from_code, info.to_code)
    version = str(info.metadata.get("package_version", ""))
    if existing and not replace_same_version and existing.version == version:
        return InstallResult(archive_path, existing, skipped=f"{existing.label} is already installed")
    token = uuid.uuid4().hex[:12]
    staging = models_dir / f".staging-{token}"
    try:
        extract(info, staging)
        read_package(staging)  # what Argos will load, checked once more on disk
        check_loads(staging, archive_path.name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = models_dir / _folder_name(info.from_code, info.to_code)
    trash = models_dir / f".trash-{token}"
    moved_aside: list[tuple[Path, Path]] = []
    try:
        for old in {p for p in (existing.path if existing else None, final) if p is not None and p.exists()}:
            aside = trash.with_name(f"{trash.name}-{len(moved_aside)}")
            os.replace(old, aside)
            moved_aside.append((aside, old))
        os.replace(staging, final)
    except OSError as exc:
        for aside, old in reversed(moved_aside):  # put the previous package back
            if not old.exists():
                os.replace(aside, old)
        shutil.rmtree(staging, ignore_errors=True)
        raise ArchiveError(f"could not move the package into {models_dir}: {exc}") from exc
    for aside, _old in moved_aside:
        shutil.rmtree(aside, ignore_errors=True)
    installed = read_package(final)
    log.info("installed translation model %s from %s", installed.label, archive_path)
    return InstallResult(archive_path, installed, replaced=existing)


def install_from_folder(models_dir: Path, folder: Path) -> list[InstallResult]:
    """Install every ``.argosmodel`` of a folder (e.g. a shared drive prepared by IT); a package
    already installed in the same version is skipped. One bad file does not stop the others."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ArchiveError(f"{folder} is not a folder")
    results = []
    for path in sorted(folder.glob(f"*{PACKAGE_SUFFIX}")):
        try:
            results.append(install_archive(models_dir, path, replace_same_version=False))
        except ArchiveError as exc:
            results.append(InstallResult(path, error=str(exc)))
    if not results:
        raise ArchiveError(f"{folder} holds no {PACKAGE_SUFFIX} files")
    return results


def remove(models_dir: Path, from_code: str, to_code: str) -> InstalledPackage:
    package = find(models_dir, from_code, to_code)
    if package is None:
        raise ArchiveError(f"no model is installed for {from_code}→{to_code}")
    trash = models_dir / f".trash-{uuid.uuid4().hex[:12]}"
    os.replace(package.path, trash)  # gone for the engine at once, even if deleting takes a while
    shutil.rmtree(trash, ignore_errors=True)
    return package


def parse_pair(text: str) -> tuple[str, str]:
    """"en-es", "en_es", "en:es" or "en→es" → ("en", "es")."""
    for sep in ("→", "->", ":", "-", "_"):
        if sep in text:
            a, _, b = text.partition(sep)
            if a.strip() and b.strip():
                return a.strip(), b.strip()
    raise ValueError(f"{text!r} is not a language pair like en-es")


def _folder_name(from_code: str, to_code: str) -> str:
    return f"{from_code}_{to_code}"
