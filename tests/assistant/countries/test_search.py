"""Finding a country by code, by name in several languages, by capital or zone city."""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest

from assistant.countries import cards
from assistant.countries.search import resolve, search


@pytest.mark.parametrize("query, code", [
    ("DE", "DE"), ("de", "DE"), ("uk", "GB"),
    ("Germany", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("Deutschland", "DE"),
    ("ドイツ", "DE"), ("Германия", "DE"), ("ألمانيا", "DE"),
    ("Japon", "JP"), ("日本", "JP"), ("Suiza", "CH"), ("Egipto", "EG"), ("Mexiko", "MX"),
    ("Corée du Sud", "KR"), ("Türkiye", "TR"), ("Brasil", "BR"),
    ("cote d'ivoire", "CI"), ("Bogota", "CO"),     # accents and case do not matter
    ("Germny", "DE"),                             # a typo still finds it
    ("Canberra", "AU"), ("Tokyo", "JP"), ("New Delhi", "IN"), ("Brasília", "BR"),
    ("Sydney", "AU"), ("Kolkata", "IN"),
])
def test_resolve(query, code):
    assert resolve(query) == code


def test_capital_comes_from_the_card_and_zone_cities_are_labelled_as_such():
    [canberra] = search("Canberra")[:1]
    assert (canberra.code, canberra.kind) == ("AU", "capital")
    sydney = search("Sydney")[0]
    assert (sydney.code, sydney.kind) == ("AU", "time-zone city")


def test_code_match_ranks_first():
    results = search("de")
    assert results[0].code == "DE" and results[0].kind == "code"
    # two letters never match in the middle of a name
    assert all(r.kind == "code" or r.matched.casefold().startswith("de") for r in results)


def test_ambiguous_and_unknown():
    assert resolve("united") is None
    assert {m.code for m in search("united")[:3]} == {"US", "GB", "AE"}
    assert search("xq") == [] and search("zzzzzz") == [] and search("  ") == []
    assert resolve("atlantis") is None


def test_names_in_the_ui_language_are_found():
    assert resolve("Estados Unidos", "es") == "US"
    assert resolve("Vereinigtes Königreich", "de") == "GB"


def test_pack_card_capital_is_searchable():
    card = copy.deepcopy(cards.load_card("DE"))
    card.update(code="PE", capital="Ciudad de los Reyes")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE pack_cards (pack_id TEXT, country TEXT, card_json TEXT, kind TEXT)")
    conn.execute("INSERT INTO pack_cards VALUES ('p', 'PE', ?, 'card')", (json.dumps(card),))
    assert resolve("Ciudad de los Reyes", db=conn) == "PE"
    assert resolve("Ciudad de los Reyes") != "PE"
    conn.close()


def test_warming_builds_the_entries_with_the_collector_put_off_and_freezes_them(monkeypatch):
    """Issue 18: the warm-up loads about 340 locales; the collector's full passes over them,
    on the warm-up's thread but holding the interpreter lock, stopped the GUI thread for
    18-51 ms at the Culture panel's first showing."""
    import gc

    from assistant.countries import search as module

    module._name_entries.cache_clear()
    module._zone_city_entries.cache_clear()
    seen = []
    real = module._name_entries
    monkeypatch.setattr(module, "_name_entries", lambda language: seen.append(gc.isenabled()) or real(language))
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    try:
        module.warm("fr")
        assert seen == [False] and gc.isenabled()
        assert gc.get_freeze_count() > frozen
        assert module._zone_city_entries.cache_info().currsize == 1  # built, not left to the first search
        assert resolve("Allemagne", "fr") == "DE"
    finally:
        gc.unfreeze()
