"""assistant/public_holidays.py: one country's holidays import that country's module only
(issue 18), and give what the library imported the plain way gives. Each case runs in a
fresh interpreter: this test session has imported holidays already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ASK = """
import json, sys
{load}
import datetime as dt
from assistant.countries.facts import holidays_supported, public_holidays
fr = library().country_holidays("FR", years=2026, language="fr")
jp = library().country_holidays("JP", years=2026)
today, upcoming = public_holidays("DE", dt.date(2026, 12, 5), "de")
print(json.dumps({{
    "FR": sorted((d.isoformat(), n) for d, n in fr.items()),
    "JP": sorted((d.isoformat(), n) for d, n in jp.items()),
    "DE": [[h.date, h.name] for h in upcoming],
    "supported": [holidays_supported(c) for c in ("DE", "ZZ")],
    "countries": sorted(m for m in sys.modules if m.startswith("holidays.countries.")),
    "version": [library().__version__, library().version.__version__],
    "metadata_loaded": "importlib.metadata" in sys.modules,
}}))
"""


def _ask(load: str) -> dict:
    done = subprocess.run([sys.executable, "-c", ASK.format(load=load)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_country_s_holidays_load_that_country_only_and_are_the_library_s_own():
    ours = _ask("from assistant.public_holidays import library")
    plain = _ask("import holidays\nlibrary = lambda: holidays")  # its __init__ imports all countries
    asked = {"holidays.countries.france", "holidays.countries.germany", "holidays.countries.japan"}
    assert asked <= set(ours["countries"]) and len(ours["countries"]) < 10  # (one may build on another)
    assert len(plain["countries"]) > 100
    for key in ("FR", "JP", "DE", "supported", "version"):
        assert ours[key] == plain[key], key
    assert ours["FR"] and ours["JP"] and ours["DE"] and ours["supported"] == [True, False]
    assert plain["metadata_loaded"] and not ours["metadata_loaded"]  # its version read without it


def test_the_version_is_read_from_the_one_metadata_file_beside_the_package(tmp_path):
    from importlib.metadata import version

    import holidays

    from assistant.public_holidays import _installed_version

    assert _installed_version(holidays.__path__[0]) == version("holidays")
    package = tmp_path / "holidays"
    package.mkdir()
    assert _installed_version(str(package)) is None  # no METADATA: the module runs as shipped
    first = tmp_path / "holidays-1.2.dist-info"
    first.mkdir()
    (first / "METADATA").write_text("Metadata-Version: 2.1\nName: holidays\nVersion: 1.2\n\nVersion: 9\n")
    assert _installed_version(str(package)) == "1.2"
    (first / "METADATA").write_text("Name: holidays\n\nVersion: 9\n")  # a Version in the body only
    assert _installed_version(str(package)) is None
    (first / "METADATA").write_bytes(b"Name: holidays\nVersion: \xff\n")
    assert _installed_version(str(package)) is None
    (first / "METADATA").write_text("Version: 1.2\n")
    second = tmp_path / "holidays-1.3.dist-info"
    second.mkdir()
    (second / "METADATA").write_text("Version: 1.3\n")
    assert _installed_version(str(package)) is None  # two installs: which one is not ours to guess


def test_holidays_imported_the_plain_way_already_is_used_as_it_is():
    import holidays

    from assistant.public_holidays import library

    assert library() is holidays
    assert library().country_holidays("FR", years=2026)
