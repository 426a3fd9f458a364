"""Clock tests default to "no country card" so business hours come from CLDR week data;
tests of the card path install their own card."""

import pytest


@pytest.fixture(autouse=True)
def no_cards(monkeypatch):
    import assistant.countries.cards as cards

    monkeypatch.setattr(cards, "load_card", lambda code, db=None: None)
