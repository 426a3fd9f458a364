"""Where the app keeps its data and finds its shipped resources.

Data directory, in order of precedence:
1. the deployment policy's ``data_dir`` (only IT's machine files set it, and nothing the
   agent controls overrides it; an override given anyway is noted in ``DataDir.ignored``);
2. an explicit ``--data-dir`` (passed to :func:`resolve_data_dir`);
3. the ``AGENT_ASSISTANT_HOME`` environment variable;
4. portable mode: a file named ``portable.txt`` next to the executable puts data in ``data/`` beside it;
5. the per-user directory from platformdirs.
Nothing here needs admin rights: every location is the user's own or one IT chose.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

import platformdirs

from assistant import APP_ID
from assistant.errors import UserError

ENV_HOME = "AGENT_ASSISTANT_HOME"
PORTABLE_MARKER = "portable.txt"


class DataDir(NamedTuple):
    """The data folder in use, and what chose it."""
    path: Path
    source: str  # "policy", "argument", "environment", "portable" or "user"
    ignored: str | None = None  # an override the policy's data_dir took precedence over

    @property
    def database(self) -> Path:
        return self.path / "assistant.db"

    @property
    def backups(self) -> Path:
        return self.path / "backups"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def models(self) -> Path:
        return self.path / "models"


def executable_dir() -> Path:
    """Folder of the running program: the bundle folder when frozen, else the interpreter's."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else Path.cwd()


def resolve_data_dir(argument: str | os.PathLike | None = None, policy_data_dir: str | None = None,
                     exe_dir: Path | None = None) -> DataDir:
    exe_dir = exe_dir or executable_dir()
    env = os.environ.get(ENV_HOME)
    if policy_data_dir:
        overrides = [f"--data-dir {argument}" if argument else "", f"{ENV_HOME}={env}" if env else "",
                     str(exe_dir / PORTABLE_MARKER) if (exe_dir / PORTABLE_MARKER).is_file() else ""]
        return DataDir(Path(os.path.expandvars(policy_data_dir)).expanduser(), "policy",
                       ", ".join(o for o in overrides if o) or None)
    if argument:
        return DataDir(Path(argument).expanduser().resolve(), "argument")
    if env:
        return DataDir(Path(env).expanduser().resolve(), "environment")
    if (exe_dir / PORTABLE_MARKER).is_file():
        return DataDir(exe_dir / "data", "portable")
    return DataDir(Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=True)), "user")


class DataDirError(UserError):
    """The data directory cannot be created or written."""


def ensure_writable(data_dir: DataDir) -> None:
    """Create the data directory tree, or explain clearly why it cannot be used."""
    try:
        for sub in (data_dir.path, data_dir.backups, data_dir.logs):
            sub.mkdir(parents=True, exist_ok=True)
        probe = data_dir.path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(
            f"The data folder {data_dir.path} (from {data_dir.source}) is not writable: "
            f"{exc.strerror or exc}. Choose another folder with --data-dir or {ENV_HOME}."
        ) from exc


def _package_root() -> Path:
    return Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """A shipped resource, in a checkout (``resources/``), an installed wheel or a
    PyInstaller bundle (both ``assistant/resources``)."""
    return _data_root("resources").joinpath(*parts)


def locales_path() -> Path:
    return _data_root("locales")


def _data_root(name: str) -> Path:
    here = _package_root()
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"Shipped {name} folder not found next to {here}")
