"""The customer the agent is talking to: the value every panel reads. Import-free on
purpose (the bottom of the hub); the rules for setting it live in
:mod:`assistant.customer.session`."""

from __future__ import annotations

from typing import NamedTuple


class CustomerContext(NamedTuple):
    """Who the agent is helping: what is known of the customer, for the clock, cards and
    replies. Made before the first paint, so a NamedTuple (``_replace`` for a changed copy),
    as :class:`assistant.policy.Policy` is."""
    name: str | None = None
    phone: str | None = None      # E.164 when known
    country: str | None = None    # ISO 3166-1 alpha-2, upper case
    zone: str | None = None       # canonical IANA zone id
    language: str | None = None   # BCP 47 / CLDR code, e.g. "es", "pt_BR"
    resolved_from: str | None = None  # what the agent typed, and how it was understood
    # every zone the input could mean (a Spanish mobile: Madrid and the Canaries); ``zone``
    # is the one chosen, None while the agent has not chosen among several
    zones: tuple[str, ...] = ()
    # True while ``zone`` is the most likely of several (by population), not one the agent
    # chose or the input named: the clock shows it labelled "likely", the others one key away
    zone_likely: bool = False

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.country or self.zone or self.language)

    @property
    def needs_zone_choice(self) -> bool:
        """True while the input maps to several zones and none is chosen yet."""
        return self.zone is None and len(self.zones) > 1

    @property
    def label(self) -> str:
        """A short name for lists (recents, pins): name, else phone, else zone/country."""
        return self.name or self.phone or self.zone or self.country or ""

    @property
    def key(self) -> str:
        """Identity for recents and pins: the same customer typed twice is one entry."""
        return "|".join(part or "" for part in (self.name, self.phone, self.country, self.zone))

    def with_zone(self, zone: str) -> "CustomerContext":
        """This context with ``zone`` chosen (it must be one of ``zones`` when there are any)."""
        if self.zones and zone not in self.zones:
            raise ValueError(f"{zone} is not one of this customer's zones: {', '.join(self.zones)}")
        return self._replace(zone=zone, zone_likely=False)

    def to_dict(self) -> dict:
        data = self._asdict()
        data["zones"] = list(self.zones)
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> "CustomerContext":
        data = data or {}
        values = {k: data.get(k) for k in cls._fields}
        values["zones"] = tuple(data.get("zones") or ())
        values["zone_likely"] = bool(data.get("zone_likely"))
        return cls(**values)
