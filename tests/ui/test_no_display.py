"""Started on Linux without a window system, the app says how to run offscreen instead of
letting Qt fail with a misleading message about a missing xcb library."""

from __future__ import annotations

from ui import app


def test_no_display_on_linux_is_explained():
    message = app.missing_display({}, "linux")
    assert "no display found" in message and "QT_QPA_PLATFORM=offscreen make run" in message
    assert "xvfb-run -a" in message


def test_a_display_or_a_chosen_platform_is_enough():
    assert app.missing_display({"DISPLAY": ":0"}, "linux") is None
    assert app.missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert app.missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert app.missing_display({}, "win32") is None and app.missing_display({}, "darwin") is None


def test_main_stops_before_qt_with_the_message(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setattr(app, "QApplication", type("NoQt", (), {
        "instance": staticmethod(lambda: None),
        "__init__": lambda self, *a: (_ for _ in ()).throw(AssertionError("Qt must not start"))}))
    assert app.main([]) == 2
    assert "QT_QPA_PLATFORM=offscreen" in capsys.readouterr().err
