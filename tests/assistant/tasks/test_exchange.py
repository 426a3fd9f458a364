"""CSV and JSON export/import: lossless round trip, all-or-nothing import with the bad
row's line number."""

from datetime import timedelta

import pytest

from assistant.customer import CustomerContext
from assistant.tasks.exchange import TaskImportError, export_tasks, import_tasks
from assistant.tasks.model import Task
from assistant.tasks.store import TaskStore
from assistant.tasks.timeutil import utc

NOW = utc(2026, 11, 23, 14)
H = timedelta(hours=1)


def fill(store):
    store.add(Task('Call back Mrs Ito, "refund"', priority="high", channel="call",
                   external_ref="https://crm.example/tickets/42?x=1,2",
                   notes="line one\nline two, with comma\n« ünïcødé » 日本語 =SUM(A1)",
                   tags=("refund", "vip"),
                   customer=CustomerContext(name="Ito Hana", phone="+81312345678", country="JP",
                                            zone="Asia/Tokyo", language="ja"),
                   follow_up_at=NOW + 3 * H), NOW)
    waiting = store.add(Task("Waiting one", channel="email", snoozed_until=NOW + 2 * H), NOW)
    store.set_status(waiting.id, "waiting", NOW + H)
    done = store.add(Task("Done one", priority="low"), NOW)
    store.mark_done(done.id, NOW + 2 * H)
    store.add(Task("Plain"), NOW)


def fresh_store(tmp_path, name, config):
    from assistant.storage.database import open_database

    opened = open_database(tmp_path / f"{name}.db")
    return TaskStore(opened.db, config), opened


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_is_lossless(store, tmp_path, queue_config, fmt):
    fill(store)
    exported = export_tasks(store, fmt)
    other, opened = fresh_store(tmp_path, "other", queue_config)
    try:
        result = import_tasks(other, exported, fmt)
        assert (result.added, result.replaced) == (4, 0)
        assert other.all_tasks() == store.all_tasks()
        assert export_tasks(other, fmt) == exported
        # importing the same file again replaces, never duplicates
        again = import_tasks(other, exported, fmt)
        assert (again.added, again.replaced) == (0, 4)
        assert other.all_tasks() == store.all_tasks()
    finally:
        opened.close()


def test_csv_and_json_carry_the_same_tasks(store, tmp_path, queue_config):
    fill(store)
    a, opened_a = fresh_store(tmp_path, "a", queue_config)
    b, opened_b = fresh_store(tmp_path, "b", queue_config)
    try:
        import_tasks(a, export_tasks(store, "csv"), "csv")
        import_tasks(b, export_tasks(store, "json"), "json")
        assert a.all_tasks() == b.all_tasks() == store.all_tasks()
    finally:
        opened_a.close()
        opened_b.close()


def test_a_bad_csv_row_is_reported_with_its_line_and_nothing_is_imported(store):
    store.add(Task("Already here"), NOW)
    text = (
        "title,priority,created_at,notes\n"
        'First,high,2026-11-23T10:00:00Z,"two\nlines"\n'      # lines 2-3
        "Second,normal,2026-11-23T10:00:00Z,\n"               # line 4
        "Third,urgentt,2026-11-23T10:00:00Z,\n"               # line 5: bad priority
        "Fourth,low,2026-11-23T10:00:00Z,\n")
    with pytest.raises(TaskImportError) as info:
        import_tasks(store, text, "csv")
    assert info.value.line == 5
    assert str(info.value).startswith("Line 5:") and "urgentt" in str(info.value)
    assert [t.title for t in store.all_tasks()] == ["Already here"]


@pytest.mark.parametrize("row, message", [
    ("X,normal,not a time,", "created_at"),
    (",normal,2026-11-23T10:00:00Z,", "title"),
    ("X,normal,2026-11-23T10:00:00,", "UTC offset"),
    ("X,normal,2026-11-23T10:00:00Z,,extra", "cells"),
])
def test_bad_csv_values(store, row, message):
    text = f"title,priority,created_at,notes\nGood,low,2026-11-23T10:00:00Z,\n{row}\n"
    with pytest.raises(TaskImportError, match=message) as info:
        import_tasks(store, text, "csv")
    assert info.value.line == 3
    assert store.count() == 0


def test_unknown_csv_column_is_refused(store):
    with pytest.raises(TaskImportError, match="priorty") as info:
        import_tasks(store, "title,priorty\nX,high\n", "csv")
    assert info.value.line == 1


def test_a_bad_json_row_is_reported_with_its_line(store):
    text = """[
  {"title": "One", "created_at": "2026-11-23T10:00:00Z"},
  {
    "title": "Two",
    "created_at": "2026-11-23T10:00:00Z",
    "customer_zone": "Mars/Olympus"
  },
  {"title": "Three", "created_at": "2026-11-23T10:00:00Z"}
]"""
    with pytest.raises(TaskImportError) as info:
        import_tasks(store, text, "json")
    assert info.value.line == 3 and "Mars/Olympus" in str(info.value)
    assert store.count() == 0


@pytest.mark.parametrize("text, line", [
    ('[\n{"title": "A", "created_at": "2026-11-23T10:00:00Z"},\n{"title": }\n]', 3),
    ('{"title": "A"}', 1),
    ('[\n{"title": "A", "created_at": "2026-11-23T10:00:00Z"}\n\n"just text"\n]', 4),
    ('[\n{"title": "A", "created_at": "2026-11-23T10:00:00Z", "tags": 5}\n]', 2),
    ('[\n{"title": "A", "created_at": "2026-11-23T10:00:00Z", "uid": "u1"},\n'
     '{"title": "B", "created_at": "2026-11-23T10:00:00Z", "uid": "u1"}\n]', 3),
])
def test_malformed_json(store, text, line):
    with pytest.raises(TaskImportError) as info:
        import_tasks(store, text, "json")
    assert info.value.line == line
    assert store.count() == 0


def test_imported_tasks_without_deadlines_get_the_sla(store):
    result = import_tasks(store, "title,priority,created_at\nX,urgent,2026-11-23T10:00:00Z\n", "csv")
    assert result.added == 1
    task = store.all_tasks()[0]
    assert task.resolution_due_at == utc(2026, 11, 23, 14)  # urgent: 4 calendar hours
    assert task.uid


def test_an_existing_id_is_not_overwritten(store):
    store.add(Task("Mine"), NOW)
    import_tasks(store, "id,title,created_at\n1,Theirs,2026-11-23T10:00:00Z\n", "csv")
    assert [(t.id, t.title) for t in store.all_tasks()] == [(1, "Mine"), (2, "Theirs")]


def _many(count: int, first_id: int = 1) -> str:
    rows = "".join(f"{i},u{i},Task {i},2026-11-23T10:00:00Z\n" for i in range(first_id, first_id + count))
    return "id,uid,title,created_at\n" + rows


def test_a_large_import_reports_progress_batch_by_batch(store, monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 3)
    calls = []
    result = import_tasks(store, _many(7), "csv", progress=lambda *call: calls.append(call))
    assert (result.added, result.replaced) == (7, 0)
    assert calls == [(exchange.PARSING, 3, None), (exchange.PARSING, 6, None),
                     (exchange.WRITING, 3, 7), (exchange.WRITING, 6, 7), (exchange.WRITING, 7, 7)]
    # the same file again, in batches too: every task replaced, none duplicated
    calls.clear()
    again = import_tasks(store, _many(7), "csv", progress=lambda *call: calls.append(call))
    assert (again.added, again.replaced) == (0, 7) and store.count() == 7
    assert calls[-1] == (exchange.WRITING, 7, 7)


def test_ids_across_batches_are_kept_when_free_and_assigned_after_the_highest(store, monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 2)
    store.add(Task("Mine"), NOW)  # id 1
    text = ("id,uid,title,created_at\n"
            "1,a,Clash,2026-11-23T10:00:00Z\n"  # id taken: gets the next one (2)
            "10,b,Free,2026-11-23T10:00:00Z\n"
            ",c,No id,2026-11-23T10:00:00Z\n"  # after the highest so far (11)
            "2,d,Taken by the first,2026-11-23T10:00:00Z\n")  # 2 went to the first row: 12
    import_tasks(store, text, "csv")
    assert [(t.id, t.title) for t in store.all_tasks()] == [
        (1, "Mine"), (2, "Clash"), (10, "Free"), (11, "No id"), (12, "Taken by the first")]


def test_a_bad_row_in_a_later_batch_leaves_the_queue_as_it_was(store, monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 2)
    text = _many(5) + "6,u6,Bad,not a time\n"
    with pytest.raises(TaskImportError) as info:
        import_tasks(store, text, "csv")
    assert info.value.line == 7 and store.count() == 0


def test_json_line_numbers_stay_right_far_into_a_file(store):
    rows = [f'{{"title": "T{i}", "created_at": "2026-11-23T10:00:00Z"}}' for i in range(300)]
    rows[250] = '{"title": "T250",\n "created_at": "yesterday"}'
    with pytest.raises(TaskImportError) as info:
        import_tasks(store, "[\n" + ",\n".join(rows) + "\n]", "json")
    assert info.value.line == 252


def test_cli_import_shows_progress(tmp_path, run_cli, monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 4)
    path = tmp_path / "tasks.csv"
    path.write_text(_many(10), encoding="utf-8")
    code, out, err = run_cli("--data-dir", str(tmp_path / "data"), "tasks", "import", str(path))
    assert code == 0 and "Imported 10 new task(s), replaced 0." in out
    lines = err.splitlines()
    assert "Checked 8 tasks…" in lines
    assert lines[-1] == "Writing: 10 of 10 tasks (100%)"


def test_an_import_is_one_change_notice_and_keeps_the_change_triggers(store):
    def counter():
        return store.conn.execute("SELECT n FROM change_counters WHERE topic = 'tasks'").fetchone()[0]

    def triggers():
        return store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name = 'tasks' ORDER BY name").fetchall()

    before, kept = counter(), triggers()
    assert len([name for name, _sql in kept if name.startswith("changes_")]) == 3  # and the search index's
    import_tasks(store, _many(50), "csv")
    assert counter() == before + 1 and triggers() == kept
    store.add(Task("After"), NOW)  # the triggers still count single writes
    assert counter() == before + 2
    with pytest.raises(TaskImportError):  # a refused file: no notice, triggers as they were
        import_tasks(store, _many(3, first_id=100) + "x,bad,Bad,2026-11-23T10:00:00Z\n", "csv")
    assert counter() == before + 2 and triggers() == kept


# -- the search index after an import (kept in bulk, not by the per-row triggers) --------

WORDS = ("Ito", "refund", "Kept title", "Renamed", "Brand new", "Old name", "New name", "T-7", "T-9",
         "line two", "Twice", "second go", "first go", "Plain")


def _found(store):
    """What the search finds, word by word: the queue's view and the index itself."""
    from assistant.tasks.store import Filters

    return {word: (sorted(r.task.id for r in store.view("all", NOW, Filters(text=word), limit=None)),
                   [r[0] for r in store.conn.execute("SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ? "
                                                     "ORDER BY rowid", (f'"{word}"',))])
            for word in WORDS}


def _index_matches_the_tasks(store):
    # raises "database disk image is malformed" when an entry differs from its row
    store.conn.execute("INSERT INTO tasks_fts (tasks_fts, rank) VALUES ('integrity-check', 1)")


def _rebuilt(store):
    with store.db.atomic():
        store.conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild')")
    return _found(store)


def test_search_after_an_import_finds_what_a_rebuilt_index_finds(store, monkeypatch):
    from assistant.tasks import exchange

    monkeypatch.setattr(exchange, "BATCH", 2)  # replaced and new tasks across several batches
    fill(store)
    import_tasks(store, "uid,title,notes,external_ref,customer_name,created_at\n"
                        "a,Kept title,line two,T-7,Old name,2026-11-23T10:00:00Z\n"
                        "b,To be renamed,,T-8,Old name,2026-11-23T10:00:00Z\n"
                        "c,Same text,,,Old name,2026-11-23T10:00:00Z\n", "csv")
    _index_matches_the_tasks(store)
    before = _found(store)
    assert before["Old name"][0] == before["Old name"][1] and len(before["Old name"][0]) == 3
    result = import_tasks(store, "uid,title,notes,external_ref,customer_name,created_at\n"
                                 "a,Kept title,line two,T-7,Old name,2026-11-23T11:00:00Z\n"  # same text
                                 "n1,Brand new,,T-9,New name,2026-11-23T10:00:00Z\n"
                                 "b,Renamed,,T-8,,2026-11-23T10:00:00Z\n"  # text changed
                                 "c,Same text,,,New name,2026-11-23T10:00:00Z\n"  # customer changed
                                 "n2,Brand new too,line two,,,2026-11-23T10:00:00Z\n", "csv")
    assert (result.added, result.replaced) == (2, 3)
    _index_matches_the_tasks(store)
    found = _found(store)
    assert found == _rebuilt(store)
    ids = {t.uid: t.id for t in store.all_tasks()}
    assert found["Renamed"][0] == [ids["b"]] and found["Old name"][0] == [ids["a"]]
    assert found["New name"][0] == sorted([ids["c"], ids["n1"]])
    assert found["line two"][0] == sorted([1, ids["a"], ids["n2"]])  # fill()'s first task too


def test_a_task_written_twice_in_one_import_is_indexed_once_as_last_written(store):
    first = Task("first go", uid="twice", created_at=NOW)
    store.import_all([first, Task("Other", created_at=NOW), Task("Twice, second go", uid="twice", created_at=NOW)],
                     batch=1)
    _index_matches_the_tasks(store)
    found = _found(store)
    assert found["second go"][0] == [1] and found["first go"] == ([], [])
    assert found == _rebuilt(store)


def test_a_failed_import_leaves_the_index_and_its_triggers_as_they_were(store):
    fill(store)
    import_tasks(store, "uid,title,customer_name,created_at\na,Kept title,Old name,2026-11-23T10:00:00Z\n", "csv")
    triggers = store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "ORDER BY name").fetchall()
    assert {"tasks_fts_insert", "tasks_fts_update", "tasks_fts_delete"} <= {name for name, _ in triggers}
    before, count = _found(store), store.count()

    def fail(done, total):
        if done > 1:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        store.import_all([Task("Renamed", uid="a", created_at=NOW), Task("Brand new", created_at=NOW),
                          Task("Brand new too", created_at=NOW)], progress=fail, batch=1)
    assert store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                              "ORDER BY name").fetchall() == triggers
    assert store.count() == count and _found(store) == before
    _index_matches_the_tasks(store)
    store.add(Task("Brand new after"), NOW)  # the triggers index single writes again
    assert _found(store)["Brand new"][0] == [store.count()]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_makes_each_tasks_record_once(store, monkeypatch, fmt):
    """The JSON export made every task's whole record once per field (23 times): 100,000
    tasks took 32 s against the CSV export's 3 s. Each line is that one record, in FIELDS order."""
    import json

    from assistant.tasks import exchange

    fill(store)
    made = []
    real = exchange.task_record
    monkeypatch.setattr(exchange, "task_record", lambda task: made.append(task.id) or real(task))
    exported = export_tasks(store, fmt)
    assert sorted(made) == sorted(t.id for t in store.all_tasks())
    if fmt == "json":
        lines = exported.strip().splitlines()[1:-1]
        records = [json.loads(line.rstrip(",")) for line in lines]
        assert [list(r) for r in records] == [list(exchange.FIELDS)] * len(records)
        assert records == [{k: real(t)[k] for k in exchange.FIELDS} for t in store.all_tasks()]


def test_what_an_import_made_is_freed_before_the_collector_is_back(store, monkeypatch):
    """Issue 18: the import puts the collector off; what it parsed is freed before it is
    back, or its first pass (on whichever thread allocates next, holding the GIL) walks all
    of it once more."""
    import gc

    for i in range(1000):
        store.add(Task(f"Task {i}", notes="a note", tags=("refund",)), NOW)
    exported = export_tasks(store, "csv")
    young = []
    real_enable = gc.enable
    monkeypatch.setattr(gc, "enable", lambda: (young.append(len(gc.get_objects(generation=0))), real_enable()))
    result = import_tasks(store, exported, "csv")
    assert result.replaced == 1000
    assert young and young[0] < 1000  # 1,000 parsed tasks (tens of thousands of objects) already gone
