"""The platforms' own global hotkey APIs, never a keyboard hook that sees every key (endpoint
security on locked-down machines flags hooks), and the one synthetic paste keystroke.

- X11: ``XGrabKey`` on the root window over a display connection of our own (python-xlib),
  grabbed with and without NumLock and CapsLock; its events reach Qt's loop through a
  ``QSocketNotifier`` (no thread, no polling). A chord another client grabbed fails with
  BadAccess: "taken by another application". Paste: ``_NET_ACTIVE_WINDOW`` back to the window
  that had focus, then XTest Ctrl+V once the agent has let go of the chord's modifiers.
- Windows: ``RegisterHotKey`` (ctypes) with a native event filter for ``WM_HOTKEY``; paste:
  ``SetForegroundWindow`` then ``SendInput`` Ctrl+V. Written to the documented API, not run
  here (no Windows machine): see docs/integration.md.
- macOS: Carbon ``RegisterEventHotKey`` (ctypes); paste: a Quartz Cmd+V event. Not run here.
- Wayland: an application cannot grab keys; the XDG desktop portal's GlobalShortcuts interface
  is the way, where the desktop offers it (ui/portal_keys.py); where it does not,
  ``wayland_note`` says which case applies. No paste back: Wayland lets no application type
  into another.

Each backend maps (modifiers, key) from assistant.integration.shortcuts.parse_chord to its own
codes; ``register`` returns, per action, None (registered) or why not. A backend whose answer
comes later (the portal: the desktop may ask the agent first) returns "waiting" and emits
``registration_changed`` with the answer."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QAbstractNativeEventFilter, QObject, QSocketNotifier, QTimer, Signal

from assistant.i18n import _

log = logging.getLogger(__name__)

PASTE_SETTLE_MS = 120      # after re-activating the previous window, before the keystroke
MODIFIER_WAIT_MS = 2000    # how long paste waits for the agent to let go of Ctrl/Alt/Shift


class HotkeyBackend(QObject):
    """What every platform offers: register chords, tell which window had focus, paste."""

    activated = Signal(str)  # the action whose chord was pressed
    registration_changed = Signal(dict)  # later answers: action -> None (registered) or why not
    name = "none"
    can_paste = False
    note = ""        # shown under the shortcuts in the settings
    triggers: dict[str, str] = {}  # action -> the keys as the system describes them, where it may change them

    def register(self, bindings: dict[str, tuple[frozenset[str], str]]) -> dict[str, str | None]:
        raise NotImplementedError

    def unregister_all(self) -> None:
        pass

    def focused_window(self):
        """An opaque handle of the window that has focus now (None when unknown)."""
        return None

    def paste_into(self, window) -> None:
        """Bring ``window`` back to the front and send it one paste keystroke."""

    def close(self) -> None:
        self.unregister_all()


class Unavailable(HotkeyBackend):
    """No global hotkey API here; ``reason`` says why (shown in the settings)."""

    def __init__(self, reason: str, parent=None):
        super().__init__(parent)
        self.reason = self.note = reason

    def register(self, bindings):
        return {action: self.reason for action in bindings}


# -- X11 ---------------------------------------------------------------------------------------

_X11_KEYSYMS = {"Space": "space", "Insert": "Insert", "Home": "Home", "End": "End", "PageUp": "Prior",
                "PageDown": "Next", "Pause": "Pause", "Period": "period", "Comma": "comma",
                "Slash": "slash", "Semicolon": "semicolon", "Minus": "minus", "Equal": "equal"}


class X11Hotkeys(HotkeyBackend):
    name = "x11"

    def __init__(self, display_name: str | None = None, parent=None):
        super().__init__(parent)
        from Xlib import X, display

        self._X = X
        self.display = display.Display(display_name)
        self.root = self.display.screen().root
        self.can_paste = bool(self.display.has_extension("XTEST"))
        self._masks = {"Ctrl": X.ControlMask, "Alt": X.Mod1Mask, "Shift": X.ShiftMask, "Meta": X.Mod4Mask}
        self._relevant = X.ControlMask | X.Mod1Mask | X.ShiftMask | X.Mod4Mask
        self._grabs: dict[tuple[int, int], str] = {}  # (keycode, mask) -> action
        self._pending_paste = None
        self.notifier = QSocketNotifier(self.display.fileno(), QSocketNotifier.Read, self)
        self.notifier.activated.connect(self._read_events)

    def _keycode(self, key: str) -> int:
        from Xlib import XK

        name = _X11_KEYSYMS.get(key) or (key.lower() if len(key) == 1 else key)
        return self.display.keysym_to_keycode(XK.string_to_keysym(name))

    def register(self, bindings):
        from Xlib import error

        self.unregister_all()
        X = self._X
        results = {}
        for action, (modifiers, key) in bindings.items():
            keycode = self._keycode(key)
            if not keycode:
                results[action] = _("this keyboard has no such key")
                continue
            mask = 0
            for modifier in modifiers:
                mask |= self._masks[modifier]
            variants = [mask | extra for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)]
            catcher = error.CatchError(error.BadAccess)
            for variant in variants:
                self.root.grab_key(keycode, variant, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
            self.display.sync()
            if catcher.get_error() is not None:
                for variant in variants:
                    self.root.ungrab_key(keycode, variant)
                self.display.sync()
                results[action] = _("taken by another application")
                continue
            self._grabs[(keycode, mask)] = action
            results[action] = None
        self.display.flush()
        return results

    def unregister_all(self) -> None:
        X = self._X
        for keycode, mask in self._grabs:
            for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
                self.root.ungrab_key(keycode, mask | extra)
        self._grabs.clear()
        self.display.sync()

    def _read_events(self) -> None:
        try:
            while self.display.pending_events():
                event = self.display.next_event()
                if event.type == self._X.KeyPress:
                    action = self._grabs.get((event.detail, event.state & self._relevant))
                    if action is not None:
                        self.activated.emit(action)
        except Exception:  # the X server went away (the session ends): no more global keys
            log.warning("the X connection for global shortcuts closed", exc_info=True)
            self.notifier.setEnabled(False)
            self._grabs.clear()

    def focused_window(self):
        active = self._net_active_window()
        if active:
            return active
        focus = self.display.get_input_focus().focus
        return getattr(focus, "id", None) or None

    def _net_active_window(self) -> int | None:
        atom = self.display.intern_atom("_NET_ACTIVE_WINDOW")
        prop = self.root.get_full_property(atom, self._X.AnyPropertyType)
        return int(prop.value[0]) if prop is not None and len(prop.value) and prop.value[0] else None

    def _activate(self, window_id: int) -> None:
        from Xlib import error
        from Xlib.protocol import event

        X = self._X
        window = self.display.create_resource_object("window", window_id)
        message = event.ClientMessage(window=window, client_type=self.display.intern_atom("_NET_ACTIVE_WINDOW"),
                                      data=(32, [2, X.CurrentTime, 0, 0, 0]))  # 2: on the user's behalf
        self.root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
        window.set_input_focus(X.RevertToParent, X.CurrentTime, onerror=error.CatchError())
        self.display.sync()

    def paste_into(self, window) -> None:
        if not self.can_paste:
            return
        if window and window != self.focused_window():
            self._activate(window)
        waited = [0]

        def when_released():
            if self._modifiers_down() and waited[0] < MODIFIER_WAIT_MS:
                waited[0] += 50
                QTimer.singleShot(50, self, when_released)
                return
            self._send_paste()

        QTimer.singleShot(PASTE_SETTLE_MS, self, when_released)

    def _modifiers_down(self) -> bool:
        from Xlib import XK

        keys = self.display.query_keymap()
        for name in ("Control_L", "Control_R", "Alt_L", "Alt_R", "Shift_L", "Shift_R", "Super_L", "Super_R"):
            code = self.display.keysym_to_keycode(XK.string_to_keysym(name))
            if code and keys[code // 8] & (1 << (code % 8)):
                return True
        return False

    def _send_paste(self) -> None:
        from Xlib import XK
        from Xlib.ext import xtest

        X = self._X
        control = self.display.keysym_to_keycode(XK.string_to_keysym("Control_L"))
        v = self.display.keysym_to_keycode(XK.string_to_keysym("v"))
        for kind, code in ((X.KeyPress, control), (X.KeyPress, v), (X.KeyRelease, v), (X.KeyRelease, control)):
            xtest.fake_input(self.display, kind, code)
        self.display.sync()

    def close(self) -> None:
        try:
            self.unregister_all()
        finally:
            self.notifier.setEnabled(False)
            self.display.close()


# -- Windows (written to the documented API; not run on this project's machines) ----------------

_WIN_VK = {"Space": 0x20, "Insert": 0x2D, "Home": 0x24, "End": 0x23, "PageUp": 0x21, "PageDown": 0x22,
           "Pause": 0x13, "Period": 0xBE, "Comma": 0xBC, "Slash": 0xBF, "Semicolon": 0xBA, "Minus": 0xBD,
           "Equal": 0xBB}


def windows_virtual_key(key: str) -> int:
    if len(key) == 1:
        return ord(key)  # VK codes of A-Z and 0-9 are their ASCII upper-case codes
    if key[0] == "F" and key[1:].isdigit():
        return 0x6F + int(key[1:])  # VK_F1 = 0x70
    return _WIN_VK[key]


class _WindowsFilter(QAbstractNativeEventFilter):
    def __init__(self, backend):
        super().__init__()
        self.backend = backend

    def nativeEventFilter(self, event_type, message):
        if bytes(event_type) == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == 0x0312 and msg.wParam in self.backend._ids:  # WM_HOTKEY
                self.backend.activated.emit(self.backend._ids[msg.wParam])
                return True, 0
        return False, 0


class WindowsHotkeys(HotkeyBackend):
    name = "windows"
    can_paste = True

    def __init__(self, parent=None):
        super().__init__(parent)
        import ctypes
        from PySide6.QtCore import QCoreApplication

        self.user32 = ctypes.WinDLL("user32", use_last_error=True)
        self._ids: dict[int, str] = {}
        self._filter = _WindowsFilter(self)
        QCoreApplication.instance().installNativeEventFilter(self._filter)

    def register(self, bindings):
        import ctypes

        self.unregister_all()
        bits = {"Alt": 0x1, "Ctrl": 0x2, "Shift": 0x4, "Meta": 0x8}
        results = {}
        for number, (action, (modifiers, key)) in enumerate(bindings.items(), start=1):
            flags = 0x4000  # MOD_NOREPEAT
            for modifier in modifiers:
                flags |= bits[modifier]
            if self.user32.RegisterHotKey(None, number, flags, windows_virtual_key(key)):
                self._ids[number] = action
                results[action] = None
            else:
                code = ctypes.get_last_error()
                results[action] = (_("taken by another application") if code == 1409
                                   else _("refused by Windows (error {code})").format(code=code))
        return results

    def unregister_all(self) -> None:
        for number in self._ids:
            self.user32.UnregisterHotKey(None, number)
        self._ids.clear()

    def focused_window(self):
        return self.user32.GetForegroundWindow() or None

    def paste_into(self, window) -> None:
        if window:
            self.user32.SetForegroundWindow(window)
        QTimer.singleShot(PASTE_SETTLE_MS, self, self._send_paste)

    def _send_paste(self) -> None:
        import ctypes
        from ctypes import wintypes

        class KEYBDINPUT(ctypes.Structure):
            _fields_ = [("wVk", wintypes.WORD), ("wScan", wintypes.WORD), ("dwFlags", wintypes.DWORD),
                        ("time", wintypes.DWORD), ("dwExtraInfo", ctypes.c_size_t)]

        class INPUT(ctypes.Structure):
            class _U(ctypes.Union):
                _fields_ = [("ki", KEYBDINPUT), ("_pad", ctypes.c_byte * 32)]
            _anonymous_ = ("u",)
            _fields_ = [("type", wintypes.DWORD), ("u", _U)]

        up = 0x2  # KEYEVENTF_KEYUP
        strokes = [(0x11, 0), (0x56, 0), (0x56, up), (0x11, up)]  # VK_CONTROL, V
        inputs = (INPUT * len(strokes))()
        for item, (vk, flags) in zip(inputs, strokes):
            item.type = 1  # INPUT_KEYBOARD
            item.ki = KEYBDINPUT(vk, 0, flags, 0, 0)
        self.user32.SendInput(len(strokes), inputs, ctypes.sizeof(INPUT))

    def close(self) -> None:
        from PySide6.QtCore import QCoreApplication

        self.unregister_all()
        QCoreApplication.instance().removeNativeEventFilter(self._filter)


# -- macOS (Carbon; written to the documented API, not run on this project's machines) ----------

_MAC_KEYCODES = {**dict(zip("ASDFHGZXCV", (0, 1, 2, 3, 4, 5, 6, 7, 8, 9))), "B": 11, "Q": 12, "W": 13,
                 "E": 14, "R": 15, "Y": 16, "T": 17, "1": 18, "2": 19, "3": 20, "4": 21, "6": 22, "5": 23,
                 "Equal": 24, "9": 25, "7": 26, "Minus": 27, "8": 28, "0": 29, "O": 31, "U": 32, "I": 34,
                 "P": 35, "L": 37, "J": 38, "K": 40, "Semicolon": 41, "Comma": 43, "Slash": 44, "N": 45,
                 "M": 46, "Period": 47, "Space": 49, "Home": 115, "PageUp": 116, "End": 119,
                 "PageDown": 121, "Insert": 114, "F1": 122, "F2": 120, "F3": 99, "F4": 118, "F5": 96,
                 "F6": 97, "F7": 98, "F8": 100, "F9": 101, "F10": 109, "F11": 103, "F12": 111,
                 "F13": 105, "F14": 107, "F15": 113, "F16": 106, "F17": 64, "F18": 79, "F19": 80,
                 "F20": 90}


def _fourcc(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


class MacHotkeys(HotkeyBackend):
    name = "macos"
    can_paste = True

    def __init__(self, parent=None):
        super().__init__(parent)
        import ctypes

        self.carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
        self.quartz = ctypes.CDLL("/System/Library/Frameworks/ApplicationServices.framework/ApplicationServices")

        class EventHotKeyID(ctypes.Structure):
            _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]

        class EventTypeSpec(ctypes.Structure):
            _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]

        self._HotKeyID = EventHotKeyID
        handler_type = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
        self._callback = handler_type(self._on_event)  # kept alive as long as the backend
        spec = EventTypeSpec(_fourcc("keyb"), 5)  # kEventClassKeyboard, kEventHotKeyPressed
        self.carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        self.carbon.InstallEventHandler(ctypes.c_void_p(self.carbon.GetApplicationEventTarget()),
                                        self._callback, 1, ctypes.byref(spec), None, None)
        self._refs: dict[int, tuple[ctypes.c_void_p, str]] = {}

    def _on_event(self, _call, event, _data):
        import ctypes

        hotkey = self._HotKeyID()
        self.carbon.GetEventParameter(ctypes.c_void_p(event), _fourcc("----"), _fourcc("hkid"), None,
                                      ctypes.sizeof(hotkey), None, ctypes.byref(hotkey))
        entry = self._refs.get(hotkey.id)
        if entry is not None:
            self.activated.emit(entry[1])
        return 0

    def register(self, bindings):
        import ctypes

        self.unregister_all()
        # as Qt does on macOS: "Ctrl" is the Command key, "Meta" the Control key
        bits = {"Ctrl": 0x100, "Shift": 0x200, "Alt": 0x800, "Meta": 0x1000}
        results = {}
        for number, (action, (modifiers, key)) in enumerate(bindings.items(), start=1):
            if key not in _MAC_KEYCODES:
                results[action] = _("this keyboard has no such key")
                continue
            flags = sum(bits[m] for m in modifiers)
            ref = ctypes.c_void_p()
            status = self.carbon.RegisterEventHotKey(_MAC_KEYCODES[key], flags, self._HotKeyID(_fourcc("AgAs"), number),
                                                     ctypes.c_void_p(self.carbon.GetApplicationEventTarget()), 0,
                                                     ctypes.byref(ref))
            if status == 0:
                self._refs[number] = (ref, action)
                results[action] = None
            else:
                results[action] = (_("taken by another application") if status == -9878
                                   else _("refused by macOS (error {code})").format(code=status))
        return results

    def unregister_all(self) -> None:
        for ref, _action in self._refs.values():
            self.carbon.UnregisterEventHotKey(ref)
        self._refs.clear()

    def paste_into(self, window) -> None:
        # the app that had focus is active again once our popup closes; one Cmd+V to it
        QTimer.singleShot(PASTE_SETTLE_MS, self, self._send_paste)

    def _send_paste(self) -> None:
        import ctypes

        q = self.quartz
        q.CGEventCreateKeyboardEvent.restype = ctypes.c_void_p
        for down in (True, False):
            event = ctypes.c_void_p(q.CGEventCreateKeyboardEvent(None, 9, down))  # kVK_ANSI_V
            q.CGEventSetFlags(event, ctypes.c_uint64(0x100000))  # kCGEventFlagMaskCommand
            q.CGEventPost(0, event)  # kCGHIDEventTap
            q.CFRelease(event)


# -- choosing ----------------------------------------------------------------------------------

def wayland_note(reason: str) -> str:
    """Why there are no global keys on this Wayland desktop (``reason``: which case), and what to do."""
    return _("On Wayland, applications register global keys through the desktop portal, and {reason}. "
             "Set a shortcut in your desktop's keyboard settings that runs agent-assistant instead "
             "(it brings the window forward).").format(reason=reason)


def _wayland(parent, portal=None) -> HotkeyBackend:
    from ui.portal_keys import PortalHotkeys, PortalUnavailable

    try:
        if isinstance(portal, BaseException):  # what opening it on a thread came to
            raise portal
        return PortalHotkeys(parent=parent, opened=portal)
    except PortalUnavailable as exc:
        log.info("no global shortcuts portal: %s", exc)
        return Unavailable(wayland_note(str(exc)), parent)


def needs_portal(platform_name: str) -> bool:
    """Whether :func:`choose` would talk to the desktop portal (a Wayland session)."""
    return sys.platform not in ("win32", "darwin") and platform_name.startswith("wayland")


def choose(platform_name: str, parent=None, portal=None) -> HotkeyBackend:
    """The backend for this session (``platform_name``: Qt's platform plugin). ``portal``: on
    Wayland, what ``ui.portal_keys.open_portal`` gave on a thread (its connection, or the
    exception it raised); None opens it here, blocking up to its timeout."""
    try:
        if sys.platform == "win32":
            return WindowsHotkeys(parent)
        if sys.platform == "darwin":
            return MacHotkeys(parent)
        if needs_portal(platform_name):
            return _wayland(parent, portal)
        if platform_name == "xcb" and os.environ.get("DISPLAY"):
            return X11Hotkeys(None, parent)
    except Exception as exc:  # a missing library or a refused connection: no global keys, said why
        log.warning("global shortcuts unavailable: %s", exc)
        return Unavailable(_("the system's hotkey service cannot be used: {error}").format(error=exc), parent)
    return Unavailable(_("this window system ({name}) has no global shortcuts").format(name=platform_name), parent)
