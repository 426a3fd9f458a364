"""The app's icon: PNG renderings of resources/icons/app.svg (tools/render_icons.py), so the
window's shell loads no SVG library before its first paint (issue 18: 1.1 MB when ready)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.paths import resource_path
from ui.main_window import APP_ICON_SIZES, app_icon

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", APP_ICON_SIZES)
def test_each_png_is_the_svg_rendered_at_its_size(qapp, tools, size):
    from PySide6.QtGui import QImage

    drawn = tools("render_icons").render(size).convertToFormat(QImage.Format_ARGB32)
    shipped = QImage(str(resource_path("icons", f"app-{size}.png"))).convertToFormat(QImage.Format_ARGB32)
    assert (shipped.width(), shipped.height()) == (size, size)
    worst = max(abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF))
                for y in range(size) for x in range(size)
                for a, b in [(drawn.pixel(x, y), shipped.pixel(x, y))] for shift in (0, 8, 16, 24))
    assert worst <= 2, "run tools/render_icons.py after changing app.svg"
    assert shipped.pixelColor(size // 2, size // 10).alpha() == 255  # the icon, not an empty image


def test_the_icon_offers_every_size(qapp):
    from PySide6.QtCore import QSize

    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(APP_ICON_SIZES)
    assert icon.pixmap(QSize(32, 32)).size() == QSize(32, 32)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_window_s_icon_loads_no_svg_library():
    probe = ("import sys\nfrom PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
             "from ui.main_window import app_icon\nassert not app_icon().pixmap(48, 48).isNull()\n"
             "print('libQt6Svg' in open('/proc/self/maps').read())\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_the_window_takes_its_icon_after_the_first_paint(main_window):
    """QIcon's Python type (151 enum members) and the icon cost 2-3 ms before the paint."""
    assert main_window.windowIcon().isNull()  # built, not yet painted
    main_window.start_deferred()
    assert 32 in [s.width() for s in main_window.windowIcon().availableSizes()]
