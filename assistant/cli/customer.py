"""Commands ``customer`` (resolve what an agent would type in the customer bar and show the
clock for it) and ``convert`` (a customer's wall time to UTC and the agent's time, or back)."""

from __future__ import annotations

from datetime import datetime, timezone

from assistant.cli import CommandError, emit_json

UTC = timezone.utc
YEARS = range(1900, 2200)  # wider than any customer call; the clock's date sums stay in range


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "customer", help="resolve a phone number, country, city or zone; show their clock")
    p.add_argument("text", help='what the agent typed, e.g. "+34 612 345 678", "Manila" or '
                                '"Lucía, +52 55 1234 5678"')
    p.add_argument("--at", help="instant to show the clock at, ISO-8601 with an offset "
                                "(e.g. 2025-03-30T10:00Z); default: now")
    p.add_argument("--zone", help="choose this zone when the input maps to several")
    p.add_argument("--region", help="country (ISO alpha-2) for numbers typed without +code "
                                    "(default: setting customer.default_region, else your zone's)")
    p.add_argument("--language", default="en", help="language country/city names are typed in")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_customer)

    c = subparsers.add_parser(
        "convert", help="a customer's local time to UTC and to the agent's time (or back)")
    c.add_argument("--zone", required=True, help="the customer's IANA zone")
    c.add_argument("--local", required=True, help='wall time "YYYY-MM-DDTHH:MM"')
    c.add_argument("--fold", type=int, choices=(0, 1),
                   help="for a time shown twice (clocks going back): 0 = first, 1 = second")
    c.add_argument("--agent-zone", help="the agent's zone (default: setting clock.agent_zone, "
                                        "else the system's)")
    c.add_argument("--from-agent", action="store_true",
                   help="--local is the agent's wall time: give the customer's")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_convert)


def parse_instant(text: str | None) -> datetime:
    """--at: an aware ISO-8601 instant; a time without an offset is refused (which zone?)."""
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError as exc:
        raise CommandError(f"--at {text!r} is not an ISO-8601 date-time "
                           f"(e.g. 2025-03-30T10:00Z).") from exc
    if value.tzinfo is None:
        raise CommandError(f"--at {text!r} has no UTC offset: add Z or e.g. +02:00.")
    _check_year(value, "--at", text)
    return value.astimezone(UTC)


def _check_year(value: datetime, option: str, text: str) -> None:
    if value.year not in YEARS:
        raise CommandError(f"{option} {text!r} is out of range: give a date from {YEARS.start} "
                           f"to {YEARS.stop - 1}.")


def parse_local(text: str) -> datetime:
    """--local: a wall time without an offset."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"--local {text!r} is not a date and time like 2025-03-30T14:30.") from exc
    if value.tzinfo is not None:
        raise CommandError(f"--local {text!r} has an offset: give the wall time only "
                           f"(the zone says the offset).")
    _check_year(value, "--local", text)
    return value


def customer_report(text: str, at: datetime, zone: str | None = None,
                    region: str | None = None, language: str = "en", db=None) -> dict:
    """The JSON the ``customer`` command prints (raises ClockError for bad input). The text
    is read as the customer bar reads it (assistant.customer.session), with the default
    region and business hours (team packs' cards included) of ``db``."""
    from assistant.clock.status import business_hours_for, customer_status
    from assistant.customer import session

    region = region or (session.default_region(db) if db is not None else None)
    resolution = session.read(text, region=region, ui_language=language, zone=zone)
    context = resolution.context
    report = {
        "query": text,
        "kind": resolution.kind,
        "description": resolution.description,
        "name": context.name,
        "phone": context.phone,
        "country": context.country,
        "zones": list(resolution.zones) if resolution.zones else ([context.zone] if context.zone else []),
        "zone": context.zone,
        "zone_likely": context.zone_likely,
        "languages": list(resolution.languages),
        "language": context.language,
        "local_time": None, "utc_offset": None, "abbreviation": None, "status": None,
        "holiday": None, "holiday_approximate": None, "next_transition": None,
        "offset_after": None,
    }
    if context.zone:
        status = customer_status(context.country, context.zone, at,
                                 hours=business_hours_for(context.country, db))
        report.update(
            local_time=status.local_time.isoformat(),
            utc_offset=status.utc_offset,
            abbreviation=status.abbreviation,
            status=status.status,
            holiday=status.holiday,
            holiday_approximate=status.approximate if status.holiday else None,
            next_transition=(status.next_transition.isoformat().replace("+00:00", "Z")
                             if status.next_transition else None),
            offset_after=status.offset_after)
    return report


def cmd_customer(args) -> int:
    from assistant.cli import open_runtime
    from assistant.clock.errors import ClockError

    at = parse_instant(args.at)
    runtime = open_runtime(args)
    try:
        report = customer_report(args.text, at, args.zone, args.region, args.language, runtime.db)
    except ClockError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        runtime.close()
    if args.json:
        emit_json(report)
        return 0
    print(report["description"])
    if report["zone"]:
        holiday = f" ({report['holiday']})" if report["holiday"] else ""
        print(f"{report['local_time']}  {report['abbreviation']} UTC{report['utc_offset']}  "
              f"{report['status']}{holiday}")
        if report["next_transition"]:
            print(f"next clock change: {report['next_transition']} -> UTC{report['offset_after']}")
        if report["zone_likely"]:
            print(f"{report['zone']} is the most likely zone; another with --zone: "
                  + ", ".join(z for z in report["zones"] if z != report["zone"]))
    else:
        print("choose a zone with --zone: " + ", ".join(report["zones"]))
    return 0


def _agent_zone(args) -> str:
    from assistant.clock.agent import agent_zone
    from assistant.clock.errors import ClockError
    from assistant.clock.zones import canonical_zone

    if args.agent_zone:
        try:
            return canonical_zone(args.agent_zone)
        except ClockError as exc:
            raise CommandError(str(exc)) from exc
    from assistant.cli import open_runtime

    runtime = open_runtime(args)
    try:
        return agent_zone(runtime.db)
    finally:
        runtime.close()


def convert_report(zone: str, local: datetime, agent: str, fold: int | None = None,
                   from_agent: bool = False) -> dict:
    """The JSON the ``convert`` command prints (raises ClockError for bad input)."""
    from assistant.clock.convert import format_offset, local_to_utc
    from assistant.clock.zones import canonical_zone, zone_info

    zone = canonical_zone(zone)
    source = agent if from_agent else zone
    instant = local_to_utc(source, local, fold)
    theirs = instant.astimezone(zone_info(zone))
    mine = instant.astimezone(zone_info(agent))
    return {
        "zone": zone,
        "local": theirs.replace(tzinfo=None).isoformat(timespec="minutes"),
        "local_time": theirs.isoformat(),
        "utc_offset": format_offset(theirs.utcoffset()),
        "abbreviation": theirs.tzname(),
        "utc": instant.isoformat().replace("+00:00", "Z"),
        "agent_zone": agent,
        "agent_local": mine.isoformat(),
        "agent_utc_offset": format_offset(mine.utcoffset()),
        "day_difference": (theirs.date() - mine.date()).days,
    }


def cmd_convert(args) -> int:
    from assistant.clock.errors import AmbiguousTimeError, ClockError

    local = parse_local(args.local)
    agent = _agent_zone(args)
    try:
        report = convert_report(args.zone, local, agent, args.fold, args.from_agent)
    except AmbiguousTimeError as exc:
        raise CommandError(f"{exc} Add --fold 0 for the first or --fold 1 for the second.") from exc
    except ClockError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        emit_json(report)
    elif args.from_agent:
        print(f"your {local:%Y-%m-%d %H:%M} ({agent}) is their {report['local_time']} "
              f"({report['zone']}); UTC {report['utc']}")
    else:
        print(f"their {local:%Y-%m-%d %H:%M} ({report['zone']}) is your {report['agent_local']} "
              f"({agent}); UTC {report['utc']}")
    return 0
