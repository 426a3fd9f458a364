"""The item models written in Python answer each cell in one call (``ui.item_models``):
a paint's cost while a worker holds the interpreter lock grows with its calls into Python."""

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from assistant.packs import manage


def entries_from_qt(paint) -> list[str]:
    """The Python functions Qt called (not those Python called) while ``paint`` ran."""
    caller, called = sys._getframe(), []

    def profile(frame, event, _arg):
        if event == "call" and frame.f_back is caller:
            called.append(frame.f_code.co_qualname)

    sys.setprofile(profile)
    try:
        paint()
    finally:
        sys.setprofile(None)
    return called


def painted_cells(view: QTableView) -> int:
    rows = view.rowAt(view.viewport().height() - 1) + 1 or view.model().rowCount()
    return (rows - view.rowAt(0)) * view.horizontalHeader().count()


def painted(qtbot, model) -> tuple[QTableView, list[str]]:
    """``model`` shown in a table and painted (a grab always paints): the view, and the
    Python functions Qt called for the paint."""
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.grab()  # the enum types Qt makes on first use
    return view, entries_from_qt(view.grab)


def test_the_packs_window_list_is_painted_one_call_per_cell(qtbot):
    from ui.pack_templates import PackTemplatesModel

    model = PackTemplatesModel(lambda ids: {tid: f"Title of {tid}" for tid in ids})
    model.set_listing(manage.PackListing([f"acme.t{i:04d}" for i in range(500)], {"acme.t0001": (True, False)}))
    view, called = painted(qtbot, model)
    assert "PackTemplatesModel.data" not in called  # every role through multiData
    assert 0 < called.count("OneCallPerCell.multiData") <= painted_cells(view)
    # what the view was given is what data says
    assert model.index(1, 0).data() == "Title of acme.t0001"
    assert model.index(1, 1).data(Qt.CheckStateRole) == Qt.Checked
    assert model.index(1, 2).data(Qt.CheckStateRole) == Qt.Unchecked
    assert model.index(1, 0).data(Qt.ToolTipRole) == model.data(model.index(1, 0), Qt.ToolTipRole)


def test_the_pack_editors_list_is_painted_one_call_per_cell(qtbot):
    from ui.pack_editor import TemplateListModel

    model = TemplateListModel()
    model.show({"templates": [{"id": f"team.t{i:03d}", "default_language": "en",
                               "variants": {"en": {"title": f"Reply {i}"}}} for i in range(300)]})
    view, called = painted(qtbot, model)
    assert "TemplateListModel.data" not in called
    assert 0 < called.count("OneCallPerCell.multiData") <= painted_cells(view)
    assert model.index(2).data() == "Reply 2  (team.t002)"
