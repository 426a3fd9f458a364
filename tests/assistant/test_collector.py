"""The collector put off by several threads at once (issue 18): back only when the last is done."""

from __future__ import annotations

import gc
import threading

import pytest

from assistant.collector import paused


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_back_after():
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_short_read_finishing_first_does_not_turn_it_on_under_a_longer_one():
    """The team's news (a few ms) began, then the library (seconds) on another thread: the
    news finishing turned the collector on while the library was still being read."""
    news_in, library_in, news_done = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def news():
        with paused():
            news_in.set()
            library_in.wait(10)
        news_done.set()

    def library():
        news_in.wait(10)
        with paused():
            library_in.set()
            news_done.wait(10)
            seen["library, after the news"] = gc.isenabled()

    threads = [threading.Thread(target=news), threading.Thread(target=library)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"library, after the news": False}
    assert gc.isenabled()  # the last one out turned it back on


def test_left_off_when_it_was_off_before():
    gc.disable()
    with paused():
        with paused():
            pass
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_back_on_after_a_failure_inside():
    with pytest.raises(ValueError):
        with paused():
            raise ValueError("a locked database")
    assert gc.isenabled()
