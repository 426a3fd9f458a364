"""Global shortcuts on a real X server: Xvfb with a window manager (openbox), another
application's window with focus, ``xdotool`` pressing the chord, and paste back typed into a
real X text field (a small Qt program under xcb in a subprocess).

Each test starts its own Xvfb (never the developer's display: a grab there would take their
keys). Without Xvfb, xdotool and openbox the tests skip, saying so; .ci/run installs them, and
under CI a missing tool fails instead of skipping."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "xdotool", "openbox")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
REASON = f"needs {', '.join(MISSING)} (Debian packages xvfb, xdotool, openbox; .ci/run installs them)"
if MISSING and os.environ.get("CI"):
    raise RuntimeError("CI must run the X11 global shortcut tests: " + REASON)
pytestmark = pytest.mark.skipif(bool(MISSING), reason=REASON)

# A text field in its own X client: writes its text to a file whenever it changes; with a
# third argument it owns the CLIPBOARD with that text (and keeps serving it while it runs).
FIELD = r"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QPlainTextEdit
app = QApplication(sys.argv[:1])
out = Path(sys.argv[2])
edit = QPlainTextEdit()
edit.setWindowTitle(sys.argv[1])
edit.resize(420, 160)
edit.textChanged.connect(lambda: out.write_text(edit.toPlainText(), encoding="utf-8"))
if len(sys.argv) > 3:
    app.clipboard().setText(sys.argv[3])
edit.show()
out.write_text("", encoding="utf-8")
app.exec()
"""


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class XSession:
    """Xvfb on a free display number (-displayfd) with openbox, and helpers to drive it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24",
                                      "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        ready, _, _ = select.select([read], [], [], 20)
        number = os.read(read, 64).decode().strip() if ready else ""
        self._displayfd = read  # kept open while Xvfb runs: it dies of SIGPIPE when it is closed
        self.display = f":{number}"
        self.env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}
        self.env.pop("WAYLAND_DISPLAY", None)
        try:
            if not number:
                raise AssertionError("Xvfb did not start")
            self._wm_log = tmp / "openbox.log"
            self._wm_starts = 0
            self._start_wm()
            wait_for(self._wm_up, what=f"the window manager (its log: {self._wm_log})")
        except BaseException:
            self.close()
            raise

    def _start_wm(self) -> None:
        self._wm_starts += 1
        with open(self._wm_log, "ab") as log:
            self._wm = self.spawn(["openbox", "--sm-disable"], stderr=log)

    def _wm_up(self) -> bool:
        """The window manager runs. Once in a full suite run it never came up (30 s): an
        openbox that quit is started again, twice at most, and a failure quotes its log."""
        if self._wm_running():
            return True
        code = self._wm.poll()
        if code is not None:
            if self._wm_starts >= 3:
                raise AssertionError(f"openbox quit ({code}): {self._wm_log.read_text(errors='replace')[-500:]}")
            self._start_wm()
        return False

    def _wm_running(self) -> bool:
        from Xlib import display

        d = display.Display(self.display)
        try:
            return d.screen().root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), 0) is not None
        finally:
            d.close()

    def spawn(self, argv, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(argv, env={**self.env, **kwargs.pop("env", {})}, stdout=subprocess.DEVNULL,
                                stderr=kwargs.pop("stderr", subprocess.DEVNULL), **kwargs)
        self.procs.append(proc)
        return proc

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                              timeout=30).stdout.strip()

    def field(self, title: str, clipboard: str | None = None) -> tuple[int, Path]:
        """A text field window, shown and focused; returns (window id, its text file)."""
        script = self.tmp / "field.py"
        script.write_text(FIELD, encoding="utf-8")
        out = self.tmp / f"{title}.txt"
        self.spawn([sys.executable, str(script), title, str(out), *([clipboard] if clipboard else [])])
        wait_for(out.exists, what=f"the window {title}")
        window = int(wait_for(lambda: self.xdotool("search", "--name", f"^{title}$"), what=title).split()[0])
        self.focus(window)
        return window, out

    def focus(self, window: int) -> None:
        self.xdotool("windowactivate", "--sync", str(window))
        wait_for(lambda: self.active() == window, what="focus")

    def active(self) -> int | None:
        out = self.xdotool("getactivewindow")
        return int(out) if out.isdigit() else None

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.xvfb.terminate()
        self.xvfb.wait(5)
        os.close(self._displayfd)


@pytest.fixture
def xsession(tmp_path):
    session = XSession(tmp_path)
    yield session
    session.close()


@pytest.fixture
def x11(xsession, qtbot):
    """The X11 backend (python-xlib) on the test's X server; Qt itself stays offscreen."""
    from ui.hotkeys import X11Hotkeys

    backend = X11Hotkeys(xsession.display)
    yield backend
    backend.close()


def chord(text):
    from assistant.integration.shortcuts import parse_chord

    return parse_chord(text)


def test_a_chord_pressed_in_another_application_reaches_the_app(xsession, x11, qtbot):
    results = x11.register({"reply_search": chord("Ctrl+Alt+R"), "show_hide": chord("Ctrl+Alt+Space")})
    assert results == {"reply_search": None, "show_hide": None}
    other, _text = xsession.field("crm-window")
    assert xsession.active() == other
    with qtbot.waitSignal(x11.activated, timeout=10000) as pressed:
        xsession.xdotool("key", "ctrl+alt+r")
    assert pressed.args == ["reply_search"]
    assert x11.focused_window() == other  # the window paste back returns to
    with qtbot.waitSignal(x11.activated, timeout=10000) as pressed:
        xsession.xdotool("key", "ctrl+alt+space")
    assert pressed.args == ["show_hide"]
    # NumLock on: the chord still works (grabbed with and without the lock modifiers)
    xsession.xdotool("key", "Num_Lock")
    with qtbot.waitSignal(x11.activated, timeout=10000) as pressed:
        xsession.xdotool("key", "ctrl+alt+r")
    assert pressed.args == ["reply_search"]


def test_other_keys_are_not_seen_and_unregistering_frees_the_chord(xsession, x11, qtbot):
    x11.register({"translate_clipboard": chord("Ctrl+Alt+E")})
    _window, text = xsession.field("notes")
    seen = []
    x11.activated.connect(seen.append)
    xsession.xdotool("type", "--delay", "20", "hello")
    wait_for(lambda: text.read_text(encoding="utf-8") == "hello", what="typing")  # the field got them
    qtbot.wait(200)
    assert seen == []  # no hook: keys that are not our chord never reach the app
    x11.unregister_all()
    xsession.xdotool("key", "ctrl+alt+e")
    qtbot.wait(300)
    assert seen == []


def test_a_chord_another_application_holds_is_reported_taken(xsession, x11):
    from Xlib import X, XK, display

    other = display.Display(xsession.display)  # another client grabs Ctrl+Alt+E first
    root = other.screen().root
    root.grab_key(other.keysym_to_keycode(XK.string_to_keysym("e")), X.ControlMask | X.Mod1Mask, True,
                  X.GrabModeAsync, X.GrabModeAsync)
    other.sync()
    try:
        results = x11.register({"translate_clipboard": chord("Ctrl+Alt+E"), "reply_search": chord("Ctrl+Alt+R")})
    finally:
        other.close()
    assert results == {"translate_clipboard": "taken by another application", "reply_search": None}


def test_paste_back_types_into_the_window_that_had_focus(xsession, x11, qtbot):
    target, text = xsession.field("chat-reply", clipboard="Gracias por su paciencia.")
    elsewhere, _other = xsession.field("elsewhere")  # focus moved on meanwhile (our popup, say)
    assert xsession.active() == elsewhere
    x11.paste_into(target)  # timers of the app's event loop: qtbot waits while it runs
    qtbot.waitUntil(lambda: text.read_text(encoding="utf-8") == "Gracias por su paciencia.", timeout=10000)
    assert xsession.active() == target


# -- the whole app, under xcb, in its own process ------------------------------------------------

@pytest.fixture
def running_app(xsession, fresh_data_dir):
    """The app in a subprocess on the test's X server, with a reply to find and paste back on;
    yields (process, data folder) once every shortcut is reported registered."""
    from assistant import settings
    from assistant.integration.shortcuts import reported
    from assistant.runtime import start
    from assistant.templates import store

    runtime = start()
    store.save_personal(runtime.db, store.Template.from_dict({
        "id": "my.zebra", "default_language": "en",
        "variants": {"en": {"title": "Zebra crossing", "body": "Kind regards, {{agent_name}}"}}}))
    settings.put_many(runtime.db, {"shortcuts.paste_back": True, "profile.agent_name": "Maya"})
    data_dir = runtime.data_dir.path
    runtime.close()
    log = open(xsession.tmp / "app.log", "w")
    app = xsession.spawn([sys.executable, "-c", "import sys; from ui.app import main; sys.exit(main())"],
                         env={"LANGUAGE": "en"}, stderr=log)
    try:
        wait_for(lambda: all(item["registered"] for item in reported(data_dir)), timeout=60,
                 what="the app's shortcuts")
        yield app, data_dir
    finally:
        log.close()


def visible(xsession, title: str) -> list[str]:
    return xsession.xdotool("search", "--onlyvisible", "--name", f"^{title}$").split()


def test_the_app_answers_its_chords_from_another_application_and_pastes_the_reply_back(xsession, running_app):
    from assistant.integration.shortcuts import reported

    app, data_dir = running_app
    status = {item["action"]: item for item in reported(data_dir)}
    assert status["show_hide"] == {"action": "show_hide", "chord": "Ctrl+Alt+Space", "registered": True,
                                   "running": True, "backend": "x11"}
    wait_for(lambda: visible(xsession, "Agent Assistant"), what="the window")
    target, text = xsession.field("crm-reply")

    # show/hide while the CRM has focus
    xsession.xdotool("key", "ctrl+alt+space")
    wait_for(lambda: not visible(xsession, "Agent Assistant"), what="the window to hide")
    xsession.xdotool("key", "ctrl+alt+space")
    wait_for(lambda: visible(xsession, "Agent Assistant"), what="the window to come back")

    # the reply search popup over the CRM: find, Enter, and the reply lands in the CRM's field
    xsession.focus(target)
    xsession.xdotool("key", "ctrl+alt+shift+r")
    popup = int(wait_for(lambda: visible(xsession, "Search replies"), what="the popup")[0])
    wait_for(lambda: xsession.active() == popup, what="the popup to take the keys")
    xsession.xdotool("type", "--delay", "30", "zebra")
    time.sleep(0.3)
    xsession.xdotool("key", "Return")
    wait_for(lambda: text.read_text(encoding="utf-8") == "Kind regards, Maya", what="the pasted reply")
    assert xsession.active() == target
    assert not visible(xsession, "Search replies")

    app.kill()  # a crash: the status file stays, and says nobody holds the chords any more
    app.wait(10)
    assert [(item["registered"], item["running"]) for item in reported(data_dir)] == [(False, False)] * 4
