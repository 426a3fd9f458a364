"""Memory the C allocator holds free, given back to the system after a large job on a worker.

glibc's malloc gives each thread that allocates its own arena, and returns an arena's free
pages only from its top, past a threshold that grows with the largest blocks freed. So after
a worker reads the reply library (its search index is built from short-lived token lists and
arrays), the memory it freed stays counted in the app's resident size: about 3 MB on the
starter library, measured at the end of the start (issue 18: RSS when ready at most the bare
window's + 60 MB). ``malloc_trim(0)`` returns the free pages of every arena; it took 0.2-0.6 ms
there. Where the call does not exist (not Linux, or another C library) nothing happens."""

from __future__ import annotations

import ctypes
import sys
from functools import cache


@cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        found = ctypes.CDLL(None).malloc_trim  # in the C library the process runs on
    except (OSError, AttributeError):  # not glibc (musl has no such call)
        return None
    found.argtypes, found.restype = [ctypes.c_size_t], ctypes.c_int
    return found


def release_free_memory() -> bool:
    """Give the allocator's free pages back to the system. Whether any were given back
    (False also where the call does not exist)."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
