"""The IANA zone database as the app needs it: canonical ids, zone -> country, country ->
zones and the city names inside zone ids. Read once from the ``tzdata`` package's own text
tables (``tzdata.zi`` for links, ``zone.tab`` for countries), so it behaves the same on
Windows, which has no system zone database."""

from __future__ import annotations

import functools
import time
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from assistant.clock.errors import UnknownZoneError


def _read_tzdata(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _links() -> dict[str, str]:
    """Link name -> target zone, from tzdata.zi ("L Asia/Kolkata Asia/Calcutta")."""
    links = {}
    for line in _read_tzdata("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()[:3]
            links[name] = target
    return links


@functools.cache
def _zone_tab() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(zone -> country, country -> zones in zone.tab order) from zone.tab, which names one
    country per zone and lists the zones a person in that country would pick."""
    zone_country: dict[str, str] = {}
    country_zones: dict[str, list[str]] = {}
    for line in _read_tzdata("zone.tab").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        code, zone = fields[0].upper(), fields[2]
        zone_country[zone] = code
        country_zones.setdefault(code, []).append(zone)
    return zone_country, {c: tuple(z) for c, z in country_zones.items()}


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.cache
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in _available()}


def canonical_zone(name: str) -> str:
    """The canonical IANA id for ``name``: legacy and alias ids follow their link
    (``Asia/Calcutta`` -> ``Asia/Kolkata``, ``Europe/Kiev`` -> ``Europe/Kyiv``,
    ``US/Eastern`` -> ``America/New_York``); case is corrected (``asia/kolkata``).

    A zone that zone.tab lists for its own country is kept even when tzdata links it to
    another country's zone (``Europe/Oslo`` stays ``Europe/Oslo``, not ``Europe/Berlin``):
    the country matters to the agent. Raises :class:`UnknownZoneError` for anything else.
    """
    text = (name or "").strip().replace(" ", "_")
    found = _by_lower().get(text.lower())
    if found is None:
        from assistant.fuzzy import rank

        names = sorted(zone_countries())
        suggestions = [names[i] for i in rank(text.replace("_", " "), names, limit=3, cutoff=80)]
        raise UnknownZoneError(name, suggestions)
    zone_country, _ = _zone_tab()
    seen = set()
    while found not in zone_country and found in _links() and found not in seen:
        seen.add(found)
        found = _links()[found]
    return found


@functools.cache
def zone_info(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for ``name`` (canonicalised first)."""
    try:
        return ZoneInfo(canonical_zone(name))
    except ZoneInfoNotFoundError as exc:  # listed but unreadable: a broken tzdata install
        raise UnknownZoneError(name) from exc


def zone_countries() -> dict[str, str]:
    """Canonical zone -> ISO 3166 alpha-2 country (from zone.tab)."""
    return _zone_tab()[0]


def country_of_zone(zone: str) -> str | None:
    """The country a zone belongs to, or None (``Etc/UTC``, ``Etc/GMT+5``...)."""
    return _zone_tab()[0].get(canonical_zone(zone))


def zones_of_country(country: str) -> tuple[str, ...]:
    """The zones of a country, in zone.tab order (most populous region first per region)."""
    return _zone_tab()[1].get((country or "").upper(), ())


def countries() -> frozenset[str]:
    """Every country code that has at least one zone."""
    return frozenset(_zone_tab()[1])


def city_of_zone(zone: str) -> str:
    """The city part of a zone id, readable: ``America/Argentina/Buenos_Aires`` ->
    ``Buenos Aires``. Not localised; see :func:`localized_city`."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def localized_city(zone: str, language: str = "en") -> str:
    """The CLDR exemplar city of ``zone`` in ``language`` (``America/Sao_Paulo`` ->
    ``São Paulo``), falling back to :func:`city_of_zone`."""
    for cldr_id in _cldr_ids(zone):
        city = _exemplar_cities(language).get(cldr_id)
        if city:
            return city
    return city_of_zone(zone)


def _cldr_ids(zone: str) -> list[str]:
    """CLDR keeps some legacy ids (Asia/Calcutta): try the zone and the names linking to it."""
    return [zone, *_linked_to().get(zone, ())]


@functools.cache
def _linked_to() -> dict[str, list[str]]:
    """Zone -> the link names pointing at it, in tzdata.zi's order."""
    names: dict[str, list[str]] = {}
    for name, target in _links().items():
        names.setdefault(target, []).append(name)
    return names


@functools.cache
def _exemplar_cities(language: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return {}
    cities = {}
    for zone_id, data in locale.time_zones.items():
        city = data.get("city") if hasattr(data, "get") else None
        if city:
            cities[zone_id] = city
    return cities


def exemplar_cities(language: str) -> dict[str, str]:
    """CLDR cldr-id -> localised exemplar city for ``language`` (only where it differs from
    the id, as CLDR stores them)."""
    return dict(_exemplar_cities(language))


# Zones that keep the same clock over this span are one choice for the agent (Berlin and
# Busingen, New York and Detroit). A fixed span keeps resolution independent of "now".
_SAME_CLOCK_SPAN = (2020, 2031)


@functools.cache
def _clock_signature(zone: str) -> tuple[int, ...]:
    """The zone's clock over the span: its UTC offset at the start, then each change's
    instant and new offset, all in whole seconds (ints: the signatures of all 418 zones
    keep 0.3 MB, where datetimes and timedeltas kept 3.2 MB)."""
    from datetime import datetime, timezone

    from assistant.clock.convert import transitions_between

    start = datetime(_SAME_CLOCK_SPAN[0], 1, 1, tzinfo=timezone.utc)
    end = datetime(_SAME_CLOCK_SPAN[1], 1, 1, tzinfo=timezone.utc)
    signature = [int(start.astimezone(zone_info(zone)).utcoffset().total_seconds())]
    for change in transitions_between(zone, start, end):
        signature += (int(change.instant.timestamp()), int(change.offset_after.total_seconds()))
    return tuple(signature)


def warm_clock_signatures(pause: float = 0.002, stop=lambda: False) -> None:
    """Every zone's signature, ahead of each country's first customer (0.25 s of CPU and
    0.3 MB for all 418 zones; for the United States' 29 alone, 35 ms on the GUI thread).
    For a worker thread: ``pause`` seconds between zones hand the interpreter lock back.
    Run without pauses beside the start, its half-millisecond steps of Python made each of
    the GUI thread's calls into Python wait for the lock, and the window stood still
    92-141 ms (the start-up benchmark's longest stall; 24-31 ms without it, 31 ms with the
    pauses). ``stop()`` true ends it early: a quit right after the start waits for none of it."""
    for zone in zone_countries():
        if stop():
            return
        _clock_signature(zone)
        time.sleep(pause)


# The city most people mean when several zones keep the same clock, where zone.tab's
# order and comments do not say it (zone.tab lists Macquarie before Sydney).
PREFERRED_ZONES = frozenset({
    "America/Sao_Paulo", "America/Manaus", "America/Argentina/Buenos_Aires",
    "Australia/Sydney", "Australia/Adelaide", "Australia/Brisbane", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
    "America/Vancouver", "America/Mexico_City", "Europe/Madrid", "Europe/Berlin",
    "Europe/Moscow", "Asia/Shanghai", "Asia/Jakarta", "Asia/Almaty", "Pacific/Auckland",
    "America/Santiago", "America/Halifax", "America/Edmonton", "America/Winnipeg",
})


@functools.cache
def _zone_comments() -> dict[str, str]:
    comments = {}
    for line in _read_tzdata("zone.tab").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 4:
            comments[fields[2]] = fields[3]
    return comments


@functools.cache
def _zone_order() -> dict[str, int]:
    return {z: i for i, z in enumerate(_zone_tab()[0])}


def _preference(zone: str) -> tuple:
    order = _zone_order()
    comment = _zone_comments().get(zone, "")
    return (zone not in PREFERRED_ZONES, "most" not in comment.lower(),
            order.get(zone, len(order)))


def distinct_clocks(zones) -> tuple[str, ...]:
    """``zones`` with those that show the same time as another (same offsets and clock
    changes from 2020 on) collapsed into one, so the agent only chooses between clocks that
    differ. Each group keeps its best-known city (Sydney, not Macquarie Island); the result
    runs west to east (by UTC offset at the start of 2020), as zone pickers usually do."""
    groups: dict[tuple, list[str]] = {}
    for zone in dict.fromkeys(zones):
        groups.setdefault(_clock_signature(zone), []).append(zone)
    kept = [(signature[0], min(members, key=_preference)) for signature, members in groups.items()]
    kept.sort(key=lambda item: (item[0], _preference(item[1])))
    return tuple(zone for _, zone in kept)
