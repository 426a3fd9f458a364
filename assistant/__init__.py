"""Agent Assistant core: domain logic, storage and engines. Never imports Qt widgets."""

# Loaded whole here, before any thread exists: imported for the first time by two threads at
# once (numpy on a worker, dateutil's lazy attributes under sqlite-utils on another), one of
# them can see it half-initialised and fail with NameError('sys') inside importlib (seen in
# about 1 of 1,200 races, tests/assistant/storage/test_database.py).
import importlib  # noqa: F401
import sys
import threading

__version__ = "0.1.0"
APP_NAME = "Agent Assistant"
APP_ID = "agent-assistant"


class _SqliteUtilsWithoutNumpy:
    """sqlite-utils imports numpy and pandas, when installed, only to map their column types,
    which we never store. numpy is installed for the translation engine and costs ~160 ms
    (measured, benchmarks/startup.py), so while ``sqlite_utils.db`` first runs, on whatever
    thread, its imports of numpy and pandas fail as if they were not installed. Only that
    thread is affected and ``sys.modules`` is never touched: another thread importing numpy
    meanwhile gets it, and if numpy is already loaded sqlite-utils simply uses it."""

    def __init__(self):
        self.loading = threading.local()

    def find_spec(self, fullname, path, target=None):
        if fullname in ("numpy", "pandas") and getattr(self.loading, "active", False):
            raise ModuleNotFoundError(f"{fullname} is not offered to sqlite-utils", name=fullname)
        if fullname != "sqlite_utils.db" or "numpy" in sys.modules:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _Loading(spec.loader, self.loading)
                    return spec
        return None


class _Loading:
    """A module's loader, run with the thread's ``active`` flag set."""

    def __init__(self, loader, flag: threading.local):
        self.loader = loader
        self.flag = flag

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.flag.active = True
        try:
            self.loader.exec_module(module)
        finally:
            self.flag.active = False


if not any(isinstance(finder, _SqliteUtilsWithoutNumpy) for finder in sys.meta_path):
    sys.meta_path.insert(0, _SqliteUtilsWithoutNumpy())
