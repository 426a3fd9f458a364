"""Alert colours stay readable whatever the system palette (light, dark, high contrast)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from ui.theme import MIN_TEXT_CONTRAST, alert_colour, contrast, is_dark


def _palette(base: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.Base, QColor(base))
    palette.setColor(QPalette.Window, QColor(base))
    palette.setColor(QPalette.Text, QColor(text))
    return palette


@pytest.mark.parametrize("base, text", [("#ffffff", "#000000"), ("#1e1e1e", "#eeeeee"), ("#000000", "#ffff00"),
                                        ("#f0f0f0", "#202020"), ("#2b2b2b", "#ffffff")])
def test_alert_colour_is_readable_on_every_palette(qapp, base, text):
    palette = _palette(base, text)
    assert contrast(alert_colour(palette), palette.color(QPalette.Base)) >= MIN_TEXT_CONTRAST


def test_dark_palette_gets_the_light_red(qapp):
    assert is_dark(_palette("#1e1e1e", "#eeeeee"))
    assert alert_colour(_palette("#1e1e1e", "#eeeeee")) == QColor("#ef9a9a")
    assert alert_colour(_palette("#ffffff", "#000000")) == QColor("#c62828")


def test_a_theme_where_no_red_reads_falls_back_to_its_text_colour(qapp):
    mid_grey = _palette("#888888", "#000000")
    assert alert_colour(mid_grey) == QColor("#000000")


def test_contrast_ratio_extremes():
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)


@pytest.mark.parametrize("base, text", [("#ffffff", "#000000"), ("#1e1e1e", "#eeeeee")])
def test_breached_countdown_in_the_queue_is_readable(qtbot, services, base, text):
    """The queue's breach colour comes from the palette in force, light or dark."""
    from datetime import datetime, timedelta, timezone

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from assistant.tasks.model import Task
    from ui.panels.queue import QueuePanel

    now = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    original = QApplication.palette()
    QApplication.setPalette(_palette(base, text))
    try:
        panel = QueuePanel(services, clock=lambda: now)
        qtbot.addWidget(panel)
        panel.store.add(Task("Breached", resolution_due_at=now - timedelta(hours=1),
                             response_due_at=now - timedelta(hours=1)), now - timedelta(hours=5))
        panel.reload()
        brush = panel.model.index(0, 1).data(Qt.ForegroundRole)
        assert contrast(brush.color(), QColor(base)) >= MIN_TEXT_CONTRAST
    finally:
        QApplication.setPalette(original)


@pytest.mark.parametrize("base, text", [("#ffffff", "#000000"), ("#1e1e1e", "#f0f0f0")])
def test_diff_backgrounds_keep_the_palette_text_readable(qapp, base, text):
    from ui.theme import diff_backgrounds

    for background in diff_backgrounds(_palette(base, text)):
        assert contrast(background, QColor(text)) >= MIN_TEXT_CONTRAST


def test_error_labels_take_the_alert_colour_and_give_it_back(qtbot):
    from PySide6.QtWidgets import QLabel

    from ui.theme import set_error_style

    label = QLabel("Not a phone number")
    qtbot.addWidget(label)
    label.setPalette(_palette("#1e1e1e", "#eeeeee"))
    set_error_style(label)
    assert label.palette().color(QPalette.WindowText) == QColor("#ef9a9a")
    set_error_style(label, False)
    assert label.palette().color(QPalette.WindowText) != QColor("#ef9a9a")


def _full_palette(window: str, text: str) -> QPalette:
    palette = _palette(window, text)
    palette.setColor(QPalette.WindowText, QColor(text))
    return palette


PALETTES = {  # light, dark, and the two usual high-contrast themes
    "light": ("#efefef", "#000000"), "white": ("#ffffff", "#1e1e1e"), "dark": ("#353535", "#ffffff"),
    "darker": ("#1e1e1e", "#eeeeee"), "high-contrast black": ("#000000", "#ffffff"),
    "high-contrast white": ("#ffffff", "#000000"), "mid grey": ("#808080", "#000000"),
}


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("status", ["business_hours", "outside_hours", "night", "weekend", "holiday", "unknown"])
def test_status_chips_keep_aa_contrast_on_every_palette(qapp, name, status):
    """The chip's words at 4.5:1 on the chip, the chip at 3:1 on the window: the "Night"
    chip no longer vanishes on a dark theme."""
    from ui.theme import MIN_SHAPE_CONTRAST, status_chip_colours

    palette = _full_palette(*PALETTES[name])
    background, text = status_chip_colours(status, palette)
    assert contrast(text, background) >= MIN_TEXT_CONTRAST
    assert contrast(background, palette.color(QPalette.Window)) >= MIN_SHAPE_CONTRAST


def test_the_clock_card_chip_follows_the_palette(qapp, qtbot):
    from PySide6.QtWidgets import QApplication, QLabel

    from ui.clock_widget import style_status

    original = QApplication.palette()
    try:
        for window, text in (PALETTES["light"], PALETTES["darker"]):
            QApplication.setPalette(_full_palette(window, text))
            label = QLabel("Night")
            qtbot.addWidget(label)
            style_status(label, "night")
            chip = label.palette().color(QPalette.Window)
            assert contrast(label.palette().color(QPalette.WindowText), chip) >= MIN_TEXT_CONTRAST
            assert contrast(chip, QColor(window)) >= 3.0
    finally:
        QApplication.setPalette(original)
