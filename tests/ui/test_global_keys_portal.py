"""Global shortcuts on Wayland through the XDG desktop portal, over a real D-Bus: each test
starts a private ``dbus-daemon`` (a unix socket in a temporary folder, no service files, so
nothing is activated) and, where the test wants one, a fake portal written with jeepney that
owns ``org.freedesktop.portal.Desktop`` and answers GlobalShortcuts as the spec says
(CreateSession / BindShortcuts / ListShortcuts answered by Request.Response signals,
Activated and ShortcutsChanged sent to the session's owner).

Without dbus-daemon the tests skip, saying so; .ci/run installs it (Debian: dbus-daemon), and
under CI a missing tool fails instead of skipping."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from assistant.integration.shortcuts import reported

MISSING = shutil.which("dbus-daemon") is None
REASON = "needs dbus-daemon (Debian package dbus-daemon; .ci/run installs it)"
if MISSING and os.environ.get("CI"):
    raise RuntimeError("CI must run the desktop portal global shortcut tests: " + REASON)
pytestmark = pytest.mark.skipif(MISSING, reason=REASON)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def bus_address():
    """A private session bus of this test's own; yields its address."""
    folder = Path(tempfile.mkdtemp(prefix="aa-bus-"))  # short: a unix socket path has 108 bytes
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(folder=folder), encoding="utf-8")
    daemon = subprocess.Popen(["dbus-daemon", "--nofork", "--print-address=1", f"--config-file={config}"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon did not start: {address!r}"
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


def signal(interface, path, member, signature, body, destination):
    """A signal sent to one connection, as the portal sends its signals."""
    from jeepney import DBusAddress, HeaderFields, new_signal

    message = new_signal(DBusAddress(path, interface=interface), member, signature, body)
    message.header.fields[HeaderFields.destination] = destination
    return message


class FakePortal:
    """The portal's GlobalShortcuts as a desktop implements it, on its own thread.

    ``refuse``: the Response code BindShortcuts answers with (1 cancelled, 2 other);
    ``shortcuts``: False for a portal without the GlobalShortcuts interface;
    ``describe``: how the desktop describes a trigger (a desktop may bind other keys)."""

    def __init__(self, address: str, *, shortcuts: bool = True, refuse: int = 0, describe=None):
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(PORTAL), timeout=5)
        assert reply.body == (1,)  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
        self.has_shortcuts, self.refuse = shortcuts, refuse
        self.describe = describe or (lambda trigger: trigger.replace("CTRL", "Ctrl").replace("ALT", "Alt"))
        self.calls: list[tuple[str, tuple]] = []
        self.sessions: dict[str, str] = {}   # session path -> its owner's bus name
        self.closed: list[str] = []
        self.bound: dict[str, dict[str, str]] = {}  # session -> {id: trigger description}
        self.commands: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="fake-portal", daemon=True)
        self.thread.start()

    # -- the test's side (any thread) --------------------------------------------------------
    def send_later(self, make) -> None:
        self.commands.put(make)

    def activate(self, session: str, shortcut_id: str) -> None:
        self.send_later(lambda: [signal(SHORTCUTS, PORTAL_PATH, "Activated", "osta{sv}",
                                              (session, shortcut_id, 1234, {}), self.sessions[session])])

    def change(self, session: str, changes: dict[str, str]) -> None:
        def make():
            self.bound[session].update(changes)
            listed = [(sid, {"description": ("s", sid), "trigger_description": ("s", text)})
                      for sid, text in self.bound[session].items()]
            return [signal(SHORTCUTS, PORTAL_PATH, "ShortcutsChanged", "oa(sa{sv})", (session, listed),
                                 self.sessions[session])]
        self.send_later(make)

    def open_sessions(self) -> list[str]:
        return [s for s in self.sessions if s not in self.closed]

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)
        self.conn.close()

    # -- the portal's side (its thread) --------------------------------------------------------
    def _serve(self) -> None:
        while not self.stopping.is_set():
            while not self.commands.empty():
                for message in self.commands.get()():
                    self.conn.send(message)
            try:
                message = self.conn.receive(timeout=0.02)
            except TimeoutError:
                continue
            except OSError:
                return
            for reply in self._answer(message):
                self.conn.send(reply)

    def _answer(self, message) -> list:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        fields = message.header.fields
        if message.header.message_type != MessageType.method_call:
            return []
        interface, member = fields.get(HeaderFields.interface), fields[HeaderFields.member]
        sender, path = fields[HeaderFields.sender], fields[HeaderFields.path]
        self.calls.append((member, message.body))
        caller = sender.lstrip(":").replace(".", "_")
        if interface == "org.freedesktop.DBus.Properties" and member == "Get":
            if not self.has_shortcuts or message.body != (SHORTCUTS, "version"):
                return [new_error(message, "org.freedesktop.DBus.Error.InvalidArgs", "s", ("No such interface",))]
            return [new_method_return(message, "v", (("u", 1),))]
        if interface == "org.freedesktop.portal.Session" and member == "Close":
            self.closed.append(path)
            return [new_method_return(message)]
        if interface != SHORTCUTS or not self.has_shortcuts:
            return [new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("unknown",))]
        options = message.body[-1]
        request = f"{PORTAL_PATH}/request/{caller}/{options['handle_token'][1]}"
        replies = [new_method_return(message, "o", (request,))]
        if member == "CreateSession":
            session = f"{PORTAL_PATH}/session/{caller}/{options['session_handle_token'][1]}"
            self.sessions[session] = sender
            results = {"session_handle": ("s", session)}  # "s", as the spec notes (an old mistake kept)
            code = 0
        elif member == "BindShortcuts":
            session, shortcuts, _parent, _options = message.body
            code = self.refuse
            self.bound[session] = {sid: self.describe(props["preferred_trigger"][1]) for sid, props in shortcuts}
            results = {} if code else {"shortcuts": ("a(sa{sv})", [
                (sid, {"description": props["description"], "trigger_description": ("s", self.bound[session][sid])})
                for sid, props in shortcuts])}
        elif member == "ListShortcuts":
            session = message.body[0]
            code = 0
            results = {"shortcuts": ("a(sa{sv})", [(sid, {"trigger_description": ("s", text)})
                                                   for sid, text in self.bound.get(session, {}).items()])}
        else:
            return [new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (member,))]
        replies.append(signal("org.freedesktop.portal.Request", request, "Response", "ua{sv}",
                                    (code, results), sender))
        return replies

    def bind_calls(self) -> list[dict[str, str]]:
        """Each BindShortcuts call: shortcut id -> preferred trigger."""
        return [{sid: props["preferred_trigger"][1] for sid, props in body[1]}
                for member, body in self.calls if member == "BindShortcuts"]


@pytest.fixture
def portal(bus_address):
    fake = FakePortal(bus_address)
    yield fake
    fake.stop()


@pytest.fixture
def keys(main_window, services, bus_address, portal, monkeypatch, qtbot):
    """The app's global shortcuts as on a Wayland desktop whose portal is the fake one."""
    from ui.global_keys import GlobalKeys
    from ui.hotkeys import choose

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    backend = choose("wayland")
    keys = GlobalKeys(main_window, services, backend)
    main_window.global_keys = keys
    keys.start()
    yield keys
    keys.stop()


def registered(keys) -> bool:
    return bool(keys.entries) and all(entry["registered"] for entry in keys.entries)


def test_a_portal_chord_binds_every_shortcut_reports_it_and_its_activation_toggles_the_window(
        keys, portal, services, main_window, qtbot):
    from ui.portal_keys import PortalHotkeys

    assert isinstance(keys.backend, PortalHotkeys) and keys.backend.can_paste is False
    qtbot.waitUntil(lambda: registered(keys), timeout=10000)
    assert portal.bind_calls() == [{"show_hide": "CTRL+ALT+space", "translate_clipboard": "CTRL+ALT+SHIFT+e",
                                    "translate_reply": "CTRL+ALT+SHIFT+t", "reply_search": "CTRL+ALT+SHIFT+r"}]
    [session] = portal.open_sessions()
    status = {item["action"]: item for item in reported(services.runtime.data_dir.path)}
    assert status["show_hide"] == {"action": "show_hide", "chord": "Ctrl+Alt+Space", "registered": True,
                                   "running": True, "backend": "portal", "trigger": "Ctrl+Alt+space"}
    assert "desktop portal" in keys.note

    main_window.show()
    qtbot.waitUntil(main_window.isVisible)
    portal.activate(session, "show_hide")  # the agent pressed the keys in another application
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=10000)
    portal.activate(session, "show_hide")
    qtbot.waitUntil(main_window.isVisible, timeout=10000)


def test_a_key_the_desktop_changes_is_reported_and_other_sessions_signals_are_ignored(keys, portal, qtbot,
                                                                                       services, bus_address):
    qtbot.waitUntil(lambda: registered(keys), timeout=10000)
    [session] = portal.open_sessions()
    portal.change(session, {"reply_search": "Meta+F9"})  # the agent set other keys in the desktop's settings
    qtbot.waitUntil(lambda: keys.entries[3].get("trigger") == "Meta+F9", timeout=10000)
    status = {item["action"]: item for item in reported(services.runtime.data_dir.path)}
    assert status["reply_search"]["trigger"] == "Meta+F9" and status["reply_search"]["chord"] == "Ctrl+Alt+Shift+R"

    from ui.shortcut_settings import ShortcutSettings

    group = ShortcutSettings(services, keys)
    qtbot.addWidget(group)
    assert group.states["reply_search"].text() == "Registered, as Meta+F9 (set by the desktop)"
    assert group.states["show_hide"].text() == "Registered, as Ctrl+Alt+space (set by the desktop)"
    assert "desktop portal" in group.note.text()

    seen = []
    keys.backend.activated.connect(seen.append)
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus_address) as impostor:  # another client on the bus, not the portal
        impostor.send(signal(SHORTCUTS, PORTAL_PATH, "Activated", "osta{sv}", (session, "show_hide", 1, {}),
                             keys.backend.conn.unique_name))
    portal.sessions["/org/freedesktop/portal/desktop/session/other/app"] = portal.sessions[session]
    portal.activate("/org/freedesktop/portal/desktop/session/other/app", "reply_search")  # not our session
    portal.activate(session, "translate_clipboard_but_not")                                # not our shortcut
    portal.activate(session, "reply_search")
    qtbot.waitUntil(lambda: seen == ["reply_search"], timeout=10000)
    qtbot.wait(100)
    assert seen == ["reply_search"]


def test_a_changed_chord_rebinds_in_a_new_session_and_turning_them_off_closes_it(keys, portal, services, qtbot):
    qtbot.waitUntil(lambda: registered(keys), timeout=10000)
    [first] = portal.open_sessions()
    services.put_setting("shortcuts.reply_search", "Ctrl+Shift+F9")
    qtbot.waitUntil(lambda: len(portal.bind_calls()) == 2 and registered(keys), timeout=10000)
    assert portal.bind_calls()[1]["reply_search"] == "CTRL+SHIFT+F9"
    assert first in portal.closed and len(portal.open_sessions()) == 1
    services.put_setting("shortcuts.translate_reply", "")  # this one off: not bound at all
    qtbot.waitUntil(lambda: len(portal.bind_calls()) == 3, timeout=10000)
    assert "translate_reply" not in portal.bind_calls()[2]
    qtbot.waitUntil(lambda: keys.entries[0]["registered"], timeout=10000)
    assert keys.entries[2]["error"] == "off" and not keys.entries[2]["registered"]

    services.put_setting("shortcuts.enabled", False)
    qtbot.waitUntil(lambda: portal.open_sessions() == [], timeout=10000)
    assert not any(item["registered"] for item in reported(services.runtime.data_dir.path))


def test_the_policy_keeps_the_portal_untouched(main_window, services, bus_address, portal, monkeypatch, qtbot):
    from ui.global_keys import GlobalKeys

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    monkeypatch.setattr("ui.global_keys.QGuiApplication.platformName", staticmethod(lambda: "wayland"))
    services.runtime.policy = services.runtime.policy._replace(allow_global_shortcuts=False)
    keys = GlobalKeys(main_window, services)
    keys.start()
    try:
        qtbot.wait(200)
        assert portal.calls == [] and keys._backend is None
        assert keys.note == "off: the deployment policy does not allow global shortcuts"
        assert [e["registered"] for e in keys.entries] == [False] * 4
    finally:
        keys.stop()


@pytest.mark.parametrize("code, why", [(1, "the desktop refused: cancelled by the user"),
                                       (2, "the desktop refused the shortcuts")])
def test_shortcuts_the_desktop_refuses_are_reported_failed_with_the_reason(code, why, main_window, services,
                                                                            bus_address, monkeypatch, qtbot):
    from ui.global_keys import GlobalKeys
    from ui.hotkeys import choose

    fake = FakePortal(bus_address, refuse=code)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    keys = GlobalKeys(main_window, services, choose("wayland"))
    keys.start()
    try:
        qtbot.waitUntil(lambda: keys.entries[0]["error"] == why, timeout=10000)
        assert [(e["registered"], e["error"]) for e in keys.entries] == [(False, why)] * 4
        status = reported(services.runtime.data_dir.path)
        assert [(item["registered"], item["error"]) for item in status] == [(False, why)] * 4
    finally:
        keys.stop()
        fake.stop()


def test_without_a_portal_the_note_says_which_case(bus_address, monkeypatch, qtbot, tmp_path):
    from ui.hotkeys import Unavailable, choose

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)  # a bus, but nobody owns the portal's name
    backend = choose("wayland")
    assert isinstance(backend, Unavailable)
    assert "this desktop has no XDG desktop portal" in backend.note
    assert "keyboard settings that runs agent-assistant" in backend.note
    assert backend.register({"show_hide": (frozenset({"Ctrl", "Alt"}), "Space")}) == {"show_hide": backend.reason}

    fake = FakePortal(bus_address, shortcuts=False)  # a portal (file chooser, say) without global shortcuts
    try:
        backend = choose("wayland")
        assert isinstance(backend, Unavailable)
        assert "this desktop's portal does not offer global shortcuts" in backend.note
    finally:
        fake.stop()

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no bus socket there
    backend = choose("wayland")
    assert isinstance(backend, Unavailable) and "no session bus (D-Bus) was found" in backend.note

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/gone")
    backend = choose("wayland")
    assert isinstance(backend, Unavailable) and "the session bus cannot be reached" in backend.note


def test_a_portal_that_goes_away_is_reported(bus_address, portal, qtbot):
    from ui.portal_keys import PortalHotkeys

    backend = PortalHotkeys(bus_address)
    try:
        answers = []
        backend.registration_changed.connect(answers.append)
        waiting = backend.register({"show_hide": (frozenset({"Ctrl", "Alt"}), "Space")})
        assert waiting == {"show_hide": "waiting for the desktop to confirm"}  # until the desktop answers
        qtbot.waitUntil(lambda: answers == [{"show_hide": None}], timeout=10000)
        [session] = portal.open_sessions()
        portal.send_later(lambda: [signal("org.freedesktop.portal.Session", session, "Closed", "a{sv}", ({},),
                                                  portal.sessions[session])])
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=10000)
        assert answers[1] == {"show_hide": "the desktop closed the session"}
    finally:
        backend.close()


def test_chords_become_the_portals_preferred_triggers():
    from assistant.integration.shortcuts import parse_chord
    from ui.portal_keys import portal_trigger

    assert portal_trigger(*parse_chord("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert portal_trigger(*parse_chord("Shift+Alt+Ctrl+R")) == "CTRL+ALT+SHIFT+r"
    assert portal_trigger(*parse_chord("Meta+PageDown")) == "LOGO+Page_Down"
    assert portal_trigger(*parse_chord("Ctrl+F12")) == "CTRL+F12"
    assert portal_trigger(*parse_chord("Alt+.")) == "ALT+period"
    assert portal_trigger(*parse_chord("Ctrl+Alt+7")) == "CTRL+ALT+7"


def test_registering_again_before_the_desktop_answered_leaves_one_session(bus_address, portal, qtbot):
    from ui.portal_keys import PortalHotkeys

    backend = PortalHotkeys(bus_address)
    try:
        answers = []
        backend.registration_changed.connect(answers.append)
        backend.register({"show_hide": (frozenset({"Ctrl", "Alt"}), "Space")})
        backend.register({"reply_search": (frozenset({"Ctrl", "Alt", "Shift"}), "R")})  # no answer read yet
        qtbot.waitUntil(lambda: len(portal.sessions) == 2 and len(portal.closed) == 1, timeout=10000)
        qtbot.waitUntil(lambda: answers == [{"reply_search": None}], timeout=10000)
        assert portal.bind_calls() == [{"reply_search": "CTRL+ALT+SHIFT+r"}]  # the first session: closed unbound
        assert len(portal.open_sessions()) == 1
    finally:
        backend.close()


def test_the_start_reaches_the_portal_on_a_thread_and_the_window_answers_meanwhile(
        main_window, services, bus_address, portal, monkeypatch, qtbot):
    """Issue 18: D-Bus may have to start the portal (seconds); the start's global-keys step
    opens it on a thread of its own, and the keys start on the GUI thread once it answered."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from ui import app as app_module
    from ui import portal_keys

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    monkeypatch.setattr(QGuiApplication, "platformName", staticmethod(lambda: "wayland"))
    release, opened_on = threading.Event(), []
    real = portal_keys.open_portal

    def slow_portal(*args, **kwargs):  # a portal D-Bus has to start first
        opened_on.append(threading.current_thread())
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(portal_keys, "open_portal", slow_portal)
    main_window.global_keys = None
    app_module.start_global_keys(main_window, services)
    answered = []
    QTimer.singleShot(0, lambda: answered.append(True))  # an event the window handles meanwhile
    qtbot.waitUntil(lambda: bool(answered) and bool(opened_on))
    assert main_window.global_keys is None and opened_on[0] is not threading.main_thread()
    release.set()
    qtbot.waitUntil(lambda: main_window.global_keys is not None and registered(main_window.global_keys),
                    timeout=10000)
    main_window.global_keys.stop()


def test_a_portal_answer_after_the_run_ended_starts_nothing(main_window, services, bus_address, portal,
                                                            monkeypatch, qtbot):
    from PySide6.QtGui import QGuiApplication

    from ui import app as app_module
    from ui import portal_keys

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    monkeypatch.setattr(QGuiApplication, "platformName", staticmethod(lambda: "wayland"))
    made = []
    real = portal_keys.open_portal
    monkeypatch.setattr(portal_keys, "open_portal", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    started = app_module.Started()
    started.close()  # the app is quitting
    main_window.global_keys = None
    app_module.start_global_keys(main_window, services, started)
    qtbot.waitUntil(lambda: bool(made))
    qtbot.wait(200)
    assert main_window.global_keys is None and portal.open_sessions() == []
    assert made[0].conn.sock.fileno() == -1  # its connection was closed
