"""Errors of the clock package. All are ``ValueError``s whose message can be shown to the
agent as is: it says what was wrong and what to do instead."""

from __future__ import annotations

from datetime import datetime, timedelta

from assistant.errors import UserError
from assistant.i18n import _


class ClockError(UserError, ValueError):
    """Base class: bad input for a clock operation (unknown zone, impossible time...)."""


class UnknownZoneError(ClockError):
    """The name is not an IANA time zone known to tzdata."""

    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = list(suggestions or [])
        message = _("Unknown time zone: \"{name}\".").format(name=name)
        if self.suggestions:
            message += " " + _("Did you mean {suggestions}?").format(
                suggestions=", ".join(self.suggestions))
        else:
            message += " " + _("Use an IANA zone such as Europe/Madrid or Asia/Kolkata.")
        super().__init__(message)


class NonexistentTimeError(ClockError):
    """A local time inside a DST gap: the clocks jumped over it, it never happens.

    ``gap_start`` is the wall time the clocks jump from, ``after`` the wall time they jump
    to (the first valid local time), ``before`` the last valid local minute before the gap
    (all naive local times); ``transition`` is the UTC instant of the jump.
    """

    def __init__(self, zone: str, local: datetime, gap_start: datetime, after: datetime,
                 transition: datetime):
        self.zone = zone
        self.local = local
        self.gap_start = gap_start
        self.before = gap_start - timedelta(minutes=1)
        self.after = after
        self.transition = transition
        super().__init__(_(
            "{time} on {date} does not exist in {zone}: the clocks jump from {start} to "
            "{end} that day. Use {before} or {end} instead.").format(
                time=f"{local:%H:%M}", date=f"{local:%Y-%m-%d}", zone=zone,
                start=f"{gap_start:%H:%M}", end=f"{after:%H:%M}", before=f"{self.before:%H:%M}"))


class AmbiguousTimeError(ClockError):
    """A local time that happens twice (the clocks went back): the caller must choose.

    ``candidates`` are the two UTC instants, earlier first; ``offsets`` their UTC offsets
    as "+01:00" strings. Pass ``fold=0`` for the first, ``fold=1`` for the second.
    """

    def __init__(self, zone: str, local: datetime, candidates: tuple[datetime, datetime],
                 offsets: tuple[str, str]):
        self.zone = zone
        self.local = local
        self.candidates = candidates
        self.offsets = offsets
        super().__init__(_(
            "{time} on {date} happens twice in {zone} (the clocks go back): first at "
            "UTC{first_offset} ({first} UTC), then at UTC{second_offset} ({second} UTC). "
            "Say which one.").format(
                time=f"{local:%H:%M}", date=f"{local:%Y-%m-%d}", zone=zone,
                first_offset=offsets[0], first=f"{candidates[0]:%Y-%m-%d %H:%M}",
                second_offset=offsets[1], second=f"{candidates[1]:%Y-%m-%d %H:%M}"))


class ResolveError(ClockError):
    """What the agent typed is not a phone number, country, city or zone we know."""
