"""Shared widgets of ui/widgets.py that are about layout, not text."""

from PySide6.QtCore import Qt


def test_a_flow_layout_wraps_instead_of_widening_and_mirrors_right_to_left(qtbot):
    """The customer's zone chips: three chips that do not fit side by side go onto a second
    line, so the window never needs to be wider (the chips' texts grow with the hour)."""
    from PySide6.QtWidgets import QToolButton, QWidget

    from ui.widgets import FlowLayout

    box = QWidget()
    qtbot.addWidget(box)
    layout = FlowLayout(box)
    chips = [QToolButton(text=f"Yekaterinburg {n}:01 PM") for n in (10, 11, 12)]
    for chip in chips:
        layout.addWidget(chip)
    width = chips[0].sizeHint().width() * 2 + 10  # room for two chips, not three
    box.resize(width, layout.heightForWidth(width))
    box.show()
    assert layout.minimumSize().width() <= chips[0].sizeHint().width() + 1  # never wider than one chip
    assert chips[0].y() == chips[1].y() < chips[2].y()  # the third wrapped
    assert chips[0].x() < chips[1].x()
    assert layout.heightForWidth(width) > chips[0].sizeHint().height()
    box.setLayoutDirection(Qt.RightToLeft)
    layout.setGeometry(box.rect())
    assert chips[0].x() > chips[1].x()  # right to left: the first chip at the right
    assert chips[0].geometry().right() == box.rect().right()
