"""Registering the app as the handler of its links, per user and without admin rights.

- **Linux** (freedesktop): a ``.desktop`` file in the user's applications folder
  (``$XDG_DATA_HOME/applications``) with ``MimeType=x-scheme-handler/agent-assistant``, made
  the default with ``xdg-mime`` when it is installed.
- **Windows**: keys under ``HKEY_CURRENT_USER\\Software\\Classes`` (no admin rights); for
  ``tel:``/``callto:`` the app is also listed under ``RegisteredApplications``, so the agent
  can choose it in Settings > Default apps (Windows lets no program make itself the default).
- **macOS**: the app bundle declares its links (``CFBundleURLTypes``, see build.spec) and
  Launch Services registers them when the bundle is first opened: nothing to install.

``tel:`` and ``callto:`` are only claimed when asked (``phone_links``): they belong to the
agent's softphone unless the agent decides otherwise. The policy key ``allow_link_handler``
forbids installing (assistant.policy). Everything that touches the system goes through an
injectable runner (commands) or registry writer, so tests check what would be written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from assistant.errors import UserError
from assistant.integration.links import PHONE_SCHEMES, SCHEME

DESKTOP_FILE = "agent-assistant-links.desktop"
WINDOWS_PHONE_PROGID = "AgentAssistant.PhoneLink"
WINDOWS_APP_KEY = r"Software\AgentAssistant"
WINDOWS_CAPABILITIES = WINDOWS_APP_KEY + r"\Capabilities"
WINDOWS_REGISTERED_APPS = r"Software\RegisteredApplications"
WINDOWS_APP_NAME = "AgentAssistant"

Runner = Callable[[list[str]], "str | None"]  # runs a command; its output, None when it failed


class IntegrationError(UserError):
    pass


@dataclass
class Registration:
    """The link handler's state for this user (``assistant integration status``)."""
    platform: str                 # linux, windows, macos
    registered: bool
    schemes: list[str] = field(default_factory=list)   # the schemes registered for us
    location: str | None = None   # the .desktop file, the registry key, the bundle
    command: str | None = None    # what a link runs
    current: bool | None = None   # the registration runs this installation (None: unknown)
    default: bool | None = None   # we are the system's default for agent-assistant: (None: unknown)
    allowed_by_policy: bool = True
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def platform_name(platform: str | None = None) -> str:
    platform = platform or sys.platform
    return "windows" if platform == "win32" else "macos" if platform == "darwin" else "linux"


def app_command() -> list[str]:
    """How to start this installation of the desktop app: the bundle's executable, else the
    ``agent-assistant`` launcher of this Python environment, else ``python -m ui.app``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    bin_dir = Path(sys.executable).parent
    for name in ("agent-assistant.exe", "agent-assistant"):
        if (bin_dir / name).is_file():
            return [str(bin_dir / name)]
    return [sys.executable, "-m", "ui.app"]


def _run(argv: list[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


# -- Linux ------------------------------------------------------------------------------------

_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_line(argv: list[str]) -> str:
    """``argv`` as a desktop file's Exec value (the freedesktop quoting rules: reserved
    characters in double quotes, ``"`$\\`` escaped inside, ``%`` doubled, then the string
    escaping of desktop files, which doubles every backslash once more)."""
    parts = []
    for arg in argv:
        arg = arg.replace("%", "%%")
        if any(c in _EXEC_RESERVED for c in arg) or not arg:
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        parts.append(arg)
    return " ".join(parts).replace("\\", "\\\\")


def applications_dir(environ=None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "applications"


def desktop_entry(argv: list[str], schemes: list[str]) -> str:
    mime = "".join(f"x-scheme-handler/{s};" for s in schemes)
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Agent Assistant\n"
            "Comment=Sets the customer from a softphone or CRM link\n"
            f"Exec={exec_line(argv)} -- %u\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "StartupNotify=false\n"
            f"MimeType={mime}\n")


def _desktop_values(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            values.setdefault(key.strip(), value.strip())
    return values


def linux_install(phone_links: bool, *, folder: Path | None = None, run: Runner = _run,
                  argv: list[str] | None = None) -> list[str]:
    """Write the desktop file and make it the default handler; returns the schemes."""
    folder = folder or applications_dir()
    schemes = [SCHEME, *(PHONE_SCHEMES if phone_links else ())]
    text = desktop_entry(argv or app_command(), schemes)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / (DESKTOP_FILE + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, folder / DESKTOP_FILE)
    except OSError as exc:
        raise IntegrationError(f"Cannot write {folder / DESKTOP_FILE}: {exc.strerror or exc}") from exc
    run(["update-desktop-database", str(folder)])
    for scheme in schemes:
        run(["xdg-mime", "default", DESKTOP_FILE, f"x-scheme-handler/{scheme}"])
    return schemes


def linux_remove(*, folder: Path | None = None, run: Runner = _run) -> bool:
    """Delete the desktop file (a default left in mimeapps.list then points nowhere and is
    ignored); False when there was none."""
    folder = folder or applications_dir()
    path = folder / DESKTOP_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise IntegrationError(f"Cannot delete {path}: {exc.strerror or exc}") from exc
    run(["update-desktop-database", str(folder)])
    return True


def linux_status(*, folder: Path | None = None, run: Runner = _run,
                 argv: list[str] | None = None) -> Registration:
    folder = folder or applications_dir()
    path = folder / DESKTOP_FILE
    try:
        values = _desktop_values(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Registration("linux", False, location=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        return Registration("linux", False, location=str(path), note=f"cannot be read: {exc}")
    schemes = [m.removeprefix("x-scheme-handler/") for m in values.get("MimeType", "").split(";")
               if m.startswith("x-scheme-handler/")]
    command = values.get("Exec")
    expected = exec_line(argv or app_command()) + " -- %u"
    answer = run(["xdg-mime", "query", "default", f"x-scheme-handler/{SCHEME}"])
    return Registration("linux", SCHEME in schemes, schemes, str(path), command, command == expected,
                        None if answer is None else answer.strip() == DESKTOP_FILE)


# -- Windows ----------------------------------------------------------------------------------

class RegistryWriter(Protocol):
    """The per-user registry (HKEY_CURRENT_USER); keys are paths below it."""

    def set(self, key: str, name: str, value: str) -> None: ...
    def get(self, key: str, name: str) -> str | None: ...
    def delete_tree(self, key: str) -> None: ...
    def delete_value(self, key: str, name: str) -> None: ...


class WinregWriter:
    """HKEY_CURRENT_USER through the standard library's winreg (Windows only)."""

    def __init__(self):
        import winreg  # noqa: PLC0415 - Windows only

        self.winreg = winreg
        self.root = winreg.HKEY_CURRENT_USER

    def set(self, key: str, name: str, value: str) -> None:
        with self.winreg.CreateKeyEx(self.root, key, 0, self.winreg.KEY_SET_VALUE) as handle:
            self.winreg.SetValueEx(handle, name, 0, self.winreg.REG_SZ, value)

    def get(self, key: str, name: str) -> str | None:
        try:
            with self.winreg.OpenKey(self.root, key) as handle:
                value, _kind = self.winreg.QueryValueEx(handle, name)
        except OSError:
            return None
        return value if isinstance(value, str) else None

    def delete_tree(self, key: str) -> None:
        try:
            with self.winreg.OpenKey(self.root, key, 0, self.winreg.KEY_ALL_ACCESS) as handle:
                while True:
                    try:
                        child = self.winreg.EnumKey(handle, 0)
                    except OSError:
                        break
                    self.delete_tree(f"{key}\\{child}")
            self.winreg.DeleteKey(self.root, key)
        except FileNotFoundError:
            pass

    def delete_value(self, key: str, name: str) -> None:
        try:
            with self.winreg.OpenKey(self.root, key, 0, self.winreg.KEY_SET_VALUE) as handle:
                self.winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            pass


def windows_command(argv: list[str]) -> str:
    return subprocess.list2cmdline(argv) + ' -- "%1"'


def windows_keys(argv: list[str], phone_links: bool) -> dict[str, dict[str, str]]:
    """Every key and value install writes below HKEY_CURRENT_USER ("" is a key's default value)."""
    command, icon = windows_command(argv), subprocess.list2cmdline(argv[:1]) + ",0"

    def url_class(description: str) -> dict[str, dict[str, str]]:
        return {"": {"": description, "URL Protocol": ""}, r"\DefaultIcon": {"": icon},
                r"\shell\open\command": {"": command}}

    keys = {rf"Software\Classes\{SCHEME}{sub}": values
            for sub, values in url_class("URL:Agent Assistant customer link").items()}
    if phone_links:
        keys.update({rf"Software\Classes\{WINDOWS_PHONE_PROGID}{sub}": values
                     for sub, values in url_class("Agent Assistant: set the customer from a number").items()})
        keys[WINDOWS_CAPABILITIES] = {"ApplicationName": "Agent Assistant",
                                      "ApplicationDescription": "Sets the customer from a phone link"}
        keys[WINDOWS_CAPABILITIES + r"\URLAssociations"] = {s: WINDOWS_PHONE_PROGID for s in PHONE_SCHEMES}
        keys[WINDOWS_REGISTERED_APPS] = {WINDOWS_APP_NAME: WINDOWS_CAPABILITIES}
    return keys


def windows_install(phone_links: bool, writer: RegistryWriter, argv: list[str] | None = None) -> list[str]:
    windows_remove(writer)  # no phone classes left from an earlier install with them
    try:
        for key, values in windows_keys(argv or app_command(), phone_links).items():
            for name, value in values.items():
                writer.set(key, name, value)
    except OSError as exc:
        raise IntegrationError(f"Cannot write the registry key {key}: {exc}") from exc
    return [SCHEME, *(PHONE_SCHEMES if phone_links else ())]


def windows_remove(writer: RegistryWriter) -> bool:
    had = writer.get(rf"Software\Classes\{SCHEME}", "URL Protocol") is not None
    writer.delete_tree(rf"Software\Classes\{SCHEME}")
    writer.delete_tree(rf"Software\Classes\{WINDOWS_PHONE_PROGID}")
    writer.delete_tree(WINDOWS_APP_KEY)
    writer.delete_value(WINDOWS_REGISTERED_APPS, WINDOWS_APP_NAME)
    return had


def windows_status(writer: RegistryWriter, argv: list[str] | None = None) -> Registration:
    key = rf"Software\Classes\{SCHEME}"
    command = writer.get(key + r"\shell\open\command", "")
    registered = writer.get(key, "URL Protocol") is not None and command is not None
    schemes = [SCHEME] if registered else []
    if writer.get(WINDOWS_REGISTERED_APPS, WINDOWS_APP_NAME) == WINDOWS_CAPABILITIES:
        schemes += [s for s in PHONE_SCHEMES
                    if writer.get(WINDOWS_CAPABILITIES + r"\URLAssociations", s) == WINDOWS_PHONE_PROGID]
    return Registration("windows", registered, schemes, "HKEY_CURRENT_USER\\" + key, command,
                        None if command is None else command == windows_command(argv or app_command()),
                        None, note="tel: and callto: are chosen in Settings > Default apps" if len(schemes) > 1 else "")


# -- the three platforms ------------------------------------------------------------------------

MACOS_NOTE = ("the app bundle declares agent-assistant:, tel: and callto: links (CFBundleURLTypes); "
              "macOS registers them when the bundle is first opened")


@dataclass
class System:
    """What install, remove and status act on: the real system by default; tests give a
    folder for the desktop file, a command runner, a registry writer and the command."""
    platform: str | None = None
    folder: Path | None = None       # Linux: the applications folder
    run: Runner | None = None        # Linux: runs xdg-mime, update-desktop-database
    writer: RegistryWriter | None = None  # Windows: HKEY_CURRENT_USER
    argv: list[str] | None = None    # the app's command (default: this installation's)

    @property
    def name(self) -> str:
        return platform_name(self.platform)

    def registry(self) -> RegistryWriter:
        return self.writer or WinregWriter()

    def runner(self) -> Runner:
        return self.run or _run


def install(policy, phone_links: bool = False, system: System | None = None) -> Registration:
    """Register the link handler for this user (IntegrationError when the policy forbids it
    or the system refuses); returns the state afterwards."""
    system = system or System()
    if not policy.allow_link_handler:
        raise IntegrationError("The deployment policy does not allow the link handler "
                               "(allow_link_handler is false).")
    if system.name == "windows":
        windows_install(phone_links, system.registry(), system.argv)
    elif system.name == "linux":
        linux_install(phone_links, folder=system.folder, run=system.runner(), argv=system.argv)
    return status(policy, system)


def remove(system: System | None = None) -> bool:
    """Undo :func:`install`; False when nothing was registered (macOS: the bundle's own)."""
    system = system or System()
    if system.name == "windows":
        return windows_remove(system.registry())
    if system.name == "linux":
        return linux_remove(folder=system.folder, run=system.runner())
    return False


def status(policy, system: System | None = None) -> Registration:
    system = system or System()
    if system.name == "windows":
        found = windows_status(system.registry(), system.argv)
    elif system.name == "linux":
        found = linux_status(folder=system.folder, run=system.runner(), argv=system.argv)
    else:
        bundled = getattr(sys, "frozen", False) and ".app/" in sys.executable
        found = Registration("macos", bool(bundled), [SCHEME, *PHONE_SCHEMES] if bundled else [],
                             sys.executable if bundled else None, note=MACOS_NOTE)
    found.allowed_by_policy = bool(policy.allow_link_handler)
    return found
