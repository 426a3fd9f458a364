"""Right-to-left: numbers, times, shortcuts and codes read left to right in Arabic. What is
tested is what Qt lays out -- the visual order of the glyph runs of a label's own text, font
and direction -- not which marks the string holds (Qt 6.11 does not honour the isolates
U+2066...U+2069 that Unicode recommends: see assistant.i18n.ltr)."""

from __future__ import annotations

import unicodedata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout, QTextOption

from assistant import i18n

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NUMBER = "+81 3-1234-5678"


def laid_out(text: str, font, direction) -> tuple[str, set[int]]:
    """(the characters in the visual order of their glyphs, left to right; the indexes of
    ``text`` that have a glyph) as QTextLayout lays out ``text`` on one line."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(direction)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(100_000)
    layout.endLayout()
    glyphs = []
    for run in layout.glyphRuns(-1, -1, QTextLayout.GlyphRunRetrievalFlag.RetrieveAll):
        glyphs += [(position.x(), index) for position, index in zip(run.positions(), run.stringIndexes())]
    visual = "".join(text[index] for _x, index in sorted(glyphs) if text[index] not in BIDI_CONTROLS)
    return visual, {index for _x, index in glyphs}


def assert_reads_left_to_right(text: str, font, direction, run: str) -> None:
    visual, present = laid_out(text, font, direction)
    assert run in visual, f"{run!r} not in order in {visual!r}"
    for index, char in enumerate(text):
        # every character has a glyph of its own, but the second letter of an Arabic
        # ligature (lam-alef) and the bidi marks, which draw nothing
        ligature = unicodedata.bidirectional(char) == "AL" and index - 1 in present
        assert index in present or char in BIDI_CONTROLS or ligature, f"{char!r} at {index} lost in {text!r}"


@pytest.fixture
def arabic():
    i18n.set_language("ar")
    yield
    i18n.set_language("en")


def test_the_layout_check_catches_what_the_isolates_do(qapp):
    """The check itself: a bare number is painted backwards, isolates lose glyphs."""
    from PySide6.QtWidgets import QLabel

    font = QLabel().font()
    with pytest.raises(AssertionError):
        assert_reads_left_to_right(f"رقم {NUMBER} في اليابان", font, Qt.RightToLeft, NUMBER)
    with pytest.raises(AssertionError):
        assert_reads_left_to_right(f"رقم \u2066{NUMBER}\u2069 في اليابان", font, Qt.RightToLeft, NUMBER)


def test_ltr_reads_left_to_right_in_arabic_and_changes_nothing_in_english(qapp, arabic):
    from ui.widgets import plain_label

    label = plain_label(f"رقم {i18n.ltr(NUMBER)} في اليابان")
    label.setLayoutDirection(Qt.RightToLeft)
    assert_reads_left_to_right(label.text(), label.font(), label.layoutDirection(), NUMBER)
    i18n.set_language("en")
    assert i18n.ltr(NUMBER) == NUMBER
    i18n.set_language("ar")
    assert i18n.ltr("\u202e" + NUMBER) == i18n.ltr(NUMBER)  # outside marks cannot unbalance it


def test_the_customer_line_shows_the_number_in_order(qapp, arabic):
    """The resolution line under the customer field, from the Arabic catalogue."""
    from ui.widgets import plain_label

    text = i18n._("{number}: {kind} in {country}").format(number=NUMBER, kind="هاتف", country="اليابان")
    label = plain_label(text)
    label.setLayoutDirection(Qt.RightToLeft)
    assert_reads_left_to_right(label.text(), label.font(), label.layoutDirection(), NUMBER)


def test_the_palette_shows_shortcuts_in_order(qtbot, arabic):
    from ui.palette import CommandPalette
    from ui.services import Command

    palette = CommandPalette([Command(i18n._("Settings…"), lambda: None, "Ctrl+,"),
                              Command(i18n._("Command palette…"), lambda: None, "Ctrl+K")])
    qtbot.addWidget(palette)
    palette.setLayoutDirection(Qt.RightToLeft)
    for row, shortcut in ((0, "Ctrl+,"), (1, "Ctrl+K")):
        item = palette.list.item(row)
        assert_reads_left_to_right(item.text(), palette.list.font(), palette.list.layoutDirection(), shortcut)
