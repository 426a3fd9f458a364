"""The ``holidays`` package, loaded so that asking for one country's holidays imports that
country's module only.

holidays loads each country lazily, by its module's name (``holidays.registry.EntityLoader``),
but importing any of those modules first runs the ``holidays.countries`` package's
``__init__``, which imports all 250 countries: 70 ms and 250 modules on the thread that asks
first (the clock's warm-up right after the first paint, where it took about 200 ms beside the
other start-up imports; issue 18). :func:`library` enters the ``countries`` and ``financial``
packages in ``sys.modules`` as bare packages over their own folders, found as the import
system would find them (the same in the bundle), so their modules are imported one by one as
the library asks for them. When holidays is imported already, or a package is not where this
expects it, it is imported the plain way: slower, never different.

``holidays.version`` asks ``importlib.metadata`` for the package's version, which imports
``email``, ``zipfile`` and ``csv`` and scans the installed distributions (in the app, 24
modules it needs nowhere else, about 20 ms and 1 MB when ready) only to read one line of the
package's own METADATA file: :func:`library` reads that line and enters the
module with it. With no single such file beside the package, the module runs as shipped.

Every use of the package goes through :func:`library`, not ``import holidays``."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

_PACKAGES = ("countries", "financial")
_lock = threading.Lock()


def library() -> ModuleType:
    """The ``holidays`` module."""
    if "holidays" not in sys.modules:
        with _lock:  # two first calls at once: one enters the packages, then both import
            if "holidays" not in sys.modules:
                _enter_bare_packages()
    import holidays

    for name in (*_PACKAGES, "version"):  # as a normal import of the package would have set it
        if not hasattr(holidays, name) and f"holidays.{name}" in sys.modules:
            setattr(holidays, name, sys.modules[f"holidays.{name}"])
    return holidays


def _enter_bare_packages() -> None:
    spec = importlib.util.find_spec("holidays")  # a top-level name: nothing is imported
    if spec is None or not spec.submodule_search_locations:
        return
    for name in _PACKAGES:
        full = f"holidays.{name}"
        if full in sys.modules:
            continue
        found = importlib.machinery.PathFinder.find_spec(full, list(spec.submodule_search_locations))
        if found is None or not found.submodule_search_locations:
            continue
        sys.modules[full] = importlib.util.module_from_spec(found)  # its __init__ not run
    version = _installed_version(spec.submodule_search_locations[0])
    if version is not None and "holidays.version" not in sys.modules:
        module = sys.modules["holidays.version"] = ModuleType("holidays.version")
        module.__version__ = version


def _installed_version(package_dir: str) -> str | None:
    """The ``Version`` of the one ``holidays-*.dist-info/METADATA`` beside the package (what
    ``importlib.metadata.version`` reads), or None."""
    found = list(Path(package_dir).parent.glob("holidays-*.dist-info/METADATA"))
    if len(found) != 1:
        return None
    try:
        with found[0].open(encoding="utf-8") as headers:
            for line in headers:
                if not line.strip():
                    break  # the headers end at the first empty line
                name, _, value = line.partition(":")
                if name == "Version" and value.strip():
                    return value.strip()
    except (OSError, UnicodeDecodeError):
        pass
    return None
