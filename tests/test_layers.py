"""The layers hold: the core (``assistant/``) never imports Qt; the views (``ui/``) never
write SQL or touch the database themselves -- they call core functions, which own every
table, and announce what changed in the hall."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = sorted((REPO / "assistant").rglob("*.py"))
VIEWS = sorted((REPO / "ui").rglob("*.py"))

# database calls a view must leave to the core
DATABASE_CALLS = {"execute", "executemany", "executescript", "execute_returning_dicts", "atomic",
                  "insert_all", "upsert", "upsert_all", "delete_where", "create_table", "rows_where"}
SQL = re.compile(r"^\s*(SELECT\b.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|"
                 r"DELETE\s+FROM\b|REPLACE\s+INTO\b|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\b|"
                 r"DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\b|ALTER\s+TABLE\b|PRAGMA\s+\w+)",
                 re.IGNORECASE | re.DOTALL)


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def test_the_files_are_found():
    assert len(CORE) > 50 and len(VIEWS) > 20


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(REPO)))
def test_the_core_never_imports_qt(path):
    qt = [name for name in _imports(_tree(path)) if name.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6")]
    assert not qt, f"{path.relative_to(REPO)} imports {qt}: the core is Qt-free"


def view_database_access(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in DATABASE_CALLS:
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "db":
            found.append(f"line {node.lineno}: db[...] (a table)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(REPO)))
def test_views_do_not_touch_the_database_themselves(path):
    found = view_database_access(path)
    assert not found, f"{path.relative_to(REPO)} works on the database itself: {found}"


def test_the_view_check_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text("def save(self):\n"
                      "    with self.services.db.atomic():\n"
                      "        self.services.db['settings'].upsert({'key': 'k'})\n"
                      "        self.db.execute('DELETE FROM tasks')\n", encoding="utf-8")
    found = view_database_access(sample)
    assert len(found) == 5 and any("SQL" in f for f in found) and any("db[" in f for f in found)
