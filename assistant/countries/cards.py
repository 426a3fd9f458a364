"""Curated etiquette cards: one JSON file per country in ``resources/cards/<CODE>.json``,
validated against ``resources/cards/card.schema.json`` (plus a few rules JSON Schema cannot
say) every time they are loaded. A bad card is reported and skipped; it never stops the app.

Contract other features rely on: ``load_card(code, db=None) -> dict | None``; a card's
``business_hours`` is {"days": [ISO weekdays 1=Mon..7=Sun], "open": "HH:MM", "close": "HH:MM",
"lunch": ["HH:MM", "HH:MM"] | null}.

Template packs may carry cards too. The packs feature writes them to a table
``pack_cards(pack_id, country, card_json, kind)``: ``kind='card'`` holds a whole card (this
schema; ``code`` may be left out, the row's country stands for it) and is used for a country
that ships no card; ``kind='notes'`` holds team notes for a country, as the JSON object
``{"text": "plain text", "title": "optional"}``, appended to the card as ``team_notes``. The table may not exist (no pack installed yet): then nothing is added.
"""

from __future__ import annotations

import copy
import json
import logging
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.paths import resource_path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MAX_CARD_BYTES = 64 * 1024
MAX_NOTE_CHARS = 2000
PACK_TABLE = "pack_cards"


def cards_dir() -> Path:
    return resource_path("cards")


def schema_path() -> Path:
    return cards_dir() / "card.schema.json"


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _matches():
    """The fast check (every card at start: jsonschema and its dependencies are not even
    loaded while the cards are valid, and the check ships compiled, issue 18)."""
    from assistant.countries import card_check
    from assistant.schemas import fast_validator

    return fast_validator(_schema(), card_check)


@lru_cache(maxsize=1)
def _validator():
    """jsonschema, for the cards the fast check refused: every problem, with its place."""
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


def schema_problems(data: dict) -> list[str]:
    if _matches()(data):
        return []
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(card)'}: {error.message}"
            for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))]


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def validate_card(data) -> list[str]:
    """Problems with a card, each a sentence naming the field; empty when the card is valid.

    A pack entry may pass ``country`` along with the card (the packs validator does): it
    stands for ``code`` when the card has none, and must agree with it when both are given."""
    if not isinstance(data, dict):
        return ["a card must be a JSON object"]
    problems = []
    if "country" in data:
        data = dict(data)
        country = data.pop("country")
        data.setdefault("code", country)
        if country != data["code"]:
            problems.append(f"country {country} does not match code {data['code']}")
    problems += schema_problems(data)
    if problems:
        return problems
    # rules beyond JSON Schema
    hours = data["business_hours"]
    if _minutes(hours["open"]) >= _minutes(hours["close"]):
        problems.append("business_hours: open must be before close")
    lunch = hours.get("lunch")
    if lunch and not (_minutes(hours["open"]) <= _minutes(lunch[0]) < _minutes(lunch[1])
                      <= _minutes(hours["close"])):
        problems.append("business_hours/lunch: the break must start before it ends, within opening hours")
    import datetime as dt

    try:
        dt.date.fromisoformat(data["last_reviewed"])
    except ValueError:
        problems.append("last_reviewed: not a real date")
    for field in ("dos", "donts", "taboos"):
        if len(set(data[field])) != len(data[field]):
            problems.append(f"{field}: an item is repeated")
    return problems


@dataclass(frozen=True)
class CardProblem:
    source: str        # file path or "pack <id>"
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.source}: " + "; ".join(self.problems)


@dataclass(frozen=True)
class CardSet:
    cards: dict            # code -> validated card
    problems: tuple[CardProblem, ...]


def read_card_file(path: Path) -> tuple[dict | None, list[str]]:
    """Load and validate one card file: (card, []) or (None, problems)."""
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            return None, [f"larger than {MAX_CARD_BYTES // 1024} KB"]
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"cannot be read: {exc}"]
    except json.JSONDecodeError as exc:
        return None, [f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"]
    problems = validate_card(data)
    if not problems and data["code"] != path.stem.upper():
        problems.append(f"code {data['code']} does not match the file name {path.name}")
    return (None, problems) if problems else (data, [])


def load_cards(directory: Path | None = None) -> CardSet:
    """Every valid card in ``directory`` (default: the shipped cards); bad ones are logged,
    listed in ``problems`` and left out."""
    directory = directory or cards_dir()
    cards, problems = {}, []
    for path in sorted(directory.glob("*.json")):
        if path.name == schema_path().name:
            continue
        card, issues = read_card_file(path)
        if card is None:
            log.warning("etiquette card %s skipped: %s", path, "; ".join(issues))
            problems.append(CardProblem(str(path), tuple(issues)))
            continue
        card["origin"] = "shipped"
        cards[card["code"]] = card
    return CardSet(cards, tuple(problems))


@lru_cache(maxsize=1)
def shipped_cards() -> CardSet:
    """The shipped cards, read once per process (they never change while it runs)."""
    return load_cards()


def shipped_codes() -> list[str]:
    return sorted(shipped_cards().cards)


# --------------------------------------------------------------------------- packs

def _pack_rows(db, code: str | None = None) -> list[tuple]:
    """Rows of the packs' table, or [] when it does not exist or cannot be read."""
    conn = getattr(db, "conn", db)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                              (PACK_TABLE,)).fetchone()
        if not exists:
            return []
        sql = f"SELECT pack_id, country, card_json, kind FROM {PACK_TABLE}"
        args: tuple = ()
        if code:
            sql += " WHERE upper(country) = ?"
            args = (code,)
        return list(conn.execute(sql + " ORDER BY pack_id", args).fetchall())
    except (sqlite3.Error, AttributeError) as exc:
        log.warning("pack cards unavailable: %s", exc)
        return []


def _note(pack_id, raw) -> dict | None:
    """A team note from a pack row: {"text", "title"?} as the packs feature stores it
    (``{"notes": ...}`` and a bare JSON string or text are accepted too)."""
    if raw is None:
        return None
    try:
        value = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except (json.JSONDecodeError, TypeError):
        value = raw  # a bare text note: still just text
    title = None
    if isinstance(value, dict):
        title = value.get("title") if isinstance(value.get("title"), str) else None
        value = value.get("text", value.get("notes"))
    if not isinstance(value, str) or not value.strip():
        return None
    note = {"pack_id": str(pack_id), "text": value.strip()[:MAX_NOTE_CHARS]}
    if title and title.strip():
        note["title"] = title.strip()[:200]
    return note


def pack_card_problems(db) -> list[CardProblem]:
    """Problems of every pack card, for a doctor-style report."""
    problems = []
    for pack_id, country, raw, kind in _pack_rows(db):
        if kind != "card":
            continue
        _card, issues = _parse_pack_card(raw, country)
        if issues:
            problems.append(CardProblem(f"pack {pack_id} ({country})", tuple(issues)))
    return problems


def _parse_pack_card(raw, country) -> tuple[dict | None, list[str]]:
    try:
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except (json.JSONDecodeError, TypeError) as exc:
        return None, [f"not valid JSON: {exc}"]
    if isinstance(data, dict) and "code" not in data and country:
        data = dict(data, code=str(country).upper())  # the row's country stands for the code
    issues = validate_card(data)
    if not issues and str(country or "").upper() != data["code"]:
        issues.append(f"card code {data['code']} does not match its country {country}")
    return (None, issues) if issues else (data, [])


def pack_card_codes(db) -> list[str]:
    """Countries for which some pack carries a valid card (shipped cards take precedence)."""
    codes = set()
    for _pack_id, country, raw, kind in _pack_rows(db):
        if kind == "card" and _parse_pack_card(raw, country)[0] is not None:
            codes.add(str(country).upper())
    return sorted(codes)


def load_card(code: str, db=None) -> dict | None:
    """The validated card for ``code``: the shipped one, else a valid card from an installed
    pack; with ``team_notes`` from packs appended. None when there is no card."""
    code = (code or "").strip().upper()
    if not code:
        return None
    shipped = shipped_cards().cards.get(code)
    card = copy.deepcopy(shipped) if shipped else None
    if db is None:
        return card
    notes = []
    for pack_id, country, raw, kind in _pack_rows(db, code):
        if kind == "card" and card is None:
            parsed, issues = _parse_pack_card(raw, country)
            if parsed is None:
                log.warning("card for %s in pack %s skipped: %s", code, pack_id, "; ".join(issues))
                continue
            card = parsed
            card["origin"] = f"pack:{pack_id}"
        elif kind == "notes":
            note = _note(pack_id, raw)
            if note:
                notes.append(note)
    if card is not None and notes:
        card["team_notes"] = notes
    return card


def team_notes(code: str, db) -> list[dict]:
    """Pack notes for a country, also when it has no card at all."""
    code = (code or "").strip().upper()
    out = []
    for pack_id, _country, raw, kind in _pack_rows(db, code) if db is not None else []:
        if kind == "notes":
            note = _note(pack_id, raw)
            if note:
                out.append(note)
    return out
