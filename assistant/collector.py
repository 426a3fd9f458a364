"""The garbage collector put off while a read or an import makes hundreds of thousands of
objects that live as long as it does (issue 18): its passes over them, taken on whichever
thread allocates and holding the GIL, made the GUI thread wait.

The collector is one switch for the whole process, and several threads put it off at once
(the Replies panel's read, the team's news, a task import). Each used to turn it back on
when it finished: the news, read in a few milliseconds, turned it on while the library was
still being read, and the read's next allocations ran passes over everything it had made
(seen as GUI-thread stalls of 100-200 ms opening the panel on a busy machine). Here the first
to put it off turns it off, and the last to finish turns it back on, if it was on before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0           # how many are between paused()'s entry and exit, on any thread
_was_enabled = False   # the collector's state when the first of them entered


@contextmanager
def paused() -> Iterator[None]:
    """Put the collector off for the ``with`` block; back as it was once no thread is in one."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
