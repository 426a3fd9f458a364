"""Find a country by what an agent types: an ISO code ("DE", "uk"), a name in any of several
languages ("Allemagne", "Alemania", "ドイツ", "Deutschland"), a capital, or a city that names
one of its time zones.

Where the words come from, so the results stay honest:
- names: CLDR territory names in NAME_LANGUAGES, plus the UI language and each country's own
  main locale (the native name);
- capitals: CLDR has none, so only the curated ``capital`` field of an etiquette card
  (shipped or from a pack) is used;
- zone cities: CLDR's exemplar city of each of the country's IANA zones (e.g. "Sydney",
  "São Paulo"). Such a city is often not the capital, so a hit is labelled "time-zone city",
  never "capital".
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from assistant import collector
from assistant.countries import cards, facts
from assistant.fuzzy import fold
from assistant.i18n import N_

# Languages whose country names are always searchable: the app's UI languages and the main
# languages of the markets our agents serve.
NAME_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "tr", "ar", "hi",
                  "zh", "ja", "ko", "ru")

# shown to the user (translated where shown), hence N_
KIND_CODE, KIND_NAME, KIND_CAPITAL, KIND_ZONE_CITY = N_("code"), N_("name"), N_("capital"), N_("time-zone city")
_KIND_BONUS = {KIND_CODE: 3, KIND_NAME: 2, KIND_CAPITAL: 1, KIND_ZONE_CITY: 0}
FUZZY_CUTOFF = 80.0


@dataclass(frozen=True)
class Match:
    code: str
    matched: str      # the text that matched, as written in its source
    kind: str         # code, name, capital or time-zone city
    score: float


@lru_cache(maxsize=8)
def _name_entries(ui_language: str) -> tuple[tuple[str, str, str], ...]:
    """(folded text, original text, code) for every country name we search."""
    from babel import Locale

    entries = set()
    languages = dict.fromkeys((*NAME_LANGUAGES, ui_language))
    codes = facts.all_codes()
    for lang in languages:
        try:
            names = Locale.parse(lang).territories
        except Exception:  # an unknown UI language must not break search  # noqa: BLE001
            continue
        for code in codes:
            if code in names:
                entries.add((fold(names[code]), names[code], code))
    for code in codes:
        native = facts.native_name(code)
        if native:
            entries.add((fold(native), native, code))
    return tuple(sorted(entries))


@lru_cache(maxsize=8)
def _zone_city_entries(ui_language: str) -> tuple[tuple[str, str, str], ...]:
    from babel.dates import get_timezone, get_timezone_location

    entries = set()
    for code in facts.all_codes():
        for zone in facts.country_zones(code):
            last = zone.rsplit("/", 1)[-1].replace("_", " ")
            entries.add((fold(last), last, code))
            for lang in ("en", ui_language):
                try:
                    city = get_timezone_location(get_timezone(zone), locale=lang, return_city=True)
                except Exception:  # babel lacks a name for a few zones  # noqa: BLE001
                    continue
                if city:
                    entries.add((fold(city), city, code))
    return tuple(sorted(entries))


def warm(ui_language: str = "en") -> None:
    """Build the name and zone-city entries ahead of the first search (on a worker thread).

    Babel loads about 340 locales for them (each country's own for its native name) and
    merges each into its parents: hundreds of thousands of objects that live as long as the
    process. The collector's full passes over them, taken on whichever thread allocates and
    holding the interpreter lock, stopped the GUI thread for 18-51 ms at the Culture panel's
    first showing (issue 18). Put off while building, then frozen out of its passes, as the
    library's read does."""
    with collector.paused():
        _name_entries(ui_language)
        _zone_city_entries(ui_language)
        gc.freeze()


def _capital_entries(db=None) -> list[tuple[str, str, str]]:
    out = []
    codes = set(cards.shipped_codes())
    if db is not None:
        codes.update(cards.pack_card_codes(db))
    for code in sorted(codes):
        card = cards.load_card(code, db)
        if card and card.get("capital"):
            out.append((fold(card["capital"]), card["capital"], code))
    return out


def _score(query: str, text: str) -> float:
    if text == query:
        return 100.0
    if text.startswith(query):
        return 90.0 + 10.0 * len(query) / max(len(text), 1) * 0.5
    if len(query) < 3:
        return 0.0  # one or two letters: a code or a prefix, never "somewhere inside"
    if query in text:
        return 80.0 + 10.0 * len(query) / max(len(text), 1) * 0.5
    return fuzz.ratio(query, text) * 0.8  # a typo'd word scores below any exact substring


def search(query: str, ui_language: str = "en", db=None, limit: int = 10) -> list[Match]:
    """Countries matching ``query``, best first, one entry per country."""
    q = fold((query or "").strip())
    if not q:
        return []
    best: dict[str, Match] = {}

    def offer(code: str, matched: str, kind: str, score: float) -> None:
        current = best.get(code)
        key = (score, _KIND_BONUS[kind])
        if current is None or key > (current.score, _KIND_BONUS[current.kind]):
            best[code] = Match(code, matched, kind, score)

    if len(q) == 2 and q.isalpha():
        try:
            offer(facts.normalize_code(q), q.upper(), KIND_CODE, 101.0)
        except facts.UnknownCountryError:
            pass
    for kind, entries in ((KIND_NAME, _name_entries(ui_language)),
                          (KIND_CAPITAL, _capital_entries(db)),
                          (KIND_ZONE_CITY, _zone_city_entries(ui_language))):
        for folded, original, code in entries:
            score = _score(q, folded)
            if score >= FUZZY_CUTOFF * 0.8:
                if kind == KIND_ZONE_CITY:
                    score -= 5.0  # a country's own name beats a city sharing its name
                offer(code, original, kind, score)
    ranked = sorted(best.values(), key=lambda m: (-m.score, -_KIND_BONUS[m.kind], m.code))
    return ranked[:limit]


def resolve(query: str, ui_language: str = "en", db=None) -> str | None:
    """The one country ``query`` means, or None: an exact code, or an exact (accent- and
    case-insensitive) name, capital or zone city; otherwise a single clear best match."""
    results = search(query, ui_language, db, limit=2)
    if not results:
        return None
    top = results[0]
    if top.score >= 95.0:
        return top.code
    if len(results) == 1 or results[1].score < top.score - 10.0:
        return top.code if top.score >= FUZZY_CUTOFF * 0.8 else None
    return None
