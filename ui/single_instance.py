"""One running app per data folder: a second start asks the first to come forward and
exits, so there is never a second writer on the same database."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MESSAGE_SHOW = b"show\n"


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(f"{getpass.getuser()}:{Path(data_dir).resolve()}".encode()).hexdigest()
    return f"agent-assistant-{digest[:16]}"


def signal_running_instance(name: str, timeout_ms: int = 500) -> bool:
    """True if another instance is listening and received our request to show itself."""
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
            conn.readyRead.connect(self._read)

    def _read(self) -> None:
        conn = self.sender()
        if not isinstance(conn, QLocalSocket) or not conn.canReadLine():
            return
        if bytes(conn.readLine().data()) == MESSAGE_SHOW:
            self.show_requested.emit()
        conn.readyRead.disconnect(self._read)
        conn.abort()
        conn.deleteLater()

    def close(self) -> None:
        self.server.close()
