"""Downloads are refused unless the policy allows them; with a fake opener (no sockets) the
downloaded package goes through the same validation and install."""

from __future__ import annotations

import io
import json

import pytest

from assistant.policy import Policy
from assistant.translation import download, packages

ALLOW = Policy(allow_downloads=True, download_mirror_url="https://models.intranet.example/argos/")
DEFAULT = Policy()


class FakeResponse(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def fake_opener(files: dict[str, bytes], calls: list):
    def opener(url, timeout):
        calls.append(url)
        if url not in files:
            raise OSError(f"404 {url}")
        return FakeResponse(files[url])
    return opener


def index_for(url):
    return json.dumps([
        {"type": "translate", "from_code": "en", "to_code": "es", "from_name": "English",
         "to_name": "Spanish", "package_version": "1.0", "links": [url]},
        {"type": "sbd", "from_code": "en", "links": ["https://x/y"]},
        {"from_code": "../x", "to_code": "es", "links": ["https://x/z"]},
        {"from_code": "en", "to_code": "de", "links": ["file:///etc/passwd"]},
    ]).encode()


def test_refused_by_default_without_opening_anything(models_dir):
    calls = []
    with pytest.raises(download.DownloadForbidden, match="turned off by your organisation's policy"):
        download.fetch_index(DEFAULT, opener=fake_opener({}, calls))
    pkg = download.AvailablePackage("en", "es", "", "", "1", ("https://x/p.argosmodel",))
    with pytest.raises(download.DownloadForbidden):
        download.download(DEFAULT, pkg, models_dir, opener=fake_opener({}, calls))
    assert calls == []


def test_index_from_the_mirror_and_install(models_dir, test_models):
    file_url = "https://models.intranet.example/argos/en_es.argosmodel"
    calls = []
    files = {"https://models.intranet.example/argos/index.json": index_for(file_url),
             file_url: test_models["en_es"].read_bytes()}
    opener = fake_opener(files, calls)
    available = download.fetch_index(ALLOW, opener=opener)
    assert [(p.from_code, p.to_code) for p in available] == [("en", "es")]
    seen = []
    result = download.download_and_install(ALLOW, models_dir, available[0], opener=opener,
                                           progress=lambda done, total: seen.append((done, total)))
    assert result.package.pair == ("en", "es")
    assert seen[-1][0] == seen[-1][1] == len(files[file_url])
    assert [p.pair for p in packages.list_installed(models_dir)] == [("en", "es")]
    assert list((models_dir.parent / "downloads").iterdir()) == []


def test_cancel_deletes_the_partial_file(models_dir, test_models, monkeypatch):
    monkeypatch.setattr(download, "CHUNK", 1024)
    url = "https://m.example/p.argosmodel"
    pkg = download.AvailablePackage("en", "es", "", "", "1", (url,))
    chunks = []
    with pytest.raises(download.DownloadCancelled):
        download.download(ALLOW, pkg, models_dir.parent / "downloads",
                          opener=fake_opener({url: test_models["en_es"].read_bytes()}, []),
                          progress=lambda d, t: chunks.append(d), cancelled=lambda: len(chunks) >= 3)
    assert list((models_dir.parent / "downloads").iterdir()) == []
    assert not models_dir.exists() or list(models_dir.iterdir()) == []


def test_a_bad_download_is_refused_like_a_bad_file(models_dir):
    url = "https://m.example/p.argosmodel"
    pkg = download.AvailablePackage("en", "es", "", "", "1", (url,))
    from assistant.translation.archive import ArchiveError

    with pytest.raises(ArchiveError, match="not a zip archive"):
        download.download_and_install(ALLOW, models_dir, pkg, opener=fake_opener({url: b"<html>"}, []))


def test_unreachable_and_invalid_index(models_dir):
    with pytest.raises(download.DownloadError, match="Could not read the package index"):
        download.fetch_index(ALLOW, opener=fake_opener({}, []))
    with pytest.raises(download.DownloadError, match="not valid JSON"):
        download.parse_index(b"{")
