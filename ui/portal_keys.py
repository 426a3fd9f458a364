"""Global shortcuts on Wayland: the XDG desktop portal's GlobalShortcuts interface
(``org.freedesktop.portal.GlobalShortcuts`` on ``org.freedesktop.portal.Desktop``) over the
session bus, spoken with jeepney (pure Python D-Bus).

An application cannot grab keys on Wayland; it asks the desktop, which may ask the agent to
confirm and lets them change the keys in its own settings. So the chords are *preferred*
triggers, and what the desktop answers is reported: each shortcut it bound, with the keys it
describes (``trigger_description``), or why not.

- At start, blocking and bounded by ``PROBE_TIMEOUT`` (:func:`open_portal`, which the app runs
  on a thread of its own: D-Bus may have to start the portal first): connect to the session bus
  and read the interface's ``version`` property. No bus, no portal, a portal without
  GlobalShortcuts, or no answer: ``PortalUnavailable`` says which, and the caller falls back to
  ``Unavailable``.
- Then nothing blocks: ``CreateSession`` and ``BindShortcuts`` answer through the
  ``org.freedesktop.portal.Request`` pattern (a ``Response`` signal on a request object whose
  path the ``handle_token`` makes known in advance, subscribed to before the call), and the
  portal's ``Activated`` and ``ShortcutsChanged`` signals arrive on the same connection. Its
  socket is watched by a ``QSocketNotifier`` on the GUI thread (no thread, no polling), as the
  X11 backend watches its display. Only messages from the portal's own connection are heard.
- Each (re-)registration closes the previous session and binds in a new one (a session binds
  once); ``registration_changed`` carries the desktop's answer when it comes.
"""

from __future__ import annotations

import itertools
import logging
import os

from PySide6.QtCore import QSocketNotifier, QTimer

from assistant.i18n import _
from ui.hotkeys import HotkeyBackend

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
PROBE_TIMEOUT = 5.0   # seconds: the bus may have to start the portal (D-Bus activation)

# The XDG shortcuts specification: modifiers CTRL, ALT, SHIFT, LOGO; the key an xkb keysym name.
_MODIFIERS = (("Ctrl", "CTRL"), ("Alt", "ALT"), ("Shift", "SHIFT"), ("Meta", "LOGO"))
_KEYSYMS = {"Space": "space", "Insert": "Insert", "Home": "Home", "End": "End", "PageUp": "Page_Up",
            "PageDown": "Page_Down", "Pause": "Pause", "Period": "period", "Comma": "comma",
            "Slash": "slash", "Semicolon": "semicolon", "Minus": "minus", "Equal": "equal"}
_NO_PORTAL = ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner")


class PortalUnavailable(Exception):
    """No GlobalShortcuts portal here: ``str(exc)`` says which case (shown in the settings)."""


def portal_trigger(modifiers: frozenset[str], key: str) -> str:
    """A chord of assistant.integration.shortcuts.parse_chord as the portal's preferred_trigger:
    ({"Ctrl", "Alt"}, "Space") -> "CTRL+ALT+space"."""
    keysym = _KEYSYMS.get(key) or (key.lower() if len(key) == 1 else key)  # letters: their keysym "r"
    return "+".join([name for ours, name in _MODIFIERS if ours in modifiers] + [keysym])


def session_bus_address(environ=os.environ) -> str | None:
    """The session bus as libdbus finds it: $DBUS_SESSION_BUS_ADDRESS, else the per-user bus
    socket systemd and dbus-broker place at $XDG_RUNTIME_DIR/bus."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return "unix:path=" + os.path.join(runtime, "bus")
    return None


def _variant(value):
    """a{sv} values arrive from jeepney as (signature, value)."""
    return value[1] if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) else value


class Opened:
    """A connection to the portal, probed and subscribed (:func:`open_portal`): what
    :class:`PortalHotkeys` starts from on the GUI thread."""

    def __init__(self, conn, version: int, owner: str, request_prefix: str):
        self.conn, self.version, self.owner, self.request_prefix = conn, version, owner, request_prefix


def open_portal(address: str | None = None, timeout: float = PROBE_TIMEOUT) -> Opened:
    """Connect to the session bus, read the GlobalShortcuts interface's version and subscribe
    to the portal's signals: blocking, up to ``timeout`` per step, on any thread (the
    connection is used by one thread at a time: this one, then the GUI thread's
    :class:`PortalHotkeys`). Raises :class:`PortalUnavailable` saying why not."""
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    address = address or session_bus_address()
    if not address:
        raise PortalUnavailable(_("no session bus (D-Bus) was found"))
    try:
        conn = open_dbus_connection(address, auth_timeout=timeout)
    except TimeoutError:
        raise PortalUnavailable(_("the session bus did not answer")) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise PortalUnavailable(_("the session bus cannot be reached: {error}").format(error=exc)) from None
    try:
        version, owner = _probe(conn, timeout)
        sender = conn.unique_name.lstrip(":").replace(".", "_")
        prefix = f"{PORTAL_PATH}/request/{sender}/"
        for rule in (MatchRule(type="signal", sender=PORTAL, interface=REQUEST, member="Response",
                               path_namespace=prefix.rstrip("/")),
                     MatchRule(type="signal", sender=PORTAL, interface=SHORTCUTS, path=PORTAL_PATH),
                     MatchRule(type="signal", sender=PORTAL, interface=SESSION, member="Closed")):
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=timeout)
    except BaseException:
        conn.close()
        raise
    return Opened(conn, version, owner, prefix)


def _probe(conn, timeout: float) -> tuple[int, str]:
    """The interface's version, and the portal's unique bus name (its signals' sender)."""
    from jeepney import HeaderFields, MessageType, new_method_call

    get = new_method_call(_address(PORTAL_PATH, "org.freedesktop.DBus.Properties"), "Get", "ss",
                          (SHORTCUTS, "version"))
    try:
        reply = conn.send_and_get_reply(get, timeout=timeout)
    except TimeoutError:
        raise PortalUnavailable(_("the desktop portal did not answer")) from None
    if reply.header.message_type == MessageType.error:
        error = reply.header.fields.get(HeaderFields.error_name, "")
        if error in _NO_PORTAL:
            raise PortalUnavailable(_("this desktop has no XDG desktop portal"))
        raise PortalUnavailable(_("this desktop's portal does not offer global shortcuts"))
    return int(_variant(reply.body[0])), reply.header.fields.get(HeaderFields.sender, "")


class PortalHotkeys(HotkeyBackend):
    name = "portal"
    can_paste = False  # Wayland lets no application type into another

    def __init__(self, address: str | None = None, parent=None, *, timeout: float = PROBE_TIMEOUT,
                 opened: Opened | None = None):
        """``opened``: a connection :func:`open_portal` made already (on a thread); else it is
        made here, blocking."""
        super().__init__(parent)
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call

        self._HeaderFields, self._MessageType, self._new_method_call = HeaderFields, MessageType, new_method_call
        self._portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=SHORTCUTS)
        opened = opened or open_portal(address, timeout)
        self.conn, self.version, self._owner = opened.conn, opened.version, opened.owner
        self._request_prefix = opened.request_prefix
        self.note = _("Through the desktop portal: your desktop may ask you to confirm these shortcuts, "
                      "and lets you change their keys in its own settings.")
        self._tokens = itertools.count(1)
        self._generation = 0
        self._session: str | None = None
        self._requests: dict[str, tuple[int, object]] = {}   # request path -> (generation, on_response)
        self._calls: dict[int, tuple[int, object]] = {}      # serial -> (generation, on_reply)
        self._wanted: dict[str, str] = {}                    # action -> preferred trigger
        self.results: dict[str, str | None] = {}
        self.triggers: dict[str, str] = {}                   # action -> the desktop's description
        self.notifier = QSocketNotifier(self.conn.sock.fileno(), QSocketNotifier.Read, self)
        self.notifier.activated.connect(self._read)
        QTimer.singleShot(0, self, self._read)  # anything the probe's reads buffered

    # -- sending -------------------------------------------------------------------------
    def _call(self, address, method: str, signature: str, body: tuple, on_reply=None) -> None:
        message = self._new_method_call(address, method, signature, body)
        serial = next(self.conn.outgoing_serial)
        if on_reply is not None:
            self._calls[serial] = (self._generation, on_reply)
        self.conn.send(message, serial=serial)

    def _token(self) -> str:
        return f"agent_assistant_{os.getpid()}_{next(self._tokens)}"

    def _request(self, method: str, signature: str, args: tuple, on_response, **options) -> None:
        """A portal call answered by a Request's Response: subscribed (by path) before it is made."""
        token = self._token()
        path = self._request_prefix + token
        generation = self._generation
        self._requests[path] = (generation, on_response)

        def on_reply(message):
            if message.header.message_type == self._MessageType.error:
                self._requests.pop(path, None)
                self._fail(_("the desktop portal refused: {error}").format(error=self._error_text(message)))
            elif message.body and message.body[0] != path and path in self._requests:
                self._requests[message.body[0]] = self._requests.pop(path)  # a portal older than handle_token

        options = {"handle_token": ("s", token), **{name: ("s", value) for name, value in options.items()}}
        self._call(self._portal, method, signature, (*args, options), on_reply)

    def _error_text(self, message) -> str:
        name = message.header.fields.get(self._HeaderFields.error_name, "")
        detail = message.body[0] if message.body and isinstance(message.body[0], str) else ""
        return f"{name}: {detail}" if detail else name

    # -- the backend's interface -------------------------------------------------------------
    def register(self, bindings):
        self.unregister_all()
        self._wanted = {action: portal_trigger(*chord) for action, chord in bindings.items()}
        if not self._wanted:
            return {}
        self.results = {action: _("waiting for the desktop to confirm") for action in self._wanted}
        try:
            self._create_session()
        except OSError as exc:
            self._lost(exc)
        return dict(self.results)

    def unregister_all(self) -> None:
        # answers to earlier requests are stale from now on: a session they still create is
        # closed when it comes (_session_created), a binding is ignored
        self._generation += 1
        self._calls.clear()
        self._wanted, self.results, self.triggers = {}, {}, {}
        self._close_session()

    def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            self._close_remote(session)

    def _close_remote(self, session: str) -> None:
        try:
            self._call(_address(session, SESSION), "Close", "", ())
        except OSError:
            pass  # the bus is gone, and the session with it

    def close(self) -> None:
        try:
            self.unregister_all()
        finally:
            self.notifier.setEnabled(False)
            self.conn.close()

    # -- the exchange ------------------------------------------------------------------------
    def _create_session(self) -> None:
        self._request("CreateSession", "a{sv}", (), self._session_created, session_handle_token=self._token())

    def _session_created(self, code: int, results: dict, stale: bool) -> None:
        session = _variant(results.get("session_handle", ("s", "")))
        if stale:
            if code == 0 and session:
                self._close_remote(session)  # registered again meanwhile: this one is not wanted
            return
        if code != 0 or not session:
            self._fail(self._refusal(code))
            return
        self._session = session
        shortcuts = [(action, {"description": ("s", name), "preferred_trigger": ("s", self._wanted[action])})
                     for action, name in _descriptions().items() if action in self._wanted]
        self._request("BindShortcuts", "oa(sa{sv})sa{sv}", (session, shortcuts, ""), self._bound)

    def _bound(self, code: int, results: dict, stale: bool) -> None:
        if stale:
            return
        if code != 0:
            self._fail(self._refusal(code))
            return
        self._apply(_variant(results.get("shortcuts", ("a(sa{sv})", []))))

    def _apply(self, shortcuts) -> None:
        """The shortcuts the desktop says are bound (BindShortcuts' answer, ShortcutsChanged)."""
        bound = {}
        for entry in shortcuts or []:
            if isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[1], dict):
                bound[entry[0]] = str(_variant(entry[1].get("trigger_description", ("s", ""))) or "")
        self.results = {action: None if action in bound else _("the desktop did not bind it")
                        for action in self._wanted}
        self.triggers = {action: bound[action] for action in self._wanted if bound.get(action)}
        self.registration_changed.emit(dict(self.results))

    @staticmethod
    def _refusal(code: int) -> str:
        return _("the desktop refused: cancelled by the user") if code == 1 else _("the desktop refused the shortcuts")

    def _fail(self, reason: str) -> None:
        self.results = {action: reason for action in self._wanted}
        self.triggers = {}
        self.registration_changed.emit(dict(self.results))

    def _lost(self, exc: BaseException) -> None:
        log.warning("the session bus for global shortcuts closed: %s", exc)
        self.notifier.setEnabled(False)
        self._session = None
        self._requests.clear()
        self._calls.clear()
        if self._wanted:
            self._fail(_("the connection to the desktop portal was lost"))

    # -- receiving ---------------------------------------------------------------------------
    def _read(self) -> None:
        try:
            while True:
                try:
                    message = self.conn.receive(timeout=0)
                except TimeoutError:
                    return
                self._dispatch(message)
        except (OSError, ValueError) as exc:  # the bus went away (the session ends)
            self._lost(exc)

    def _dispatch(self, message) -> None:
        fields, kinds = message.header.fields, self._MessageType
        kind = message.header.message_type
        if kind in (kinds.method_return, kinds.error):
            entry = self._calls.pop(fields.get(self._HeaderFields.reply_serial), None)
            if entry is not None and entry[0] == self._generation:
                entry[1](message)
            return
        if kind != kinds.signal or fields.get(self._HeaderFields.sender) != self._owner:
            return  # only the portal speaks for the portal
        interface, member = fields.get(self._HeaderFields.interface), fields.get(self._HeaderFields.member)
        path, body = fields.get(self._HeaderFields.path), message.body
        if interface == REQUEST and member == "Response":
            entry = self._requests.pop(path, None)
            if entry is not None:
                generation, on_response = entry
                on_response(int(body[0]), dict(body[1]), generation != self._generation)
        elif interface == SHORTCUTS and body and body[0] == self._session and self._session is not None:
            if member == "Activated" and body[1] in self._wanted:
                self.activated.emit(body[1])
            elif member == "ShortcutsChanged":
                self._apply(body[1])
        elif interface == SESSION and member == "Closed" and path == self._session:
            self._session = None
            if self._wanted:
                self._fail(_("the desktop closed the session"))


def _address(path: str, interface: str):
    from jeepney import DBusAddress

    return DBusAddress(path, bus_name=PORTAL, interface=interface)


def _descriptions() -> dict[str, str]:
    """What the desktop shows next to each shortcut (in the agent's language)."""
    from assistant.integration.shortcuts import action_names

    return action_names()
