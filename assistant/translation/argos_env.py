"""Argos Translate, imported safely: settings pointed at our data folder, never a download.

Argos reads its settings once, at import: ``ARGOS_PACKAGES_DIR``, the ``XDG_*`` folders it
creates directories in, and the sentence splitter type. :func:`import_argos` sets them
before the first import (the XDG variables only for the duration of the import, so Qt and
the rest of the process keep the user's), then disables every download path Argos and
MiniSBD have: a translation must never open a connection.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from assistant.errors import UserError

_lock = threading.Lock()
_imported = False


class OfflineError(UserError, RuntimeError):
    """Something tried to download while translating; the app never does that."""


def argos_environment(models_dir: Path, argos_home: Path) -> dict[str, str]:
    return {
        "ARGOS_PACKAGES_DIR": str(models_dir),
        "ARGOS_CHUNK_TYPE": "MINISBD",          # NONE is broken; DEFAULT may pick stanza/spaCy
        "ARGOS_DEVICE_TYPE": "cpu",
        "ARGOS_BEAM_SIZE": "2",
        "ARGOS_PACKAGE_INDEX": "",              # no remote index: downloads are ours, policy-guarded
        "XDG_DATA_HOME": str(argos_home / "data"),
        "XDG_CONFIG_HOME": str(argos_home / "config"),
        "XDG_CACHE_HOME": str(argos_home / "cache"),
    }


def import_argos(models_dir: Path, argos_home: Path):
    """Import ``argostranslate`` (package, sbd) configured for our folders; returns the
    ``argostranslate.package`` module. Later calls return the already-configured module."""
    global _imported
    with _lock:
        if not _imported:
            env = argos_environment(models_dir, argos_home)
            saved = {k: os.environ.get(k) for k in env if k.startswith("XDG_")}
            for key, value in env.items():
                os.environ[key] = value
            try:
                import argostranslate.package  # noqa: F401
                import argostranslate.sbd  # noqa: F401
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            _block_downloads()
            _imported = True
    import argostranslate.package

    return argostranslate.package


def _refuse(*_args, **_kwargs):
    raise OfflineError("Argos Translate tried to download something; translation works offline only")


def _local_model_only(name, progress_callback=None):
    if os.path.isfile(str(name)):
        return str(name)
    raise OfflineError(f"no local sentence-splitter model {name!r}; the app never downloads one")


def _block_downloads() -> None:
    import argostranslate.networking as networking
    import argostranslate.package as package
    import minisbd.minisbd
    import minisbd.models

    # MiniSBD fetches its model from the internet unless given a file: allow files only.
    minisbd.models.get_model_file = _local_model_only
    minisbd.minisbd.get_model_file = _local_model_only
    minisbd.models.download_models = _refuse
    for name in ("get", "get_from", "cache_spacy"):
        if hasattr(networking, name):
            setattr(networking, name, _refuse)
    package.update_package_index = _refuse
    package.AvailablePackage.download = _refuse
