"""Colours that stay readable in the system's light, dark and high-contrast palettes.

Views never hard-code a text colour against the palette's background: a red that reads well
on white is unreadable on a dark theme. They ask here for a colour derived from the current
palette, checked against its background for contrast (WCAG ratio)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Material red 800 / red 200: the light-theme and dark-theme "alert" text colours.
_ALERT = {False: QColor("#c62828"), True: QColor("#ef9a9a")}
MIN_TEXT_CONTRAST = 4.5  # WCAG AA for normal text


def current_palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if app is not None else QPalette()


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or current_palette()
    return palette.color(QPalette.Base).lightness() < 128


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(first: QColor, second: QColor) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def alert_colour(palette: QPalette | None = None) -> QColor:
    """Text colour for a breach or an error on the palette's base (list and field) background.
    Falls back to the palette's own text colour when even the themed red is too faint
    (high-contrast themes), so the warning is carried by the words, never lost."""
    palette = palette or current_palette()
    base = palette.color(QPalette.Base)
    colour = _ALERT[is_dark(palette)]
    return colour if contrast(colour, base) >= MIN_TEXT_CONTRAST else palette.color(QPalette.Text)


def set_error_style(label, error: bool = True) -> None:
    """A label's text in the alert colour, or (``error=False``) back to the theme's own."""
    if not error:
        label.setPalette(QPalette())
        return
    palette = label.palette()
    palette.setColor(QPalette.WindowText, alert_colour(palette))
    label.setPalette(palette)


# Background tints for "yours" / "the team's" lines of a side-by-side diff, per theme.
_DIFF = {False: (QColor("#fde2e1"), QColor("#dff5e1")), True: (QColor("#5c2b29"), QColor("#1e4620"))}


def diff_backgrounds(palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """Backgrounds for changed lines (mine, team's) under the palette's own text colour."""
    return _DIFF[is_dark(palette or current_palette())]


# Business-hours status chips: (light-theme background, dark-theme background). On a light
# window a deep colour under white text; on a dark one a light tint under black text, so the
# chip neither vanishes into the window (the "Night" chip on dark) nor loses its words.
_CHIPS = {
    "business_hours": ("#2e7d32", "#81c784"),
    "outside_hours": ("#8a5300", "#ffb74d"),
    "night": ("#37474f", "#b0bec5"),
    "weekend": ("#5d4037", "#bcaaa4"),
    "holiday": ("#6a1b9a", "#ce93d8"),
}
_OTHER_CHIP = ("#555555", "#bdbdbd")
_CHIP_TEXT = {False: QColor("#ffffff"), True: QColor("#000000")}
MIN_SHAPE_CONTRAST = 3.0  # WCAG 2.1 non-text contrast: the chip against the window


def status_chip_colours(status: str, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(background, text) of a status chip on the palette's window: text at AA contrast
    (4.5:1) on the chip, the chip at 3:1 against the window. A palette where the themed
    chip fails either (high-contrast themes) gets its own text and window colours, swapped."""
    palette = palette or current_palette()
    window = palette.color(QPalette.Window)
    dark = window.lightness() < 128
    background = QColor(_CHIPS.get(status, _OTHER_CHIP)[dark])
    text = _CHIP_TEXT[dark]
    if contrast(text, background) >= MIN_TEXT_CONTRAST and contrast(background, window) >= MIN_SHAPE_CONTRAST:
        return background, text
    return palette.color(QPalette.WindowText), window
