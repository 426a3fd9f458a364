"""Call pop: a softphone or CRM sets the customer through --customer or a link, in the running
app over the single-instance channel, or in a new app (ui.call_pop, ui.single_instance)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from assistant.runtime import start
from ui import app as app_module
from ui import call_pop
from ui.single_instance import (MAX_MESSAGE_BYTES, MESSAGE_SHOW, InstanceServer, customer_message,
                                server_name, signal_running_instance)

REPO = Path(__file__).resolve().parents[2]


def recents(data_dir):
    from assistant.customer import memory

    runtime = start(str(data_dir))
    try:
        return memory.recents(runtime.db)
    finally:
        runtime.close()


def quit_after_pop(monkeypatch) -> list:
    """The app running in this test quits once a call pop is applied; returns the list of
    (text, focus) applied."""
    popped, real = [], call_pop.pop_customer

    def pop(window, text, focus=False):
        popped.append((text, focus))
        real(window, text, focus)
        window.quit()

    monkeypatch.setattr(call_pop, "pop_customer", pop)
    return popped


# -- the channel ----------------------------------------------------------------------------------

def test_the_channel_hands_a_customer_over(qtbot, tmp_path):
    name = server_name(tmp_path)
    server = InstanceServer(name)
    try:
        with qtbot.waitSignal(server.customer_requested, timeout=3000) as got:
            assert signal_running_instance(name, message=customer_message("Lucía, +52 55 1234 5678", True))
        assert got.args == ["Lucía, +52 55 1234 5678", True]
        with qtbot.waitSignal(server.show_requested, timeout=3000):
            assert signal_running_instance(name, message=MESSAGE_SHOW)
    finally:
        server.close()


@pytest.mark.parametrize("message", [
    b"customer {\"text\": \"Tokyo\"}\n",                                  # a key missing
    b"customer {\"text\": \"Tokyo\", \"focus\": false, \"pin\": true}\n",  # a key more
    b"customer {\"text\": 3, \"focus\": false}\n",
    b"customer {\"text\": \"Tokyo\", \"focus\": \"yes\"}\n",
    b"customer [\"Tokyo\"]\n",
    b"customer not json\n",
    b"customer \xff\xfe\n",
    b"customer {\"text\": \"\\u202e\\u200b\", \"focus\": false}\n",       # nothing left of it
    b"customer {\"text\": \"" + b"x" * 300 + b"\", \"focus\": false}\n",   # too long a customer
    b"customer {\"text\": \"" + b"x" * (MAX_MESSAGE_BYTES * 2) + b"\", \"focus\": false}\n",
    b"x" * (MAX_MESSAGE_BYTES * 3),                                        # no line end at all
    b"quit\n",
])
def test_the_channel_ignores_anything_else(qtbot, tmp_path, message):
    name = server_name(tmp_path)
    server = InstanceServer(name)
    got = []
    server.customer_requested.connect(lambda *args: got.append(args))
    server.show_requested.connect(lambda: got.append("show"))
    try:
        assert signal_running_instance(name, message=message)
        qtbot.wait(300)
        # the server still answers afterwards
        with qtbot.waitSignal(server.customer_requested, timeout=3000):
            signal_running_instance(name, message=customer_message("Tokyo"))
    finally:
        server.close()
    assert got == [("Tokyo", False)]  # only the well-formed message that followed


def test_text_arriving_on_the_channel_is_made_plain(qtbot, tmp_path):
    name = server_name(tmp_path)
    server = InstanceServer(name)
    try:
        with qtbot.waitSignal(server.customer_requested, timeout=3000) as got:
            signal_running_instance(name, message=b'customer {"text": "\\u202eAna,\\n+34 612 345 678\\u001b", '
                                                  b'"focus": false}\n')
    finally:
        server.close()
    assert got.args == ["Ana, +34 612 345 678", False]


# -- the window -----------------------------------------------------------------------------------

def test_a_call_pop_sets_the_customer_without_taking_focus(main_window, monkeypatch):
    brought, notices = [], []
    monkeypatch.setattr(main_window, "bring_forward", lambda: brought.append(True))
    monkeypatch.setattr(main_window, "notify", lambda title, text: notices.append(text))
    main_window.hide()
    call_pop.pop_customer(main_window, "Lucía, +52 55 1234 5678")
    context = main_window.services.customer.context
    assert (context.name, context.country) == ("Lucía", "MX")
    assert main_window.customer_bar.input.text() == "Lucía, +52 55 1234 5678"
    assert main_window.isVisible() and brought == []
    assert notices == ["Customer from a call: Lucía, +52 55 1234 5678"]
    # the same session: the call is among the recent customers, as typed ones are
    assert any(c.name == "Lucía" for c in main_window.services.session.recents())


def test_a_call_pop_asked_to_take_focus_brings_the_window_forward(main_window, monkeypatch):
    brought = []
    monkeypatch.setattr(main_window, "bring_forward", lambda: brought.append(True))
    call_pop.pop_customer(main_window, "Japan", focus=True)
    assert brought == [True] and main_window.services.customer.context.country == "JP"


def test_a_call_pop_that_is_not_understood_keeps_the_customer(main_window, monkeypatch):
    notices = []
    monkeypatch.setattr(main_window, "notify", lambda title, text: notices.append(text))
    call_pop.pop_customer(main_window, "Japan")
    call_pop.pop_customer(main_window, "Qwxzzy Unknownland")
    assert main_window.services.customer.context.country == "JP"
    assert main_window.customer_bar.error_label.isVisibleTo(main_window)
    assert notices[-1] == "A call's customer was not understood: Qwxzzy Unknownland"


def test_links_delivered_as_open_events_set_the_customer_once_ready(main_window, qapp, monkeypatch):
    monkeypatch.setattr(main_window, "notify", lambda title, text: None)
    calls = call_pop.CallPops(True, main_window)
    qapp.installEventFilter(calls)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("agent-assistant://customer?q=Ana%2C%20Spain")))
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("agent-assistant://customer?q=Japan")))
        assert main_window.services.customer.context.is_empty  # not before the window is ready
        calls.start(main_window)
        assert main_window.services.customer.context.country == "JP"  # the latest call
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("agent-assistant://settings?q=Spain")))
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("agent-assistant://customer?q=Spain&x=1")))
        assert main_window.services.customer.context.country == "JP"
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("tel:+34-612-345-678")))
        assert main_window.services.customer.context.country == "ES"
    finally:
        qapp.removeEventFilter(calls)


def test_a_policy_that_forbids_links_leaves_open_events_alone(main_window, qapp):
    calls = call_pop.CallPops(False, main_window)
    calls.start(main_window)
    calls.open_link("agent-assistant://customer?q=Japan")
    assert main_window.services.customer.context.is_empty


# -- starting the app -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["--customer", "Lucía, +52 55 1234 5678"],
                                  ["agent-assistant://customer?q=Luc%C3%ADa%2C%20%2B52%2055%201234%205678"],
                                  ["--", "Lucía, +52 55 1234 5678"]])  # a caller id a softphone appends
def test_a_start_with_a_customer_sets_it(qapp, fresh_data_dir, monkeypatch, argv):
    popped = []
    real = call_pop.pop_customer
    monkeypatch.setattr(call_pop, "pop_customer", lambda w, t, f=False: popped.append((t, f)) or real(w, t, f))
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "2500", *argv]))
    assert code == 0
    assert popped == [("Lucía, +52 55 1234 5678", False)]
    assert [c.name for c in recents(fresh_data_dir)] == ["Lucía"]


@pytest.mark.parametrize("argv, message", [
    (["agent-assistant://customer?q=Tokyo&pin=1"], "nothing else"),
    (["file:///etc/passwd"], "are accepted"),
    (["--customer", "x" * 5000], "too long"),
    (["--customer", "Tokyo", "agent-assistant://customer?q=Paris"], "not both"),
])
def test_a_refused_call_pop_starts_nothing(qapp, fresh_data_dir, monkeypatch, argv, message):
    shown = []
    monkeypatch.setattr(app_module, "fatal", lambda text: shown.append(text) or 2)
    assert app_module.run(qapp, app_module.parse_args(argv)) == 2
    assert len(shown) == 1 and message in shown[0]
    assert not (fresh_data_dir / "assistant.db").exists()


def test_a_policy_that_forbids_links_refuses_them_but_not_the_command(qapp, fresh_data_dir, monkeypatch,
                                                                        machine_policy):
    machine_policy("system", {"allow_link_handler": False})
    shown = []
    monkeypatch.setattr(app_module, "fatal", lambda text: shown.append(text) or 2)
    assert app_module.run(qapp, app_module.parse_args(["agent-assistant://customer?q=Japan"])) == 2
    assert "policy" in shown[0]
    assert app_module.run(qapp, app_module.parse_args(["--customer", "Japan", "--quit-after", "2500"])) == 0
    assert [c.country for c in recents(fresh_data_dir)] == ["JP"]


def test_a_second_start_hands_the_customer_to_the_running_app(qapp, fresh_data_dir, monkeypatch):
    """The app runs here; a softphone starts ``agent-assistant --customer`` as a real process."""
    import os

    popped, second = quit_after_pop(monkeypatch), []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_ASSISTANT_HOME": str(fresh_data_dir)}

    def softphone():
        second.append(subprocess.Popen([sys.executable, "-m", "ui.app", "--customer", "Ana, +81 3-1234-5678"],
                                       cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True))

    QTimer.singleShot(1500, softphone)
    code = app_module.run(qapp, app_module.parse_args(["--quit-after", "60000"]))
    assert code == 0
    _out, err = second[0].communicate(timeout=30)
    assert second[0].returncode == 0, err
    assert "the customer was handed to it" in err
    assert popped == [("Ana, +81 3-1234-5678", False)]
    assert [(c.name, c.country) for c in recents(fresh_data_dir)] == [("Ana", "JP")]


def test_the_settings_show_whether_links_may_set_the_customer():
    from assistant.policy import Policy
    from ui.settings_dialog import policy_rows

    assert ("Links may set the customer", "Yes") in policy_rows(Policy())
    assert ("Links may set the customer", "No") in policy_rows(Policy(allow_link_handler=False))


@pytest.mark.skipif(not (shutil.which("xdg-open") and shutil.which("xdg-mime")), reason="needs xdg-utils")
def test_a_link_opened_with_xdg_open_reaches_the_running_app(qapp, fresh_data_dir, tmp_path, monkeypatch):
    """The real route on Linux: `assistant integration install` writes the desktop file,
    xdg-open (as a browser or CRM calls it) runs it, the second start hands the customer over."""
    import os

    from assistant.integration import desktop
    from assistant.policy import Policy

    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items()
           if key not in ("XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID",
                          "WAYLAND_DISPLAY", "BROWSER")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "share"), XDG_CONFIG_HOME=str(home / "config"),
               AGENT_ASSISTANT_HOME=str(fresh_data_dir), QT_QPA_PLATFORM="offscreen",
               DISPLAY=":no-such-display")  # xdg-open consults the scheme handlers only "with a display"
    for key in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(key, env[key])
    found = desktop.install(Policy(), system=desktop.System(platform="linux"))
    assert found.registered and found.default is True  # what the real xdg-mime answers
    if not Path(desktop.app_command()[0]).name.startswith("agent-assistant"):
        pytest.skip("no agent-assistant launcher in this environment")

    popped, opened = quit_after_pop(monkeypatch), []

    def browser():
        opened.append(subprocess.Popen(["xdg-open", "agent-assistant://customer?q=Ana%2C%20%2B81%203-1234-5678"],
                                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))

    QTimer.singleShot(1500, browser)
    assert app_module.run(qapp, app_module.parse_args(["--quit-after", "60000"])) == 0
    _out, err = opened[0].communicate(timeout=30)
    assert opened[0].returncode == 0, err
    assert popped == [("Ana, +81 3-1234-5678", False)]
    assert [(c.name, c.country) for c in recents(fresh_data_dir)] == [("Ana", "JP")]


@pytest.mark.parametrize("argv", [
    # a link with a quote that a browser passed raw, splitting the handler's command line:
    # everything after the handler's "--" is an argument, never an option
    ["--", 'agent-assistant://customer?q=x"', "--data-dir", "/tmp/elsewhere"],
    ["--", "agent-assistant://customer?q=x", "--focus"],
])
def test_a_link_cannot_add_options_to_the_command(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        app_module.parse_args(argv)
    assert exited.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err


def test_a_minimised_window_asks_for_attention_instead_of_taking_focus(main_window, monkeypatch):
    alerts = []
    monkeypatch.setattr(call_pop.QApplication, "alert", lambda window, msec=0: alerts.append(window))
    monkeypatch.setattr(main_window, "notify", lambda title, text: None)
    main_window.showMinimized()
    assert main_window.isMinimized()
    call_pop.pop_customer(main_window, "Japan")
    assert alerts == [main_window] and main_window.isMinimized()
    assert main_window.services.customer.context.country == "JP"


def test_a_call_pop_is_read_ahead_off_the_gui_thread_as_enter_is(main_window, qtbot, monkeypatch):
    """Issue 18: a call is a country's first customer as often as a typed one; its number is
    read on the customer bar's read-ahead thread, and the notice follows once it is set."""
    import threading

    from assistant.customer import session as rules

    notices, readers, real_read = [], [], rules.read
    monkeypatch.setattr(main_window, "notify", lambda title, text: notices.append(text))
    monkeypatch.setattr(rules, "read", lambda *a, **k: readers.append(
        threading.current_thread() is threading.main_thread()) or real_read(*a, **k))
    main_window.show()
    bar = main_window.customer_bar
    bar.start()
    qtbot.waitUntil(lambda: bar.ready, timeout=10000)
    call_pop.pop_customer(main_window, "+91 22 2345 6789")
    assert bar.input.text() == "+91 22 2345 6789" and notices == []  # shown at once, set next
    qtbot.waitUntil(lambda: bool(notices), timeout=5000)
    assert main_window.services.customer.context.country == "IN"
    assert notices == ["Customer from a call: +91 22 2345 6789"] and readers == [False]
