"""Etiquette cards: every shipped card is valid and complete; bad cards are reported and
skipped; packs can add cards and notes."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from assistant.countries import cards, facts

REQUIRED = ["US", "CA", "MX", "BR", "AR", "CO", "GB", "IE", "DE", "FR", "ES", "IT", "NL", "CH",
            "SE", "PL", "TR", "SA", "AE", "EG", "ZA", "NG", "KE", "IN", "PH", "CN", "JP", "KR",
            "SG", "AU"]
CARD_FILES = sorted(p for p in cards.cards_dir().glob("*.json") if p.name != "card.schema.json")
TEXT_FIELDS = ["compact", "greeting", "formality", "names", "time_and_callbacks",
               "holidays_seasonal", "phone_chat"]
PHRASES = ["hello", "thank_you", "sorry_for_the_wait", "goodbye"]


def test_schema_is_a_valid_json_schema():
    schema = json.loads(cards.schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_shipped_card_is_valid(path):
    card, problems = cards.read_card_file(path)
    assert problems == []
    assert card["code"] == path.stem


def test_every_required_country_has_a_card_and_none_is_skipped():
    shipped = cards.load_cards()
    assert shipped.problems == ()
    assert set(REQUIRED) <= set(shipped.cards)


@pytest.mark.parametrize("code", REQUIRED)
def test_card_is_complete(code):
    card = cards.load_card(code)
    for field in TEXT_FIELDS:
        assert card[field].strip(), field
    assert 1 <= card["directness"]["level"] <= 5 and card["directness"]["note"].strip()
    for field in ("dos", "donts", "taboos"):
        assert 1 <= len(card[field]) <= 3, field
    assert card["capital"].strip()
    assert card["sources"] and all(s["url"].startswith("https://") for s in card["sources"])
    assert dt.date.fromisoformat(card["last_reviewed"]) >= dt.date(2025, 1, 1)
    # phrases: hello, thank you, sorry for the wait, goodbye; a hint wherever it is not English
    assert card["phrases"]
    for phrase_set in card["phrases"]:
        for key in PHRASES:
            assert phrase_set[key]["text"].strip(), (phrase_set["language"], key)
            if not phrase_set["language"].startswith("en"):
                assert phrase_set[key]["pronunciation"].strip(), (phrase_set["language"], key)
    assert len(card["compact"]) <= 400  # readable in the first seconds of a call


@pytest.mark.parametrize("code", REQUIRED)
def test_non_english_markets_carry_a_local_language(code):
    main = facts.languages(code)[0].code.split("_")[0]
    carried = {p["language"].split("_")[0] for p in cards.load_card(code)["phrases"]}
    if main != "en":
        assert main in carried or code == "CH", (code, main, carried)


@pytest.mark.parametrize("code", REQUIRED)
def test_business_days_avoid_the_cldr_weekend(code):
    hours = cards.load_card(code)["business_hours"]
    assert not set(hours["days"]) & set(facts.weekend_days(code))


@pytest.mark.parametrize("code", REQUIRED)
def test_card_text_is_plain_text(code):
    text = json.dumps(cards.load_card(code), ensure_ascii=False)
    assert "<" not in text and ">" not in text


def test_business_hours_contract():
    hours = cards.load_card("SA")["business_hours"]
    assert hours["days"] == [7, 1, 2, 3, 4]
    assert set(hours) >= {"days", "open", "close", "lunch"}
    fr = cards.load_card("fr")["business_hours"]
    assert fr["lunch"] == ["12:00", "14:00"]
    assert cards.load_card("US")["business_hours"]["lunch"] is None


def test_no_card_is_none():
    assert cards.load_card("PE") is None
    assert cards.load_card("") is None


def test_load_card_returns_a_copy():
    card = cards.load_card("DE")
    card["compact"] = "changed"
    assert cards.load_card("DE")["compact"] != "changed"


# ------------------------------------------------------------------ validation

@pytest.fixture
def good_card() -> dict:
    card = cards.load_card("DE")
    card.pop("origin")
    return card


def test_validate_names_the_field(good_card):
    bad = copy.deepcopy(good_card)
    bad["directness"]["level"] = 7
    bad["dos"] = ["a", "b", "c", "d"]
    del bad["phrases"][0]["goodbye"]
    problems = cards.validate_card(bad)
    text = "\n".join(problems)
    assert "directness/level" in text
    assert "dos" in text
    assert "phrases/0" in text and "goodbye" in text


@pytest.mark.parametrize("hours, message", [
    ({"days": [1], "open": "18:00", "close": "09:00", "lunch": None}, "open must be before close"),
    ({"days": [1], "open": "09:00", "close": "17:00", "lunch": ["08:00", "09:30"]}, "within opening hours"),
    ({"days": [1], "open": "9:00", "close": "17:00", "lunch": None}, "business_hours/open"),
    ({"days": [0, 8], "open": "09:00", "close": "17:00", "lunch": None}, "business_hours/days"),
])
def test_validate_business_hours(good_card, hours, message):
    good_card["business_hours"] = hours
    assert any(message in p for p in cards.validate_card(good_card))


def test_validate_rejects_non_objects_and_unknown_fields(good_card):
    assert cards.validate_card([]) == ["a card must be a JSON object"]
    good_card["html"] = "<b>x</b>"
    assert any("html" in p for p in cards.validate_card(good_card))
    assert cards.validate_card(cards.load_card("JP")) == []  # loader fields (origin) are allowed


def test_bad_card_files_are_reported_and_skipped(tmp_path, good_card, caplog):
    (tmp_path / "DE.json").write_text(json.dumps(good_card), encoding="utf-8")
    (tmp_path / "FR.json").write_text("{ not json", encoding="utf-8")
    wrong_code = dict(good_card)
    (tmp_path / "IT.json").write_text(json.dumps(wrong_code), encoding="utf-8")
    incomplete = dict(good_card)
    del incomplete["compact"]
    incomplete["code"] = "ES"
    (tmp_path / "ES.json").write_text(json.dumps(incomplete), encoding="utf-8")
    (tmp_path / "PL.json").write_bytes(b"\xff\xfe bad bytes")
    loaded = cards.load_cards(tmp_path)
    assert sorted(loaded.cards) == ["DE"]
    problems = {Path(p.source).name: str(p) for p in loaded.problems}
    assert set(problems) == {"FR.json", "IT.json", "ES.json", "PL.json"}
    assert "not valid JSON (line 1" in problems["FR.json"]
    assert "does not match the file name IT.json" in problems["IT.json"]
    assert "'compact' is a required property" in problems["ES.json"]
    assert "cannot be read" in problems["PL.json"]
    assert "skipped" in caplog.text


def test_oversized_card_is_refused(tmp_path, good_card):
    good_card["greeting"] = "x" * 1000
    good_card["formality"] = "y" * (cards.MAX_CARD_BYTES)
    path = tmp_path / "DE.json"
    path.write_text(json.dumps(good_card), encoding="utf-8")
    card, problems = cards.read_card_file(path)
    assert card is None and "larger than" in problems[0]


# ------------------------------------------------------------------ packs

@pytest.fixture
def pack_db():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE pack_cards (pack_id TEXT, country TEXT, card_json TEXT, kind TEXT)")
    yield conn
    conn.close()


def _pack_card(good_card, code, **changes):
    card = copy.deepcopy(good_card)
    card.update(code=code, capital="Lima", compact=f"Pack card for {code}", **changes)
    card["business_hours"] = {"days": [1, 2, 3, 4, 5], "open": "09:00", "close": "18:00", "lunch": None}
    return json.dumps(card)


def test_pack_card_fills_a_country_without_a_shipped_card(pack_db, good_card):
    pack_db.execute("INSERT INTO pack_cards VALUES ('team-latam', 'PE', ?, 'card')", (_pack_card(good_card, "PE"),))
    card = cards.load_card("PE", pack_db)
    assert card["compact"] == "Pack card for PE"
    assert card["origin"] == "pack:team-latam"
    assert cards.load_card("PE") is None  # without the database: shipped cards only
    assert cards.pack_card_codes(pack_db) == ["PE"]


def test_shipped_card_wins_over_a_pack_card(pack_db, good_card):
    pack_db.execute("INSERT INTO pack_cards VALUES ('p', 'DE', ?, 'card')", (_pack_card(good_card, "DE"),))
    card = cards.load_card("DE", pack_db)
    assert card["origin"] == "shipped" and card["compact"] != "Pack card for DE"


def test_invalid_pack_card_is_skipped_and_reported(pack_db, good_card):
    pack_db.execute("INSERT INTO pack_cards VALUES ('p1', 'PE', '{broken', 'card')")
    pack_db.execute("INSERT INTO pack_cards VALUES ('p2', 'CL', ?, 'card')", (_pack_card(good_card, "PE"),))
    assert cards.load_card("PE", pack_db) is None
    assert cards.load_card("CL", pack_db) is None  # code inside does not match its country
    problems = [str(p) for p in cards.pack_card_problems(pack_db)]
    assert any("pack p1 (PE)" in p and "not valid JSON" in p for p in problems)
    assert any("pack p2 (CL)" in p and "does not match" in p for p in problems)


def test_pack_notes_are_appended_as_team_notes(pack_db):
    pack_db.executemany("INSERT INTO pack_cards VALUES (?, ?, ?, 'notes')", [
        ("emea", "DE", json.dumps({"text": "Our DE customers are mostly B2B: ask for the company.",
                                   "title": "B2B"})),
        ("extra", "de", json.dumps("Escalations go to the Berlin team.")),
        ("junk", "DE", json.dumps({"text": ""})),
        ("old", "DE", json.dumps({"notes": "older spelling"})),
        ("raw", "DE", "plain text <b>stays text</b>"),
    ])
    card = cards.load_card("DE", pack_db)
    notes = card["team_notes"]
    assert [n["pack_id"] for n in notes] == ["emea", "extra", "old", "raw"]
    assert notes[0]["text"].startswith("Our DE customers") and notes[0]["title"] == "B2B"
    assert notes[3]["text"] == "plain text <b>stays text</b>"
    assert cards.validate_card(card) == []  # a loaded card still fits the schema
    assert cards.team_notes("PE", pack_db) == []
    assert "team_notes" not in cards.load_card("FR", pack_db)


def test_missing_or_odd_pack_table_is_harmless(db):
    # the app's real database, whatever the packs feature has or has not created
    assert cards.load_card("DE", db)["code"] == "DE"
    conn = sqlite3.connect(":memory:")
    assert cards.load_card("DE", conn)["code"] == "DE"
    conn.execute("CREATE TABLE pack_cards (something_else TEXT)")
    assert cards.load_card("DE", conn)["code"] == "DE"
    assert cards.pack_card_codes(conn) == []
    conn.close()


def test_pack_card_may_leave_the_code_to_its_country(pack_db, good_card):
    content = json.loads(_pack_card(good_card, "PE"))
    del content["code"]
    pack_db.execute("INSERT INTO pack_cards VALUES ('p', 'PE', ?, 'card')", (json.dumps(content),))
    assert cards.load_card("PE", pack_db)["code"] == "PE"


def test_validate_accepts_the_packs_country_field(good_card):
    # the packs validator passes the entry's country along with the card
    assert cards.validate_card(dict(good_card, country="DE")) == []
    without_code = dict(good_card, country="DE")
    del without_code["code"]
    assert cards.validate_card(without_code) == []
    assert any("does not match" in p for p in cards.validate_card(dict(good_card, country="FR")))


def test_real_pack_install_feeds_the_card_and_notes(db, good_card):
    """The table as the packs feature creates it (its migration), rows as it writes them."""
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE name='pack_cards'").fetchone()
    if not exists:
        pytest.skip("the packs feature is not installed in this build")
    content = json.loads(_pack_card(good_card, "PE"))
    db["pack_cards"].insert_all([
        {"pack_id": "acme", "country": "PE", "kind": "card", "card_json": json.dumps(content)},
        {"pack_id": "acme", "country": "JP", "kind": "notes",
         "card_json": json.dumps({"text": "Our Osaka office closes at 17:00."})},
    ])
    assert cards.load_card("PE", db)["origin"] == "pack:acme"
    assert cards.load_card("JP", db)["team_notes"][0]["text"] == "Our Osaka office closes at 17:00."


# ------------------------------------------------------------------ the fast check agrees

def _leaves(node, path=()):
    """(path, value) of every value in a card, containers included."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))


def _replaced(card, path, value):
    card = copy.deepcopy(card)
    if not path:
        return value
    node = card
    for part in path[:-1]:
        node = node[part]
    if value is _DROP:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return card


_DROP = object()
_ODD_VALUES = [_DROP, None, True, 0, 7, -1, 1.5, "", "x" * 5000, "25:99", "de", "DE", "2026-13-01",
               [], ["a", "a"], {}, {"unknown": 1}]


def test_the_fast_schema_check_agrees_with_jsonschema_on_every_mutation(good_card):
    """Issue 18: the cards are checked at start by a compiled schema (fastjsonschema), and by
    jsonschema only when refused, for the messages; both must judge every card alike: each
    value of a real card replaced by odd ones (dropped, wrong type, empty, too long, bad
    pattern, repeated items, unknown keys)."""
    validator = jsonschema.Draft202012Validator(cards._schema())
    checked = disagreements = 0
    for path, _value in list(_leaves(good_card)):
        for odd in _ODD_VALUES:
            if odd is _DROP and (not path or isinstance(path[-1], int)):
                continue
            card = _replaced(good_card, path, odd)
            valid = not list(validator.iter_errors(card))
            checked += 1
            if cards._matches()(card) != valid:
                disagreements += 1
                print("disagree at", path, repr(odd)[:40], "jsonschema valid:", valid)
    assert checked > 500 and disagreements == 0
    extra = dict(good_card, surprise="x")
    assert not cards._matches()(extra) and cards.validate_card(extra)  # the messages still come


def test_the_cards_are_checked_by_the_shipped_compiled_check(monkeypatch, good_card):
    """Issue 18: compiling the schema at start took 18-24 ms and 8 MB on the way to ready."""
    import fastjsonschema

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("the schema was compiled at run time")

    monkeypatch.setattr(fastjsonschema, "compile", no_compiling)
    cards._matches.cache_clear()
    try:
        assert cards._matches()(good_card) is True
        assert cards._matches()(dict(good_card, surprise="x")) is False
    finally:
        cards._matches.cache_clear()
