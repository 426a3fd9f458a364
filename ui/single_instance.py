"""One running app per data folder, so there is never a second writer on the same database.

A lock file in the data folder (``QLockFile``: a lock left by a crashed app, its process
gone, is taken over) decides who runs. A second start asks the running app to come forward
over a local socket and exits; a second start with a customer (a call pop, see
assistant.integration.links) hands the customer over the same way. The network module loads
only when a socket is needed: the running app opens its server after its first paint.

Messages are one line each: ``show`` or ``customer {"text": ..., "focus": ...}``. The server
reads at most :data:`MAX_MESSAGE_BYTES`, and the customer text is checked again on arrival:
whoever writes to the socket is untrusted."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal

from assistant.paths import DataDirError

log = logging.getLogger(__name__)

MESSAGE_SHOW = b"show\n"
CUSTOMER_PREFIX = b"customer "
MAX_MESSAGE_BYTES = 4096
LOCK_FILE = "running.lock"
HAND_OVER_TRIES = 10  # the running app opens its server a moment after it starts
HAND_OVER_PAUSE_S = 0.2


def acquire_lock(data_dir: Path) -> QLockFile | None:
    """The data folder's lock, held until ``unlock()``; None while another app holds it."""
    lock = QLockFile(str(Path(data_dir) / LOCK_FILE))
    lock.setStaleLockTime(0)  # held all shift: only a dead holder makes it stale, never its age
    if lock.tryLock(0):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    raise DataDirError(f"Cannot create the lock file {lock.fileName()} in the data folder "
                       f"({lock.error().name}). Check its permissions, or choose another folder.")


def customer_message(text: str, focus: bool = False) -> bytes:
    """The message that hands a customer (already checked text) to the running app."""
    return CUSTOMER_PREFIX + json.dumps({"text": text, "focus": bool(focus)}).encode("ascii") + b"\n"


def read_customer_message(line: bytes) -> tuple[str, bool] | None:
    """(text, focus) of a customer message; None for anything else. The text is checked
    as any call pop's is (assistant.integration.links.customer_text)."""
    from assistant.integration.links import LinkError, customer_text

    if not line.startswith(CUSTOMER_PREFIX) or not line.endswith(b"\n"):
        return None
    try:
        data = json.loads(line[len(CUSTOMER_PREFIX):].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(data, dict) or set(data) != {"text", "focus"} or not isinstance(data["text"], str)
            or not isinstance(data["focus"], bool)):
        return None
    try:
        return customer_text(data["text"]), data["focus"]
    except LinkError:
        return None


def hand_over(data_dir: Path, message: bytes = MESSAGE_SHOW) -> bool:
    """Send ``message`` (default: bring the window forward) to the app running on
    ``data_dir``; False if it did not answer (it may still be starting, or be stuck)."""
    name = server_name(data_dir)
    for attempt in range(HAND_OVER_TRIES):
        if signal_running_instance(name, message=message):
            return True
        if attempt < HAND_OVER_TRIES - 1:
            time.sleep(HAND_OVER_PAUSE_S)
    return False


def server_name(data_dir: Path) -> str:
    import getpass
    import hashlib

    digest = hashlib.sha256(f"{getpass.getuser()}:{Path(data_dir).resolve()}".encode()).hexdigest()
    return f"agent-assistant-{digest[:16]}"


def signal_running_instance(name: str, timeout_ms: int = 500, message: bytes = MESSAGE_SHOW) -> bool:
    """True if another instance is listening and received ``message``."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(message)
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    show_requested = Signal()
    customer_requested = Signal(str, bool)  # checked customer text, whether to take focus

    def __init__(self, name: str, parent: QObject | None = None):
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.UserAccessOption)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # left behind by a crashed instance
            if not self.server.listen(name):
                raise RuntimeError(f"Cannot listen on {name}: {self.server.errorString()}")
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: self._read(c))

    def _read(self, conn) -> None:
        if not conn.canReadLine():
            if conn.bytesAvailable() > MAX_MESSAGE_BYTES:  # no line end in sight: not ours
                log.warning("a message on the single-instance channel was too long; ignored")
                self._drop(conn)
            return
        line = bytes(conn.readLine(MAX_MESSAGE_BYTES + 1).data())
        if line == MESSAGE_SHOW:
            self.show_requested.emit()
        elif (customer := read_customer_message(line)) is not None:
            self.customer_requested.emit(*customer)
        else:
            log.warning("an unknown message on the single-instance channel was ignored")
        self._drop(conn)

    def _drop(self, conn) -> None:
        conn.readyRead.disconnect()
        conn.abort()
        conn.deleteLater()

    def close(self) -> None:
        self.server.close()
