import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from ui import clipboard

REPO = Path(__file__).resolve().parents[2]


def test_rich_copy_keeps_a_plain_alternative_and_settles_to_plain_text(qapp):
    clipboard.copy("Hello Ana", "<p>Hello <b>Ana</b></p>")
    data = QGuiApplication.clipboard().mimeData()
    assert data.text() == "Hello Ana" and "<b>Ana</b>" in data.html()
    clipboard.settle()
    assert QGuiApplication.clipboard().text() == "Hello Ana"
    assert not QGuiApplication.clipboard().mimeData().hasHtml()


def test_an_app_that_copied_rich_text_exits_cleanly():
    script = textwrap.dedent("""
        from PySide6.QtWidgets import QApplication
        from ui import clipboard
        app = QApplication([])
        app.aboutToQuit.connect(clipboard.settle)
        clipboard.copy("x", "<b>x</b>")
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, app.quit)
        app.exec()
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=60,
                          env={"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-500:]
