"""Agent Assistant core: domain logic, storage and engines. Never imports Qt widgets."""

__version__ = "0.1.0"
APP_NAME = "Agent Assistant"
APP_ID = "agent-assistant"


def _import_sqlite_utils_without_numpy() -> None:
    """sqlite-utils imports numpy and pandas, when installed, only to map their column types,
    which we never store. numpy is installed for the translation engine and costs ~160 ms
    at start-up (measured, benchmarks/startup.py), so sqlite-utils is imported once here
    with both hidden; numpy imports normally afterwards for the engine."""
    import sys

    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import numpy` raise ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_import_sqlite_utils_without_numpy()
