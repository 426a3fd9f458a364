from PySide6.QtGui import QColor, QPalette

from ui import theme


def palette(base: str, text: str) -> QPalette:
    p = QPalette()
    p.setColor(QPalette.Base, QColor(base))
    p.setColor(QPalette.Text, QColor(text))
    return p


def test_diff_backgrounds_keep_the_palette_text_readable(qapp):
    for base, text in (("#ffffff", "#000000"), ("#1e1e1e", "#f0f0f0")):
        p = palette(base, text)
        for background in theme.diff_backgrounds(p):
            assert theme.contrast(background, QColor(text)) >= theme.MIN_TEXT_CONTRAST
