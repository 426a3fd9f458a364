"""The most likely clock of several: the one most of the country's people keep."""

import pytest

from assistant.clock.likely import ZONE_POPULATION, likely_zone
from assistant.clock.resolve import resolve
from assistant.clock.zones import distinct_clocks


@pytest.mark.parametrize("text", ["+34 612 345 678", "+61 412 345 678", "+7 912 345 67 89",
                                  "Spain", "Australia", "Russia", "United States", "Canada",
                                  "Brazil", "Mexico", "Indonesia", "Portugal"])
def test_the_likely_zone_is_the_most_populous_clock(text):
    r = resolve(text)
    assert len(r.zones) > 1 and r.context.zone_likely
    people = {zone: ZONE_POPULATION.get(zone, 0) for zone in r.zones}
    # the zone shown stands for the clock with the most people (its group's members count)
    assert people[r.context.zone] == max(people.values()) > 0


def test_one_down_arrow_no_longer_means_the_canaries():
    # west-to-east order puts the Canaries first; the likely zone does not depend on order
    zones = distinct_clocks(["Europe/Madrid", "Atlantic/Canary"])
    assert zones[0] == "Atlantic/Canary" and likely_zone(zones) == "Europe/Madrid"
    assert likely_zone(tuple(reversed(zones))) == "Europe/Madrid"


def test_the_members_of_a_clock_count_for_it():
    # Melbourne keeps Sydney's clock: a list that shows Melbourne gets Sydney's people
    assert likely_zone(("Australia/Brisbane", "Australia/Melbourne")) == "Australia/Melbourne"


def test_unlisted_countries_fall_back_to_zone_tab_and_single_zones_are_kept():
    assert likely_zone(()) is None
    assert likely_zone(("Asia/Tokyo",)) == "Asia/Tokyo"
    zones = resolve("Greenland").zones
    assert likely_zone(zones) in zones
