"""The customer the agent is talking to: the hub every panel reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CustomerContext:
    name: str | None = None
    phone: str | None = None      # E.164 when known
    country: str | None = None    # ISO 3166-1 alpha-2, upper case
    zone: str | None = None       # canonical IANA zone id
    language: str | None = None   # BCP 47 / CLDR code, e.g. "es", "pt_BR"
    resolved_from: str | None = None  # what the agent typed, and how it was understood

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.country or self.zone or self.language)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "CustomerContext":
        data = data or {}
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
