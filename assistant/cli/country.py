"""``assistant country <code-or-name> [--json]``: a country's computed facts and its
etiquette card (or null)."""

from __future__ import annotations

import datetime as dt

from assistant.cli import CommandError, emit_json, open_runtime

JSON_KEYS = ("code", "name", "languages", "currency", "calling_code", "zones", "weekend",
             "first_day_of_week", "holidays_next", "card")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def register(subparsers) -> None:
    p = subparsers.add_parser("country", help="facts and etiquette card for a country")
    p.add_argument("query", nargs="+", help="ISO code (DE), name in several languages (Allemagne) or capital")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--full", action="store_true", help="print the whole etiquette card (text output)")
    p.set_defaults(handler=cmd_country)


def resolve_or_fail(query: str, language: str, db=None) -> str:
    from assistant.countries.search import resolve, search

    code = resolve(query, language, db)
    if code:
        return code
    candidates = search(query, language, db, limit=5)
    if candidates:
        listed = ", ".join(f"{m.code} ({m.matched})" for m in candidates)
        raise CommandError(f"'{query}' is ambiguous; did you mean one of: {listed}? Use the two-letter code.")
    raise CommandError(f"unknown country '{query}': give an ISO 3166 code such as DE, "
                       "or a country name such as Germany.")


def country_report(code: str, now: dt.datetime, language: str, db=None) -> dict:
    from assistant.countries.cards import load_card
    from assistant.countries.facts import country_facts

    facts = country_facts(code, now, language).to_dict()
    report = {key: facts.get(key) for key in JSON_KEYS if key != "card"}
    report["holidays_next"] = [{"date": h["date"], "name": h["name"]} for h in facts["holidays_next"]]
    report["card"] = load_card(code, db)
    return report


def _open_db(args):
    """The database for pack cards; the shipped cards still work when it cannot be opened."""
    try:
        return open_runtime(args)
    except CommandError:
        return None


def cmd_country(args) -> int:
    from assistant.i18n import current_language

    query = " ".join(args.query)
    language = current_language()
    runtime = _open_db(args)
    try:
        db = runtime.db if runtime else None
        code = resolve_or_fail(query, language, db)
        report = country_report(code, dt.datetime.now(dt.timezone.utc), language, db)
    finally:
        if runtime:
            runtime.close()
    if args.json:
        emit_json(report)
        return 0
    print(f"{report['name']} ({report['code']})")
    print("languages: " + ", ".join(
        f"{l['name']}" + (f" {l['share']:g}%" if l["share"] is not None else "") for l in report["languages"]))
    cur = report["currency"]
    print(f"currency: {cur['code']} ({cur['name']})" if cur else "currency: (none)")
    print(f"calling code: {report['calling_code'] or '(none)'}")
    print(f"time zones: {', '.join(report['zones']) or '(none)'}")
    print("weekend: " + ", ".join(WEEKDAYS[d - 1] for d in report["weekend"]))
    print(f"first day of week: {WEEKDAYS[report['first_day_of_week'] - 1]}")
    for h in report["holidays_next"]:
        print(f"holiday: {h['date']} {h['name']}")
    card = report["card"]
    if card:
        from assistant.countries.presentation import TENDENCIES, card_text

        print(f"etiquette: {card['compact']}")
        if args.full:
            print()
            print(card_text(card, language))
        print(TENDENCIES)
    else:
        print("etiquette: no etiquette card yet")
    return 0
