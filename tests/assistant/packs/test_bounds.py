"""Every step of checking a pack is bounded before the pack is trusted: counts in the raw
bytes before parsing, the counts each check loops over, problems collected, hidden
characters listed. (Time and memory at the size cap: benchmarks/hostile_packs.py.)"""

from __future__ import annotations

import json

import pytest

from assistant.packs import format as fmt
from assistant import textsafety
from assistant.packs import install, manage
from assistant.policy import Policy


def _schema_limit(*path):
    node = fmt.load_schema()
    for part in path:
        node = node[part]
    return node


def test_the_caps_agree_with_the_schema():
    assert fmt.MAX_TEMPLATES == _schema_limit("properties", "templates", "maxItems")
    assert fmt.MAX_LANGUAGES == _schema_limit("properties", "languages", "maxItems")
    lengths = []

    def walk(node):
        if isinstance(node, dict):
            if "maxLength" in node:
                lengths.append(node["maxLength"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(fmt.load_schema())
    assert fmt.MAX_SCHEMA_STRING == max(lengths)


def test_placeholders_are_not_counted_as_objects():
    # 300,000 '{{' of template text: far more braces than the cap on objects, all text
    fmt.check_bounds(b'{"body": "' + b"{{x}} " * 300_000 + b'"}')
    with pytest.raises(fmt.PackRejected) as caught:
        fmt.check_bounds(b"[" + b"{}," * 200_000 + b"{}]")
    assert str(caught.value) == ("size: the file has 200,002 brackets that may open objects or arrays; "
                                 "a pack has at most 200,000")


def test_a_pack_over_the_size_cap_is_refused_before_it_is_read(packs):
    path = packs.folder / "big.agentpack.json"
    with path.open("wb") as handle:
        handle.truncate(fmt.MAX_PACK_BYTES + 1)
    pack, problems = fmt.check_file(path)
    assert pack is None
    assert str(problems[0]) == (f"size: the file is {fmt.MAX_PACK_BYTES + 1:,} bytes; packs are limited to "
                                f"{fmt.MAX_PACK_BYTES:,} bytes")


def test_hidden_characters_are_listed_up_to_the_cap_and_the_rest_counted(runtime, trusted, packs, make_pack, now):
    data = make_pack(1)
    data["templates"][0]["variants"]["en"]["body"] = "Hello" + "\u200b" * 1_000
    install.install_file(runtime.db, Policy(), packs.write(data), now=now)
    warnings = manage.get_pack(runtime.db, "acme.refunds").warnings
    assert len(warnings) == fmt.MAX_FINDINGS + 1
    assert warnings[0]["message"] == "invisible character U+200B ZERO WIDTH SPACE at character 6"
    assert warnings[-1] == {"check": "content", "severity": "warning", "template": None, "field": None,
                            "message": "and 800 more hidden or control characters (only the first 200 are listed)"}


def test_an_error_beyond_the_listing_cap_still_refuses_the_pack(runtime, trusted, packs, make_pack, now):
    data = make_pack(1)
    data["templates"][0]["variants"]["en"]["body"] = "\u200b" * 300  # warnings fill the list
    data["templates"][1]["variants"]["en"]["body"] = "Hi \u0007 there"  # an error, not listed
    with pytest.raises(fmt.PackRejected) as caught:
        install.install_file(runtime.db, Policy(), packs.write(data), now=now)
    assert str(caught.value) == "content: and 1 more hidden or control characters (only the first 200 are listed)"
    assert manage.list_packs(runtime.db) == []


def test_a_field_of_millions_of_hidden_characters_is_counted_not_listed():
    text = "a\u200bb\u0001\u202e" * 1_000_000
    assert textsafety.count(text, textsafety.TEXT) == (1_000_000, 2_000_000)
    assert textsafety.count(text, textsafety.NAME) == (3_000_000, 0)
    assert len(textsafety.scan(text, textsafety.TEXT, limit=5)) == 5
    # the exact count agrees with the one-by-one scan on every kind of character
    sample = "".join(chr(c) for c in range(0x0, 0x3000)) + "\u3164\ufeff\U000e0041\ud800"
    for kind in (textsafety.TEXT, textsafety.NAME):
        found = textsafety.scan(sample, kind)
        assert textsafety.count(sample, kind) == (sum(f.severity == "error" for f in found),
                                                  sum(f.severity == "warning" for f in found)), kind


def test_schema_problems_stop_at_the_cap(packs, make_pack):
    data = make_pack(1)
    data["templates"] = [{"id": f"acme.t{i}", "default_language": "en", "variants": {}, "script": 1}
                         for i in range(2_000)]
    pack, problems = fmt.check_file(packs.write(data, sign=False))
    assert pack is None
    assert len(problems) == fmt.MAX_PROBLEMS


def test_a_huge_string_is_not_quoted_whole_in_a_message(packs, make_pack):
    data = make_pack(1, title="x" * 2_000_000)
    pack, problems = fmt.check_file(packs.write(data, sign=False))
    assert [str(p) for p in problems] == ["schema (field title): is too long (at most 200 characters)"]


def test_a_pack_with_a_huge_invisible_body_is_checked_whole(packs, make_pack):
    data = make_pack(1)
    data["templates"][0]["variants"]["en"]["body"] = "\u200b" * 3_000_000
    pack, problems = fmt.check_file(packs.write(data, sign=False))
    assert pack is None
    assert [str(p) for p in problems if p.severity == "error"] == [
        "schema (template 'acme.refund.ok', field templates[0].variants.en.body): is too long "
        "(at most 20000 characters)"]
    assert str(problems[-1]) == "content: and 2,999,800 more hidden or control characters (only the first 200 are listed)"


def test_json_numbers_are_bounded():
    assert fmt._bounded_int("9" * 20) == int("9" * 20)
    with pytest.raises(ValueError, match="a number of 21 digits"):
        fmt._bounded_int("9" * 21)
    with pytest.raises(ValueError, match="out of range"):
        fmt._finite_float("-1e400")
    assert json.loads("[1.5]", parse_float=fmt._finite_float) == [1.5]


def test_the_caps_grow_with_the_size_cap_it_raises_and_not_below_the_defaults():
    assert fmt.Caps.for_megabytes(14) == fmt.DEFAULT_CAPS
    raised = fmt.Caps.for_megabytes(160)
    factor = 160 * 1024 * 1024 / fmt.MAX_PACK_BYTES
    assert raised.max_bytes == 160 * 1024 * 1024
    assert raised.max_templates == int(fmt.MAX_TEMPLATES * factor) >= 50_000
    assert raised.max_containers == int(fmt.MAX_JSON_CONTAINERS * factor)
    assert raised.max_items == int(fmt.MAX_JSON_ITEMS * factor)
    lowered = fmt.Caps.for_megabytes(2)
    assert lowered.max_bytes == 2 * 1024 * 1024
    assert (lowered.max_templates, lowered.max_items) == (fmt.MAX_TEMPLATES, fmt.MAX_JSON_ITEMS)


def test_the_schema_follows_the_template_cap_and_the_file_is_left_as_it_is():
    assert fmt.load_schema()["properties"]["templates"]["maxItems"] == fmt.MAX_TEMPLATES
    assert fmt.load_schema(60_000)["properties"]["templates"]["maxItems"] == 60_000
    assert fmt.load_schema()["properties"]["templates"]["maxItems"] == fmt.MAX_TEMPLATES


def test_the_template_count_is_held_to_the_caps_given(packs, make_pack, make_template):
    from dataclasses import replace

    data = make_pack(templates=[make_template(f"acme.t{i}") for i in range(5)])
    raw = fmt.canonical_bytes(data)
    with pytest.raises(fmt.PackRejected, match="at most 4"):
        fmt.parse(raw, replace(fmt.DEFAULT_CAPS, max_templates=4))
    assert len(fmt.parse(raw, replace(fmt.DEFAULT_CAPS, max_templates=5))["templates"]) == 5
    problems = fmt.validate_document(fmt.parse(raw), caps=replace(fmt.DEFAULT_CAPS, max_templates=4))
    assert problems and "templates" in (problems[0].field or "")


@pytest.mark.parametrize("piece", [7, 16, 4096])
def test_the_byte_scans_go_piece_by_piece_and_miss_nothing_at_a_border(monkeypatch, piece):
    """Issue 18: each pass over a 130 MB pack (as IT may allow) was one call into C holding
    the interpreter lock 70-140 ms while the Packs window waited; the passes now go over
    pieces. A number too long to be trusted is found wherever a border cuts it, and the
    counts of brackets give the same verdicts (a '{{' cut by a border counts strictly)."""
    monkeypatch.setattr(fmt, "_SCAN_PIECE", piece)
    for offset in range(40):
        raw = b'{"a": "' + b"x" * offset + b'", "n": ' + b"1" * (fmt.MAX_NUMBER_DIGITS + 1) + b"}"
        assert fmt._may_hold_big_numbers(raw), offset
        assert fmt._may_hold_big_numbers(raw.replace(b"1" * 21, b"1" * 20 + b",1")) is False
        assert fmt._may_hold_big_numbers(b'{"e": ' + b" " * offset + b'1e+0001}')
    fmt.check_bounds(b'{"body": "' + b"{{x}} " * 300_000 + b'"}')  # text, not objects
    with pytest.raises(fmt.PackRejected, match="200,002 brackets that may open objects or arrays"):
        fmt.check_bounds(b"[" + b"{}," * 200_000 + b"{}]")
    with pytest.raises(fmt.PackRejected, match="brackets, commas and colons"):
        fmt.check_bounds(b"[" + b"1," * fmt.MAX_JSON_ITEMS + b"1]")
    fmt.check_bounds(b"[" + b"{}," * 190_000 + b"{}]")


def test_the_collector_is_put_off_while_a_pack_is_parsed_and_the_result_kept_out_of_its_passes(monkeypatch):
    """Issue 18: the collector's passes over the millions of objects a 130 MB pack makes
    took 40 % of the parse, each holding the interpreter lock up to 0.7 s (the Packs window
    froze); JSON makes no cycles, so they found nothing."""
    import gc

    seen = []
    real = fmt.json.loads
    monkeypatch.setattr(fmt.json, "loads", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    data = fmt.parse(b'{"id": "acme", "templates": [{"id": "acme.a"}]}')
    assert data == {"id": "acme", "templates": [{"id": "acme.a"}]}
    assert seen == [False] and gc.isenabled()
    assert gc.get_freeze_count() > frozen
    with pytest.raises(fmt.PackRejected, match="appears twice"):
        fmt.parse(b'{"id": "a", "id": "b"}')
    assert gc.isenabled()
    gc.unfreeze()
