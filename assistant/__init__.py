"""Agent Assistant core: domain logic, storage and engines. Never imports Qt widgets."""

import sys

__version__ = "0.1.0"
APP_NAME = "Agent Assistant"
APP_ID = "agent-assistant"


class _WithoutNumpy:
    """Runs a module's code with numpy and pandas hidden (``import numpy`` raises ImportError)."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None
        try:
            self.loader.exec_module(module)
        finally:
            for name in hidden:
                if sys.modules.get(name, False) is None:
                    del sys.modules[name]


class _SqliteUtilsWithoutNumpy:
    """sqlite-utils imports numpy and pandas, when installed, only to map their column types,
    which we never store. numpy is installed for the translation engine and costs ~160 ms
    (measured, benchmarks/startup.py), so wherever ``sqlite_utils.db`` is first imported it
    runs with both hidden; numpy imports normally afterwards for the engine. Hiding touches
    ``sys.modules``: the app first imports sqlite-utils on the GUI thread before its worker
    pool runs anything (``OpenedDatabase.complete``), so no other thread imports meanwhile."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "sqlite_utils.db" or "numpy" in sys.modules:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _WithoutNumpy(spec.loader)
                    return spec
        return None


if not any(isinstance(finder, _SqliteUtilsWithoutNumpy) for finder in sys.meta_path):
    sys.meta_path.insert(0, _SqliteUtilsWithoutNumpy())
