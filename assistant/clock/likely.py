"""The most likely clock for input that fits several (a Spanish mobile: Madrid, not the
Canaries; "Australia": Sydney; a Russian mobile: Moscow): the clock most of the country's
people keep.

No library the app ships (tzdata, CLDR via babel, phonenumbers, holidays) carries population
by time zone: CLDR's territoryInfo counts people per country, phonenumbers counts number
blocks (which favour Chicago over New York and the Azores over Lisbon). So the populations
of the countries whose zones keep different clocks are kept here, in millions, rounded from
national censuses (2020-2024); precision does not matter, only which clock is the largest,
and in every country below the largest holds far more people than the next. A zone that is
not listed counts as nobody; ties (countries not listed) fall back to zone.tab's own hint,
the zone it describes as "most" of the country or lists first (see
:func:`assistant.clock.zones.distinct_clocks`).
"""

from __future__ import annotations

# zone -> millions of people whose clock it is (the zone stands for its whole clock group:
# Sydney counts New South Wales, Victoria, the ACT and Tasmania)
ZONE_POPULATION: dict[str, float] = {
    # Spain
    "Europe/Madrid": 46.0, "Atlantic/Canary": 2.2,
    # Portugal (Madeira keeps Lisbon's clock)
    "Europe/Lisbon": 10.1, "Atlantic/Azores": 0.24,
    # Australia
    "Australia/Sydney": 16.4, "Australia/Brisbane": 5.5, "Australia/Perth": 2.9,
    "Australia/Adelaide": 1.9, "Australia/Darwin": 0.25,
    # Russia
    "Europe/Moscow": 102.0, "Asia/Yekaterinburg": 15.0, "Asia/Novosibirsk": 11.0,
    "Europe/Samara": 7.0, "Asia/Omsk": 1.9, "Asia/Irkutsk": 2.4, "Asia/Vladivostok": 2.0,
    "Asia/Yakutsk": 1.0, "Europe/Kaliningrad": 1.0, "Asia/Magadan": 0.6, "Asia/Kamchatka": 0.3,
    # United States
    "America/New_York": 160.0, "America/Chicago": 110.0, "America/Los_Angeles": 53.0,
    "America/Denver": 13.0, "America/Phoenix": 7.4, "Pacific/Honolulu": 1.4,
    "America/Anchorage": 0.73,
    # Canada
    "America/Toronto": 23.6, "America/Vancouver": 5.6, "America/Edmonton": 4.8,
    "America/Halifax": 1.9, "America/Winnipeg": 1.45, "America/Regina": 1.2,
    "America/St_Johns": 0.54,
    # Mexico
    "America/Mexico_City": 100.0, "America/Tijuana": 3.8, "America/Mazatlan": 3.3,
    "America/Hermosillo": 3.0, "America/Cancun": 1.9,
    # Brazil
    "America/Sao_Paulo": 160.0, "America/Manaus": 12.6, "America/Rio_Branco": 0.9,
    "America/Noronha": 0.003,
    # Indonesia
    "Asia/Jakarta": 160.0, "Asia/Makassar": 42.0, "Asia/Jayapura": 7.0,
    # Chile, Ecuador, New Zealand, Ukraine, Mongolia
    "America/Santiago": 19.4, "America/Punta_Arenas": 0.17, "Pacific/Easter": 0.008,
    "America/Guayaquil": 17.8, "Pacific/Galapagos": 0.03,
    "Pacific/Auckland": 5.1, "Pacific/Chatham": 0.0006,
    "Europe/Kyiv": 33.0, "Europe/Simferopol": 2.0,
    "Asia/Ulaanbaatar": 3.2, "Asia/Hovd": 0.4,
}


def likely_zone(zones) -> str | None:
    """Of ``zones`` (distinct clocks, as :func:`assistant.clock.zones.distinct_clocks`
    gives them, each standing for its clock group), the one most people keep; None for no
    zones. The members of each group count towards it (Melbourne's people are Sydney's)."""
    from assistant.clock.zones import _clock_signature, country_of_zone, zones_of_country

    zones = tuple(zones)
    if not zones:
        return None
    if len(zones) == 1:
        return zones[0]
    groups = {_clock_signature(zone): zone for zone in zones}
    people = dict.fromkeys(zones, 0.0)
    members = set(zones)
    for zone in zones:
        members.update(zones_of_country(country_of_zone(zone) or ""))
    for member in members:
        shown = groups.get(_clock_signature(member))
        if shown is not None:
            people[shown] += ZONE_POPULATION.get(member, 0.0)
    best = max(people.values())
    if best > 0:
        return next(zone for zone in zones if people[zone] == best)
    from assistant.clock.zones import _preference

    return min(zones, key=_preference)
