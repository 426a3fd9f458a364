"""Installing model packages: good ones install atomically, hostile ones change nothing."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from assistant.translation import archive as archive_mod
from assistant.translation import packages
from assistant.translation.archive import ArchiveError


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with its content hash: 'byte-for-byte unchanged'."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def make_zip(path: Path, entries: dict[str, bytes], *, links: dict[str, str] | None = None,
             compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def good_entries(top="pkg", meta=None) -> dict[str, bytes]:
    meta = {"from_code": "pt", "to_code": "en", "from_name": "Portuguese", "to_name": "English",
            "package_version": "1.0"} if meta is None else meta
    return {f"{top}/metadata.json": json.dumps(meta).encode(), f"{top}/model/model.bin": b"\0" * 10,
            f"{top}/sentencepiece.model": b"sp"}


def test_install_list_remove(models_dir, test_models):
    result = packages.install_archive(models_dir, test_models["en_es"])
    assert result.package.pair == ("en", "es") and result.replaced is None
    installed = packages.list_installed(models_dir)
    assert [p.pair for p in installed] == [("en", "es")]
    assert installed[0].path == models_dir / "en_es"
    assert installed[0].has_splitter_model is False  # so our own splitter is used
    assert str(installed[0]) == "English → Spanish (en→es, v1.0)"
    packages.remove(models_dir, "en", "es")
    assert packages.list_installed(models_dir) == []
    assert [p.name for p in models_dir.iterdir()] == []


def test_reinstall_replaces_the_package_atomically(models_dir, test_models):
    packages.install_archive(models_dir, test_models["en_es"])
    (models_dir / "en_es" / "stale.txt").write_text("old")
    result = packages.install_archive(models_dir, test_models["en_es"])
    assert result.replaced is not None
    assert not (models_dir / "en_es" / "stale.txt").exists()
    assert sorted(p.name for p in models_dir.iterdir()) == ["en_es"]  # no staging or trash left


def test_install_from_folder_skips_same_version_and_reports_bad_files(models_dir, test_models, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    for path in test_models.values():
        (shared / path.name).write_bytes(path.read_bytes())
    (shared / "broken.argosmodel").write_bytes(b"not a zip")
    results = packages.install_from_folder(models_dir, shared)
    by_name = {r.source.name: r for r in results}
    assert by_name["broken.argosmodel"].error.endswith("not a model package (not a zip archive)")
    assert by_name["translate-en_es-test.argosmodel"].package.pair == ("en", "es")
    again = packages.install_from_folder(models_dir, shared)
    assert all(r.skipped for r in again if r.error is None)


def test_remove_unknown_pair_is_a_clear_error(models_dir):
    with pytest.raises(ArchiveError, match="no model is installed for en→fr"):
        packages.remove(models_dir, "en", "fr")


def test_a_stray_folder_is_reported_not_fatal(models_dir, test_models):
    packages.install_archive(models_dir, test_models["en_es"])
    (models_dir / "junk").mkdir()
    result = packages.scan(models_dir)
    assert [p.pair for p in result.packages] == [("en", "es")]
    assert "junk" in result.problems[0] and "metadata.json" in result.problems[0]


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    return folder


def _not_a_zip(folder):
    p = folder / "x.argosmodel"
    p.write_bytes(b"hello, not a zip at all")
    return p


def _two_tops(folder):
    entries = good_entries("a")
    entries["b/readme.txt"] = b"x"
    return make_zip(folder / "x.argosmodel", entries)


def _file_at_top(folder):
    entries = good_entries()
    entries["evil.txt"] = b"x"
    return make_zip(folder / "x.argosmodel", entries)


def _missing_metadata(folder):
    entries = good_entries()
    del entries["pkg/metadata.json"]
    return make_zip(folder / "x.argosmodel", entries)


def _unreadable_metadata(folder):
    entries = good_entries()
    entries["pkg/metadata.json"] = b"{not json"
    return make_zip(folder / "x.argosmodel", entries)


def _metadata_without_codes(folder):
    return make_zip(folder / "x.argosmodel", good_entries(meta={"from_name": "Portuguese"}))


def _absolute_path(folder):
    entries = good_entries()
    entries["/pkg/evil"] = b"x"
    return make_zip(folder / "x.argosmodel", entries)


def _dotdot(folder):
    entries = good_entries()
    entries["pkg/../../evil"] = b"x"
    return make_zip(folder / "x.argosmodel", entries)


def _symlink(folder):
    return make_zip(folder / "x.argosmodel", good_entries(), links={"pkg/model/link": "/etc/passwd"})


def _no_model(folder):
    entries = good_entries()
    del entries["pkg/model/model.bin"]
    return make_zip(folder / "x.argosmodel", entries)


def _too_many_entries(folder):
    entries = good_entries()
    entries.update({f"pkg/many/{i}": b"" for i in range(archive_mod.MAX_ENTRIES)})
    return make_zip(folder / "x.argosmodel", entries, compression=zipfile.ZIP_STORED)


def _too_large(folder):
    """A header declaring more than the cap (the real bytes are small: sizes are patched)."""
    path = make_zip(folder / "x.argosmodel", good_entries(), compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    # rewrite the declared uncompressed size of model.bin in the central directory
    name = b"pkg/model/model.bin"
    index = data.find(b"PK\x01\x02")
    while index != -1:
        name_len = int.from_bytes(data[index + 28:index + 30], "little")
        if bytes(data[index + 46:index + 46 + name_len]) == name:
            data[index + 24:index + 28] = (3 * 1024**3).to_bytes(4, "little")
        index = data.find(b"PK\x01\x02", index + 4)
    path.write_bytes(bytes(data))
    return path


def _zip_bomb(folder):
    entries = good_entries()
    entries["pkg/model/model.bin"] = b"\0" * (20 * 1024 * 1024)  # compresses ~1000x
    return make_zip(folder / "x.argosmodel", entries)


def _nested_zip_bomb(folder):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros", b"\0" * (20 * 1024 * 1024))
    entries = good_entries()
    entries["pkg/extra/inner.zip"] = inner.getvalue()
    entries["pkg/extra/zeros.bin"] = b"\0" * (8 * 1024 * 1024)
    return make_zip(folder / "x.argosmodel", entries)


def _case_clash(folder):
    entries = good_entries()
    entries["pkg/model/Model.bin"] = b"\0" * 10  # Windows and macOS: the same file as model.bin
    return make_zip(folder / "x.argosmodel", entries)


def _file_and_folder(folder):
    entries = good_entries()
    entries["pkg/model/model.bin/inner"] = b"x"  # model.bin is a file and a folder
    return make_zip(folder / "x.argosmodel", entries)


def _language_code_with_newline(folder):
    meta = {"from_code": "pt\n", "to_code": "en", "package_version": "1.0"}
    return make_zip(folder / "x.argosmodel", good_entries(meta=meta))


def _many_small_compressed_entries(folder):
    """Each entry is under the per-entry ratio check's floor; together they would write 60 MB
    from an archive of about 60 KB."""
    entries = good_entries()
    entries.update({f"pkg/pad/{i}": b"\0" * (1024 * 1024 - 1) for i in range(60)})
    return make_zip(folder / "x.argosmodel", entries)


def _rebuilt(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename.split("/", 1)[1] if "/" in info.filename else ""
            data = replace.get(name, src.read(info)) if not info.is_dir() else b""
            dst.writestr(info, data)
    return target


HOSTILE = {
    "not a zip": (_not_a_zip, "not a model package (not a zip archive)"),
    "two top-level folders": (_two_tops, "exactly one top-level folder, found 2 (a, b)"),
    "file at top level": (_file_at_top, "has a file ('evil.txt') outside its one top-level folder"),
    "missing metadata": (_missing_metadata, "has no pkg/metadata.json"),
    "unreadable metadata": (_unreadable_metadata, "pkg/metadata.json cannot be read"),
    "metadata without codes": (_metadata_without_codes, "does not name the language codes"),
    "absolute path": (_absolute_path, "has an absolute path"),
    "dot-dot traversal": (_dotdot, "points outside the package folder ('..')"),
    "symlink entry": (_symlink, "is a link or special file"),
    "no model": (_no_model, "has no pkg/model/model.bin"),
    "too many entries": (_too_many_entries, f"more than the {archive_mod.MAX_ENTRIES} allowed"),
    "too large": (_too_large, "would unpack to more than 2 GB"),
    "zip bomb": (_zip_bomb, "refusing a possible zip bomb"),
    "nested zip bomb": (_nested_zip_bomb, "refusing a possible zip bomb"),
    "letter-case clash": (_case_clash, "entries 'pkg/model/model.bin' and 'pkg/model/Model.bin' differ only in "
                                       "letter case: on Windows and macOS one would overwrite the other"),
    "file and folder of one name": (_file_and_folder, "entry 'pkg/model/model.bin' is both a file and a folder "
                                                      "('pkg/model/model.bin/')"),
    "language code with a newline": (_language_code_with_newline, "pkg/metadata.json does not name the language "
                                                                  "codes ('from_code' missing or not a language "
                                                                  "code like \"en\")"),
    "many small compressed entries": (_many_small_compressed_entries, "times its own size: refusing a possible "
                                                                      "zip bomb"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archive_is_refused_and_changes_nothing(case, hostile, models_dir, test_models):
    packages.install_archive(models_dir, test_models["en_es"])
    before = tree_digest(models_dir)
    build, message = HOSTILE[case]
    path = build(hostile)
    with pytest.raises(ArchiveError) as info:
        packages.install_archive(models_dir, path)
    assert message in str(info.value)
    assert tree_digest(models_dir) == before


def test_entry_larger_than_its_header_is_caught_while_extracting(hostile, tmp_path):
    path = make_zip(hostile / "x.argosmodel", good_entries(), compression=zipfile.ZIP_STORED)
    info = archive_mod.inspect_archive(path)
    lying = tuple(_shrunk(m) if m.filename.endswith("model.bin") else m for m in info.members)
    forged = archive_mod.ArchiveInfo(info.path, info.top, info.metadata, lying, info.total_bytes)
    with pytest.raises(ArchiveError, match="larger than its header says|is damaged"):
        archive_mod.extract(forged, tmp_path / "out")


def _shrunk(member: zipfile.ZipInfo) -> zipfile.ZipInfo:
    import copy

    clone = copy.copy(member)
    clone.file_size = 3
    return clone


@pytest.mark.parametrize("replaced, message", [
    ({"model/model.bin": b"\x00garbage" * 4000}, "translate-en_es-test.argosmodel: the translation engine cannot "
                                                  "load its model: "),
    ({"sentencepiece.model": b"not a sentencepiece model"}, "translate-en_es-test.argosmodel: the tokenizer cannot "
                                                            "be loaded: "),
])
def test_a_model_that_does_not_load_never_replaces_a_working_one(replaced, message, hostile, models_dir,
                                                                  test_models):
    packages.install_archive(models_dir, test_models["en_es"])
    before = tree_digest(models_dir)
    broken = _rebuilt(test_models["en_es"], hostile / test_models["en_es"].name, replaced)
    archive_mod.inspect_archive(broken)  # a well-formed archive: only loading it shows the damage
    with pytest.raises(ArchiveError) as info:
        packages.install_archive(models_dir, broken)
    assert str(info.value).startswith(message)
    assert tree_digest(models_dir) == before
    assert [p.pair for p in packages.list_installed(models_dir)] == [("en", "es")]


def test_language_codes_match_exactly():
    for code in ("en", "pt_BR", "zh-Hant"):
        assert archive_mod.LANGUAGE_CODE.fullmatch(code)
    for code in ("en\n", "en ", "e", "english", "en_"):
        with pytest.raises(ArchiveError):
            archive_mod.validate_metadata({"from_code": code, "to_code": "es"}, "metadata.json")
