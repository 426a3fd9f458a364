"""assistant/memory.py: the allocator's free memory goes back to the system (issue 18: a
worker's large job, such as the reply library's read, left it counted in the app's RSS)."""

from __future__ import annotations

import platform
import sys

import pytest

from assistant.memory import release_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_freed_blocks_below_a_live_one_are_given_back():
    blocks = [bytes(1000) for _ in range(50_000)]  # ~50 MB of malloc'd blocks (over 512 bytes each)
    last = blocks[-1]  # keeps the heap's top in use: free() alone cannot shrink it
    del blocks
    before = _rss_mb()
    assert release_free_memory() is True
    assert _rss_mb() < before - 30
    assert len(last) == 1000


def test_it_is_safe_to_call_anywhere_and_often():
    for _ in range(3):
        assert release_free_memory() in (True, False)
