"""Registering the link handler per user: what is written where, on each platform
(assistant.integration.desktop), and ``assistant integration install|remove|status``."""

import json
import subprocess

import pytest

from assistant.integration import desktop
from assistant.integration.desktop import (DESKTOP_FILE, IntegrationError, System, exec_line, install, remove,
                                           status, windows_keys)
from assistant.policy import Policy

ALLOWED, FORBIDDEN = Policy(), Policy(allow_link_handler=False)
APP = ["/opt/Agent Assistant/agent-assistant"]


class Commands:
    """Records the commands run; answers ``xdg-mime query default`` as xdg-mime would."""

    def __init__(self, available=True):
        self.available = available
        self.ran = []
        self.defaults = {}

    def __call__(self, argv):
        self.ran.append(argv)
        if not self.available:
            return None
        if argv[:2] == ["xdg-mime", "default"]:
            self.defaults[argv[3]] = argv[2]
        if argv[:3] == ["xdg-mime", "query", "default"]:
            return self.defaults.get(argv[3], "") + "\n"
        return ""


class Registry:
    """HKEY_CURRENT_USER as a dictionary: {key path: {value name: value}}."""

    def __init__(self):
        self.keys = {}

    def set(self, key, name, value):
        self.keys.setdefault(key, {})[name] = value

    def get(self, key, name):
        return self.keys.get(key, {}).get(name)

    def delete_tree(self, key):
        for path in [k for k in self.keys if k == key or k.startswith(key + "\\")]:
            del self.keys[path]

    def delete_value(self, key, name):
        self.keys.get(key, {}).pop(name, None)


def unquote_exec(value: str) -> list[str]:
    """A desktop file's Exec value read as the freedesktop specification says a launcher
    reads it (string escapes first, then the quoting of arguments)."""
    value = value.replace("\\\\", "\\")
    args, current, quoted, i, started = [], "", False, 0, False
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
                current += value[i + 1]
                i += 1
            elif c == '"':
                quoted = False
            else:
                current += c
        elif c == '"':
            quoted = started = True
        elif c == " ":
            if started:
                args.append(current)
            current, started = "", False
        else:
            current += c
            started = True
        i += 1
    if started:
        args.append(current)
    return [a.replace("%%", "%") for a in args]


@pytest.fixture
def linux(tmp_path):
    return System(platform="linux", folder=tmp_path / "applications", run=Commands(), argv=APP)


def test_linux_install_writes_a_desktop_file_and_makes_it_the_default(linux):
    found = install(ALLOWED, system=linux)
    text = (linux.folder / DESKTOP_FILE).read_text(encoding="utf-8")
    assert "MimeType=x-scheme-handler/agent-assistant;\n" in text
    assert "NoDisplay=true" in text
    exec_value = next(line for line in text.splitlines() if line.startswith("Exec="))[5:]
    assert unquote_exec(exec_value) == [*APP, "--", "%u"]
    assert ["xdg-mime", "default", DESKTOP_FILE, "x-scheme-handler/agent-assistant"] in linux.run.ran
    assert not any("tel" in " ".join(argv) for argv in linux.run.ran)  # not claimed unless asked
    assert (found.registered, found.current, found.default, found.schemes) == (
        True, True, True, ["agent-assistant"])


def test_linux_phone_links_only_when_asked(linux):
    found = install(ALLOWED, phone_links=True, system=linux)
    assert found.schemes == ["agent-assistant", "tel", "callto"]
    assert ["xdg-mime", "default", DESKTOP_FILE, "x-scheme-handler/tel"] in linux.run.ran
    found = install(ALLOWED, phone_links=False, system=linux)  # asked again without: given back
    assert found.schemes == ["agent-assistant"]


@pytest.mark.parametrize("path", ["/home/ana/My Apps/agent-assistant", '/opt/"quoted"/$HOME/`x`/a\\b/100%/app',
                                  "/opt/ünï cödé/app", "/opt/plain/app"])
def test_the_exec_line_reads_back_as_the_command(path):
    assert unquote_exec(exec_line([path]) + " -- %u") == [path, "--", "%u"]


def test_without_xdg_mime_the_file_is_still_written_and_the_default_is_unknown(tmp_path):
    system = System(platform="linux", folder=tmp_path / "apps", run=Commands(available=False), argv=APP)
    found = install(ALLOWED, system=system)
    assert found.registered and found.default is None


def test_linux_remove_and_status(linux):
    assert not status(ALLOWED, linux).registered
    install(ALLOWED, system=linux)
    assert remove(linux) is True
    assert not (linux.folder / DESKTOP_FILE).exists()
    assert not status(ALLOWED, linux).registered
    assert remove(linux) is False


def test_a_registration_of_another_installation_is_reported(linux):
    install(ALLOWED, system=linux)
    moved = System(platform="linux", folder=linux.folder, run=linux.run, argv=["/elsewhere/agent-assistant"])
    found = status(ALLOWED, moved)
    assert found.registered and found.current is False


def test_the_policy_can_forbid_the_link_handler(linux):
    with pytest.raises(IntegrationError, match="allow_link_handler"):
        install(FORBIDDEN, system=linux)
    assert not linux.folder.exists() and linux.run.ran == []
    assert status(FORBIDDEN, linux).allowed_by_policy is False


def test_an_unwritable_applications_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(IntegrationError, match="Cannot write"):
        install(ALLOWED, system=System(platform="linux", folder=blocker / "apps", run=Commands(), argv=APP))


# -- Windows --------------------------------------------------------------------------------------

WIN_APP = [r"C:\Users\Ana\AppData\Local\Agent Assistant\agent-assistant.exe"]
COMMAND = r'"C:\Users\Ana\AppData\Local\Agent Assistant\agent-assistant.exe" -- "%1"'


def test_windows_writes_per_user_class_keys_only():
    registry = Registry()
    found = install(ALLOWED, system=System(platform="win32", writer=registry, argv=WIN_APP))
    assert registry.keys == {
        r"Software\Classes\agent-assistant": {"": "URL:Agent Assistant customer link", "URL Protocol": ""},
        r"Software\Classes\agent-assistant\DefaultIcon": {
            "": r'"C:\Users\Ana\AppData\Local\Agent Assistant\agent-assistant.exe",0'},
        r"Software\Classes\agent-assistant\shell\open\command": {"": COMMAND},
    }
    assert (found.registered, found.current, found.schemes, found.command) == (
        True, True, ["agent-assistant"], COMMAND)
    assert found.location == r"HKEY_CURRENT_USER\Software\Classes\agent-assistant"


def test_windows_phone_links_are_offered_in_default_apps():
    registry = Registry()
    found = install(ALLOWED, phone_links=True, system=System(platform="win32", writer=registry, argv=WIN_APP))
    assert registry.keys[r"Software\RegisteredApplications"] == {"AgentAssistant": r"Software\AgentAssistant\Capabilities"}
    assert registry.keys[r"Software\AgentAssistant\Capabilities\URLAssociations"] == {
        "tel": "AgentAssistant.PhoneLink", "callto": "AgentAssistant.PhoneLink"}
    assert registry.keys[r"Software\Classes\AgentAssistant.PhoneLink\shell\open\command"] == {"": COMMAND}
    assert r"Software\Classes\tel" not in registry.keys  # never taken over: the agent chooses
    assert found.schemes == ["agent-assistant", "tel", "callto"] and "Default apps" in found.note


def test_windows_remove_leaves_nothing_of_ours():
    registry = Registry()
    registry.set(r"Software\RegisteredApplications", "Other", r"Software\Other\Capabilities")
    system = System(platform="win32", writer=registry, argv=WIN_APP)
    install(ALLOWED, phone_links=True, system=system)
    assert remove(system) is True
    assert registry.keys == {r"Software\RegisteredApplications": {"Other": r"Software\Other\Capabilities"}}
    assert not status(ALLOWED, system).registered
    assert remove(system) is False


def test_windows_reinstall_without_phone_links_gives_them_back():
    registry = Registry()
    system = System(platform="win32", writer=registry, argv=WIN_APP)
    install(ALLOWED, phone_links=True, system=system)
    install(ALLOWED, system=system)
    assert set(registry.keys) == set(windows_keys(WIN_APP, False)) | {r"Software\RegisteredApplications"}
    assert registry.keys[r"Software\RegisteredApplications"] == {}


def test_windows_command_quotes_the_link_argument():
    assert desktop.windows_command([r"C:\A B\x.exe"]) == r'"C:\A B\x.exe" -- "%1"'
    assert subprocess.list2cmdline([r"C:\plain\x.exe"]) == r"C:\plain\x.exe"


def test_macos_registers_through_the_bundle():
    found = status(ALLOWED, System(platform="darwin"))
    assert found.platform == "macos" and "CFBundleURLTypes" in found.note
    assert remove(System(platform="darwin")) is False


# -- the command line ------------------------------------------------------------------------------

@pytest.fixture
def user_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    commands = Commands()
    monkeypatch.setattr(desktop, "_run", commands)
    monkeypatch.setattr(desktop.sys, "platform", "linux")
    return tmp_path / "share" / "applications"


def test_cli_install_status_remove(run_cli, user_home):
    code, out, _err = run_cli("integration", "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["link_handler"]["registered"] is False
    # no app running: every global shortcut is listed, none held
    assert [(s["action"], s["registered"], s["running"]) for s in report["shortcuts"]] == [
        (action, False, False) for action in ("show_hide", "translate_clipboard", "translate_reply", "reply_search")]
    code, out, _err = run_cli("integration", "install", "--json")
    assert code == 0 and json.loads(out)["registered"] is True
    assert (user_home / DESKTOP_FILE).exists()
    report = json.loads(run_cli("integration", "status", "--json")[1])
    assert report["link_handler"]["schemes"] == ["agent-assistant"]
    assert report["link_handler"]["default"] is True
    code, out, _err = run_cli("integration", "status")
    assert "link handler: registered (linux)" in out
    code, out, _err = run_cli("integration", "remove")
    assert code == 0 and "removed" in out and not (user_home / DESKTOP_FILE).exists()


def test_cli_install_refused_by_policy(run_cli, user_home, machine_policy):
    machine_policy("system", {"allow_link_handler": False})
    code, out, err = run_cli("integration", "install")
    assert code == 2 and out == "" and "allow_link_handler" in err
    assert not user_home.exists()
    report = json.loads(run_cli("integration", "status", "--json")[1])
    assert report["link_handler"]["allowed_by_policy"] is False
