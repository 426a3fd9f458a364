"""Versions of the app and the data it depends on (About dialog, doctor)."""

from __future__ import annotations

import platform
from importlib import metadata

from assistant import __version__


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def component_versions() -> dict[str, str]:
    import babel.core
    import tzdata

    return {
        "Agent Assistant": __version__,
        "Python": platform.python_version(),
        "Time-zone data (tzdata)": f"{tzdata.IANA_VERSION} (package {_dist_version('tzdata')})",
        # get_cldr_version() exists since Babel 2.18
        "CLDR (Babel)": f"{getattr(babel.core, 'get_cldr_version', lambda: '?')()} (Babel {_dist_version('babel')})",
        "holidays": _dist_version("holidays"),
        "phonenumbers": _dist_version("phonenumbers"),
        "SQLite": __import__("sqlite3").sqlite_version,
        "Argos Translate": _dist_version("argos-translate-lt"),
    }
