"""Benchmark: hostile pack files up to the size cap are refused (or accepted) within 2 s and
300 MB peak RSS (issue 13), on the paths a user feels: ``assistant pack validate``,
``assistant pack install`` and the inbox check the app runs in the background.

Each file is built at the pack size cap (``assistant.packs.format.MAX_PACK_BYTES``), or just
under the caps on values, objects and templates that the raw bytes are held to before parsing
(those let the most work through), and run through each path in a fresh process; the parent measures the process's wall time and its
peak RSS (``wait4``). Baselines measured in the same run: a bare ``assistant --version``
(interpreter and command line) and a valid pack of the same size through the same path.
Exits non-zero when any hostile file misses a bar.

    .venv/bin/python benchmarks/hostile_packs.py [--runs 1] [--cap BYTES] [--only NAME] [--quick]

--quick: every file once, through ``assistant pack validate`` only (the same cap and bars).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from _bars import Bars, add_quick  # noqa: E402  (this folder is on a script's import path)

BAR_SECONDS = 2.0
BAR_RSS_MB = 300.0
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
MEMORY_LIMIT = 6 * 1024**3  # address space per child


# -- the files ---------------------------------------------------------------------------

def _head(**extra) -> dict:
    data = {"format": "agent-assistant-pack", "format_version": 1, "id": "bench.hostile",
            "title": "Hostile", "publisher": "Bench", "version": 1, "created": "2026-11-01T08:00:00Z",
            "min_app_version": "0.1", "default_language": "en", "languages": ["en"], "templates": []}
    data.update(extra)
    return data


def _fill(prefix: bytes, item: bytes, suffix: bytes, cap: int, separator: bytes = b",") -> bytes:
    """prefix + item, item, ... + suffix, as close to ``cap`` bytes as the items allow."""
    room = cap - len(prefix) - len(suffix)
    count = max(1, (room + len(separator)) // (len(item) + len(separator)))
    return prefix + separator.join([item] * count) + suffix


def _around(data: dict, marker: str) -> tuple[bytes, bytes]:
    """The document's bytes split at ``marker`` (a string value placed where items go)."""
    text = json.dumps(data, ensure_ascii=False).encode("utf-8")
    before, _, after = text.partition(json.dumps(marker).encode())
    return before, after


def broken_templates(cap: int) -> bytes:
    # the issue's measured file: every template breaks the schema in several ways
    before, after = _around(_head(templates=["@"]), "@")
    return _fill(before, b'{"id":1,"variants":2,"x":3}', after, cap)


def zero_width_body(cap: int) -> bytes:
    template = {"id": "bench.zw", "default_language": "en", "variants": {"en": {"title": "Z", "body": "@"}}}
    before, after = _around(_head(templates=[template]), "@")
    count = (cap - len(before) - len(after) - 2) // 3
    return before + b'"' + "\u200b".encode() * count + b'"' + after


def zero_width_strings(cap: int) -> bytes:
    # many short strings, each with a hidden character: findings everywhere
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": ["@"]}}]), "@")
    before, after = before[:-1], after[1:]  # drop the list around the marker
    return _fill(before + b"[", '"a\u200bb"'.encode(), b"]" + after, cap)


def deep_nesting(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    depth = (cap - len(before) - len(after)) // 2
    return before + b"[" * depth + b"]" * depth + after


def huge_string(cap: int) -> bytes:
    before, after = _around(_head(title="@"), "@")
    return before + b'"' + b"a" * (cap - len(before) - len(after) - 2) + b'"' + after


def escaped_surrogates(cap: int) -> bytes:
    before, after = _around(_head(title="@"), "@")
    count = (cap - len(before) - len(after) - 2) // 6
    return before + b'"' + b"\\ud800" * count + b'"' + after


def many_languages(cap: int) -> bytes:
    codes = [f"{a}{b}{c}" for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz"
             for c in "abcdefghijklmnopqrstuvwxyz"]
    variants = {}
    size = 0
    for code in codes * 40:
        code = code if code not in variants else f"{code}_{len(variants) % 900 + 100:03d}"
        if code in variants:
            continue
        variants[code] = {"title": "T", "body": "B"}
        size += 40
        if size > cap // 2:
            break
    template = {"id": "bench.lang", "default_language": "aaa", "variants": variants}
    before, after = _around(_head(languages=["@"], templates=[template]), "@")
    before, after = before[:-1], after[1:]
    return _fill(before + b"[", b'"en"', b"]" + after, cap)


def huge_numbers(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    return _fill(before + b"[", b"1e999," + b"9" * 4000, b"]" + after, cap)


def many_numbers(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    return _fill(before + b"[", b"1.5", b"]" + after, cap)


def duplicate_keys(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": "@"}]), "@")
    return _fill(before + b"{", b'"a":0', b"}" + after, cap)


def empty_containers(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    return _fill(before + b"[", b"[]", b"]" + after, cap)


def empty_objects(cap: int) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    return _fill(before + b"[", b"{}", b"]" + after, cap)


def many_problems(cap: int) -> bytes:
    # schema-valid templates, each with a content problem (an undeclared placeholder)
    item = {"id": "t", "default_language": "en", "variants": {"en": {"title": "T", "body": "{{nope}}"}}}
    before, after = _around(_head(templates=["@"]), "@")
    raw = json.dumps(item, separators=(",", ":")).encode()
    count = (cap - len(before) - len(after)) // (len(raw) + 8)
    items = [raw.replace(b'"t"', f'"t{i}"'.encode()) for i in range(count)]
    return before + b",".join(items) + after


# -- files just under the count caps (what the byte counts let through is the real worst
#    case: each of these is far smaller than the size cap) --------------------------------

def _items_cap() -> int:
    from assistant.packs import format as fmt

    return getattr(fmt, "MAX_JSON_ITEMS", 750_000) - 100  # (defaults: to measure older code too)


def _containers_cap() -> int:
    from assistant.packs import format as fmt

    return getattr(fmt, "MAX_JSON_CONTAINERS", 200_000) - 100


def _in_card(content: bytes) -> bytes:
    before, after = _around(_head(cards=[{"country": "JP", "kind": "card", "content": {"x": "@"}}]), "@")
    return before + content + after


def issue_file(cap: int) -> bytes:
    # as measured in the issue: 2 MB of 200,000 broken templates (25 s and 2.9 GB then)
    return broken_templates(min(cap, 2_000_000))


def hidden_strings_under_caps(cap: int) -> bytes:
    return _in_card(b"[" + b",".join(['"a\u200bb"'.encode()] * _items_cap()) + b"]")


def hidden_keys_under_caps(cap: int) -> bytes:
    return _in_card(b"{" + b",".join(f'"k\u200b{i}":0'.encode() for i in range(_items_cap() // 2)) + b"}")


def objects_under_caps(cap: int) -> bytes:
    return _in_card(b"[" + b",".join([b"{}"] * _containers_cap()) + b"]")


def numbers_under_caps(cap: int) -> bytes:
    return _in_card(b"[" + b",".join([b"1.5"] * _items_cap()) + b"]")


def templates_at_cap(hidden: bool) -> bytes:
    from assistant.packs import format as fmt

    title = "T\u200b" if hidden else "T"
    items = [{"id": f"t{i}", "default_language": "en", "variants": {"en": {"title": title, "body": "B"}},
              **({} if hidden else {"x": 1})} for i in range(getattr(fmt, "MAX_TEMPLATES", 20_000))]
    return json.dumps(_head(templates=items), ensure_ascii=False).encode()


def valid_pack(cap: int) -> bytes:
    # the baseline: a real pack as large as the cap allows (templates of 6 languages)
    sys.path.insert(0, str(REPO / "benchmarks"))
    from packs import pack, template  # noqa: E402  (the 5,000-template benchmark's pack)

    sample = len(json.dumps(template(0), ensure_ascii=False).encode()) + 2
    count = max(1, int(cap * 0.97) // sample)
    data = pack(1, [template(i) for i in range(count)])
    data["id"] = "bench.valid"
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    while len(raw) > cap:
        data["templates"] = data["templates"][: int(len(data["templates"]) * 0.97)]
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return raw


HOSTILE = {
    "the issue's 2 MB file": issue_file,
    "broken templates": broken_templates,
    "zero-width body": zero_width_body,
    "zero-width strings": zero_width_strings,
    "deep nesting": deep_nesting,
    "huge string": huge_string,
    "escaped surrogates": escaped_surrogates,
    "many languages": many_languages,
    "huge numbers": huge_numbers,
    "many numbers": many_numbers,
    "duplicate keys": duplicate_keys,
    "empty arrays": empty_containers,
    "empty objects": empty_objects,
    "many problems": many_problems,
    "hidden strings, value cap": hidden_strings_under_caps,
    "hidden keys, value cap": hidden_keys_under_caps,
    "objects, container cap": objects_under_caps,
    "numbers, value cap": numbers_under_caps,
    "20,000 hidden titles": lambda cap: templates_at_cap(True),
    "20,000 broken templates": lambda cap: templates_at_cap(False),
}

# How each file reaches a path: (path, signature) — "garbage": a .minisig that is not one;
# "trusted": signed by a key the data folder trusts (the parse runs after the signature).
PLANS = [("validate", None), ("install", None), ("inbox", "garbage"), ("inbox", "trusted")]


# -- running one check in a fresh process --------------------------------------------------

def run_child(argv: list[str], env: dict, timeout: float = 60) -> tuple[float, float, int, str, float]:
    """(wall seconds, peak RSS MB, exit code, last stderr line, CPU seconds) of ``python
    ARGV...``, killed after ``timeout`` seconds. The peak is the child's own (VmHWM, written at
    its exit by _peak.py): ``wait4``'s figure would also count this process's peak at fork."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        err_file = Path(scratch) / "stderr"
        started = time.perf_counter()
        with err_file.open("wb") as err:
            proc = subprocess.Popen([sys.executable, str(HERE / "_peak.py"), str(peak_file)] + argv,
                                    env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
            # a runaway check must not take the (shared) machine down with it
            resource.prlimit(proc.pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        wall = time.perf_counter() - started
        peak = float(peak_file.read_text()) if peak_file.exists() else float("nan")
        lines = err_file.read_bytes().decode("utf-8", "replace").strip().splitlines()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, peak, code, (lines[-1] if lines else "")[:160], cpu


def child_inbox(data_dir: str, folder: str) -> int:
    """Child mode: the inbox check as the app runs it (collect, then install)."""
    from assistant.packs import inbox
    from assistant.runtime import start

    runtime = start(data_dir)
    try:
        report = inbox.Inbox().check(runtime.db, runtime.policy, NOW, Path(folder))
    finally:
        runtime.close()
    for name, reason in report.rejected:
        print(f"{name}: {reason}"[:300], file=sys.stderr)
    return 0 if report.installed else 1


# -- main ----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int)
    add_quick(parser)
    parser.add_argument("--cap", type=int, help="file size (default: the pack size cap)")
    parser.add_argument("--only", action="append", help="run only these hostile files (repeatable)")
    parser.add_argument("--child-inbox", nargs=2, metavar=("DATA", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_inbox:
        return child_inbox(*args.child_inbox)
    args.runs = args.runs or 1  # a verdict per file and path in make bench's 10 minutes; --runs 3 for medians
    plans = PLANS[:1] if args.quick else PLANS  # quick: every file through `pack validate`, once

    from assistant.packs import format as fmt
    from assistant.packs import signing

    cap = args.cap or fmt.MAX_PACK_BYTES
    names = [n for n in HOSTILE if not args.only or n in args.only]
    results: dict[tuple[str, str], list[tuple[float, float, int, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        key = signing.generate_keypair(tmp / "k.key", tmp / "k.pub", None)
        secret = signing.load_secret_key(key.secret_path, None)
        policy = tmp / "policy.json"
        policy.write_text(json.dumps({"trusted_publisher_keys": [key.info.public_key]}))
        env = {**os.environ, "AGENT_ASSISTANT_POLICY": str(policy), "PYTHONPATH": str(REPO),
               "QT_QPA_PLATFORM": "offscreen"}
        template_dir = tmp / "data-template"
        subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(template_dir), "pack", "list"],
                       env=env, check=True, stdout=subprocess.DEVNULL)

        files = {}
        for name in names + ["valid pack (baseline)"]:
            raw = HOSTILE.get(name, valid_pack)(cap)
            assert len(raw) <= cap, (name, len(raw), cap)
            folder = tmp / re.sub(r"[^A-Za-z0-9]+", "-", name)
            folder.mkdir()
            files[name] = folder / "pack.agentpack.json"
            files[name].write_bytes(raw)
            del raw  # the parent stays small: its children are what is measured

        def plan_argv(name: str, plan: str, signature: str | None, run: int) -> list[str]:
            path = files[name]
            data = tmp / f"data-{len(results)}-{run}"
            if data.exists():
                shutil.rmtree(data)
            shutil.copytree(template_dir, data)
            sig = path.with_name(path.name + signing.SIG_SUFFIX)
            sig.unlink(missing_ok=True)
            if signature == "garbage":
                sig.write_bytes(b"untrusted comment: not a signature\n" + b"A" * 200 + b"\n")
            elif signature == "trusted":
                sig.write_bytes(signing.sign_bytes(path.read_bytes(), secret, "timestamp:1795000000"))
            cli = ["-m", "assistant", "--data-dir", str(data), "pack"]
            if plan == "validate":
                return cli + ["validate", str(path)]
            if plan == "install":
                return cli + ["install", str(path), "--allow-unsigned"]
            return [str(Path(__file__).resolve()), "--child-inbox", str(data), str(path.parent)]

        bare = [run_child(["-m", "assistant", "--version"], env) for _ in range(args.runs)]
        for run in range(args.runs):  # interleaved, so every file sees the same machine load
            for name in files:
                for plan, signature in plans:
                    label = plan if signature is None else f"{plan} ({signature} signature)"
                    argv = plan_argv(name, plan, signature, run)
                    results.setdefault((name, label), []).append(run_child(argv, env))

    print(f"hostile packs at the size cap: {cap:,} bytes; {args.runs} runs each, medians (worst); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"baseline, bare `assistant --version`: {statistics.median(b[0] for b in bare):.2f} s, "
          f"{statistics.median(b[1] for b in bare):.0f} MB peak")
    failed = []
    width = max(len(n) for n, _ in results) + 2
    print(f"{'file':<{width}} {'path':<28} {'wall s':>12} {'cpu s':>6} {'peak MB':>12}  verdict")
    for (name, label), runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        cpu = statistics.median(r[4] for r in runs)
        code = runs[-1][2]
        verdict = "accepted" if code == 0 else "killed" if code < 0 else "refused"  # killed: the timeout
        # Accepting a valid pack also merges it into the library (thousands of templates), which
        # benchmarks/packs.py measures; the bar here is on the check, so `validate` holds it.
        held = not (verdict == "accepted" and label != "validate")
        ok = wall <= BAR_SECONDS and rss <= BAR_RSS_MB
        if held and not ok:
            failed.append(f"{name} / {label}")
        mark = ("PASS" if ok else "FAIL") if held else "(includes the merge: not held to the bar)"
        print(f"{name:<{width}} {label:<28} {wall:5.2f} ({max(r[0] for r in runs):5.2f}) {cpu:6.2f} "
              f"{rss:5.0f} ({max(r[1] for r in runs):4.0f})  {verdict:<8} {mark}")
        if runs[-1][3]:
            print(f"{'':<{width}}   {runs[-1][3]}")
    bars = Bars("hostile_packs")
    bars.require(f"every file up to the cap refused or accepted within {BAR_SECONDS:.0f} s and "
                 f"{BAR_RSS_MB:.0f} MB peak RSS (medians)", not failed, "; ".join(failed))
    return bars.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
