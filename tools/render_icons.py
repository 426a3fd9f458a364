"""Render the app's icon (resources/icons/app.svg, its one source) as the PNG files the
window and the tray load: a PNG is read by Qt's built-in image reader, where the SVG loads Qt's
SVG library and icon plugin (1.1 MB more resident when the app is ready, issue 18). Run it
after changing the SVG; a test fails while a PNG differs from the SVG rendered at its size.

    .venv/bin/python tools/render_icons.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SVG = ROOT / "resources" / "icons" / "app.svg"


def png_path(size: int) -> Path:
    return SVG.with_name(f"app-{size}.png")


def render(size: int):
    """The SVG drawn on a transparent ``size`` x ``size`` QImage."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  (QPainter needs one)
    from ui.main_window import APP_ICON_SIZES

    for size in APP_ICON_SIZES:
        if not render(size).save(str(png_path(size)), "PNG"):
            print(f"could not write {png_path(size)}", file=sys.stderr)
            return 1
        print(png_path(size).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
