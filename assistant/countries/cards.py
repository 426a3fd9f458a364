"""Curated etiquette cards (resources/cards/*.json). Placeholder until the cards land:
the contract other features rely on is ``load_card(code, db=None) -> dict | None`` where a
card's ``business_hours`` is {"days": [ISO weekdays], "open": "HH:MM", "close": "HH:MM",
"lunch": ["HH:MM", "HH:MM"] | null}."""

from __future__ import annotations


def load_card(code: str, db=None) -> dict | None:
    return None
