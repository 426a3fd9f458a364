"""Reading a file that came from outside (a pack dropped in the inbox share, a file the user
picked): a regular file only, capped before reading, and never a read that hangs forever.

- FIFOs, sockets and devices are refused without blocking: the file is opened non-blocking
  and its type checked on the open descriptor (no window between the check and the read).
- With ``within`` (the inbox folder), a link is followed only if it ends inside that folder.
- The work runs on a short-lived daemon thread; the caller waits while bytes keep arriving
  and gives up when none arrived for ``stall_s`` seconds (a network share that stopped
  answering). The abandoned thread is remembered, so the same file is not tried again
  until that read returns: a hung share holds one thread, not one per check.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

from assistant.errors import UserError

CHUNK = 1024 * 1024
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))

_stuck: dict[str, threading.Thread] = {}
_stuck_lock = threading.Lock()


class UnreadableFile(UserError, OSError):
    """The file cannot be read safely; the message says why."""


class Stalled(UnreadableFile):
    """The read stopped making progress; it may work later."""


class TooLarge(UnreadableFile):
    def __init__(self, name: str, size: int, max_bytes: int):
        super().__init__(f"{name} is {size:,} bytes, more than the {max_bytes:,} allowed")
        self.size = size


def _read_chunk(fd: int, size: int) -> bytes:  # one place tests can make a read hang
    return os.read(fd, size)


class _Progress:
    def __init__(self):
        self.at = time.monotonic()
        self.data: bytes | None = None
        self.error: BaseException | None = None


def _inside(path: Path, folder: Path) -> bool:
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, root]) == root and real != root


def _read(path: Path, max_bytes: int, within: Path | None, progress: _Progress) -> bytes:
    name = path.name
    if within is not None and os.path.islink(path) and not _inside(path, within):
        raise UnreadableFile(f"{name} is a link to a file outside {within}")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {name}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise UnreadableFile(f"{name} is {kind}, not a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"{name} is not a regular file")
        if info.st_size > max_bytes:
            raise TooLarge(name, info.st_size, max_bytes)
        chunks, total = [], 0
        while True:
            chunk = _read_chunk(fd, min(CHUNK, max_bytes + 1 - total))
            progress.at = time.monotonic()
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew while we read
                raise TooLarge(name, total, max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(f"cannot read {name}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def read_untrusted(path: Path, max_bytes: int, *, within: Path | None = None,
                   stall_s: float = 10.0) -> bytes:
    """The bytes of ``path``, or :class:`UnreadableFile` (:class:`TooLarge` over the cap)."""
    path = Path(path)
    key = os.path.abspath(path)
    with _stuck_lock:
        earlier = _stuck.get(key)
        if earlier is not None:
            if earlier.is_alive():
                raise Stalled(f"{path.name}: an earlier read has still not returned (a network folder "
                                 f"that does not answer?)")
            del _stuck[key]
    progress = _Progress()

    def work() -> None:
        try:
            progress.data = _read(path, max_bytes, within, progress)
        except BaseException as exc:  # handed to the waiting caller
            progress.error = exc

    thread = threading.Thread(target=work, name=f"read {path.name}"[:60], daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(min(0.05, stall_s))
        if thread.is_alive() and time.monotonic() - progress.at > stall_s:
            with _stuck_lock:
                _stuck[key] = thread
            raise Stalled(f"reading {path.name} stopped for more than {stall_s:g} s (a network folder "
                          f"that does not answer?)")
    if progress.error is not None:
        raise progress.error
    return progress.data
