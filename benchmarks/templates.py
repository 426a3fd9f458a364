"""Reply templates at scale: the index build, search-as-you-type typed into the REAL Replies
panel, opening the panel, and render latency (issues 6 and 18).

Library: 50,000 templates with 3 languages each (en, es, fr), generated from the starter
pack's real sentences with random product words, names and numbers mixed in so the vocabulary
is large (as in a real team library), one product tag each (thousands of tags), and a usage
history (a fifth of the library used, heavy-tailed counts over 90 days, 200 favourites).
Queries: what an agent types, keystroke by keystroke (prefixes of title words, body words,
shortcuts, two-word queries, typos).

Bars:
- issue 18: p95 per keystroke typed into the panel <= 16 ms (search, list, preview and form of
  the first reply); opening the panel never blocks the GUI thread more than 50 ms (the longest
  gap of a 1 ms heartbeat timer from the panel shown until the library is listed; building
  the panel's widgets is reported apart: it happens with the window, at start-up); the
  customer changed while a query is typed (the list and reply follow their language, in the
  library or not, regional or not; the longest GUI-thread block until the reply is shown, a
  language's first use loading its dates' data on a thread): p95 <= 16 ms as a keystroke,
  none over 50 ms (one was 70-230 ms at 50,000 templates, computing an order for a language
  on the GUI thread), and
  the same with nothing typed (the library by use, then title: 13.0 -> 9.3 ms p95 at 50,000
  once only the listed first ones are sorted); index
  build <= 2 s and <= 100 MB (resident memory it adds, the templates already loaded); a
  template saved or duplicated in the panel is listed (and shown) at once, without reading
  the whole library again: p95 <= 50 ms on the GUI thread, the write included (the GUI
  thread is never to block longer; the baseline is the whole read it replaced); a template
  saved by another program (the hall hears of the write, not which templates) is listed
  within 1 s p95 of the hall's check, the GUI thread never blocked more than 50 ms
  meanwhile, without reading the whole library again; a CSV of 20,000 templates (the
  importer's cap; ``--quick``: 2,000) imported in the panel over the starter library, from
  the click (the preview answered at once) until confirmed and listed: the event loop never
  waits more than 50 ms, and it all takes at most 5 s (baseline: the same rows inserted
  bare; the import read, wrote and re-read the library on the GUI thread: 10.9 s frozen
  at 20,000, 1.07 s at 2,000);
- issue 6: index search p95 <= 10 ms (at the issue's 10,000 templates: ``--templates 10000``);
  render p95 <= 1 ms.
Baselines, same run: a naive linear scan (substring over each template's folded text) on the
same library and queries; filling the same list widget with 100 rows and showing a preview
(the least a keystroke in the panel can cost); and, for the choice of index, an SQLite FTS5
trigram index over the same folded keys (its build and its query time for the same words).

Run: ``.venv/bin/python benchmarks/templates.py [--templates 50000] [--quick]``; exits 1 and
names the bars it missed (one ``bar:`` line per bar, as every benchmark here).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _bars import Bars, add_quick  # noqa: E402  (this folder is on a script's import path)
from _measure import loop_gaps, percentile, turn_until  # noqa: E402
from assistant.customer import CustomerContext  # noqa: E402
from assistant.fuzzy import fold  # noqa: E402
from assistant.templates.compose import compose  # noqa: E402
from assistant.templates.model import Template, encode  # noqa: E402
from assistant.templates.render import render  # noqa: E402
from assistant.templates.search import SearchIndex, words  # noqa: E402
from assistant.packs.starter import starter_path  # noqa: E402

LANGS = ("en", "es", "fr")
EDITS = 30  # templates saved in the panel
OTHER_EDITS = 10  # templates saved by another program while the panel is open


def make_library(count: int, rng: random.Random) -> list[Template]:
    seeds = json.loads(starter_path().read_text(encoding="utf-8"))["templates"]
    extra = ["".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
             for _ in range(4000)]  # product names, internal jargon: a big vocabulary
    library = []
    for i in range(count):
        seed = seeds[i % len(seeds)]
        variants = {}
        words = rng.sample(extra, 3)
        for lang in LANGS:
            v = seed["variants"][lang]
            body = v["body"] + " " + " ".join(rng.sample(extra, 8)) + f" #{rng.randint(1000, 99999)}"
            variants[lang] = {"title": f"{v['title']} {words[0]} {words[1]}", "body": body}
        library.append(Template.from_dict({
            "id": f"bench.{i:05d}", "default_language": "en", "variants": variants,
            "tags": seed["tags"] + [words[2]], "shortcut": f";{words[0]}{i}",
            "variables": seed.get("variables") or {}, "sections": seed.get("sections") or []}))
    return library


def typed(word: str) -> list[str]:
    return [word[:k] for k in range(1, len(word) + 1)]


def make_queries(library: list[Template], rng: random.Random, count: int) -> list[str]:
    queries: list[str] = []
    while len(queries) < count:
        t = rng.choice(library)
        lang = rng.choice(LANGS)
        title_words = t.variants[lang].title.split()
        body_words = [w for w in t.variants[lang].body.split() if w.isalpha() and len(w) > 3]
        kind = rng.random()
        if kind < 0.4:
            queries += typed(rng.choice(title_words))
        elif kind < 0.6:
            queries += typed(rng.choice(body_words)) if body_words else []
        elif kind < 0.75:
            first, second = rng.choice(title_words), rng.choice(title_words)
            queries += [first + " " + p for p in typed(second)]
        elif kind < 0.9:
            word = rng.choice(title_words)
            if len(word) > 4:  # a typo: two letters swapped
                k = rng.randrange(len(word) - 1)
                queries.append(word[:k] + word[k + 1] + word[k] + word[k + 2:])
        else:
            queries += typed(t.shortcut or ";x")
    return queries[:count]


class NaiveScan:
    """The baseline: fold each template's text once, then substring-test every template."""

    def __init__(self, library: list[Template]):
        self.ids = [t.id for t in library]
        self.texts = [fold(" ".join([t.shortcut or "", *t.tags] + [f"{v.title} {v.body}" for v in t.variants.values()]))
                      for t in library]

    def search(self, query: str, limit: int = 50) -> list[str]:
        words = fold(query).split()
        return [self.ids[i] for i, text in enumerate(self.texts) if all(w in text for w in words)][:limit]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def peak_reset() -> None:
    """Start a new peak (VmHWM) from the current resident size (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))


def usage_history(library: list[Template], rng: random.Random, now: datetime) -> list[tuple]:
    """(id, count, last used, favourite): a fifth of the library used, few of them a lot."""
    used = rng.sample(library, max(1, len(library) // 5))
    rows = []
    for k, t in enumerate(used):
        count = max(1, int(rng.paretovariate(1.2)))
        last = now - timedelta(days=rng.uniform(0, 90))
        rows.append((t.id, count, last.isoformat(timespec="seconds"), int(k < 200)))
    return rows


class TrigramAlternative:
    """The other candidate the issue names: SQLite FTS5 with the trigram tokenizer over the
    same folded keys (titles, tags, shortcut) and bodies. Measured for the choice only."""

    def __init__(self, library: list[Template]):
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE VIRTUAL TABLE t USING fts5(keys, body, tokenize='trigram')")
        with self.conn:
            self.conn.executemany("INSERT INTO t (rowid, keys, body) VALUES (?, ?, ?)", (
                (i, " ".join(words(" ".join([*(v.title for v in t.variants.values()), *t.tags,
                                             t.shortcut or ""]))),
                 " ".join(words(" ".join(v.body for v in t.variants.values()))))
                for i, t in enumerate(library)))

    def search(self, query: str) -> list[int]:
        terms = [w for w in words(query) if len(w) >= 3]  # shorter ones cannot be looked up
        if not terms:
            return []
        match = " AND ".join('"' + w + '"' for w in terms)
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 3.0, 1.0) LIMIT 50", (match,))]


def fill_database(db, library: list[Template], usage: list[tuple]) -> None:
    from assistant.templates import store
    from assistant.packs.starter import ensure_starter_pack

    ensure_starter_pack(db)  # installed at first start: not part of what is measured
    with db.atomic():
        # a first install's write (what the pack install does for a new pack): one statement
        store.insert_new_team_templates(db, "bench", [
            (t.id, *encode(replace(t, origin=store.TEAM).to_dict()), t.locked) for t in library])
        db.conn.executemany("INSERT INTO template_usage (template_id, use_count, last_used, favourite) "
                            "VALUES (?, ?, ?, ?)", usage)


def close_panel(panel, services, runtime) -> None:
    """The panel closed, its work on the worker done, the database closed."""
    from PySide6.QtCore import QCoreApplication

    services.hall.stop()
    panel.close()
    panel.deleteLater()
    QCoreApplication.processEvents()
    services.pool.waitForDone(10000)
    runtime.close()


def measure_panel(library: list[Template], usage: list[tuple], queries: list[str]) -> dict:
    """Open the real Replies panel on a database holding the library, then type."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="bench-replies-")
    os.environ["AGENT_ASSISTANT_HOME"] = home
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem, QTextEdit

    from assistant.runtime import start
    from ui.context import CustomerContextHolder
    import sqlite_utils

    from ui.panels.replies import RepliesPanel
    from ui.services import AppServices
    from ui.upkeep import app_upkeep

    from ui.app import SWITCH_INTERVAL_S

    sys.setswitchinterval(SWITCH_INTERVAL_S)  # as the app runs (ui/app.py): the worker yields sooner
    app = QApplication.instance() or QApplication([])
    runtime = start()
    started = time.perf_counter()
    fill_database(runtime.db, library, usage)
    fill_s = time.perf_counter() - started
    services = AppServices(runtime, CustomerContextHolder())
    upkeep = app_upkeep(services)  # as the app: SQLite's housekeeping while quiet
    services.customer.set(CustomerContext(name="Ana López", country="ES", zone="Europe/Madrid", language="es"))

    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.PreciseTimer)
    heartbeat.setInterval(1)
    cpu: list[float] = []  # the GUI thread's own CPU time at each beat
    heartbeat.timeout.connect(lambda: (beats.append(time.perf_counter()), cpu.append(time.thread_time())))
    heartbeat.start()
    clock = QElapsedTimer()
    clock.start()
    arrivals: list[float] = []
    # what the GUI thread does when the library arrives (named _index_ready before issue 18)
    hook = "_library_read" if hasattr(RepliesPanel, "_library_read") else "_index_ready"
    real_read = getattr(RepliesPanel, hook)

    def library_read(self, result):
        t0 = time.perf_counter()
        real_read(self, result)
        arrivals.append((time.perf_counter() - t0) * 1000)

    setattr(RepliesPanel, hook, library_read)
    opened = time.perf_counter()
    panel = RepliesPanel(services)
    panel.resize(420, 720)
    panel.show()
    constructed, constructed_cpu = time.perf_counter(), time.thread_time()
    constructed_ms = (constructed - opened) * 1000
    while panel.index is None or panel.results.count() == 0:
        QCoreApplication.processEvents()
        if time.perf_counter() - opened > 600:
            raise SystemExit("the panel did not list the library within 10 minutes")
    QCoreApplication.processEvents()
    ready_s = time.perf_counter() - opened
    heartbeat.stop()
    # from the panel shown (built with the window, at start-up: benchmarks/startup.py) to
    # the library listed: the longest time the event loop did not turn
    gaps = [b - a for a, b in zip([constructed] + beats, beats + [time.perf_counter()])]
    longest_open_ms = max(gaps) * 1000
    cpu_gaps = [b - a for a, b in zip([constructed_cpu] + cpu, cpu + [time.thread_time()])]
    longest_cpu_ms = max(cpu_gaps) * 1000
    setattr(RepliesPanel, hook, real_read)

    keystrokes = []
    for q in queries[:30]:  # warm up
        panel.search.setText(q)
    for q in queries:
        t0 = time.perf_counter()
        panel.search.setText(q)  # textChanged -> search, list, preview, form: all synchronous
        QCoreApplication.processEvents()
        keystrokes.append((time.perf_counter() - t0) * 1000)
    listed = panel.results.count()

    # the customer changes (the customer bar, a call pop) while a query is typed: the list
    # follows the customer's language on the GUI thread; languages in the library and not
    # (ja, de), regional (pt_BR, es_MX); each context in turn, the first of each included
    contexts = [CustomerContext(name=f"Customer {k}", language=lang) for k, lang in
                enumerate(["fr", "ja", "en", "pt_BR", "es_MX", "de", "es"] * 4)]
    def set_each() -> list[float]:
        """Per change, the longest GUI-thread block until the reply is shown: the change
        and the pass after it, then each pass while a language's first use loads its
        dates' data on a thread (the panel's reply is None until then)."""
        times = []
        for context in contexts:
            t0 = time.perf_counter()
            services.customer.set(context)
            QCoreApplication.processEvents()
            longest = time.perf_counter() - t0
            while panel.reply is None and panel.current_entry() is not None:
                time.sleep(0.0002)
                step = time.perf_counter()
                QCoreApplication.processEvents()
                longest = max(longest, time.perf_counter() - step)
            times.append(longest * 1000)
        return times
    panel.search.setText(queries[len(queries) // 2])
    QCoreApplication.processEvents()
    customers = set_each()
    # and with nothing typed (most calls): the list is the library by use, then by title
    panel.search.clear()
    QCoreApplication.processEvents()
    customers_idle = set_each()

    # a template saved, as the panel's editor saves it (its write, the announcement, the
    # list and the reply shown again), then looked for by its new title word
    from assistant.templates import store
    from ui.panels import replies

    whole_reads = []
    real_whole_read = replies.read_library_file
    replies.read_library_file = lambda *a: whole_reads.append(1) or real_whole_read(*a)
    edits, found = [], 0
    for k in range(EDITS):
        target = library[(k * 7919) % len(library)]
        panel.search.setText(target.shortcut)  # the agent finds it, then edits it
        QCoreApplication.processEvents()
        data = target.to_dict()
        data["variants"]["es"]["title"] = f"Editada zqx{k:03d} " + data["variants"]["es"]["title"]
        edited = Template.from_dict(data)
        t0 = time.perf_counter()
        store.save_personal(runtime.db, edited)
        panel._announce(edited.id)
        panel.select_template(edited.id)
        QCoreApplication.processEvents()
        edits.append((time.perf_counter() - t0) * 1000)
        shown = panel.current_id == edited.id and panel.reply is not None and \
            f"Editada zqx{k:03d}" in panel.results.currentItem().text()
        panel.search.setText(f"zqx{k:03d}")
        found += shown and panel.results.count() == 1 and panel.current_id == edited.id
        if k < EDITS // 3:  # and a copy of it, as the panel's Duplicate makes
            t0 = time.perf_counter()
            panel.duplicate_current()
            QCoreApplication.processEvents()
            edits.append((time.perf_counter() - t0) * 1000)
            found += panel.current_id not in (None, edited.id) and panel.current_id in panel.entries

    # templates saved by another program (the CLI, IT's script): the hall hears of a write
    # but not which templates; from its check to the template listed, and the GUI thread's
    # longest block meanwhile (a 1 ms heartbeat)
    edit_reads = len(whole_reads)
    services.hall.watch(runtime.conn)
    other = sqlite_utils.Database(sqlite3.connect(runtime.data_dir.database))
    others, other_found, other_blocks = [], 0, []
    for k in range(OTHER_EDITS):
        target = library[(k * 4099 + 17) % len(library)]
        data = target.to_dict()
        data["variants"]["es"]["title"] = f"Ajena zqy{k:03d} " + data["variants"]["es"]["title"]
        store.save_personal(other, Template.from_dict(data))
        beats.clear()
        heartbeat.start()
        t0 = time.perf_counter()
        services.hall.check()
        while not (target.id in panel.entries and panel.entries[target.id].layer == store.OVERRIDE):
            QCoreApplication.processEvents(QEventLoop.WaitForMoreEvents)  # as the app's loop: no spinning
            if time.perf_counter() - t0 > 120:
                break
        others.append((time.perf_counter() - t0) * 1000)
        heartbeat.stop()
        other_blocks.append(max(b - a for a, b in zip([t0] + beats, beats + [time.perf_counter()])) * 1000)
        panel.search.setText(f"zqy{k:03d}")
        other_found += panel.listed_ids() == [target.id]
    other.conn.close()
    replies.read_library_file = real_whole_read

    # baseline: the least a keystroke in this panel can cost
    bare_list, preview = QListWidget(), QTextEdit()
    bare_list.show()
    preview.show()
    titles = [t.variants["es"].title for t in library[:100]]
    bodies = [t.variants["es"].body for t in library[:len(queries)]]
    bare = []
    for body in bodies:
        t0 = time.perf_counter()
        bare_list.clear()
        for title in titles:
            bare_list.addItem(QListWidgetItem(title))
        bare_list.setCurrentRow(0)
        preview.setPlainText(body)
        QCoreApplication.processEvents()
        bare.append((time.perf_counter() - t0) * 1000)

    upkeep.stop()
    close_panel(panel, services, runtime)
    return {"fill_s": fill_s, "ready_s": ready_s, "longest_open_ms": longest_open_ms,
            "constructed_ms": constructed_ms, "longest_cpu_ms": longest_cpu_ms, "arrival_ms": max(arrivals or [0.0]),
            "keystrokes": keystrokes, "bare": bare, "listed_last": listed, "customers": customers,
            "customers_idle": customers_idle,
            "edits": edits, "edits_found": found, "whole_reads": edit_reads,
            "others": others, "others_found": other_found, "others_block_ms": max(other_blocks),
            "others_whole_reads": len(whole_reads) - edit_reads}


IMPORT_TEMPLATES = {False: 20_000, True: 2_000}  # the importer's cap (MAX_ROWS), --quick
IMPORT_BAR_S = 5.0


def measure_import(count: int) -> dict:
    """The Replies panel importing a CSV of ``count`` templates (the starter library shown,
    the preview answered at once), as the agent does it: the gaps of a 5 ms timer from the
    click until the import is confirmed and the panel lists every template, and how long
    that took; the baseline, the same rows as the import stores them inserted bare into a
    fresh database (``executemany``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["AGENT_ASSISTANT_HOME"] = home
    from PySide6.QtWidgets import QApplication

    from assistant.runtime import start
    from assistant.storage.database import open_database
    from assistant.templates.importers import read_file
    from ui.app import SWITCH_INTERVAL_S
    from ui.context import CustomerContextHolder
    from ui.panels.replies import RepliesPanel
    from ui.services import AppServices

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication([])
    source = Path(home) / "replies.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["title", "body", "tags", "language"])
        for i in range(count):
            out.writerow([f"Imported reply {i} about a refund",
                          f"Hello {{{{customer_first_name|there}}}}, your order {{{{order_id}}}} ({i}) is on "
                          f"its way. Kind regards, {{{{agent_name}}}}", "imported;refund", "en"])
    runtime = start()
    services = AppServices(runtime, CustomerContextHolder())
    panel = RepliesPanel(services)
    panel._ask = lambda _title, _text: True  # the preview, answered at once
    panel.resize(420, 720)
    panel.show()
    turn_until(lambda: panel.index is not None and panel.results.count() > 0, 120, 0.001)
    turn_until(lambda: False, 0.5, 0.001)  # the first reply's preview shown: the panel idle, as when the agent clicks
    before = len(panel.entries)
    gaps, total_s = loop_gaps(
        lambda: panel.import_file(str(source)),
        lambda: (panel.confirmation.text().startswith("Imported") and len(panel.entries) >= before + count
                 and panel._pending_read is None), 300)
    listed = len(panel.entries) - before
    close_panel(panel, services, runtime)

    # the baseline: the same rows, as stored, inserted bare (no reading, no checks, no panel)
    plan = read_file(source.name, source.read_bytes())
    rows = [(f"my.t{i}", *encode(Template.from_dict({**item.data, "id": f"my.t{i}"}, origin="personal").to_dict()),
             "now", "now") for i, item in enumerate(plan.items)]
    bare = open_database(Path(tempfile.mkdtemp(prefix="bench-import-bare-")) / "bare.db")
    t0 = time.perf_counter()
    with bare.db.conn:
        bare.db.conn.executemany("INSERT INTO personal_templates (template_id, data, content_hash, created_at, "
                                 "updated_at) VALUES (?, ?, ?, ?, ?)", rows)
    bare_s = time.perf_counter() - t0
    bare.close()
    return {"count": count, "listed": listed, "total_s": total_s, "gaps": gaps, "bare_s": bare_s}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--keystrokes", type=int, default=300, help="typed into the panel")
    parser.add_argument("--seed", type=int, default=6)
    add_quick(parser)  # 5,000 templates, fewer queries (CI)
    args = parser.parse_args()
    if args.quick:
        args.templates, args.queries, args.keystrokes = min(args.templates, 5_000), 500, 150
    rng = random.Random(args.seed)
    now = datetime.now(timezone.utc)

    library = make_library(args.templates, rng)
    variants = sum(len(t.variants) for t in library)
    peak_reset()
    before = rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    index = SearchIndex(library)
    build_s, build_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    build_mb = peak_mb() - before
    usage = usage_history(library, rng, now)
    queries = make_queries(library, rng, args.queries)
    for q in queries[:50]:  # warm caches, as the panel does at first show
        index.search(q)

    ours = timed(index.search, queries)
    naive = NaiveScan(library)
    baseline = timed(naive.search, queries[:100])  # ~80 ms each at 50,000: enough for its p95
    start = time.perf_counter()
    trigram = TrigramAlternative(library)
    trigram_build_s = time.perf_counter() - start
    trigram_ms = timed(trigram.search, queries)

    at = datetime(2026, 1, 15, 14, 0, tzinfo=timezone.utc)
    customer = CustomerContext(name="Ana López", country="ES", zone="Europe/Madrid", language="es")
    sample = [rng.choice(library) for _ in range(2000)]
    bodies = [t.variants["es"].body for t in sample]
    values = {"order_id": "A-1234", "ticket_id": "T-99", "agent_name": "Sam", "amount": "20 €",
              "customer_first_name": "Ana", "greeting": "Buenas tardes"}
    render_ms = timed(lambda body: render(body, values), bodies)
    compose_ms = timed(lambda t: compose(t, at=at, customer=customer, values=values), sample)
    mean_hits = round(statistics.mean(len(index.search(q)) for q in queries[:200]), 1)
    del index, naive, trigram

    panel = measure_panel(library, usage, make_queries(library, rng, args.keystrokes))
    keys = panel["keystrokes"]
    imported = measure_import(IMPORT_TEMPLATES[args.quick])

    p95 = percentile(ours, 95)
    key_p95 = percentile(keys, 95)
    bare_p95 = percentile(panel["bare"], 95)
    ms = lambda values: {"p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),  # noqa: E731
                         "max": round(max(values), 3)}
    report = {
        "templates": len(library), "variants": variants, "usage rows": len(usage),
        "machine load (1 min)": os.getloadavg()[0],
        "index": {"build_s": round(build_s, 2), "build_cpu_s (the machine is shared)": round(build_cpu_s, 2),
                  "build_added_mb": round(build_mb, 1),
                  "search_ms": ms(ours), "queries": len(ours), "mean_hits": mean_hits},
        "baseline naive scan ms": ms(baseline) | {"queries": len(baseline),
                                                  "ratio p95 ours/naive": round(p95 / percentile(baseline, 95), 3)},
        "alternative FTS5 trigram": {"build_s": round(trigram_build_s, 2), "search_ms": ms(trigram_ms),
                                     "note": "no typos, no prefix of 1-2 letters, no field weights"},
        "panel": {"database filled in s": round(panel["fill_s"], 1),
                  "open to listed s (on the worker)": round(panel["ready_s"], 2),
                  "longest GUI-thread block while reading and listing the library ms": round(panel["longest_open_ms"], 1),
                  "the same, GUI thread's own CPU time ms (the rest: waiting for a core or the GIL)":
                      round(panel["longest_cpu_ms"], 1),
                  "before that, constructing and showing the panel ms": round(panel["constructed_ms"], 1),
                  "of which: taking the library read on the worker ms": round(panel["arrival_ms"], 1),
                  "keystroke ms": ms(keys), "keystrokes": len(keys),
                  "a template saved or duplicated, listed and shown ms": ms(panel["edits"]),
                  "the same before (the whole library read again on the worker) s": round(panel["ready_s"], 2),
                  "saved templates found by their new title, copies listed, at once":
                      f"{panel['edits_found']} of {len(panel['edits'])}",
                  "a template saved by another program, from the hall's check to listed ms": ms(panel["others"]),
                  "the longest GUI-thread block meanwhile ms": round(panel["others_block_ms"], 1),
                  "templates saved by another program found by their new title":
                      f"{panel['others_found']} of {len(panel['others'])}",
                  "whole library reads started by those saves": panel["whole_reads"],
                  "whole library reads started by another program's": panel["others_whole_reads"],
                  "keystrokes over 16 ms": sum(k > 16.0 for k in keys),
                  "the customer changed, the list and reply in their language ms": ms(panel["customers"]),
                  "the customer changed, nothing typed ms": ms(panel["customers_idle"]),
                  "baseline bare list + preview ms": ms(panel["bare"]),
                  "ratio p95 keystroke/bare": round(key_p95 / bare_p95, 2) if bare_p95 else None},
        "render_ms": {"p50": round(percentile(render_ms, 50), 4), "p95": round(percentile(render_ms, 95), 4)},
        "compose_ms (values + render)": {"p50": round(percentile(compose_ms, 50), 4),
                                         "p95": round(percentile(compose_ms, 95), 4)},
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    bars = Bars("templates")
    bars.check(f"panel keystroke p95 at {len(library):,} templates", key_p95, 16.0, "ms")
    bars.check("opening the panel blocks the GUI thread", panel["longest_open_ms"], 50.0, "ms")
    bars.check(f"the customer changed, the list in their language, p95 at {len(library):,} templates",
               percentile(panel["customers"], 95), 16.0, "ms")
    bars.check("the customer changed, the longest", max(panel["customers"]), 50.0, "ms")
    bars.check(f"the customer changed, nothing typed, p95 at {len(library):,} templates",
               percentile(panel["customers_idle"], 95), 16.0, "ms")
    bars.check("the customer changed, nothing typed, the longest", max(panel["customers_idle"]), 50.0, "ms")
    bars.check(f"a template saved or duplicated, listed at once, p95 at {len(library):,} templates",
               percentile(panel["edits"], 95), 50.0, "ms")
    bars.require("every template saved or duplicated listed at once, no whole read",
                 panel["edits_found"] == len(panel["edits"]) and panel["whole_reads"] == 0,
                 f"{panel['edits_found']} of {len(panel['edits'])}, {panel['whole_reads']} whole reads")
    bars.check(f"a template saved by another program, listed, p95 at {len(library):,} templates",
               percentile(panel["others"], 95), 1000.0, "ms")
    bars.check("the GUI thread's longest block while another program's change is listed",
               panel["others_block_ms"], 50.0, "ms")
    bars.require("every template saved by another program listed, no whole read",
                 panel["others_found"] == len(panel["others"]) and panel["others_whole_reads"] == 0,
                 f"{panel['others_found']} of {len(panel['others'])}, {panel['others_whole_reads']} whole reads")
    print(f"import of {imported['count']:,} templates from CSV in the panel: {imported['total_s']:.2f} s to listed "
          f"({imported['listed']:,} listed; the same rows inserted bare {imported['bare_s']:.2f} s, "
          f"{imported['total_s'] / imported['bare_s']:.1f}x); a 5 ms timer's gaps, longest "
          + ", ".join(f"{g:.1f}" for g in sorted(imported["gaps"])[-5:]) + " ms")
    bars.require(f"every imported template listed ({imported['count']:,})", imported["listed"] >= imported["count"],
                 f"{imported['listed']:,} of {imported['count']:,}")
    bars.check(f"import of {imported['count']:,} templates: longest event-loop gap", max(imported["gaps"]), 50.0, "ms")
    bars.check(f"import of {imported['count']:,} templates, from the click to listed", imported["total_s"],
               IMPORT_BAR_S, "s")
    bars.check(f"index build at {len(library):,} templates", build_s, 2.0, "s")
    bars.check("index build adds", build_mb, 100.0, "MB")
    bars.check("render p95", percentile(render_ms, 95), 1.0, "ms")
    if args.templates <= 10_000:  # issue 6's bar is stated at 10,000 templates
        bars.check(f"index search p95 at {len(library):,} templates", p95, 10.0, "ms")
    return bars.exit_code()


if __name__ == "__main__":
    sys.exit(main())
