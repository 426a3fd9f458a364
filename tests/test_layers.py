"""The layers hold: the core (``assistant/``) never imports Qt; the views (``ui/``) never
write SQL or touch the database themselves -- they call core functions, which own every
table, and announce what changed in the hall. Inside the core, dependencies point down
(packs use templates, never the reverse) and each table has one owner module, the only one
that writes its rows (a migration module creates it)."""

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


# -- inside the core: one way between features, one owner per table ------------------------

TEMPLATES = sorted((REPO / "assistant" / "templates").rglob("*.py"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(REPO)))
def test_templates_never_import_packs(path):
    packs = [name for name in _imports(_tree(path)) if name == "assistant.packs" or name.startswith("assistant.packs.")]
    packs += [f"assistant.packs.{alias.name}" for node in ast.walk(_tree(path))
              if isinstance(node, ast.ImportFrom) and node.module == "assistant" for alias in node.names
              if alias.name == "packs"]
    assert not packs, f"{path.relative_to(REPO)} imports {packs}: packs build on templates, never the reverse"


# The one module that writes each table's rows (its migration module creates it).
OWNERS = {
    "settings": "assistant/settings.py",
    "change_counters": "assistant/storage/changes.py",
    "customer_recents": "assistant/customer/memory.py",
    "customer_pins": "assistant/customer/memory.py",
    "tasks": "assistant/tasks/store.py",
    "tasks_fts": "assistant/tasks/store.py",  # by triggers, and in bulk by the import
    "task_notices": "assistant/tasks/notices.py",
    "team_templates": "assistant/templates/store.py",
    "personal_templates": "assistant/templates/store.py",
    "template_usage": "assistant/templates/store.py",
    "packs": "assistant/packs/install.py",
    "pack_high_water": "assistant/packs/install.py",
    "pack_history": "assistant/packs/install.py",
    "pack_cards": "assistant/packs/install.py",
    "pack_glossary": "assistant/packs/install.py",
    "pack_template_sources": "assistant/packs/install.py",
    "pack_template_prefs": "assistant/packs/manage.py",
    "trusted_keys": "assistant/packs/trust.py",
    "glossary_terms": "assistant/translation/glossary.py",
    "translation_history": "assistant/translation/history.py",
}
ROW_WRITES = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
                        r"\s+[\"`\[]?(\w+)", re.IGNORECASE)
ROW_METHODS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}


def _leading_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _is_database(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("db", "conn")) or \
        (isinstance(node, ast.Attribute) and node.attr in ("db", "conn"))


def tables_written(path: Path) -> set[str]:
    """Tables whose rows ``path`` writes: SQL statements and sqlite-utils table calls."""
    found = set()
    for node in ast.walk(_tree(path)):
        text = _leading_text(node)
        if text is not None:
            match = ROW_WRITES.match(text)
            if match:
                found.add(match.group(1))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ROW_METHODS:
            table = node.func.value
            if isinstance(table, ast.Subscript) and _is_database(table.value) \
                    and isinstance(table.slice, ast.Constant) and isinstance(table.slice.value, str):
                found.add(table.slice.value)
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(REPO)))
def test_only_the_owner_module_writes_a_table(path):
    where = str(path.relative_to(REPO))
    for table in tables_written(path):
        assert table in OWNERS, f"{where} writes the table {table!r}: name its owner module in OWNERS"
        assert OWNERS[table] == where, (f"{where} writes {table!r}, which {OWNERS[table]} owns: "
                                        f"call the owner's functions instead")


def test_every_owner_writes_its_tables():
    written = {table: {str(p.relative_to(REPO)) for p in CORE if table in tables_written(p)} for table in OWNERS}
    assert written == {table: {owner} for table, owner in OWNERS.items()}


def test_the_owner_check_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "packs.py"
    sample.write_text("def merge(db, doc, rows, pid):\n"
                      "    db.execute('UPDATE team_templates SET hidden = 1')\n"
                      "    db.execute(f'DELETE FROM personal_templates WHERE id IN ({rows})')\n"
                      "    db['template_usage'].upsert({'template_id': 'x'})\n"
                      "    doc['templates'].insert(0, {})  # a list, not a table\n"
                      "    db.execute('SELECT * FROM tasks')  # reading is fine\n", encoding="utf-8")
    assert tables_written(sample) == {"team_templates", "personal_templates", "template_usage"}
