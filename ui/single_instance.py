"""One running app per data folder, so there is never a second writer on the same database.

A lock file in the data folder (``QLockFile``: a lock left by a crashed app, its process
gone, is taken over) decides who runs. A second start asks the running app to come forward
over a local socket and exits. The network module loads only when a socket is needed: the
running app opens its server after its first paint."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal

from assistant.paths import DataDirError

MESSAGE_SHOW = b"show\n"
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


def hand_over(data_dir: Path) -> bool:
    """Ask the app running on ``data_dir`` to bring its window forward; False if it did not
    answer (it may still be starting, or be stuck)."""
    name = server_name(data_dir)
    for attempt in range(HAND_OVER_TRIES):
        if signal_running_instance(name):
            return True
        if attempt < HAND_OVER_TRIES - 1:
            time.sleep(HAND_OVER_PAUSE_S)
    return False


def server_name(data_dir: Path) -> str:
    import getpass
    import hashlib

    digest = hashlib.sha256(f"{getpass.getuser()}:{Path(data_dir).resolve()}".encode()).hexdigest()
    return f"agent-assistant-{digest[:16]}"


def signal_running_instance(name: str, timeout_ms: int = 500) -> bool:
    """True if another instance is listening and received our request to show itself."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(MESSAGE_SHOW)
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    show_requested = Signal()

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
            return
        if bytes(conn.readLine().data()) == MESSAGE_SHOW:
            self.show_requested.emit()
        conn.readyRead.disconnect()
        conn.abort()
        conn.deleteLater()

    def close(self) -> None:
        self.server.close()
