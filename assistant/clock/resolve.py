"""Turn what the agent typed in the customer bar into a customer: a phone number
(international or national form), a country name or code (English or the UI language), a
city, or an IANA zone.

When the input fits several zones (a Spanish mobile: Madrid or the Canaries; a US toll-free
number; Russia; a country name) the resolution lists them all and sets the most likely one
(the clock most of the country's people keep, :mod:`assistant.clock.likely`), marked
``zone_likely``: the clock shows at once and the agent can still pick another. Input that is none of these raises :class:`ResolveError` with a message to show.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from assistant.clock.errors import ResolveError, UnknownZoneError
from assistant.clock.zones import (
    _links, canonical_zone, city_of_zone, countries, country_of_zone, distinct_clocks,
    exemplar_cities, localized_city, zone_countries, zones_of_country,
)
from assistant.customer import CustomerContext
from assistant.fuzzy import fold
from assistant.i18n import _

PHONE = "phone"
COUNTRY = "country"
CITY = "city"
ZONE = "zone"
MAX_QUERY_CHARS = 200  # the longest customer text read: a phone, country, city or zone is far shorter

# Common ways of naming a country that are not ISO codes nor CLDR names.
COUNTRY_ALIASES = {
    "uk": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "holland": "NL", "uae": "AE", "emirates": "AE",
    "south korea": "KR", "korea": "KR", "russia": "RU", "czech republic": "CZ",
    "ivory coast": "CI", "vatican": "VA", "turkey": "TR",
}

_PHONE_RE = re.compile(r"^(?:tel:)?\s*(\+|00)?[\d\s().\-/]+$", re.IGNORECASE)


class Resolution(NamedTuple):
    """How the input was understood and the customer it gives.

    When several zones fit, ``zones`` lists the candidates, ``context.zone`` is the most
    likely one (``context.zone_likely``) and the agent may choose another with :meth:`choose`."""
    query: str
    kind: str                       # PHONE, COUNTRY, CITY or ZONE
    country: str | None
    zones: tuple[str, ...]
    languages: tuple[str, ...]
    description: str                # how it resolved, to show the agent
    context: CustomerContext
    summary: str = ""               # the description without the "choose one" request

    @property
    def needs_choice(self) -> bool:
        return len(self.zones) > 1

    @property
    def zone(self) -> str | None:
        return self.context.zone

    def choose(self, zone: str) -> CustomerContext:
        """The customer with ``zone`` chosen among the candidates."""
        zone = canonical_zone(zone)
        if self.zones and zone not in self.zones:
            raise ResolveError(_("{zone} is not one of the zones for {query}: {zones}.").format(
                zone=zone, query=self.query, zones=", ".join(self.zones)))
        how = _("{how}, time zone {zone}").format(how=self.summary or self.description, zone=zone)
        if not self.zones:
            return self.context._replace(zone=zone, zones=(zone,), resolved_from=how)
        return self.context.with_zone(zone)._replace(resolved_from=how)

    def candidates(self) -> list[CustomerContext]:
        """One context per candidate zone, zone chosen."""
        return [self.context.with_zone(z) for z in self.zones]


def languages_for_country(country: str | None) -> tuple[str, ...]:
    """The country's official languages (CLDR territory data), most spoken first; when it
    has none marked official, its most spoken language. ``()`` for no country."""
    if not country:
        return ()
    from babel.languages import get_territory_language_info

    info = get_territory_language_info(country.upper())
    official = [(data.get("population_percent") or 0, code) for code, data in info.items()
                if data.get("official_status") in ("official", "de_facto_official")]
    if not official:
        official = [(data.get("population_percent") or 0, code) for code, data in info.items()]
    return tuple(code for _, code in sorted(official, key=lambda item: (-item[0], item[1])))


def country_name(country: str | None, language: str = "en") -> str:
    """The country's name in ``language`` (CLDR), or the code itself."""
    if not country:
        return ""
    locale = _locale(language) or _locale("en")
    return locale.territories.get(country.upper(), country.upper()) if locale else country


@functools.cache
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _names_index(languages, aliases: dict[str, str]) -> dict[str, str]:
    index: dict[str, str] = {}
    valid = countries()
    for lang in languages:
        locale = _locale(lang)
        if locale is None:
            continue
        for code, name in locale.territories.items():
            if code in valid:
                index.setdefault(fold(name), code)
    for alias, code in aliases.items():
        index.setdefault(alias, code)
    return index


@functools.cache
def _country_index(language: str) -> dict[str, str]:
    """Folded country name -> code, from CLDR names in the UI language and English, and the
    usual aliases."""
    return _names_index((language, "en"), COUNTRY_ALIASES)


@functools.cache
def _other_country_index(language: str) -> dict[str, str]:
    """The same in the app's other UI languages (so "España", "Deutschland", "Inde" work in
    any UI). Asked for only when a text is neither a country in the UI language or English
    nor a city: their locale data (about 6.6 MB for five languages, issue 18) is loaded then."""
    from assistant.i18n import SUPPORTED

    first = _country_index(language)
    others = _names_index([lang for lang in SUPPORTED if lang not in (language, "en")], {})
    return {name: code for name, code in others.items() if name not in first}


@functools.cache
def _city_index(language: str) -> dict[str, str]:
    """Folded city -> canonical zone: the city part of every zone id ("Sao Paulo",
    "Kolkata"), CLDR's localised exemplar cities ("São Paulo", "Bombay" in some
    languages), and the cities of legacy ids ("Calcutta", "Kiev", "Saigon")."""
    index: dict[str, str] = {}
    tab = zone_countries()
    for zone in tab:
        index.setdefault(fold(city_of_zone(zone)), zone)
    for lang in (language, "en"):
        for cldr_id, city in exemplar_cities(lang).items():
            try:
                zone = canonical_zone(cldr_id)
            except UnknownZoneError:
                continue
            if zone in tab:
                index.setdefault(fold(city), zone)
    for name, target in _links().items():
        if target in tab and "/" in name and name.split("/")[0] in _REGIONS:
            index.setdefault(fold(city_of_zone(name)), target)
    from assistant.clock.cities import MAJOR_CITIES

    for city, zone in MAJOR_CITIES.items():
        index.setdefault(fold(city), zone)
    return index


_REGIONS = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
            "Europe", "Indian", "Pacific"}


def looks_like_phone(text: str) -> bool:
    """Digits with the usual separators: after a "+" or "00" any digits, else at least five
    (so a short code typed by mistake is not taken for a country or city)."""
    match = _PHONE_RE.match(text)
    if not match:
        return False
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 1 if match.group(1) else digits >= 5


def _context(query: str, kind: str, country: str | None, zones: tuple[str, ...],
             description: str, phone: str | None = None, ui_language: str = "en") -> Resolution:
    from assistant.clock.likely import likely_zone

    zones = distinct_clocks(zones)
    summary = description
    if len(zones) > 1:
        description += _(", {count} possible time zones: {city} is the most likely").format(
            count=len(zones), city=localized_city(likely_zone(zones), ui_language))
    languages = languages_for_country(country)
    context = CustomerContext(
        phone=phone, country=country, zone=likely_zone(zones),
        language=languages[0] if languages else None, resolved_from=description,
        zones=zones, zone_likely=len(zones) > 1)
    return Resolution(query, kind, country, zones, languages, description, context, summary)


def _dedupe(zones) -> tuple[str, ...]:
    seen: list[str] = []
    for zone in zones:
        if zone not in seen:
            seen.append(zone)
    return tuple(seen)


def resolve_phone(text: str, ui_language: str = "en", default_region: str | None = None
                  ) -> Resolution:
    """A phone number: ``+34 612 345 678``, ``0034...``, or national form with
    ``default_region``. Zones come from phonenumbers' time-zone data, kept to the number's
    own country; a number with none (non-geographic) gets no zone and the agent types one."""
    import phonenumbers
    from phonenumbers import timezone as phone_zones

    # each region's patterns compiled once and kept (3,700 for all regions, 2.6 MB): the re
    # module's cache of 512 drops a region's patterns as others come, and India's first
    # number compiles them in 20-58 ms
    phonenumbers.enable_pattern_cache()
    raw = text.strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:].strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    region = default_region.upper() if default_region else None
    if not raw.startswith("+") and not region:
        raise ResolveError(_("{text} has no country code: type it as +<country code> "
                             "<number>, or set your default country.").format(text=echo(text)))
    try:
        number = phonenumbers.parse(raw, None if raw.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        raise ResolveError(_("{text} is not a phone number ({reason}).").format(
            text=echo(text), reason=str(exc).split(") ", 1)[-1])) from exc
    if not phonenumbers.is_valid_number(number):
        raise ResolveError(_("{text} is not a valid phone number.").format(text=echo(text)))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    country = phonenumbers.region_code_for_number(number)
    country = country if country in countries() else None
    zones = []
    for zone in phone_zones.time_zones_for_number(number):
        try:
            zones.append(canonical_zone(zone))
        except UnknownZoneError:  # "Etc/Unknown"
            continue
    if country:
        own = [z for z in zones if country_of_zone(z) == country]
        # NANP numbers list every zone of the plan (Anguilla for a US toll-free number)
        zones = own or ([] if zones else list(zones_of_country(country)))
    zones = _dedupe(zones)
    kind_name = _number_kind(number)
    if country:
        description = _("{number}: {kind} in {country}").format(
            number=shown, kind=kind_name, country=country_name(country, ui_language))
    else:
        description = _("{number}: {kind} with no country; type the customer's country or "
                        "city to set the time zone").format(number=shown, kind=kind_name)
    return _context(text, PHONE, country, zones, description, e164, ui_language)


def _number_kind(number) -> str:
    import phonenumbers

    kinds = {
        phonenumbers.PhoneNumberType.MOBILE: _("mobile number"),
        phonenumbers.PhoneNumberType.FIXED_LINE: _("landline"),
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: _("phone number"),
        phonenumbers.PhoneNumberType.TOLL_FREE: _("toll-free number"),
        phonenumbers.PhoneNumberType.PREMIUM_RATE: _("premium-rate number"),
        phonenumbers.PhoneNumberType.VOIP: _("VoIP number"),
    }
    return kinds.get(phonenumbers.number_type(number), _("phone number"))


def echo(text: str) -> str:
    """What the agent typed, as a message repeats it: stripped, cut to 40 characters, with
    anything a terminal or a label would act on shown as an escape."""
    from assistant.plaintext import for_terminal

    text = text.strip()
    return for_terminal(text[:40]) + ("…" if len(text) > 40 else "")


def resolve(text: str, ui_language: str = "en", default_region: str | None = None) -> Resolution:
    """Resolve what the agent typed (see the module docstring). ``ui_language`` names the
    language country and city names may be typed in (besides English); ``default_region``
    (ISO alpha-2) reads phone numbers typed without a country code."""
    query = (text or "").strip()
    if not query:
        raise ResolveError(_("Type a phone number, a country, a city or a time zone."))
    if len(query) > MAX_QUERY_CHARS:  # pasted by mistake, or hostile: refused unread, not echoed
        raise ResolveError(_("That text is {count} characters long: type a phone number, a country, a "
                             "city or a time zone (at most {limit} characters).").format(
            count=f"{len(query):,}", limit=MAX_QUERY_CHARS))
    if looks_like_phone(query):
        return resolve_phone(query, ui_language, default_region)
    if "/" in query:
        zone = canonical_zone(query)  # UnknownZoneError is a ResolveError-like ClockError
        return _zone_resolution(query, zone, ZONE, ui_language)
    folded = fold(query)
    if len(query) == 2 and query.isalpha() and query.upper() in countries():
        return _country_resolution(query, query.upper(), ui_language)
    code = _country_index(ui_language).get(folded)
    if code:
        return _country_resolution(query, code, ui_language)
    zone = _city_index(ui_language).get(folded) or _city_index(ui_language).get(
        folded.replace("-", " "))
    if zone:
        return _zone_resolution(query, zone, CITY, ui_language)
    code = _other_country_index(ui_language).get(folded)
    if code:
        return _country_resolution(query, code, ui_language)
    try:
        zone = canonical_zone(query)  # bare ids: UTC, GMT, EST, CET
    except UnknownZoneError:
        zone = None
    if zone:
        # a bare id names a clock, not a place: EST links to America/Panama and CET to
        # Europe/Brussels, but an "EST" customer is not in Panama, so no country
        return _zone_resolution(query, zone, ZONE, ui_language, with_country=False)
    raise ResolveError(_unknown_message(query, ui_language))


def _country_resolution(query: str, code: str, ui_language: str) -> Resolution:
    zones = zones_of_country(code)
    description = _("{country} ({code})").format(country=country_name(code, ui_language),
                                                  code=code)
    return _context(query, COUNTRY, code, zones, description, ui_language=ui_language)


def _zone_resolution(query: str, zone: str, kind: str, ui_language: str,
                     with_country: bool = True) -> Resolution:
    country = country_of_zone(zone) if with_country else None
    if country:
        description = _("{zone} in {country}").format(
            zone=zone, country=country_name(country, ui_language))
    elif zone.lower() != query.strip().lower():
        description = _("{query}: same clock as {zone}").format(query=query.strip(), zone=zone)
    else:
        description = zone
    return _context(query, kind, country, (zone,), description, ui_language=ui_language)


def _unknown_message(query: str, ui_language: str) -> str:
    from assistant.fuzzy import rank

    names = sorted(set(country_name(c, ui_language) for c in countries()))
    cities = sorted({city_of_zone(z) for z in zone_countries()})
    pool = names + cities
    guesses = [pool[i] for i in rank(query, pool, limit=3, cutoff=75)]
    message = _("\"{text}\" is not a phone number, country, city or time zone we know.").format(
        text=echo(query))
    if guesses:
        message += " " + _("Did you mean {guesses}?").format(guesses=", ".join(guesses))
    return message
