"""The bundle's bars as .ci/run checks them (tools/check_bundle.py): the size, and no shared
library outside freeze/bundle-libraries.txt (a GTK stack from the build machine)."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="module")
def check_bundle(tools):
    return tools("check_bundle")


def test_library_names_lose_versions_and_hashes(check_bundle):
    assert check_bundle.library_stem("libxcb-shm.so.0") == "libxcb-shm"
    assert check_bundle.library_stem("libgomp-6a29c32d.so.1.0.0") == "libgomp"
    assert check_bundle.library_stem("libquadmath-96973f99-934c22de.so.0.0.0") == "libquadmath"
    assert check_bundle.library_stem("libpyside6.abi3.so.6.11") == "libpyside6.abi3"
    assert check_bundle.library_stem("_cffi_backend.cpython-311-x86_64-linux-gnu.so") is None
    assert check_bundle.library_stem("base_library.zip") is None


def test_the_list_keeps_toolkits_out(check_bundle):
    allowed = check_bundle.allowed_libraries()
    assert {"libQt6Core", "libctranslate2", "libpython3.11"} <= allowed
    assert not {name for name in allowed if any(t in name for t in ("gtk", "gdk", "atk", "cairo", "pango"))}


def _bundle(tmp_path, names, megabytes=1):
    internal = tmp_path / "agent-assistant" / "_internal"
    internal.mkdir(parents=True)
    for name in names:
        (internal / name).write_bytes(b"\0" * 1024)
    (internal / "blob").write_bytes(b"\1" * megabytes * 2**20)
    return tmp_path / "agent-assistant"


def test_a_bundle_within_its_bars_passes(check_bundle, tmp_path, capsys):
    bundle = _bundle(tmp_path, ["libQt6Core.so.6", "libxcb-shm.so.0", "_ssl.cpython-311-x86_64-linux-gnu.so"])
    assert check_bundle.main([str(bundle), "--max-mb", "5"]) == 0
    assert "not in freeze/bundle-libraries.txt: none" in capsys.readouterr().out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library list is Linux's")
def test_an_unlisted_library_or_a_big_bundle_fails(check_bundle, tmp_path, capsys):
    bundle = _bundle(tmp_path, ["libQt6Core.so.6", "libgtk-3.so.0"], megabytes=3)
    assert check_bundle.main([str(bundle), "--max-mb", "5"]) == 1
    assert "libgtk-3.so.0" in capsys.readouterr().out
    assert check_bundle.main([str(_bundle(tmp_path / "b", ["libQt6Core.so.6"], 3)), "--max-mb", "2"]) == 1
    assert "TOO BIG" in capsys.readouterr().out
