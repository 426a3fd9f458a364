"""The customer session: the one current customer, and every rule about setting it.

Every entry point goes through here, so the same text is read the same way everywhere: the
customer bar, the queue's "open customer", pinned clocks and recent customers, the CLI
(``customer``, ``tasks add --customer``, ``templates render --customer``) and, later, a call
pop handed over by a second start. The rules:

- **Reading what was typed** (:func:`read`): a phone number, country, city or zone
  (:mod:`assistant.clock.resolve`), optionally after a name and a comma ("Lucía, +52 55 1234
  5678"); the whole text is tried first, so a place with a comma in its name still works.
  Numbers typed without +code use the **default region** (:func:`default_region`).
- **The zone choice**: input that fits several zones sets a customer with the most likely
  zone (by population, :mod:`assistant.clock.likely`), marked ``zone_likely``; the other
  zones stay offered (:attr:`CustomerSession.zone_options`, labels from
  :func:`zone_choices`, those showing another hour flagged for chips) until another customer
  is set, so the agent can change it. Choosing another zone replaces the likely one in the
  recents rather than adding a second entry.
- **Remembering**: a customer is put in the recents once their zone is known, whoever set them;
  pins are kept here too (:mod:`assistant.customer.memory`).
- **The snapshot stored with a task** (:func:`for_task`) and what opening a task's customer
  sets (:func:`from_task`).

Qt-free. The window's customer holder (``ui.context``) listens through :meth:`subscribe`.
Importing this module is cheap; the clock modules load when a rule first needs them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable, NamedTuple

from assistant.customer.context import CustomerContext

if TYPE_CHECKING:
    import sqlite_utils

    from assistant.clock.resolve import Resolution

DEFAULT_REGION_SETTING = "customer.default_region"


def _ui_language() -> str:
    from assistant.i18n import current_language

    return current_language()


def _utc_now() -> datetime:
    from assistant.clock.ticks import utc_now

    return utc_now()


# -- the rules, as functions (the CLI uses them without a session) ----------------------------

def default_region(db) -> str | None:
    """The country whose numbers may be typed without +code: the setting when set, else the
    country of the agent's own time zone (None for a zone of no country, e.g. Etc/UTC)."""
    from assistant import settings

    region = settings.get(db, DEFAULT_REGION_SETTING) if db is not None else None
    if region:
        return region
    from assistant.clock.agent import agent_zone
    from assistant.clock.zones import country_of_zone

    return country_of_zone(agent_zone(db))


def read(text: str, *, region: str | None = None, ui_language: str | None = None,
         zone: str | None = None) -> Resolution:
    """How ``text`` reads as a customer: a phone number, country, city or zone, optionally
    after "Name, ". ``region`` reads national numbers; ``zone`` chooses among several zones
    (it must be one of them). Raises ResolveError (a UserError) with a message to show."""
    from assistant.clock.errors import ResolveError
    from assistant.clock.resolve import looks_like_phone, resolve
    from assistant.i18n import _

    language = ui_language or _ui_language()
    name, comma, rest = (text or "").rpartition(",")
    # "Name, +34 …": no place or zone has a phone number in its name, so the whole text is
    # not tried first (which loaded every UI language's country names the first time, 42 ms
    # on the GUI thread, and ranked guesses for a message never shown, 5 ms each time)
    named = bool(comma) and looks_like_phone(rest.strip()) and not looks_like_phone(text.strip())
    if not named:
        try:
            resolution = resolve(text, language, region)
        except ResolveError:
            if not comma:
                raise
            named = True
    if named:
        name = " ".join(name.split())
        resolution = resolve(rest, language, region)
        if name:
            label = _("{name}: {how}").format(name=name, how=resolution.description)
            resolution = resolution._replace(
                context=resolution.context._replace(name=name, resolved_from=label),
                description=label, summary=_("{name}: {how}").format(name=name, how=resolution.summary))
    if zone:
        resolution = resolution._replace(context=resolution.choose(zone))
    return resolution


def read_customer(text: str | None, db=None, *, zone: str | None = None, name: str | None = None,
                  region: str | None = None) -> CustomerContext:
    """The customer for a command line: ``text`` read as in the customer bar (default region
    from ``db`` unless ``region``), ``zone`` chosen, ``name`` (when given) as their name.
    Without ``text``, ``zone`` alone sets the customer's zone and country. Raises ClockError
    (a UserError) with a message to show; text that fits several zones without ``zone``
    gives a customer that ``needs_zone_choice``."""
    from assistant.clock.zones import canonical_zone, country_of_zone

    if text and text.strip():
        context = read(text, region=region or default_region(db), zone=zone).context
    elif zone:
        chosen = canonical_zone(zone)
        context = CustomerContext(zone=chosen, zones=(chosen,), country=country_of_zone(chosen))
    else:
        context = CustomerContext()
    if name and name.strip():
        context = context._replace(name=" ".join(name.split()))
    return context


class ZoneChoice(NamedTuple):
    """One of a customer's time zones, as the zone choice offers it."""
    zone: str
    label: str      # "São Paulo · UTC-03:00 · 10:42", in the UI language ("· likely" added)
    city: str = ""  # "São Paulo"
    time: str = ""  # "10:42"
    likely: bool = False        # the zone most of the country's people keep
    other_hour: bool = False    # shows another hour than the customer's current zone


def zone_choices(context: CustomerContext, at: datetime, ui_language: str | None = None) -> list[ZoneChoice]:
    """The zones ``context`` could mean, labelled for the agent to choose: city, UTC offset
    and the local time at ``at`` (west to east, as :func:`assistant.clock.zones.distinct_clocks`
    orders them); the most likely one says so."""
    from assistant.clock.convert import format_offset
    from assistant.clock.details import format_time
    from assistant.clock.likely import likely_zone
    from assistant.clock.zones import localized_city, zone_info
    from assistant.i18n import _

    language = ui_language or _ui_language()
    likely = likely_zone(context.zones)
    current = at.astimezone(zone_info(context.zone)) if context.zone else None
    choices = []
    for zone in context.zones:
        local = at.astimezone(zone_info(zone))
        city = localized_city(zone, language)
        time = format_time(local, language, context.country)
        label = _("{city} · UTC{offset} · {time}").format(
            city=city, offset=format_offset(local.utcoffset()), time=time)
        if zone == likely:
            label = _("{choice} · likely").format(choice=label)
        other_hour = current is not None and (local.date(), local.hour) != (current.date(), current.hour)
        choices.append(ZoneChoice(zone, label, city, time, zone == likely, other_hour))
    return choices


def read_ahead(text: str, *, region: str | None, agent_zone: str, at: datetime,
               ui_language: str | None = None) -> Resolution | None:
    """How ``text`` reads (:func:`read`), and, made ahead, what setting it as the customer
    needs the first time its country comes up: the number's patterns (phonenumbers), the
    country's CLDR time formats and zone cities, its holidays and next clock change. Touches
    no database, so it runs off the GUI thread before :meth:`CustomerSession.set_text` (a
    country's first customer cost 10-30 ms of the GUI thread, issue 18). None for text that
    does not read: ``set_text`` explains why."""
    from assistant.clock.details import clock_details
    from assistant.clock.errors import ClockError

    language = ui_language or _ui_language()
    try:
        resolution = read(text, region=region, ui_language=language)
    except ClockError:
        return None
    context = resolution.context
    if len(context.zones) > 1:
        zone_choices(context, at, language)
    if context.zone:  # a likely zone is set too
        clock_details(context, agent_zone, at, language)
    return resolution


def for_task(context: CustomerContext) -> CustomerContext:
    """What a task keeps of a customer: who they are and where (name, phone, country, chosen
    zone, language), not how they were typed nor the zones that were not chosen."""
    return CustomerContext(name=context.name, phone=context.phone, country=context.country,
                           zone=context.zone, language=context.language)


def from_task(customer: CustomerContext, title: str) -> CustomerContext:
    """The customer that opening a task sets: the task's snapshot, saying where it came from."""
    from assistant.i18n import _

    return for_task(customer)._replace(zones=(customer.zone,) if customer.zone else (),
                                       resolved_from=_("task: {title}").format(title=title))


def field_text(context: CustomerContext) -> str:
    """What the customer field shows for a customer set without typing (a task, a recent, a
    pin, a call pop): text that reads back as the same customer where it can ("Ana Gómez,
    +34612345678", "Ana, Europe/Madrid")."""
    place = context.phone or context.zone or context.country or ""
    if context.name and place:
        return f"{context.name}, {place}"
    return context.name or place


def _same_but_zone(one: CustomerContext, other: CustomerContext) -> bool:
    return (one.name, one.phone, one.country, one.zones) == \
        (other.name, other.phone, other.country, other.zones)


# -- the session -------------------------------------------------------------------------------

class CustomerSession:
    """The current customer of a running app (or a test). ``database`` gives the database
    (called when first needed: the window exists before the database is checked)."""

    def __init__(self, database: Callable[[], sqlite_utils.Database],
                 now: Callable[[], datetime] = _utc_now):
        self._database = database
        self.now = now
        self.context = CustomerContext()
        self.text = ""                           # what the customer field shows
        self.resolution: Resolution | None = None  # how typed text was read (for its zone choice)
        self._choice: CustomerContext | None = None  # the customer whose zones are offered
        self._customer_listeners: list[Callable[[CustomerContext], None]] = []
        self._memory_listeners: list[Callable[[], None]] = []

    @property
    def db(self) -> sqlite_utils.Database:
        return self._database()

    def subscribe(self, customer: Callable[[CustomerContext], None] | None = None,
                  memory: Callable[[], None] | None = None) -> None:
        """``customer(context)`` after every change of the current customer (or of how it
        reads: the field text, the zone choice); ``memory()`` after recents or pins changed."""
        if customer is not None:
            self._customer_listeners.append(customer)
        if memory is not None:
            self._memory_listeners.append(memory)

    # -- the rules bound to this app's settings ---------------------------------------------
    def default_region(self) -> str | None:
        return default_region(self.db)

    def agent_zone(self) -> str:
        from assistant.clock.agent import agent_zone

        return agent_zone(self.db)

    def read(self, text: str) -> Resolution:
        """How ``text`` reads here (nothing changes); ResolveError for text that does not."""
        return read(text, region=self.default_region())

    @property
    def zone_options(self) -> tuple[str, ...]:
        """The zones offered for the current customer (empty: no choice to make). Kept after
        a choice, so the agent can change it."""
        return self._choice.zones if self._choice is not None else ()

    def zone_choices(self, at: datetime | None = None) -> list[ZoneChoice]:
        if self._choice is None:
            return []
        return zone_choices(self._choice._replace(zone=self.context.zone), at or self.now())

    # -- setting the customer --------------------------------------------------------------
    def read_ahead(self, text: str) -> Callable[[], Resolution | None]:
        """:func:`read_ahead` for ``text`` with this app's settings, as a callable to run off
        the GUI thread (the settings are read here, where the database is); its resolution
        goes to :meth:`set_text`."""
        region, agent, at, language = self.default_region(), self.agent_zone(), self.now(), _ui_language()
        return lambda: read_ahead(text, region=region, agent_zone=agent, at=at, ui_language=language)

    def set_text(self, text: str, resolution: Resolution | None = None) -> Resolution | None:
        """Make what the agent typed the current customer (empty text: no customer). Raises
        ResolveError and changes nothing when the text does not read as a customer.
        ``resolution``: how ``text`` was read just before (by :meth:`read_ahead`)."""
        if not (text or "").strip():
            self.clear()
            return None
        resolution = resolution or self.read(text)
        self.resolution = resolution
        self._choice = resolution.context if resolution.needs_choice else None
        self._change(resolution.context, text.strip())
        return resolution

    def choose_zone(self, zone: str) -> CustomerContext:
        """Choose one of :attr:`zone_options` for the current customer."""
        from assistant.clock.errors import ResolveError
        from assistant.i18n import _

        base = self._choice
        if base is None or zone not in base.zones:
            raise ResolveError(_("{zone} is not one of the zones offered.").format(zone=zone))
        if self.resolution is not None and self.resolution.context == base:
            context = self.resolution.choose(zone)
        else:
            context = base.with_zone(zone)
        self._change(context, self.text)
        return context

    def set(self, context: CustomerContext, text: str | None = None) -> None:
        """Make ``context`` the current customer (a task's, a recent one, a pin, a call pop).
        The field shows ``text``, else :func:`field_text`; a zone choice already offered for
        this customer stays, else the customer's own is offered if it needs one."""
        base = self._choice
        keep = base is not None and context.key in {base.key, *(base.with_zone(z).key for z in base.zones)}
        if not keep:
            self.resolution = None
            self._choice = context if (context.needs_zone_choice or context.zone_likely) else None
        shown = text if text is not None else (self.text if keep else field_text(context))
        self._change(context, shown)

    def clear(self) -> None:
        self.resolution = None
        self._choice = None
        self._change(CustomerContext(), "")

    def _change(self, context: CustomerContext, text: str) -> None:
        before = self.context
        self.context, self.text = context, text
        if not context.is_empty and not context.needs_zone_choice:
            from assistant.customer import memory

            if before.zone_likely and before.key != context.key and _same_but_zone(before, context):
                memory.forget(self.db, before.key)  # the guess is replaced by the choice
            memory.remember(self.db, context, self.now())
            self._memory_changed()
        for listener in list(self._customer_listeners):
            listener(context)

    # -- recents and pins ------------------------------------------------------------------
    def recents(self) -> list[CustomerContext]:
        from assistant.customer import memory

        return memory.recents(self.db)

    def clear_recents(self) -> None:
        from assistant.customer import memory

        memory.clear_recents(self.db)
        self._memory_changed()

    def pins(self) -> list[CustomerContext]:
        from assistant.customer import memory

        return memory.pins(self.db)

    def is_pinned(self, context: CustomerContext | None = None) -> bool:
        from assistant.customer import memory

        context = context or self.context
        return bool(context.zone) and memory.is_pinned(self.db, context.key)

    def pin(self, context: CustomerContext | None = None) -> None:
        """Pin ``context`` (default: the current customer); PinError (a UserError) when it
        has no zone yet or five are pinned."""
        from assistant.customer import memory

        memory.pin(self.db, context or self.context, self.now())
        self._memory_changed()

    def unpin(self, context: CustomerContext | None = None) -> None:
        from assistant.customer import memory

        memory.unpin(self.db, (context or self.context).key)
        self._memory_changed()

    def toggle_pin(self) -> bool:
        """Pin the current customer, or unpin them; returns whether they are pinned now."""
        if self.is_pinned():
            self.unpin()
            return False
        self.pin()
        return True

    def _memory_changed(self) -> None:
        for listener in list(self._memory_listeners):
            listener()
