"""A cheaper answer to PySide6's question about every imported module.

PySide6 asks of each module imported after it whether the module uses PySide6 (to apply
``from __feature__ import ...`` switches per module). Its answer reads the module's source
through ``inspect.getsource``, which keeps every source file in ``linecache`` for the life of
the process: about 8 MB of source text and ~0.25 ms per module, on whichever thread imports
(860 modules when the app is ready; issue 18's memory and start-up bars). The same question is
answered here from the file's raw bytes, kept nowhere. Modules without a ``.py`` file (built-in,
compiled, frozen, in the bundle's archive) go to PySide6's own answer, as before."""

from __future__ import annotations

import sys

_MARK = "_agent_assistant_raw_read"


def install() -> bool:
    """Answer PySide6's per-module question from raw bytes; True when in place (PySide6 loaded
    and its feature module has the function this replaces). Idempotent."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        return False
    if getattr(original, _MARK, False):
        return True

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    setattr(uses_pyside, _MARK, True)
    uses_pyside.original = original
    feature._mod_uses_pyside = uses_pyside
    return True
