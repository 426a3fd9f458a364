"""Computed facts for every territory, from shipped data only: babel/CLDR (names, languages,
currency, week data, formats), ``holidays``, ``phonenumbers`` (calling code) and the tzdata
package's ``zone.tab`` (country -> zones). Nothing here is typed by hand: when a source has no
answer the field is None/empty and the UI says so.

Functions take the instant they describe (``today``/``now``) so tests can pin it.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError, localedata
from babel.core import get_global

from assistant.errors import UserError

log = logging.getLogger(__name__)

# CLDR territory codes that are not places a customer lives in (groupings, pseudo-regions,
# the unknown region) or that CLDR marks as alias-only.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}

# Official statuses in CLDR's territoryInfo, strongest first.
_OFFICIAL = ("official", "de_facto_official", "official_regional", "official_minority")
# A non-official language counts as "widely spoken" from this population share (percent).
WIDELY_SPOKEN_SHARE = 10.0
MAX_LANGUAGES = 6


class UnknownCountryError(UserError, LookupError):
    """The code is not a CLDR territory we describe."""


@dataclass
class Language:
    code: str
    name: str
    share: float | None      # percent of the population (CLDR territoryInfo)
    official: str | None     # CLDR official status, or None


@dataclass
class Holiday:
    date: str   # ISO date
    name: str


@dataclass
class CountryFacts:
    code: str
    name: str
    native_name: str | None
    locale: str | None                 # the CLDR locale used for formats
    languages: list[Language]
    currency: dict | None              # {"code", "name", "symbol"}
    calling_code: str | None           # "+49"
    zones: list[str]                   # canonical IANA ids, tzdata's zone.tab order
    zone_offsets: dict[str, str]       # zone -> "UTC+01:00" at ``now``
    weekend: list[int]                 # ISO weekdays 1=Mon..7=Sun
    first_day_of_week: int             # ISO weekday
    clock: str | None                  # "12h" or "24h", from the locale's short time pattern
    formats: dict = field(default_factory=dict)    # live examples: date, time, number, currency
    holiday_today: list[Holiday] = field(default_factory=list)
    holidays_next: list[Holiday] = field(default_factory=list)
    holidays_supported: bool = False
    week_data_source: str = ""         # "CLDR <territory>" or "CLDR world default"

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- territories

@lru_cache(maxsize=1)
def all_codes() -> tuple[str, ...]:
    """Every ISO-style territory code CLDR names (about 250), sorted."""
    names = Locale("en").territories
    return tuple(sorted(c for c in names if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES))


def normalize_code(code: str) -> str:
    """Upper-case alpha-2 code, following CLDR's territory aliases (e.g. UK -> GB)."""
    c = (code or "").strip().upper()
    if c in all_codes():
        return c
    alias = get_global("territory_aliases").get(c)
    if alias and len(alias) == 1 and alias[0] in all_codes():
        return alias[0]
    raise UnknownCountryError(code)


def country_name(code: str, language: str = "en") -> str:
    return _territory_names(language).get(code) or Locale("en").territories.get(code, code)


@lru_cache(maxsize=64)
def _territory_names(language: str) -> dict:
    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale("en").territories)


@lru_cache(maxsize=1)
def _locales_by_territory() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ident in localedata.locale_identifiers():
        parts = ident.split("_")
        territory = next((p for p in parts[1:] if len(p) == 2 and p.isupper()), None)
        if territory:
            out.setdefault(territory, []).append(ident)
    return out


def territory_languages(code: str) -> list[tuple[str, dict]]:
    """(language, info) pairs from CLDR territoryInfo, largest population share first."""
    info = get_global("territory_languages").get(code, {})
    return sorted(info.items(), key=lambda kv: -(kv[1].get("population_percent") or 0))


@lru_cache(maxsize=512)
def country_locale(code: str) -> str | None:
    """The CLDR locale that best represents formats in the territory: the most spoken
    language that has a locale for this territory (official ones first on a tie)."""
    available = set(_locales_by_territory().get(code, []))
    if not available:
        return None
    for lang, _info in territory_languages(code):
        ident = f"{lang}_{code}"
        if ident in available:
            return ident
    return sorted(available)[0]


# --------------------------------------------------------------------------- week data

# CLDR's world defaults (territory 001), as babel ships them in the root locale.
def _world_week_data() -> dict:
    return dict(localedata.load("root")["week_data"])


@lru_cache(maxsize=512)
def week_data(code: str) -> tuple[dict, str]:
    """CLDR weekData for a territory and where it came from.

    babel stores week data per locale and, for a territory CLDR does not list, lets a
    locale inherit its *parent's* values (pt_AO would get Portugal's). So: start from the
    world default and apply only the keys a locale of this territory sets itself, which
    babel's importer writes exactly when CLDR lists the territory."""
    data = _world_week_data()
    explicit: dict = {}
    for ident in _locales_by_territory().get(code, []):
        own = _own_locale_data(ident).get("week_data") or {}
        for key, value in own.items():
            explicit.setdefault(key, value)
    data.update(explicit)
    source = f"CLDR {code}" if explicit else "CLDR world default"
    return data, source


def _own_locale_data(ident: str) -> dict:
    """A locale's own data without inheritance. Not ``localedata.load(merge_inherited=False)``:
    babel caches that unmerged dict under the same key, and every later ``Locale`` of that
    id would miss its inherited formats."""
    with open(localedata.resolve_locale_filename(ident), "rb") as fh:
        return pickle.load(fh)


def _iso(babel_weekday: int) -> int:
    """babel counts 0=Monday; ISO counts 1=Monday."""
    return babel_weekday + 1


def weekend_days(code: str) -> list[int]:
    data, _ = week_data(code)
    start, end = data["weekend_start"], data["weekend_end"]
    days, d = [], start
    while True:
        days.append(_iso(d))
        if d == end:
            break
        d = (d + 1) % 7
    return days


def first_day_of_week(code: str) -> int:
    return _iso(week_data(code)[0]["first_day"])


def working_days(code: str) -> list[int]:
    weekend = set(weekend_days(code))
    return [d for d in range(1, 8) if d not in weekend]


# --------------------------------------------------------------------------- zones

@lru_cache(maxsize=1)
def _zone_table() -> dict[str, list[str]]:
    """Country -> zones from the tzdata package's zone.tab (the same data zoneinfo uses)."""
    table: dict[str, list[str]] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        text = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table.setdefault(parts[0], []).append(parts[2])
    if not table:  # tzdata without zone.tab: pytz carries the same table
        import pytz

        table = {k: list(v) for k, v in pytz.country_timezones.items()}
    return table


def country_zones(code: str) -> list[str]:
    zones = []
    for zone in _zone_table().get(code, []):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        zones.append(zone)
    return zones


def utc_offset_label(zone: str, now: dt.datetime) -> str:
    offset = now.astimezone(ZoneInfo(zone)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# --------------------------------------------------------------------------- money, phone

def currency(code: str, language: str = "en") -> dict | None:
    from babel.numbers import get_currency_name, get_currency_symbol

    entries = get_global("territory_currencies").get(code, [])
    current = [e for e in entries if e[2] is None and e[3]]
    if not current:
        return None
    cur = current[0][0]
    fmt_locale = country_locale(code) or "en"
    return {
        "code": cur,
        "name": get_currency_name(cur, locale=_safe_locale(language)),
        "symbol": get_currency_symbol(cur, locale=fmt_locale),
    }


def calling_code(code: str) -> str | None:
    import phonenumbers

    number = phonenumbers.country_code_for_region(code)
    return f"+{number}" if number else None


# --------------------------------------------------------------------------- formats

def _safe_locale(language: str) -> str:
    try:
        return str(Locale.parse((language or "en").replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return "en"


def clock_convention(locale_id: str | None) -> str | None:
    """12h or 24h, read from the locale's short time pattern (h/K = 12-hour)."""
    if not locale_id:
        return None
    from babel.dates import get_time_format

    pattern = get_time_format("short", locale=locale_id).pattern
    letters = re.sub(r"'[^']*'", "", pattern)  # quoted text is literal, not a field
    return "12h" if ("h" in letters or "K" in letters) else "24h"


def format_examples(code: str, now: dt.datetime) -> dict:
    """Live examples in the country's locale, at ``now`` in the country's first zone."""
    from babel.dates import format_date, format_time
    from babel.numbers import format_currency, format_decimal

    locale_id = country_locale(code)
    if not locale_id:
        return {}
    zones = country_zones(code)
    local = now.astimezone(ZoneInfo(zones[0])) if zones else now
    cur = currency(code)
    examples = {
        "date_short": format_date(local.date(), "short", locale=locale_id),
        "date_long": format_date(local.date(), "long", locale=locale_id),
        "time": format_time(local.time().replace(tzinfo=None), "short", locale=locale_id),
        "number": format_decimal(1234567.89, locale=locale_id),
    }
    if cur:
        examples["currency"] = format_currency(1234.5, cur["code"], locale=locale_id)
    return examples


# --------------------------------------------------------------------------- holidays

def _calendar(code: str):
    """The library's empty calendar of ``code`` (its languages), or None when it has none.
    Asked of this one country: ``list_supported_countries()`` and ``list_localized_countries()``
    import all 250 country modules to answer for one."""
    from assistant.public_holidays import library

    try:
        return library().country_holidays(code, years=[])
    except (NotImplementedError, KeyError, ValueError):
        return None


def _holiday_language(code: str, language: str) -> str | None:
    calendar = _calendar(code)
    localized = list(calendar.supported_languages) if calendar is not None else []
    wanted = language.replace("-", "_")
    for candidate in (wanted, wanted.split("_")[0]):
        if candidate in localized:
            return candidate
    for candidate in localized:
        if candidate.split("_")[0] == wanted.split("_")[0]:
            return candidate
    return "en_US" if "en_US" in localized else None


def holidays_supported(code: str) -> bool:
    return _calendar(code) is not None


def public_holidays(code: str, today: dt.date, language: str = "en",
                    horizon_days: int = 366, limit: int = 12) -> tuple[list[Holiday], list[Holiday]]:
    """(today's holidays, the next ones after today) from the ``holidays`` package."""
    from assistant.public_holidays import library

    if not holidays_supported(code):
        return [], []
    lang = _holiday_language(code, language)
    kwargs = {"years": [today.year, today.year + 1]}
    if lang:
        kwargs["language"] = lang
    try:
        table = library().country_holidays(code, **kwargs)
    except (NotImplementedError, KeyError, ValueError) as exc:
        log.warning("holidays for %s unavailable: %s", code, exc)
        return [], []
    end = today + dt.timedelta(days=horizon_days)
    todays = [Holiday(today.isoformat(), name) for name in table.get_list(today)]
    upcoming = []
    for day in sorted(d for d in table if today < d <= end):
        for name in table.get_list(day):
            upcoming.append(Holiday(day.isoformat(), name))
        if len(upcoming) >= limit:
            break
    return todays, upcoming[:limit]


# --------------------------------------------------------------------------- languages

def languages(code: str, language: str = "en") -> list[Language]:
    names = _language_names(language)
    out = []
    for lang, info in territory_languages(code):
        status = info.get("official_status")
        share = info.get("population_percent")
        if lang == "und":  # CLDR's "unknown language" (e.g. Antarctica)
            continue
        if status in _OFFICIAL or (share or 0) >= WIDELY_SPOKEN_SHARE:
            base = lang.split("_")[0]
            out.append(Language(lang, names.get(lang) or names.get(base) or lang, share, status))
    # nationally official languages first, then the rest (regional or just widely spoken)
    # by share: an agent cares more about English in Germany than about North Frisian
    out.sort(key=lambda l: (l.official not in _OFFICIAL[:2], -(l.share or 0)))
    return out[:MAX_LANGUAGES]


@lru_cache(maxsize=64)
def _language_names(language: str) -> dict:
    return dict(Locale.parse(_safe_locale(language)).languages)


def native_name(code: str) -> str | None:
    locale_id = country_locale(code)
    if not locale_id:
        return None
    return Locale.parse(locale_id).territories.get(code)


# --------------------------------------------------------------------------- all together

def country_facts(code: str, now: dt.datetime, language: str = "en") -> CountryFacts:
    """Every computed fact about ``code`` at the instant ``now`` (timezone-aware),
    with names in ``language`` (the UI language)."""
    code = normalize_code(code)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zones = country_zones(code)
    # "today" is the country's date (its first zone), which is what its holidays follow
    local_today = now.astimezone(ZoneInfo(zones[0])).date() if zones else now.date()
    todays, upcoming = public_holidays(code, local_today, language)
    locale_id = country_locale(code)
    _, source = week_data(code)
    return CountryFacts(
        code=code,
        name=country_name(code, _safe_locale(language)),
        native_name=native_name(code),
        locale=locale_id,
        languages=languages(code, language),
        currency=currency(code, language),
        calling_code=calling_code(code),
        zones=zones,
        zone_offsets={z: utc_offset_label(z, now) for z in zones},
        weekend=weekend_days(code),
        first_day_of_week=first_day_of_week(code),
        clock=clock_convention(locale_id),
        formats=format_examples(code, now),
        holiday_today=todays,
        holidays_next=upcoming,
        holidays_supported=holidays_supported(code),
        week_data_source=source,
    )
