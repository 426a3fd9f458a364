"""Reply templates: search-as-you-type and render latency.

Library: 10,000 templates with 3 languages each (en, es, fr), generated from the starter
pack's real sentences with random product words, names and numbers mixed in so the vocabulary
is large (as in a real team library). Queries: what an agent types, keystroke by keystroke
(prefixes of title words, body words, shortcuts, two-word queries, typos).

Bars (issue 6): p95 per query <= 10 ms; render <= 1 ms.
Baseline, same run: a naive linear scan (substring over each template's folded text, the
obvious implementation) on the same library and queries.

Run: ``.venv/bin/python benchmarks/templates.py [--templates 10000]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.customer import CustomerContext  # noqa: E402
from assistant.fuzzy import fold  # noqa: E402
from assistant.templates.compose import compose  # noqa: E402
from assistant.templates.model import Template  # noqa: E402
from assistant.templates.render import render  # noqa: E402
from assistant.templates.search import SearchIndex  # noqa: E402
from assistant.packs.starter import starter_path  # noqa: E402

LANGS = ("en", "es", "fr")


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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    library = make_library(args.templates, rng)
    variants = sum(len(t.variants) for t in library)
    start = time.perf_counter()
    index = SearchIndex(library)
    build_s = time.perf_counter() - start
    queries = make_queries(library, rng, args.queries)
    for q in queries[:50]:  # warm caches, as the panel does at first show
        index.search(q)

    ours = timed(index.search, queries)
    naive = NaiveScan(library)
    baseline = timed(naive.search, queries[: max(200, len(queries) // 5)])

    at = datetime(2026, 1, 15, 14, 0, tzinfo=timezone.utc)
    customer = CustomerContext(name="Ana López", country="ES", zone="Europe/Madrid", language="es")
    sample = [rng.choice(library) for _ in range(2000)]
    bodies = [t.variants["es"].body for t in sample]
    values = {"order_id": "A-1234", "ticket_id": "T-99", "agent_name": "Sam", "amount": "20 €",
              "customer_first_name": "Ana", "greeting": "Buenas tardes"}
    render_ms = timed(lambda body: render(body, values), bodies)
    compose_ms = timed(lambda t: compose(t, at=at, customer=customer, values=values), sample)

    p95 = percentile(ours, 95)
    report = {
        "templates": len(library), "variants": variants, "vocabulary": len(index.vocab),
        "index_build_s": round(build_s, 2), "queries": len(ours),
        "search_ms": {"p50": round(percentile(ours, 50), 3), "p95": round(p95, 3),
                      "max": round(max(ours), 3)},
        "baseline_naive_scan_ms": {"p50": round(percentile(baseline, 50), 3),
                                   "p95": round(percentile(baseline, 95), 3), "queries": len(baseline)},
        "render_ms": {"p50": round(percentile(render_ms, 50), 4), "p95": round(percentile(render_ms, 95), 4)},
        "compose_ms (values + render)": {"p50": round(percentile(compose_ms, 50), 4),
                                         "p95": round(percentile(compose_ms, 95), 4)},
        "bars": {"search p95 <= 10 ms": p95 <= 10.0,
                 "render p95 <= 1 ms": percentile(render_ms, 95) <= 1.0},
        "mean_hits": round(statistics.mean(len(index.search(q)) for q in queries[:200]), 1),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if all(report["bars"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
