"""Downloading a model package: optional, off by default, only on an explicit user action.

The deployment policy must set ``allow_downloads: true``; otherwise every function here
refuses before opening anything. The index is the Argos package index, or the internal
mirror named by the policy's ``download_mirror_url`` (a folder serving ``index.json`` and
the ``.argosmodel`` files). The file is streamed to a hidden ``.part`` file with progress and
cancel, then installed through the same validation as a file the user picked.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import UserError
from assistant.translation import packages
from assistant.translation.archive import LANGUAGE_CODE, MAX_TOTAL_BYTES

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
MAX_INDEX_BYTES = 8 * 1024 * 1024
CHUNK = 256 * 1024
TIMEOUT_S = 30


class DownloadForbidden(UserError, PermissionError):
    pass


class DownloadCancelled(Exception):
    pass


class DownloadError(UserError):
    pass


@dataclass(frozen=True)
class AvailablePackage:
    from_code: str
    to_code: str
    from_name: str
    to_name: str
    version: str
    links: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.from_name or self.from_code} → {self.to_name or self.to_code} (v{self.version})"


def check_allowed(policy) -> None:
    if not policy.allow_downloads:
        raise DownloadForbidden(
            "Downloading models is turned off by your organisation's policy. Ask IT for the "
            ".argosmodel file or a shared models folder, then install it from there.")


def index_url(policy) -> str:
    mirror = policy.download_mirror_url
    return mirror.rstrip("/") + "/index.json" if mirror else ARGOS_INDEX_URL


def _allowed_url(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme in ("https", "http")


def parse_index(data: bytes) -> list[AvailablePackage]:
    try:
        rows = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(f"The package index is not valid JSON: {exc}") from exc
    if not isinstance(rows, list):
        raise DownloadError("The package index must be a list of packages")
    out = []
    for row in rows:
        if not isinstance(row, dict) or row.get("type", "translate") != "translate":
            continue
        codes = row.get("from_code"), row.get("to_code")
        links = tuple(link for link in row.get("links", []) if isinstance(link, str) and _allowed_url(link))
        if not all(isinstance(c, str) and LANGUAGE_CODE.fullmatch(c) for c in codes) or not links:
            continue
        out.append(AvailablePackage(codes[0], codes[1], str(row.get("from_name", "")), str(row.get("to_name", "")),
                                    str(row.get("package_version", "")), links))
    return out


def fetch_index(policy, opener: Callable = urllib.request.urlopen) -> list[AvailablePackage]:
    check_allowed(policy)
    url = index_url(policy)
    try:
        with opener(url, timeout=TIMEOUT_S) as response:
            data = response.read(MAX_INDEX_BYTES + 1)
    except OSError as exc:
        raise DownloadError(f"Could not read the package index at {url}: {exc}") from exc
    if len(data) > MAX_INDEX_BYTES:
        raise DownloadError(f"The package index at {url} is larger than {MAX_INDEX_BYTES // 1024**2} MB")
    return parse_index(data)


def download(policy, package: AvailablePackage, dest_dir: Path, *,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None,
             opener: Callable = urllib.request.urlopen) -> Path:
    """Stream the package to ``dest_dir``; returns the file. Raises DownloadCancelled (the
    partial file is deleted) or DownloadError."""
    check_allowed(policy)
    dest_dir.mkdir(parents=True, exist_ok=True)
    part = dest_dir / f".download-{uuid.uuid4().hex[:12]}.part"
    last_error: Exception | None = None
    for url in package.links:
        try:
            with opener(url, timeout=TIMEOUT_S) as response, open(part, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) if getattr(response, "headers", None) else 0
                done = 0
                while chunk := response.read(CHUNK):
                    if cancelled and cancelled():
                        raise DownloadCancelled("Download cancelled")
                    done += len(chunk)
                    if done > MAX_TOTAL_BYTES:
                        raise DownloadError(f"{url} is larger than {MAX_TOTAL_BYTES // 1024**3} GB")
                    out.write(chunk)
                    if progress:
                        progress(done, total)
            final = dest_dir / f".download-{package.from_code}_{package.to_code}.argosmodel"
            part.replace(final)
            return final
        except DownloadCancelled:
            part.unlink(missing_ok=True)
            raise
        except (OSError, ValueError, DownloadError) as exc:
            part.unlink(missing_ok=True)
            last_error = exc
    raise DownloadError(f"Could not download {package.label}: {last_error}")


def download_and_install(policy, models_dir: Path, package: AvailablePackage, **kwargs) -> packages.InstallResult:
    path = download(policy, package, models_dir.parent / "downloads", **kwargs)
    try:
        return packages.install_archive(models_dir, path)
    finally:
        path.unlink(missing_ok=True)
